"""One function per workflow step, taking and writing files.

The workflow's scripts only unpack ``snakemake`` and call these; tests call them directly.
Every output is written atomically (see :mod:`ganboost.io`).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ganboost import battery, io, splitting
from ganboost.boosting import synthetic_row_count, training_table
from ganboost.config import REAL, SKLEARN_MODELS, parse_training
from ganboost.schema import TableSchema

logger = logging.getLogger(__name__)


def derive_seed(seed: int, *keys: object) -> int:
    """A reproducible 31-bit seed for one (seed, keys...) combination."""
    text = "/".join(str(k) for k in (seed, *keys))
    return zlib.crc32(text.encode("utf-8")) & 0x7FFFFFFF


# -- data ------------------------------------------------------------------------------------
def download(name: str, entry: Mapping[str, Any], output: str, mirror: str | None) -> None:
    from ganboost import datasets

    path = datasets.fetch(
        name, entry, Path(output).parent, mirror=datasets.resolve_mirror(mirror)
    )
    if Path(path) != Path(output):
        raise RuntimeError(f"download wrote {path}, expected {output}")


def preprocess(
    name: str, entry: Mapping[str, Any], raw_path: str, table_path: str, schema_path: str
) -> None:
    from ganboost import datasets, preprocessing

    raw = datasets.read_raw(Path(raw_path), entry, name)
    table, schema = preprocessing.preprocess(raw, entry, name)
    schema.validate(table)
    io.write_table(table, table_path)
    io.write_json(schema.to_dict(), schema_path)
    logger.info("%s: %d rows, %d features, class shares %s", name, len(table),
                len(schema.columns), table[schema.target].value_counts(normalize=True)
                .sort_index().round(3).tolist())


def split(
    table_path: str,
    schema_path: str,
    output: str,
    *,
    seed: int,
    test_size: float,
    smallest_fraction: float,
) -> None:
    table = io.read_table(table_path)
    schema = TableSchema.load(schema_path)
    labels = table[schema.target]
    try:
        # Checked on the labels of the data file, so the message names the class as the
        # user knows it ('rare', not 1).
        splitting.check_class_sizes(
            labels.map(dict(enumerate(schema.classes))), test_size=test_size,
            smallest_fraction=smallest_fraction,
        )
    except splitting.SplitError as error:
        raise splitting.SplitError(f"dataset {schema.dataset!r}: {error}") from None
    io.write_table(splitting.make_split(labels, seed, test_size), output)


def load_parts(
    table_path: str, schema_path: str, split_path: str, fraction: float
) -> tuple[pd.DataFrame, pd.DataFrame, TableSchema]:
    """(real training rows at ``fraction``, test rows, schema)."""
    table = io.read_table(table_path)
    schema = TableSchema.load(schema_path)
    split_table = io.read_table(split_path)
    split_table.index = table.index
    train = splitting.training_rows(table, split_table, schema.target, fraction)
    test = splitting.test_rows(table, split_table)
    return train.reset_index(drop=True), test.reset_index(drop=True), schema


# -- generators ------------------------------------------------------------------------------
def train_generator(
    parts: tuple[pd.DataFrame, pd.DataFrame, TableSchema],
    generator: Mapping[str, Any],
    *,
    random_state: int,
    threads: int,
    model_dir: str,
    log_path: str,
) -> None:
    """Fit the generator described by ``generator`` ({kind, settings}) on the real rows."""
    from ganboost.synthesizers import make_synthesizer

    train, _, schema = parts
    settings = dict(generator.get("settings") or {})
    synthesizer = make_synthesizer(generator["kind"], random_state=random_state, **settings)
    if "threads" in synthesizer.get_params():
        synthesizer.threads = threads
    synthesizer.fit(train, target=schema.target, schema=schema)
    log = getattr(synthesizer, "training_log_", None)
    io.write_table(log if log is not None else pd.DataFrame(), log_path)
    synthesizer.save(model_dir)


def synthesize(
    parts: tuple[pd.DataFrame, pd.DataFrame, TableSchema],
    model_dir: str,
    boost: str,
    output: str,
    *,
    random_state: int,
    class_balance: str = "keep",
) -> None:
    """Generate the rows a boost asks for; ``class_balance`` 'keep' or 'equalize'."""
    from ganboost.synthesizers import load_synthesizer

    train, _, schema = parts
    n_rows = synthetic_row_count(len(train), boost)
    synthesizer = load_synthesizer(model_dir)
    class_counts = _class_counts(train[schema.target], n_rows, class_balance)
    rows = synthesizer.sample(n_rows, class_counts=class_counts, random_state=random_state)
    schema.validate(rows)
    io.write_table(rows, output)


def _class_counts(labels: pd.Series, n_rows: int, class_balance: str) -> dict | None:
    if class_balance == "keep":
        return None
    if class_balance != "equalize":
        raise ValueError(f"class_balance {class_balance!r}: use 'keep' or 'equalize'")
    # Fill up the smaller classes first so the boosted table moves toward equal shares.
    present = labels.value_counts().sort_index()
    target_total = len(labels) + n_rows
    per_class = target_total / len(present)
    wanted = (per_class - present).clip(lower=0)
    if wanted.sum() == 0:
        wanted = pd.Series(1.0, index=present.index)
    from ganboost.synthesizers.base import proportional_counts

    counts = proportional_counts(n_rows, wanted.to_numpy())
    return {int(label): int(c) for label, c in zip(present.index, counts, strict=True)}


# -- scoring ---------------------------------------------------------------------------------
def assemble_training_table(
    parts: tuple[pd.DataFrame, pd.DataFrame, TableSchema],
    training: str,
    synthetic_path: str | None,
) -> tuple[pd.DataFrame, int]:
    """The training table named by ``training`` and its count of synthetic rows."""
    train, _, _ = parts
    _, boost = parse_training(training)
    synthetic = io.read_table(synthetic_path) if boost != REAL else None
    table = training_table(train, synthetic, boost)
    return table, 0 if synthetic is None else len(synthetic)


def score_battery(
    parts: tuple[pd.DataFrame, pd.DataFrame, TableSchema],
    training: str,
    synthetic_path: str | None,
    output: str,
    *,
    random_state: int,
    threads: int,
    models: Sequence[str] = SKLEARN_MODELS,
) -> None:
    table, n_synthetic = assemble_training_table(parts, training, synthetic_path)
    _, test, schema = parts
    scores = battery.run_battery(
        table, test, schema, models=models, random_state=random_state, threads=threads,
        n_synthetic_rows=n_synthetic,
    )
    io.write_table(scores, output)


def score_dense_network(
    parts: tuple[pd.DataFrame, pd.DataFrame, TableSchema],
    training: str,
    synthetic_path: str | None,
    output: str,
    *,
    random_state: int,
    settings: Mapping[str, Any],
) -> None:
    """The battery's dense network with fixed settings (no search)."""
    from ganboost.dense import DenseNetworkClassifier

    table, n_synthetic = assemble_training_table(parts, training, synthetic_path)
    _, test, schema = parts
    network = DenseNetworkClassifier(random_state=random_state, **settings)
    scores = battery.fit_and_score(battery.model_pipeline(schema, network), table, test, schema)
    rows = [{"model": "dense_network", **scores}]
    io.write_table(
        battery.score_table(rows, n_train_rows=len(table), n_synthetic_rows=n_synthetic), output
    )


