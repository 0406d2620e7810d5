"""Cleaning a raw table into the typed table and its schema.

:func:`preprocess` applies one dataset entry (see :mod:`ganboost.datasets`) in this order:

1. column names become text (Unicode NFC, surrounding spaces removed) and must be unique;
   ``rename`` is applied; every column the entry names must exist (the error suggests the
   closest name);
2. ``drop`` removes columns;
3. missing-value markers become missing: the entry's ``missing_values``, and in text
   columns the common markers ``?``, ``NA``, ``N/A``, ``nan``, ``null``, ``None``,
   ``#N/A``, ``-`` (any case); surrounding spaces are removed from text cells;
4. rows without a target value are dropped; the target becomes class indices;
5. each feature column is typed: the kind from ``kinds`` or inferred (numbers holding only
   0 and 1 are binary, whole numbers integer, other numbers numeric, the rest
   categorical); bounds come from the data.

Handled automatically, each recorded in ``schema.notes`` and logged as a warning:

* a text column whose entries are at least 95% numbers is numeric; the other entries
  become missing (a column that is mostly text stays categorical);
* date columns (datetime values, or text in the form YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY or
  an unambiguous MM/DD/YYYY or DD/MM/YYYY) become days since 1970-01-01, unless
  ``datetimes: reject``; dates that read both as day/month and month/day are an error;
* columns without any value are dropped, even when their kind is declared;
* infinite numbers become missing.

Dropped unless the column is named in ``kinds``:

* constant columns (one value in every row, no missing values): they carry nothing to
  learn and break scaling;
* text columns that look like identifiers or free text: at least 10 distinct labels making
  up more than half of the rows, or more than 100 distinct labels;
* whole-number columns that are unique per row and either count up one by one or have an
  identifier-like name (``id``, ``customer_id``, ``PassengerId``, ``index``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ganboost.datasets import (
    ALL_COLUMNS,
    DatasetError,
    clean_column_name,
    did_you_mean,
    entry_key,
    normalize_entry,
)
from ganboost.schema import ColumnSpec, SchemaError, TableSchema, infer_column

logger = logging.getLogger(__name__)

DEFAULT_MISSING_MARKERS = frozenset({"", "?", "na", "n/a", "nan", "null", "none", "#n/a", "-"})
NUMERIC_SHARE = 0.95
IDENTIFIER_MIN_DISTINCT = 10
IDENTIFIER_DISTINCT_SHARE = 0.5
MAX_CATEGORIES = 100
SMALL_CLASS_ROWS = 5
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
IDENTIFIER_NAME = re.compile(
    r"^(id|index|row|row_?id|row_?number)$|[_\s.\-]id$|^id[_\s.\-]|[a-z]Id$|^unnamed: ?\d+$",
    re.IGNORECASE,
)
DATE_FORMATS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = (
    (re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"),
     ("ISO8601",)),
    (re.compile(r"\d{4}/\d{1,2}/\d{1,2}"), ("%Y/%m/%d",)),
    (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"), ("%d.%m.%Y",)),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), ("%m/%d/%Y", "%d/%m/%Y")),
)


def preprocess(
    raw: pd.DataFrame, entry: Mapping, name: str
) -> tuple[pd.DataFrame, TableSchema]:
    """Clean ``raw`` by the dataset entry; return the typed table and its schema.

    The table holds the kept feature columns in file order (float64 for numeric, integer
    and binary columns, text for categorical ones, NaN for missing) and the target as
    int64 class indices ``0..k-1`` last; ``schema.classes`` holds the class labels and
    ``schema.notes`` every automatic change. Raises :class:`DatasetError` naming the
    entry key, column and fix when the table cannot be used.
    """
    if not isinstance(raw, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(raw).__name__}")
    entry = normalize_entry(name, entry)
    target = entry["target"]
    notes: list[str] = []

    table = prepare_columns(raw, entry, name)
    table = mark_missing(table, entry, name, notes)
    table = _drop_rows_without_target(table, target, name, notes)
    labels, classes = encode_target(table[target], entry, name, notes)

    columns: dict[str, pd.Series] = {}
    specs: list[ColumnSpec] = []
    for column in table.columns.drop(target):
        typed = type_feature(table[column], entry, name, notes)
        if typed is not None:
            columns[column], spec = typed
            specs.append(spec)
    if not specs:
        raise DatasetError(
            f"{entry_key(name)}: no feature column is left besides the target {target!r}; "
            f"check {entry_key(name, 'drop')} and the notes above"
        )

    schema = TableSchema(columns=specs, target=target, classes=classes, dataset=name,
                         notes=notes)
    typed_table = schema.cast(pd.DataFrame(columns).assign(**{target: labels}))
    schema.validate(typed_table)
    logger.info("%s: %d rows, %d features, classes %s", name, len(typed_table), len(specs),
                classes)
    return typed_table, schema


def _note(notes: list[str], message: str) -> None:
    logger.warning("%s", message)
    notes.append(message)


# -- columns ---------------------------------------------------------------------------------
def prepare_columns(raw: pd.DataFrame, entry: Mapping, name: str) -> pd.DataFrame:
    """Clean and check column names, apply ``rename`` and ``drop``; rows renumbered."""
    table = raw.copy()
    table.columns = [clean_column_name(c) for c in raw.columns]
    _check_names(list(table.columns), name, "the table")

    _check_present(name, "rename", entry["rename"], table.columns)
    table = table.rename(columns=entry["rename"])
    _check_names(list(table.columns), name, f"the table after {entry_key(name, 'rename')}")

    _check_present(name, "target", [entry["target"]], table.columns)
    _check_present(name, "drop", entry["drop"], table.columns)
    _check_present(name, "kinds", entry["kinds"], table.columns)
    per_column = [c for c in entry["missing_values"] if c != ALL_COLUMNS]
    _check_present(name, "missing_values", per_column, table.columns)
    return table.drop(columns=entry["drop"]).reset_index(drop=True)


def _check_names(names: list[str], name: str, where: str) -> None:
    if "" in names:
        raise DatasetError(
            f"{entry_key(name)}: column {names.index('') + 1} of {where} has no name; "
            "give it one in the file's header"
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DatasetError(
            f"{entry_key(name)}: {where} has duplicate column names {repeated} (after "
            "trimming spaces); give each column its own name"
        )


def _check_present(name: str, key: str, columns: Any, available: pd.Index) -> None:
    for column in columns:
        if column not in available:
            listing = ", ".join(map(str, available[:30])) + (" ..." if len(available) > 30
                                                            else "")
            raise DatasetError(
                f"{entry_key(name, key)}: column {column!r} is not in the table."
                f"{did_you_mean(column, available)} Columns: {listing}"
            )


# -- missing values --------------------------------------------------------------------------
def mark_missing(
    table: pd.DataFrame, entry: Mapping, name: str, notes: list[str]
) -> pd.DataFrame:
    """Replace missing-value markers by NaN; text cells lose surrounding spaces."""
    markers = entry["missing_values"]
    out = {}
    for column in table.columns:
        given = [*markers.get(ALL_COLUMNS, []), *markers.get(column, [])]
        out[column] = _mark_column(table[column], given, notes)
    return pd.DataFrame(out, index=table.index)


def _mark_column(values: pd.Series, markers: list, notes: list[str]) -> pd.Series:
    numeric_markers = [float(m) for m in pd.to_numeric(pd.Series(markers, dtype=object),
                                                       errors="coerce").dropna()]
    if _is_text(values):
        values = values.map(lambda v: v.strip() if isinstance(v, str) else v)
        text_markers = DEFAULT_MISSING_MARKERS | {str(m).strip().casefold() for m in markers}
        folded = values.astype("str").str.casefold()
        hit = values.notna() & folded.isin(text_markers)
        if numeric_markers:
            hit |= pd.to_numeric(values, errors="coerce").isin(numeric_markers)
        noted = hit & values.astype("str").ne("")
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        hit = values.isin(numeric_markers)
        infinite = pd.Series(np.isinf(values.to_numpy(dtype="float64", na_value=np.nan)),
                             index=values.index)
        if infinite.any():
            _note(notes, f"column {values.name!r}: {int(infinite.sum())} infinite value(s) "
                         "treated as missing")
        noted, hit = hit, hit | infinite
    else:
        return values
    if noted.any():
        found = ", ".join(repr(v) for v in sorted({_label_text(v) for v in values[noted]}))
        _note(notes, f"column {values.name!r}: {int(noted.sum())} entries {found} treated "
                     "as missing")
    return values.mask(hit)


def _drop_rows_without_target(
    table: pd.DataFrame, target: str, name: str, notes: list[str]
) -> pd.DataFrame:
    missing = table[target].isna()
    if missing.all():
        raise DatasetError(
            f"{entry_key(name, 'target')}: column {target!r} holds no values; name the label "
            "column"
        )
    if missing.any():
        _note(notes, f"{int(missing.sum())} row(s) without a value in the target {target!r} "
                     "dropped")
    return table.loc[~missing].reset_index(drop=True)


# -- target ----------------------------------------------------------------------------------
def encode_target(
    values: pd.Series, entry: Mapping, name: str, notes: list[str]
) -> tuple[pd.Series, list[str]]:
    """The target as int64 class indices and the class labels in index order."""
    if entry["positive_threshold"] is not None:
        codes, classes = _threshold_target(values, entry, name)
    elif entry["positive_class"] is not None:
        codes, classes = _positive_class_target(values, entry, name)
    else:
        codes, classes = _label_target(values, entry, name)
    _check_classes(codes, classes, entry, name, notes)
    return codes, classes


def _threshold_target(values: pd.Series, entry: Mapping, name: str):
    target, threshold = entry["target"], entry["positive_threshold"]
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        examples = sorted({_label_text(v) for v in values[numbers.isna()]})[:3]
        raise DatasetError(
            f"{entry_key(name, 'positive_threshold')}: needs a numeric target, but "
            f"{target!r} holds {examples}; use positive_class to pick a label instead"
        )
    shown = _label_text(threshold)
    codes = (numbers >= threshold).astype("int64")
    return codes, [f"{target} < {shown}", f"{target} >= {shown}"]


def _positive_class_target(values: pd.Series, entry: Mapping, name: str):
    labels = sorted_labels(values)
    positive = _label_text(entry["positive_class"])
    if positive not in labels:
        raise DatasetError(
            f"{entry_key(name, 'positive_class')}: {positive!r} is not a label of the target "
            f"{entry['target']!r}.{did_you_mean(positive, labels)} Labels: "
            f"{', '.join(labels[:20])}"
        )
    codes = (_as_labels(values) == positive).astype("int64")
    others = [label for label in labels if label != positive]
    negative = others[0] if len(others) == 1 else f"not {positive}"
    return codes, [negative, positive]


def _label_target(values: pd.Series, entry: Mapping, name: str):
    labels = sorted_labels(values)
    if len(labels) > 2 and not entry["multiclass"]:
        shown = ", ".join(labels[:10]) + (" ..." if len(labels) > 10 else "")
        raise DatasetError(
            f"{entry_key(name, 'target')}: {entry['target']!r} has {len(labels)} classes "
            f"({shown}), but a binary target is expected. Set "
            f"{entry_key(name, 'positive_class')} (that label -> 1, all others -> 0), "
            f"{entry_key(name, 'positive_threshold')} (values >= threshold -> 1), or "
            f"{entry_key(name, 'multiclass')}: true to keep classes 0..{len(labels) - 1}"
        )
    index = {label: i for i, label in enumerate(labels)}
    return _as_labels(values).map(index).astype("int64"), labels


def _check_classes(
    codes: pd.Series, classes: list[str], entry: Mapping, name: str, notes: list[str]
) -> None:
    counts = np.bincount(codes.to_numpy(), minlength=len(classes))
    present = [label for label, count in zip(classes, counts, strict=True) if count]
    if len(present) < 2:
        raise DatasetError(
            f"{entry_key(name, 'target')}: {entry['target']!r} holds a single class "
            f"({present[0]!r}) in all {len(codes)} rows; a classifier needs at least two. "
            "Check the target column, positive_class and positive_threshold"
        )
    shares = ", ".join(f"{label!r} -> {i} ({count} rows)"
                       for i, (label, count) in enumerate(zip(classes, counts, strict=True)))
    notes.append(f"target {entry['target']!r}: {shares}")
    logger.info("%s: target %s", name, shares)
    for label, count in zip(classes, counts, strict=True):
        if count < SMALL_CLASS_ROWS:
            _note(notes, f"class {label!r} of the target has only {count} row(s); a stratified "
                         "split and most models need more")


def sorted_labels(values: pd.Series) -> list[str]:
    """Distinct labels as text, in numeric order when all are numbers, else text order."""
    labels = list(pd.unique(_as_labels(values).dropna()))
    numbers = pd.to_numeric(pd.Series(labels, dtype=object), errors="coerce")
    if len(labels) and numbers.notna().all():
        return [label for _, label in sorted(zip(numbers, labels, strict=True))]
    return sorted(labels)


def _label_text(value: Any) -> str:
    """One label as text; whole numbers without a decimal point (1.0 -> '1')."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def _as_labels(values: pd.Series) -> pd.Series:
    labels = values.map(_label_text, na_action="ignore")
    # pandas < 3 turns NaN into the text "nan" under astype("str"); keep it missing.
    return labels.astype("str").where(labels.notna(), np.nan)


