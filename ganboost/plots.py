"""The figures: the thesis's own, drawn from our runs with means and intervals over seeds.

Every ``draw_*`` function takes tidy tables and returns a matplotlib Figure; :func:`draw`
dispatches by figure id and :func:`save` writes PNG and SVG atomically.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ganboost.statistics import t_interval  # noqa: E402

METRIC = "accuracy"
REAL_COLOUR = "#4d4d4d"
# Detection against held-out real rows: the generator never saw them, so memorised rows
# cannot make synthetic rows look more real than real rows do.
DETECTION_METRIC = "detection_auc_holdout"


def draw(figure_id: str, scores: pd.DataFrame, *, dataset: str, **extra: Any) -> Figure:
    """The figure ``figure_id`` for one dataset."""
    drawers = {
        "battery-boost": lambda: draw_battery(scores, dataset, "boosted"),
        "battery-replace": lambda: draw_battery(scores, dataset, "synthetic"),
        "gan-log": lambda: draw_gan_log(extra["logs"], dataset),
        "shrink-boost": lambda: draw_boost_panels(scores, dataset, "shrink-boost"),
        "extreme": lambda: draw_boost_panels(scores, dataset, "extreme"),
        "nn-history": lambda: draw_nn_history(extra["history"], dataset),
        "fidelity": lambda: draw_fidelity(scores, extra.get("fidelity"), dataset),
    }
    if figure_id not in drawers:
        raise ValueError(f"unknown figure {figure_id!r}; choose from {sorted(drawers)}")
    return drawers[figure_id]()


def save(figure: Figure, png: str | Path, svg: str | Path) -> None:
    """Write PNG and SVG; each goes to a temporary name first, then into place."""
    for path in (Path(png), Path(svg)):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.partial")
        figure.savefig(temporary, dpi=150, bbox_inches="tight", format=path.suffix[1:])
        os.replace(temporary, path)
    plt.close(figure)


# -- battery ---------------------------------------------------------------------------------
def draw_battery(scores: pd.DataFrame, dataset: str, training_data: str) -> Figure:
    """Bars per model: real rows vs each generator's boosted (or replaced) rows."""
    real = scores[scores["training_data"] == "real"]
    other = scores[scores["training_data"] == training_data]
    if training_data == "boosted" and len(other):
        other = other[other["boost_factor"] == other["boost_factor"].min()]
    models = [m for m in real["model"].drop_duplicates() if m != "majority"]
    groups = [("real rows", real)] + [
        (_condition_label(training_data, generator, frame), frame)
        for generator, frame in other.groupby("generator", sort=False)
    ]
    figure, axis = plt.subplots(figsize=(max(7, 1.3 * len(models)), 4.5))
    width = 0.8 / len(groups)
    colours = _colours(len(groups))
    for index, (label, frame) in enumerate(groups):
        means, lows, highs = _per_category(frame, "model", models)
        positions = np.arange(len(models)) + (index - (len(groups) - 1) / 2) * width
        axis.bar(positions, means, width, label=label, color=colours[index],
                 yerr=[means - lows, highs - means], capsize=2, error_kw={"lw": 0.8})
    _majority_line(axis, real)
    axis.set_xticks(np.arange(len(models)), [_model_label(m) for m in models], rotation=20)
    axis.set_ylabel("test accuracy (mean, 95% interval over seeds)")
    what = "boosted" if training_data == "boosted" else "replaced by synthetic rows"
    axis.set_title(f"{dataset}: training rows real vs {what}")
    _limit_accuracy_axis(axis, scores)
    axis.legend(fontsize=8, ncol=2, loc="lower right")
    return figure


def _condition_label(training_data: str, generator: str, frame: pd.DataFrame) -> str:
    if training_data == "boosted":
        extra = frame["boost_factor"].iloc[0] - 1
        return f"+{extra:.0%} {generator}"
    return f"{generator} only"


