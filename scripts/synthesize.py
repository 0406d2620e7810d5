"""Generate the synthetic rows of one boost factor (or a full replacement)."""

from ganboost import steps
from ganboost.scripting import start_job

# No TensorFlow here: a GAN sets its own threads when it loads; baselines never need it.
start_job(snakemake)

steps.synthesize(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.input.model, snakemake.wildcards.boost, snakemake.output[0],
    random_state=snakemake.params.random_state, class_balance=snakemake.params.class_balance,
)
