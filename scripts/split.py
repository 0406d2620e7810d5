"""Stratified train/test split of one dataset for one seed."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.split(
    snakemake.input.table, snakemake.input.schema, snakemake.output[0],
    seed=int(snakemake.wildcards.seed), test_size=snakemake.params.test_size,
    smallest_fraction=snakemake.params.smallest_fraction,
)
