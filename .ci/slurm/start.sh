#!/usr/bin/env bash
# Start a one-node SLURM test cluster on this machine.
#
# Controller (slurmctld) and compute node (slurmd) both live on loopback, authenticate with a
# locally generated MUNGE key, and run without cgroups (proctrack/linuxproc, task/none). The
# node gets the CPUs and memory `slurmd -C` detects; one partition holds it. The script returns
# once `sinfo` reports the node idle. Running it again while the cluster is up only re-checks
# that the node is idle.
#
# Environment:
#   GANBOOST_SLURM_PARTITION_NAME  name of the partition (default: ganboost)
#   GANBOOST_SLURM_START_TIMEOUT   seconds to wait for an idle node (default: 60)
set -euo pipefail

partition=${GANBOOST_SLURM_PARTITION_NAME:-ganboost}
timeout=${GANBOOST_SLURM_START_TIMEOUT:-60}

conf=/etc/slurm/slurm.conf
state_dir=/var/spool/slurmctld
spool_dir=/var/spool/slurmd
log_dir=/var/log/slurm
run_dir=/run/slurm
munge_key=/etc/munge/munge.key
munge_run=/run/munge
munge_pid=$munge_run/munged.pid

if [[ $(id -u) -ne 0 ]]; then
    echo "start.sh: must run as root" >&2
    exit 1
fi
for cmd in slurmctld slurmd munged mungekey sinfo; do
    command -v "$cmd" >/dev/null || {
        echo "start.sh: '$cmd' not found; run .ci/slurm/install.sh first" >&2
        exit 1
    }
done

alive() { # alive PIDFILE NAME: the pid in PIDFILE is a running NAME process
    local pid
    [[ -s $1 ]] || return 1
    pid=$(<"$1")
    [[ -r /proc/$pid/comm && $(<"/proc/$pid/comm") == "$2" ]]
}

show_logs() {
    for f in "$log_dir/slurmctld.log" "$log_dir/slurmd.log" /var/log/munge/munged.log; do
        [[ -f $f ]] && { echo "--- tail $f"; tail -n 20 "$f"; }
    done
    return 0
}

# --- MUNGE ------------------------------------------------------------------------------------
install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge
install -d -o munge -g munge -m 0711 /var/lib/munge
install -d -o munge -g munge -m 0755 "$munge_run"
if [[ ! -s $munge_key ]]; then
    echo "start.sh: generating a MUNGE key"
    runuser -u munge -- mungekey --create --keyfile="$munge_key"
fi
chown munge:munge "$munge_key"
chmod 0600 "$munge_key"
if ! alive "$munge_pid" munged; then
    runuser -u munge -- munged --pid-file="$munge_pid"
fi
munge -n | unmunge >/dev/null || {
    echo "start.sh: MUNGE credential round trip failed" >&2
    show_logs
    exit 1
}

# --- slurm.conf ---------------------------------------------------------------------------------
host=$(hostname -s)
# `slurmd -C` prints the node line as slurmd itself detects it (CPUs, sockets, cores, memory).
node_hw=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //')

install -d -m 0755 /etc/slurm "$log_dir" "$run_dir"
install -d -o slurm -g slurm -m 0755 "$state_dir"
install -d -m 0755 "$spool_dir"
chown slurm:slurm "$log_dir"

new_conf=$(mktemp)
trap 'rm -f "$new_conf"' EXIT
cat >"$new_conf" <<EOF
# Written by .ci/slurm/start.sh: a one-node test cluster on loopback.
ClusterName=ganboost
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
SrunPortRange=60001-60100
# Bind to the addresses named here (loopback), never to all interfaces.
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$state_dir
SlurmdSpoolDir=$spool_dir
SlurmctldPidFile=$run_dir/slurmctld.pid
SlurmdPidFile=$run_dir/slurmd.pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups on this machine.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No accounting database: finished jobs are kept in slurmctld for MinJobAge seconds (enough
# for the executor plugin's squeue polling) and written to a plain completion log.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$log_dir/jobcomp.log
MinJobAge=600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# Jobs run at the nice level of the sbatch/srun that submitted them: a check started under
# nice -n 19 stays out of the way of other work on the machine.
PropagatePrioProcess=1
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 $node_hw State=UNKNOWN
PartitionName=$partition Nodes=$host Default=YES MaxTime=INFINITE DefMemPerCPU=1000 State=UP
EOF
if ! cmp -s "$new_conf" "$conf"; then
    install -m 0644 "$new_conf" "$conf"
    changed=1
else
    changed=0
fi

# --- daemons ------------------------------------------------------------------------------------
ctld_up=0
slurmd_up=0
alive "$run_dir/slurmctld.pid" slurmctld && ctld_up=1
alive "$run_dir/slurmd.pid" slurmd && slurmd_up=1
if ((changed && (ctld_up || slurmd_up))); then
    echo "start.sh: slurm.conf changed, restarting the daemons"
    bash "$(dirname "$0")/stop.sh" --keep-munge
    ctld_up=0
    slurmd_up=0
fi
if ((!ctld_up)); then
    # -c: start from a clean slate, forgetting jobs of a previous run of this test cluster.
    slurmctld -c
fi
if ((!slurmd_up)); then
    slurmd
fi

# --- wait for the node ---------------------------------------------------------------------------
deadline=$((SECONDS + timeout))
node_state=""
while ((SECONDS < deadline)); do
    node_state=$(sinfo --noheader --nodes="$host" --format=%t 2>/dev/null || true)
    if [[ $node_state == idle ]]; then
        break
    fi
    # A node that comes back from a previous run may need to be told it is fine.
    if [[ $node_state == down* || $node_state == drain* ]]; then
        scontrol update NodeName="$host" State=RESUME 2>/dev/null || true
    fi
    sleep 1
done
if [[ $node_state != idle ]]; then
    echo "start.sh: node '$host' not idle after ${timeout}s (state: '${node_state:-none}')" >&2
    show_logs >&2
    exit 1
fi
sinfo --Node --long
echo "start.sh: cluster up (partition '$partition', node '$host')"
