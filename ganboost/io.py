"""Reading and writing tables so that a crash never leaves a file that looks complete."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd


def write_table(table: pd.DataFrame, path: str | Path) -> None:
    """Write ``table`` to Parquet atomically: a temporary file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_sibling(path) as temporary:
        table.to_parquet(temporary, index=False)
        os.replace(temporary, path)


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_sibling(path) as temporary:
        table.to_csv(temporary, index=False)
        os.replace(temporary, path)


def write_json(data: Any, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_sibling(path) as temporary:
        Path(temporary).write_text(json.dumps(data, indent=2, default=str) + "\n")
        os.replace(temporary, path)


def write_text(text: str, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_sibling(path) as temporary:
        Path(temporary).write_text(text, encoding="utf-8")
        os.replace(temporary, path)


def read_table(path: str | Path) -> pd.DataFrame:
    return pd.read_parquet(path)


class _temporary_sibling:
    """A temporary file name next to ``path``, removed if the write does not finish."""

    def __init__(self, path: Path) -> None:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(handle)
        self.name = name

    def __enter__(self) -> str:
        return self.name

    def __exit__(self, *exc_info: object) -> None:
        if os.path.exists(self.name):
            os.remove(self.name)
