"""The typed description of a preprocessed table: column kinds, bounds, categories, target.

A :class:`TableSchema` travels with every table the workflow writes. The preprocessing step
infers or declares it, the encoder and the synthesizers read it to know how to encode and
decode each column, and :meth:`TableSchema.validate` checks that decoded synthetic rows are
valid rows of the original feature space.

Column kinds
------------
``numeric``
    float column, optionally bounded by ``minimum`` / ``maximum``.
``integer``
    whole numbers (stored as float64 so that missing values stay NaN), bounded.
``binary``
    a 0/1 column (stored as float64, NaN for missing).
``categorical``
    a column of labels (stored as strings), restricted to ``categories``.

The target column is always stored as int64 class indices ``0 .. len(classes) - 1``;
``classes`` holds the original labels in that order (for a binary target the positive
class is index 1).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

ColumnKind = Literal["numeric", "integer", "binary", "categorical"]
COLUMN_KINDS: tuple[str, ...] = ("numeric", "integer", "binary", "categorical")


class SchemaError(ValueError):
    """A table does not match its schema, or a schema is malformed."""


@dataclass
class ColumnSpec:
    """How one feature column is typed and bounded."""

    name: str
    kind: ColumnKind
    minimum: float | None = None
    maximum: float | None = None
    categories: list[str] | None = None
    missing_share: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise SchemaError(
                f"column {self.name!r}: unknown kind {self.kind!r}; "
                f"use one of {', '.join(COLUMN_KINDS)}"
            )
        if self.kind == "categorical" and not self.categories:
            raise SchemaError(f"column {self.name!r}: a categorical column needs categories")
        if self.categories is not None:
            self.categories = [str(c) for c in self.categories]

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("numeric", "integer", "binary")


@dataclass
class TableSchema:
    """Feature columns (in table order), the target column and its class labels."""

    columns: list[ColumnSpec]
    target: str
    classes: list[str]
    dataset: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise SchemaError(f"duplicate column names in schema: {names}")
        if self.target in names:
            raise SchemaError(f"target {self.target!r} is also listed as a feature")
        if len(self.classes) < 2:
            raise SchemaError(f"target {self.target!r} needs at least two classes")
        self.classes = [str(c) for c in self.classes]

    # -- access ---------------------------------------------------------------------------
    @property
    def feature_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def column(self, name: str) -> ColumnSpec:
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def columns_of_kind(self, *kinds: str) -> list[str]:
        return [c.name for c in self.columns if c.kind in kinds]

    # -- persistence ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "target": self.target,
            "classes": self.classes,
            "columns": [_clean(asdict(c)) for c in self.columns],
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableSchema:
        return cls(
            columns=[ColumnSpec(**c) for c in data["columns"]],
            target=data["target"],
            classes=list(data["classes"]),
            dataset=data.get("dataset", ""),
            notes=list(data.get("notes", [])),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TableSchema:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    # -- checking -------------------------------------------------------------------------
    def cast(self, table: pd.DataFrame) -> pd.DataFrame:
        """Return ``table`` with the schema's column order and storage dtypes."""
        out = {}
        for spec in self.columns:
            values = table[spec.name]
            if spec.kind == "categorical":
                # Missing cells stay missing (not the text "nan") on every pandas version.
                out[spec.name] = values.astype("str").where(values.notna(), np.nan)
            else:
                out[spec.name] = pd.to_numeric(values, errors="raise").astype("float64")
        if self.target in table.columns:
            out[self.target] = table[self.target].astype("int64")
        return pd.DataFrame(out, index=table.index)

    def validate(self, table: pd.DataFrame, *, allow_missing: bool = True) -> None:
        """Raise :class:`SchemaError` naming the first column that breaks the schema."""
        missing = [n for n in self.feature_names if n not in table.columns]
        if missing:
            raise SchemaError(f"columns missing from table: {missing}")
        for spec in self.columns:
            _validate_column(table[spec.name], spec, allow_missing=allow_missing)
        if self.target in table.columns:
            labels = table[self.target]
            if labels.isna().any():
                raise SchemaError(f"target {self.target!r} has missing values")
            bad = set(np.unique(labels)) - set(range(self.n_classes))
            if bad:
                raise SchemaError(
                    f"target {self.target!r} holds {sorted(bad)}; "
                    f"expected class indices 0..{self.n_classes - 1}"
                )


