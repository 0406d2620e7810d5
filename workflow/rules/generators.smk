rule train_generator:
    input:
        unpack(split_inputs),
    output:
        model=directory(studies.GENERATOR_MODEL),
        log=studies.GENERATOR_LOG,
    log:
        "logs/train_generator/{dataset}/seed{seed}/f{fraction}/{generator}.log",
    benchmark:
        "results/benchmarks/train_generator/{dataset}/seed{seed}/f{fraction}/{generator}.tsv"
    group:
        "scoring"
    conda:
        "../../envs/ganboost.yaml"
    threads: THREADS["train_generator"]
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    params:
        generator=lambda wildcards: config["generators"][wildcards.generator],
        random_state=generator_seed,
    script:
        "../../scripts/train_generator.py"


rule synthesize:
    input:
        unpack(split_inputs),
        model=studies.GENERATOR_MODEL,
    output:
        studies.SYNTHETIC,
    log:
        "logs/synthesize/{dataset}/seed{seed}/f{fraction}/{generator}/{boost}.log",
    group:
        "scoring"
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 1500 * attempt,
        runtime=lambda wildcards, attempt: 5 * attempt,
    params:
        random_state=lambda wildcards: derive_seed(
            int(wildcards.seed),
            wildcards.dataset,
            wildcards.fraction,
            wildcards.generator,
            wildcards.boost,
        ),
        class_balance=config["class_balance"],
    script:
        "../../scripts/synthesize.py"


rule fidelity:
    input:
        unpack(split_inputs),
        synthetic=studies.SYNTHETIC.replace("{boost}", "replace"),
    output:
        studies.FIDELITY,
    log:
        "logs/fidelity/{dataset}/seed{seed}/f{fraction}/{generator}.log",
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
        "../../scripts/fidelity.py"
