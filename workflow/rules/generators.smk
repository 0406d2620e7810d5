rule train_generator:
    input:
        unpack(split_inputs),
    output:
        model=directory(studies.GENERATOR_MODEL),
        log=studies.GENERATOR_LOG,
    params:
        generator=lambda wildcards: config["generators"][wildcards.generator],
        random_state=generator_seed,
    threads: THREADS["train_generator"]
    resources:
        mem_mb=2000,
        runtime=30,
    log:
        "logs/train_generator/{dataset}/seed{seed}/f{fraction}/{generator}.log",
    benchmark:
        "results/benchmarks/train_generator/{dataset}/seed{seed}/f{fraction}/{generator}.tsv"
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/train_generator.py"


rule synthesize:
    input:
        unpack(split_inputs),
        model=studies.GENERATOR_MODEL,
    output:
        studies.SYNTHETIC,
    params:
        random_state=lambda wildcards: derive_seed(
            int(wildcards.seed),
            wildcards.dataset,
            wildcards.fraction,
            wildcards.generator,
            wildcards.boost,
        ),
        class_balance=config["class_balance"],
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    log:
        "logs/synthesize/{dataset}/seed{seed}/f{fraction}/{generator}/{boost}.log",
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/synthesize.py"


rule fidelity:
    input:
        unpack(split_inputs),
        synthetic=studies.SYNTHETIC.replace("{boost}", "replace"),
    output:
        studies.FIDELITY,
    params:
        random_state=lambda wildcards: int(wildcards.seed),
    threads: THREADS["battery"]
    resources:
        mem_mb=2000,
        runtime=10,
    log:
        "logs/fidelity/{dataset}/seed{seed}/f{fraction}/{generator}.log",
    conda:
        "../../envs/ganboost.yaml"
    script:
        "../../scripts/fidelity.py"
