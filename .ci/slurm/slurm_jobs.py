"""Check from its logs that a Snakemake run sent its jobs through SLURM's sbatch.

Usage: python slurm_jobs.py SNAKEMAKE_LOG JOBCOMP_LOG WORKFLOW_DIR

SNAKEMAKE_LOG is the main log of a run with the SLURM executor (.snakemake/log/*.log), which
names the run's SLURM job name ("SLURM run ID") and the SLURM job id of each job, or of each
group job (the jobs listed under "Group job ..." share the id of the submission that follows).
JOBCOMP_LOG is the scheduler's own completion log (JobCompType=jobcomp/filetxt). WORKFLOW_DIR
holds the Snakefile and workflow/rules/, which say which rules run on the submitting host.

Passes (exit 0) when every job of a rule that is not a local rule got a SLURM job id, and the
scheduler recorded each of those ids under the run's job name as COMPLETED. Prints the ids and
how many jobs each sbatch job carried.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

RUN_ID = re.compile(r"^SLURM run ID: (\S+)", re.MULTILINE)
SUBMITTED = re.compile(r"Job (\S+) has been submitted with SLURM jobid (\d+) \(log: (.+)\)\.")
GROUP = re.compile(r"\] Group job (\w+) \(jobs in lexicogr\. order\):")
JOBID = re.compile(r"^\s+jobid: (\d+)$")
FINISHED = re.compile(r"Finished jobid: (\d+) \(Rule: (\w+)\)")
RULE = re.compile(r"^(?:checkpoint|rule)\s+(\w+)\s*:", re.MULTILINE)
JOBCOMP_FIELD = re.compile(r"(\w+)=(\S*)")


def local_rules(workflow_dir: Path) -> set[str]:
    """Rules marked `localrule: True` or listed in a `localrules:` directive."""
    names = {"all"}
    files = [workflow_dir / "Snakefile", *sorted((workflow_dir / "workflow").rglob("*.smk"))]
    for path in files:
        text = path.read_text()
        for match in re.finditer(r"^localrules\s*:\s*(.+)$", text, re.MULTILINE):
            names.update(n.strip() for n in match.group(1).split(",") if n.strip())
        starts = [(m.start(), m.group(1)) for m in RULE.finditer(text)]
        for index, (start, name) in enumerate(starts):
            end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
            if re.search(r"^\s+localrule\s*:\s*True\b", text[start:end], re.MULTILINE):
                names.add(name)
    return names


def submissions(log_text: str) -> dict[str, str]:
    """Snakemake job id -> SLURM job id; the jobs of a group job share one SLURM job id."""
    submitted = {}
    group_jobs: list[str] | None = None
    for line in log_text.splitlines():
        if GROUP.search(line):
            group_jobs = []
        elif (match := JOBID.match(line)) and group_jobs is not None:
            group_jobs.append(match.group(1))
        elif match := SUBMITTED.search(line):
            job, slurm_id = match.group(1), match.group(2)
            if job.isdigit():
                submitted[job] = slurm_id
            else:  # a group job, named by a UUID
                submitted.update(dict.fromkeys(group_jobs or [], slurm_id))
            group_jobs = None
    return submitted


def scheduler_records(jobcomp_log: Path, job_name: str) -> dict[str, str]:
    """SLURM job id -> final state, for the jobs named `job_name`."""
    records = {}
    for line in jobcomp_log.read_text().splitlines():
        fields = dict(JOBCOMP_FIELD.findall(line))
        if fields.get("Name") == job_name:
            records[fields["JobId"]] = fields.get("JobState", "?")
    return records


def per_sbatch(submitted: dict[str, str]) -> dict[str, list[str]]:
    """SLURM job id -> the Snakemake job ids it ran."""
    jobs: dict[str, list[str]] = {}
    for job, slurm_id in submitted.items():
        jobs.setdefault(slurm_id, []).append(job)
    return jobs


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    log_text = Path(argv[1]).read_text()
    jobcomp_log, workflow_dir = Path(argv[2]), Path(argv[3])

    run_id = RUN_ID.search(log_text)
    if not run_id:
        print("no 'SLURM run ID' in the log: was the run made with the slurm executor?")
        return 1
    submitted = submissions(log_text)
    finished = dict(FINISHED.findall(log_text))
    local = local_rules(workflow_dir)

    problems = []
    for job, rule in sorted(finished.items(), key=lambda item: int(item[0])):
        if rule not in local and job not in submitted:
            problems.append(f"job {job} (rule {rule}) finished without a SLURM job id")
        if rule in local and job in submitted:
            problems.append(f"job {job} of local rule {rule} was sent to SLURM")
    records = scheduler_records(jobcomp_log, run_id.group(1))
    for slurm_id, jobs in sorted(per_sbatch(submitted).items()):
        job = ", ".join(jobs)
        state = records.get(slurm_id)
        if state != "COMPLETED":
            problems.append(
                f"SLURM job {slurm_id} (Snakemake job(s) {job}) is "
                f"{'not in the completion log' if state is None else state}"
            )

    by_rule = Counter(finished[job] for job in submitted if job in finished)
    ran_locally = Counter(rule for job, rule in finished.items() if job not in submitted)
    sbatch_jobs = per_sbatch(submitted)
    print(f"SLURM job name: {run_id.group(1)}")
    print(f"jobs through sbatch: {len(submitted)} ({dict(sorted(by_rule.items()))}) "
          f"in {len(sbatch_jobs)} sbatch jobs")
    print(f"jobs on the submitting host: {dict(sorted(ran_locally.items()))}")
    for slurm_id, jobs in sorted(sbatch_jobs.items(), key=lambda item: int(item[0])):
        rules = Counter(finished.get(job, "?") for job in jobs)
        print(f"  SLURM job {slurm_id}: {len(jobs)} job(s) {dict(sorted(rules.items()))}")
    if not submitted:
        problems.append("no job went through sbatch")
    if problems:
        print("problems:", *problems[:20], sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
