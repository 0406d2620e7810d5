"""Studies in ``config.yaml`` expanded into the files the workflow must build.

A *study* names its datasets, real fractions, generators, boost factors, models and seeds.
The workflow builds the union of all studies; a training table that two studies share (same
dataset, seed, real fraction, generator and boost) is one file, built once, because its
path depends on nothing else.

This module is plain Python (no Snakemake) so that the expansion is unit-tested.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# -- where everything goes -----------------------------------------------------------------
RAW = "resources/{dataset}/{filename}"
TABLE = "results/{dataset}/table.parquet"
SCHEMA = "results/{dataset}/schema.json"
SPLIT = "results/{dataset}/seed{seed}/split.parquet"
SETTING_DIR = "results/{dataset}/seed{seed}/f{fraction}"
GENERATOR_MODEL = SETTING_DIR + "/{generator}/model"
GENERATOR_LOG = SETTING_DIR + "/{generator}/training_log.parquet"
SYNTHETIC = SETTING_DIR + "/{generator}/{boost}/synthetic.parquet"
FIDELITY = SETTING_DIR + "/{generator}/fidelity.parquet"
SCORES = SETTING_DIR + "/{training}/scores/{scorer}.parquet"
SEARCH_HISTORY = SETTING_DIR + "/{training}/scores/nn_search_history.parquet"
STUDY_SCORES = "results/studies/{study}/scores.parquet"
STUDY_FIDELITY = "results/studies/{study}/fidelity.parquet"
FIGURE = "results/figures/{study}/{figure}/{dataset}.{ext}"

REAL = "real"
NO_GENERATOR = "none"
REPLACE = "replace"

# -- what a study may ask for ---------------------------------------------------------------
SKLEARN_MODELS = (
    "majority",
    "logistic_regression",
    "svc",
    "random_forest",
    "decision_tree",
    "k_nearest_neighbors",
    "naive_bayes",
)
BATTERY_MODELS = (*SKLEARN_MODELS, "dense_network")
ALL_MODELS = (*BATTERY_MODELS, "nn_search")
MODEL_ALIASES = {"battery": BATTERY_MODELS}
SCORERS = ("battery", "dense_network", "nn_search")
FIGURES = (
    "battery-boost",
    "battery-replace",
    "gan-log",
    "shrink-boost",
    "extreme",
    "nn-history",
    "fidelity",
)
RESERVED_GENERATOR_NAMES = (REAL, NO_GENERATOR, REPLACE)


class ConfigError(ValueError):
    """A setting in config.yaml is wrong; the message names the key and the value."""


@dataclass(frozen=True, order=True)
class TrainingSet:
    """One training table: real rows of one subset, possibly boosted or replaced."""

    dataset: str
    seed: int
    real_fraction: float
    generator: str = NO_GENERATOR
    boost: str = REAL

    @property
    def training_data(self) -> str:
        if self.boost == REAL:
            return "real"
        return "synthetic" if self.boost == REPLACE else "boosted"

    @property
    def boost_factor(self) -> float:
        if self.boost in (REAL, REPLACE):
            return 1.0
        return float(self.boost[1:])

    def wildcards(self) -> dict[str, str]:
        return {
            "dataset": self.dataset,
            "seed": str(self.seed),
            "fraction": fraction_label(self.real_fraction),
            "generator": self.generator,
            "boost": self.boost,
        }

    @property
    def training(self) -> str:
        """The path part naming the training table: 'real' or '<generator>/<boost>'."""
        return REAL if self.boost == REAL else f"{self.generator}/{self.boost}"

    def scores_path(self, scorer: str) -> str:
        return SCORES.format(scorer=scorer, training=self.training, **self.wildcards())

    def history_path(self) -> str:
        return SEARCH_HISTORY.format(training=self.training, **self.wildcards())

    def record(self) -> dict[str, Any]:
        """The columns this training set contributes to every score row."""
        return {
            "dataset": self.dataset,
            "real_fraction": self.real_fraction,
            "generator": self.generator,
            "training_data": self.training_data,
            "boost_factor": self.boost_factor,
            "seed": self.seed,
        }


# -- labels used in paths -------------------------------------------------------------------
def fraction_label(fraction: float) -> str:
    """Canonical text of a real fraction in paths: 0.3 -> '0.3', 1 -> '1.0'."""
    return repr(round(float(fraction), 6))


def boost_label(boost: float | str) -> str:
    """'x1.2' for a boost factor, 'replace' for replacement."""
    if boost == REPLACE:
        return REPLACE
    return "x" + repr(round(float(boost), 6))


def parse_training(training: str) -> tuple[str, str]:
    """Inverse of :attr:`TrainingSet.training`: (generator, boost)."""
    if training == REAL:
        return NO_GENERATOR, REAL
    generator, boost = training.split("/")
    return generator, boost


def seeds_of(value: int | Iterable[int]) -> list[int]:
    """``seeds: 5`` means seeds 0..4; a list is taken as given."""
    if isinstance(value, int):
        return list(range(value))
    return [int(s) for s in value]


def models_of(models: Iterable[str]) -> list[str]:
    """Expand aliases (``battery``) and keep the order, without repeats."""
    expanded: list[str] = []
    for name in models:
        for model in MODEL_ALIASES.get(name, (name,)):
            if model not in expanded:
                expanded.append(model)
    return expanded


def scorers_for(models: Iterable[str]) -> list[str]:
    """Which scoring jobs produce the given models."""
    models = set(models_of(models))
    scorers = []
    if models & set(SKLEARN_MODELS):
        scorers.append("battery")
    for scorer in ("dense_network", "nn_search"):
        if scorer in models:
            scorers.append(scorer)
    return scorers


# -- checks ---------------------------------------------------------------------------------
def check_config(config: Mapping[str, Any]) -> None:
    """Semantic checks the JSON schema cannot express; raise :class:`ConfigError`."""
    datasets = config.get("datasets") or {}
    generators = config.get("generators") or {}
    for name in generators:
        if name in RESERVED_GENERATOR_NAMES:
            raise ConfigError(
                f"generators.{name}: {name!r} is reserved in result paths; pick another name"
            )
    studies = config.get("studies") or {}
    if not studies:
        raise ConfigError("studies: define at least one study")
    for study, spec in studies.items():
        _check_study(study, spec, datasets, generators)


def _check_study(
    study: str, spec: Mapping[str, Any], datasets: Mapping, generators: Mapping
) -> None:
    where = f"studies.{study}"
    for name in spec.get("datasets", []):
        if name not in datasets:
            raise ConfigError(
                f"{where}.datasets: unknown dataset {name!r}{_suggest(name, datasets)}; "
                f"define it under `datasets:` or use one of {sorted(datasets)}"
            )
    for fraction in spec.get("real_fractions", []):
        if not (isinstance(fraction, int | float) and 0 < fraction <= 1):
            raise ConfigError(
                f"{where}.real_fractions: {fraction!r} is outside (0, 1]; "
                "a real fraction is the share of the training split kept, e.g. 0.3 or 1.0"
            )
    for name in spec.get("generators", []):
        if name not in generators:
            raise ConfigError(
                f"{where}.generators: unknown generator {name!r}{_suggest(name, generators)}; "
                f"define it under `generators:` or use one of {sorted(generators)}"
            )
    for boost in spec.get("boost_factors", []):
        if boost == REPLACE:
            continue
        if not isinstance(boost, int | float) or isinstance(boost, bool) or not boost > 1:
            raise ConfigError(
                f"{where}.boost_factors: {boost!r} is not allowed; a boost factor is a "
                "number > 1 (1.2 adds 20% synthetic rows) or 'replace'"
            )
        if not math.isfinite(boost):
            raise ConfigError(f"{where}.boost_factors: {boost!r} is not finite")
    for model in spec.get("models", []):
        if model not in ALL_MODELS and model not in MODEL_ALIASES:
            raise ConfigError(
                f"{where}.models: unknown model {model!r}{_suggest(model, ALL_MODELS)}; "
                f"choose from {', '.join((*MODEL_ALIASES, *ALL_MODELS))}"
            )
    for figure in spec.get("figures", []):
        if figure not in FIGURES:
            raise ConfigError(
                f"{where}.figures: unknown figure {figure!r}{_suggest(figure, FIGURES)}; "
                f"choose from {', '.join(FIGURES)}"
            )
    if spec.get("boost_factors") and not spec.get("generators"):
        raise ConfigError(f"{where}: boost_factors are set but no generators")


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- expansion ------------------------------------------------------------------------------
def study_training_sets(spec: Mapping[str, Any]) -> list[TrainingSet]:
    """Every training table of one study: the real subsets, then boosted / replaced ones."""
    sets = []
    for dataset in spec["datasets"]:
        for seed in seeds_of(spec["seeds"]):
            for fraction in spec["real_fractions"]:
                fraction = float(fraction)
                sets.append(TrainingSet(dataset, seed, fraction))
                for generator in spec.get("generators", []):
                    for boost in spec.get("boost_factors", []):
                        sets.append(
                            TrainingSet(dataset, seed, fraction, generator, boost_label(boost))
                        )
    return sets


def study_generators(spec: Mapping[str, Any]) -> list[TrainingSet]:
    """One entry per trained generator of a study (boost field unused)."""
    seen = {
        TrainingSet(t.dataset, t.seed, t.real_fraction, t.generator, REPLACE)
        for t in study_training_sets(spec)
        if t.generator != NO_GENERATOR
    }
    return sorted(seen)


def study_score_files(spec: Mapping[str, Any]) -> list[str]:
    scorers = scorers_for(spec["models"])
    return [t.scores_path(s) for t in study_training_sets(spec) for s in scorers]


def study_fidelity_files(spec: Mapping[str, Any]) -> list[str]:
    if not spec.get("fidelity", True):
        return []
    return [FIDELITY.format(**g.wildcards()) for g in study_generators(spec)]


def study_job_files(spec: Mapping[str, Any]) -> list[str]:
    """Every per-job file a study needs: splits, generators, synthetic tables, scores, fidelity.

    Listed as targets so that deleting one of them (a generator's model, say) makes Snakemake
    redo that job and what depends on it; a file only reachable through the study's aggregate
    would otherwise count as done while the aggregate exists.
    """
    files = []
    for dataset in spec["datasets"]:
        files.append(TABLE.format(dataset=dataset))
        files.append(SCHEMA.format(dataset=dataset))
        files += [SPLIT.format(dataset=dataset, seed=seed) for seed in seeds_of(spec["seeds"])]
    for generator in study_generators(spec):
        files.append(GENERATOR_MODEL.format(**generator.wildcards()))
        files.append(GENERATOR_LOG.format(**generator.wildcards()))
    for training_set in study_training_sets(spec):
        if training_set.boost != REAL:
            files.append(SYNTHETIC.format(**training_set.wildcards()))
    files += study_score_files(spec)
    if "nn_search" in scorers_for(spec["models"]):
        files += [t.history_path() for t in study_training_sets(spec)]
    files += study_fidelity_files(spec)
    return list(dict.fromkeys(files))


def study_figure_files(study: str, spec: Mapping[str, Any]) -> list[str]:
    return [
        FIGURE.format(study=study, figure=figure, dataset=dataset, ext=ext)
        for figure in spec.get("figures", [])
        for dataset in spec["datasets"]
        for ext in ("png", "svg")
    ]