def _validate_column(values: pd.Series, spec: ColumnSpec, *, allow_missing: bool) -> None:
    present = values.dropna()
    if not allow_missing and len(present) != len(values):
        raise SchemaError(f"column {spec.name!r} has missing values")
    if spec.kind == "categorical":
        unknown = set(present.astype(str)) - set(spec.categories or [])
        if unknown:
            raise SchemaError(
                f"column {spec.name!r} holds values outside its categories: "
                f"{sorted(unknown)[:5]}"
            )
        return
    numbers = pd.to_numeric(present, errors="coerce")
    if numbers.isna().any():
        raise SchemaError(f"column {spec.name!r} ({spec.kind}) holds non-numeric values")
    if spec.kind in ("integer", "binary") and not np.all(np.isclose(numbers, np.round(numbers))):
        raise SchemaError(f"column {spec.name!r} ({spec.kind}) holds non-integral values")
    if spec.kind == "binary" and not set(np.unique(numbers)) <= {0.0, 1.0}:
        raise SchemaError(f"column {spec.name!r} (binary) holds values other than 0 and 1")
    if spec.minimum is not None and (numbers < spec.minimum - 1e-9).any():
        raise SchemaError(f"column {spec.name!r} falls below its minimum {spec.minimum}")
    if spec.maximum is not None and (numbers > spec.maximum + 1e-9).any():
        raise SchemaError(f"column {spec.name!r} exceeds its maximum {spec.maximum}")


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """JSON-friendly copy: numpy scalars become Python numbers, NaN bounds become None."""
    out = {}
    for key, value in record.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        out[key] = value
    return out


def infer_schema(
    table: pd.DataFrame,
    target: str,
    *,
    classes: list[str] | None = None,
    kinds: dict[str, str] | None = None,
    dataset: str = "",
) -> TableSchema:
    """Type every column but ``target`` from its values; ``kinds`` overrides by name.

    Booleans and numbers holding only 0 and 1 are ``binary``; whole numbers are ``integer``;
    other numbers are ``numeric``; everything else is ``categorical``. Bounds are the
    observed minimum and maximum.
    """
    kinds = dict(kinds or {})
    unknown = sorted(set(kinds) - set(table.columns))
    if unknown:
        raise SchemaError(f"kinds given for columns not in the table: {unknown}")
    columns = []
    for name in table.columns:
        if name == target:
            continue
        columns.append(infer_column(table[name], kinds.get(name)))
    if classes is None:
        classes = [str(v) for v in sorted(pd.unique(table[target].dropna()).tolist())]
    return TableSchema(columns=columns, target=target, classes=classes, dataset=dataset)


def infer_column(values: pd.Series, kind: str | None = None) -> ColumnSpec:
    """The :class:`ColumnSpec` of one column; ``kind`` forces the kind."""
    name = str(values.name)
    present = values.dropna()
    missing_share = float(values.isna().mean()) if len(values) else 0.0
    if pd.api.types.is_datetime64_any_dtype(values):
        raise SchemaError(
            f"column {name!r} holds dates; convert it to a number (e.g. days since a "
            "reference date) or drop it"
        )
    if kind is None:
        kind = _guess_kind(present)
    if kind == "categorical":
        categories = sorted({str(v) for v in present})
        if not categories:
            raise SchemaError(f"column {name!r} holds no values")
        return ColumnSpec(name, "categorical", categories=categories,
                          missing_share=missing_share)
    numbers = pd.to_numeric(present.astype("object"), errors="coerce")
    if numbers.isna().any():
        examples = sorted({str(v) for v in present[numbers.isna()]})[:3]
        raise SchemaError(
            f"column {name!r} is declared {kind} but holds non-numeric values {examples}; "
            "declare them as missing-value markers or make the column categorical"
        )
    numbers = numbers.astype("float64")
    _check_declared_kind(name, kind, numbers)
    minimum = float(numbers.min()) if len(numbers) else None
    maximum = float(numbers.max()) if len(numbers) else None
    return ColumnSpec(name, kind, minimum=minimum, maximum=maximum,
                      missing_share=missing_share)


def _check_declared_kind(name: str, kind: str, numbers: pd.Series) -> None:
    """A forced ``integer`` or ``binary`` kind must fit the values, or validation fails later."""
    if kind not in ("integer", "binary"):
        return
    fractional = numbers[~np.isclose(numbers, np.round(numbers))]
    if len(fractional):
        raise SchemaError(
            f"column {name!r} is declared {kind} but holds fractions such as "
            f"{fractional.iloc[0]}; declare it numeric"
        )
    if kind == "binary":
        others = sorted(set(np.unique(numbers)) - {0.0, 1.0})
        if others:
            raise SchemaError(
                f"column {name!r} is declared binary but holds values other than 0 and 1 "
                f"({[float(v) for v in others[:3]]}); declare it integer or categorical, or "
                "recode it to 0/1"
            )


def _guess_kind(present: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(present):
        return "binary"
    if not pd.api.types.is_numeric_dtype(present):
        return "categorical"
    numbers = present.astype("float64")
    if len(numbers) and set(np.unique(numbers)) <= {0.0, 1.0}:
        return "binary"
    if len(numbers) and np.all(numbers == np.round(numbers)):
        return "integer"
    return "numeric"
