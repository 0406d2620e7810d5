"""The smoke config through the SLURM profile on the project's test cluster.

Runs .ci/slurm/check.sh on the smoke config narrowed by .ci/slurm/quick.yaml (Pima, one seed,
a three-epoch GAN and bootstrap): every non-local job must go through sbatch and finish, the
profile's groups must bundle them into fewer sbatch jobs, and the scores must equal those of a
local run. A few minutes on two quiet cores. Skipped unless the one-node test cluster of
.ci/slurm/ is up (`.ci/slurm/install.sh && .ci/slurm/start.sh`, as root); it never submits to
another cluster. For the whole smoke config run `.ci/slurm/check.sh` itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.workflow

PROJECT = Path(__file__).resolve().parents[1]
CHECK = PROJECT / ".ci" / "slurm" / "check.sh"
CONFIG_FILES = ("tests/config/smoke.yaml", ".ci/slurm/quick.yaml")
MIRROR = PROJECT.parent / "shared" / "datasets"
TEST_CLUSTER = "ganboost"  # ClusterName written by .ci/slurm/start.sh


def cluster_problem() -> str | None:
    """Why the test cluster cannot be used here, or None when it can."""
    if shutil.which("sinfo") is None:
        return "no SLURM client commands (sinfo) on this machine"
    try:
        config = subprocess.run(
            ["scontrol", "show", "config"], capture_output=True, text=True, timeout=20
        )
        nodes = subprocess.run(
            ["sinfo", "--noheader", "--states=idle,mix", "--format=%n"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"SLURM did not answer: {error}"
    if config.returncode != 0:
        return f"no SLURM controller reachable: {config.stderr.strip()[:200]}"
    names = [
        line.split("=", 1)[1].strip()
        for line in config.stdout.splitlines()
        if line.startswith("ClusterName")
    ]
    if names != [TEST_CLUSTER]:
        return f"the reachable cluster is {names}, not the project's test cluster"
    if not nodes.stdout.strip():
        return "the test cluster has no idle node"
    return None


def test_smoke_run_through_slurm_matches_local_run(tmp_path):
    problem = cluster_problem()
    if problem:
        pytest.skip(f"{problem}; start it with .ci/slurm/install.sh && .ci/slurm/start.sh")
    if not MIRROR.is_dir():
        pytest.skip(f"dataset mirror {MIRROR} not found")

    environment = {
        **os.environ,
        "PYTHON": sys.executable,
        "GANBOOST_DATA_MIRROR": str(MIRROR),
        "GANBOOST_SLURM_CHECK_DIR": str(tmp_path),
    }
    result = subprocess.run(
        ["bash", str(CHECK), *CONFIG_FILES],
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "scores match" in result.stdout
    counts = re.search(r"jobs through sbatch: (\d+) .* in (\d+) sbatch jobs", result.stdout)
    assert counts, result.stdout[-4000:]
    jobs, sbatch_jobs = map(int, counts.groups())
    assert 0 < sbatch_jobs < jobs, f"{jobs} jobs in {sbatch_jobs} sbatch jobs: no groups?"
