"""Check that two runs of the workflow scored the same: one local, one through SLURM.

Usage: python compare_scores.py LOCAL_SCORES.parquet CLUSTER_SCORES.parquet

Timing columns (wall-clock seconds of a fit or a search) are left out: they differ between any
two runs. Every other column must match row for row, after both tables are sorted on their
non-float columns. Exit status 0 when they match, 1 with a report of the first differences
otherwise.
"""

from __future__ import annotations

import re
import sys

import pandas as pd

TIMING = re.compile(r"seconds|duration|elapsed|(^|_)time($|_)", re.IGNORECASE)


def comparable(table: pd.DataFrame) -> pd.DataFrame:
    """The table without timing columns, columns and rows in a fixed order."""
    table = table.drop(columns=[c for c in table.columns if TIMING.search(c)])
    table = table[sorted(table.columns)]
    keys = [c for c in table.columns if not pd.api.types.is_float_dtype(table[c])]
    return table.sort_values(keys, kind="mergesort").reset_index(drop=True)


def differences(local: pd.DataFrame, cluster: pd.DataFrame) -> list[str]:
    if list(local.columns) != list(cluster.columns):
        return [f"columns differ: {list(local.columns)} vs {list(cluster.columns)}"]
    if len(local) != len(cluster):
        return [f"row counts differ: {len(local)} local vs {len(cluster)} on SLURM"]
    problems = []
    for column in local.columns:
        left, right = local[column], cluster[column]
        same = (left == right) | (left.isna() & right.isna())
        if not same.all():
            first = same.idxmin()
            problems.append(
                f"{column}: {int((~same).sum())} of {len(same)} rows differ, e.g. row {first}: "
                f"{left[first]!r} local vs {right[first]!r} on SLURM"
            )
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    local = pd.read_parquet(argv[1])
    cluster = pd.read_parquet(argv[2])
    dropped = sorted(c for c in local.columns if TIMING.search(c))
    local, cluster = comparable(local), comparable(cluster)
    problems = differences(local, cluster)
    if problems:
        print("scores differ between the local and the SLURM run:", *problems, sep="\n  ")
        return 1
    print(
        f"scores match: {len(local)} rows x {len(local.columns)} columns "
        f"(timing columns left out: {', '.join(dropped) or 'none'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
