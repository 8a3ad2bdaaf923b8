import numpy as np
import pytest
from conftest import distinct

from genoviz.data import BUNDLED, Dataset, DatasetMeta, load
from genoviz.data.splits import make_splits
from genoviz.sequences import SequenceError


def test_a_loaded_file_twice_over_keeps_its_test_sequences_out_of_training(tmp_path):
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 21)) for _ in range(200)]
    lines = [f"{s},{v:.3f}" for s, v in zip(seqs, rng.random(200), strict=True)]
    path = tmp_path / "twice.csv"
    path.write_text("sequence,label\n" + "\n".join(lines + lines) + "\n")
    ds = load(path)
    train = {ds.sequences[i] for i in ds.splits["train"]}
    assert not [i for i in ds.splits["test"] if ds.sequences[i] in train]
    assert ds.duplicate_note() == (
        "200 sequences appear more than once (200 extra copies). Every copy stays in one "
        "split: no test sequence is also a training one."
    )


def test_duplicate_note_counts_label_clashes_and_a_leaking_own_split():
    seqs = distinct(20)
    y = np.zeros(22, np.float32)
    y[21] = 1  # the second copy of sequence 1 says otherwise
    ds = Dataset([*seqs, seqs[0], seqs[1]], y, "binary", DatasetMeta("t"))
    assert distinct(3) == ["AAAAAAAA", "CAAAAAAA", "GAAAAAAA"]
    assert ds.duplicate_note().startswith(
        "2 sequences appear more than once (2 extra copies; 1 of them with different labels)."
    )
    assert Dataset(seqs, y[:20], "binary", DatasetMeta("t")).duplicate_note() is None
    ds.splits = {"train": np.arange(20), "valid": np.array([], int), "test": np.array([20, 21])}
    assert ds.duplicate_note().endswith(
        "2 test sequences are also in the training split (the set's own split), so test "
        "metrics read high."
    )


def test_with_copies_every_seed_gives_a_validation_split_to_enough_distinct_sequences():
    """Split shares once counted rows, so 20 copies of one sequence could take the whole
    validation share at one seed and none at the next (seeds 0-5: 0, 3, 0, 0, 3, 0), and
    the set was called too small at 8 distinct sequences where 6 are needed."""
    seqs = ["AAAA"] * 20 + distinct(7)[1:] + ["CCCC"]
    y = np.zeros(len(seqs), np.float32)
    for seed in range(10):
        assert len(make_splits(y, "regression", seed, sequences=seqs)["valid"]), seed
    assert Dataset(seqs, y, "regression", DatasetMeta("t")).too_small_to_train() is None


def test_a_missing_label_is_no_clash_between_copies():
    y = np.array([[1, np.nan], [1, 0], [0, 1]], np.float32)
    ds = Dataset(["ACGT", "ACGT", "GGCC"], y, "multitask-binary", DatasetMeta("t"))
    assert ds.duplicate_note().startswith("1 sequence appears more than once (1 extra copy).")


def test_too_small_to_train_counts_copies_once():
    ds = Dataset(["ACGTACGT"] * 40, np.zeros(40, np.float32), "regression", DatasetMeta("t"))
    assert ds.too_small_to_train() == (
        "Too few distinct sequences to train on: 1. Copies count once. Training keeps 10% "
        "of them for validation, so it needs at least 6."
    )
    assert ds.count_text() == "40, 1 of them distinct"
    assert Dataset(distinct(3), np.zeros(3), "regression", DatasetMeta("t")).count_text() == "3"


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
    sub.ensure_splits(5)  # the subset's seed is its own: the parent's card keeps seed 0
    assert ds.meta.notes["seed"] == 0 and sub.meta.notes["seed"] == 5
    assert "seed" not in ds.subset(np.array([0, 1])).meta.notes  # its splits are not drawn
    assert sub.meta.notes["data_seed"] == 0  # the parent's load seed, to rebuild it from


