"""The report's tables page: results, the configuration of this run, software versions."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.report_tables(
    snakemake.input.summary, snakemake.input.significance, snakemake.input.fidelity,
    snakemake.config, snakemake.output[0],
)
