"""Bring your own dataset: the tutorial run for real, multi-class targets, bad input.

The tutorial (docs/tutorial-own-dataset.md) is followed as written on a copy of the project:
its ``yaml <file>`` blocks are written (``yaml add-to <file>`` merged into the file), its
``bash`` blocks run, in order. Two things differ, both only to keep it quick: the
``snakemake`` on PATH adds tests/config/own_dataset.yaml after the tutorial's overlay (short
GAN and network training), and every study runs one seed instead of two.

The workflow tests (marked ``workflow``) need no dataset mirror: the data come from
scikit-learn or are written here. The unmarked tests check the library fixes they rely on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ganboost import battery, statistics, steps
from ganboost.datasets import DatasetError, check_not_builtin
from ganboost.schema import ColumnSpec, TableSchema
from ganboost.splitting import SplitError

PROJECT = Path(__file__).resolve().parents[1]
TUTORIAL = PROJECT / "docs" / "tutorial-own-dataset.md"
SPEED_OVERLAY = "tests/config/own_dataset.yaml"
# What a fresh clone does not have: outputs, local data, caches, the repository itself.
NOT_IN_A_CLONE = {".git", ".snakemake", ".venv", "results", "logs", "resources", "data",
                  "__pycache__", ".pytest_cache", ".ruff_cache", "ganboost.egg-info"}
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
# Added after the tutorial's --configfile list by the `snakemake` the tests put on PATH.
SNAKEMAKE_SHIM = """#!{python}
import os
import sys

args = sys.argv[1:]
if "--configfile" in args:
    end = args.index("--configfile") + 1
    while end < len(args) and not args[end].startswith("-"):
        end += 1
    args[end:end] = [{overlay!r}]
os.execv({python!r}, [{python!r}, "-m", "snakemake", *args])
"""
BINARY_FIGURES = ("battery-boost", "battery-replace", "gan-log", "fidelity")


# -- running things on a copy of the project --------------------------------------------------
def fresh_clone(destination: Path) -> Path:
    """The project's files as a fresh clone has them: no results, data, logs or caches."""
    shutil.copytree(PROJECT, destination,
                    ignore=lambda _, names: [n for n in names if n in NOT_IN_A_CLONE])
    return destination


def environment(extra_path: Path | None = None) -> dict[str, str]:
    """This interpreter's tools first on PATH; no mirror, and no proxy before 127.0.0.1."""
    dropped = {"ganboost_data_mirror", "http_proxy", "https_proxy", "all_proxy"}
    env = {k: v for k, v in os.environ.items() if k.lower() not in dropped}
    folders = [str(extra_path)] if extra_path else []
    env["PATH"] = os.pathsep.join([*folders, str(Path(sys.executable).parent), env["PATH"]])
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def snakemake(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args],
                          cwd=directory, env=environment(), capture_output=True, text=True,
                          timeout=900)


def shown(result: subprocess.CompletedProcess) -> str:
    """Everything Snakemake printed, as the user sees it."""
    return result.stdout + result.stderr


# -- following the tutorial ------------------------------------------------------------------
def tutorial_blocks() -> list[tuple[list[str], str]]:
    """(info words, body) of every fenced block of the tutorial, in order."""
    text = TUTORIAL.read_text(encoding="utf-8")
    return [(match["info"].split(), match["body"]) for match in FENCE.finditer(text)]


def deep_merge(base: dict, extra: dict) -> dict:
    """``extra`` merged into ``base`` key by key, as Snakemake merges config files."""
    merged = dict(base)
    for key, value in extra.items():
        both_mappings = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = deep_merge(merged[key], value) if both_mappings else value
    return merged


def write_overlay(path: Path, body: str, add: bool) -> None:
    content = yaml.safe_load(body)
    if add:
        content = deep_merge(yaml.safe_load(path.read_text(encoding="utf-8")), content)
    for study in (content.get("studies") or {}).values():
        study["seeds"] = 1
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def run_bash_block(directory: Path, body: str, tools: Path) -> None:
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=directory,
                            env=environment(tools), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, f"tutorial step failed:\n{body}\n{shown(result)[-6000:]}"


def snakemake_shim(folder: Path, directory: Path) -> Path:
    folder.mkdir()
    shim = folder / "snakemake"
    shim.write_text(SNAKEMAKE_SHIM.format(python=sys.executable,
                                          overlay=str(directory / SPEED_OVERLAY)))
    shim.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory) -> Path:
    """A project copy on which every step of the tutorial has been done."""
    directory = fresh_clone(tmp_path_factory.mktemp("tutorial") / "ganboost")
    tools = snakemake_shim(directory.parent / "bin", directory)
    for words, body in tutorial_blocks():
        if words[:1] == ["bash"]:
            run_bash_block(directory, body, tools)
        elif words[:1] == ["yaml"] and len(words) > 1:
            write_overlay(directory / words[-1], body, add=words[1] == "add-to")
    return directory


