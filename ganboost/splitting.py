"""Stratified train/test split per seed and nested real-fraction subsets of the training rows.

A split is stored as one small table with a row per row of the preprocessed table:
``partition`` ("train" or "test") and ``subset_rank``, the position of a training row in a
per-class random order. The subset for real fraction ``f`` keeps, in every class, the
training rows whose rank is below ``round(f * n_class)``; so subsets are stratified and
nested (the 0.3 subset lies inside the 0.4 subset of the same seed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

TRAIN = "train"
TEST = "test"


class SplitError(ValueError):
    """The data cannot be split as asked; the message says which class is too small."""


def make_split(labels: pd.Series, seed: int, test_size: float = 0.2) -> pd.DataFrame:
    """Assign every row to train or test (stratified) and rank the training rows per class.

    Returns a DataFrame indexed like ``labels`` with columns ``partition`` and
    ``subset_rank`` (NaN for test rows).
    """
    labels = pd.Series(np.asarray(labels), index=labels.index)
    check_class_sizes(labels, test_size=test_size, smallest_fraction=None)
    positions = np.arange(len(labels))
    train_positions, _ = train_test_split(
        positions, test_size=test_size, stratify=labels.to_numpy(), random_state=seed
    )
    partition = np.full(len(labels), TEST, dtype=object)
    partition[train_positions] = TRAIN

    rng = np.random.default_rng([seed, 1])
    rank = np.full(len(labels), np.nan)
    train_labels = labels.to_numpy()[train_positions]
    for label in np.unique(train_labels):
        members = train_positions[train_labels == label]
        rank[rng.permutation(members)] = np.arange(len(members))
    return pd.DataFrame(
        {"partition": pd.Series(partition, dtype="str").to_numpy(), "subset_rank": rank},
        index=labels.index,
    )


def subset_size(n_class_rows: int, fraction: float) -> int:
    """Training rows of one class kept at ``fraction`` (at least one)."""
    return max(1, int(round(fraction * n_class_rows)))


def training_mask(split: pd.DataFrame, labels: pd.Series, fraction: float) -> np.ndarray:
    """Boolean mask of the training rows kept at real fraction ``fraction``."""
    if not 0 < fraction <= 1:
        raise SplitError(f"real fraction {fraction!r} is outside (0, 1]")
    is_train = (split["partition"] == TRAIN).to_numpy()
    keep = np.zeros(len(split), dtype=bool)
    label_values = np.asarray(labels)
    for label in np.unique(label_values[is_train]):
        in_class = is_train & (label_values == label)
        cutoff = subset_size(int(in_class.sum()), fraction)
        keep |= in_class & (split["subset_rank"].to_numpy() < cutoff)
    return keep


def test_mask(split: pd.DataFrame) -> np.ndarray:
    return (split["partition"] == TEST).to_numpy()


def training_rows(
    table: pd.DataFrame, split: pd.DataFrame, target: str, fraction: float
) -> pd.DataFrame:
    """The real training rows of ``table`` at ``fraction`` (original row order)."""
    _check_aligned(table, split)
    return table.loc[training_mask(split, table[target], fraction)]


def test_rows(table: pd.DataFrame, split: pd.DataFrame) -> pd.DataFrame:
    _check_aligned(table, split)
    return table.loc[test_mask(split)]


def check_class_sizes(
    labels: pd.Series,
    *,
    test_size: float = 0.2,
    smallest_fraction: float | None = None,
    min_rows_per_class: int = 2,
) -> None:
    """Raise :class:`SplitError` if some class is too small to split as configured.

    Each class needs a row in the test split and ``min_rows_per_class`` training rows left
    at the smallest real fraction (a generator and a classifier need at least two rows).
    """
    counts = pd.Series(np.asarray(labels)).value_counts().sort_index()
    for label, count in counts.items():
        n_test = int(np.ceil(count * test_size))
        n_train = count - n_test
        if n_test < 1 or n_train < 1:
            raise SplitError(
                f"class {label!r} has {count} row(s); a stratified {1 - test_size:.0%}/"
                f"{test_size:.0%} split needs at least 2. Add rows or merge rare classes."
            )
        if smallest_fraction is not None:
            kept = subset_size(n_train, smallest_fraction)
            if kept < min_rows_per_class:
                raise SplitError(
                    f"class {label!r} has {count} row(s): at real fraction "
                    f"{smallest_fraction} only {kept} training row(s) remain, fewer than "
                    f"{min_rows_per_class}. Raise the smallest real fraction or add rows."
                )


def _check_aligned(table: pd.DataFrame, split: pd.DataFrame) -> None:
    if len(table) != len(split) or not table.index.equals(split.index):
        raise SplitError(
            f"split ({len(split)} rows) does not belong to this table ({len(table)} rows); "
            "re-run the split step"
        )
