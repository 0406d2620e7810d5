"""Fetch one dataset (mirror first, then its URL) and verify its sha256."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.download(
    snakemake.wildcards.dataset, snakemake.params.entry, snakemake.output[0],
    snakemake.params.mirror,
)
