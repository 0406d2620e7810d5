"""Clean one raw dataset into a typed table and its schema."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.preprocess(
    snakemake.wildcards.dataset, snakemake.params.entry, snakemake.input[0],
    snakemake.output.table, snakemake.output.schema,
)
