"""Cleaning raw tables into typed tables: the four datasets, inference and bad input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ganboost.datasets import DatasetError, normalize_entry, raw_filename, read_raw
from ganboost.preprocessing import preprocess

ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("GANBOOST_DATA_MIRROR") or ROOT.parent / "shared" / "datasets")
CONFIG_DATASETS = yaml.safe_load((ROOT / "config.yaml").read_text())["datasets"]


def run(frame: pd.DataFrame, **entry):
    """Preprocess ``frame`` with a local-file entry whose target defaults to ``y``."""
    return preprocess(frame, {"path": "demo.csv", "target": "y", **entry}, "demo")


def fails(frame: pd.DataFrame, message: str, **entry) -> None:
    with pytest.raises(DatasetError, match=re.escape(message)):
        run(frame, **entry)


def labels(n: int) -> list[int]:
    return [i % 2 for i in range(n)]


# -- the four datasets -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def prepared():
    if not MIRROR.is_dir():
        pytest.skip(f"dataset mirror {MIRROR} is absent")
    out = {}
    for name, entry in CONFIG_DATASETS.items():
        entry = normalize_entry(name, entry)
        raw = read_raw(MIRROR / raw_filename(name, entry), entry, name)
        out[name] = preprocess(raw, entry, name)
    return out


@pytest.mark.parametrize(("name", "shape", "positive_share", "kinds"), [
    ("titanic", (1309, 8), 0.382,
     {"categorical": 3, "numeric": 2, "integer": 2}),
    ("wine", (6497, 13), 0.197, {"categorical": 1, "numeric": 11}),
    ("pima", (768, 9), 0.349, {"integer": 6, "numeric": 2}),
    ("debrecen", (1151, 20), 0.531, {"binary": 3, "integer": 6, "numeric": 10}),
])
def test_the_four_datasets(prepared, name, shape, positive_share, kinds):
    table, schema = prepared[name]
    schema.validate(table)
    assert table.shape == shape and schema.dataset == name
    assert list(table.columns) == [*schema.feature_names, schema.target]
    assert table[schema.target].dtype == "int64"
    assert table[schema.target].mean() == pytest.approx(positive_share, abs=5e-4)
    found = pd.Series([c.kind for c in schema.columns]).value_counts().to_dict()
    assert found == kinds
    for spec in schema.columns:
        values = table[spec.name]
        if spec.kind == "categorical":
            # Text labels (pandas 3's "str", object of str on pandas 2); a missing label stays
            # missing and never becomes the category "nan".
            assert pd.api.types.is_string_dtype(values.dropna()), spec.name
            assert "nan" not in spec.categories, spec.name
            assert set(values.dropna()) <= set(spec.categories), spec.name
            assert spec.missing_share == pytest.approx(values.isna().mean()), spec.name
        else:
            assert values.dtype == "float64", spec.name


def test_titanic(prepared):
    table, schema = prepared["titanic"]
    assert schema.feature_names == ["pclass", "sex", "age", "sibsp", "parch", "fare",
                                    "embarked"]
    assert schema.column("pclass").categories == ["1", "2", "3"]
    assert table["embarked"].isna().sum() == 2 and table["age"].isna().sum() == 263


def test_wine(prepared):
    table, schema = prepared["wine"]
    assert table.drop(columns=schema.target).isna().any(axis=1).sum() == 34
    assert schema.classes == ["quality < 7", "quality >= 7"]
    assert schema.column("type").categories == ["red", "white"]


def test_pima_zeros_are_missing(prepared):
    table, schema = prepared["pima"]
    missing = {"Glucose": 5, "BloodPressure": 35, "SkinThickness": 227, "Insulin": 374,
               "BMI": 11}
    for column, count in missing.items():
        assert table[column].isna().sum() == count
        assert schema.column(column).minimum > 0
        assert any(note.startswith(f"column {column!r}: {count} entries") for note in
                   schema.notes)
    assert (table["Pregnancies"] == 0).sum() == 111


def test_debrecen_names(prepared):
    _, schema = prepared["debrecen"]
    assert schema.feature_names[:3] == ["quality", "pre_screening", "ma_0.5"]
    assert schema.columns_of_kind("binary") == ["quality", "pre_screening", "am_fm"]


# -- inference and overrides -----------------------------------------------------------------
def test_kinds_are_inferred():
    frame = pd.DataFrame({
        "height": [1.5, 1.7, np.nan, 1.8], "count": [1, 2, 3, 3], "flag": [0, 1, 1, 0],
        "smoker": [True, False, True, True], "colour": ["red", "blue", "red", None],
        "y": ["no", "yes", "no", "yes"],
    })
    table, schema = run(frame)
    kinds = {c.name: c.kind for c in schema.columns}
    assert kinds == {"height": "numeric", "count": "integer", "flag": "binary",
                     "smoker": "binary", "colour": "categorical"}
    assert schema.column("height").maximum == 1.8
    assert schema.column("colour").missing_share == 0.25
    assert schema.classes == ["no", "yes"] and table["y"].tolist() == [0, 1, 0, 1]
    assert table["smoker"].tolist() == [1.0, 0.0, 1.0, 1.0]


def test_kinds_and_drop_override_inference():
    frame = pd.DataFrame({"grade": [1, 2, 3, 1], "flag": [0, 1, 1, 0], "note": list("abcd"),
                          "y": labels(4)})
    table, schema = run(frame, kinds={"grade": "categorical", "flag": "integer"},
                        drop=["note"])
    assert schema.column("grade").categories == ["1", "2", "3"]
    assert schema.column("flag").kind == "integer"
    assert "note" not in table.columns


def test_declared_kind_that_does_not_fit():
    frame = pd.DataFrame({"a": [0, 2, 1, 0], "y": labels(4)})
    fails(frame, "datasets.demo.kinds: column 'a' is declared binary but holds values other "
                 "than 0 and 1", kinds={"a": "binary"})


def test_kinds_for_unknown_column():
    frame = pd.DataFrame({"height": [1.0, 2.0], "y": [0, 1]})
    fails(frame, "datasets.demo.kinds: column 'heigth' is not in the table. Did you mean "
                 "'height'?", kinds={"heigth": "numeric"})


def test_rename():
    frame = pd.DataFrame({"0": [1.0, 2.5], "1": [0, 1], "Class": [0, 1]})
    _, schema = run(frame, target="Class", rename={0: "size", "1": "flag"})
    assert schema.feature_names == ["size", "flag"]
    fails(frame, "datasets.demo: the table after datasets.demo.rename has duplicate column "
                 "names ['1']", target="Class", rename={"0": "1"})
    fails(frame, "datasets.demo.rename: column '2' is not in the table", target="Class",
          rename={"2": "x"})


# -- automatic handling of a user's table ----------------------------------------------------
def test_identifier_and_free_text_columns_are_dropped():
    n = 40
    frame = pd.DataFrame({
        "customer_id": range(1000, 1000 + 3 * n, 3),
        "row": range(n),
        "comment": [f"said thing number {i} about it" for i in range(n)],
        "code": [f"C{i % 30}" for i in range(n)],
        "size": np.linspace(0, 1, n),
        "y": labels(n),
    })
    table, schema = run(frame)
    assert schema.feature_names == ["size"]
    dropped = [note for note in schema.notes if "dropped" in note]
    assert any(n.startswith("column 'customer_id' dropped: a different whole number")
               for n in dropped)
    assert any(n.startswith("column 'comment' dropped: 40 distinct labels in 40 rows look "
                            "like an identifier or free text") for n in dropped)
    assert any(n.startswith("column 'code' dropped: 30 distinct labels") for n in dropped)
    assert all("name its kind in datasets.demo.kinds to keep it" in n for n in dropped)
    _, kept = run(frame, kinds={"code": "categorical"}, drop=["customer_id", "row",
                                                                "comment"])
    assert kept.column("code").kind == "categorical"


def test_empty_and_constant_columns_are_dropped():
    frame = pd.DataFrame({"empty": [np.nan] * 4, "same": [5, 5, 5, 5],
                          "some": [1.0, None, 1.0, 1.0], "x": [1.0, 2.0, 3.0, 4.5],
                          "y": labels(4)})
    _, schema = run(frame)
    assert schema.feature_names == ["some", "x"]
    assert "column 'empty' dropped: it holds no values" in schema.notes
    assert any(n.startswith("column 'same' dropped: it holds the single value '5'")
               for n in schema.notes)
    _, kept = run(frame, kinds={"same": "integer"})
    assert "same" in kept.feature_names


def test_numeric_column_with_missing_markers():
    values = ["1.5", "?", "2", "NA", "n/a", " 3 ", "", "4"]
    table, schema = run(pd.DataFrame({"a": values, "y": labels(8)}))
    assert schema.column("a").kind == "numeric"
    assert table["a"].isna().sum() == 4 and table["a"].max() == 4.0
    assert "column 'a': 3 entries '?', 'NA', 'n/a' treated as missing" in schema.notes


def test_mostly_text_column_stays_categorical():
    values = ["red", "blue", "?", "3", "red", "blue", "green", "red"]
    table, schema = run(pd.DataFrame({"colour": values, "y": labels(8)}))
    assert schema.column("colour").categories == ["3", "blue", "green", "red"]
    assert table["colour"].isna().sum() == 1


def test_stray_text_in_numeric_column():
    values = [str(i % 10) for i in range(39)] + ["twelve"]
    table, schema = run(pd.DataFrame({"a": values, "y": labels(40)}))
    assert schema.column("a").kind == "integer" and table["a"].isna().sum() == 1
    assert any("1 entries that are not numbers ('twelve') treated as missing" in n
               for n in schema.notes)
    text = pd.DataFrame({"a": ["1", "x", "y", "2"], "y": labels(4)})
    fails(text, "datasets.demo.kinds.a: declared numeric, but 2 of 4 entries are not numbers "
                "('x', 'y'); list them in datasets.demo.missing_values", kinds={"a": "numeric"})


def test_missing_values_global_and_per_column():
    frame = pd.DataFrame({"a": [0, 5, -1, 7], "b": ["x", "unk", "z", "x"], "y": labels(4)})
    table, schema = run(frame, missing_values={"*": ["unk"], "a": [0, "-1"]})
    assert table["a"].isna().tolist() == [True, False, True, False]
    assert table["b"].isna().tolist() == [False, True, False, False]


def test_infinite_values_become_missing():
    table, schema = run(pd.DataFrame({"a": [1.0, np.inf, 2.0, 3.0], "y": labels(4)}))
    assert table["a"].isna().sum() == 1
    assert "column 'a': 1 infinite value(s) treated as missing" in schema.notes


def test_dates_become_days():
    frame = pd.DataFrame({
        "iso": ["1970-01-02", "1970-01-11", None, "2000-01-01"],
        "german": ["02.01.1970", "31.12.1970", "01.01.1970", "15.06.1999"],
        "stamp": pd.to_datetime(["1970-01-03", "1970-01-01", "1970-01-02", "1970-01-05"]),
        "y": labels(4),
    })
    table, schema = run(frame)
    assert table["iso"].tolist()[:2] == [1.0, 10.0] and table["stamp"].tolist()[0] == 2.0
    assert table["german"].tolist()[1] == 364.0
    assert "column 'iso' holds dates; converted to days since 1970-01-01" in schema.notes
    fails(frame, "datasets.demo.datetimes: column 'iso' holds dates; add it to "
                 "datasets.demo.drop", datetimes="reject")


def test_ambiguous_dates_are_rejected():
    frame = pd.DataFrame({"day": ["01/02/2020", "03/04/2020"], "y": [0, 1]})
    fails(frame, "column 'day' holds dates such as '01/02/2020' that read both as month/day "
                 "and as day/month; write them as YYYY-MM-DD")
    table, _ = run(pd.DataFrame({"day": ["01/02/2020", "25/04/2020"], "y": [0, 1]}))
    assert table["day"].tolist() == [18293.0, 18377.0]


def test_unicode_and_spaces_in_column_names():
    frame = pd.DataFrame({" Größe (cm) ": [1.5, 2.0, 2.5], "Ergebnis ✓": ["ja", "nein", "ja"]})
    table, schema = run(frame, target="Ergebnis ✓", kinds={"Größe (cm)": "numeric"})
    assert list(table.columns) == ["Größe (cm)", "Ergebnis ✓"]
    assert schema.classes == ["ja", "nein"]


def test_duplicate_column_names():
    frame = pd.DataFrame([[1, 2, 0], [3, 4, 1]], columns=["a", "a ", "y"])
    fails(frame, "datasets.demo: the table has duplicate column names ['a'] (after trimming "
                 "spaces); give each column its own name")


def test_csv_quirks_end_to_end(tmp_path):
    data = ('\ufeffname;age;score;y\r\n"Lee, A";30;1,5;yes\r\n"Kim; B";?;2,5;no\r\n'
            '"Ray, C";41;n/a;yes\r\n;;;\r\n').encode()
    path = tmp_path / "own.csv"
    path.write_bytes(data)
    entry = {"path": str(path), "target": "y", "decimal": ",", "drop": ["name"]}
    table, schema = preprocess(read_raw(path, entry, "own"), entry, "own")
    assert table["age"].tolist()[0] == 30.0 and np.isnan(table["age"].tolist()[1])
    assert table["score"].tolist()[:2] == [1.5, 2.5] and table["y"].tolist() == [1, 0, 1]


# -- the target ------------------------------------------------------------------------------
def test_misspelled_target():
    frame = pd.DataFrame({"age": [1, 2], "survived": [0, 1]})
    fails(frame, "datasets.demo.target: column 'Survived' is not in the table. Did you mean "
                 "'survived'? Columns: age, survived", target="Survived")


def test_target_with_one_class():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [1, 1, 1]})
    fails(frame, "datasets.demo.target: 'y' holds a single class ('1') in all 3 rows; a "
                 "classifier needs at least two")
    fails(pd.DataFrame({"a": [1.0, 2.0], "y": [3, 4]}), "holds a single class ('y < 7')",
          positive_threshold=7)


def test_rows_without_target_are_dropped():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "y": ["1", "?", None, "0"]})
    table, schema = run(frame)
    assert table["y"].tolist() == [1, 0]
    assert "2 row(s) without a value in the target 'y' dropped" in schema.notes


def test_multiclass_target():
    frame = pd.DataFrame({"a": np.arange(6.0), "y": ["b", "c", "a", "b", "c", "a"]})
    fails(frame, "datasets.demo.target: 'y' has 3 classes (a, b, c), but a binary target is "
                 "expected. Set datasets.demo.positive_class (that label -> 1, all others "
                 "-> 0), datasets.demo.positive_threshold (values >= threshold -> 1), or "
                 "datasets.demo.multiclass: true to keep classes 0..2")
    table, schema = run(frame, multiclass=True)
    assert schema.classes == ["a", "b", "c"] and table["y"].tolist() == [1, 2, 0, 1, 2, 0]


def test_numeric_labels_sort_numerically():
    frame = pd.DataFrame({"a": np.arange(4.0), "y": [10.0, 9.0, 10.0, 2.0]})
    table, schema = run(frame, multiclass=True)
    assert schema.classes == ["2", "9", "10"] and table["y"].tolist() == [2, 1, 2, 0]


def test_positive_class():
    frame = pd.DataFrame({"a": np.arange(6.0), "y": ["b", "c", "a", "b", "c", "a"]})
    table, schema = run(frame, positive_class="c")
    assert schema.classes == ["not c", "c"] and table["y"].tolist() == [0, 1, 0, 0, 1, 0]
    two = pd.DataFrame({"a": [1.0, 2.0], "y": ["M", "B"]})
    table, schema = run(two, positive_class="B")
    assert schema.classes == ["M", "B"] and table["y"].tolist() == [0, 1]
    fails(frame, "datasets.demo.positive_class: 'C' is not a label of the target 'y'. Did you "
                 "mean 'c'? Labels: a, b, c", positive_class="C")


def test_positive_threshold():
    frame = pd.DataFrame({"a": np.arange(4.0), "y": [3, 7, 8, 6]})
    table, schema = run(frame, positive_threshold=7)
    assert table["y"].tolist() == [0, 1, 1, 0]
    text = pd.DataFrame({"a": [1.0, 2.0], "y": ["low", "high"]})
    fails(text, "datasets.demo.positive_threshold: needs a numeric target, but 'y' holds "
                "['high', 'low']", positive_threshold=1)


def test_no_features_left():
    frame = pd.DataFrame({"a": [1.0, 2.0], "y": [0, 1]})
    fails(frame, "datasets.demo: no feature column is left besides the target 'y'",
          drop=["a"])
