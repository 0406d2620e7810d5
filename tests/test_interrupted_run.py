"""A run killed while a generator trains: nothing half-written is ever reused.

Snakemake runs in its own process group on a tiny dataset, with a GAN that trains for many
epochs. Once the job's log shows training epochs, the whole group gets SIGKILL, as from a
crash, the out-of-memory killer or a lost node. Then the user's steps: ``snakemake --cores 2``
asks for ``--unlock``; after it, the same command (the workflow profile sets
``rerun-incomplete``) trains the generator again and finishes with a valid model.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.workflow

PROJECT = Path(__file__).resolve().parents[1]
OVERLAY = "tests/config/interrupted.yaml"
SETTING = "results/interrupted_demo/seed0/f1.0"
MODEL = f"{SETTING}/slow-gan/model"
GENERATOR_LOG = f"{SETTING}/slow-gan/training_log.parquet"
SYNTHETIC = f"{SETTING}/slow-gan/replace/synthetic.parquet"
JOB_LOG = "logs/train_generator/interrupted_demo/seed0/f1.0/slow-gan.log"
EPOCHS = 1000
EPOCH_LINE = re.compile(r"wgan-gp epoch (\d+)/(\d+)")
WAIT_SECONDS = 300


def workflow_copy(destination: Path) -> Path:
    """The Snakefile, its configuration, rules, scripts and profiles; a small data file."""
    destination.mkdir()
    for name in ("Snakefile", "config.yaml", "workflow", "scripts", "profiles", "envs",
                 "tests/config"):
        copy = shutil.copytree if (PROJECT / name).is_dir() else shutil.copy2
        copy(PROJECT / name, destination / name)
    rng = np.random.default_rng(0)
    label = rng.random(120) < 0.4
    (destination / "data").mkdir()
    pd.DataFrame({"a": rng.normal(label * 2.0, 1.0).round(3), "b": rng.normal(size=120),
                  "label": np.where(label, "yes", "no")}).to_csv(
        destination / "data" / "interrupted_demo.csv", index=False)
    return destination


def plain_snakemake(*args: str) -> list[str]:
    """``snakemake --cores 2`` as a user types it: rerun-incomplete comes from the profile."""
    cores = [] if "--cores" in args else ["--cores", "2"]
    return [sys.executable, "-m", "snakemake", *cores, *args, "--configfile", OVERLAY]


def run(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(plain_snakemake(*args), cwd=directory, capture_output=True,
                          text=True, timeout=WAIT_SECONDS)


def shown(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def epochs_logged(directory: Path) -> list[int]:
    log = directory / JOB_LOG
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return [int(match.group(1)) for match in EPOCH_LINE.finditer(text)]


def start_and_kill_during_training(directory: Path) -> None:
    """Start a run; SIGKILL its whole process group once a few epochs are logged."""
    with open(directory / "killed-run.txt", "w") as output:
        process = subprocess.Popen(plain_snakemake(SYNTHETIC), cwd=directory, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while len(epochs_logged(directory)) < 5:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("training never got under way:\n"
                            + (directory / "killed-run.txt").read_text()[-4000:])
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    wait_until_group_is_gone(process.pid)


def wait_until_group_is_gone(group: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"processes of group {group} survived SIGKILL")


@pytest.fixture(scope="module")
def killed(tmp_path_factory) -> tuple[Path, dict]:
    """The project after the kill, and what was on disk right after it."""
    directory = workflow_copy(tmp_path_factory.mktemp("interrupted") / "ganboost")
    start_and_kill_during_training(directory)
    state = {
        "last_epoch": max(epochs_logged(directory)),
        "manifest": (directory / MODEL / "synthesizer.json").exists(),
        "training_log": (directory / GENERATOR_LOG).exists(),
        "synthetic": (directory / SYNTHETIC).exists(),
    }
    return directory, state


@pytest.fixture(scope="module")
def half_saved(killed) -> Path:
    """The model folder a kill during saving leaves: weights begun, no manifest."""
    directory, _ = killed
    (directory / MODEL).mkdir(parents=True, exist_ok=True)
    (directory / MODEL / "generator.npz").write_bytes(b"half written")
    return directory


@pytest.fixture(scope="module")
def rerun(half_saved) -> dict[str, subprocess.CompletedProcess | float]:
    """The user's steps after the kill: run again, unlock, run again."""
    directory = half_saved
    locked = run(directory, SYNTHETIC)
    unlocked = run(directory, "--unlock")
    started = time.time()
    return {"locked": locked, "unlocked": unlocked, "started": started,
            "rerun": run(directory, SYNTHETIC)}


def test_the_kill_hit_the_training(killed):
    _, state = killed
    assert 5 <= state["last_epoch"] < EPOCHS
    assert not state["manifest"] and not state["training_log"] and not state["synthetic"]


def test_snakemake_marks_the_outputs_incomplete(half_saved):
    """The marker from the killed run flags the half-saved model: without the workflow
    profile (so without rerun-incomplete) Snakemake refuses to go on."""
    result = run(half_saved, "--dry-run", "--workflow-profile", "none", "--cores", "1",
                 SYNTHETIC)
    assert result.returncode != 0
    assert "IncompleteFilesException" in shown(result) and MODEL in shown(result)


def test_a_plain_rerun_asks_to_unlock_first(rerun):
    assert rerun["locked"].returncode != 0
    assert "--unlock" in shown(rerun["locked"])
    assert rerun["unlocked"].returncode == 0, shown(rerun["unlocked"])


def test_the_plain_rerun_trains_the_generator_again(half_saved, rerun):
    result = rerun["rerun"]
    assert result.returncode == 0, shown(result)[-6000:]
    # redone because rerun-incomplete forces it, not because it was simply missing
    assert re.search(r"rule train_generator:\n(    .*\n)*    reason: Forced execution",
                     shown(result))
    assert re.search(r"Finished jobid: \d+ \(Rule: train_generator\)", shown(result))
    assert (half_saved / JOB_LOG).stat().st_mtime >= rerun["started"]
    assert epochs_logged(half_saved)[0] == 1 and max(epochs_logged(half_saved)) == EPOCHS


def test_the_redone_model_is_complete_and_valid(half_saved, rerun):
    directory = half_saved
    assert rerun["rerun"].returncode == 0
    manifest = json.loads((directory / MODEL / "synthesizer.json").read_text())
    assert manifest["kind"] == "wgan-gp" and manifest["params"]["epochs"] == EPOCHS
    with np.load(directory / MODEL / "generator.npz") as weights:
        assert len(weights.files) > 0
    assert pd.read_parquet(directory / GENERATOR_LOG)["epoch"].max() == EPOCHS
    rows = pd.read_parquet(directory / SYNTHETIC)
    assert len(rows) == manifest["n_training_rows"]
    assert set(rows["label"]) == {0, 1}
    assert "Nothing to be done" in shown(run(directory, "--dry-run", SYNTHETIC))
