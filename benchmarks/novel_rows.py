"""Train-on-synthetic accuracy on test rows the training rows do not already contain.

Some datasets repeat rows: on Wine Quality about a quarter of the test rows have the same
feature values as a training row, and a random forest fitted on the real rows classifies those
by memory. A generator that does not copy its training rows cannot match that part of the
score, so this script splits the test rows of a finished run into *seen* (the features occur in
the real training rows) and *novel* (they do not) and prints, per dataset and seed, the
majority baseline and the random forest's accuracy on both parts, trained once on the real rows
and once on each generator's ``replace`` rows. The reference is the forest on real rows, fitted
in the same process with the same settings as the workflow's battery. Each model's gain over the
majority class comes with the two-sided exact McNemar p-value on the same test rows, so a gain
of a point or two can be told from noise.

    python benchmarks/novel_rows.py                      # every dataset and seed in results/
    python benchmarks/novel_rows.py --results /path/to/results --seeds 0 --generators cwgan-gp

It reads the workflow's files (table, schema, split, synthetic rows at real fraction 1.0) and
writes nothing.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ganboost import battery, io, statistics, steps


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--datasets", default=None, help="comma-separated; default: all found")
    parser.add_argument("--seeds", default=None, help="comma-separated; default: all found")
    parser.add_argument("--generators", default=None, help="comma-separated; default: all found")
    parser.add_argument("--model", default="random_forest")
    return parser.parse_args()


def correctness(model: str, table: pd.DataFrame, test: pd.DataFrame, schema,
                seed: int) -> np.ndarray:
    """Per test row: does ``model`` fitted on ``table`` classify it right?"""
    pipeline = battery.model_pipeline(
        schema, battery.sklearn_model(model, random_state=seed, threads=1,
                                      n_classes=schema.n_classes),
    )
    X, y = battery.split_xy(table, schema)
    X_test, y_test = battery.split_xy(test, schema)
    pipeline.fit(X, y)
    return np.asarray(np.asarray(pipeline.predict(X_test)).astype(int) == y_test)


def chosen(found: list, wanted: str | None, what: str, where: Path) -> list:
    """The names asked for (all found if none); an unknown name stops with the found ones."""
    if wanted is None:
        return found
    try:
        names = [type(found[0])(name) if found else name for name in wanted.split(",")]
    except ValueError:
        raise SystemExit(f"--{what}s {wanted!r}: write a comma-separated list like "
                         f"{','.join(map(str, found))}") from None
    unknown = [name for name in names if name not in found]
    if unknown:
        raise SystemExit(f"{where}: no {what} {', '.join(map(str, unknown))}; found: "
                         f"{', '.join(map(str, found)) or 'none'}")
    return names


def main() -> None:
    arguments = parse_arguments()
    root = arguments.results
    datasets = sorted(p.parent.name for p in root.glob("*/schema.json"))
    if not datasets:
        raise SystemExit(f"{root}: no <dataset>/schema.json here; run the workflow first or "
                         "pass --results")
    header = (f"{'dataset':<10} {'seed':>4} {'training rows':<26} {'test':>5} {'seen':>6} "
              f"{'all':>6} {'novel':>6} {'gain':>7} {'p':>8}")
    print(header)
    print("-" * len(header))
    asked_generators = arguments.generators and arguments.generators.split(",")
    seen_generators: set[str] = set()
    for dataset in chosen(datasets, arguments.datasets, "dataset", root):
        base = root / dataset
        if not (base / "table.parquet").exists():
            raise SystemExit(f"{base / 'table.parquet'} is missing: run the workflow's "
                             f"preprocess step for {dataset!r} first")
        seeds = sorted(int(match.group(1)) for p in base.glob("seed*/split.parquet")
                       if (match := re.fullmatch(r"seed(\d+)", p.parent.name)))
        for seed in chosen(seeds, arguments.seeds, "seed", base):
            train, test, schema = steps.load_parts(
                str(base / "table.parquet"), str(base / "schema.json"),
                str(base / f"seed{seed}" / "split.parquet"), 1.0,
            )
            seen = battery.rows_seen_in(train, test, schema.feature_names)
            rows = [("majority class", correctness("majority", train, test, schema, seed)),
                    (f"{arguments.model}, real", correctness(
                        arguments.model, train, test, schema, seed))]
            folder = base / f"seed{seed}" / "f1.0"
            generators = sorted(p.parts[-3] for p in folder.glob("*/replace/synthetic.parquet"))
            seen_generators.update(generators)
            if asked_generators is not None:
                generators = [g for g in asked_generators if g in generators]
            for generator in generators:
                rows_path = folder / generator / "replace" / "synthetic.parquet"
                rows.append((f"{generator} rows only", correctness(
                    arguments.model, io.read_table(rows_path), test, schema, seed)))
            majority = rows[0][1]
            for label, correct in rows:
                novel = "-" if seen.all() else f"{correct[~seen].mean():.3f}"
                gain, p_value = "", ""
                if correct is not majority:
                    gain = f"{correct.mean() - majority.mean():+.3f}"
                    p_value = f"{statistics.mcnemar_exact_p_value(correct, majority):.2g}"
                print(f"{dataset:<10} {seed:>4} {label:<26} {len(test):>5} {seen.mean():>6.3f} "
                      f"{correct.mean():>6.3f} {novel:>6} {gain:>7} {p_value:>8}")
    print("seen: share of test rows whose features occur in the real training rows; "
          "novel: accuracy on the other test rows; gain: accuracy minus the majority class's; "
          "p: exact McNemar test against the majority class on all test rows")
    missing = sorted(set(asked_generators or []) - seen_generators)
    if missing:
        raise SystemExit(f"{root}: no replace rows of generator(s) {', '.join(missing)} at real "
                         f"fraction 1.0; found: {', '.join(sorted(seen_generators)) or 'none'}")


if __name__ == "__main__":
    main()
