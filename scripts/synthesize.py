"""Generate the synthetic rows of one boost factor (or a full replacement)."""

from ganboost.scripting import start_job

start_job(snakemake, tensorflow=True)

from ganboost import steps  # noqa: E402

steps.synthesize(
    steps.load_parts(snakemake.input.table, snakemake.input.schema, snakemake.input.split,
                     float(snakemake.wildcards.fraction)),
    snakemake.input.model, snakemake.wildcards.boost, snakemake.output[0],
    random_state=snakemake.params.random_state, class_balance=snakemake.params.class_balance,
)
