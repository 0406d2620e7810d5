"""Baseline generators to measure the GANs against.

``bootstrap``
    real training rows drawn with replacement, class by class.
``jitter``
    bootstrap rows plus Gaussian noise on numeric and integer columns.
``smote``
    SMOTE / SMOTENC / SMOTEN from imbalanced-learn, one class at a time.
``gaussian-copula``
    a Gaussian copula per class with empirical marginals.
``ctgan``
    SDV's CTGAN, available when the optional ``peers`` extra is installed.

Every generator returns rows in the schema's storage types, honours ``class_counts``
exactly and is a pure function of its fitted state and ``random_state``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from ganboost.schema import ColumnSpec, TableSchema
from ganboost.synthesizers.base import BaseSynthesizer, register

logger = logging.getLogger(__name__)

ROWS_FILE = "rows.parquet"
_SEED_LIMIT = 2**31 - 1


# -- shared helpers ------------------------------------------------------------------------
def _check_class_has_rows(has_rows: bool, class_index: int, count: int) -> None:
    if count > 0 and not has_rows:
        raise ValueError(
            f"{count} rows requested for class index {class_index}, which has no training rows"
        )


def _class_positions(labels: np.ndarray, class_index: int, count: int) -> np.ndarray:
    """Row positions of one class; an error when rows are requested from an empty class."""
    positions = np.flatnonzero(labels == class_index)
    _check_class_has_rows(len(positions) > 0, class_index, int(count))
    return positions


def _clip_to_bounds(values: np.ndarray, spec: ColumnSpec) -> np.ndarray:
    lower = -np.inf if spec.minimum is None else spec.minimum
    upper = np.inf if spec.maximum is None else spec.maximum
    return np.clip(values, lower, upper)


def _tidy_numbers(rows: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """Round integer and binary columns and clip numeric ones to the schema's bounds."""
    rows = rows.copy()
    for spec in schema.columns:
        if spec.kind == "categorical":
            continue
        values = rows[spec.name].to_numpy(dtype="float64")
        if spec.kind in ("integer", "binary"):
            values = np.round(values) + 0.0  # no negative zeros
        rows[spec.name] = _clip_to_bounds(values, spec)
    return rows


