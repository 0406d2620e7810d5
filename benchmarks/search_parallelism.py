"""Two cores, two dense-network searches: parallel folds inside a search, or two searches at once.

``threads.nn_search`` in config.yaml sets both the rule's threads and the search's parallel
fits (``n_jobs``, one TensorFlow thread per fit). On a machine with N cores Snakemake then
runs N / threads searches at once. This benchmark runs the same pair of searches (the
workflow's settings: n_iter 4, cv 3, two search seeds) both ways, each search in its own
process as in the workflow:

- ``n_jobs 2``: one search at a time, its candidate fits spread over two worker processes;
- ``n_jobs 1``: both searches at once, each fitting in its own process on one thread;

and prints the wall time and CPU time of each way and their ratio. Run it on an idle machine.

    python benchmarks/search_parallelism.py
    python benchmarks/search_parallelism.py --datasets titanic,wine --n-iter 4
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "benchmarks"))

from gan_speed import load_dataset, mirror_folder  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="titanic,pima")
    parser.add_argument("--n-iter", type=int, default=4)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--config", type=Path, default=REPOSITORY / "config.yaml")
    parser.add_argument("--mirror", type=Path, default=None)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--n-jobs", type=int, default=1, help=argparse.SUPPRESS)
    return parser.parse_args()


def one_search(arguments: argparse.Namespace) -> None:
    """Child process: one search on an 80% split, as the nn_search job runs it."""
    from sklearn.model_selection import train_test_split

    from ganboost import battery
    from ganboost.dense import search_dense_network
    from ganboost.runtime import configure_tensorflow

    configure_tensorflow(1)
    table, schema = load_dataset(arguments.dataset, arguments.config,
                                 mirror_folder(arguments.mirror))
    train, _ = train_test_split(table, test_size=0.2, random_state=arguments.seed,
                                stratify=table[schema.target])
    X, y = battery.split_xy(train, schema)
    result = search_dense_network(
        X, y, preprocessor=battery.feature_pipeline(schema), n_iter=arguments.n_iter,
        cv=arguments.cv, random_state=arguments.seed, n_jobs=arguments.n_jobs,
    )
    print(json.dumps({"best_score": float(result.best_score)}))


def run_children(arguments: argparse.Namespace, dataset: str, n_jobs: int,
                 together: bool) -> tuple[float, float, list[float]]:
    command = [sys.executable, __file__, "--one", "--dataset", dataset, "--n-iter",
               str(arguments.n_iter), "--cv", str(arguments.cv), "--config",
               str(arguments.config), "--n-jobs", str(n_jobs)]
    if arguments.mirror is not None:
        command += ["--mirror", str(arguments.mirror)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    seeds = (0, 1)
    if together:
        processes = [subprocess.Popen(command + ["--seed", str(s)], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for s in seeds]
        done = [(*p.communicate(), p.returncode) for p in processes]
    else:
        done = [(d.stdout, d.stderr, d.returncode) for d in (
            subprocess.run(command + ["--seed", str(s)], capture_output=True, text=True)
            for s in seeds)]
    wall = time.perf_counter() - started
    for _, errors, code in done:
        if code:
            raise SystemExit(f"a search process failed (exit code {code}):\n{errors[-3000:]}")
    outputs = [out for out, _, _ in done]
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    scores = [json.loads(out.strip().splitlines()[-1])["best_score"] for out in outputs]
    return wall, cpu, scores


def main() -> None:
    arguments = parse_arguments()
    if arguments.one:
        one_search(arguments)
        return
    print(f"{'dataset':<10} {'way':<34} {'wall s':>7} {'CPU s':>7}  best CV accuracy (2 seeds)")
    ratios = []
    for dataset in arguments.datasets.split(","):
        results = {}
        for label, n_jobs, together in (("n_jobs 2, one search at a time", 2, False),
                                        ("n_jobs 1, two searches at once", 1, True)):
            wall, cpu, scores = run_children(arguments, dataset, n_jobs, together)
            results[n_jobs] = wall
            print(f"{dataset:<10} {label:<34} {wall:>7.1f} {cpu:>7.1f}  "
                  + " ".join(f"{s:.3f}" for s in scores), flush=True)
        ratios.append(results[2] / results[1])
        print(f"{dataset:<10} wall ratio (n_jobs 2) / (n_jobs 1): {ratios[-1]:.2f}")
    print(f"median wall ratio: {statistics.median(ratios):.2f} "
          "(above 1: two one-thread searches at once finish sooner)")


if __name__ == "__main__":
    main()
