"""Fit the scikit-learn battery on one training table and score it on the test split."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.score_battery(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.wildcards.training, snakemake.input.synthetic or None, snakemake.output[0],
    random_state=snakemake.params.random_state, threads=snakemake.threads,
)
