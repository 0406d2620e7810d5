import copy

import pytest

from ganboost import config as studies
from ganboost.config import ConfigError, TrainingSet

BASE = {
    "datasets": {"titanic": {"target": "survived"}, "pima": {"target": "Outcome"}},
    "generators": {"wgan-gp": {"kind": "wgan-gp"}, "dcgan": {"kind": "dcgan"}},
    "studies": {
        "battery": {
            "datasets": ["titanic", "pima"],
            "real_fractions": [1.0],
            "generators": ["wgan-gp", "dcgan"],
            "boost_factors": [1.2, "replace"],
            "models": ["battery"],
            "seeds": 2,
        },
        "shrink": {
            "datasets": ["titanic"],
            "real_fractions": [0.5, 1.0],
            "generators": ["wgan-gp"],
            "boost_factors": [1.2, 2],
            "models": ["nn_search"],
            "seeds": [0],
        },
    },
}


def with_study_value(key, value, study="battery"):
    config = copy.deepcopy(BASE)
    config["studies"][study][key] = value
    return config


def test_valid_config_passes():
    studies.check_config(BASE)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("datasets", ["titanik"], r"studies\.battery\.datasets: unknown dataset 'titanik'.*"
                                  r"did you mean 'titanic'"),
        ("real_fractions", [0.0], r"real_fractions: 0\.0 is outside \(0, 1\]"),
        ("real_fractions", [1.5], r"real_fractions: 1\.5 is outside \(0, 1\]"),
        ("boost_factors", [1.0], r"boost_factors: 1\.0 is not allowed"),
        ("boost_factors", [0.5], r"boost_factors: 0\.5 is not allowed"),
        ("boost_factors", ["double"], r"boost_factors: 'double' is not allowed"),
        ("generators", ["wgan"], r"unknown generator 'wgan'"),
        ("models", ["random_forrest"], r"did you mean 'random_forest'"),
        ("figures", ["shrink_boost"], r"unknown figure 'shrink_boost'"),
    ],
)
def test_bad_study_values_name_key_and_value(key, value, expected):
    with pytest.raises(ConfigError, match=expected):
        studies.check_config(with_study_value(key, value))


def test_reserved_generator_name_rejected():
    config = copy.deepcopy(BASE)
    config["generators"]["real"] = {"kind": "bootstrap"}
    with pytest.raises(ConfigError, match=r"generators\.real: 'real' is reserved"):
        studies.check_config(config)


def test_labels_are_canonical():
    assert studies.fraction_label(1) == "1.0"
    assert studies.fraction_label(0.3) == "0.3"
    assert studies.fraction_label(0.1 + 0.2) == "0.3"
    assert studies.boost_label(2) == "x2.0"
    assert studies.boost_label(1.2) == "x1.2"
    assert studies.boost_label("replace") == "replace"


def test_seeds_count_or_list():
    assert studies.seeds_of(3) == [0, 1, 2]
    assert studies.seeds_of([4, 7]) == [4, 7]


def test_model_alias_expands_to_battery_and_scorers():
    models = studies.models_of(["battery", "random_forest", "nn_search"])
    assert models[: len(studies.BATTERY_MODELS)] == list(studies.BATTERY_MODELS)
    assert models.count("random_forest") == 1
    assert studies.scorers_for(models) == ["battery", "dense_network", "nn_search"]
    assert studies.scorers_for(["nn_search"]) == ["nn_search"]


def test_expansion_counts():
    battery = BASE["studies"]["battery"]
    sets = studies.study_training_sets(battery)
    # 2 datasets x 2 seeds x 1 fraction x (real + 2 generators x 2 boosts)
    assert len(sets) == 2 * 2 * (1 + 2 * 2)
    assert len(studies.study_generators(battery)) == 2 * 2 * 2
    real = [s for s in sets if s.training_data == "real"]
    assert all(s.generator == "none" and s.boost_factor == 1.0 for s in real)
    replaced = [s for s in sets if s.training_data == "synthetic"]
    assert all(s.boost_factor == 1.0 for s in replaced)


def test_shared_jobs_have_one_path():
    """A table two studies share (same dataset, seed, fraction, generator, boost) is the
    same file, so Snakemake builds it once."""
    battery = studies.study_training_sets(BASE["studies"]["battery"])
    shrink = studies.study_training_sets(BASE["studies"]["shrink"])
    shared = set(battery) & set(shrink)
    assert TrainingSet("titanic", 0, 1.0, "wgan-gp", "x1.2") in shared
    assert TrainingSet("titanic", 0, 1.0) in shared
    generators = set(studies.study_generators(BASE["studies"]["battery"])) & set(
        studies.study_generators(BASE["studies"]["shrink"])
    )
    assert {(g.dataset, g.seed, g.real_fraction, g.generator) for g in generators} == {
        ("titanic", 0, 1.0, "wgan-gp")
    }


def test_paths_round_trip_through_training_wildcard():
    boosted = TrainingSet("pima", 1, 0.5, "dcgan", "x1.3")
    assert boosted.scores_path("battery") == (
        "results/pima/seed1/f0.5/dcgan/x1.3/scores/battery.parquet"
    )
    assert studies.parse_training(boosted.training) == ("dcgan", "x1.3")
    assert studies.parse_training("real") == ("none", "real")
    assert TrainingSet("pima", 1, 0.5).scores_path("nn_search").endswith(
        "f0.5/real/scores/nn_search.parquet"
    )


def test_job_files_name_every_generator_and_table_of_a_study():
    """Each per-job file is a target of its study, so deleting one redoes that job."""
    battery = BASE["studies"]["battery"]
    files = studies.study_job_files(battery)
    assert len(files) == len(set(files))
    assert "results/pima/seed1/f1.0/dcgan/model" in files
    assert "results/pima/seed1/f1.0/dcgan/training_log.parquet" in files
    assert "results/titanic/seed0/f1.0/wgan-gp/replace/synthetic.parquet" in files
    assert "results/titanic/seed0/split.parquet" in files
    assert set(studies.study_score_files(battery)) <= set(files)
    models = [f for f in files if f.endswith("/model")]
    assert len(models) == len(studies.study_generators(battery)) == 2 * 2 * 2
    shrink = studies.study_job_files(BASE["studies"]["shrink"])
    assert "results/titanic/seed0/f0.5/wgan-gp/x2.0/scores/nn_search_history.parquet" in shrink


def test_every_figure_has_a_caption():
    from pathlib import Path

    caption = (Path(__file__).parents[1] / "workflow" / "report" / "figure.rst").read_text()
    for figure in studies.FIGURES:
        assert f'snakemake.wildcards.figure == "{figure}"' in caption
