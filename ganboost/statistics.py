"""Summaries with confidence intervals, and paired tests of boosted against real training.

Both functions read the scores table the battery writes, one row per fitted model:
``study, dataset, real_fraction, generator, training_data, boost_factor, seed, model`` and
the metric columns (``accuracy, balanced_accuracy, f1, roc_auc``). ``training_data`` is
``"real"`` (generator ``"none"``), ``"boosted"`` (real plus synthetic rows) or
``"synthetic"`` (synthetic rows only).

Seeds are the unit of replication: each seed has its own train/test split, so the
scores of one configuration across seeds are independent draws, and a boosted score and
the real score of the same seed share their split and form a pair.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

logger = logging.getLogger(__name__)

PAIR_KEYS = ["study", "dataset", "real_fraction", "seed", "model"]
COMPARISON_KEYS = [
    "study",
    "dataset",
    "real_fraction",
    "generator",
    "training_data",
    "boost_factor",
    "model",
]
CORRECTIONS = ("bh", "by", "none")
WILCOXON_MIN_PAIRS = 6


def _metrics(metric: str | Sequence[str]) -> list[str]:
    return [metric] if isinstance(metric, str) else list(metric)


def _check_columns(scores: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [name for name in needed if name not in scores.columns]
    if missing:
        raise ValueError(
            f"the scores table lacks column(s) {missing}; it has {list(scores.columns)}"
        )


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided Student-t interval for the mean of ``values``; NaN for fewer than 2."""
    values = np.asarray(values, dtype="float64")
    if len(values) < 2:
        return math.nan, math.nan
    mean = float(np.mean(values))
    half_width = stats.t.ppf((1 + confidence) / 2, len(values) - 1) * stats.sem(values)
    return mean - half_width, mean + half_width


