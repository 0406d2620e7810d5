import numpy as np
import pandas as pd
import pytest

from ganboost import splitting


@pytest.fixture
def labels():
    rng = np.random.default_rng(0)
    return pd.Series(rng.choice([0, 1], size=500, p=[0.7, 0.3]))


def test_split_is_stratified_and_deterministic(labels):
    first = splitting.make_split(labels, seed=3)
    second = splitting.make_split(labels, seed=3)
    pd.testing.assert_frame_equal(first, second)
    test = labels[splitting.test_mask(first)]
    assert len(test) == 100
    assert abs(test.mean() - labels.mean()) < 0.02
    assert not splitting.make_split(labels, seed=4).equals(first)


def test_subsets_are_nested_and_stratified(labels):
    split = splitting.make_split(labels, seed=1)
    previous = None
    for fraction in (0.3, 0.4, 0.5, 0.7, 1.0):
        mask = splitting.training_mask(split, labels, fraction)
        assert not (mask & splitting.test_mask(split)).any()
        train_labels = labels[mask]
        assert abs(train_labels.mean() - labels.mean()) < 0.03
        if previous is not None:
            assert (previous & ~mask).sum() == 0, "smaller subset must lie inside larger"
        previous = mask
    assert previous.sum() == (split["partition"] == "train").sum()


def test_fraction_outside_range_rejected(labels):
    split = splitting.make_split(labels, seed=0)
    with pytest.raises(splitting.SplitError, match="outside"):
        splitting.training_mask(split, labels, 0.0)


def test_too_small_class_named():
    labels = pd.Series([0] * 50 + [1] * 1)
    with pytest.raises(splitting.SplitError, match="class 1 has 1 row"):
        splitting.make_split(labels, seed=0)
    labels = pd.Series([0] * 50 + [1] * 4)
    with pytest.raises(splitting.SplitError, match="real fraction 0.3"):
        splitting.check_class_sizes(labels, smallest_fraction=0.3)


def test_split_must_belong_to_table(labels):
    split = splitting.make_split(labels, seed=0)
    table = pd.DataFrame({"y": labels}).iloc[:-1]
    with pytest.raises(splitting.SplitError, match="does not belong"):
        splitting.test_rows(table, split)
