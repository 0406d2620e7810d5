"""Reversible encoding of a typed table into the float32 matrix the GANs learn from.

Layout of an encoded row (left to right):

1. one column per numeric or integer feature, mapped onto [-1, 1], the range of ``tanh``:
   linearly from the training minimum and maximum (``numeric_scaling="minmax"``), or
   through the training rows' empirical distribution function (``"quantile"``), which
   spreads skewed columns evenly over the range;
2. one one-hot block per binary or categorical feature (softmax outputs);
3. with ``missing="regenerate"``: one two-column block ``[present, missing]`` per feature
   that had missing values in the training rows;
4. in ``label="joint"`` mode: a one-hot block over the target's class indices.

The encoder is fitted on training rows only; bounds, fill values and missing shares come
from those rows. :meth:`TableEncoder.inverse_transform` clips numeric columns to the
training bounds, rounds integer columns, decodes every one-hot block by argmax or by
sampling, and puts NaN back where a missing-indicator block says "missing".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ganboost.schema import ColumnSpec, TableSchema

MissingHandling = Literal["impute", "regenerate"]
NumericScaling = Literal["minmax", "quantile"]
LabelMode = Literal["joint", "conditional"]
Decoding = Literal["argmax", "sample"]

MISSING_HANDLINGS: tuple[str, ...] = ("impute", "regenerate")
LABEL_MODES: tuple[str, ...] = ("joint", "conditional")
DECODINGS: tuple[str, ...] = ("argmax", "sample")
NUMERIC_SCALINGS: tuple[str, ...] = ("minmax", "quantile")
MAX_QUANTILE_KNOTS = 1000
BINARY_LEVELS: tuple[str, ...] = ("0", "1")
MISSING_LEVELS: tuple[str, ...] = ("present", "missing")


@dataclass(frozen=True)
class Block:
    """A group of adjacent encoded columns that belong to one source column.

    ``role`` is ``numeric`` (one tanh column), ``category`` (a one-hot block of a binary or
    categorical feature), ``missing`` (the ``[present, missing]`` indicator of a feature) or
    ``target`` (the one-hot class block). ``levels`` names the one-hot columns.
    """

    column: str
    role: Literal["numeric", "category", "missing", "target"]
    start: int
    stop: int
    levels: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return self.stop - self.start

    @property
    def activation(self) -> str:
        return "tanh" if self.role == "numeric" else "softmax"


@dataclass
class _ColumnState:
    """What the encoder learned about one feature from the training rows."""

    name: str
    kind: str
    fill: Any
    minimum: float = 0.0
    maximum: float = 0.0
    levels: tuple[str, ...] = ()
    missing_share: float = 0.0
    knots: tuple[float, ...] = ()
    positions: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        fill = self.fill.item() if isinstance(self.fill, np.generic) else self.fill
        return {
            "name": self.name,
            "kind": self.kind,
            "fill": fill,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "levels": list(self.levels),
            "missing_share": self.missing_share,
            "knots": [float(v) for v in self.knots],
            "positions": [float(v) for v in self.positions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> _ColumnState:
        tuples = {key: tuple(data.get(key, ())) for key in ("levels", "knots", "positions")}
        return cls(**{**data, **tuples})


class TableEncoder:
    """Encode a typed table (see :mod:`ganboost.schema`) for a GAN and decode its output.

    Parameters
    ----------
    schema:
        The table's schema; its column kinds decide each column's encoding.
    missing:
        ``"impute"`` (default) fills missing values with the training median (numeric,
        integer) or most frequent value (binary, categorical) and never decodes NaN.
        ``"regenerate"`` also adds a ``[present, missing]`` block for every feature with
        missing training values, so decoded rows carry NaN at the learned rate.
    label:
        ``"joint"`` (default) appends the target as a one-hot block that the generator
        produces with the features; ``"conditional"`` leaves it out (the class is a
        condition given to the networks, see :meth:`encode_labels`).
    numeric_scaling:
        ``"minmax"`` (default) maps the training minimum to -1 and the maximum to 1
        linearly; ``"quantile"`` maps each value to its (mid-rank) position in the training
        rows, from -1 for the minimum to 1 for the maximum, interpolating linearly between
        at most 1000 knots. Both decode into the training bounds.
    """

    def __init__(
        self,
        schema: TableSchema,
        missing: MissingHandling = "impute",
        label: LabelMode = "joint",
        numeric_scaling: NumericScaling = "minmax",
    ) -> None:
        _check_choice("missing", missing, MISSING_HANDLINGS)
        _check_choice("label", label, LABEL_MODES)
        _check_choice("numeric_scaling", numeric_scaling, NUMERIC_SCALINGS)
        self.schema = schema
        self.missing = missing
        self.label = label
        self.numeric_scaling = numeric_scaling

    # -- fitting --------------------------------------------------------------------------
    def fit(self, table: pd.DataFrame) -> TableEncoder:
        """Learn bounds, fill values and missing shares from the training rows ``table``."""
        if len(table) == 0:
            raise ValueError("cannot fit the encoder on an empty table (0 rows)")
        table = self.schema.cast(table)
        self.columns_ = [
            _fit_column(table[spec.name], spec, self.numeric_scaling)
            for spec in self.schema.columns
        ]
        self.blocks_ = self._layout()
        return self

    def _layout(self) -> list[Block]:
        blocks: list[Block] = []
        position = 0

        def add(column: str, role: Any, levels: tuple[str, ...], width: int) -> None:
            nonlocal position
            blocks.append(Block(column, role, position, position + width, levels))
            position += width

        for state in self.columns_:
            if state.kind in ("numeric", "integer"):
                add(state.name, "numeric", (), 1)
        for state in self.columns_:
            if state.kind in ("binary", "categorical"):
                add(state.name, "category", state.levels, len(state.levels))
        if self.missing == "regenerate":
            for state in self.columns_:
                if state.missing_share > 0:
                    add(state.name, "missing", MISSING_LEVELS, 2)
        if self.label == "joint":
            add(self.schema.target, "target", tuple(self.schema.classes), self.n_classes)
        return blocks

    # -- layout ---------------------------------------------------------------------------
    @property
    def blocks(self) -> list[Block]:
        """Every block of the encoded row, left to right."""
        self._check_fitted()
        return self.blocks_

    @property
    def output_dim(self) -> int:
        """Width of an encoded row (number of float32 columns)."""
        return self.blocks[-1].stop if self.blocks else 0

    @property
    def n_numeric(self) -> int:
        """Number of leading tanh columns; columns ``0 .. n_numeric - 1`` are numeric."""
        return sum(1 for block in self.blocks if block.role == "numeric")

    @property
    def softmax_blocks(self) -> list[tuple[int, int]]:
        """``(start, stop)`` of every one-hot block, in order; they cover the columns after
        the numeric ones without gaps."""
        return [(b.start, b.stop) for b in self.blocks if b.activation == "softmax"]

    @property
    def n_classes(self) -> int:
        return self.schema.n_classes

    @property
    def target_block(self) -> Block | None:
        """The class block in joint mode, ``None`` in conditional mode."""
        return next((b for b in self.blocks if b.role == "target"), None)

    # -- encoding -------------------------------------------------------------------------
    def transform(self, table: pd.DataFrame) -> np.ndarray:
        """Encode ``table`` (storage types of the schema) as a float32 array.

        Returns an array of shape ``(len(table), output_dim)``. In joint mode the table
        must hold the target column (class indices ``0 .. k-1``).
        """
        self._check_fitted()
        table = self.schema.cast(table)
        states = {state.name: state for state in self.columns_}
        out = np.zeros((len(table), self.output_dim), dtype=np.float32)
        for block in self.blocks_:
            if block.role == "target":
                out[:, block.start:block.stop] = self.encode_labels(table[self.schema.target])
                continue
            values = table[block.column]
            state = states[block.column]
            if block.role == "missing":
                indicator = values.isna().to_numpy().astype(int)
                out[:, block.start:block.stop] = np.eye(2, dtype=np.float32)[indicator]
            elif block.role == "numeric":
                out[:, block.start] = _scale(values.fillna(state.fill).to_numpy(), state)
            else:
                out[:, block.start:block.stop] = _one_hot(_levels_of(values, state), state)
        return out

    def encode_labels(self, labels: Any) -> np.ndarray:
        """One-hot encode class indices: shape ``(n, n_classes)``, float32."""
        indices = np.asarray(labels, dtype=np.int64)
        if indices.size and (indices.min() < 0 or indices.max() >= self.n_classes):
            raise ValueError(
                f"class indices must lie in 0..{self.n_classes - 1}; got "
                f"{sorted(set(indices.tolist()))[:5]}"
            )
        return np.eye(self.n_classes, dtype=np.float32)[indices]

    # -- decoding -------------------------------------------------------------------------
    def inverse_transform(
        self,
        array: np.ndarray,
        labels: Any = None,
        decoding: Decoding = "argmax",
        random_state: int | np.random.Generator | None = None,
    ) -> pd.DataFrame:
        """Decode encoded (or generated) rows back into the schema's storage types.

        ``array`` has shape ``(n, output_dim)``; one-hot blocks may hold any non-negative
        scores (e.g. softmax outputs). ``decoding="argmax"`` picks the largest score of
        each block, ``"sample"`` draws a level with probability proportional to the scores
        using ``random_state``. ``labels`` (class indices, length ``n``) fills the target
        column in conditional mode; in joint mode the target is decoded from its block.
        Without either, the result holds the features only.
        """
        self._check_fitted()
        _check_choice("decoding", decoding, DECODINGS)
        array = np.asarray(array, dtype=np.float64)
        if array.ndim != 2 or array.shape[1] != self.output_dim:
            raise ValueError(
                f"expected an array of shape (n, {self.output_dim}), got {array.shape}"
            )
        rng = np.random.default_rng(random_state)
        chosen = {
            (block.column, block.role): _pick(array[:, block.start:block.stop], decoding, rng)
            for block in self.blocks_
            if block.activation == "softmax"
        }
        data: dict[str, Any] = {}
        for state in self.columns_:
            data[state.name] = self._decode_column(state, array, chosen)
        if self.label == "joint":
            data[self.schema.target] = chosen[(self.schema.target, "target")]
        elif labels is not None:
            data[self.schema.target] = np.asarray(labels, dtype=np.int64)
        return self.schema.cast(pd.DataFrame(data))

    def _decode_column(
        self, state: _ColumnState, array: np.ndarray, chosen: dict[tuple[str, str], np.ndarray]
    ) -> pd.Series:
        if state.kind in ("numeric", "integer"):
            start = next(b.start for b in self.blocks_ if b.column == state.name)
            values = pd.Series(_unscale(array[:, start], state))
        else:
            levels = np.asarray(state.levels, dtype=object)[chosen[(state.name, "category")]]
            values = pd.Series(levels.astype(float) if state.kind == "binary" else levels)
        missing = chosen.get((state.name, "missing"))
        if missing is not None:
            values = values.where(missing == 0)
        return values

    # -- persistence ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state (the schema is stored separately by the caller)."""
        self._check_fitted()
        return {
            "missing": self.missing,
            "label": self.label,
            "numeric_scaling": self.numeric_scaling,
            "columns": [state.to_dict() for state in self.columns_],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], schema: TableSchema) -> TableEncoder:
        encoder = cls(schema, missing=data["missing"], label=data["label"],
                      numeric_scaling=data.get("numeric_scaling", "minmax"))
        encoder.columns_ = [_ColumnState.from_dict(column) for column in data["columns"]]
        encoder.blocks_ = encoder._layout()
        return encoder

    def _check_fitted(self) -> None:
        if not hasattr(self, "blocks_"):
            raise RuntimeError("TableEncoder is not fitted yet; call fit(table) first")