# -- features --------------------------------------------------------------------------------
def type_feature(
    values: pd.Series, entry: Mapping, name: str, notes: list[str]
) -> tuple[pd.Series, ColumnSpec] | None:
    """The typed column and its spec, or None when the column is dropped (with a note)."""
    column = str(values.name)
    declared = entry["kinds"].get(column)
    if values.isna().all():
        _note(notes, f"column {column!r} dropped: it holds no values")
        return None

    if declared != "categorical":
        values = _dates_as_days(values, entry, name, notes)
    if declared == "categorical":
        values = _as_labels(values)
    elif _is_text(values):
        values = _numbers_from_text(values, declared, entry, name, notes)
    else:
        values = _as_float(values)

    if declared is None:
        reason = _drop_reason(values)
        if reason:
            _note(notes, f"column {column!r} dropped: {reason}; name its kind in "
                         f"{entry_key(name, 'kinds')} to keep it")
            return None
    try:
        spec = infer_column(values, declared)
    except SchemaError as error:
        raise DatasetError(f"{entry_key(name, 'kinds')}: {error}") from None
    return values, spec


def _is_text(values: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(values)
        or pd.api.types.is_bool_dtype(values)
        or pd.api.types.is_datetime64_any_dtype(values)
    )


def _as_float(values: pd.Series) -> pd.Series:
    return pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=values.index,
                     name=values.name)


