"""How close a synthetic table is to the real training rows, and how close is too close.

All functions take typed tables (see :mod:`ganboost.schema`) and the schema. The target
column, when both tables have it, is compared like a categorical column.

Fidelity
    per-column Kolmogorov–Smirnov statistic (numeric, integer) and total-variation distance
    (binary, categorical); the difference between the two tables' association matrices;
    the detection AUC of a classifier telling real from synthetic rows (0.5: it cannot),
    against the training rows and against held-out real rows.
Privacy
    distance to the closest real training row (DCR) of every synthetic row, set against
    the same distance for real rows the generator never saw (the test split).

:func:`fidelity_report` gathers everything into one tidy table (``metric``, ``column``,
``value``); table-wide metrics have an empty ``column``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder

from ganboost.schema import TableSchema

logger = logging.getLogger(__name__)

REPORT_COLUMNS = ["metric", "column", "value"]
EXACT_COPY_TOLERANCE = 1e-9


# -- column kinds, target included ------------------------------------------------------------
def _continuous_columns(schema: TableSchema) -> list[str]:
    return schema.columns_of_kind("numeric", "integer")


def _has_target(schema: TableSchema, tables: tuple[pd.DataFrame, ...]) -> bool:
    return all(schema.target in table.columns for table in tables)


def _discrete_columns(schema: TableSchema, tables: tuple[pd.DataFrame, ...]) -> list[str]:
    columns = schema.columns_of_kind("binary", "categorical")
    return [*columns, schema.target] if _has_target(schema, tables) else columns


def _compared_columns(schema: TableSchema, tables: tuple[pd.DataFrame, ...]) -> list[str]:
    columns = schema.feature_names
    return [*columns, schema.target] if _has_target(schema, tables) else columns


def _as_labels(values: pd.Series) -> pd.Series:
    """Discrete values as strings (1.0 and 1 alike) in an object column, missing as NaN."""
    labels = [np.nan if pd.isna(value) else _label(value) for value in values]
    return pd.Series(labels, index=values.index, name=values.name, dtype=object)


def _label(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


# -- per-column distances ---------------------------------------------------------------------
def column_distances(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: TableSchema
) -> pd.DataFrame:
    """KS statistic per numeric/integer column, total-variation distance per discrete one.

    Both compare the present values only (0: same distribution, 1: disjoint); a column
    with no present value on one side gets NaN.
    """
    records = []
    for name in _continuous_columns(schema):
        records.append(("ks_statistic", name, ks_statistic(real[name], synthetic[name])))
    for name in _discrete_columns(schema, (real, synthetic)):
        records.append(("total_variation", name, total_variation(real[name], synthetic[name])))
    return pd.DataFrame(records, columns=REPORT_COLUMNS)


def ks_statistic(real: pd.Series, synthetic: pd.Series) -> float:
    """Two-sample Kolmogorov–Smirnov statistic of the present values."""
    left = pd.to_numeric(real, errors="coerce").dropna().to_numpy()
    right = pd.to_numeric(synthetic, errors="coerce").dropna().to_numpy()
    if len(left) == 0 or len(right) == 0:
        return math.nan
    # Only the statistic is used; the asymptotic method skips the costly exact p-value.
    return float(stats.ks_2samp(left, right, method="asymp").statistic)


def total_variation(real: pd.Series, synthetic: pd.Series) -> float:
    """Half the L1 distance between the two category frequency vectors (present values)."""
    left = _as_labels(real).dropna().value_counts(normalize=True)
    right = _as_labels(synthetic).dropna().value_counts(normalize=True)
    if left.empty or right.empty:
        return math.nan
    left, right = left.align(right, fill_value=0.0)
    return float(0.5 * np.abs(left - right).sum())


# -- association --------------------------------------------------------------------------------
def association_matrix(table: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """Pearson correlations of the numeric columns and the one-hot indicators of the discrete
    ones (pairwise over present values; NaN where a column is constant, set to 0)."""
    return _encoded_for_association(table, schema).corr().fillna(0.0)


def association_difference(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: TableSchema
) -> dict[str, float]:
    """Mean absolute and Frobenius difference of the association matrices.

    The mean runs over the off-diagonal pairs; the Frobenius norm over the whole matrix.
    Indicators of categories that appear in only one table count as constant (0) in the other.
    """
    left = association_matrix(real, schema)
    right = association_matrix(synthetic, schema)
    left, right = left.align(right, fill_value=0.0)
    difference = (left - right).to_numpy()
    off_diagonal = ~np.eye(len(difference), dtype=bool)
    return {
        "association_mean_abs_difference": (
            float(np.abs(difference[off_diagonal]).mean()) if off_diagonal.any() else 0.0
        ),
        "association_frobenius": float(np.linalg.norm(difference)),
    }


def _encoded_for_association(table: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    parts = [table[_continuous_columns(schema)].astype("float64")]
    for name in _discrete_columns(schema, (table,)):
        labels = _as_labels(table[name])
        indicators = pd.get_dummies(labels, prefix=name, prefix_sep="=", dtype="float64")
        parts.append(indicators.where(labels.notna(), np.nan, axis=0))
    return pd.concat(parts, axis=1)


# -- encoding shared by detection and distances -----------------------------------------------
def _table_encoder(schema: TableSchema, tables: tuple[pd.DataFrame, ...]) -> ColumnTransformer:
    """Numeric columns: median-imputed, missing indicators, scaled to [0, 1]; discrete
    columns one-hot, weighted so that a mismatch adds 1 to the squared distance, as does
    a numeric column spanning its whole range."""
    numeric = schema.columns_of_kind("numeric", "integer")
    discrete = _discrete_columns(schema, tables)
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    MinMaxScaler(),
                ),
                numeric,
            ),
            (
                "discrete",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent", add_indicator=True),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                discrete,
            ),
        ],
        transformer_weights={"numeric": 1.0, "discrete": 1.0 / math.sqrt(2.0)},
        sparse_threshold=0.0,
    )


def _comparable(table: pd.DataFrame, schema: TableSchema, columns: list[str]) -> pd.DataFrame:
    """The columns of ``table`` the encoder sees, discrete ones as strings (NaN kept)."""
    out = table[columns].copy()
    for name in _discrete_columns(schema, (table,)):
        if name in out.columns:
            out[name] = _as_labels(out[name])
    return out


# -- detection --------------------------------------------------------------------------------
def detection_auc(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: TableSchema,
    *,
    folds: int = 5,
    random_state: int = 0,
    threads: int = 1,
) -> float:
    """Cross-validated ROC AUC of a random forest telling real rows from synthetic ones.

    The larger table is subsampled to the size of the smaller, so that 0.5 means the two
    cannot be told apart and 1.0 that every row gives itself away; folds keep that
    balance. Identical rows always share a fold: otherwise a synthetic copy of a real row
    would be judged by a forest that learnt the original as real, and copies would score
    far below 0.5 (copying is what the DCR metrics measure). Needs at least ``folds`` rows
    on each side.

    Which real rows to pass matters. Against the rows the generator was fitted on, a
    held-out real row still has synthetic rows made from it in the training folds, so
    generators that stay close to their training rows score below 0.5. Real rows the
    generator never saw (the test split) are free of that bias.
    """
    rng = np.random.default_rng(random_state)
    size = min(len(real), len(synthetic))
    if size < folds:
        raise ValueError(
            f"detection needs at least {folds} real and {folds} synthetic rows; "
            f"got {len(real)} real and {len(synthetic)} synthetic"
        )
    columns = _compared_columns(schema, (real, synthetic))
    rows = pd.concat(
        [
            _comparable(_subsample(real, size, rng), schema, columns),
            _comparable(_subsample(synthetic, size, rng), schema, columns),
        ],
        ignore_index=True,
    )
    is_synthetic = np.repeat([0, 1], size)
    model = make_pipeline(
        _table_encoder(schema, (real, synthetic)),
        RandomForestClassifier(n_estimators=100, n_jobs=threads, random_state=random_state),
    )
    identical_rows = pd.factorize(pd.util.hash_pandas_object(rows, index=False))[0]
    if identical_rows.max() + 1 < folds:
        raise ValueError(f"detection needs at least {folds} distinct rows")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=random_state)
    scores = cross_val_score(
        model, rows, is_synthetic, groups=identical_rows, cv=splitter, scoring="roc_auc"
    )
    return float(np.mean(scores))


def _subsample(table: pd.DataFrame, size: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(table) == size:
        return table
    return table.iloc[np.sort(rng.choice(len(table), size=size, replace=False))]


# -- privacy ----------------------------------------------------------------------------------
def distance_to_closest_record(
    reference: pd.DataFrame, queries: pd.DataFrame, schema: TableSchema
) -> np.ndarray:
    """Euclidean distance from each query row to its nearest ``reference`` row.

    The space is fitted on ``reference`` alone: numeric columns scaled to [0, 1] by the
    reference range (missing cells median-filled plus a missing indicator), discrete
    columns one-hot with weight 1/sqrt(2). An exact copy has distance 0.
    """
    columns = _compared_columns(schema, (reference, queries))
    encoder = _table_encoder(schema, (reference, queries))
    encoded_reference = encoder.fit_transform(_comparable(reference, schema, columns))
    encoded_queries = encoder.transform(_comparable(queries, schema, columns))
    # A tree computes distances directly; the brute-force shortcut through dot products
    # leaves rounding noise of about 1e-8 where an exact copy should have 0.
    neighbours = NearestNeighbors(n_neighbors=1, algorithm="kd_tree").fit(encoded_reference)
    distances, _ = neighbours.kneighbors(encoded_queries)
    return distances[:, 0]


def privacy_summary(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: TableSchema,
    holdout: pd.DataFrame | None = None,
) -> dict[str, float]:
    """DCR quantiles and exact-copy shares of the synthetic rows against ``real``.

    With ``holdout`` (real rows the generator never saw) the same numbers for those rows
    are the yardstick: synthetic rows much closer to the training rows than fresh real
    rows are (``dcr_median_ratio`` well below 1) suggest memorised rows.
    """
    summary = _dcr_summary(distance_to_closest_record(real, synthetic, schema), "synthetic")
    if holdout is not None and len(holdout):
        summary |= _dcr_summary(distance_to_closest_record(real, holdout, schema), "holdout")
        baseline = summary["dcr_median_holdout"]
        summary["dcr_median_ratio"] = (
            summary["dcr_median_synthetic"] / baseline if baseline > 0 else math.nan
        )
    return summary


def _dcr_summary(distances: np.ndarray, rows: str) -> dict[str, float]:
    if len(distances) == 0:
        return {}
    return {
        f"dcr_q05_{rows}": float(np.quantile(distances, 0.05)),
        f"dcr_median_{rows}": float(np.median(distances)),
        f"dcr_mean_{rows}": float(np.mean(distances)),
        f"exact_copy_share_{rows}": float(np.mean(distances <= EXACT_COPY_TOLERANCE)),
    }


# -- everything at once -----------------------------------------------------------------------
def fidelity_report(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: TableSchema,
    holdout: pd.DataFrame | None = None,
    *,
    random_state: int = 0,
    threads: int = 1,
) -> pd.DataFrame:
    """Every fidelity and privacy metric as a tidy table (``metric``, ``column``, ``value``).

    ``real`` are the real training rows the generator saw, ``holdout`` (optional) real
    rows it never saw. Table-wide metrics have ``column == ""``. The detection AUC is
    given against the training rows (``detection_auc_training``) and, with a holdout,
    against it (``detection_auc_holdout``, the unbiased one; see :func:`detection_auc`).
    """
    if len(real) == 0 or len(synthetic) == 0:
        raise ValueError(
            f"fidelity needs rows on both sides; got {len(real)} real and "
            f"{len(synthetic)} synthetic rows"
        )
    table_wide = association_difference(real, synthetic, schema)
    table_wide["detection_auc_training"] = _detection_or_nan(
        real, synthetic, schema, random_state, threads
    )
    if holdout is not None:
        table_wide["detection_auc_holdout"] = _detection_or_nan(
            holdout, synthetic, schema, random_state, threads
        )
    table_wide |= privacy_summary(real, synthetic, schema, holdout)
    table_wide["n_real_rows"] = float(len(real))
    table_wide["n_synthetic_rows"] = float(len(synthetic))
    overall = pd.DataFrame(
        [(metric, "", value) for metric, value in table_wide.items()], columns=REPORT_COLUMNS
    )
    report = pd.concat([column_distances(real, synthetic, schema), overall], ignore_index=True)
    return report.astype({"metric": "str", "column": "str", "value": "float64"})


def _detection_or_nan(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: TableSchema,
    random_state: int,
    threads: int,
) -> float:
    try:
        return detection_auc(real, synthetic, schema, random_state=random_state, threads=threads)
    except ValueError as error:
        logger.warning("detection AUC skipped: %s", error)
        return math.nan
