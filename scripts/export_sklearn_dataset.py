"""Write a dataset that ships inside scikit-learn to a CSV file, to add it offline via ``path:``.

Usage::

    python scripts/export_sklearn_dataset.py breast_cancer data/breast_cancer.csv
    python scripts/export_sklearn_dataset.py wine data/wine_cultivars.csv

``breast_cancer``: 569 rows, 30 numeric features, target ``diagnosis`` (malignant / benign).
``wine``: 178 rows, 13 numeric features, target ``cultivar`` (three classes, so the entry
needs ``multiclass: true``). The script logs the file's sha256 and a ready ``datasets:``
entry for config.yaml.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import tempfile
from pathlib import Path

import pandas as pd

logger = logging.getLogger("export_sklearn_dataset")

# name -> (loader in sklearn.datasets, target column, extra entry lines)
DATASETS: dict[str, tuple[str, str, str]] = {
    "breast_cancer": ("load_breast_cancer", "diagnosis", "positive_class: malignant"),
    "wine": ("load_wine", "cultivar", "multiclass: true"),
}


def dataset_frame(name: str) -> pd.DataFrame:
    """The features and a text target column of the scikit-learn dataset ``name``."""
    from sklearn import datasets

    loader, target, _ = DATASETS[name]
    bunch = getattr(datasets, loader)(as_frame=True)
    frame = bunch.data.copy()
    frame[target] = bunch.target_names[bunch.target.to_numpy()]
    return frame


def export(name: str, output: Path) -> str:
    """Write dataset ``name`` to ``output`` (CSV, written atomically); return its sha256."""
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(handle)
    try:
        dataset_frame(name).to_csv(temporary, index=False)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(output.read_bytes()).hexdigest()


def config_entry(name: str, output: Path, digest: str) -> str:
    """The ``datasets:`` entry that reads the exported file, named after the file."""
    _, target, extra = DATASETS[name]
    return (
        f"datasets:\n  {output.stem}:\n    path: {output.as_posix()}\n"
        f"    sha256: {digest}\n    target: {target}\n    {extra}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(DATASETS), help="dataset to export")
    parser.add_argument("output", type=Path, help="CSV file to write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    digest = export(args.name, args.output)
    logger.info("wrote %s (sha256 %s); add this under datasets: of an overlay file "
                "(docs/tutorial-own-dataset.md):\n%s", args.output, digest,
                config_entry(args.name, args.output, digest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
