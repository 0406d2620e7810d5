"""Shared test fixtures: small typed tables with every column kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def build_mixed_table(n_rows: int = 160, seed: int = 0, missing: bool = True) -> pd.DataFrame:
    """A table with a numeric, an integer, a binary and a categorical feature and a 0/1
    ``label`` that the features predict. With ``missing``, ``height`` and ``colour`` have
    about 10% missing values."""
    rng = np.random.default_rng(seed)
    label = (rng.random(n_rows) < 0.35).astype(np.int64)
    height = np.round(rng.normal(160 + 15 * label, 6, n_rows), 2)
    visits = rng.poisson(2 + 4 * label).astype(float)
    smoker = (rng.random(n_rows) < 0.2 + 0.5 * label).astype(float)
    colour = np.where(
        label == 1,
        rng.choice(["red", "green", "blue"], n_rows, p=[0.6, 0.2, 0.2]),
        rng.choice(["red", "green", "blue"], n_rows, p=[0.1, 0.5, 0.4]),
    ).astype(object)
    table = pd.DataFrame(
        {"height": height, "visits": visits, "smoker": smoker, "colour": colour,
         "label": label}
    )
    if missing:
        table.loc[rng.random(n_rows) < 0.1, "height"] = np.nan
        table.loc[rng.random(n_rows) < 0.1, "colour"] = np.nan
    return table


@pytest.fixture
def mixed_table() -> pd.DataFrame:
    """160 rows of every column kind, with missing values in ``height`` and ``colour``."""
    return build_mixed_table()


@pytest.fixture
def complete_table() -> pd.DataFrame:
    """Like ``mixed_table`` but without missing values."""
    return build_mixed_table(missing=False)