class _StoredRowsSynthesizer(BaseSynthesizer):
    """A synthesizer whose learned state is (a cleaned copy of) the training rows."""

    def _fit(self, table: pd.DataFrame, schema: TableSchema) -> None:
        self.rows_ = table.reset_index(drop=True)

    def _save_arrays(self, path: Path) -> None:
        self.rows_.to_parquet(path / ROWS_FILE, index=False)

    def _restore_state(self, state: dict[str, Any], path: Path) -> None:
        self.rows_ = self.schema_.cast(pd.read_parquet(path / ROWS_FILE))

    def _resample(self, class_counts: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
        """Stored rows drawn with replacement, ``class_counts[c]`` of class ``c``, grouped."""
        labels = self.rows_[self.target_].to_numpy()
        chosen = []
        for class_index, count in enumerate(class_counts):
            positions = _class_positions(labels, class_index, int(count))
            if count > 0:
                chosen.append(rng.choice(positions, size=int(count), replace=True))
        picks = np.concatenate(chosen) if chosen else np.array([], dtype=int)
        return self.rows_.iloc[picks].reset_index(drop=True)


# -- bootstrap ------------------------------------------------------------------------------
@register("bootstrap")
class BootstrapSynthesizer(_StoredRowsSynthesizer):
    """Real training rows drawn with replacement within each class.

    Parameters
    ----------
    random_state : int, default 0
        Seed used by :meth:`sample` when none is given there.
    """

    kind = "bootstrap"

    def __init__(self, random_state: int = 0) -> None:
        self.random_state = random_state

    def _sample(self, class_counts: np.ndarray, seed: int) -> pd.DataFrame:
        return self._resample(class_counts, np.random.default_rng(seed))


# -- jitter ---------------------------------------------------------------------------------
@register("jitter")
class JitterSynthesizer(_StoredRowsSynthesizer):
    """Bootstrap rows with Gaussian noise added to numeric and integer columns.

    The noise of a column has standard deviation ``noise`` times that column's standard
    deviation in the training rows. Integer columns are rounded afterwards, every noisy
    column is clipped to its schema bounds; binary and categorical columns and missing
    cells are copied unchanged.

    Parameters
    ----------
    noise : float, default 0.1
        Noise scale as a fraction of each column's standard deviation (>= 0).
    random_state : int, default 0
        Seed used by :meth:`sample` when none is given there.
    """

    kind = "jitter"

    def __init__(self, noise: float = 0.1, random_state: int = 0) -> None:
        self.noise = noise
        self.random_state = random_state

    def _fit(self, table: pd.DataFrame, schema: TableSchema) -> None:
        if not np.isfinite(self.noise) or self.noise < 0:
            raise ValueError(f"jitter: noise must be a finite number >= 0, got {self.noise!r}")
        super()._fit(table, schema)

    def _noise_scales(self) -> dict[str, float]:
        columns = self.schema_.columns_of_kind("numeric", "integer")
        spread = self.rows_[columns].std(ddof=1).fillna(0.0)
        return {name: float(self.noise * spread[name]) for name in columns}

    def _sample(self, class_counts: np.ndarray, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        rows = self._resample(class_counts, rng)
        for name, scale in self._noise_scales().items():
            rows[name] = rows[name].to_numpy() + rng.normal(0.0, scale, size=len(rows))
        return _tidy_numbers(rows, self.schema_)


# -- SMOTE ----------------------------------------------------------------------------------
@register("smote")
class SmoteSynthesizer(_StoredRowsSynthesizer):
    """New rows interpolated between a training row and one of its same-class neighbours.

    Each class is generated on its own: the oversampler is asked to grow that class by
    the requested count, and only the new rows are kept. imbalanced-learn's SMOTE serves
    tables of numeric columns, SMOTENC mixed tables (binary columns count as categorical
    there, so they stay 0/1) and SMOTEN purely categorical ones.

    SMOTE cannot interpolate missing values, so :meth:`fit` fills them first: numeric and
    integer columns with the column median, binary and categorical ones with the most
    frequent value of the training rows. The synthetic rows therefore have no missing
    cells. A class with a single training row can only be copied.

    Parameters
    ----------
    k_neighbors : int, default 5
        Neighbours to interpolate towards; lowered to the class size minus one for
        smaller classes.
    scale : bool, default True
        Divide numeric and integer columns by their standard deviation before the
        neighbour search (and multiply back afterwards), so that no column dominates the
        distance by its unit alone.
    random_state : int, default 0
        Seed used by :meth:`sample` when none is given there.
    """

    kind = "smote"

    def __init__(self, k_neighbors: int = 5, scale: bool = True, random_state: int = 0) -> None:
        self.k_neighbors = k_neighbors
        self.scale = scale
        self.random_state = random_state

    def _fit(self, table: pd.DataFrame, schema: TableSchema) -> None:
        if int(self.k_neighbors) < 1:
            raise ValueError(f"smote: k_neighbors must be >= 1, got {self.k_neighbors!r}")
        missing = int(table[schema.feature_names].isna().sum().sum())
        if missing:
            logger.info("smote: filling %d missing cells before interpolation", missing)
        super()._fit(_fill_missing(table, schema), schema)

    def _sample(self, class_counts: np.ndarray, seed: int) -> pd.DataFrame:
        features = self.schema_.feature_names
        continuous = self.schema_.columns_of_kind("numeric", "integer")
        divisors = self._divisors(continuous)
        table = self.rows_[features].copy()
        table[continuous] = table[continuous] / divisors
        labels = self.rows_[self.target_].to_numpy()

        rng = np.random.default_rng(seed)
        parts = [self.rows_.iloc[:0][features]]
        for class_index, count in enumerate(class_counts):
            _check_class_has_rows(np.any(labels == class_index), class_index, int(count))
            class_seed = int(rng.integers(_SEED_LIMIT))
            if count > 0:
                parts.append(self._new_rows(table, labels, class_index, int(count), class_seed))

        rows = pd.concat(parts, ignore_index=True)
        rows[continuous] = rows[continuous] * divisors
        rows[self.target_] = np.repeat(np.arange(len(class_counts)), class_counts)
        return _tidy_numbers(rows, self.schema_)

    def _divisors(self, continuous: list[str]) -> pd.Series:
        if not self.scale or not continuous:
            return pd.Series(1.0, index=continuous)
        spread = self.rows_[continuous].std(ddof=0)
        return spread.where(spread > 0, 1.0).fillna(1.0)

    def _new_rows(
        self, table: pd.DataFrame, labels: np.ndarray, class_index: int, count: int, seed: int
    ) -> pd.DataFrame:
        class_size = int(np.sum(labels == class_index))
        if class_size == 1:
            logger.debug("smote: class %d has one training row; copying it", class_index)
            single = table.loc[labels == class_index]
            return single.iloc[np.zeros(count, dtype=int)].reset_index(drop=True)
        sampler = _make_oversampler(
            self.schema_,
            sampling_strategy={class_index: class_size + count},
            k_neighbors=min(int(self.k_neighbors), class_size - 1),
            random_state=seed,
        )
        resampled, _ = sampler.fit_resample(table, labels)
        return resampled.iloc[len(table) :].reset_index(drop=True)


def _fill_missing(table: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    filled = table.copy()
    for spec in schema.columns:
        values = filled[spec.name]
        if not values.isna().any():
            continue
        if spec.kind in ("numeric", "integer"):
            filled[spec.name] = values.fillna(values.median())
        else:
            filled[spec.name] = values.fillna(values.mode().iloc[0])
    return filled


def _make_oversampler(schema: TableSchema, **settings: Any) -> Any:
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    discrete = [
        position
        for position, spec in enumerate(schema.columns)
        if spec.kind in ("binary", "categorical")
    ]
    if not discrete:
        return SMOTE(**settings)
    if len(discrete) == len(schema.columns):
        return SMOTEN(**settings)
    return SMOTENC(categorical_features=discrete, **settings)


# -- Gaussian copula ------------------------------------------------------------------------
@register("gaussian-copula")
class GaussianCopulaSynthesizer(BaseSynthesizer):
    """A Gaussian copula per class, with the empirical marginal of every column.

    Each column is turned into normal scores through its mid-ranks; categorical and binary
    columns are ranked by their categories in order of falling frequency, so each category
    owns an interval of the normal scale as wide as its share. The correlation of the
    normal scores (pairwise over present values, projected to the nearest valid
    correlation matrix) couples the columns. Sampling draws correlated normals and maps
    them back: numeric columns through the interpolated empirical quantile function
    (values stay within the observed range; integers are rounded), categorical and binary
    columns through their category intervals. Missing cells are drawn independently with
    each column's missing share in the class.

    Parameters
    ----------
    random_state : int, default 0
        Seed used by :meth:`sample` when none is given there.
    """

    kind = "gaussian-copula"

    def __init__(self, random_state: int = 0) -> None:
        self.random_state = random_state

    def _fit(self, table: pd.DataFrame, schema: TableSchema) -> None:
        labels = table[schema.target].to_numpy()
        self.class_copulas_ = [
            _fit_copula(table.loc[labels == class_index], schema)
            if np.any(labels == class_index)
            else None
            for class_index in range(schema.n_classes)
        ]

    def _sample(self, class_counts: np.ndarray, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        parts = []
        for class_index, count in enumerate(class_counts):
            copula = self.class_copulas_[class_index]
            _check_class_has_rows(copula is not None, class_index, int(count))
            if count > 0:
                rows = _sample_copula(copula, self.schema_, int(count), rng)
                parts.append(rows.assign(**{self.target_: class_index}))
        if not parts:
            return pd.DataFrame(columns=[*self.schema_.feature_names, self.target_])
        return pd.concat(parts, ignore_index=True)

    def _state(self) -> dict[str, Any]:
        return {"class_copulas": self.class_copulas_}

    def _restore_state(self, state: dict[str, Any], path: Path) -> None:
        self.class_copulas_ = state["class_copulas"]


def _fit_copula(rows: pd.DataFrame, schema: TableSchema) -> dict[str, Any]:
    """JSON-ready copula of one class: a marginal per column and the score correlation."""
    marginals = [_fit_marginal(rows[spec.name], spec) for spec in schema.columns]
    scores = pd.DataFrame(
        {
            spec.name: _normal_scores(rows[spec.name], marginal)
            for spec, marginal in zip(schema.columns, marginals, strict=True)
        }
    )
    correlation = _nearest_correlation(scores.corr().fillna(0.0).to_numpy())
    return {"marginals": marginals, "correlation": correlation.tolist()}


def _fit_marginal(values: pd.Series, spec: ColumnSpec) -> dict[str, Any]:
    present = values.dropna()
    missing_share = float(values.isna().mean())
    if spec.kind in ("numeric", "integer"):
        return {
            "kind": "continuous",
            "values": np.sort(present.to_numpy(dtype="float64")).tolist(),
            "missing_share": missing_share,
        }
    frequencies = present.value_counts()
    order = sorted(frequencies.index, key=lambda category: (-frequencies[category], category))
    return {
        "kind": "discrete",
        "categories": [_native(category) for category in order],
        "probabilities": [float(frequencies[c] / len(present)) for c in order],
        "missing_share": missing_share,
    }


def _normal_scores(values: pd.Series, marginal: dict[str, Any]) -> np.ndarray:
    """Mid-rank normal scores of the present values; NaN where a value is missing."""
    if marginal["kind"] == "discrete":
        position = {category: i for i, category in enumerate(marginal["categories"])}
        keys = values.map(lambda v: np.nan if pd.isna(v) else position[_native(v)])
    else:
        keys = values
    keys = keys.to_numpy(dtype="float64")
    present = ~np.isnan(keys)
    scores = np.full(len(keys), np.nan)
    ranks = stats.rankdata(keys[present], method="average")
    scores[present] = special.ndtri(ranks / (present.sum() + 1))
    return scores


def _nearest_correlation(matrix: np.ndarray, floor: float = 1e-6) -> np.ndarray:
    """Clip negative eigenvalues (pairwise estimates need not be PSD), restore unit diagonal."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    repaired = eigenvectors @ np.diag(np.maximum(eigenvalues, floor)) @ eigenvectors.T
    scale = np.sqrt(np.diag(repaired))
    return repaired / np.outer(scale, scale)


def _sample_copula(
    copula: dict[str, Any], schema: TableSchema, count: int, rng: np.random.Generator
) -> pd.DataFrame:
    correlation = np.asarray(copula["correlation"], dtype="float64")
    latent = rng.multivariate_normal(np.zeros(len(correlation)), correlation, size=count)
    uniforms = special.ndtr(latent)
    columns = {}
    for position, (spec, marginal) in enumerate(
        zip(schema.columns, copula["marginals"], strict=True)
    ):
        values = _invert_marginal(marginal, uniforms[:, position], spec)
        missing = rng.random(count) < marginal["missing_share"]
        values[missing] = None if spec.kind == "categorical" else np.nan
        columns[spec.name] = values
    return pd.DataFrame(columns)


def _invert_marginal(marginal: dict[str, Any], uniforms: np.ndarray, spec: ColumnSpec) -> Any:
    if marginal["kind"] == "discrete":
        dtype = object if spec.kind == "categorical" else "float64"
        if not marginal["categories"]:
            return np.full(len(uniforms), None if dtype is object else np.nan, dtype=dtype)
        cumulative = np.cumsum(marginal["probabilities"])
        index = np.searchsorted(cumulative, uniforms, side="right")
        categories = np.asarray(marginal["categories"], dtype=dtype)
        return categories[np.minimum(index, len(categories) - 1)]
    observed = np.asarray(marginal["values"], dtype="float64")
    if len(observed) == 0:
        return np.full(len(uniforms), np.nan)
    values = np.interp(uniforms * (len(observed) - 1), np.arange(len(observed)), observed)
    return np.round(values) if spec.kind == "integer" else values


def _native(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# -- SDV peers ------------------------------------------------------------------------------
SDV_MODEL_FILE = "sdv_model.pkl"
_SDV_TABLE = "table"


def _import_sdv() -> Any:
    try:
        import sdv.single_table
    except ImportError as error:
        raise ImportError(
            "the ctgan and tvae generators need SDV: install ganboost[peers] in an "
            "environment of its own (SDV needs pandas < 3; see envs/requirements-peers.txt)"
        ) from error
    return sdv.single_table


class _SdvPeer(BaseSynthesizer):
    """One of SDV's single-table synthesizers; SDV is imported on first use.

    The target is declared categorical, so that sampling a class is SDV's conditional
    sampling on it. SDV's own model is pickled next to the manifest by :meth:`save`.
    Fitting is seeded with ``random_state`` as well; it is repeatable on one machine.

    Parameters
    ----------
    epochs : int, default 300
        Training epochs (SDV's default).
    threads : int, default 1
        Torch's intra-op threads while fitting and sampling.
    random_state : int, default 0
        Seed for fitting, and for :meth:`sample` when none is given there.
    """

    sdv_class_name: str = ""

    def __init__(self, epochs: int = 300, threads: int = 1, random_state: int = 0) -> None:
        self.epochs = epochs
        self.threads = threads
        self.random_state = random_state

    def _fit(self, table: pd.DataFrame, schema: TableSchema) -> None:
        single_table = _import_sdv()
        from sdv.metadata import Metadata

        metadata = Metadata.load_from_dict(_sdv_metadata(schema), single_table_name=_SDV_TABLE)
        model_class = getattr(single_table, self.sdv_class_name)
        self.model_ = model_class(metadata, epochs=int(self.epochs), enable_gpu=False)
        with _seeded_torch(int(self.random_state), int(self.threads)):
            self.model_.fit({_SDV_TABLE: table.reset_index(drop=True)})

    def _sample(self, class_counts: np.ndarray, seed: int) -> pd.DataFrame:
        from sdv.sampling import Condition

        conditions = [
            Condition({self.target_: class_index}, num_rows=int(count))
            for class_index, count in enumerate(class_counts)
            if count > 0
        ]
        if not conditions:
            return self.schema_.cast(pd.DataFrame(columns=self.columns_))
        with _seeded_torch(seed, int(self.threads)):
            self._seed_model(seed)
            rows = self.model_.sample_from_conditions(conditions)[_SDV_TABLE]
        rows = rows.sort_values(self.target_, kind="stable").reset_index(drop=True)
        return _tidy_numbers(rows, self.schema_)

    def _seed_model(self, seed: int) -> None:
        """Seed the network and every column transformer's decoding (missing cells)."""
        self.model_._set_random_state(seed)
        seeds = np.random.SeedSequence(seed).generate_state(len(self.model_.get_transformers()))
        for transformer, column_seed in zip(
            self.model_.get_transformers().values(), seeds, strict=True
        ):
            if transformer is not None:
                transformer.set_random_state(
                    np.random.RandomState(int(column_seed)), "reverse_transform"
                )

    def _save_arrays(self, path: Path) -> None:
        self.model_.save(str(path / SDV_MODEL_FILE))

    def _restore_state(self, state: dict[str, Any], path: Path) -> None:
        _import_sdv()
        from sdv.utils import load_synthesizer as load_sdv_synthesizer

        self.model_ = load_sdv_synthesizer(str(path / SDV_MODEL_FILE))


@register("ctgan")
class CtganSynthesizer(_SdvPeer):
    """SDV's CTGAN (conditional tabular GAN) as an external peer; needs ``ganboost[peers]``.

    Settings as for the SDV peers in general: ``epochs``, ``threads``, ``random_state``.
    """

    kind = "ctgan"
    sdv_class_name = "CTGANSynthesizer"


@register("tvae")
class TvaeSynthesizer(_SdvPeer):
    """SDV's TVAE (tabular variational autoencoder) as an external peer; needs
    ``ganboost[peers]``. Settings as for :class:`CtganSynthesizer`."""

    kind = "tvae"
    sdv_class_name = "TVAESynthesizer"


def _sdv_metadata(schema: TableSchema) -> dict[str, Any]:
    columns = {
        spec.name: {
            "sdtype": "numerical" if spec.kind in ("numeric", "integer") else "categorical"
        }
        for spec in schema.columns
    }
    columns[schema.target] = {"sdtype": "categorical"}
    return {"columns": columns}


@contextmanager
def _seeded_torch(seed: int, threads: int) -> Iterator[None]:
    """Seed torch and numpy's global generator for a block, restoring both afterwards.

    SDV and CTGAN draw from numpy's legacy global generator, so that is what is seeded.
    """
    import torch

    numpy_state = np.random.get_state()  # noqa: NPY002
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        np.random.seed(seed % 2**32)  # noqa: NPY002
        try:
            yield
        finally:
            np.random.set_state(numpy_state)  # noqa: NPY002
            torch.set_num_threads(previous_threads)