def study_scores(directory: Path, study: str) -> pd.DataFrame:
    return pd.read_parquet(directory / "results" / "studies" / study / "scores.parquet")


def mean_accuracy(scores: pd.DataFrame, training_data: str) -> pd.Series:
    chosen = scores[scores["training_data"] == training_data]
    return chosen.groupby("model")["accuracy"].mean()


# -- the tutorial, binary --------------------------------------------------------------------
@pytest.mark.workflow
def test_tutorial_files_and_commands_exist():
    blocks = tutorial_blocks()
    files = {words[-1] for words, _ in blocks if words[:1] == ["yaml"] and len(words) > 1}
    assert files == {"my-study.yaml", "my-wine.yaml"}
    commands = "\n".join(body for words, body in blocks if words[:1] == ["bash"])
    for expected in ("snakemake study_my_study --cores 2 --configfile my-study.yaml",
                     "snakemake study_wine_study --cores 2 --configfile my-wine.yaml",
                     "scripts/export_sklearn_dataset.py breast_cancer data/breast_cancer.csv",
                     "scripts/export_sklearn_dataset.py wine data/wine_cultivars.csv"):
        assert expected in commands


@pytest.mark.workflow
def test_binary_schema_is_what_the_user_checks(tutorial):
    schema = json.loads((tutorial / "results" / "breast_cancer" / "schema.json").read_text())
    assert schema["target"] == "diagnosis"
    assert schema["classes"] == ["benign", "malignant"]
    names = [column["name"] for column in schema["columns"]]
    assert len(names) == 28 and "worst area" not in names and "worst radius" in names
    assert {column["kind"] for column in schema["columns"]} == {"numeric"}
    assert schema["notes"] == [
        "target 'diagnosis': 'benign' -> 0 (357 rows), 'malignant' -> 1 (212 rows)"
    ]


@pytest.mark.workflow
def test_binary_scores(tutorial):
    scores = study_scores(tutorial, "my_study")
    assert set(scores["dataset"]) == {"breast_cancer"}
    assert set(scores["training_data"]) == {"real", "boosted", "synthetic"}
    assert set(scores["generator"]) == {"none", "cwgan-gp", "smote"}
    assert set(scores["model"]) == set(battery.SKLEARN_MODELS) | {"dense_network"}
    real = mean_accuracy(scores, "real")
    assert real["random_forest"] > real["majority"] + 0.2
    assert scores[list(battery.METRICS)].notna().all().all()


@pytest.mark.workflow
def test_binary_figures(tutorial):
    for figure in BINARY_FIGURES:
        for ext in ("png", "svg"):
            path = tutorial / "results" / "figures" / "my_study" / figure / f"breast_cancer.{ext}"
            assert path.stat().st_size > 1000, path


@pytest.mark.workflow
def test_editing_the_data_file_redoes_the_dataset(tutorial):
    data = tutorial / "data" / "breast_cancer.csv"
    data.write_text("".join(data.read_text().splitlines(keepends=True)[:-1]))  # one row less
    result = snakemake(tutorial, "--dry-run", "results/breast_cancer/schema.json",
                       "--configfile", "my-study.yaml")
    assert result.returncode == 0, shown(result)
    assert re.search(r"^download\s+1$", shown(result), re.MULTILINE)
    assert re.search(r"^preprocess\s+1$", shown(result), re.MULTILINE)


# -- the tutorial, three classes -------------------------------------------------------------
@pytest.mark.workflow
def test_multiclass_schema(tutorial):
    schema = TableSchema.load(tutorial / "results" / "wine_cultivars" / "schema.json")
    assert schema.classes == ["class_0", "class_1", "class_2"]
    assert schema.column("magnesium").kind == "numeric"  # declared in kinds
    assert schema.column("proline").kind == "numeric"
    assert len(schema.feature_names) == 13


