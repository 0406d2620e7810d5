"""The workflow end to end on the smoke config, through Snakemake itself.

One module-scoped run builds everything; the tests then check the scores it produced, the
thesis faults that must not come back, and Snakemake's incremental behaviour.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ganboost.schema import TableSchema

pytestmark = pytest.mark.workflow

PROJECT = Path(__file__).resolve().parents[1]
MIRROR = PROJECT.parent / "shared" / "datasets"
DATASETS = ("titanic", "wine", "pima", "debrecen")
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
WORKFLOW_FILES = ("Snakefile", "config.yaml", "workflow", "scripts", "profiles", "envs", "tests")

if not MIRROR.is_dir():
    pytest.skip(f"dataset mirror {MIRROR} not found", allow_module_level=True)


def copy_workflow(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, destination / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".snakemake"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def snakemake(directory: Path, *args: str, env: dict | None = None, check: bool = True):
    # --configfile takes every value up to the next option, so it comes last (targets and
    # other values before it), and only once: a call with overlays names the smoke config too.
    configfiles = [] if "--configfile" in args else ["--configfile", "tests/config/smoke.yaml"]
    command = [*SNAKEMAKE, "--cores", "2", *args, *configfiles]
    environment = {**os.environ, "GANBOOST_DATA_MIRROR": str(MIRROR), **(env or {})}
    result = subprocess.run(command, cwd=directory, env=environment, capture_output=True,
                            text=True, timeout=3600)
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-6000:]}"
        )
    return result


def planned_jobs(directory: Path, *args: str) -> dict[str, int]:
    """Rule -> job count of a dry run."""
    result = snakemake(directory, "--dry-run", "--quiet", "rules", *args)
    counts = {}
    for line in (result.stdout + result.stderr).splitlines():
        match = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if match and match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
    return counts


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    directory = copy_workflow(tmp_path_factory.mktemp("smoke"))
    snakemake(directory)
    return directory


@pytest.fixture(scope="module")
def scores(run) -> pd.DataFrame:
    return pd.read_parquet(run / "results" / "scores.parquet")


def test_scores_table_has_the_promised_columns(scores, run):
    required = {
        "study", "dataset", "real_fraction", "generator", "training_data", "boost_factor",
        "seed", "model", "accuracy", "balanced_accuracy", "f1", "roc_auc", "n_train_rows",
    }
    assert required <= set(scores.columns)
    assert set(scores["dataset"]) == set(DATASETS)
    assert set(scores["training_data"]) == {"real", "boosted", "synthetic"}
    assert (scores.loc[scores["training_data"] != "boosted", "boost_factor"] == 1.0).all()
    assert scores["accuracy"].between(0, 1).all()
    csv = pd.read_csv(run / "results" / "scores.csv")
    assert len(csv) == len(scores)


def test_random_forest_on_real_rows_beats_majority(scores):
    real = scores[(scores["study"] == "battery") & (scores["training_data"] == "real")]
    for dataset in DATASETS:
        by_model = real[real["dataset"] == dataset].groupby("model")["accuracy"].mean()
        assert by_model["random_forest"] > by_model["majority"] + 0.02, dataset


def test_every_study_contributes(scores):
    assert set(scores["study"]) == {"battery", "shrink_boost", "extreme"}
    search = scores[scores["model"] == "nn_search"]
    assert set(search["study"]) == {"shrink_boost", "extreme"}
    assert set(search.loc[search["study"] == "shrink_boost", "real_fraction"]) == {0.5, 1.0}


def test_figures_for_every_dataset(run):
    figures = run / "results" / "figures"
    for figure in ("battery-boost", "battery-replace", "gan-log", "fidelity"):
        for dataset in DATASETS:
            for ext in ("png", "svg"):
                path = figures / "battery" / figure / f"{dataset}.{ext}"
                assert path.stat().st_size > 1000, path
    assert (figures / "shrink_boost" / "shrink-boost" / "titanic.png").exists()
    assert (figures / "shrink_boost" / "nn-history" / "titanic.png").exists()
    assert (figures / "extreme" / "extreme" / "pima.png").exists()


def synthetic_files(run: Path):
    yield from sorted((run / "results").glob("*/seed*/f*/*/*/synthetic.parquet"))


def test_synthetic_labels_and_class_shares(run):
    """Regression test: labels are valid classes (never a thresholded tanh) and keep the
    class shares of the real training rows within 15 points, for every dataset."""
    seen = set()
    for path in synthetic_files(run):
        dataset = path.relative_to(run / "results").parts[0]
        schema = TableSchema.load(run / "results" / dataset / "schema.json")
        synthetic = pd.read_parquet(path)
        labels = synthetic[schema.target]
        assert set(labels.unique()) <= {0, 1}, path
        seed_dir = path.parents[3]
        table = pd.read_parquet(run / "results" / dataset / "table.parquet")
        split = pd.read_parquet(seed_dir / "split.parquet")
        real_share = table.loc[(split["partition"] == "train").to_numpy(), schema.target].mean()
        if len(labels) >= 50:
            assert abs(labels.mean() - real_share) <= 0.15, path
        seen.add(dataset)
    assert seen == set(DATASETS)


def test_decoded_rows_pass_the_schema(run):
    for path in synthetic_files(run):
        dataset = path.relative_to(run / "results").parts[0]
        schema = TableSchema.load(run / "results" / dataset / "schema.json")
        schema.validate(pd.read_parquet(path))


def test_generators_never_see_test_rows_and_each_fraction_has_its_own(run):
    """Regression tests: a generator is trained on its own fraction's rows only."""
    model_dirs = sorted((run / "results" / "titanic" / "seed0").glob("f*/wgan-gp/model"))
    assert {d.parent.parent.name for d in model_dirs} == {"f0.5", "f1.0"}
    rows = {}
    for directory in model_dirs:
        manifest = json.loads((directory / "synthesizer.json").read_text())
        rows[directory.parent.parent.name] = manifest["n_training_rows"]
    split = pd.read_parquet(run / "results" / "titanic" / "seed0" / "split.parquet")
    n_train = int((split["partition"] == "train").sum())
    assert rows["f1.0"] == n_train
    assert rows["f0.5"] == pytest.approx(n_train / 2, abs=2)


