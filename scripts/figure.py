"""Draw one figure of one study for one dataset (PNG and SVG)."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.figure(
    snakemake.wildcards.figure, snakemake.wildcards.dataset, snakemake.params.spec,
    dict(snakemake.input.items()), snakemake.output.png, snakemake.output.svg,
)
