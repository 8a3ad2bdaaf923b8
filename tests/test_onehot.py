import numpy as np
import pytest

from genoviz.onehot import one_hot, reverse_complement_one_hot
from genoviz.sequences import SequenceError, reverse_complement


def test_one_hot_shape_dtype_and_channel_order():
    x = one_hot(["ACGTN", "TTTTA"])
    assert x.shape == (2, 4, 5) and x.dtype == np.float32
    expected = np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]])
    np.testing.assert_array_equal(x[0], expected)
    assert x[0, :, 4].sum() == 0  # N is an all-zero column
    np.testing.assert_array_equal(x[1].sum(axis=0), np.ones(5))


def test_one_hot_matches_a_per_base_loop():
    rng = np.random.default_rng(1)
    seqs = ["".join(rng.choice(list("ACGTN"), 30)) for _ in range(20)]
    ref = np.zeros((20, 4, 30), np.float32)
    for i, s in enumerate(seqs):
        for j, c in enumerate(s):
            if c != "N":
                ref[i, "ACGT".index(c), j] = 1
    np.testing.assert_array_equal(one_hot(seqs), ref)


def test_one_hot_rejects_mixed_lengths_with_which_sequence():
    with pytest.raises(SequenceError, match="sequence 2 has length 3"):
        one_hot(["ACGT", "ACG"])


def test_reverse_complement_string_and_one_hot_agree():
    s = "AACGTNG"
    assert reverse_complement(s) == "CNACGTT"
    assert reverse_complement(reverse_complement(s)) == s
    np.testing.assert_array_equal(
        reverse_complement_one_hot(one_hot(s)), one_hot(reverse_complement(s))
    )
