"""Summaries and paired comparisons on score tables with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ganboost import statistics

T_975_DF1 = 12.706204736174707  # Student t quantile, two-sided 95%, 1 degree of freedom
T_975_DF2 = 4.302652729911275  # ... 2 degrees of freedom


def score_row(seed, model, accuracy, training_data="real", generator="none", boost=1.0):
    return {
        "study": "main",
        "dataset": "pima",
        "real_fraction": 1.0,
        "generator": generator,
        "training_data": training_data,
        "boost_factor": boost,
        "seed": seed,
        "model": model,
        "accuracy": accuracy,
        "balanced_accuracy": accuracy,
        "f1": accuracy,
        "roc_auc": accuracy,
        "n_train_rows": 100,
    }


def planted_scores(seeds: int = 10, effect: float = 0.05) -> pd.DataFrame:
    """Real scores per seed; 'planted' adds ``effect`` plus a little noise, 'null' noise only."""
    rng = np.random.default_rng(42)
    rows = []
    for seed in range(seeds):
        for model in ("logistic_regression", "random_forest"):
            real = 0.70 + rng.normal(scale=0.02)
            rows.append(score_row(seed, model, real))
            rows.append(
                score_row(
                    seed, model, real + effect + rng.normal(scale=0.01), "boosted", "planted", 1.2
                )
            )
            rows.append(
                score_row(seed, model, real + rng.normal(scale=0.01), "boosted", "null", 1.2)
            )
    return pd.DataFrame(rows)


def test_summary_matches_a_hand_computed_interval():
    scores = pd.DataFrame([score_row(seed, "tree", value) for seed, value in enumerate([1, 2, 3])])
    summary = statistics.summarize(scores, by=["dataset", "model"], metric="accuracy")

    row = summary.iloc[0]
    assert (row["dataset"], row["model"], row["metric"]) == ("pima", "tree", "accuracy")
    assert row["mean"] == 2.0
    assert row["std"] == 1.0
    assert row["n"] == 3
    half_width = T_975_DF2 * 1.0 / math.sqrt(3)
    assert row["ci_low"] == pytest.approx(2.0 - half_width)
    assert row["ci_high"] == pytest.approx(2.0 + half_width)


def test_summary_of_one_score_has_no_interval_and_gaps_are_not_counted():
    scores = pd.DataFrame([score_row(0, "tree", 0.7), score_row(1, "tree", np.nan)])
    row = statistics.summarize(scores, by=["model"], metric=["accuracy"]).iloc[0]

    assert row["n"] == 1
    assert row["mean"] == 0.7
    assert math.isnan(row["std"]) and math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])


def test_summary_of_several_metrics_is_long():
    summary = statistics.summarize(planted_scores(), by=["generator"], metric=["accuracy", "f1"])

    assert len(summary) == 3 * 2
    assert set(summary["metric"]) == {"accuracy", "f1"}


def test_paired_interval_on_a_hand_example():
    scores = pd.DataFrame(
        [
            score_row(0, "tree", 0.5),
            score_row(1, "tree", 0.6),
            score_row(0, "tree", 0.6, "boosted", "jitter", 1.5),
            score_row(1, "tree", 0.9, "boosted", "jitter", 1.5),
        ]
    )
    row = statistics.paired_comparison(scores).iloc[0]

    assert row["n_pairs"] == 2
    assert row["mean_real"] == pytest.approx(0.55)
    assert row["mean_compared"] == pytest.approx(0.75)
    assert row["mean_difference"] == pytest.approx(0.2)
    half_width = T_975_DF1 * np.std([0.1, 0.3], ddof=1) / math.sqrt(2)
    assert row["ci_low"] == pytest.approx(0.2 - half_width)
    assert row["ci_high"] == pytest.approx(0.2 + half_width)
    assert math.isnan(row["p_value_wilcoxon"])


def test_a_planted_difference_is_found_and_none_is_invented():
    result = statistics.paired_comparison(planted_scores(), metric="accuracy")
    planted = result[result["generator"] == "planted"]
    null = result[result["generator"] == "null"]

    assert len(result) == 4
    assert (planted["n_pairs"] == 10).all()
    assert planted["significant"].all()
    assert (planted["ci_low"] < 0.05).all() and (planted["ci_high"] > 0.05).all()
    assert (planted["p_value_wilcoxon"] < 0.01).all()
    assert not null["significant"].any()
    assert (null["ci_low"] < 0).all() and (null["ci_high"] > 0).all()
    assert (result["p_adjusted"] >= result["p_value"]).all()


def test_one_seed_gives_no_interval_and_no_test():
    scores = pd.DataFrame(
        [score_row(0, "tree", 0.5), score_row(0, "tree", 0.6, "synthetic", "smote", 1.0)]
    )
    row = statistics.paired_comparison(scores).iloc[0]

    assert row["training_data"] == "synthetic"
    assert row["mean_difference"] == pytest.approx(0.1)
    for name in ("ci_low", "ci_high", "p_value", "p_value_wilcoxon", "p_adjusted"):
        assert math.isnan(row[name])
    assert not row["significant"]


def test_identical_scores_are_no_difference():
    scores = planted_scores(seeds=6)
    majority = scores[scores["generator"] == "none"].assign(generator="copy")
    scores = pd.concat([scores, majority.assign(training_data="boosted")], ignore_index=True)
    result = statistics.paired_comparison(scores)
    copy = result[result["generator"] == "copy"]

    assert (copy["mean_difference"] == 0).all()
    assert (copy["p_value"] == 1.0).all() and (copy["p_value_wilcoxon"] == 1.0).all()


def test_unpaired_rows_are_dropped_and_duplicate_real_rows_rejected():
    scores = planted_scores(seeds=3)
    orphan = score_row(99, "random_forest", 0.9, "boosted", "planted", 1.2)
    with_orphan = pd.concat([scores, pd.DataFrame([orphan])], ignore_index=True)
    result = statistics.paired_comparison(with_orphan)
    assert (result["n_pairs"] == 3).all()

    duplicated = pd.concat([scores, scores[scores["training_data"] == "real"].iloc[:1]])
    with pytest.raises(ValueError, match="real-training scores share their key"):
        statistics.paired_comparison(duplicated)


def test_p_value_adjustment():
    adjusted = statistics.adjust_p_values(np.array([0.01, 0.04, np.nan, 0.03, 0.5]), "bh")

    np.testing.assert_allclose(adjusted, [0.04, 0.04 * 4 / 3, np.nan, 0.04 * 4 / 3, 0.5])
    unchanged = statistics.adjust_p_values(np.array([0.2, np.nan]), "none")
    np.testing.assert_array_equal(unchanged, [0.2, np.nan])
    with pytest.raises(ValueError, match="correction"):
        statistics.paired_comparison(planted_scores(seeds=2), correction="holm-ish")


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="seed"):
        statistics.paired_comparison(planted_scores().drop(columns="seed"))


def test_the_same_nonzero_difference_in_every_pair_is_not_called_certain():
    from ganboost.statistics import paired_t_p_value

    assert math.isnan(paired_t_p_value(np.array([-0.008, -0.008])))
    # the same one-row step computed from different accuracies differs in the last bits
    steps = np.array([150 / 262 - 152 / 262, 157 / 262 - 159 / 262])
    assert steps[0] != steps[1]
    assert math.isnan(paired_t_p_value(steps))
    assert paired_t_p_value(np.array([0.0, 0.0, 0.0])) == 1.0


def test_mcnemar_exact_counts_only_discordant_rows():
    # 9 rows only a gets right, 1 only b: p = 2 * P(X >= 9 | n=10, 1/2) = 2 * 11 / 1024.
    a = np.array([True] * 9 + [False] + [True] * 50 + [False] * 30)
    b = np.array([False] * 9 + [True] + [True] * 50 + [False] * 30)
    assert statistics.mcnemar_exact_p_value(a, b) == pytest.approx(22 / 1024)
    assert statistics.mcnemar_exact_p_value(b, a) == pytest.approx(22 / 1024)
    # Rows both get right or both get wrong do not move the test.
    assert statistics.mcnemar_exact_p_value(a[:10], b[:10]) == pytest.approx(22 / 1024)


def test_mcnemar_exact_without_discordant_rows_and_bad_shapes():
    same = np.array([True, False, True])
    assert statistics.mcnemar_exact_p_value(same, same) == 1.0
    balanced = np.array([True, False]), np.array([False, True])
    assert statistics.mcnemar_exact_p_value(*balanced) == 1.0
    with pytest.raises(ValueError, match="one length"):
        statistics.mcnemar_exact_p_value(same, same[:2])
