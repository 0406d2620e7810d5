"""Fidelity and privacy metrics on tables whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ganboost import fidelity
from ganboost.schema import infer_schema


def typed_table(rows: int = 120, seed: int = 0, age_shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "age": rng.normal(40.0 + age_shift, 10.0, rows),
            "children": rng.integers(0, 4, rows).astype("float64"),
            "smoker": rng.integers(0, 2, rows).astype("float64"),
            "region": rng.choice(["north", "south", "east"], rows),
            "outcome": rng.integers(0, 2, rows),
        }
    )
    table.loc[:4, "age"] = np.nan
    return table


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return typed_table()


@pytest.fixture(scope="module")
def schema(real):
    return infer_schema(real, "outcome")


def by_metric(report: pd.DataFrame, metric: str, column: str = "") -> float:
    match = report[(report["metric"] == metric) & (report["column"] == column)]
    assert len(match) == 1, (metric, column)
    return float(match["value"].iloc[0])


def test_ks_and_total_variation_on_hand_examples():
    assert fidelity.ks_statistic(pd.Series([1.0, 2, 3, 4]), pd.Series([3.0, 4, 5, 6])) == 0.5
    left = pd.Series(["a", "a", "b", "b"])
    right = pd.Series(["a", "a", "a", "b", None])
    assert fidelity.total_variation(left, right) == pytest.approx(0.25)
    assert fidelity.total_variation(pd.Series([1.0, 0.0]), pd.Series([1, 0])) == 0.0


def test_identical_tables_are_indistinguishable_but_copied(real, schema):
    report = fidelity.fidelity_report(real, real.copy(), schema, holdout=typed_table(80, 9))

    distances = fidelity.column_distances(real, real, schema)
    assert (distances["value"] == 0).all()
    assert set(distances["column"]) == {"age", "children", "smoker", "region", "outcome"}
    assert by_metric(report, "association_mean_abs_difference") == 0.0
    assert by_metric(report, "detection_auc_training") == pytest.approx(0.5, abs=0.05)
    assert 0.35 < by_metric(report, "detection_auc_holdout") < 0.65
    assert by_metric(report, "dcr_median_synthetic") == 0.0
    assert by_metric(report, "exact_copy_share_synthetic") == 1.0
    assert by_metric(report, "dcr_median_holdout") > 0.0
    assert by_metric(report, "dcr_median_ratio") == 0.0


def test_shuffled_copies_still_score_half(real, schema):
    shuffled = real.sample(frac=1.0, random_state=3)

    assert fidelity.detection_auc(real, shuffled, schema) == pytest.approx(0.5, abs=0.05)


def test_a_shifted_column_is_found(real, schema):
    shifted = typed_table(seed=1, age_shift=30.0)
    report = fidelity.fidelity_report(real, shifted, schema, holdout=typed_table(80, 9))

    assert by_metric(report, "ks_statistic", "age") > 0.8
    assert by_metric(report, "ks_statistic", "children") < 0.25
    assert by_metric(report, "detection_auc_training") > 0.9
    assert by_metric(report, "detection_auc_holdout") > 0.9
    assert by_metric(report, "exact_copy_share_synthetic") == 0.0


def test_a_fresh_sample_of_the_same_distribution_is_hard_to_detect(real, schema):
    fresh = typed_table(seed=2)

    assert 0.35 < fidelity.detection_auc(real, fresh, schema) < 0.65


def test_broken_association_is_measured():
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    linked = pd.DataFrame({"x": x, "y": x + rng.normal(scale=0.1, size=300)})
    unlinked = pd.DataFrame({"x": x, "y": rng.permutation(linked["y"].to_numpy())})
    schema = infer_schema(linked.assign(label=rng.integers(0, 2, 300)), "label")

    difference = fidelity.association_difference(linked, unlinked, schema)
    assert difference["association_mean_abs_difference"] > 0.9
    # Two columns: the matrices differ in the two off-diagonal cells only.
    assert difference["association_frobenius"] == pytest.approx(
        np.sqrt(2) * difference["association_mean_abs_difference"]
    )


def test_dcr_of_copies_is_zero_and_of_others_positive(real, schema):
    copies = real.iloc[[3, 10, 10, 50]]
    distances = fidelity.distance_to_closest_record(real, copies, schema)
    assert np.allclose(distances, 0.0)

    moved = real.iloc[[20]].assign(region="west", age=200.0)
    assert fidelity.distance_to_closest_record(real, moved, schema)[0] > 1.0


def test_copies_in_a_wide_table_are_exact():
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(scale=100.0, size=(300, 20))).add_prefix("c")
    wide["label"] = rng.integers(0, 2, 300)
    schema = infer_schema(wide, "label")

    distances = fidelity.distance_to_closest_record(wide, wide.sample(100, random_state=1), schema)
    assert (distances == 0.0).all()


def test_report_is_tidy_and_writes_to_parquet(real, schema, tmp_path):
    report = fidelity.fidelity_report(real, typed_table(seed=4), schema)

    assert list(report.columns) == ["metric", "column", "value"]
    assert report["value"].dtype == "float64"
    assert not report.duplicated(["metric", "column"]).any()
    report.to_parquet(tmp_path / "fidelity.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "fidelity.parquet"), report)


def test_tiny_tables_skip_detection_only(real, schema):
    report = fidelity.fidelity_report(real, real.iloc[:3], schema)

    assert np.isnan(by_metric(report, "detection_auc_training"))
    assert by_metric(report, "exact_copy_share_synthetic") == 1.0
    with pytest.raises(ValueError, match="at least 5"):
        fidelity.detection_auc(real, real.iloc[:3], schema)
