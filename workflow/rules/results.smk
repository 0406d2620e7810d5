rule aggregate_study:
    input:
        scores=lambda wildcards: studies.study_score_files(study_spec(wildcards.study)),
        fidelity=lambda wildcards: studies.study_fidelity_files(
            study_spec(wildcards.study)
        ),
    output:
        scores=studies.STUDY_SCORES,
        fidelity=studies.STUDY_FIDELITY,
    log:
        "logs/aggregate_study/{study}.log",
    localrule: True
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=lambda wildcards: study_spec(wildcards.study),
    script:
        "../../scripts/aggregate_study.py"


rule aggregate:
    input:
        scores=expand(studies.STUDY_SCORES, study=sorted(STUDIES)),
        fidelity=expand(studies.STUDY_FIDELITY, study=sorted(STUDIES)),
    output:
        scores="results/scores.parquet",
        scores_csv="results/scores.csv",
        summary="results/summary.parquet",
        significance="results/significance.parquet",
        fidelity="results/fidelity.parquet",
    log:
        "logs/aggregate.log",
    localrule: True
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        confidence=config["confidence"],
    script:
        "../../scripts/aggregate.py"


rule figure:
    input:
        unpack(figure_inputs),
    output:
        png=report(
            studies.FIGURE.replace("{ext}", "png"),
            caption="../report/figure.rst",
            category="{study}",
            subcategory="{figure}",
            labels={"study": "{study}", "figure": "{figure}", "dataset": "{dataset}"},
        ),
        svg=studies.FIGURE.replace("{ext}", "svg"),
    log:
        "logs/figure/{study}/{figure}/{dataset}.log",
    localrule: True
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        spec=lambda wildcards: study_spec(wildcards.study),
    script:
        "../../scripts/figure.py"


# One target rule per study: `snakemake --cores 2 study_<name>` runs that study alone.
for _study in STUDIES:

    rule:
        name:
            f"study_{_study}"
        input:
            studies.STUDY_SCORES.format(study=_study),
            studies.STUDY_FIDELITY.format(study=_study),
            studies.study_figure_files(_study, study_spec(_study)),
            studies.study_job_files(study_spec(_study)),
        localrule: True


rule report_tables:
    input:
        summary="results/summary.parquet",
        significance="results/significance.parquet",
        fidelity="results/fidelity.parquet",
    output:
        report(
            "results/report/tables.html",
            caption="../report/tables.rst",
            category="Tables",
            labels={"table": "results, configuration, software"},
        ),
    log:
        "logs/report_tables.log",
    localrule: True
    conda:
        "../../envs/ganboost.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../../scripts/report_tables.py"
