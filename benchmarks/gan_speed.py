"""Training speed of every GAN kind on the four study datasets: compiled against eager.

For each dataset and generator kind this trains a fresh GAN for a few compiled epochs (the
code path ``fit`` uses: one TensorFlow graph per epoch) and runs a few iterations of the
very same training step eagerly, in the same process, on the same networks. It prints
seconds per epoch, training rows per second and the compiled/eager ratio per
iteration; the last line is the median ratio.

    python benchmarks/gan_speed.py                       # all kinds, all four datasets
    python benchmarks/gan_speed.py --datasets pima --kinds cwgan-gp --epochs 20

Datasets are read from the mirror folder (``--mirror``, default ``../shared/datasets``
next to the repository, or ``$GANBOOST_DATA_MIRROR``) and cleaned by the dataset entries of
``config.yaml`` through :mod:`ganboost.datasets` and :mod:`ganboost.preprocessing`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = ("titanic", "wine", "pima", "debrecen")
DEFAULT_KINDS = ("dcgan", "wgan-gp", "cdcgan", "cwgan-gp")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=",".join(DEFAULT_DATASETS),
                        help="comma-separated dataset names from config.yaml")
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                        help="comma-separated generator kinds")
    parser.add_argument("--epochs", type=int, default=5,
                        help="compiled epochs timed per run, after one warm-up epoch")
    parser.add_argument("--eager-iterations", type=int, default=8,
                        help="eager iterations timed per run, after one warm-up iteration")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads")
    parser.add_argument("--config", type=Path, default=REPOSITORY / "config.yaml")
    parser.add_argument("--mirror", type=Path, default=None,
                        help="folder with the raw dataset files")
    return parser.parse_args()


def mirror_folder(given: Path | None) -> Path:
    """--mirror, else $GANBOOST_DATA_MIRROR, else ../shared/datasets next to the repository."""
    return given or Path(
        os.environ.get("GANBOOST_DATA_MIRROR", REPOSITORY.parent / "shared" / "datasets")
    )


def load_dataset(name: str, config_path: Path, mirror: Path):
    """(typed table with class-index target, schema) for one dataset entry."""
    import yaml

    from ganboost import datasets, preprocessing

    entry = yaml.safe_load(config_path.read_text(encoding="utf-8"))["datasets"][name]
    normalized = datasets.normalize_entry(name, entry)
    raw_path = mirror / datasets.raw_filename(name, normalized)
    raw = datasets.read_raw(raw_path, normalized, name)
    return preprocessing.preprocess(raw, entry, name)


def measure(table, schema, kind: str, arguments: argparse.Namespace) -> dict:
    """Seconds per compiled epoch and per iteration, compiled and eager, for one run."""
    from ganboost.synthesizers.gan import GANSynthesizer

    trainer = GANSynthesizer(kind=kind, epochs=arguments.epochs,
                             threads=arguments.threads).build_trainer(table, schema)
    started = time.perf_counter()
    trainer.run_epoch()
    trace_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for _ in range(arguments.epochs):
        trainer.run_epoch()
    epoch_seconds = (time.perf_counter() - started) / arguments.epochs

    trainer.eager_epoch(1)
    started = time.perf_counter()
    trainer.eager_epoch(arguments.eager_iterations)
    eager_step = (time.perf_counter() - started) / arguments.eager_iterations

    compiled_step = epoch_seconds / trainer.iterations_per_epoch
    return {
        "trace_s": trace_seconds,
        "epoch_s": epoch_seconds,
        "rows_per_s": trainer.iterations_per_epoch * trainer.batch_size / epoch_seconds,
        "compiled_ms": 1e3 * compiled_step,
        "eager_ms": 1e3 * eager_step,
        "speedup": eager_step / compiled_step,
    }


def main() -> None:
    arguments = parse_arguments()
    from ganboost.runtime import configure_tensorflow

    configure_tensorflow(arguments.threads)
    mirror = mirror_folder(arguments.mirror)
    header = (f"{'dataset':<10} {'kind':<9} {'rows':>5} {'trace s':>8} {'s/epoch':>8} "
              f"{'rows/s':>8} {'ms/it':>7} {'eager ms/it':>12} {'speedup':>8}")
    print(header)
    print("-" * len(header))
    speedups = []
    for name in arguments.datasets.split(","):
        table, schema = load_dataset(name, arguments.config, mirror)
        train = table.sample(frac=0.8, random_state=0).reset_index(drop=True)
        for kind in arguments.kinds.split(","):
            result = measure(train, schema, kind, arguments)
            speedups.append(result["speedup"])
            print(f"{name:<10} {kind:<9} {len(train):>5} {result['trace_s']:>8.2f} "
                  f"{result['epoch_s']:>8.3f} {result['rows_per_s']:>8.0f} "
                  f"{result['compiled_ms']:>7.2f} {result['eager_ms']:>12.1f} "
                  f"{result['speedup']:>7.0f}x", flush=True)
    print(f"compiled/eager speedup: {statistics.median(speedups):.0f}x")


if __name__ == "__main__":
    main()
