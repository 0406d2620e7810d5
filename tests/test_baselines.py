"""Baseline generators: exact class counts, storage types, valid values, determinism, I/O."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from ganboost.schema import infer_schema
from ganboost.synthesizers import load_synthesizer, make_synthesizer
from ganboost.synthesizers.baselines import ROWS_FILE

KINDS = ["bootstrap", "jitter", "smote", "gaussian-copula"]
COUNTS = {"no": 7, "yes": 18}


def mixed_table(rows: int = 60, seed: int = 0) -> pd.DataFrame:
    """Numeric (with gaps), integer, binary and categorical features; an imbalanced target."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "age": rng.normal(35.0, 12.0, rows).clip(1.0, 80.0),
            "siblings": rng.integers(0, 5, rows).astype("float64"),
            "male": rng.integers(0, 2, rows).astype("float64"),
            "port": rng.choice(["C", "Q", "S"], rows, p=[0.2, 0.1, 0.7]),
            "survived": np.where(rng.random(rows) < 0.3, "yes", "no"),
        }
    )
    table.loc[[2, 11, 29], "age"] = np.nan
    return table


def fitted(kind: str, table: pd.DataFrame | None = None, **params):
    table = mixed_table() if table is None else table
    return make_synthesizer(kind, **params).fit(table, target="survived")


def assert_valid_rows(synthesizer, rows: pd.DataFrame) -> None:
    """The rows are valid rows of the training schema (categories, integers, bounds)."""
    indexed = rows.assign(survived=rows["survived"].map(synthesizer.label_map_))
    synthesizer.schema_.validate(synthesizer.schema_.cast(indexed))


@pytest.mark.parametrize("kind", KINDS)
def test_class_counts_columns_and_dtypes(kind):
    table = mixed_table()
    rows = fitted(kind, table).sample(25, class_counts=COUNTS, random_state=1)

    assert rows["survived"].value_counts().to_dict() == COUNTS
    assert list(rows.columns) == list(table.columns)
    assert rows.dtypes.to_dict() == table.dtypes.to_dict()
    assert_valid_rows(fitted(kind, table), rows)


