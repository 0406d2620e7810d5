#!/usr/bin/env bash
# Run the workflow through the SLURM profile and, at the same time, locally; then check that
#   1. every non-local job went through sbatch and the scheduler recorded it as COMPLETED;
#   2. results/scores.parquet of both runs hold the same scores (timing columns left out).
#
#   check.sh [CONFIG_FILE...]   config files relative to the checkout, passed to --configfile
#                               (default: tests/config/smoke.yaml)
#
# Needs a running cluster (.ci/slurm/start.sh) and the project's Python environment.
# Environment:
#   GANBOOST_DATA_MIRROR       dataset mirror (default: ../shared/datasets beside the checkout)
#   GANBOOST_SLURM_CHECK_DIR   where both runs go (default: a new folder under /tmp); kept
#                              afterwards for a look at the logs
#   PYTHON                     interpreter with Snakemake and ganboost (default: python3)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
jobcomp=/var/log/slurm/jobcomp.log
export GANBOOST_DATA_MIRROR=${GANBOOST_DATA_MIRROR:-$(cd "$repo/.." && pwd)/shared/datasets}
work=${GANBOOST_SLURM_CHECK_DIR:-$(mktemp -d /tmp/ganboost-slurm-check.XXXXXX)}
configs=()
for file in "${@:-tests/config/smoke.yaml}"; do
    [[ $file == /* ]] || file=$repo/$file
    configs+=("$file")
done

say() { echo "check.sh: $*"; }
fail() {
    echo "check.sh: FAILED: $*" >&2
    exit 1
}

# --- preflight ------------------------------------------------------------------------------
command -v sinfo >/dev/null || fail "no SLURM client commands; run .ci/slurm/install.sh"
idle=$(sinfo --noheader --states=idle,mix --format=%n 2>/dev/null || true)
[[ -n $idle ]] || fail "no idle SLURM node; run .ci/slurm/start.sh"
[[ -d $GANBOOST_DATA_MIRROR ]] || fail "dataset mirror $GANBOOST_DATA_MIRROR not found"
for file in "${configs[@]}"; do
    [[ -f $file ]] || fail "config file $file not found"
done
"$python" -c "import snakemake, ganboost" || fail "$python lacks snakemake or ganboost"

copy_workflow() { # a fresh copy of the workflow, as a user would have it
    mkdir -p "$1"
    for name in Snakefile config.yaml workflow scripts profiles envs tests; do
        cp -r "$repo/$name" "$1/"
    done
    rm -rf "$1/.snakemake" "$1/results" "$1/resources"
}

snakemake_in() { # snakemake_in NAME ARGS...: run Snakemake in $work/NAME, log to $work/NAME.log
    local name=$1 start=$SECONDS
    shift
    if ! (cd "$work/$name" && "$python" -m snakemake --configfile "${configs[@]}" "$@") \
        >"$work/$name.log" 2>&1; then
        tail -n 60 "$work/$name.log" >&2
        fail "the $name run failed (full log: $work/$name.log)"
    fi
    say "$name run done in $((SECONDS - start)) s"
}

say "work folder $work, dataset mirror $GANBOOST_DATA_MIRROR"
say "config files: ${configs[*]}"
copy_workflow "$work/slurm"
copy_workflow "$work/local"

# --- both runs ------------------------------------------------------------------------------------
# The local run goes alongside: it fills the cores while the SLURM run waits between polls.
# It gets a process group of its own (set -m), so that a failure here can end all of it.
set -m
snakemake_in local --cores 2 &
local_pid=$!
set +m
trap 'kill -- "-$local_pid" 2>/dev/null || true' EXIT
# Only what a test cluster needs on top of the profile: keep the job logs for the checks below,
# poll sooner than the plugin's default 40 s (the smoke jobs take seconds), and submit without
# an account instead of asking sacct for one (the test cluster keeps no accounts).
snakemake_in slurm --profile profiles/slurm --slurm-keep-successful-logs \
    --slurm-init-seconds-before-status-checks 10 --slurm-no-account
wait "$local_pid" || exit 1
trap - EXIT

main_log=$(find "$work/slurm/.snakemake/log" -name '*.snakemake.log' | sort | tail -n 1)
[[ -n $main_log ]] || fail "no Snakemake log in $work/slurm/.snakemake/log"
"$python" "$here/slurm_jobs.py" "$main_log" "$jobcomp" "$work/slurm" ||
    fail "not every job went through SLURM (log: $main_log)"

# The SLURM log of the sbatch job that ran the most rules (a group job): the jobs, in order.
# (awk rather than head, so that no command of a pipeline dies of SIGPIPE under pipefail)
job_log=$(find "$work/slurm/.snakemake/slurm_logs" -name '*.log' \
    -exec grep -cH '^localrule ' {} + | sort -t: -k2,2nr | awk -F: 'NR == 1 {print $1}')
if [[ -n $job_log ]]; then
    say "a job's SLURM log ($job_log):"
    grep -E '^ *(localrule [a-z_]+:|Finished jobid|[0-9]+ of [0-9]+ steps|Provided cores)' \
        "$job_log" | awk 'NR <= 40 {print "    " $0}'
fi

"$python" "$here/compare_scores.py" \
    "$work/local/results/scores.parquet" "$work/slurm/results/scores.parquet" ||
    fail "the SLURM run scored differently from the local run"
say "passed (work folder: $work)"