def score_nn_search(
    parts: tuple[pd.DataFrame, pd.DataFrame, TableSchema],
    training: str,
    synthetic_path: str | None,
    output: str,
    history_output: str,
    *,
    random_state: int,
    threads: int,
    settings: Mapping[str, Any],
) -> None:
    """Randomized search for the dense network; validation folds hold real rows only.

    For 'replace' there are no real training rows, so the folds are cut from the synthetic
    rows themselves.
    """
    from ganboost.dense import search_dense_network

    train, test, schema = parts
    _, boost = parse_training(training)
    synthetic = io.read_table(synthetic_path) if boost != REAL else None
    fold_rows, extra_rows = (synthetic, None) if boost == "replace" else (train, synthetic)
    X_real, y_real = battery.split_xy(fold_rows, schema)
    X_extra, y_extra = (None, None) if extra_rows is None else battery.split_xy(
        extra_rows, schema
    )
    settings = dict(settings)
    result = search_dense_network(
        X_real, y_real, X_extra, y_extra,
        preprocessor=battery.feature_pipeline(schema),
        n_iter=int(settings.pop("n_iter")),
        cv=int(settings.pop("cv", 3)),
        random_state=random_state,
        n_jobs=threads,
        **settings,
    )
    X_test, y_test = battery.split_xy(test, schema)
    estimator = result.best_estimator
    predictions = estimator.predict(X_test).astype(int).ravel()
    scores = battery.score_predictions(
        y_test, predictions, battery.decision_scores(estimator, X_test, schema.n_classes),
        schema.n_classes,
    )
    n_train = len(fold_rows) + (0 if extra_rows is None else len(extra_rows))
    row = {"model": "nn_search", **scores, "fit_seconds": result.search_seconds}
    table = battery.score_table(
        [row], n_train_rows=n_train, n_synthetic_rows=0 if synthetic is None else len(synthetic)
    )
    table["best_params"] = str(result.best_params)
    io.write_table(table, output)
    io.write_table(result.history, history_output)
    logger.info("nn_search: best %s, test accuracy %.3f, %.1f s", result.best_params,
                scores["accuracy"], result.search_seconds)


# -- fidelity ----------------------------------------------------------------------------------
def fidelity(
    parts: tuple[pd.DataFrame, pd.DataFrame, TableSchema],
    synthetic_path: str,
    output: str,
    *,
    random_state: int,
    threads: int,
) -> None:
    """Fidelity and privacy of synthetic rows against the real training rows; the test
    rows serve as the held-out reference for distances to the closest record."""
    from ganboost.fidelity import fidelity_report

    train, test, schema = parts
    synthetic = io.read_table(synthetic_path)
    table = fidelity_report(
        train, synthetic, schema, holdout=test, random_state=random_state, threads=threads
    )
    io.write_table(table, output)