@pytest.mark.workflow
def test_multiclass_scores_use_macro_metrics(tutorial):
    scores = study_scores(tutorial, "wine_study")
    assert set(scores["dataset"]) == {"wine_cultivars"}
    assert scores[list(battery.METRICS)].notna().all().all()  # SVC's ROC AUC included
    real = scores[scores["training_data"] == "real"].set_index("model")
    assert real.loc["majority", "balanced_accuracy"] == pytest.approx(1 / 3)
    assert real.loc["majority", "roc_auc"] == pytest.approx(0.5)
    assert real.loc["random_forest", "accuracy"] > real.loc["majority", "accuracy"] + 0.3
    assert real.loc["dense_network", "accuracy"] > real.loc["majority", "accuracy"]
    majority = real.loc["majority"]
    assert majority["f1"] < majority["accuracy"]  # macro F1 counts the two unpredicted classes


@pytest.mark.workflow
def test_multiclass_synthetic_rows_cover_every_class(tutorial):
    schema = TableSchema.load(tutorial / "results" / "wine_cultivars" / "schema.json")
    setting = tutorial / "results" / "wine_cultivars" / "seed0" / "f1.0"
    train, _, _ = steps.load_parts(
        str(tutorial / "results" / "wine_cultivars" / "table.parquet"),
        str(tutorial / "results" / "wine_cultivars" / "schema.json"),
        str(tutorial / "results" / "wine_cultivars" / "seed0" / "split.parquet"), 1.0)
    real_counts = train[schema.target].value_counts().sort_index()
    for generator in ("cwgan-gp", "smote"):
        replaced = pd.read_parquet(setting / generator / "replace" / "synthetic.parquet")
        schema.validate(replaced)
        counts = replaced[schema.target].value_counts().sort_index()
        assert counts.to_dict() == real_counts.to_dict(), generator  # class_balance: keep
        boosted = pd.read_parquet(setting / generator / "x1.2" / "synthetic.parquet")
        assert set(boosted[schema.target]) == {0, 1, 2}, generator


@pytest.mark.workflow
def test_multiclass_fidelity_statistics_and_figures(tutorial):
    fidelity = pd.read_parquet(tutorial / "results" / "studies" / "wine_study" /
                               "fidelity.parquet")
    detection = fidelity[fidelity["metric"] == "detection_auc_holdout"]
    assert set(detection["generator"]) == {"cwgan-gp", "smote"}
    assert detection["value"].between(0, 1).all()
    scores = study_scores(tutorial, "wine_study")
    compared = statistics.paired_comparison(scores, list(battery.METRICS))
    assert set(compared["training_data"]) == {"boosted", "synthetic"}
    assert compared["mean_difference"].notna().all()
    for figure in BINARY_FIGURES:
        path = tutorial / "results" / "figures" / "wine_study" / figure / "wine_cultivars.png"
        assert path.stat().st_size > 1000, path


# -- names -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project copy with one small own dataset in data/own.csv."""
    directory = fresh_clone(tmp_path_factory.mktemp("own") / "ganboost")
    (directory / "data").mkdir()
    rng = np.random.default_rng(0)
    size = rng.normal(size=40).round(3)
    pd.DataFrame({"size": size, "y": np.where(size > 0, "big", "small")}).to_csv(
        directory / "data" / "own.csv", index=False)
    return directory


def write(directory: Path, name: str, text: str) -> str:
    (directory / name).write_text(text, encoding="utf-8")
    return name


@pytest.mark.workflow
def test_own_entry_named_like_a_builtin_is_refused(project):
    overlay = write(project, "taken.yaml", (
        "datasets:\n  titanic:\n    path: data/own.csv\n    target: y\n"
        "studies:\n  mine:\n    datasets: [titanic]\n    models: [majority]\n"))
    result = snakemake(project, "--dry-run", "study_mine", "--configfile", overlay)
    assert result.returncode != 0
    assert ("datasets.titanic: the name 'titanic' is taken by a built-in dataset entry of "
            "config.yaml") in shown(result)
    assert "Pick another name, e.g. 'my_titanic'" in shown(result)


@pytest.mark.workflow
def test_dataset_name_with_spaces_unicode_and_regex_characters(project):
    overlay = write(project, "odd.yaml", (
        "datasets:\n  'größe daten+':\n    path: data/own.csv\n    target: y\n"
        "studies:\n  odd:\n    datasets: ['größe daten+']\n    models: [majority]\n"))
    result = snakemake(project, "study_odd", "--configfile", overlay)
    assert result.returncode == 0, shown(result)[-4000:]
    scores = study_scores(project, "odd")
    assert set(scores["dataset"]) == {"größe daten+"}


# -- bad input, as the user sees it ----------------------------------------------------------
QUIRKY_NAME = "quirky"


