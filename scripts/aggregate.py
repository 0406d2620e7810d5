"""Join all studies: scores (Parquet and CSV), summaries, paired comparisons, fidelity."""

from ganboost import steps
from ganboost.scripting import start_job

start_job(snakemake)
steps.aggregate(
    snakemake.input.scores, snakemake.input.fidelity, snakemake.output,
    confidence=snakemake.params.confidence,
)
