"""What every synthesizer shares: input checks, class bookkeeping, persistence, a registry.

A synthesizer follows scikit-learn habits: the constructor only stores settings,
``fit(table, target=...)`` learns and returns ``self``, learned state ends in ``_``, and
``sample(n, class_counts=None, random_state=None)`` returns a DataFrame with the training
table's columns and dtypes. ``sample`` is a pure function of its arguments and the fitted
state: the same ``random_state`` gives the same rows, before and after ``save``/``load``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ganboost.schema import TableSchema, infer_schema

logger = logging.getLogger(__name__)

MANIFEST = "synthesizer.json"
_REGISTRY: dict[str, type[BaseSynthesizer]] = {}


class NotFittedError(RuntimeError):
    """``sample`` or ``save`` was called before ``fit``."""


def register(*kinds: str):
    """Class decorator: make a synthesizer available to :func:`make_synthesizer` by kind."""

    def decorate(cls: type[BaseSynthesizer]) -> type[BaseSynthesizer]:
        for kind in kinds:
            _REGISTRY[kind] = cls
        return cls

    return decorate


def available_kinds() -> list[str]:
    _import_builtin_synthesizers()
    return sorted(_REGISTRY)


def make_synthesizer(kind: str, **params: Any) -> BaseSynthesizer:
    """Build the synthesizer registered under ``kind`` with ``params``."""
    _import_builtin_synthesizers()
    if kind not in _REGISTRY:
        raise ValueError(
            f"unknown generator kind {kind!r}; available: {', '.join(sorted(_REGISTRY))}"
        )
    cls = _REGISTRY[kind]
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise ValueError(
            f"generator kind {kind!r} has no setting(s) {unknown}; "
            f"its settings are: {', '.join(sorted(accepted))}"
        )
    if "kind" in accepted:
        params = {"kind": kind, **params}
    return cls(**params)


def load_synthesizer(path: str | Path) -> BaseSynthesizer:
    """Load any saved synthesizer; the manifest in ``path`` names its kind."""
    _import_builtin_synthesizers()
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.exists():
        raise FileNotFoundError(f"{path} holds no saved synthesizer ({MANIFEST} missing)")
    kind = json.loads(manifest_path.read_text(encoding="utf-8"))["kind"]
    return _REGISTRY[kind].load(path)


def _import_builtin_synthesizers() -> None:
    # Importing the modules runs their @register decorators; a module not yet part of the
    # package is skipped, an error inside an existing one is raised.
    for name in ("baselines", "gan"):
        module = f"ganboost.synthesizers.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
            logger.debug("synthesizer module %s is not available", module)


class BaseSynthesizer(ABC):
    """Shared checks and bookkeeping; subclasses implement ``_fit`` and ``_sample``."""

    kind: ClassVar[str] = ""

    # -- scikit-learn style parameter access --------------------------------------------
    def get_params(self) -> dict[str, Any]:
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- public API -----------------------------------------------------------------------
    def fit(
        self, table: pd.DataFrame, target: str | None = None, schema: TableSchema | None = None
    ) -> BaseSynthesizer:
        """Learn from ``table`` (features and the ``target`` column).

        ``schema`` types the columns; without one it is inferred from the table. A target
        with labels other than class indices (strings such as "yes"/"no", or 3 and 7) is
        mapped to indices in sorted label order and mapped back by :meth:`sample`.
        """
        schema, encoded_table, label_map = prepare_training_table(table, target, schema)
        self.schema_ = schema
        self.target_ = schema.target
        self.label_map_ = label_map
        self.columns_ = list(table.columns)
        labels = encoded_table[schema.target].to_numpy()
        self.class_shares_ = np.bincount(labels, minlength=schema.n_classes) / len(labels)
        self.n_training_rows_ = len(encoded_table)
        try:
            self._fit(encoded_table, schema)
        except BaseException:
            # A failed fit must not leave a half-fitted object that save() would write.
            self._forget_fit()
            raise
        return self

    def sample(
        self,
        n: int,
        class_counts: Mapping[Any, int] | None = None,
        random_state: int | None = None,
    ) -> pd.DataFrame:
        """Return ``n`` synthetic rows with the training table's columns and dtypes.

        ``class_counts`` maps class labels (as in the training table) to row counts and
        must sum to ``n``; by default the training class shares are kept. ``random_state``
        defaults to the constructor's.
        """
        self._check_fitted()
        counts = self.resolve_class_counts(n, class_counts)
        seed = self.random_state if random_state is None else random_state
        rows = self._sample(counts, int(seed))
        return self._restore(rows)

    def save(self, path: str | Path) -> None:
        """Write the fitted synthesizer into the directory ``path`` (created if needed)."""
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        manifest = {
            "kind": self.kind_name(),
            "params": self.get_params(),
            "schema": self.schema_.to_dict(),
            "label_map": [[_jsonable(k), v] for k, v in self.label_map_.items()],
            "columns": self.columns_,
            "class_shares": self.class_shares_.tolist(),
            "n_training_rows": self.n_training_rows_,
            "state": self._state(),
        }
        self._save_arrays(path)
        (path / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BaseSynthesizer:
        path = Path(path)
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        synthesizer = cls(**manifest["params"])
        synthesizer.schema_ = TableSchema.from_dict(manifest["schema"])
        synthesizer.target_ = synthesizer.schema_.target
        synthesizer.label_map_ = {label: index for label, index in manifest["label_map"]}
        synthesizer.columns_ = manifest["columns"]
        synthesizer.class_shares_ = np.asarray(manifest["class_shares"])
        synthesizer.n_training_rows_ = manifest["n_training_rows"]
        synthesizer._restore_state(manifest["state"], path)
        return synthesizer

    def kind_name(self) -> str:
        return getattr(self, "kind", None) or type(self).kind

    # -- class bookkeeping --------------------------------------------------------------
    def resolve_class_counts(
        self, n: int, class_counts: Mapping[Any, int] | None
    ) -> np.ndarray:
        """Rows per class index for a request of ``n`` rows."""
        if not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        if class_counts is None:
            return proportional_counts(n, self.class_shares_)
        counts = np.zeros(len(self.class_shares_), dtype=int)
        for label, count in class_counts.items():
            if label not in self.label_map_:
                raise ValueError(
                    f"class_counts names class {label!r}, which the training target "
                    f"{self.target_!r} does not have; classes: {list(self.label_map_)}"
                )
            if int(count) < 0:
                raise ValueError(f"class_counts[{label!r}] is negative: {count}")
            counts[self.label_map_[label]] = int(count)
        if counts.sum() != n:
            raise ValueError(f"class_counts sum to {counts.sum()}, but n is {n}")
        return counts

    # -- hooks for subclasses -----------------------------------------------------------
    @abstractmethod
    def _fit(self, table: pd.DataFrame, schema: TableSchema) -> None:
        """Learn from ``table`` whose target holds class indices."""

    @abstractmethod
    def _sample(self, class_counts: np.ndarray, seed: int) -> pd.DataFrame:
        """Rows in the schema's storage types, target as class indices, grouped by class."""

    def _state(self) -> dict[str, Any]:
        """JSON-serialisable learned state (arrays go through :meth:`_save_arrays`)."""
        return {}

    def _restore_state(self, state: dict[str, Any], path: Path) -> None:  # noqa: B027
        """Inverse of :meth:`_state` and :meth:`_save_arrays`."""

    def _save_arrays(self, path: Path) -> None:  # noqa: B027
        """Write large learned arrays (weights, stored rows) next to the manifest."""

    # -- helpers ------------------------------------------------------------------------
    def _forget_fit(self) -> None:
        """Drop all learned state (attributes ending in ``_``)."""
        for name in [n for n in vars(self) if n.endswith("_") and not n.startswith("__")]:
            delattr(self, name)

    def _check_fitted(self) -> None:
        if not hasattr(self, "schema_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit() first")

    def _restore(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Cast to the schema's dtypes, map class indices back to the original labels."""
        rows = self.schema_.cast(rows)
        inverse = {index: label for label, index in self.label_map_.items()}
        labels = [inverse[i] for i in rows[self.target_].to_numpy()]
        rows[self.target_] = pd.Series(labels, index=rows.index, dtype=self._label_dtype())
        return rows[self.columns_].reset_index(drop=True)

    def _label_dtype(self) -> Any:
        labels = list(self.label_map_)
        if all(isinstance(v, bool | np.bool_) for v in labels):
            return "bool"
        if all(isinstance(v, int | np.integer) for v in labels):
            return "int64"
        if all(isinstance(v, float | np.floating | int | np.integer) for v in labels):
            return "float64"
        return "str"


def proportional_counts(n: int, shares: np.ndarray) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``shares`` (largest remainder)."""
    shares = np.asarray(shares, dtype=float)
    exact = n * shares / shares.sum()
    counts = np.floor(exact).astype(int)
    remainder = n - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def prepare_training_table(
    table: pd.DataFrame, target: str | None, schema: TableSchema | None
) -> tuple[TableSchema, pd.DataFrame, dict[Any, int]]:
    """Check a training table and return (schema, table with class-index target, label map).

    Raises ``ValueError`` with the offending column for: an empty table, a missing target,
    a target with one class, a column with no values at all, and duplicate column names.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(table).__name__}")
    target = target or (schema.target if schema is not None else None)
    if target is None:
        raise ValueError("name the target column: fit(table, target='...')")
    if table.columns.duplicated().any():
        duplicated = sorted(set(table.columns[table.columns.duplicated()]))
        raise ValueError(f"duplicate column names: {duplicated}; rename them before fitting")
    if target not in table.columns:
        raise ValueError(
            f"target column {target!r} not in table; columns are: {list(table.columns)}"
        )
    if len(table) == 0:
        raise ValueError("the training table is empty (0 rows)")
    if table[target].isna().any():
        raise ValueError(
            f"target column {target!r} has {int(table[target].isna().sum())} missing "
            "values; drop those rows first"
        )
    empty = [c for c in table.columns if c != target and table[c].isna().all()]
    if empty:
        raise ValueError(
            f"column(s) {empty} hold no values at all; drop them before fitting"
        )

    labels = sorted(pd.unique(table[target]).tolist(), key=_label_sort_key)
    if len(labels) < 2:
        raise ValueError(
            f"target column {target!r} has a single class ({labels[0]!r}); "
            "a classifier needs at least two"
        )
    if schema is None:
        schema = infer_schema(table, target, classes=[str(v) for v in labels])
    label_map = {_native(label): index for index, label in enumerate(labels)}
    encoded = schema.cast(table.assign(**{target: table[target].map(label_map)}))
    schema.validate(encoded)
    return schema, encoded, label_map


def _label_sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, int | float | np.integer | np.floating | bool | np.bool_):
        return (0, float(value))
    return (1, str(value))


def _native(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _jsonable(value: Any) -> Any:
    value = _native(value)
    return value if isinstance(value, str | int | float | bool) else str(value)