def quirky_csv(path: Path) -> None:
    """Semicolons, a byte-order mark, CRLF line ends, quoted ';' and ',', missing markers,
    an empty, a constant, an identifier and a free-text column, Unicode and spaces in names,
    and two empty rows at the end."""
    lines = [";".join([" Patient ID ", "Größe (cm)", "Farbe", "leer", "konstant",
                       "Kommentar", "Ergebnis ✓"])]
    markers = ["?", "NA", "n/a"]
    for i in range(40):
        size = markers[i % 3] if i % 10 == 0 else f"{150 + i}"
        colour = "rot" if i % 3 else "blau"
        label = "ja" if i % 2 else "nein"
        lines.append(f'{100 + i};{size};{colour};;7;"Notiz {i}; sonst, nichts";{label}')
    lines += [";;;;;;", ";;;;;;"]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


BAD_ENTRIES = {
    "misspelled": "    path: data/good.csv\n    target: diagnosys\n",
    "one_class": "    path: data/one_class.csv\n    target: y\n",
    "duplicates": "    path: data/duplicates.csv\n    target: y\n",
    "nowhere": "    path: data/nowhere.csv\n    target: y\n",
    "closed_port": "    url: {url}\n    sha256: " + "a" * 64 + "\n    target: y\n",
    "wrong_sha": "    path: data/good.csv\n    sha256: " + "b" * 64 + "\n    target: diagnosis\n",
    "rare_class": "    path: data/rare.csv\n    target: y\n",
    QUIRKY_NAME: "    path: data/quirky.csv\n    target: Ergebnis ✓\n",
}