def _numbers_from_text(
    values: pd.Series, declared: str | None, entry: Mapping, name: str, notes: list[str]
) -> pd.Series:
    """Numbers when (nearly) every entry is one; otherwise the text, as labels."""
    text = values.astype("str")
    if entry["decimal"] == ",":
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    numbers = numbers.mask(np.isinf(numbers))
    present = values.notna()
    strays = present & numbers.isna()
    share = 1 - strays.sum() / present.sum()
    if not strays.any():
        return numbers
    examples = ", ".join(repr(v) for v in sorted(set(values[strays].astype("str")))[:5])
    if share >= NUMERIC_SHARE:
        _note(notes, f"column {values.name!r}: {int(strays.sum())} entries that are not "
                     f"numbers ({examples}) treated as missing; declare the column "
                     f"categorical in {entry_key(name, 'kinds')} to keep them as labels")
        return numbers
    if declared is not None:
        raise DatasetError(
            f"{entry_key(name, 'kinds')}.{values.name}: declared {declared}, but "
            f"{int(strays.sum())} of {int(present.sum())} entries are not numbers "
            f"({examples}); list them in {entry_key(name, 'missing_values')} or declare "
            "the column categorical"
        )
    return _as_labels(values)


def _drop_reason(values: pd.Series) -> str | None:
    present = values.dropna()
    distinct = present.nunique()
    if distinct == 1 and len(present) == len(values):
        return f"it holds the single value {_label_text(present.iloc[0])!r} in every row"
    if _is_text(values):
        if distinct > MAX_CATEGORIES or (
            distinct >= IDENTIFIER_MIN_DISTINCT
            and distinct > IDENTIFIER_DISTINCT_SHARE * len(present)
        ):
            return (f"{distinct} distinct labels in {len(present)} rows look like an "
                    "identifier or free text")
        return None
    whole = bool(np.all(present == np.round(present)))
    if whole and distinct == len(present) >= IDENTIFIER_MIN_DISTINCT:
        counts_up = bool(np.all(np.diff(np.sort(present.to_numpy())) == 1))
        if counts_up or IDENTIFIER_NAME.search(str(values.name)):
            return "a different whole number in every row looks like a row identifier"
    return None


