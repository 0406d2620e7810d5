"""Fit one generator on the real training rows of one (dataset, seed, real fraction)."""

from ganboost import steps
from ganboost.scripting import start_job

# No TensorFlow here: a GAN sets its own threads when it loads; baselines never need it.
start_job(snakemake)

steps.train_generator(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.params.generator,
    random_state=snakemake.params.random_state, threads=snakemake.threads,
    model_dir=snakemake.output.model, log_path=snakemake.output.log,
)
