rule battery:
    input:
        unpack(split_inputs),
        synthetic=synthetic_input,
    output:
        studies.SCORES.replace("{scorer}", "battery"),
    params:
        random_state=lambda wildcards: int(wildcards.seed),
    threads: THREADS["battery"]
    resources:
        mem_mb=2000,
        runtime=15,
    log:
        "logs/battery/{dataset}/seed{seed}/f{fraction}/{training}.log",
    benchmark:
        "results/benchmarks/battery/{dataset}/seed{seed}/f{fraction}/{training}.tsv"
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/battery.py"


rule dense_network:
    input:
        unpack(split_inputs),
        synthetic=synthetic_input,
    output:
        studies.SCORES.replace("{scorer}", "dense_network"),
    params:
        random_state=lambda wildcards: int(wildcards.seed),
        settings=config["models"]["dense_network"],
    threads: THREADS["dense_network"]
    resources:
        mem_mb=2000,
        runtime=15,
    log:
        "logs/dense_network/{dataset}/seed{seed}/f{fraction}/{training}.log",
    benchmark:
        "results/benchmarks/dense_network/{dataset}/seed{seed}/f{fraction}/{training}.tsv"
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/dense_network.py"


rule nn_search:
    input:
        unpack(split_inputs),
        synthetic=synthetic_input,
    output:
        scores=studies.SCORES.replace("{scorer}", "nn_search"),
        history=studies.SEARCH_HISTORY,
    params:
        random_state=lambda wildcards: int(wildcards.seed),
        settings=config["models"]["nn_search"],
    threads: THREADS["nn_search"]
    resources:
        mem_mb=3000,
        runtime=60,
    log:
        "logs/nn_search/{dataset}/seed{seed}/f{fraction}/{training}.log",
    benchmark:
        "results/benchmarks/nn_search/{dataset}/seed{seed}/f{fraction}/{training}.tsv"
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/nn_search.py"