# -- results -----------------------------------------------------------------------------------
SCORE_COLUMNS = [
    "study", "dataset", "real_fraction", "generator", "training_data", "boost_factor", "seed",
    "model", "accuracy", "balanced_accuracy", "f1", "roc_auc", "n_train_rows",
    "n_synthetic_rows", "fit_seconds",
]


def aggregate_study(
    study: str, spec: Mapping[str, Any], scores_output: str, fidelity_output: str
) -> None:
    """One table of every score (and fidelity metric) the study asked for."""
    from ganboost import config

    models = config.models_of(spec["models"])
    frames = []
    for training_set in config.study_training_sets(spec):
        for scorer in config.scorers_for(models):
            scores = io.read_table(training_set.scores_path(scorer))
            scores = scores[scores["model"].isin(models)]
            frames.append(scores.assign(study=study, **training_set.record()))
    table = pd.concat(frames, ignore_index=True)
    extra = [c for c in table.columns if c not in SCORE_COLUMNS]
    io.write_table(table[SCORE_COLUMNS + extra], scores_output)

    fidelity_frames = []
    if spec.get("fidelity", True):
        for generator_set in config.study_generators(spec):
            path = config.FIDELITY.format(**generator_set.wildcards())
            record = {k: v for k, v in generator_set.record().items()
                      if k in ("dataset", "real_fraction", "generator", "seed")}
            fidelity_frames.append(io.read_table(path).assign(study=study, **record))
    fidelity_table = (
        pd.concat(fidelity_frames, ignore_index=True) if fidelity_frames else pd.DataFrame()
    )
    io.write_table(fidelity_table, fidelity_output)


def aggregate(
    study_scores: Sequence[str],
    study_fidelity: Sequence[str],
    outputs: Any,
    *,
    confidence: float,
) -> None:
    """All studies together, with summaries over seeds and boosted-vs-real comparisons."""
    from ganboost import statistics

    scores = pd.concat([io.read_table(p) for p in study_scores], ignore_index=True)
    io.write_table(scores, outputs.scores)
    io.write_csv(scores, outputs.scores_csv)
    keys = ["study", "dataset", "real_fraction", "generator", "training_data",
            "boost_factor", "model"]
    summary = statistics.summarize(
        scores, by=keys, metric=list(battery.METRICS), confidence=confidence
    )
    io.write_table(summary, outputs.summary)
    significance = statistics.paired_comparison(
        scores, metric=list(battery.METRICS), confidence=confidence
    )
    io.write_table(significance, outputs.significance)
    fidelity_frames = [io.read_table(p) for p in study_fidelity]
    fidelity_frames = [f for f in fidelity_frames if len(f)]
    fidelity_table = (
        pd.concat(fidelity_frames, ignore_index=True) if fidelity_frames else pd.DataFrame()
    )
    io.write_table(fidelity_table, outputs.fidelity)


def figure(
    figure_id: str,
    dataset: str,
    spec: Mapping[str, Any],
    inputs: Mapping[str, Any],
    png: str,
    svg: str,
) -> None:
    from ganboost import plots

    scores = io.read_table(inputs["scores"])
    scores = scores[scores["dataset"] == dataset]
    extra: dict[str, Any] = {}
    if "logs" in inputs:
        generators = spec.get("generators", [])
        logs = inputs["logs"]
        logs = [logs] if isinstance(logs, str) else list(logs)
        extra["logs"] = {g: io.read_table(p) for g, p in zip(generators, logs, strict=True)}
    if "history" in inputs:
        extra["history"] = io.read_table(inputs["history"])
    if "fidelity" in inputs:
        fidelity_table = io.read_table(inputs["fidelity"])
        if len(fidelity_table):
            fidelity_table = fidelity_table[fidelity_table["dataset"] == dataset]
        extra["fidelity"] = fidelity_table
    drawing = plots.draw(figure_id, scores, dataset=dataset, **extra)
    plots.save(drawing, png, svg)


# -- report --------------------------------------------------------------------------------------
REPORTED_PACKAGES = (
    "ganboost", "snakemake", "tensorflow-cpu", "tensorflow", "keras", "scikeras",
    "scikit-learn", "imbalanced-learn", "numpy", "pandas", "scipy", "pyarrow", "matplotlib",
)


def software_versions() -> dict[str, str]:
    """Versions of Python and of the packages the results depend on (those installed)."""
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for package in REPORTED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def report_tables(
    summary_path: str,
    significance_path: str,
    fidelity_path: str,
    config: Mapping[str, Any],
    output: str,
) -> None:
    """One HTML page for the report: result tables, the configuration, software versions."""
    import yaml

    from ganboost import reporting

    page = reporting.tables_page(
        summary=io.read_table(summary_path),
        significance=io.read_table(significance_path),
        fidelity=io.read_table(fidelity_path),
        config_text=yaml.safe_dump(dict(config), sort_keys=False),
        versions=software_versions(),
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    io.write_text(page, output)
