import numpy as np
import pytest

from genoviz.data import BUNDLED, Dataset, DatasetMeta, class_weights, infer_task, load, make_splits
from genoviz.sequences import SequenceError


def test_splits_are_seeded_disjoint_complete_and_stratified():
    y = np.r_[np.ones(50), np.zeros(950)]
    a = make_splits(y, "binary", seed=3)
    b = make_splits(y, "binary", seed=3)
    c = make_splits(y, "binary", seed=4)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["train"], c["train"])
    allidx = np.concatenate(list(a.values()))
    assert sorted(allidx) == list(range(1000))
    assert [int(y[a[k]].sum()) for k in ("train", "valid", "test")] == [40, 5, 5]


def test_class_weights_balance_the_classes_like_the_book():
    y = np.r_[np.ones(146), np.zeros(34527 - 146)]
    w = class_weights(y)
    assert w[y == 1].sum() == pytest.approx(w[y == 0].sum(), rel=1e-5)
    assert w[0] == pytest.approx(118.2, abs=0.1) and w[-1] == pytest.approx(0.502, abs=1e-3)


def test_infer_task():
    assert infer_task(np.array([0, 1, 1.0])) == "binary"
    assert infer_task(np.array([0.1, 0.9])) == "regression"
    assert infer_task(np.array([[0, 1], [1, 1]])) == "multitask-binary"


def test_mixed_lengths_encode_needs_a_length():
    ds = Dataset(["ACGT", "AC"], np.array([0, 1]), "binary", DatasetMeta("x"))
    with pytest.raises(SequenceError, match="mixed lengths"):
        ds.encode()
    assert ds.encode(length=4).shape == (2, 4, 4)


def test_labels_must_match_sequences():
    with pytest.raises(ValueError, match="2 sequences but 1 labels"):
        Dataset(["A", "C"], np.array([0]), "binary", DatasetMeta("x"))


@pytest.mark.parametrize("name", list(BUNDLED))
def test_bundled_sets_are_deterministic_and_cached_copies_are_independent(name):
    a = load(name)
    b = load(name)
    assert a.sequences == b.sequences
    np.testing.assert_array_equal(a.labels, b.labels)
    a.sequences[0] = "N" * len(a.sequences[0])  # changing a copy never reaches the cache
    a.meta.notes["x"] = 1
    c = load(name)
    assert c.sequences[0] == b.sequences[0] and "x" not in c.meta.notes
    assert c.meta.description and c.meta.citation and c.meta.simulated
    assert {"train", "valid", "test"} <= set(c.splits)


def test_tf_binding_card_and_ground_truth():
    ds = load("tf-binding")
    assert ds.task == "binary" and ds.fixed_length == 101 and ds.meta.strand_symmetric
    assert 0.015 <= ds.labels.mean() <= 0.025
    gt = ds.meta.ground_truth
    assert set(gt["motifs"].values()) == {"JUND"}
    assert gt["instances"] and all(0 <= inst[2] <= 101 for inst in gt["instances"])
    assert ds.extras.shape == (len(ds), 1) and ds.meta.extras_names == ["accessibility"]


def test_sirna_is_strand_specific_and_says_it_is_simulated():
    ds = load("sirna")
    assert ds.task == "regression" and ds.fixed_length == 21
    assert not ds.meta.strand_symmetric
    assert "SIMULATED" in ds.meta.description.upper() and "Huesken" in ds.meta.source


def test_outputs_and_class_names_per_task():
    mc = Dataset(["A", "C", "G"], np.array([0, 2, 1]), "multiclass", DatasetMeta("m"))
    assert mc.n_outputs == 3 and mc.class_names == ["0", "1", "2"]
    mc.meta.notes["classes"] = ["neither", "donor", "acceptor"]
    assert mc.class_names[1] == "donor"
    mt = Dataset(["A", "C"], np.array([[0, 1], [1, 1]]), "multitask-binary", DatasetMeta("t"))
    assert mt.n_outputs == 2 and mt.class_names == ["task1", "task2"]
    assert load("sirna").n_outputs == 1 and load("sirna").class_names == []


def test_subset_keeps_rows_aligned_and_drops_splits():
    ds = Dataset(
        ["AAAA", "CCCC", "GGGG", "TTTT"],
        np.array([0, 1, 0, 1]),
        "binary",
        DatasetMeta("toy"),
        weights=np.array([1.0, 2.0, 3.0, 4.0]),
        extras=np.array([[0.1], [0.2], [0.3], [0.4]]),
    )
    ds.ensure_splits(0)
    sub = ds.subset(np.array([3, 1]))
    assert sub.sequences == ["TTTT", "CCCC"]
    assert sub.labels.tolist() == [1, 1] and sub.weights.tolist() == [4, 2]
    np.testing.assert_allclose(sub.extras[:, 0], [0.4, 0.2])
    assert sub.ids == ["seq4", "seq2"] and sub.splits == {}


