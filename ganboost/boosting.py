"""How many synthetic rows a boost factor asks for, and the training table that results."""

from __future__ import annotations

import pandas as pd

from ganboost.config import REAL, REPLACE


def synthetic_row_count(n_real_rows: int, boost: str) -> int:
    """Rows to generate: ``round((factor - 1) * n)`` for 'x<factor>', ``n`` for 'replace'."""
    if boost == REPLACE:
        return n_real_rows
    if boost == REAL:
        return 0
    if not boost.startswith("x"):
        raise ValueError(f"boost {boost!r} is neither 'x<factor>' nor 'replace'")
    factor = float(boost[1:])
    if not factor > 1:
        raise ValueError(f"boost factor {factor} must be greater than 1")
    return int(round((factor - 1.0) * n_real_rows))


def training_table(real: pd.DataFrame, synthetic: pd.DataFrame | None, boost: str) -> pd.DataFrame:
    """Real rows, real plus synthetic rows, or synthetic rows only (for 'replace')."""
    if boost == REAL or synthetic is None:
        return real.reset_index(drop=True)
    if list(synthetic.columns) != list(real.columns):
        raise ValueError(
            f"synthetic columns {list(synthetic.columns)} differ from the real "
            f"columns {list(real.columns)}"
        )
    if boost == REPLACE:
        return synthetic.reset_index(drop=True)
    return pd.concat([real, synthetic], ignore_index=True)
