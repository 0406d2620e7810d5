rule download:
    input:
        local_source,
    output:
        "resources/{dataset}/{filename}",
    params:
        entry=lambda wildcards: DATASETS[wildcards.dataset],
        mirror=MIRROR,
    log:
        "logs/download/{dataset}/{filename}.log",
    localrule: True
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/download.py"


rule preprocess:
    input:
        raw_path,
    output:
        table=studies.TABLE,
        schema=studies.SCHEMA,
    params:
        entry=lambda wildcards: DATASETS[wildcards.dataset],
    log:
        "logs/preprocess/{dataset}.log",
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/preprocess.py"


rule split:
    input:
        table=studies.TABLE,
        schema=studies.SCHEMA,
    output:
        studies.SPLIT,
    params:
        test_size=config["test_size"],
        smallest_fraction=lambda wildcards: smallest_fraction(wildcards.dataset),
    log:
        "logs/split/{dataset}/seed{seed}.log",
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/split.py"