# -- summaries ------------------------------------------------------------------------------
def summarize(
    scores: pd.DataFrame,
    by: Sequence[str],
    metric: str | Sequence[str] = "accuracy",
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean, standard deviation, count and t-interval of ``metric`` per group of ``by``.

    Returns one row per group and metric with the ``by`` columns and ``metric, mean, std,
    n, ci_low, ci_high``. Missing scores (a ROC AUC a model could not give) are left out
    of ``n``. With a single score in a group, ``std`` and the interval are NaN.
    """
    by = list(by)
    metrics = _metrics(metric)
    _check_columns(scores, [*by, *metrics])
    frames = [_summarize_metric(scores, by, name, confidence) for name in metrics]
    return pd.concat(frames, ignore_index=True)


def _summarize_metric(
    scores: pd.DataFrame, by: list[str], metric: str, confidence: float
) -> pd.DataFrame:
    records = []
    for key, group in scores.groupby(by, sort=True, dropna=False):
        values = group[metric].dropna().to_numpy(dtype="float64")
        low, high = t_interval(values, confidence)
        records.append(
            {
                **dict(zip(by, _as_tuple(key), strict=True)),
                "metric": metric,
                "mean": float(np.mean(values)) if len(values) else math.nan,
                "std": float(np.std(values, ddof=1)) if len(values) > 1 else math.nan,
                "n": len(values),
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(records, columns=[*by, "metric", "mean", "std", "n", "ci_low", "ci_high"])


def _as_tuple(key: object) -> tuple:
    return key if isinstance(key, tuple) else (key,)


# -- paired comparisons ---------------------------------------------------------------------
def paired_differences(
    scores: pd.DataFrame,
    metric: str = "accuracy",
    *,
    training_data: Sequence[str] = ("boosted", "synthetic"),
) -> pd.DataFrame:
    """Each boosted (or synthetic-only) score next to the real score of its seed.

    A row of ``training_data`` in ``training_data`` is paired with the ``"real"`` row of the
    same study, dataset, real fraction, seed and model. Rows without a real partner are
    dropped (and logged); two real rows for one key are an error.
    """
    _check_columns(scores, [*COMPARISON_KEYS, "seed", metric])
    real = scores.loc[scores["training_data"] == "real", [*PAIR_KEYS, metric]]
    duplicated = real.duplicated(PAIR_KEYS, keep=False)
    if duplicated.any():
        example = real.loc[duplicated, PAIR_KEYS].iloc[0].to_dict()
        raise ValueError(
            f"{int(duplicated.sum())} real-training scores share their key, e.g. {example}; "
            "each (study, dataset, real_fraction, seed, model) needs one real score"
        )
    compared = scores.loc[scores["training_data"].isin(list(training_data))]
    pairs = compared.merge(
        real.rename(columns={metric: "real_score"}), on=PAIR_KEYS, how="left", validate="m:1"
    )
    unpaired = pairs["real_score"].isna() & pairs[metric].notna()
    if unpaired.any():
        logger.warning("%d scores have no real-training partner; left out", int(unpaired.sum()))
    pairs = pairs.rename(columns={metric: "compared_score"})
    pairs = pairs.dropna(subset=["real_score", "compared_score"])
    pairs["difference"] = pairs["compared_score"] - pairs["real_score"]
    return pairs[[*COMPARISON_KEYS, "seed", "real_score", "compared_score", "difference"]]


def paired_comparison(
    scores: pd.DataFrame,
    metric: str | Sequence[str] = "accuracy",
    *,
    training_data: Sequence[str] = ("boosted", "synthetic"),
    confidence: float = 0.95,
    correction: str = "bh",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Boosted (and synthetic-only) training against real training, paired across seeds.

    One row per (study, dataset, real_fraction, generator, training_data, boost_factor,
    model) and metric, with

    ``n_pairs``
        seeds with both scores;
    ``mean_real``, ``mean_compared``, ``mean_difference``
        means over those seeds (difference = compared - real);
    ``ci_low``, ``ci_high``
        the t-interval of the mean difference;
    ``p_value``
        two-sided paired t-test (NaN below 2 pairs; 1 when every difference is 0; NaN when
        every difference is the same non-zero number, where the test is undefined);
    ``p_value_wilcoxon``
        two-sided Wilcoxon signed-rank test, given from ``WILCOXON_MIN_PAIRS`` (6) pairs
        on, the fewest whose smallest attainable exact p is below 0.05 (NaN otherwise);
    ``p_adjusted``, ``significant``
        the t-test p-values adjusted over all rows of the result for the same metric, and
        whether the adjusted p is below ``alpha``.

    ``correction`` is ``"bh"`` (Benjamini–Hochberg: controls the false discovery rate,
    valid for the positively dependent tests here, which share real baselines and test
    splits), ``"by"`` (Benjamini–Yekutieli: valid under any dependence, more
    conservative) or ``"none"``.
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    frames = []
    for name in _metrics(metric):
        pairs = paired_differences(scores, name, training_data=training_data)
        frames.append(_compare_metric(pairs, name, confidence, correction, alpha))
    return pd.concat(frames, ignore_index=True)


def _compare_metric(
    pairs: pd.DataFrame, metric: str, confidence: float, correction: str, alpha: float
) -> pd.DataFrame:
    records = []
    for key, group in pairs.groupby(COMPARISON_KEYS, sort=True, dropna=False):
        records.append(
            {
                **dict(zip(COMPARISON_KEYS, _as_tuple(key), strict=True)),
                "metric": metric,
                **_paired_test(group, confidence),
            }
        )
    result = pd.DataFrame(records, columns=[*COMPARISON_KEYS, "metric", *_RESULT_COLUMNS])
    result["p_adjusted"] = adjust_p_values(result["p_value"].to_numpy(), correction)
    result["significant"] = result["p_adjusted"] < alpha
    return result


_RESULT_COLUMNS = [
    "n_pairs",
    "mean_real",
    "mean_compared",
    "mean_difference",
    "ci_low",
    "ci_high",
    "p_value",
    "p_value_wilcoxon",
]


def _paired_test(group: pd.DataFrame, confidence: float) -> dict[str, float]:
    differences = group["difference"].to_numpy(dtype="float64")
    low, high = t_interval(differences, confidence)
    return {
        "n_pairs": len(differences),
        "mean_real": float(group["real_score"].mean()),
        "mean_compared": float(group["compared_score"].mean()),
        "mean_difference": float(np.mean(differences)),
        "ci_low": low,
        "ci_high": high,
        "p_value": paired_t_p_value(differences),
        "p_value_wilcoxon": wilcoxon_p_value(differences),
    }


def paired_t_p_value(differences: np.ndarray) -> float:
    """Two-sided one-sample t-test of the differences against 0 (see paired_comparison)."""
    differences = np.asarray(differences, dtype="float64")
    if len(differences) < 2:
        return math.nan
    if np.ptp(differences) <= 1e-12:  # equal up to float rounding of the accuracies
        # No spread: the t statistic is undefined. All zero is "no difference"; the same
        # non-zero difference in every pair (common with few seeds and a small test split,
        # where accuracy moves in steps of one row) is left untested rather than called
        # certain.
        return 1.0 if abs(differences[0]) <= 1e-12 else math.nan
    return float(stats.ttest_1samp(differences, 0.0).pvalue)


def wilcoxon_p_value(differences: np.ndarray) -> float:
    """Two-sided signed-rank p-value (zero differences dropped, scipy's default method for
    the null distribution); NaN below ``WILCOXON_MIN_PAIRS`` pairs, 1 if all are zero."""
    differences = np.asarray(differences, dtype="float64")
    if len(differences) < WILCOXON_MIN_PAIRS:
        return math.nan
    if not np.any(differences):
        return 1.0
    return float(stats.wilcoxon(differences, zero_method="wilcox").pvalue)


def mcnemar_exact_p_value(correct_a: np.ndarray, correct_b: np.ndarray) -> float:
    """Two-sided exact McNemar test of two classifiers scored on the same test rows.

    ``correct_a`` and ``correct_b`` say, row by row, whether each classifier got the row
    right. Only the rows where exactly one of them is right count: under the null hypothesis
    of equal accuracy each such row is equally likely to favour either, so the count that
    favours ``a`` is Binomial(discordant rows, 1/2) (scipy's exact binomial test). Returns 1
    when no row is discordant.
    """
    a = np.asarray(correct_a, dtype=bool)
    b = np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"correct_a and correct_b must be 1-d and of one length; got shapes {a.shape} "
            f"and {b.shape}"
        )
    only_a = int(np.sum(a & ~b))
    discordant = only_a + int(np.sum(b & ~a))
    if discordant == 0:
        return 1.0
    return float(stats.binomtest(only_a, discordant, 0.5).pvalue)


def adjust_p_values(p_values: np.ndarray, correction: str = "bh") -> np.ndarray:
    """Adjusted p-values; NaN entries stay NaN and do not count as tests."""
    p_values = np.asarray(p_values, dtype="float64")
    adjusted = np.full(len(p_values), np.nan)
    present = ~np.isnan(p_values)
    if correction == "none" or not present.any():
        adjusted[present] = p_values[present]
        return adjusted
    adjusted[present] = stats.false_discovery_control(p_values[present], method=correction)
    return adjusted
