"""Per-job overhead of the workflow: process start-up and imports against the jobs' own time.

Every Snakemake job runs its script in a fresh Python process that imports Snakemake's script
support, ganboost and, depending on the rule, scikit-learn and TensorFlow before it does any
work. On a SLURM cluster each sbatch job also starts Snakemake twice (the job's own Snakemake,
then the one `srun` starts to run the rule) and waits in the queue. This prints:

1. start-up: per rule (generator rules split into GAN and baseline jobs), the wall time of a
   fresh process that imports what a job of that rule imports (best of --repeat runs) and
   its CPU time (median), measured on this machine;
2. per configuration (--config, default smoke and paper): jobs per rule (from a dry run), the
   mean wall time of one job (benchmark files and the main Snakemake log of --run folders),
   the start-up share of a job and of all jobs of the rule, and the totals;
3. with --slurm-run: per sbatch job of a SLURM run, the time between the job's start and end
   spent outside the rules (Snakemake start-ups, srun, status), and its queue wait.

    python benchmarks/job_overhead.py --run /path/to/paper-run --run /path/to/smoke-run
    python benchmarks/job_overhead.py --startup-only --source /path/to/older/checkout
    python benchmarks/job_overhead.py --startup-only --importtime dense_network
    python benchmarks/job_overhead.py --config smoke --run RUN \\
        --slurm-run RUN_THROUGH_SLURM --jobcomp /var/log/slurm/jobcomp.log

--source puts another checkout's ganboost first on PYTHONPATH, so two versions can be timed
on the same machine. Timings on a busy machine are inflated; the CPU column is the steadier
one. Run it under `nice` when other work must not be disturbed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[1]
CONFIGS = {
    "smoke": ["config.yaml", "tests/config/smoke.yaml"],
    "paper": ["config.yaml"],
}

# What a job's process imports: Snakemake's script preamble unpickles the job's `snakemake`
# object, every script imports ganboost.scripting and ganboost.steps, and the step function
# imports the rest. TensorFlow comes first where the script configures it before anything else.
PREAMBLE = ["snakemake.logging", "snakemake.iocontainers"]
SCRIPT = ["ganboost.scripting", "ganboost.steps"]
TENSORFLOW = ["tensorflow"]
RULE_IMPORTS: dict[tuple[str, str], list[str]] = {
    ("download", ""): SCRIPT + ["ganboost.datasets"],
    ("preprocess", ""): SCRIPT + ["ganboost.datasets", "ganboost.preprocessing"],
    ("split", ""): SCRIPT + ["ganboost.splitting"],
    ("train_generator", "baseline"): SCRIPT + ["ganboost.synthesizers.baselines"],
    ("train_generator", "gan"): SCRIPT + ["ganboost.synthesizers.gan"] + TENSORFLOW,
    ("synthesize", "baseline"): SCRIPT + ["ganboost.synthesizers.baselines"],
    ("synthesize", "gan"): SCRIPT + ["ganboost.synthesizers.gan"] + TENSORFLOW,
    ("battery", ""): SCRIPT + ["ganboost.battery"],
    ("dense_network", ""): TENSORFLOW + SCRIPT + ["ganboost.battery", "ganboost.dense"],
    ("nn_search", ""): TENSORFLOW + SCRIPT + ["ganboost.battery", "ganboost.dense"],
    ("fidelity", ""): SCRIPT + ["ganboost.fidelity"],
    ("aggregate_study", ""): SCRIPT + ["ganboost.config"],
    ("aggregate", ""): SCRIPT + ["ganboost.statistics", "ganboost.battery"],
    ("figure", ""): SCRIPT + ["ganboost.plots"],
    ("report_tables", ""): SCRIPT + ["yaml", "ganboost.reporting"],
}
GENERATOR_RULES = {"train_generator", "synthesize"}
# Environment the scripts give themselves (ganboost.runtime.limit_threads) before importing.
JOB_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
}
IMPORTER = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)"
TIMESTAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
RULE_LINE = re.compile(r"^(local)?rule (\w+):$")
JOBID_LINE = re.compile(r"^\s+jobid: (\d+)$")
WILDCARDS_LINE = re.compile(r"^\s+wildcards: (.*)$")
FINISHED_LINE = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$")
GROUP_LINE = re.compile(r"Group job (\w+) \(jobs in lexicogr\. order\):")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", action="append", choices=sorted(CONFIGS),
                        help="configuration(s) to count jobs for (default: smoke and paper)")
    parser.add_argument("--run", action="append", type=Path, default=[],
                        help="folder of a finished or running local run, for job times "
                        "(repeat for several; earlier folders win per rule)")
    parser.add_argument("--source", type=Path,
                        help="checkout whose ganboost is timed (default: the installed one)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per rule")
    parser.add_argument("--startup-only", action="store_true",
                        help="only time the start-up of each rule's process")
    parser.add_argument("--importtime", metavar="RULE",
                        help="print the slowest imports (python -X importtime) of one rule")
    parser.add_argument("--slurm-run", type=Path,
                        help="workflow folder of a run through SLURM with "
                        "--slurm-keep-successful-logs")
    parser.add_argument("--jobcomp", type=Path, default=Path("/var/log/slurm/jobcomp.log"),
                        help="SLURM completion log (JobCompType=jobcomp/filetxt)")
    parser.add_argument("--profile", default="profiles/slurm",
                        help="cluster profile whose groups the sbatch job count uses")
    parser.add_argument("--sizing", action="store_true",
                        help="also print each rule's longest job (first --run folder that has "
                        "the rule) and largest peak memory (all --run folders), and the "
                        "requests they suggest")
    return parser.parse_args()


# -- start-up -----------------------------------------------------------------------------------
def environment(source: Path | None) -> dict[str, str]:
    env = {**os.environ, **JOB_ENVIRONMENT}
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(source.resolve()), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    return env


def time_process(modules: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a fresh interpreter importing ``modules``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORTER, *modules], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def startup_costs(source: Path | None, repeat: int) -> dict[tuple[str, str], tuple[float, float]]:
    env = environment(source)
    where = subprocess.run(
        [sys.executable, "-c", "import ganboost; print(ganboost.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    print(f"ganboost from {Path(where).parent}; best wall and median CPU of {repeat} fresh "
          "processes\n")
    costs = {}
    profiles = {("python", ""): [], ("preamble", ""): PREAMBLE}
    profiles.update({key: PREAMBLE + modules for key, modules in RULE_IMPORTS.items()})
    for key, modules in profiles.items():
        runs = [time_process(modules, env) for _ in range(repeat)]
        costs[key] = (min(w for w, _ in runs), statistics.median(c for _, c in runs))
    rows = [[label(key), f"{wall:.2f}", f"{cpu:.2f}"] for key, (wall, cpu) in costs.items()]
    print_table(["process", "wall s", "CPU s"], rows)
    return costs


def importtime(rule: str, source: Path | None) -> None:
    keys = [key for key in RULE_IMPORTS if key[0] == rule]
    if not keys:
        raise SystemExit(f"--importtime: no rule {rule!r}; one of {sorted(RULE_IMPORTS)}")
    for key in keys:
        modules = PREAMBLE + RULE_IMPORTS[key]
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", IMPORTER, *modules],
            env=environment(source), capture_output=True, text=True, check=True,
        )
        top = defaultdict(int)
        for line in result.stderr.splitlines():
            fields = line.split("|")
            if len(fields) == 3 and fields[1].strip().isdigit():
                name = fields[2].strip()
                if name.split(".")[0] == name.strip():  # top-level packages, cumulative
                    top[name] = max(top[name], int(fields[1]))
        print(f"\nslowest top-level imports of {label(key)} (cumulative, s):")
        for name, micros in sorted(top.items(), key=lambda item: -item[1])[:10]:
            print(f"  {name:28s} {micros / 1e6:6.2f}")


# -- jobs of a configuration -------------------------------------------------------------------
def merged_config(files: list[str]) -> dict:
    """The configuration Snakemake builds from ``files`` (later files update earlier ones)."""
    config: dict = {}
    for name in files:
        update(config, yaml.safe_load((REPOSITORY / name).read_text()) or {})
    return config


def update(base: dict, overlay: dict) -> None:
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            update(base[key], value)
        else:
            base[key] = value


def generator_kind(generators: dict, wildcards: dict[str, str]) -> str:
    name = wildcards.get("generator")
    if name is None:
        return ""
    kind = (generators.get(name) or {}).get("kind", name)
    return "gan" if "gan" in kind else "baseline"


def job_key(rule: str, wildcards: dict[str, str], generators: dict) -> tuple[str, str]:
    if rule in GENERATOR_RULES:
        return rule, generator_kind(generators, wildcards)
    return rule, ""


def parse_wildcards(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(", ") if "=" in part)


def dry_run(files: list[str], *extra: str) -> str:
    """Output of a dry run of every job of the configuration (nothing is written)."""
    with tempfile.TemporaryDirectory(prefix="ganboost-dry-run-") as directory:
        command = [
            sys.executable, "-m", "snakemake", "--snakefile", str(REPOSITORY / "Snakefile"),
            "--directory", directory, "--dry-run", "--forceall", "--cores", "2",
            "--configfile", *[str(REPOSITORY / f) for f in files], *extra,
        ]
        result = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"dry run failed:\n{result.stderr[-3000:]}")
    return result.stdout + result.stderr


def planned_jobs(files: list[str]) -> dict[tuple[str, str], int]:
    generators = merged_config(files).get("generators", {})
    counts: dict[tuple[str, str], int] = defaultdict(int)
    rule = None
    for line in dry_run(files).splitlines():
        match = RULE_LINE.match(line.strip())
        if match:
            rule = match.group(2)
            continue
        match = WILDCARDS_LINE.match(line)
        if rule and match:
            counts[job_key(rule, parse_wildcards(match.group(1)), generators)] += 1
            rule = None
        elif rule and line.strip() == "":
            counts[(rule, "")] += 1  # a job without wildcards
            rule = None
    return dict(counts)


def sbatch_jobs(files: list[str], profile: str, local: set[str]) -> int:
    """Jobs a run through ``profile`` submits: one per group job, one per other job."""
    output = dry_run(files, "--workflow-profile", str(REPOSITORY / profile))
    groups = len(GROUP_LINE.findall(output))
    grouped_rules = {"preprocess", "split", "train_generator", "synthesize", "battery",
                     "dense_network", "nn_search", "fidelity"}
    loose = sum(1 for line in output.splitlines()
                if (m := RULE_LINE.match(line.strip())) and m.group(2) not in local
                and m.group(2) not in grouped_rules and m.group(2) != "all")
    return groups + loose


# -- job times of a run ------------------------------------------------------------------------
def log_blocks(lines: list[str]):
    """(timestamp, lines) of each block of a Snakemake log."""
    stamp, block = None, []
    for line in lines:
        match = TIMESTAMP.match(line.strip())
        if match:
            if stamp is not None:
                yield stamp, block
            stamp = dt.datetime.strptime(" ".join(match.group(1).split()),
                                         "%a %b %d %H:%M:%S %Y")
            block = []
        else:
            block.append(line)
    if stamp is not None:
        yield stamp, block


def log_job_times(lines: list[str]) -> list[tuple[str, dict[str, str], float, dt.datetime]]:
    """(rule, wildcards, seconds, start) of every job a Snakemake log saw start and finish."""
    started: dict[str, tuple[str, dict[str, str], dt.datetime]] = {}
    jobs = []
    for stamp, block in log_blocks(lines):
        rule = jobid = None
        wildcards: dict[str, str] = {}
        for line in block:
            if match := RULE_LINE.match(line.strip()):
                rule = match.group(2)
            elif (match := JOBID_LINE.match(line)) and rule:
                jobid = match.group(1)
            elif (match := WILDCARDS_LINE.match(line)) and rule:
                wildcards = parse_wildcards(match.group(1))
            elif (match := FINISHED_LINE.match(line.strip())) and match.group(1) in started:
                name, job_wildcards, start = started.pop(match.group(1))
                jobs.append((name, job_wildcards, (stamp - start).total_seconds(), start))
        if rule and jobid is not None:
            started[jobid] = (rule, wildcards, stamp)
    return jobs


def run_job_times(run: Path, generators: dict) -> dict[tuple[str, str], list[float]]:
    """Seconds per job, by (rule, kind): benchmark files first, the main log otherwise."""
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    benchmarked = set()
    for path in sorted((run / "results" / "benchmarks").rglob("*.tsv")):
        parts = path.relative_to(run / "results" / "benchmarks").with_suffix("").parts
        rule = parts[0]
        wildcards = {"generator": parts[4]} if rule in GENERATOR_RULES else {}
        lines = path.read_text().splitlines()
        if len(lines) < 2:
            continue
        seconds = float(lines[1].split("\t")[0])
        times[job_key(rule, wildcards, generators)].append(seconds)
        benchmarked.add(rule)
    for log in sorted((run / ".snakemake" / "log").glob("*.snakemake.log")):
        for rule, wildcards, seconds, _ in log_job_times(log.read_text().splitlines()):
            if rule not in benchmarked:
                times[job_key(rule, wildcards, generators)].append(seconds)
    return times


def suggested_runtime(seconds: float) -> int:
    """Minutes to ask for: three times the longest job seen plus a minute for starting up."""
    return max(1, math.ceil((3 * seconds + 60) / 60))


def suggested_memory(max_rss: float) -> int:
    """MB to ask for: 1.5 times the largest peak memory seen, in steps of 250 MB."""
    return max(500, math.ceil(1.5 * max_rss / 250) * 250)


def sizing(runs: list[Path]) -> None:
    """Largest wall time (first run that has the rule) and peak memory (all runs) per rule,
    and the requests they give."""
    seconds: dict[tuple[str, str], list[float]] = defaultdict(list)
    memory: dict[tuple[str, str], list[float]] = defaultdict(list)
    generators: dict = {}
    for files in CONFIGS.values():
        generators.update(merged_config(files).get("generators", {}))
    for run in runs:
        for key, values in run_job_times(run, generators).items():
            if key not in seconds:  # times: the first run that has the rule
                seconds[key] = values
        for path in (run / "results" / "benchmarks").rglob("*.tsv"):
            parts = path.relative_to(run / "results" / "benchmarks").with_suffix("").parts
            wildcards = {"generator": parts[4]} if parts[0] in GENERATOR_RULES else {}
            lines = path.read_text().splitlines()
            if len(lines) >= 2:
                header, values = lines[0].split("\t"), lines[1].split("\t")
                rss = values[header.index("max_rss")]
                if rss not in ("NA", "-"):
                    memory[job_key(parts[0], wildcards, generators)].append(float(rss))
    rows = []
    for key in sorted(set(seconds) | set(memory)):
        longest = max(seconds.get(key) or [float("nan")])
        peak = max(memory.get(key) or [float("nan")])
        rows.append([label(key), str(len(seconds.get(key, []))), f"{longest:.0f}",
                     f"{peak:.0f}", str(suggested_runtime(longest)) if seconds.get(key)
                     else "-", str(suggested_memory(peak)) if memory.get(key) else "-"])
    print(f"\nsizing from {', '.join(map(str, runs))}")
    print_table(["rule", "jobs", "max s", "max_rss MB", "runtime min", "mem_mb"], rows)
    print("runtime = ceil((3 x max s + 60 s) / 60 s); mem_mb = 1.5 x max_rss in 250 MB steps "
          "(at least 500)")


# -- SLURM ----------------------------------------------------------------------------------------
def jobcomp_records(path: Path) -> dict[str, dict[str, str]]:
    records = {}
    for line in path.read_text().splitlines():
        fields = dict(re.findall(r"(\w+)=(\S*)", line))
        if "JobId" in fields:
            records[fields["JobId"]] = fields
    return records


def slurm_overhead(run: Path, jobcomp: Path) -> None:
    """Per sbatch job: elapsed, time inside the rules, the rest, queue wait."""
    records = jobcomp_records(jobcomp)
    stamp = "%Y-%m-%dT%H:%M:%S"
    rows, totals = [], defaultdict(float)
    by_kind: dict[str, list[tuple[float, float, float, int]]] = defaultdict(list)
    for log in sorted((run / ".snakemake" / "slurm_logs").rglob("*.log")):
        record = records.get(log.stem)
        if record is None:
            continue
        start = dt.datetime.strptime(record["StartTime"], stamp)
        end = dt.datetime.strptime(record["EndTime"], stamp)
        submit = dt.datetime.strptime(record["SubmitTime"], stamp)
        jobs = log_job_times(log.read_text(errors="replace").splitlines())
        inner = [job for job in jobs if job[2] >= 0]
        if not inner:
            continue
        # The rules run inside the srun'd Snakemake(s); the outer Snakemake also reports the
        # same jobs as finished, later. Count each job once and take the union of the times
        # the rules ran: the rest of the allocation went to starting Snakemake and srun.
        intervals = {}
        for rule, wildcards, seconds, begin in inner:
            key = (rule, tuple(sorted(wildcards.items())))
            if key not in intervals:
                intervals[key] = (begin, begin + dt.timedelta(seconds=seconds))
        count = len(intervals)
        elapsed = (end - start).total_seconds()
        work = busy_seconds(list(intervals.values()))
        kind = log.relative_to(run / ".snakemake" / "slurm_logs").parts[0]
        kind = " ".join(kind.split("_")[:2]) if kind.startswith("group_") else kind
        by_kind[kind].append((elapsed, work, (start - submit).total_seconds(), count))
        totals["elapsed"] += elapsed
        totals["work"] += work
        totals["jobs"] += count
        totals["sbatch"] += 1
    for kind, values in sorted(by_kind.items()):
        n = len(values)
        elapsed = sum(v[0] for v in values)
        work = sum(v[1] for v in values)
        rows.append([kind, str(n), str(sum(v[3] for v in values)), f"{elapsed / n:.1f}",
                     f"{work / n:.1f}", f"{(elapsed - work) / n:.1f}",
                     f"{statistics.median(v[2] for v in values):.0f}"])
    if not rows:
        print(f"no SLURM job logs with records in {jobcomp} under {run}")
        return
    print("\nSLURM jobs of", run)
    print_table(["sbatch job", "count", "rule jobs", "elapsed s", "in rules s",
                 "outside s", "queued s (median)"], rows)
    outside = totals["elapsed"] - totals["work"]
    print(f"total: {int(totals['sbatch'])} sbatch jobs for {int(totals['jobs'])} rule jobs, "
          f"{totals['elapsed']:.0f} s allocated, {outside:.0f} s outside the rules "
          f"({outside / totals['elapsed']:.0%}), {outside / totals['jobs']:.1f} s per rule job")


def busy_seconds(intervals: list[tuple[dt.datetime, dt.datetime]]) -> float:
    """Length of the union of time intervals."""
    total, current_start, current_end = 0.0, None, None
    for begin, finish in sorted(intervals):
        if current_end is None or begin > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = begin, finish
        else:
            current_end = max(current_end, finish)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total


# -- report -------------------------------------------------------------------------------------
def label(key: tuple[str, str]) -> str:
    return f"{key[0]} ({key[1]})" if key[1] else key[0]


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).rjust(w) if i else str(cell).ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))))


def local_rules() -> set[str]:
    names = set()
    for path in (REPOSITORY / "workflow" / "rules").glob("*.smk"):
        text = path.read_text()
        for block in re.split(r"(?m)^(?=rule )", text):
            match = re.match(r"rule (\w+):", block)
            if match and re.search(r"^\s+localrule: True", block, re.MULTILINE):
                names.add(match.group(1))
    return names


def overhead_table(name: str, costs, runs: list[Path], profile: str) -> None:
    files = CONFIGS[name]
    generators = merged_config(files).get("generators", {})
    counts = planned_jobs(files)
    times: dict[tuple[str, str], list[float]] = {}
    for run in runs:
        for key, values in run_job_times(run, generators).items():
            times.setdefault(key, values)
    rows = []
    total_jobs = total_start = total_time = 0.0
    missing = []
    for key in sorted(counts, key=lambda k: (list(RULE_IMPORTS).index(k) if k in RULE_IMPORTS
                                             else len(RULE_IMPORTS), k)):
        if key not in costs:
            continue
        jobs = counts[key]
        start_wall, start_cpu = costs[key]
        values = times.get(key) or times.get((key[0], ""))
        mean = statistics.fmean(values) if values else float("nan")
        if not values:
            missing.append(label(key))
        rows.append([label(key), str(jobs), str(len(values or [])), f"{mean:.1f}",
                     f"{start_wall:.2f}", f"{start_cpu:.2f}",
                     f"{start_wall / mean:.0%}" if values else "-",
                     f"{jobs * start_wall / 60:.1f}",
                     f"{jobs * mean / 60:.1f}" if values else "-"])
        total_jobs += jobs
        total_start += jobs * start_wall
        if values:
            total_time += jobs * mean
    print(f"\n== {name} configuration ({' + '.join(files)}): {int(total_jobs)} jobs")
    print_table(["rule", "jobs", "timed", "job s", "start s", "start CPU s", "share",
                 "start min", "jobs min"], rows)
    if total_time:
        print(f"total: {total_start / 60:.1f} min of start-up in {total_time / 60:.1f} min of "
              f"job time ({total_start / total_time:.0%}), serial sum over all jobs")
    if missing:
        print(f"no job times for {', '.join(missing)}: give a --run folder that has them")
    local = local_rules() | {"all"}
    remote = int(sum(n for (rule, _), n in counts.items() if rule not in local))
    grouped = sbatch_jobs(files, profile, local)
    print(f"on a cluster: {remote} jobs outside the submitting host -> {grouped} sbatch jobs "
          f"with the groups of {profile}")


def main() -> int:
    args = parse_arguments()
    if args.importtime:
        importtime(args.importtime, args.source)
        return 0
    if args.sizing:
        sizing(args.run)
    costs = startup_costs(args.source, args.repeat)
    if not args.startup_only:
        for name in args.config or ["smoke", "paper"]:
            overhead_table(name, costs, args.run, args.profile)
    if args.slurm_run:
        slurm_overhead(args.slurm_run, args.jobcomp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
