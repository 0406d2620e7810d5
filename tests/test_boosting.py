import pandas as pd
import pytest

from ganboost.boosting import synthetic_row_count, training_table


@pytest.mark.parametrize(
    ("n", "boost", "expected"),
    [(100, "x1.2", 20), (1047, "x1.3", 314), (10, "x21.0", 200), (57, "replace", 57),
     (57, "real", 0)],
)
def test_synthetic_row_count(n, boost, expected):
    assert synthetic_row_count(n, boost) == expected


def test_boost_factor_must_exceed_one():
    with pytest.raises(ValueError, match="greater than 1"):
        synthetic_row_count(10, "x1.0")


def test_training_table_kinds():
    real = pd.DataFrame({"a": [1.0, 2.0], "y": [0, 1]})
    synthetic = pd.DataFrame({"a": [3.0], "y": [1]})
    assert len(training_table(real, None, "real")) == 2
    assert len(training_table(real, synthetic, "x1.5")) == 3
    assert training_table(real, synthetic, "replace")["a"].tolist() == [3.0]
    with pytest.raises(ValueError, match="differ"):
        training_table(real, synthetic.rename(columns={"a": "b"}), "x1.5")
