"""Try generator settings quickly: train on synthetic rows only, test on the real test rows.

Fits one synthesizer per generator seed on the real training rows of a finished run's split
(``<results>/<dataset>/seed<N>/split.parquet``), samples as many rows as it was trained on
(the class shares of the training rows), fits the battery's models on those rows alone and
prints their test accuracy, balanced accuracy and ROC AUC beside the majority baseline and the
same models trained on the real rows, all in the same process. Use it to compare settings
before putting them into config.yaml; nothing is written.

    python benchmarks/rows_only.py --dataset wine
    python benchmarks/rows_only.py --dataset wine --kind cwgan-gp \\
        --settings '{"latent_dim": 32, "epochs": 600}' --generator-seeds 2,3
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ganboost import battery, steps
from ganboost.config import SKLEARN_MODELS


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--seed", type=int, default=0, help="split seed of the run")
    parser.add_argument("--kind", default="cwgan-gp")
    parser.add_argument("--settings", default="{}", help="JSON object of synthesizer settings")
    parser.add_argument("--generator-seeds", default="1", help="comma-separated")
    parser.add_argument("--models", default="random_forest,logistic_regression")
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    from ganboost.synthesizers import make_synthesizer

    try:
        settings = json.loads(arguments.settings)
    except json.JSONDecodeError as error:
        settings = error
    if not isinstance(settings, dict):
        raise SystemExit(f"--settings: not a JSON object ({settings}); "
                         "write it like '{\"epochs\": 600}'")
    try:
        seeds = [int(s) for s in arguments.generator_seeds.split(",")]
        synthesizers = [make_synthesizer(arguments.kind, **{"random_state": seed, **settings})
                        for seed in seeds]
        for synthesizer in synthesizers:
            if hasattr(synthesizer, "validate_params"):
                synthesizer.validate_params()
    except (TypeError, ValueError) as error:
        raise SystemExit(f"--kind/--settings/--generator-seeds: {error}") from None
    for synthesizer in synthesizers:
        if "threads" in synthesizer.get_params() and "threads" not in settings:
            synthesizer.threads = arguments.threads
    base = arguments.results / arguments.dataset
    split = base / f"seed{arguments.seed}" / "split.parquet"
    if not split.exists():
        raise SystemExit(f"{split} is missing: run the workflow for dataset "
                         f"{arguments.dataset!r} and seed {arguments.seed} first, "
                         "or pass --results")
    train, test, schema = steps.load_parts(
        str(base / "table.parquet"), str(base / "schema.json"), str(split), 1.0
    )
    models = arguments.models.split(",")
    unknown = sorted(set(models) - set(SKLEARN_MODELS))
    if unknown:
        raise SystemExit(f"--models: unknown {', '.join(unknown)}; "
                         f"choose from {', '.join(SKLEARN_MODELS)}")
    majority = battery.run_battery(train, test, schema, models=["majority"]).accuracy.iloc[0]
    print(f"{arguments.dataset}, split seed {arguments.seed}: {len(train)} training rows, "
          f"{len(test)} test rows; majority class accuracy {majority:.3f}")
    print(f"{'training rows':<28} {'model':<20} {'accuracy':>8} {'bal.acc':>8} {'roc_auc':>8}")

    def report(label: str, table) -> None:
        scores = battery.run_battery(table, test, schema, models=models,
                                     random_state=arguments.seed, threads=arguments.threads)
        for row in scores.itertuples():
            print(f"{label:<28} {row.model:<20} {row.accuracy:>8.3f} "
                  f"{row.balanced_accuracy:>8.3f} {row.roc_auc:>8.3f}", flush=True)

    report("real", train)
    for seed, synthesizer in zip(seeds, synthesizers, strict=True):
        started = time.perf_counter()
        synthesizer.fit(train, target=schema.target, schema=schema)
        seconds = time.perf_counter() - started
        rows = synthesizer.sample(len(train), random_state=seed)
        report(f"{arguments.kind} seed {seed} ({seconds:.0f} s)", rows)


if __name__ == "__main__":
    main()