def write_bad_data(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    values = np.arange(30.0)
    pd.DataFrame({"size": values, "diagnosis": np.where(values > 10, "b", "m")}).to_csv(
        folder / "good.csv", index=False)
    pd.DataFrame({"size": values, "y": "yes"}).to_csv(folder / "one_class.csv", index=False)
    (folder / "duplicates.csv").write_text("a,b,a,y\n1,2,3,0\n4,5,6,1\n")
    rare = ["common"] * 40 + ["rare"] * 4
    sizes = np.random.default_rng(1).normal(size=44).round(3)
    pd.DataFrame({"size": sizes, "y": rare}).to_csv(folder / "rare.csv", index=False)
    quirky_csv(folder / "quirky.csv")


@pytest.fixture(scope="module")
def bad_run(project) -> tuple[Path, str]:
    """One keep-going run over datasets that are each broken in another way."""
    write_bad_data(project / "data")
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/closed.csv"
        entries = "".join(f"  {name}:\n" + text.format(url=url)
                          for name, text in BAD_ENTRIES.items())
        overlay = write(project, "bad.yaml", (
            f"datasets:\n{entries}studies:\n  rare:\n    datasets: [rare_class]\n"
            "    real_fractions: [0.3, 1.0]\n    models: [majority]\n"))
        targets = [f"results/{name}/schema.json" for name in BAD_ENTRIES if name != "rare_class"]
        result = snakemake(project, "--keep-going", *targets,
                           "results/rare_class/seed0/split.parquet", "--configfile", overlay)
    assert result.returncode != 0
    return project, shown(result)


@pytest.mark.workflow
@pytest.mark.parametrize(("name", "message"), [
    ("misspelled", "datasets.misspelled.target: column 'diagnosys' is not in the table. Did "
                   "you mean 'diagnosis'? Columns: size, diagnosis"),
    ("one_class", "datasets.one_class.target: 'y' holds a single class ('yes') in all 30 "
                  "rows; a classifier needs at least two"),
    ("duplicates", "datasets.duplicates: duplicates.csv has duplicate column names ['a']; "
                   "give each column its own name"),
    ("nowhere", "datasets.nowhere.path: file 'data/nowhere.csv' does not exist"),
    ("closed_port", "datasets.closed_port: cannot fetch closed.csv: the download from "
                    "http://127.0.0.1:"),
    ("wrong_sha", "datasets.wrong_sha: checksum mismatch for good.csv (path data/good.csv): "
                  "expected sha256 " + "b" * 64),
    ("rare_class", "dataset 'rare_class': class 'rare' has 4 row(s): at real fraction 0.3 "
                   "only 1 training row(s) remain, fewer than 2. Raise the smallest real "
                   "fraction or add rows."),
])
def test_bad_input_is_named_on_screen(bad_run, name, message):
    project, output = bad_run
    assert message in output
    assert not (project / "results" / name / "table.parquet").exists() or name == "rare_class"


@pytest.mark.workflow
def test_closed_port_message_says_what_to_do(bad_run):
    _, output = bad_run
    assert re.search(r"closed\.csv failed \(.*[Cc]onnection refused.*\)\. Check "
                     r"datasets\.closed_port\.url and the network connection", output)


@pytest.mark.workflow
def test_quirky_csv_is_read_and_every_change_noted(bad_run):
    project, _ = bad_run
    schema = TableSchema.load(project / "results" / QUIRKY_NAME / "schema.json")
    table = pd.read_parquet(project / "results" / QUIRKY_NAME / "table.parquet")
    assert len(table) == 40  # the empty rows at the end are gone
    assert schema.feature_names == ["Größe (cm)", "Farbe"]
    assert schema.column("Größe (cm)").kind == "integer"
    assert table["Größe (cm)"].isna().sum() == 4 and schema.classes == ["ja", "nein"]
    notes = "\n".join(schema.notes)
    for expected in (
        "column 'Größe (cm)': 4 entries '?', 'NA', 'n/a' treated as missing",
        "column 'leer' dropped: it holds no values",
        "column 'konstant' dropped: it holds the single value '7' in every row",
        "column 'Patient ID' dropped: a different whole number in every row",
        "column 'Kommentar' dropped: 40 distinct labels in 40 rows look like an identifier",
    ):
        assert expected in notes


# -- the library fixes the workflow relies on ------------------------------------------------
def three_class_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return pd.DataFrame({"a": y + rng.normal(scale=0.5, size=n), "b": rng.normal(size=n),
                         "y": y.astype("int64")})


THREE_CLASSES = TableSchema(columns=[ColumnSpec("a", "numeric"), ColumnSpec("b", "numeric")],
                            target="y", classes=["x", "y", "z"])


def test_battery_scores_three_classes_with_every_model():
    scores = battery.run_battery(three_class_table(240, 0), three_class_table(120, 1),
                                 THREE_CLASSES).set_index("model")
    assert scores[list(battery.METRICS)].notna().all().all()
    assert scores.loc["logistic_regression", "accuracy"] > 0.7
    assert scores.loc["svc", "roc_auc"] > 0.8  # from decision values, not probabilities


def test_macro_auc_equals_scikit_learn_for_probabilities():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(2)
    y = np.tile([0, 1, 2], 20)
    proba = rng.dirichlet([1, 1, 1], size=60)
    expected = roc_auc_score(y, proba, multi_class="ovr", average="macro")
    assert battery.macro_ovr_auc(y, proba, 3) == pytest.approx(expected)


def test_decision_values_of_a_model_that_saw_two_of_three_classes():
    from sklearn.svm import SVC

    train = three_class_table(90, 3)
    train = train[train["y"] != 1]
    model = battery.model_pipeline(THREE_CLASSES, SVC()).fit(train[["a", "b"]], train["y"])
    test = three_class_table(30, 4)
    values = battery.decision_scores(model, test[["a", "b"]], 3)
    assert values.shape == (30, 3)
    assert (values[:, 1] < values[:, [0, 2]].min(axis=1)).all()


@pytest.mark.parametrize(("entry", "refused"), [
    ({"path": "my.csv", "target": "y"}, True),
    ({"url": "https://example.org/t.csv", "sha256": "1" * 64, "target": "label"}, True),
    ({"url": "https://mirror.example.org/titanic.csv", "target": "survived"}, False),
    ({"sha256": "0" * 64, "target": "survived"}, False),
])
def test_check_not_builtin(entry, refused):
    builtin = {"url": "https://example.org/titanic.csv", "sha256": "2" * 64,
               "target": "survived"}
    merged = {**builtin, **entry}
    if refused:
        with pytest.raises(DatasetError, match="the name 'titanic' is taken by a built-in"):
            check_not_builtin("titanic", merged, builtin)
    else:
        check_not_builtin("titanic", merged, builtin)
    check_not_builtin("titanic", merged, None)  # not a built-in name: nothing to check


def test_split_names_the_class_by_its_label(tmp_path):
    labels = pd.Series([0] * 40 + [1] * 4, dtype="int64")
    table = pd.DataFrame({"a": np.arange(44.0), "y": labels})
    schema = TableSchema(columns=[ColumnSpec("a", "numeric")], target="y",
                         classes=["common", "rare"], dataset="demo")
    table.to_parquet(tmp_path / "table.parquet")
    schema.save(tmp_path / "schema.json")
    with pytest.raises(SplitError, match="dataset 'demo': class 'rare' has 4 row"):
        steps.split(str(tmp_path / "table.parquet"), str(tmp_path / "schema.json"),
                    str(tmp_path / "split.parquet"), seed=0, test_size=0.2,
                    smallest_fraction=0.3)