def test_summary_significance_and_fidelity_tables(run):
    summary = pd.read_parquet(run / "results" / "summary.parquet")
    assert len(summary) > 0
    significance = pd.read_parquet(run / "results" / "significance.parquet")
    assert len(significance) > 0
    fidelity = pd.read_parquet(run / "results" / "fidelity.parquet")
    assert {"cwgan-gp", "bootstrap"} <= set(fidelity["generator"])


def test_second_run_does_nothing(run):
    assert planned_jobs(run) == {}


def test_logs_and_benchmarks_written(run):
    assert list((run / "logs" / "train_generator").rglob("*.log"))
    assert list((run / "results" / "benchmarks" / "train_generator").rglob("*.tsv"))
    assert list((run / "results" / "benchmarks" / "battery").rglob("*.tsv"))


def test_changing_boost_factors_trains_no_generator(run, tmp_path):
    overlay = tmp_path / "boosts.yaml"
    overlay.write_text("studies:\n  battery:\n    boost_factors: [1.5, replace]\n")
    jobs = planned_jobs(run, "--configfile", "tests/config/smoke.yaml", str(overlay))
    assert "train_generator" not in jobs
    assert jobs["synthesize"] == 4 * 2 * 2  # datasets x seeds x generators, x1.5 only
    assert jobs["battery"] == 4 * 2 * 2
    assert {"aggregate_study", "aggregate", "figure"} <= set(jobs)


def test_deleting_one_generator_reruns_only_its_branch(run):
    model = run / "results" / "pima" / "seed1" / "f1.0" / "cwgan-gp" / "model"
    shutil.rmtree(model)
    jobs = planned_jobs(run)
    assert jobs["train_generator"] == 1
    assert jobs["synthesize"] == 2  # x1.2 and replace of that generator
    assert jobs["battery"] == 2 and jobs["dense_network"] == 2
    assert jobs["fidelity"] == 1
    assert "split" not in jobs and "preprocess" not in jobs
    snakemake(run)
    assert planned_jobs(run) == {}


@pytest.mark.parametrize(
    ("overlay", "expected"),
    [
        ("studies:\n  battery:\n    datasets: [titanik]\n", r"unknown dataset 'titanik'"),
        ("studies:\n  battery:\n    real_fractions: [1.5]\n", r"real_fractions: 1\.5"),
        ("studies:\n  battery:\n    boost_factors: [0.8]\n", r"boost_factors: 0\.8"),
        ("studies:\n  battery:\n    boost_factor: [1.2]\n",
         r"studies\.battery: .*'boost_factor'.*did you mean 'boost_factors'"),
        ("studies:\n  battery:\n    real_fractions: [half]\n",
         r"studies\.battery\.real_fractions\.0: 'half' is not of type 'number'"),
    ],
)
def test_bad_configuration_names_key_and_value(run, tmp_path, overlay, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(overlay)
    result = snakemake(run, "--dry-run", "--configfile", "tests/config/smoke.yaml", str(path),
                       check=False)
    assert result.returncode != 0
    assert re.search(expected, result.stdout + result.stderr)


def test_wrong_checksum_and_missing_mirror_stop_with_a_clear_message(tmp_path):
    directory = copy_workflow(tmp_path / "bad")
    overlay = directory / "bad.yaml"
    # The mirror copy fails the check; the URL is refused on loopback (no network use).
    overlay.write_text(
        "datasets:\n  pima:\n    url: http://127.0.0.1:9/diabetes.csv\n    sha256: "
        + "f" * 64 + "\n"
    )
    result = snakemake(directory, "resources/pima/diabetes.csv", "--configfile",
                       "tests/config/smoke.yaml", str(overlay), check=False)
    assert result.returncode != 0
    log = (directory / "logs" / "download" / "pima" / "diabetes.csv.log").read_text()
    assert "checksum mismatch" in log and "datasets.pima" in log
    assert not (directory / "resources" / "pima" / "diabetes.csv").exists()

    empty_mirror = tmp_path / "empty-mirror"
    empty_mirror.mkdir()
    overlay.write_text("datasets:\n  pima:\n    url: http://127.0.0.1:9/diabetes.csv\n")
    result = snakemake(directory, "resources/pima/diabetes.csv", "--configfile",
                       "tests/config/smoke.yaml", str(overlay),
                       env={"GANBOOST_DATA_MIRROR": str(empty_mirror)}, check=False)
    assert result.returncode != 0
    log = (directory / "logs" / "download" / "pima" / "diabetes.csv.log").read_text()
    assert "pima" in log and "mirror" in log.lower()
    assert not (directory / "resources" / "pima" / "diabetes.csv").exists()


def test_report_builds(run):
    result = snakemake(run, "--report", "report.html")
    assert result.returncode == 0
    html = (run / "report.html").read_text(errors="replace")
    assert "battery-boost" in html
    tables = (run / "results" / "report" / "tables.html").read_text()
    for expected in ("Does adding synthetic rows change accuracy?", "detection AUC",
                     "tensorflow", "scikit-learn", "studies:"):
        assert expected in tables