def test_min_split_group_is_the_smallest_set_with_a_validation_sequence():
    from genoviz.data.dataset import min_split_group

    least = min_split_group()
    assert least == 6
    assert len(make_splits(np.zeros(least), "regression", 0)["valid"]) == 1
    assert len(make_splits(np.zeros(least - 1), "regression", 0)["valid"]) == 0


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_too_small_to_train_agrees_with_the_splits_training_makes(task):
    """Every mix of up to 12 labels: flagged exactly when a split training needs is empty."""
    for n_pos in range(13):
        for n_neg in range(13 - n_pos):
            y = np.r_[np.ones(n_pos), np.zeros(n_neg)].astype(np.float32)
            if len(y) == 0:
                continue
            ds = Dataset(["ACGT"] * len(y), y, task, DatasetMeta("t"))
            splits = make_splits(y, task, seed=0)
            empty = not (len(splits["train"]) and len(splits["valid"]))
            assert (ds.too_small_to_train() is not None) == empty, (task, n_pos, n_neg)


def test_too_small_to_train_states_the_minimum_and_counts_labels():
    ds = Dataset(["ACGT", "ACGA"], np.array([1, 0], np.float32), "binary", DatasetMeta("t"))
    assert ds.too_small_to_train() == (
        "Too few sequences to train on: 2 (1 with label 1, 1 with label 0). Training keeps "
        "10% of each label for validation, so it needs at least 6 sequences with the same label."
    )
    ds = Dataset(["ACGT"] * 5, np.arange(5, dtype=np.float32), "regression", DatasetMeta("t"))
    assert "5. Training keeps 10% of them for validation, so it needs at least 6." in (
        ds.too_small_to_train() or ""
    )
    ds.splits = {"train": np.arange(5), "valid": np.arange(0), "test": np.arange(0)}
    assert "own split gives 5 for training and 0 for validation" in (ds.too_small_to_train() or "")


def test_the_minimum_is_the_one_training_really_needs():
    from genoviz.training import TrainConfig, TrainingError, fit

    cfg = TrainConfig(epochs=1, save=False, device="cpu")
    seqs = ["ACGTACGTAC", "TTGACCATGA", "GGGCCCAATT", "ACACACGTGT", "TATACGCGAT", "CCGGAATTCA"]
    ds = Dataset(seqs, np.arange(6, dtype=np.float32), "regression", DatasetMeta("t"))
    assert ds.too_small_to_train() is None
    fit(ds, "cnn", cfg)
    small = ds.subset(np.arange(5))
    assert small.too_small_to_train() is not None
    with pytest.raises(TrainingError, match="Too few sequences to train on: 5") as err:
        fit(small, "cnn", cfg)
    assert "at least 6" in str(err.value) and not small.splits  # refused before drawing


def test_one_class_note_says_when_there_is_nothing_to_learn():
    meta = DatasetMeta("mine")
    seqs = ["ACGT", "TTGA", "GGCC"]
    assert "Every sequence has label 1" in Dataset(seqs, [1, 1, 1], "binary", meta).one_class_note()
    assert Dataset(seqs, [1, 0, 1], "binary", meta).one_class_note() is None
    assert "class 2" in Dataset(seqs, [2, 2, 2], "multiclass", meta).one_class_note()
    assert Dataset(seqs, [2, 0, 1], "multiclass", meta).one_class_note() is None
    two = Dataset(seqs, [[1, 0], [1, 1], [1, 0]], "multitask-binary", meta)
    assert two.one_class_note().startswith("Task(s) task1 have a single label value")
    assert Dataset(seqs, [0.1, 0.1, 0.1], "regression", meta).one_class_note() is None
    for name in ("tf-binding", "splice-sites", "tf-multitask"):
        assert load(name).one_class_note() is None


def test_multiclass_numbers_without_gaps():
    """Labels 0, 1, 3 trained silently with a class-2 output that no sequence taught."""
    from genoviz.data.dataset import class_numbering_problem

    assert class_numbering_problem(np.array([0, 1, 2, 1])) is None
    problem = class_numbering_problem(np.array([0, 1, 3, 3, 5]))
    assert "no label here is 2, 4" in problem and "renumber" in problem
