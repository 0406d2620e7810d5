# ganboost: does adding synthetic rows to a small tabular dataset help ordinary classifiers?
# Run `snakemake --cores N`; studies, datasets and generators are set in config.yaml.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/generators.smk"
include: "workflow/rules/scoring.smk"
include: "workflow/rules/results.smk"


rule all:
    default_target: True
    input:
        all_targets(),
