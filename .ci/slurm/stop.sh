#!/usr/bin/env bash
# Stop the test cluster started by start.sh: cancel its jobs, then end slurmd, slurmctld and
# munged by the process ids in their pid files. Safe to run when nothing is running.
#
#   stop.sh [--keep-munge]   --keep-munge leaves munged running (used by start.sh on restart)
set -euo pipefail

keep_munge=0
[[ ${1:-} == --keep-munge ]] && keep_munge=1

run_dir=/run/slurm
munge_pid=/run/munge/munged.pid

if [[ $(id -u) -ne 0 ]]; then
    echo "stop.sh: must run as root" >&2
    exit 1
fi

alive() { # alive PIDFILE NAME: the pid in PIDFILE is a running NAME process
    local pid
    [[ -s $1 ]] || return 1
    pid=$(<"$1")
    [[ -r /proc/$pid/comm && $(<"/proc/$pid/comm") == "$2" ]]
}

stop_daemon() { # stop_daemon PIDFILE NAME
    local pid i
    alive "$1" "$2" || return 0
    pid=$(<"$1")
    kill -TERM "$pid"
    for ((i = 0; i < 30; i++)); do
        [[ -d /proc/$pid ]] || break
        sleep 1
    done
    if [[ -d /proc/$pid ]]; then
        echo "stop.sh: $2 ($pid) ignored SIGTERM for 30 s, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
    echo "stop.sh: stopped $2 ($pid)"
}

# Cancel the jobs first, so that slurmd can tear their steps down while it still runs.
if alive "$run_dir/slurmctld.pid" slurmctld; then
    jobs=$(squeue --noheader --format=%i 2>/dev/null || true)
    if [[ -n $jobs ]]; then
        # shellcheck disable=SC2086  # one job id a word
        scancel $jobs || true
        for ((i = 0; i < 30; i++)); do
            [[ -z $(squeue --noheader --states=PD,R,CG,S --format=%i 2>/dev/null) ]] && break
            sleep 1
        done
    fi
fi

stop_daemon "$run_dir/slurmd.pid" slurmd
stop_daemon "$run_dir/slurmctld.pid" slurmctld
if ((!keep_munge)); then
    stop_daemon "$munge_pid" munged
fi