# -- dates -----------------------------------------------------------------------------------
def _dates_as_days(
    values: pd.Series, entry: Mapping, name: str, notes: list[str]
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values
    elif _is_text(values):
        stamps = _parse_date_text(values, name)
        if stamps is None:
            return values
    else:
        return values
    if entry["datetimes"] == "reject":
        raise DatasetError(
            f"{entry_key(name, 'datetimes')}: column {values.name!r} holds dates; add it to "
            f"{entry_key(name, 'drop')}, turn it into a number yourself, or set datetimes: "
            "convert (days since 1970-01-01)"
        )
    if stamps.dt.tz is None:
        stamps = stamps.dt.tz_localize("UTC")
    days = (stamps - EPOCH) / pd.Timedelta(days=1)
    _note(notes, f"column {values.name!r} holds dates; converted to days since 1970-01-01")
    return days.astype("float64").rename(values.name)


def _parse_date_text(values: pd.Series, name: str) -> pd.Series | None:
    present = values.dropna().astype("str")
    if present.empty:
        return None
    for pattern, formats in DATE_FORMATS:
        if pattern.fullmatch(present.iloc[0]) is None or not present.map(
            lambda v, p=pattern: p.fullmatch(v) is not None
        ).all():
            continue
        parsed = [pd.to_datetime(values, format=f, errors="coerce", utc=True) for f in formats]
        fitting = [stamps for stamps in parsed if stamps[values.notna()].notna().all()]
        if len(fitting) > 1:
            raise DatasetError(
                f"{entry_key(name)}: column {values.name!r} holds dates such as "
                f"{present.iloc[0]!r} that read both as month/day and as day/month; write "
                f"them as YYYY-MM-DD, or add the column to {entry_key(name, 'drop')}"
            )
        if fitting:
            return fitting[0]
    return None
