"""Fit one generator on the real training rows of one (dataset, seed, real fraction)."""

from ganboost.scripting import start_job

start_job(snakemake, tensorflow=True)

from ganboost import steps  # noqa: E402  (after the thread limits are in place)

steps.train_generator(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.params.generator,
    random_state=snakemake.params.random_state, threads=snakemake.threads,
    model_dir=snakemake.output.model, log_path=snakemake.output.log,
)
