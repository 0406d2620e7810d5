"""Training speed of the dense network: Keras steps run one per call against in batches.

For each study dataset this fits the battery's dense network on 80% of the rows twice in the
same process, once with ``steps_per_execution=1`` (Keras's default: Python calls TensorFlow
for every batch) and once with the network's default, and prints the seconds of each fit,
the ratio, and whether both fits gave the same per-epoch history. Early stopping is off, so
both fits train the same number of epochs. The last line is the median ratio.

    python benchmarks/dense_speed.py
    python benchmarks/dense_speed.py --datasets titanic --epochs 50 --repeat 3

Datasets are read from the mirror folder as in benchmarks/gan_speed.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "benchmarks"))

from gan_speed import DEFAULT_DATASETS, load_dataset, mirror_folder  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=",".join(DEFAULT_DATASETS))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=2, help="fits per setting; best is kept")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads")
    parser.add_argument("--config", type=Path, default=REPOSITORY / "config.yaml")
    parser.add_argument("--mirror", type=Path, default=None)
    return parser.parse_args()


def timed_fit(table, schema, steps: int | None, epochs: int):
    from ganboost import battery
    from ganboost.dense import DenseNetworkClassifier

    settings = {"epochs": epochs, "patience": None, "random_state": 0}
    if steps is not None:
        settings["steps_per_execution"] = steps
    network = DenseNetworkClassifier(**settings)
    pipeline = battery.model_pipeline(schema, network)
    features = table.drop(columns=[schema.target])
    start = time.perf_counter()
    pipeline.fit(features, table[schema.target])
    seconds = time.perf_counter() - start
    return seconds, pipeline[-1].history_frame_


def main() -> None:
    arguments = parse_arguments()
    from ganboost.dense import DenseNetworkClassifier
    from ganboost.runtime import configure_tensorflow

    configure_tensorflow(arguments.threads)
    mirror = mirror_folder(arguments.mirror)
    default_steps = DenseNetworkClassifier().steps_per_execution
    header = (f"{'dataset':<10} {'rows':>5} {'epochs':>6} {'1 step/call s':>14} "
              f"{f'{default_steps} steps/call s':>16} {'ratio':>6} {'same history':>13}")
    print(header)
    print("-" * len(header))
    ratios = []
    for name in arguments.datasets.split(","):
        table, schema = load_dataset(name, arguments.config, mirror)
        train = table.sample(frac=0.8, random_state=0).reset_index(drop=True)
        single = [timed_fit(train, schema, 1, arguments.epochs) for _ in range(arguments.repeat)]
        batched = [timed_fit(train, schema, None, arguments.epochs)
                   for _ in range(arguments.repeat)]
        slow = min(seconds for seconds, _ in single)
        fast = min(seconds for seconds, _ in batched)
        same = single[0][1].round(6).equals(batched[0][1].round(6))
        ratios.append(slow / fast)
        print(f"{name:<10} {len(train):>5} {arguments.epochs:>6} {slow:>14.2f} {fast:>16.2f} "
              f"{slow / fast:>5.1f}x {'yes' if same else 'NO':>13}", flush=True)
    print(f"steps_per_execution speedup: {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
