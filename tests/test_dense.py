"""The dense network estimator and its search: fitting, cloning, history, repeatability,
and the rule that synthetic rows never score a fold or drive early stopping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ganboost import dense
from ganboost.dense import (
    DenseNetworkClassifier,
    DenseSearchResult,
    real_validation_folds,
    search_dense_network,
)
from ganboost.runtime import configure_tensorflow

# Importing TensorFlow runs no operation, so its thread pools can still be sized here.
configure_tensorflow(1)

FAST = {"epochs": 4, "batch_size": 16, "patience": 2}
TINY_SPACE = {"hidden_layers": [1, 3], "neurons": [4, 8], "activation": ["elu", "relu"]}


def _numeric_data(rows: int = 90, classes: int = 2, seed: int = 0):
    generator = np.random.default_rng(seed)
    features = generator.normal(size=(rows, 4)).astype("float32")
    score = features[:, 0] + 0.5 * features[:, 1]
    labels = np.digitize(score, np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1]))
    return features, labels.astype("int64")


def _table(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    features, labels = _numeric_data(rows, seed=seed)
    table = pd.DataFrame(features[:, :3], columns=["age", "fare", "sibsp"]).astype("float64")
    table.loc[::7, "age"] = np.nan
    table["sex"] = np.where(features[:, 3] > 0, "male", "female")
    return table, labels


def _preprocessor() -> ColumnTransformer:
    return ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                ["age", "fare", "sibsp"],
            ),
            ("labels", OneHotEncoder(handle_unknown="ignore"), ["sex"]),
        ]
    )


# -- the estimator -------------------------------------------------------------------------


def test_fit_predict_score_and_history():
    features, labels = _numeric_data()
    network = DenseNetworkClassifier(random_state=0, **FAST).fit(features, labels)

    assert set(network.predict(features)) <= {0, 1}
    probabilities = network.predict_proba(features)
    assert probabilities.shape == (len(labels), 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert 0.0 <= network.score(features, labels) <= 1.0

    history = network.history_frame_
    assert list(history.columns) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.index.name == "epoch" and history.index[0] == 1
    assert 1 <= len(history) <= FAST["epochs"]
    assert 1 <= network.best_epoch_ <= len(history)


def test_clone_keeps_settings_and_drops_fitted_state():
    features, labels = _numeric_data()
    network = DenseNetworkClassifier(hidden_layers=4, neurons=7, dropout=0.25, **FAST)
    network.fit(features, labels)

    copy = clone(network)
    assert copy.get_params() == network.get_params()
    assert not hasattr(copy, "model_")
    assert "optimizer" not in copy.get_params()


def test_same_random_state_gives_the_same_network():
    features, labels = _numeric_data()
    first = DenseNetworkClassifier(random_state=3, **FAST).fit(features, labels)
    second = DenseNetworkClassifier(random_state=3, **FAST).fit(features, labels)

    pd.testing.assert_frame_equal(first.history_frame_, second.history_frame_)
    np.testing.assert_array_equal(first.predict_proba(features), second.predict_proba(features))


def test_fit_without_random_state_after_a_seeded_fit():
    features, labels = _numeric_data()
    DenseNetworkClassifier(random_state=5, epochs=1).fit(features, labels)
    network = DenseNetworkClassifier(epochs=1).fit(features, labels)

    assert len(network.history_frame_) == 1


def test_multiclass_uses_one_output_per_class():
    features, labels = _numeric_data(classes=3)
    network = DenseNetworkClassifier(hidden_layers=1, random_state=0, **FAST)
    network.fit(features, labels)

    assert network.model_.output_shape == (None, 3)
    assert network.predict_proba(features).shape == (len(labels), 3)
    assert set(network.predict(features)) <= {0, 1, 2}


def test_batch_normalisation_from_three_layers():
    features, labels = _numeric_data()

    def normalisations(depth: int) -> int:
        network = DenseNetworkClassifier(hidden_layers=depth).initialize(features, labels)
        return sum(type(layer).__name__ == "BatchNormalization" for layer in network.model_.layers)

    assert normalisations(2) == 0
    assert normalisations(3) == 3


@pytest.mark.parametrize(
    "setting",
    [
        {"hidden_layers": 0},
        {"neurons": 2.5},
        {"activation": "tanh"},
        {"dropout": 1.0},
        {"validation_split": -0.1},
        {"learning_rate": 0},
        {"patience": 0},
        {"steps_per_execution": 0},
    ],
)
def test_bad_setting_is_a_clear_error(setting):
    features, labels = _numeric_data()
    name = next(iter(setting))
    with pytest.raises(ValueError, match=name):
        DenseNetworkClassifier(**setting).fit(features, labels)


def test_validation_rows_are_real_and_stratified():
    labels = np.array([0] * 30 + [1] * 30 + [0] * 20 + [1] * 20)
    real = np.arange(len(labels)) < 60

    held_out = dense._validation_rows(labels, real, 0.2, seed=0)

    assert not held_out[~real].any()
    assert held_out.sum() == 12
    assert (labels[held_out] == 0).sum() == (labels[held_out] == 1).sum() == 6


def test_early_stopping_validates_on_real_rows_only(monkeypatch):
    features, labels = _numeric_data(rows=100)
    synthetic = np.arange(100) >= 60
    seen = {}
    keras_fit = dense.KerasClassifier._fit_keras_model

    def record(self, X, y, **kwargs):
        seen["validation"], _ = kwargs["validation_data"]
        seen["training"] = X
        return keras_fit(self, X, y, **kwargs)

    monkeypatch.setattr(dense.KerasClassifier, "_fit_keras_model", record)
    DenseNetworkClassifier(random_state=0, **FAST).fit(features, labels, synthetic_mask=synthetic)

    real_rows = {row.tobytes() for row in features[~synthetic]}
    assert len(seen["validation"]) == 12
    assert all(row.tobytes() in real_rows for row in seen["validation"])
    assert len(seen["training"]) == 88


def test_all_synthetic_mask_is_rejected():
    features, labels = _numeric_data()
    with pytest.raises(ValueError, match="no real row"):
        DenseNetworkClassifier(**FAST).fit(
            features, labels, synthetic_mask=np.ones(len(labels), dtype=bool)
        )


# -- the search ----------------------------------------------------------------------------


def test_folds_validate_on_real_rows_only():
    real_labels = np.array([0, 1] * 15)
    folds = real_validation_folds(real_labels, n_synthetic=12, cv=3, random_state=0)

    synthetic = set(range(30, 42))
    validated = np.concatenate([validation for _, validation in folds])
    assert len(folds) == 3
    assert sorted(validated) == list(range(30))
    for fitting, validation in folds:
        assert synthetic <= set(fitting)
        assert not set(validation) & synthetic
        assert not set(validation) & set(fitting)


class RecordingPreprocessor(BaseEstimator, TransformerMixin):
    """The test preprocessor, noting every table it is fitted on or only transforms.

    In a search, ``fit_transform`` sees a fitting part and ``transform`` a validation fold.
    """

    fitted_on: list[pd.DataFrame] = []
    scored_on: list[pd.DataFrame] = []

    def fit(self, X, y=None):
        self.encoder_ = _preprocessor().fit(X)
        return self

    def fit_transform(self, X, y=None):
        RecordingPreprocessor.fitted_on.append(X.copy())
        return self.fit(X).encoder_.transform(X)

    def transform(self, X):
        RecordingPreprocessor.scored_on.append(X.copy())
        return self.encoder_.transform(X)


MARKER = 1000.0  # a fare no real row has


@pytest.fixture(scope="module")
def marked_search():
    """One search on 60 real and 24 marked synthetic rows, with the tables it encoded."""
    real_X, real_y = _table(60, seed=1)
    synthetic_X, synthetic_y = _table(24, seed=2)
    synthetic_X["fare"] = MARKER
    RecordingPreprocessor.fitted_on, RecordingPreprocessor.scored_on = [], []

    result = search_dense_network(
        real_X,
        real_y,
        synthetic_X,
        synthetic_y,
        preprocessor=RecordingPreprocessor(),
        n_iter=2,
        cv=3,
        random_state=0,
        param_distributions=TINY_SPACE,
        **FAST,
    )
    return result, RecordingPreprocessor.fitted_on, RecordingPreprocessor.scored_on


def test_search_scores_no_fold_on_synthetic_rows(marked_search):
    _, fitted, scored = marked_search

    assert len(scored) == 2 * 3
    assert sum(len(table) for table in scored) == 2 * 60
    assert all((table["fare"] != MARKER).all() for table in scored)
    assert len(fitted) == 2 * 3 + 1
    assert all((table["fare"] == MARKER).sum() == 24 for table in fitted)


def test_search_result_holds_the_refit_on_all_rows(marked_search):
    result, fitted, _ = marked_search

    assert isinstance(result, DenseSearchResult)
    assert len(fitted[-1]) == 60 + 24
    assert set(result.best_params) == set(TINY_SPACE)
    assert len(result.cv_results) == 2
    assert {"hidden_layers", "neurons", "activation", "mean_test_score"} <= set(
        result.cv_results.columns
    )
    assert result.best_score == result.cv_results["mean_test_score"].max()
    assert result.n_fits == 2 * 3 + 1
    assert result.search_seconds > 0
    assert list(result.history.columns[:2]) == ["loss", "accuracy"]
    real_X, _ = _table(60, seed=1)
    assert result.best_estimator.predict(real_X).shape == (60,)


def test_search_without_synthetic_rows_uses_the_thesis_space():
    real_X, real_y = _table(45, seed=3)

    result = search_dense_network(
        real_X, real_y, preprocessor=_preprocessor(), n_iter=1, cv=2, random_state=1, **FAST
    )

    params = result.best_params
    assert 1 <= params["hidden_layers"] <= 7
    assert 1 <= params["neurons"] <= 99
    assert 3e-4 <= params["learning_rate"] <= 3e-2
    assert 0.2 <= params["dropout"] <= 0.5
    assert params["activation"] in ("elu", "selu", "relu")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_iter": 0}, "n_iter"),
        ({"cv": 1}, "cv"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"hidden_units": 3}, "hidden_units"),
        ({"activation": "elu"}, "both searched and fixed"),
    ],
)
def test_bad_search_setting_is_a_clear_error(arguments, message):
    real_X, real_y = _table(30, seed=4)
    settings = {"n_iter": 1, "random_state": 0, **arguments}
    with pytest.raises(ValueError, match=message):
        search_dense_network(real_X, real_y, preprocessor=_preprocessor(), **settings)


def test_synthetic_rows_need_labels_and_the_same_columns():
    real_X, real_y = _table(30, seed=4)
    synthetic_X, synthetic_y = _table(10, seed=5)
    with pytest.raises(ValueError, match="both"):
        search_dense_network(real_X, real_y, synthetic_X, preprocessor=_preprocessor(), n_iter=1)
    with pytest.raises(ValueError, match="sex"):
        search_dense_network(
            real_X,
            real_y,
            synthetic_X.drop(columns="sex"),
            synthetic_y,
            preprocessor=_preprocessor(),
            n_iter=1,
        )


@pytest.mark.parametrize("cores", [2, 16])
def test_parallel_fits_use_one_thread_each_whatever_the_machine(monkeypatch, cores):
    # n_jobs is the workflow job's core budget; workers must not size themselves by the host.
    monkeypatch.setattr(dense, "_available_cores", lambda: cores)
    assert dense._threads_per_fit(dense._worker_count(1)) is None
    assert dense._threads_per_fit(dense._worker_count(2)) == 1
    assert dense._threads_per_fit(dense._worker_count(-1)) == 1
    assert dense._worker_count(-1) == cores
