#!/usr/bin/env bash
# Install Debian's SLURM 22.05 (controller, compute daemon, client commands) and MUNGE.
#
# Idempotent: packages already installed are left alone, and apt's package lists are only
# refreshed when something is missing. No accounting database is installed: the SLURM
# executor plugin polls `squeue` when told to (see profiles/slurm/config.yaml), so a
# slurmdbd/MariaDB pair is not needed for the test cluster.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "install.sh: must run as root (it installs Debian packages)" >&2
    exit 1
fi

packages=(slurmctld slurmd slurm-client munge)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "install.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "install.sh: ${packages[*]} already installed"
fi

# The accounts the daemons run as; Debian's packages create them, make sure they are there.
for user in slurm munge; do
    if ! getent passwd "$user" >/dev/null; then
        echo "install.sh: user '$user' is missing after the install" >&2
        exit 1
    fi
done

echo "install.sh: slurm $(dpkg-query -W -f='${Version}' slurmctld), munge $(dpkg-query -W -f='${Version}' munge)"
