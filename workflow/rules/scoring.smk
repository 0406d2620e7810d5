rule battery:
    input:
        unpack(split_inputs),
        synthetic=synthetic_input,
    output:
        studies.SCORES.replace("{scorer}", "battery"),
    log:
        "logs/battery/{dataset}/seed{seed}/f{fraction}/{training}.log",
    benchmark:
        "results/benchmarks/battery/{dataset}/seed{seed}/f{fraction}/{training}.tsv"
    group:
        "scoring"
    conda:
        "../../envs/ganboost.yaml"
    threads: THREADS["battery"]
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
        runtime=lambda wildcards, attempt: 10 * attempt,
    params:
        random_state=lambda wildcards: int(wildcards.seed),
    script:
        "../../scripts/battery.py"


rule dense_network:
    input:
        unpack(split_inputs),
        synthetic=synthetic_input,
    output:
        studies.SCORES.replace("{scorer}", "dense_network"),
    log:
        "logs/dense_network/{dataset}/seed{seed}/f{fraction}/{training}.log",
    benchmark:
        "results/benchmarks/dense_network/{dataset}/seed{seed}/f{fraction}/{training}.tsv"
    group:
        "scoring"
    conda:
        "../../envs/ganboost.yaml"
    threads: THREADS["dense_network"]
    resources:
        mem_mb=lambda wildcards, attempt: 1500 * attempt,
        runtime=lambda wildcards, attempt: 10 * attempt,
    params:
        random_state=lambda wildcards: int(wildcards.seed),
        settings=config["models"]["dense_network"],
    script:
        "../../scripts/dense_network.py"


rule nn_search:
    input:
        unpack(split_inputs),
        synthetic=synthetic_input,
    output:
        scores=studies.SCORES.replace("{scorer}", "nn_search"),
        history=studies.SEARCH_HISTORY,
    log:
        "logs/nn_search/{dataset}/seed{seed}/f{fraction}/{training}.log",
    benchmark:
        "results/benchmarks/nn_search/{dataset}/seed{seed}/f{fraction}/{training}.tsv"
    group:
        "scoring"
    conda:
        "../../envs/ganboost.yaml"
    threads: THREADS["nn_search"]
    resources:
        mem_mb=lambda wildcards, threads, attempt: (1000 + 1500 * threads) * attempt,
        runtime=lambda wildcards, attempt: 60 * attempt,
    params:
        random_state=lambda wildcards: int(wildcards.seed),
        settings=config["models"]["nn_search"],
    script:
        "../../scripts/nn_search.py"
