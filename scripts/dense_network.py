"""Fit the battery's dense network on one training table and score it on the test split."""

from ganboost.scripting import start_job

start_job(snakemake, tensorflow=True)

from ganboost import steps  # noqa: E402

steps.score_dense_network(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.wildcards.training, snakemake.input.synthetic or None, snakemake.output[0],
    random_state=snakemake.params.random_state, settings=snakemake.params.settings,
)
