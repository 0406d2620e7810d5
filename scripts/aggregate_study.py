"""Collect the scores (and fidelity tables) of one study into one table each."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.aggregate_study(
    snakemake.wildcards.study, snakemake.params.spec,
    snakemake.output.scores, snakemake.output.fidelity,
)
