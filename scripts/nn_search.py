"""Randomized search for the dense network on one training table; score the best on test."""

from ganboost.scripting import start_job

start_job(snakemake, tensorflow=True)

from ganboost import steps  # noqa: E402

steps.score_nn_search(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.wildcards.training, snakemake.input.synthetic or None,
    snakemake.output.scores, snakemake.output.history,
    random_state=snakemake.params.random_state, threads=snakemake.threads,
    settings=snakemake.params.settings,
)