# -- boost panels (shrink-boost, extreme) ----------------------------------------------------
def draw_boost_panels(scores: pd.DataFrame, dataset: str, title: str) -> Figure:
    """One panel per real fraction; bars per boost factor coloured by generator; dashed line:
    the unboosted accuracy."""
    model = _main_model(scores)
    scores = scores[(scores["model"] == model) & (scores["training_data"] != "synthetic")]
    fractions = sorted(scores["real_fraction"].unique())
    columns = min(4, len(fractions))
    rows = int(np.ceil(len(fractions) / columns))
    figure, axes = plt.subplots(
        rows, columns, figsize=(3.6 * columns, 3.2 * rows), squeeze=False, sharey=True
    )
    generators = [g for g in scores["generator"].drop_duplicates() if g != "none"]
    colours = dict(zip(generators, _colours(len(generators) + 1)[1:], strict=True))
    for axis, fraction in zip(axes.flat, fractions, strict=False):
        _boost_panel(axis, scores[scores["real_fraction"] == fraction], generators, colours)
        axis.set_title(f"real fraction {fraction:g}", fontsize=10)
    for axis in list(axes.flat)[len(fractions):]:
        axis.set_visible(False)
    for axis in axes[:, 0]:
        axis.set_ylabel(f"{_model_label(model)} accuracy")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
    figure.suptitle(f"{dataset}: {title} ({_model_label(model)})")
    figure.tight_layout(rect=(0, 0.06, 1, 0.96))
    return figure


def _boost_panel(axis, scores: pd.DataFrame, generators: list[str], colours: dict) -> None:
    real = scores[scores["training_data"] == "real"][METRIC]
    boosts = sorted(scores.loc[scores["training_data"] == "boosted", "boost_factor"].unique())
    positions = np.arange(len(boosts) + 1)
    mean, low, high = mean_interval(real)
    axis.bar(0, mean, 0.6, color=REAL_COLOUR, yerr=[[mean - low], [high - mean]], capsize=2,
             label="no boost")
    axis.axhline(mean, color=REAL_COLOUR, linestyle="--", linewidth=1)
    width = 0.8 / max(1, len(generators))
    for index, generator in enumerate(generators):
        frame = scores[scores["generator"] == generator]
        means, lows, highs = _per_category(frame, "boost_factor", boosts)
        offsets = positions[1:] + (index - (len(generators) - 1) / 2) * width
        axis.bar(offsets, means, width, color=colours[generator], label=generator,
                 yerr=[means - lows, highs - means], capsize=2, error_kw={"lw": 0.8})
    axis.set_xticks(positions, ["0"] + [f"x{b:g}" for b in boosts], fontsize=8)
    axis.set_xlabel("boost factor (0 = none)", fontsize=8)
    _limit_accuracy_axis(axis, scores)


# -- GAN training log ------------------------------------------------------------------------
def draw_gan_log(logs: Mapping[str, pd.DataFrame], dataset: str) -> Figure:
    """Per generator: losses per iteration (left), mean D(real) and D(fake) (right)."""
    logs = {name: log for name, log in logs.items() if len(log)}
    if not logs:
        figure, axis = plt.subplots(figsize=(6, 2))
        axis.text(0.5, 0.5, "no generator of this study logs its training", ha="center")
        axis.set_axis_off()
        return figure
    figure, axes = plt.subplots(len(logs), 2, figsize=(11, 3 * len(logs)), squeeze=False)
    for row, (name, log) in zip(axes, logs.items(), strict=True):
        step = np.arange(len(log))
        row[0].plot(step, log["generator_loss"], label="generator", alpha=0.8, lw=0.8)
        row[0].plot(step, log["critic_loss"], label="critic / discriminator", alpha=0.8,
                    lw=0.8)
        row[0].set_title(f"{name}: losses", fontsize=10)
        row[0].set_xlabel("iteration")
        row[0].legend(fontsize=8)
        if {"d_real", "d_fake"} <= set(log.columns):
            row[1].plot(step, log["d_real"], label="D(real)", alpha=0.8, lw=0.8)
            row[1].plot(step, log["d_fake"], label="D(fake)", alpha=0.8, lw=0.8)
            row[1].set_ylim(0, 1)
        row[1].set_title(f"{name}: mean sigmoid of the critic", fontsize=10)
        row[1].set_xlabel("iteration")
        row[1].legend(fontsize=8)
    figure.suptitle(f"{dataset}: generator training")
    figure.tight_layout()
    return figure


