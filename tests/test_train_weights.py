import numpy as np
import pytest

from genoviz.train_weights import odds_shift


def test_unequal_weights_covers_weight_columns_and_per_task_positive_weights():
    from genoviz.data import Dataset, DatasetMeta
    from genoviz.train_weights import unequal_weights

    seqs = ["ACGT" * 10] * 40
    rare = np.zeros((40, 2))
    rare[:4, 0] = rare[:20, 1] = 1  # task 1's positives are weighed up in training
    assert unequal_weights(Dataset(seqs, rare, "multitask-binary", DatasetMeta("m")))
    half = np.zeros((40, 2))
    half[:20] = 1
    assert not unequal_weights(Dataset(seqs, half, "multitask-binary", DatasetMeta("m")))
    ones = np.ones(40, np.float32)
    labels = (np.arange(40) % 2).astype(np.float32)
    assert not unequal_weights(Dataset(seqs, labels, "binary", DatasetMeta("b"), ones))
    ds = Dataset(seqs, labels, "binary", DatasetMeta("b"), np.where(labels > 0, 3, 1.0))
    ds.splits = {"train": np.arange(30, 40), "valid": np.arange(10), "test": np.arange(10, 30)}
    assert odds_shift(ds) == pytest.approx(3.0) and unequal_weights(ds)
    ds.weights[30:] = 1.0  # only the training split's weights count
    assert odds_shift(ds) == 1.0 and not unequal_weights(ds)


def test_weights_that_barely_move_the_odds_are_not_noted():
    """Per-task weights of about 1.09 (48% positives) shift 50% to 52%: no note. Nor do
    weights that vary without favouring a class (both classes weigh alike on average)."""
    from genoviz.data import Dataset, DatasetMeta
    from genoviz.train_weights import unequal_weights

    seqs = ["ACGT" * 10] * 100
    near = np.zeros((100, 2))
    near[:48, 0] = near[:50, 1] = 1
    ds = Dataset(seqs, near, "multitask-binary", DatasetMeta("m"))
    assert odds_shift(ds) == pytest.approx(52 / 48) and not unequal_weights(ds)
    labels = (np.arange(100) % 2).astype(np.float32)
    varied = np.repeat([1.0, 1.0, 5.0, 5.0], 25).astype(np.float32)  # 1, 5 in both classes
    assert not unequal_weights(Dataset(seqs, labels, "binary", DatasetMeta("b"), varied))
    sirna = Dataset(seqs, np.linspace(0, 1, 100), "regression", DatasetMeta("r"), varied)
    assert unequal_weights(sirna)  # regression: a varying weight column is noted as it was
