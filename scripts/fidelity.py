"""Fidelity and privacy of one generator's synthetic rows against the real training rows."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.fidelity(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.input.synthetic, snakemake.output[0],
    random_state=snakemake.params.random_state, threads=snakemake.threads,
)