# -- dense network history ---------------------------------------------------------------------
def draw_nn_history(history: pd.DataFrame, dataset: str) -> Figure:
    figure, axis = plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(history) + 1)
    for column, label in (("accuracy", "training"), ("val_accuracy", "validation")):
        if column in history:
            axis.plot(epochs, history[column], label=label)
    axis.set_xlabel("epoch")
    axis.set_ylabel("accuracy")
    axis.set_title(f"{dataset}: best searched network, real training rows")
    axis.legend()
    return figure


# -- fidelity ----------------------------------------------------------------------------------
def draw_fidelity(
    scores: pd.DataFrame, fidelity: pd.DataFrame | None, dataset: str
) -> Figure:
    """Detection AUC (left) and train-on-synthetic-test-on-real accuracy (right) per
    generator."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    if fidelity is not None and len(fidelity):
        detection = fidelity[fidelity["metric"] == DETECTION_METRIC]
        generators = list(detection["generator"].drop_duplicates())
        means, lows, highs = _per_category(detection, "generator", generators, value="value")
        left.bar(generators, means, yerr=[means - lows, highs - means], capsize=3,
                 color=_colours(len(generators)))
        left.axhline(0.5, color="black", linestyle="--", linewidth=1)
        left.set_ylim(0, 1.05)
        left.tick_params(axis="x", rotation=30)
    left.set_title("detection AUC (0.5 = indistinguishable)", fontsize=10)

    model = "random_forest" if "random_forest" in set(scores["model"]) else _main_model(scores)
    synthetic = scores[(scores["training_data"] == "synthetic") & (scores["model"] == model)]
    generators = list(synthetic["generator"].drop_duplicates())
    means, lows, highs = _per_category(synthetic, "generator", generators)
    right.bar(generators, means, yerr=[means - lows, highs - means], capsize=3,
              color=_colours(len(generators)))
    real = scores[(scores["training_data"] == "real") & (scores["model"] == model)]
    if len(real):
        right.axhline(real[METRIC].mean(), color=REAL_COLOUR, linestyle="-", linewidth=1,
                      label="trained on real rows")
    _majority_line(right, scores[scores["training_data"] == "real"])
    right.set_title(f"{_model_label(model)} trained on synthetic rows only", fontsize=10)
    right.tick_params(axis="x", rotation=30)
    right.legend(fontsize=8)
    _limit_accuracy_axis(right, scores)
    figure.suptitle(f"{dataset}: fidelity of the synthetic rows")
    figure.tight_layout()
    return figure


# -- helpers -----------------------------------------------------------------------------------
def mean_interval(values: pd.Series) -> tuple[float, float, float]:
    """Mean and t-interval of the non-missing values (NaN interval below two values)."""
    values = pd.Series(values, dtype="float64").dropna().to_numpy()
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    low, high = t_interval(values)
    return float(values.mean()), low, high


def _per_category(
    frame: pd.DataFrame, column: str, categories: list, value: str = METRIC
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    stats = [mean_interval(frame.loc[frame[column] == c, value]) for c in categories]
    if not stats:
        return np.array([]), np.array([]), np.array([])
    means, lows, highs = (np.array(v, dtype=float) for v in zip(*stats, strict=True))
    # Single runs have no interval: draw no error bar rather than a NaN one.
    lows = np.where(np.isnan(lows), means, lows)
    highs = np.where(np.isnan(highs), means, highs)
    return means, lows, highs


def _majority_line(axis, real_scores: pd.DataFrame) -> None:
    majority = real_scores.loc[real_scores["model"] == "majority", METRIC]
    if len(majority):
        axis.axhline(majority.mean(), color="black", linestyle="--", linewidth=1,
                     label="majority class")


def _limit_accuracy_axis(axis, scores: pd.DataFrame) -> None:
    low = scores[METRIC].min() if len(scores) else 0.0
    axis.set_ylim(max(0.0, np.floor((low - 0.1) * 10) / 10), 1.0)


def _main_model(scores: pd.DataFrame) -> str:
    models = list(scores["model"].drop_duplicates())
    for preferred in ("nn_search", "dense_network", "random_forest"):
        if preferred in models:
            return preferred
    return models[0]


def _model_label(model: str) -> str:
    return model.replace("_", " ")


def _colours(n: int) -> list:
    palette = plt.get_cmap("tab10")
    return [REAL_COLOUR] + [palette(i % 10) for i in range(max(0, n - 1))]
