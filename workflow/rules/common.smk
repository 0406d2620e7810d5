import re
import sys
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir)))

from ganboost import config as studies
from ganboost.datasets import (
    DatasetError,
    check_not_builtin,
    normalize_entry,
    raw_filename,
    resolve_mirror,
)


def builtin_datasets():
    """Dataset entries of the workflow's own config file(s), before --configfile overlays."""
    if workflow.config_settings.replace_workflow_config:
        return {}
    entries = {}
    for path in workflow.configfiles:
        if path not in workflow.overwrite_configfiles:
            with open(path, encoding="utf-8") as handle:
                entries.update((yaml.safe_load(handle) or {}).get("datasets") or {})
    return entries


def check_schema(config, schema_path):
    """Validate (and fill defaults) like snakemake.utils.validate, with a short message.

    The message names the config files, the key's path, what is wrong and, for a misspelled
    key, the closest allowed name, instead of a dump of the schema.
    """
    import difflib

    import jsonschema

    with open(schema_path, encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(config),
        key=lambda error: list(error.absolute_path),
    )
    if not errors:
        validate(config, schema_path)
        return
    lines = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        hint = ""
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            extra = re.findall(r"'([^']+)'", error.message.split("(")[-1])
            close = [difflib.get_close_matches(key, allowed, n=1) for key in extra]
            hint = "".join(f" (did you mean {c[0]!r}?)" for c in close if c)
            if allowed:
                hint += f"; allowed keys: {', '.join(allowed)}"
        lines.append(f"{where}: {error.message}{hint}")
    sources = ", ".join(str(path) for path in workflow.configfiles) or "config.yaml"
    raise WorkflowError(f"configuration ({sources}):\n  " + "\n  ".join(lines))


check_schema(config, workflow.source_path("../schemas/config.schema.yaml"))

try:
    BUILTIN_DATASETS = builtin_datasets()
    for _name, _entry in config["datasets"].items():
        check_not_builtin(_name, _entry, BUILTIN_DATASETS.get(_name))
    studies.check_config(config)
    DATASETS = {
        name: normalize_entry(name, entry) for name, entry in config["datasets"].items()
    }
except (studies.ConfigError, DatasetError) as error:
    sources = ", ".join(str(path) for path in workflow.configfiles) or "config.yaml"
    raise WorkflowError(f"configuration ({sources}): {error}") from None

STUDIES = config["studies"]
GENERATOR_NAMES = sorted(config["generators"])
MIRROR = config.get("data_mirror")
THREADS = config["threads"]


def one_of(names):
    """A wildcard constraint matching exactly these names (a '.' in a name is literal)."""
    return "|".join(re.escape(name) for name in sorted(names))


wildcard_constraints:
    dataset=one_of(DATASETS),
    seed=r"\d+",
    fraction=r"[0-9.]+",
    generator=one_of(GENERATOR_NAMES),
    boost=r"x[0-9.]+|replace",
    training=rf"real|({one_of(GENERATOR_NAMES)})/(x[0-9.]+|replace)",
    study=one_of(STUDIES),


def study_spec(study):
    spec = dict(STUDIES[study])
    spec["models"] = studies.models_of(spec["models"])
    return spec


def all_targets():
    targets = [
        "results/scores.parquet",
        "results/scores.csv",
        "results/summary.parquet",
        "results/significance.parquet",
        "results/fidelity.parquet",
        "results/report/tables.html",
    ]
    for study in STUDIES:
        targets += studies.study_figure_files(study, study_spec(study))
        targets += studies.study_job_files(study_spec(study))
    return list(dict.fromkeys(targets))


def raw_path(wildcards):
    entry = DATASETS[wildcards.dataset]
    return studies.RAW.format(
        dataset=wildcards.dataset, filename=raw_filename(wildcards.dataset, entry)
    )


def local_source(wildcards):
    """The file of a `path:` dataset, so that editing it makes the copy (and all after) stale.

    A missing file is left to the download job, whose error names the entry and the folder
    a relative path starts from.
    """
    path = DATASETS[wildcards.dataset]["path"]
    if not path:
        return []
    source = Path(path).expanduser()
    copy = Path(raw_path(wildcards))
    if not source.is_file() or (copy.exists() and source.resolve() == copy.resolve()):
        return []
    return [str(source)]


def smallest_fraction(dataset):
    fractions = [
        f
        for spec in STUDIES.values()
        if dataset in spec["datasets"]
        for f in spec["real_fractions"]
    ]
    return min(fractions) if fractions else 1.0


def generator_seed(wildcards):
    return derive_seed(
        int(wildcards.seed), wildcards.dataset, wildcards.fraction, wildcards.generator
    )


def derive_seed(*parts):
    from ganboost.steps import derive_seed as derive

    return derive(*parts)


def synthetic_input(wildcards):
    generator, boost = studies.parse_training(wildcards.training)
    if boost == studies.REAL:
        return []
    return studies.SYNTHETIC.format(
        dataset=wildcards.dataset,
        seed=wildcards.seed,
        fraction=wildcards.fraction,
        generator=generator,
        boost=boost,
    )


def split_inputs(wildcards):
    return {
        "table": studies.TABLE.format(dataset=wildcards.dataset),
        "schema": studies.SCHEMA.format(dataset=wildcards.dataset),
        "split": studies.SPLIT.format(dataset=wildcards.dataset, seed=wildcards.seed),
    }


def figure_inputs(wildcards):
    """The study's scores, plus what a figure draws beyond them."""
    spec = study_spec(wildcards.study)
    inputs = {"scores": studies.STUDY_SCORES.format(study=wildcards.study)}
    first_seed = studies.seeds_of(spec["seeds"])[0]
    largest = studies.fraction_label(max(spec["real_fractions"]))
    where = dict(dataset=wildcards.dataset, seed=first_seed, fraction=largest)
    if wildcards.figure == "gan-log":
        inputs["logs"] = [
            studies.GENERATOR_LOG.format(generator=generator, **where)
            for generator in spec.get("generators", [])
        ]
    elif wildcards.figure == "nn-history":
        inputs["history"] = studies.SEARCH_HISTORY.format(
            training=studies.REAL, **where
        )
    elif wildcards.figure == "fidelity":
        inputs["fidelity"] = studies.STUDY_FIDELITY.format(study=wildcards.study)
    return inputs
