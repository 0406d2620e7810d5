"""The tables page of the Snakemake report: results, configuration and software versions."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

FIDELITY_COLUMNS = {
    "detection_auc_holdout": "detection AUC vs held-out rows",
    "association_mean_abs_difference": "correlation difference",
    "ks_statistic": "mean KS statistic",
    "total_variation": "mean total variation",
    "dcr_median_ratio": "DCR median ratio (synthetic / held-out)",
    "exact_copy_share_synthetic": "exact copies",
}
STYLE = """
body { font-family: sans-serif; font-size: 13px; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #eee; }
td:first-child, th:first-child { text-align: left; }
pre { background: #f6f6f6; padding: 1em; }
"""


def tables_page(
    *,
    summary: pd.DataFrame,
    significance: pd.DataFrame,
    fidelity: pd.DataFrame,
    config_text: str,
    versions: Mapping[str, str],
) -> str:
    """A self-contained HTML page with every table the report shows."""
    sections = [
        ("Does adding synthetic rows change accuracy?", _significance_table(significance),
         "Boosted or synthetic-only training against real training, paired across seeds: "
         "mean difference in test accuracy with its 95% interval and the p-value adjusted "
         "for multiple comparisons (Benjamini-Hochberg)."),
        ("Accuracy over seeds", _summary_table(summary),
         "Mean test accuracy with its 95% t-interval over seeds (n = number of seeds)."),
        ("Fidelity and privacy of the synthetic rows", _fidelity_table(fidelity),
         "Means over seeds; detection AUC 0.5 means real and synthetic rows cannot be told "
         "apart; a DCR ratio below 1 means synthetic rows lie closer to the training rows "
         "than unseen real rows do."),
        ("Software", _frame_html(pd.DataFrame(
            {"package": list(versions), "version": list(versions.values())})), ""),
    ]
    body = "".join(
        f"<h2>{html.escape(title)}</h2><p>{html.escape(note)}</p>{table}"
        for title, table, note in sections
    )
    body += f"<h2>Configuration</h2><pre>{html.escape(config_text)}</pre>"
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>ganboost tables</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def _significance_table(significance: pd.DataFrame) -> str:
    if significance.empty:
        return "<p>No comparisons.</p>"
    rows = significance[significance["metric"] == "accuracy"]
    columns = ["study", "dataset", "real_fraction", "generator", "training_data",
               "boost_factor", "model", "n_pairs", "mean_real", "mean_compared",
               "mean_difference", "ci_low", "ci_high", "p_adjusted", "significant"]
    rows = rows.sort_values(["study", "dataset", "training_data", "generator",
                             "boost_factor", "model"])
    return _frame_html(rows[[c for c in columns if c in rows.columns]])


def _summary_table(summary: pd.DataFrame) -> str:
    if summary.empty:
        return "<p>No scores.</p>"
    rows = summary[summary["metric"] == "accuracy"].drop(columns="metric")
    return _frame_html(rows)


def _fidelity_table(fidelity: pd.DataFrame) -> str:
    if fidelity.empty:
        return "<p>No fidelity measurements.</p>"
    wanted = fidelity[fidelity["metric"].isin(FIDELITY_COLUMNS)]
    table = (
        wanted.groupby(["dataset", "generator", "metric"])["value"].mean()
        .unstack("metric")
        .reindex(columns=[c for c in FIDELITY_COLUMNS if c in set(wanted["metric"])])
        .rename(columns=FIDELITY_COLUMNS)
        .reset_index()
    )
    return _frame_html(table)


def _frame_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="",
                         border=0, escape=True)
