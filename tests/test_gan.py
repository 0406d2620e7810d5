"""GANSynthesizer: kinds, sampling per class, persistence, determinism, guards, inputs."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from ganboost.synthesizers import NotFittedError, load_synthesizer, make_synthesizer
from ganboost.synthesizers.gan import GAN_KINDS, GANSynthesizer, TrainingDivergedError

pytest.importorskip("tensorflow")

QUICK = {"epochs": 20, "min_iterations": 0, "threads": 1}


def quick(kind: str = "cwgan-gp", **settings) -> GANSynthesizer:
    return GANSynthesizer(kind=kind, **{**QUICK, **settings})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    from conftest import build_mixed_table

    return build_mixed_table(n_rows=240, seed=3)


@pytest.fixture(scope="module")
def conditional_model(table) -> GANSynthesizer:
    return quick("cwgan-gp").fit(table, target="label")


@pytest.fixture(scope="module")
def joint_model(table) -> GANSynthesizer:
    return quick("wgan-gp", epochs=150).fit(table, target="label")


# -- kinds and settings ---------------------------------------------------------------------
@pytest.mark.parametrize("kind", GAN_KINDS)
def test_every_kind_is_registered(kind):
    synthesizer = make_synthesizer(kind, epochs=3)
    assert isinstance(synthesizer, GANSynthesizer)
    assert synthesizer.kind == kind
    assert synthesizer.kind_name() == kind


def test_wgan_critic_never_gets_batch_norm():
    assert not quick("wgan-gp").uses_critic_batch_norm
    assert not quick("cwgan-gp").uses_critic_batch_norm
    assert quick("dcgan").uses_critic_batch_norm
    with pytest.raises(ValueError, match="critic_batch_norm=True is not allowed"):
        quick("wgan-gp", critic_batch_norm=True).validate_params()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [("kind", "vae", "kind must be one of"), ("epochs", 0, "epochs must be a positive"),
     ("latent_distribution", "cauchy", "latent_distribution must be one of"),
     ("dropout", 1.0, "dropout must lie"), ("critic_learning_rate", -1.0, "positive number"),
     ("generator_learning_rate", "1e-3", r"YAML reads .* as text; write 1\.0e-3")],
)
def test_bad_settings_are_refused_at_fit(table, setting, value, message):
    with pytest.raises(ValueError, match=message):
        quick(**{setting: value}).fit(table, target="label")


# -- sampling -------------------------------------------------------------------------------
def test_sample_has_the_training_columns_and_dtypes(conditional_model, table):
    rows = conditional_model.sample(50, random_state=1)
    assert list(rows.columns) == list(table.columns)
    assert rows.dtypes.to_dict() == table.dtypes.to_dict()
    assert conditional_model.schema_.validate(conditional_model.schema_.cast(rows)) is None


@pytest.mark.parametrize("model_name", ["conditional_model", "joint_model"])
def test_class_counts_are_honoured_exactly(request, model_name):
    model = request.getfixturevalue(model_name)
    rows = model.sample(70, class_counts={0: 20, 1: 50}, random_state=2)
    assert rows["label"].value_counts().to_dict() == {0: 20, 1: 50}
    only_ones = model.sample(9, class_counts={1: 9}, random_state=2)
    assert set(only_ones["label"]) == {1}


def test_default_counts_keep_the_training_balance(conditional_model, table):
    rows = conditional_model.sample(240, random_state=0)
    assert rows["label"].sum() == table["label"].sum()


def test_joint_labels_are_generated_not_thresholded(joint_model, table):
    # Regression: the joint generator must produce valid class indices with shares near the
    # training shares by itself, before any per-class selection.
    rng = np.random.default_rng(0)
    outputs = joint_model._generate(np.zeros((2000, 0), dtype=np.float32), rng)
    labels = joint_model.encoder_.inverse_transform(outputs)["label"]
    assert set(labels) == {0, 1}
    assert labels.mean() == pytest.approx(table["label"].mean(), abs=0.15)


def test_joint_kind_fails_clearly_when_a_class_never_appears(joint_model, monkeypatch):
    def only_class_zero(conditions, rng):
        outputs = np.zeros((len(conditions), joint_model.encoder_.output_dim))
        outputs[:, joint_model.encoder_.target_block.start] = 1.0
        return outputs

    monkeypatch.setattr(joint_model, "_generate", only_class_zero)
    with pytest.raises(ValueError, match=r"only 0 of the 5 requested rows of class '1'"):
        joint_model.sample(10, class_counts={0: 5, 1: 5})


def test_sample_is_a_pure_function_of_its_arguments(conditional_model):
    first = conditional_model.sample(40, random_state=5)
    conditional_model.sample(13, random_state=6)
    pd.testing.assert_frame_equal(conditional_model.sample(40, random_state=5), first)
    assert not conditional_model.sample(40, random_state=6).equals(first)


def test_save_and_load_give_identical_samples(conditional_model, tmp_path):
    conditional_model.save(tmp_path / "model")
    loaded = load_synthesizer(tmp_path / "model")
    assert isinstance(loaded, GANSynthesizer)
    for seed in (0, 11):
        pd.testing.assert_frame_equal(
            loaded.sample(60, random_state=seed), conditional_model.sample(60, random_state=seed)
        )
    pd.testing.assert_frame_equal(loaded.training_log_, conditional_model.training_log_)


def test_two_fits_with_one_seed_are_identical(table):
    first = quick("cwgan-gp", epochs=5, random_state=4).fit(table, target="label")
    second = quick("cwgan-gp", epochs=5, random_state=4).fit(table, target="label")
    pd.testing.assert_frame_equal(first.sample(50), second.sample(50))
    pd.testing.assert_frame_equal(first.training_log_, second.training_log_)


# -- training -------------------------------------------------------------------------------
def test_training_log_has_one_row_per_iteration(conditional_model, table):
    log = conditional_model.training_log_
    iterations_per_epoch = len(table) // 32
    assert len(log) == 20 * iterations_per_epoch
    assert list(log.columns) == [
        "epoch", "iteration", "generator_loss", "critic_loss", "critic_loss_real",
        "critic_loss_fake", "gradient_penalty", "d_real", "d_fake",
    ]
    assert log["iteration"].tolist() == list(range(len(log)))
    assert log[["d_real", "d_fake"]].stack().between(0, 1).all()
    assert (log["gradient_penalty"] >= 0).all()


@pytest.mark.parametrize(
    "settings",
    [{"kind": "dcgan"}, {"kind": "cdcgan", "latent_distribution": "uniform"},
     {"kind": "wgan-gp", "categorical_output": "gumbel", "one_cycle": False,
      "critic_steps": 2, "doubling": False, "categorical_decoding": "sample"}],
    ids=["dcgan", "cdcgan-uniform", "wgan-gp-options"],
)
def test_other_kinds_and_options_train_and_sample(table, settings):
    model = quick(**{"epochs": 3, **settings}).fit(table, target="label")
    assert ("gradient_penalty" in model.training_log_) == settings["kind"].endswith("gp")
    assert np.isfinite(model.training_log_.drop(columns=["epoch", "iteration"])).all().all()
    rows = model.sample(30, class_counts={0: 10, 1: 20}, random_state=0)
    assert rows["label"].value_counts().to_dict() == {0: 10, 1: 20}


def test_divergence_stops_training_and_keeps_no_model(table, tmp_path):
    model = quick("dcgan", generator_learning_rate=1e30, critic_learning_rate=1e30)
    with pytest.raises(TrainingDivergedError, match=r"diverged in epoch \d+"):
        model.fit(table, target="label")
    with pytest.raises(NotFittedError):
        model.save(tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_min_iterations_raises_the_epochs_of_small_tables():
    # 240 rows in batches of 32: 7 iterations per epoch.
    assert quick(epochs=20, min_iterations=0).epochs_for(240) == 20
    assert quick(epochs=20, min_iterations=100).epochs_for(240) == 20  # 140 >= 100
    assert quick(epochs=20, min_iterations=141).epochs_for(240) == 21  # ceil(141 / 7)
    assert quick(epochs=2, min_iterations=20000).epochs_for(5197) == 124  # 162 per epoch
    # Fewer rows than a batch: one iteration per epoch.
    assert quick(epochs=1, min_iterations=50).epochs_for(10) == 50


def test_min_iterations_are_trained_logged_and_saved(table, caplog, tmp_path):
    with caplog.at_level(logging.INFO, logger="ganboost.synthesizers.gan"):
        model = quick(epochs=2, min_iterations=30).fit(table, target="label")
    assert model.epochs_trained_ == 5  # ceil(30 / 7)
    assert model.training_log_["epoch"].max() == 5
    assert len(model.training_log_) == 35
    messages = [record.getMessage() for record in caplog.records]
    assert any("training 5 epochs instead of 2, to make min_iterations=30" in m
               for m in messages)
    assert any(m.startswith("cwgan-gp trained: 5 epochs, 35 iterations") for m in messages)
    model.save(tmp_path / "model")
    assert load_synthesizer(tmp_path / "model").epochs_trained_ == 5


@pytest.mark.parametrize("value", [-1, 2.5, "20000", True])
def test_min_iterations_must_be_a_whole_number(value):
    with pytest.raises(ValueError, match="min_iterations must be a whole number"):
        quick(min_iterations=value).validate_params()


def test_progress_and_summary_are_logged(table, caplog):
    with caplog.at_level(logging.INFO, logger="ganboost.synthesizers.gan"):
        quick(epochs=4, verbose=2).fit(table, target="label")
    messages = [record.getMessage() for record in caplog.records]
    assert sum(m.startswith("cwgan-gp epoch") for m in messages) == 4
    assert any(m.startswith("cwgan-gp trained: 4 epochs") for m in messages)


def test_regenerated_missing_values_appear_at_the_training_rate(table):
    model = quick(missing="regenerate", epochs=200).fit(table, target="label")
    rows = model.sample(2000, random_state=0)
    for column in ("height", "colour"):
        assert rows[column].isna().mean() == pytest.approx(table[column].isna().mean(),
                                                            abs=0.06)
    assert rows[["visits", "smoker"]].notna().all().all()


# -- inputs ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [(lambda t: t.iloc[:0], "empty"),
     (lambda t: t.assign(label=1), "single class"),
     (lambda t: t.drop(columns="label"), "target column 'label' not in table"),
     (lambda t: t.assign(height=np.nan), r"hold no values at all")],
    ids=["empty", "single-class", "no-target", "all-nan-column"],
)
def test_unusable_tables_are_refused(table, change, message):
    model = quick()
    with pytest.raises(ValueError, match=message):
        model.fit(change(table), target="label")
    assert not hasattr(model, "encoder_")


def test_constant_column_is_reproduced_as_constant(table):
    model = quick(epochs=3).fit(table.assign(site=4.0), target="label")
    assert set(model.sample(40)["site"]) == {4.0}


def test_string_labels_come_back_as_strings(table):
    named = table.assign(label=table["label"].map({0: "no", 1: "yes"}))
    model = quick(epochs=3).fit(named, target="label")
    rows = model.sample(20, class_counts={"yes": 15, "no": 5})
    assert rows["label"].value_counts().to_dict() == {"yes": 15, "no": 5}
    assert model.schema_.classes == ["no", "yes"]


def test_three_classes_are_supported(table):
    three = table.assign(label=np.arange(len(table)) % 3)
    model = quick("cwgan-gp", epochs=3).fit(three, target="label")
    rows = model.sample(30, class_counts={0: 5, 1: 10, 2: 15}, random_state=0)
    assert rows["label"].value_counts().sort_index().tolist() == [5, 10, 15]
    joint = quick("wgan-gp", epochs=3, max_sampling_rounds=50).fit(three, target="label")
    assert sorted(joint.sample(6, class_counts={0: 2, 1: 2, 2: 2})["label"]) == [0, 0, 1, 1,
                                                                                 2, 2]
