rule download:
    input:
        local_source,
    output:
        "resources/{dataset}/{filename}",
    log:
        "logs/download/{dataset}/{filename}.log",
    localrule: True
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    params:
        entry=lambda wildcards: DATASETS[wildcards.dataset],
        mirror=MIRROR,
    script:
        "../../scripts/download.py"


rule preprocess:
    input:
        raw_path,
    output:
        table=studies.TABLE,
        schema=studies.SCHEMA,
    log:
        "logs/preprocess/{dataset}.log",
    group:
        "data"
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        entry=lambda wildcards: DATASETS[wildcards.dataset],
    script:
        "../../scripts/preprocess.py"


rule split:
    input:
        table=studies.TABLE,
        schema=studies.SCHEMA,
    output:
        studies.SPLIT,
    log:
        "logs/split/{dataset}/seed{seed}.log",
    group:
        "data"
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        test_size=config["test_size"],
        smallest_fraction=lambda wildcards: smallest_fraction(wildcards.dataset),
    script:
        "../../scripts/split.py"
