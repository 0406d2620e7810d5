import itertools

import numpy as np
import pandas as pd
import pytest

from ganboost import plots


def scores_table():
    rows = []
    rng = np.random.default_rng(0)
    models = ["majority", "random_forest", "nn_search"]
    for seed, fraction, model in itertools.product(range(3), (0.5, 1.0), models):
        base = 0.6 if model == "majority" else 0.78
        rows.append(("real", "none", 1.0, seed, fraction, model, base + rng.normal(0, 0.01)))
        for generator in ("wgan-gp", "dcgan"):
            for boost in (1.2, 2.0):
                rows.append(("boosted", generator, boost, seed, fraction, model,
                             base + rng.normal(0, 0.01)))
            rows.append(("synthetic", generator, 1.0, seed, fraction, model,
                         base - 0.1 + rng.normal(0, 0.01)))
    return pd.DataFrame(rows, columns=["training_data", "generator", "boost_factor", "seed",
                                       "real_fraction", "model", "accuracy"])


@pytest.mark.parametrize("figure_id", ["battery-boost", "battery-replace", "shrink-boost",
                                       "extreme"])
def test_score_figures_draw_and_save(figure_id, tmp_path):
    figure = plots.draw(figure_id, scores_table(), dataset="demo")
    axes = [a for a in figure.axes if a.get_visible()]
    assert axes and any(a.patches for a in axes), "bars expected"
    plots.save(figure, tmp_path / "f.png", tmp_path / "f.svg")
    assert (tmp_path / "f.png").stat().st_size > 1000
    assert (tmp_path / "f.svg").read_text().startswith("<?xml")
    assert not list(tmp_path.glob(".*partial"))


def test_battery_figure_has_real_and_one_group_per_generator():
    figure = plots.draw("battery-boost", scores_table(), dataset="demo")
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels[0] == "majority class"
    assert set(labels[1:]) == {"real rows", "+20% wgan-gp", "+20% dcgan"}


def test_shrink_boost_has_one_panel_per_fraction():
    figure = plots.draw("shrink-boost", scores_table(), dataset="demo")
    titles = [a.get_title() for a in figure.axes if a.get_visible()]
    assert titles == ["real fraction 0.5", "real fraction 1"]


def test_gan_log_and_history_and_fidelity(tmp_path):
    log = pd.DataFrame({"generator_loss": np.linspace(1, 0, 50),
                        "critic_loss": np.linspace(-1, 0, 50),
                        "d_real": np.full(50, 0.6), "d_fake": np.full(50, 0.4)})
    figure = plots.draw("gan-log", scores_table(), dataset="demo", logs={"wgan-gp": log})
    assert len(figure.axes) == 2
    history = pd.DataFrame({"accuracy": [0.6, 0.7], "val_accuracy": [0.55, 0.65]})
    figure = plots.draw("nn-history", scores_table(), dataset="demo", history=history)
    assert len(figure.axes[0].lines) == 2
    fidelity = pd.DataFrame({"generator": ["wgan-gp", "dcgan"] * 2,
                             "metric": ["detection_auc_holdout"] * 4,
                             "value": [0.9, 0.95, 0.88, 0.97]})
    figure = plots.draw("fidelity", scores_table(), dataset="demo", fidelity=fidelity)
    assert len(figure.axes[0].patches) == 2


def test_mean_interval_single_value_has_no_interval():
    mean, low, high = plots.mean_interval(pd.Series([0.7]))
    assert mean == 0.7 and np.isnan(low) and np.isnan(high)


def test_unknown_figure_named():
    with pytest.raises(ValueError, match="unknown figure 'pie'"):
        plots.draw("pie", scores_table(), dataset="demo")