@pytest.mark.parametrize("kind", KINDS)
def test_default_counts_keep_the_training_class_shares(kind):
    table = mixed_table()
    rows = fitted(kind, table).sample(120, random_state=2)

    expected = (table["survived"].value_counts(normalize=True) * 120).round().astype(int)
    assert rows["survived"].value_counts().to_dict() == expected.to_dict()


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_rows_other_seed_other_rows(kind):
    synthesizer = fitted(kind)
    first = synthesizer.sample(25, class_counts=COUNTS, random_state=5)

    pd.testing.assert_frame_equal(
        first, synthesizer.sample(25, class_counts=COUNTS, random_state=5)
    )
    assert not first.equals(synthesizer.sample(25, class_counts=COUNTS, random_state=6))
    pd.testing.assert_frame_equal(
        make_synthesizer(kind, random_state=5)
        .fit(mixed_table(), target="survived")
        .sample(25, class_counts=COUNTS),
        first,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_save_and_load_give_identical_rows(kind, tmp_path):
    synthesizer = fitted(kind)
    synthesizer.save(tmp_path / kind)
    restored = load_synthesizer(tmp_path / kind)

    assert restored.get_params() == synthesizer.get_params()
    pd.testing.assert_frame_equal(
        restored.sample(25, class_counts=COUNTS, random_state=3),
        synthesizer.sample(25, class_counts=COUNTS, random_state=3),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_zero_rows_keep_columns_and_dtypes(kind):
    table = mixed_table()
    rows = fitted(kind, table).sample(0)

    assert len(rows) == 0
    assert rows.dtypes.to_dict() == table.dtypes.to_dict()


@pytest.mark.skipif(
    int(pd.__version__.split(".")[0]) < 3,
    reason="a missing label survives the schema's string cast from pandas 3 on",
)
@pytest.mark.parametrize("kind", KINDS)
def test_missing_labels_stay_missing_or_become_valid(kind):
    table = mixed_table(80)
    table.loc[[0, 3, 8, 13], "port"] = np.nan
    synthesizer = fitted(kind, table)
    rows = synthesizer.sample(200, random_state=0)

    assert set(rows["port"].dropna()) <= {"C", "Q", "S"}
    assert rows["port"].isna().any() == (kind != "smote")
    assert_valid_rows(synthesizer, rows)


def test_bootstrap_rows_are_training_rows_of_their_class():
    table = mixed_table()
    rows = fitted("bootstrap", table).sample(40, random_state=0)

    merged = rows.merge(table.drop_duplicates(), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()


def test_jitter_without_noise_is_bootstrap():
    bootstrap = fitted("bootstrap").sample(30, random_state=4)
    jitter = fitted("jitter", noise=0.0).sample(30, random_state=4)

    pd.testing.assert_frame_equal(jitter, bootstrap)


def test_jitter_moves_numbers_only_and_keeps_gaps():
    table = mixed_table()
    rows = fitted("jitter", table, noise=0.5).sample(200, random_state=0)

    present = rows["age"].dropna()
    assert present.between(1.0, 80.0).all()
    assert not present.isin(table["age"]).all()
    assert rows["age"].isna().any()
    assert set(rows["port"]) <= set(table["port"])
    assert set(rows["male"]) <= {0.0, 1.0}
    assert (rows["siblings"] == rows["siblings"].round()).all()


def test_jitter_rejects_negative_noise():
    with pytest.raises(ValueError, match="noise"):
        fitted("jitter", noise=-0.1)


def test_smote_fills_gaps_and_stays_inside_the_class_range():
    table = mixed_table()
    rows = fitted("smote", table).sample(50, class_counts={"no": 10, "yes": 40}, random_state=0)

    assert not rows.isna().any().any()
    for label, group in rows.groupby("survived"):
        real = table.loc[table["survived"] == label, "age"]
        assert group["age"].between(real.min(), real.max()).all()


def test_smote_numeric_only_and_categorical_only_tables():
    table = mixed_table()
    numeric = table[["age", "siblings", "survived"]]
    categorical = table[["male", "port", "survived"]]

    for part in (numeric, categorical):
        rows = fitted("smote", part).sample(25, class_counts=COUNTS, random_state=0)
        assert rows["survived"].value_counts().to_dict() == COUNTS
        assert rows.dtypes.to_dict() == part.dtypes.to_dict()


def test_smote_copies_a_class_with_a_single_row():
    table = mixed_table()
    table["survived"] = "no"
    table.loc[5, "survived"] = "yes"
    rows = fitted("smote", table).sample(6, class_counts={"no": 3, "yes": 3}, random_state=0)

    copies = rows[rows["survived"] == "yes"].reset_index(drop=True)
    single = table.loc[[5, 5, 5]].reset_index(drop=True)
    pd.testing.assert_frame_equal(copies, single, check_dtype=False)


def test_copula_keeps_marginals_correlation_and_gaps():
    rng = np.random.default_rng(0)
    rows = 400
    base = rng.normal(size=rows)
    table = pd.DataFrame(
        {
            "x": base * 3.0 + 10.0,
            "y": base + rng.normal(scale=0.3, size=rows),
            "colour": np.where(base + rng.normal(scale=0.5, size=rows) > 0, "red", "blue"),
            "label": rng.integers(0, 2, rows),
        }
    )
    table.loc[: rows // 5 - 1, "y"] = np.nan  # 20% missing
    schema = infer_schema(table, "label")
    synthetic = (
        make_synthesizer("gaussian-copula").fit(table, schema=schema).sample(2000, random_state=0)
    )

    assert abs(synthetic["x"].mean() - table["x"].mean()) < 0.3
    assert synthetic["x"].between(table["x"].min(), table["x"].max()).all()
    assert synthetic[["x", "y"]].corr().iloc[0, 1] > 0.8
    red = synthetic["colour"] == "red"
    assert synthetic.loc[red, "x"].mean() > synthetic.loc[~red, "x"].mean() + 2.0
    assert abs(synthetic["y"].isna().mean() - 0.2) < 0.04


def test_copula_rounds_integers_and_keeps_binary():
    table = mixed_table(200)
    rows = fitted("gaussian-copula", table).sample(300, random_state=0)

    assert (rows["siblings"] == rows["siblings"].round()).all()
    assert set(rows["male"]) <= {0.0, 1.0}
    assert set(rows["siblings"]) <= set(table["siblings"])


def test_stored_rows_live_in_parquet(tmp_path):
    fitted("bootstrap").save(tmp_path)

    assert (tmp_path / ROWS_FILE).exists()


def test_requesting_rows_of_an_unknown_class_fails():
    with pytest.raises(ValueError, match="maybe"):
        fitted("bootstrap").sample(3, class_counts={"maybe": 3})


# -- the SDV peers ----------------------------------------------------------------------------
def test_ctgan_without_sdv_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sdv", None)
    monkeypatch.setitem(sys.modules, "sdv.single_table", None)

    with pytest.raises(ImportError, match=r"ganboost\[peers\]"):
        fitted("ctgan", epochs=1)


def test_ctgan_counts_and_persistence(tmp_path):
    pytest.importorskip("sdv")
    synthesizer = fitted("ctgan", mixed_table(80), epochs=2)
    rows = synthesizer.sample(25, class_counts=COUNTS, random_state=1)

    assert rows["survived"].value_counts().to_dict() == COUNTS
    assert_valid_rows(synthesizer, rows)
    synthesizer.save(tmp_path)
    pd.testing.assert_frame_equal(
        load_synthesizer(tmp_path).sample(25, class_counts=COUNTS, random_state=1), rows
    )
