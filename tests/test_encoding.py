"""TableEncoder: layout, round trips per column kind, missing values, label decoding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ganboost.encoding import TableEncoder
from ganboost.schema import infer_schema


def fitted(table: pd.DataFrame, **options) -> TableEncoder:
    schema = infer_schema(table, "label")
    return TableEncoder(schema, **options).fit(table)


def test_schema_of_fixture_has_every_kind(mixed_table):
    schema = infer_schema(mixed_table, "label")
    kinds = {spec.name: spec.kind for spec in schema.columns}
    assert kinds == {"height": "numeric", "visits": "integer", "smoker": "binary",
                     "colour": "categorical"}


def test_layout_numeric_first_then_one_hot_blocks_then_target(complete_table):
    encoder = fitted(complete_table)
    roles = [(block.column, block.role, block.width) for block in encoder.blocks]
    assert roles == [
        ("height", "numeric", 1), ("visits", "numeric", 1),
        ("smoker", "category", 2), ("colour", "category", 3), ("label", "target", 2),
    ]
    assert encoder.n_numeric == 2
    assert encoder.softmax_blocks == [(2, 4), (4, 7), (7, 9)]
    assert encoder.output_dim == 9


def test_conditional_mode_leaves_the_target_out(complete_table):
    encoder = fitted(complete_table, label="conditional")
    assert encoder.target_block is None
    assert encoder.output_dim == 7
    decoded = encoder.inverse_transform(encoder.transform(complete_table))
    assert "label" not in decoded.columns
    labels = complete_table["label"].to_numpy()
    with_labels = encoder.inverse_transform(encoder.transform(complete_table), labels=labels)
    assert with_labels["label"].tolist() == labels.tolist()


def test_numeric_columns_span_exactly_minus_one_to_one(complete_table):
    encoder = fitted(complete_table)
    encoded = encoder.transform(complete_table)
    assert encoded.dtype == np.float32
    numeric = encoded[:, :encoder.n_numeric]
    assert numeric.min(axis=0).tolist() == [-1.0, -1.0]
    assert numeric.max(axis=0).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("column", ["height", "visits", "smoker", "colour", "label"])
def test_round_trip_per_column_kind(complete_table, column):
    encoder = fitted(complete_table)
    decoded = encoder.inverse_transform(encoder.transform(complete_table))
    original = encoder.schema.cast(complete_table)[column]
    if column == "height":
        span = original.max() - original.min()
        np.testing.assert_allclose(decoded[column], original, rtol=0, atol=1e-6 * span)
    else:
        assert decoded[column].tolist() == original.tolist()
    assert decoded[column].dtype == original.dtype


def test_round_trip_keeps_missing_values_when_regenerating(mixed_table):
    encoder = fitted(mixed_table, missing="regenerate")
    missing_blocks = [block.column for block in encoder.blocks if block.role == "missing"]
    assert missing_blocks == ["height", "colour"]
    decoded = encoder.inverse_transform(encoder.transform(mixed_table))
    for column in ("height", "colour"):
        assert decoded[column].isna().tolist() == mixed_table[column].isna().tolist()
    assert decoded["colour"].dropna().tolist() == mixed_table["colour"].dropna().tolist()


def test_impute_fills_median_and_most_frequent(mixed_table):
    encoder = fitted(mixed_table)
    assert not any(block.role == "missing" for block in encoder.blocks)
    decoded = encoder.inverse_transform(encoder.transform(mixed_table))
    assert not decoded.isna().any().any()
    gaps = mixed_table["height"].isna()
    median = mixed_table["height"].median()
    np.testing.assert_allclose(decoded.loc[gaps, "height"], median, atol=1e-3)
    most_frequent = mixed_table["colour"].mode()[0]
    assert set(decoded.loc[mixed_table["colour"].isna(), "colour"]) == {most_frequent}


def test_sampled_missing_indicator_reproduces_the_missing_rate(mixed_table):
    encoder = fitted(mixed_table, missing="regenerate")
    block = next(b for b in encoder.blocks if b.role == "missing" and b.column == "height")
    scores = encoder.transform(mixed_table.head(1)).repeat(4000, axis=0)
    scores[:, block.start:block.stop] = [0.7, 0.3]
    decoded = encoder.inverse_transform(scores, decoding="sample", random_state=0)
    assert decoded["height"].isna().mean() == pytest.approx(0.3, abs=0.03)
    assert decoded["colour"].notna().all()


def test_target_is_a_one_hot_block_never_a_thresholded_tanh(complete_table):
    # Regression: labels were once decoded by thresholding a tanh output at 0 although
    # the label was never scaled to [-1, 1], which made one class (almost) impossible.
    encoder = fitted(complete_table)
    target = encoder.target_block
    assert target.activation == "softmax"
    assert target.width == encoder.n_classes
    assert target.start >= encoder.n_numeric
    scores = encoder.transform(complete_table.head(4))
    scores[:, target.start:target.stop] = [[0.4, 0.6], [0.6, 0.4], [0.1, 0.9], [0.95, 0.05]]
    decoded = encoder.inverse_transform(scores)
    assert decoded["label"].tolist() == [1, 0, 1, 0]
    assert decoded["label"].dtype == np.int64


def test_sampled_label_decoding_follows_the_scores(complete_table):
    encoder = fitted(complete_table)
    target = encoder.target_block
    scores = encoder.transform(complete_table.head(1)).repeat(5000, axis=0)
    scores[:, target.start:target.stop] = [0.75, 0.25]
    decoded = encoder.inverse_transform(scores, decoding="sample", random_state=1)
    assert decoded["label"].mean() == pytest.approx(0.25, abs=0.03)


def test_inverse_clips_to_training_bounds_and_rounds_integers(complete_table):
    encoder = fitted(complete_table)
    scores = encoder.transform(complete_table.head(3))
    scores[:, 0] = [-5.0, 5.0, 0.0]
    scores[:, 1] = [-3.0, 3.0, 0.1]
    decoded = encoder.inverse_transform(scores)
    assert decoded["height"].iloc[0] == complete_table["height"].min()
    assert decoded["height"].iloc[1] == complete_table["height"].max()
    assert decoded["visits"].iloc[:2].tolist() == [
        complete_table["visits"].min(), complete_table["visits"].max()
    ]
    assert float(decoded["visits"].iloc[2]).is_integer()


def test_bounds_come_from_the_fitted_rows_only(complete_table):
    train, other = complete_table.iloc[:100], complete_table.iloc[100:].copy()
    encoder = fitted(train)
    state = encoder.to_dict()
    other["height"] = other["height"] + 100.0
    encoder.transform(other)
    assert encoder.to_dict() == state
    assert encoder.transform(other)[:, 0].max() > 1.0


def test_constant_column_is_reproduced_as_constant(complete_table):
    table = complete_table.assign(batch=7.0)
    encoder = fitted(table)
    encoded = encoder.transform(table)
    block = next(b for b in encoder.blocks if b.column == "batch")
    assert (encoded[:, block.start] == 0.0).all()
    noisy = encoded.copy()
    noisy[:, block.start] = np.linspace(-1, 1, len(noisy))
    assert set(encoder.inverse_transform(noisy)["batch"]) == {7.0}


def test_three_classes_get_a_three_wide_block(complete_table):
    table = complete_table.assign(label=np.arange(len(complete_table)) % 3)
    encoder = fitted(table)
    assert encoder.target_block.width == 3
    decoded = encoder.inverse_transform(encoder.transform(table))
    assert decoded["label"].tolist() == table["label"].tolist()


def test_state_survives_a_dictionary_round_trip(mixed_table):
    encoder = fitted(mixed_table, missing="regenerate")
    copy = TableEncoder.from_dict(encoder.to_dict(), encoder.schema)
    np.testing.assert_array_equal(copy.transform(mixed_table), encoder.transform(mixed_table))
    assert copy.blocks == encoder.blocks


def test_errors_name_the_problem(complete_table):
    schema = infer_schema(complete_table, "label")
    with pytest.raises(ValueError, match="missing must be one of"):
        TableEncoder(schema, missing="drop")
    with pytest.raises(ValueError, match="label must be one of"):
        TableEncoder(schema, label="both")
    with pytest.raises(ValueError, match="numeric_scaling must be one of"):
        TableEncoder(schema, numeric_scaling="log")
    with pytest.raises(RuntimeError, match="not fitted"):
        TableEncoder(schema).transform(complete_table)
    with pytest.raises(ValueError, match="empty"):
        TableEncoder(schema).fit(complete_table.iloc[:0])
    encoder = TableEncoder(schema).fit(complete_table)
    with pytest.raises(ValueError, match=r"shape \(n, 9\)"):
        encoder.inverse_transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="decoding must be one of"):
        encoder.inverse_transform(np.zeros((2, 9)), decoding="mode")
    with pytest.raises(ValueError, match="class indices"):
        encoder.encode_labels([0, 2])


# -- quantile scaling -----------------------------------------------------------------------
@pytest.mark.parametrize("column", ["height", "visits"])
def test_quantile_scaling_round_trip(complete_table, column):
    encoder = fitted(complete_table, numeric_scaling="quantile")
    encoded = encoder.transform(complete_table)
    assert encoded[:, :2].min() == -1.0 and encoded[:, :2].max() == 1.0
    decoded = encoder.inverse_transform(encoded)
    np.testing.assert_allclose(decoded[column], complete_table[column], rtol=1e-5)


def test_quantile_scaling_spreads_a_skewed_column_evenly():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"fare": rng.lognormal(2.0, 1.2, 3000).round(4),
                          "label": rng.integers(0, 2, 3000)})
    linear = fitted(table).transform(table)[:, 0]
    spread = fitted(table, numeric_scaling="quantile").transform(table)[:, 0]
    assert np.median(linear) < -0.9
    assert abs(np.median(spread)) < 0.01
    assert np.histogram(spread, bins=4, range=(-1, 1))[0].min() > 600


def test_quantile_knots_are_capped_and_saved(complete_table):
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"x": rng.normal(size=5000), "label": rng.integers(0, 2, 5000)})
    encoder = fitted(table, numeric_scaling="quantile")
    state = encoder.to_dict()
    assert len(state["columns"][0]["knots"]) == 1000
    copy = TableEncoder.from_dict(state, encoder.schema)
    np.testing.assert_array_equal(copy.transform(table), encoder.transform(table))
    decoded = copy.inverse_transform(copy.transform(table))
    np.testing.assert_allclose(decoded["x"], table["x"], atol=0.02)


def test_quantile_scaling_keeps_constant_columns_constant(complete_table):
    table = complete_table.assign(batch=7.0)
    encoder = fitted(table, numeric_scaling="quantile")
    block = next(b for b in encoder.blocks if b.column == "batch")
    assert (encoder.transform(table)[:, block.start] == 0.0).all()
    assert set(encoder.inverse_transform(encoder.transform(table))["batch"]) == {7.0}