@pytest.mark.parametrize("task", ["binary", "regression", "multiclass"])
def test_too_small_to_train_agrees_with_the_splits_training_makes(task):
    """Every mix of up to 12 labels: flagged exactly when a split training needs is empty."""
    for n_pos in range(13):
        for n_neg in range(13 - n_pos):
            y = np.r_[np.ones(n_pos), np.zeros(n_neg)].astype(np.float32)
            if len(y) == 0:
                continue
            ds = Dataset(distinct(len(y)), y, task, DatasetMeta("t"))
            splits = make_splits(y, task, seed=0)
            empty = not (len(splits["train"]) and len(splits["valid"]))
            assert (ds.too_small_to_train() is not None) == empty, (task, n_pos, n_neg)


def test_too_small_to_train_states_the_minimum_and_counts_labels():
    ds = Dataset(["ACGT", "ACGA"], np.array([1, 0], np.float32), "binary", DatasetMeta("t"))
    assert ds.too_small_to_train() == (
        "Too few sequences to train on: 2 (1 with label 1, 1 with label 0). Training keeps "
        "10% of each label for validation, so it needs at least 6 sequences with the same label."
    )
    ds = Dataset(distinct(5), np.arange(5, dtype=np.float32), "regression", DatasetMeta("t"))
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


def test_resuming_on_splits_of_other_sizes_says_why(tmp_path):
    """A run trained on a file with copies before copies shared a split has other split
    sizes now: it said 'trained on 40 sequences; the data given now has 40'."""
    import json

    import torch

    from genoviz.resume import resume_info
    from genoviz.train_setup import TrainConfig, TrainingError

    ds = Dataset(distinct(40), np.zeros(40, np.float32), "regression", DatasetMeta("t"))
    ds.ensure_splits(0)
    record = {"n": 40, "name": "t", "splits": {"train": 30, "valid": 5, "test": 5}}
    (tmp_path / "run.json").write_text(
        json.dumps({"status": "stopped", "model": {"name": "cnn"}, "dataset": record})
    )
    with pytest.raises(TrainingError, match=r"trained on splits of .*copies of a sequence"):
        resume_info(tmp_path, ds, "cnn", {}, TrainConfig(), torch.device("cpu"))


def test_missing_labels_are_named_not_trained_as_a_divergence():
    """A NaN label went into the loss and training 'diverged' (try a lower learning
    rate); it is named instead: the sequence, the task, how many."""
    from genoviz.data.task_labels import task_label_problem

    y = np.array([[1, 0], [0, np.nan], [1, 1], [0, np.nan]], np.float32)
    ds = Dataset(
        distinct(4), y.copy(), "multitask-binary", DatasetMeta("t", notes={"tasks": ["a", "b"]})
    )
    assert ds.missing_labels() == (
        "seq2 has no label in label column 'b': it is nan (2 labels in all). Training needs "
        "every label; give the missing ones (0 or 1 for a multi-task set) or leave those "
        "sequences out"
    )
    reg = Dataset(distinct(3), np.array([0.5, np.inf, 1.0]), "regression", DatasetMeta("r"))
    assert reg.missing_labels().startswith("seq2 has no label: it is inf.")
    ds.labels[np.isnan(ds.labels)] = 0
    assert ds.missing_labels() is None
    problem = task_label_problem("multitask-binary", y, ["s1", "s2", "s3", "s4"])
    assert problem is not None and "s2 has no label in label column 2" in problem


def test_fit_names_a_missing_label_instead_of_diverging():
    from genoviz.training import TrainConfig, TrainingError, fit

    y = np.zeros((60, 2), np.float32)
    y[::2, 0] = y[::3, 1] = 1
    y[7, 1] = np.nan
    ds = Dataset(distinct(60), y, "multitask-binary", DatasetMeta("t"))
    with pytest.raises(TrainingError, match="seq8 has no label in label column 'task2'"):
        fit(ds, "mlp", TrainConfig(epochs=1, save=False))