# -- per-column helpers ---------------------------------------------------------------------
def _fit_column(values: pd.Series, spec: ColumnSpec, numeric_scaling: str) -> _ColumnState:
    present = values.dropna()
    if present.empty:
        raise ValueError(f"column {spec.name!r} holds no values in the training rows")
    missing_share = float(values.isna().mean())
    if spec.kind in ("numeric", "integer"):
        numbers = present.to_numpy(dtype=np.float64)
        knots, positions = (
            _quantile_knots(numbers) if numeric_scaling == "quantile" else ((), ())
        )
        return _ColumnState(
            spec.name, spec.kind, fill=float(np.median(numbers)),
            minimum=float(numbers.min()), maximum=float(numbers.max()),
            missing_share=missing_share, knots=knots, positions=positions,
        )
    if spec.kind == "binary":
        levels = BINARY_LEVELS
        present = present.astype(int).astype(str)
    else:
        levels = tuple(spec.categories or ())
    # Most frequent level; ties go to the first level in schema order.
    counts = present.astype(str).value_counts()
    fill = max(levels, key=lambda level: counts.get(level, 0))
    return _ColumnState(spec.name, spec.kind, fill=fill, levels=levels,
                        missing_share=missing_share)


def _quantile_knots(numbers: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Distinct training values and their mid-rank positions stretched onto [-1, 1]."""
    values, counts = np.unique(numbers, return_counts=True)
    if len(values) == 1:
        return (), ()
    mid_ranks = np.cumsum(counts) - counts / 2.0
    positions = 2.0 * (mid_ranks - mid_ranks[0]) / (mid_ranks[-1] - mid_ranks[0]) - 1.0
    count = min(len(values), MAX_QUANTILE_KNOTS)
    keep = np.unique(np.linspace(0, len(values) - 1, count).round().astype(int))
    return tuple(values[keep].tolist()), tuple(positions[keep].tolist())


def _scale(values: np.ndarray, state: _ColumnState) -> np.ndarray:
    span = state.maximum - state.minimum
    if span == 0:
        return np.zeros(len(values))
    if state.knots:
        return np.interp(values, state.knots, state.positions)
    return 2.0 * (values - state.minimum) / span - 1.0


def _unscale(scaled: np.ndarray, state: _ColumnState) -> np.ndarray:
    scaled = np.clip(scaled, -1.0, 1.0)
    if state.knots:
        values = np.interp(scaled, state.positions, state.knots)
    else:
        values = state.minimum + (scaled + 1.0) / 2.0 * (state.maximum - state.minimum)
    values = np.clip(values, state.minimum, state.maximum)
    return np.round(values) if state.kind == "integer" else values


def _levels_of(values: pd.Series, state: _ColumnState) -> np.ndarray:
    if state.kind == "binary":
        strings = values.fillna(float(state.fill)).astype(int).astype(str)
    else:
        strings = values.fillna(state.fill).astype(str)
    index = {level: i for i, level in enumerate(state.levels)}
    unknown = sorted(set(strings) - set(index))
    if unknown:
        raise ValueError(
            f"column {state.name!r} holds values the encoder did not see in training: "
            f"{unknown[:5]}"
        )
    return strings.map(index).to_numpy(dtype=np.int64)


def _one_hot(indices: np.ndarray, state: _ColumnState) -> np.ndarray:
    return np.eye(len(state.levels), dtype=np.float32)[indices]


def _pick(scores: np.ndarray, decoding: str, rng: np.random.Generator) -> np.ndarray:
    """Index of the chosen level per row of a ``(n, width)`` score block."""
    if decoding == "argmax":
        return np.argmax(scores, axis=1)
    weights = np.clip(scores, 0.0, None)
    totals = weights.sum(axis=1, keepdims=True)
    uniform = np.full_like(weights, 1.0 / weights.shape[1])
    probabilities = np.where(totals > 0, weights / np.where(totals > 0, totals, 1.0), uniform)
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random((len(scores), 1)) * cumulative[:, -1:]
    return np.minimum((cumulative < draws).sum(axis=1), scores.shape[1] - 1)


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
