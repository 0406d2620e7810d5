import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from ganboost import battery
from ganboost.config import SKLEARN_MODELS
from ganboost.schema import ColumnSpec, TableSchema


@pytest.fixture
def schema():
    return TableSchema(
        columns=[
            ColumnSpec("signal", "numeric"),
            ColumnSpec("noise", "numeric"),
            ColumnSpec("colour", "categorical", categories=["blue", "red"]),
        ],
        target="y",
        classes=["0", "1"],
    )


def make_table(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    signal = y * 2.0 + rng.normal(size=n) + shift
    signal[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "signal": signal,
        "noise": rng.normal(size=n) + shift,
        "colour": np.where(rng.random(n) < 0.5, "blue", "red"),
        "y": y.astype("int64"),
    })


def test_no_fitted_transform_sees_test_rows(schema):
    """Regression test: preprocessing is fitted on training rows only (the test rows here
    are shifted by +1000, so any leak moves the learned statistics)."""
    train = make_table(200, seed=0)
    test = make_table(100, seed=1, shift=1000.0)
    pipeline = battery.model_pipeline(schema, battery.sklearn_model("svc", random_state=0))
    battery.fit_and_score(pipeline, train, test, schema)
    numeric = pipeline.named_steps["features"].named_transformers_["numeric"]
    imputer, scaler = numeric.steps[0][1], numeric.steps[1][1]
    expected_median = np.nanmedian(train[["signal", "noise"]].to_numpy(), axis=0)
    np.testing.assert_allclose(imputer.statistics_, expected_median)
    medians = dict(zip(["signal", "noise"], expected_median, strict=True))
    filled = train[["signal", "noise"]].fillna(medians)
    np.testing.assert_allclose(scaler.mean_, filled.mean().to_numpy())
    assert scaler.mean_.max() < 10


def test_battery_scores_every_model(schema):
    train, test = make_table(300, seed=2), make_table(150, seed=3)
    scores = battery.run_battery(train, test, schema, random_state=0, n_synthetic_rows=7)
    assert scores["model"].tolist() == list(SKLEARN_MODELS)
    assert set(battery.METRICS) <= set(scores.columns)
    assert (scores["n_train_rows"] == 300).all() and (scores["n_synthetic_rows"] == 7).all()
    by_model = scores.set_index("model")
    majority = by_model.loc["majority", "accuracy"]
    assert majority == pytest.approx(max(test["y"].mean(), 1 - test["y"].mean()))
    assert by_model.loc["random_forest", "accuracy"] > majority + 0.1
    assert by_model.loc["logistic_regression", "roc_auc"] > 0.8
    assert by_model.loc["majority", "roc_auc"] == pytest.approx(0.5)


def test_battery_is_deterministic(schema):
    train, test = make_table(200, seed=4), make_table(100, seed=5)
    first = battery.run_battery(train, test, schema, random_state=1).drop(columns="fit_seconds")
    second = battery.run_battery(train, test, schema, random_state=1).drop(columns="fit_seconds")
    pd.testing.assert_frame_equal(first, second)


def test_multiclass_metrics_use_macro_averages():
    y_true = np.array([0, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 2])
    proba = np.eye(3)[y_pred]
    scores = battery.score_predictions(y_true, y_pred, proba, n_classes=3)
    assert scores["accuracy"] == pytest.approx(0.75)
    assert scores["balanced_accuracy"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert scores["f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    assert 0.5 < scores["roc_auc"] <= 1


def test_unknown_model_named():
    with pytest.raises(ValueError, match="unknown battery model 'xgboost'"):
        battery.sklearn_model("xgboost", random_state=0)


def test_unseen_category_in_test_rows_is_ignored(schema):
    train, test = make_table(100, seed=6), make_table(50, seed=7)
    test.loc[0, "colour"] = "green"
    pipeline = clone(battery.model_pipeline(
        schema, battery.sklearn_model("logistic_regression", random_state=0)))
    scores = battery.fit_and_score(pipeline, train, test, schema)
    assert 0 <= scores["accuracy"] <= 1


def test_rows_seen_in_training_match_every_column_missing_values_included():
    train = pd.DataFrame({
        "a": [1.0, np.nan, 3.0], "c": pd.Categorical(["x", "y", "x"]), "y": [0, 1, 0],
    })
    test = pd.DataFrame({
        "a": [np.nan, 1.0, 3.0, 3.0 + 1e-9, 1.0],
        "c": pd.Categorical(["y", "x", "y", "x", "x"]),
        "y": [0, 0, 0, 0, 1],   # the label takes no part
    })
    seen = battery.rows_seen_in(train, test, ["a", "c"])
    assert seen.tolist() == [True, True, False, False, True]
    assert battery.rows_seen_in(train, test.iloc[:0], ["a", "c"]).shape == (0,)
    with pytest.raises(ValueError, match="at least one column"):
        battery.rows_seen_in(train, test, [])


def test_rows_seen_in_compares_values_not_their_spelling():
    train = pd.DataFrame({"x": pd.array([0.0, 2.0, None], dtype="Float64"),
                          "k": pd.Series(["a", 1, None], dtype=object)})
    test = pd.DataFrame({"x": [-0.0, 2.0, np.nan, 2.0], "k": ["a", 1.0, np.nan, "nan"]})
    assert battery.rows_seen_in(train, test, ["x", "k"]).tolist() == [True, True, True, False]
