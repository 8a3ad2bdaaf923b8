import itertools

import numpy as np
import pytest

from genoviz.sequences import SequenceError
from genoviz.tokens import (
    CLS_ID,
    PAD_ID,
    SEP_ID,
    UNK_ID,
    codon_tokens,
    codon_vocab,
    kmer_tokenize,
    kmer_vocab,
    kmers,
)


def test_dnabert_known_ids_for_k6():
    vocab = kmer_vocab(6)
    assert len(vocab) == 4101
    assert vocab[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert vocab.index("[CLS]") == 2 and vocab.index("AAAAAA") == 5 and vocab.index("AAAAAT") == 6
    assert vocab[-1] == "GGGGGG"


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_vocab_sizes_and_order(k):
    vocab = kmer_vocab(k)
    assert len(vocab) == 5 + 4**k
    assert vocab[5:] == ["".join(p) for p in itertools.product("ATCG", repeat=k)]


def test_overlapping_kmers_count():
    assert kmers("ACGTA", 3) == ["ACG", "CGT", "GTA"]


def test_tokenize_adds_cls_sep_pads_and_unk_for_n():
    ids, mask = kmer_tokenize(["AAAAAAA", "AAAAAN"], k=6)
    vocab = kmer_vocab(6)
    assert ids.shape == (2, 4) and mask.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    assert ids[0].tolist() == [CLS_ID, vocab.index("AAAAAA"), vocab.index("AAAAAA"), SEP_ID]
    assert ids[1].tolist() == [CLS_ID, UNK_ID, SEP_ID, PAD_ID]
    assert (ids[mask == 0] == PAD_ID).all()


def test_tokenize_reads_lower_case_and_u_as_one_hot_does():
    """Lower case and RNA's U once became [UNK] here while one_hot read them as bases."""
    assert (kmer_tokenize(["acguac"], 3)[0] == kmer_tokenize(["ACGTAC"], 3)[0]).all()
    ids, mask = kmer_tokenize([], 3)
    assert ids.shape == mask.shape == (0, 2)


def test_tokenize_length_rule_l_minus_k_plus_1():
    _ids, mask = kmer_tokenize(["ACGT" * 25 + "A"], k=6)
    assert mask.sum() == 101 - 6 + 1 + 2


def test_tokenize_errors():
    with pytest.raises(SequenceError, match="fewer than k = 6"):
        kmer_tokenize(["ACG"], k=6)
    with pytest.raises(SequenceError, match="more than 5"):
        kmer_tokenize(["ACGTACGT"], k=3, max_tokens=5)
    with pytest.raises(ValueError):
        kmer_vocab(7)


def test_codon_vocab_and_frames():
    vocab = codon_vocab()
    assert len(vocab) == 5 + 64 + 21 and vocab[5] == "TTT" and vocab[-1] == "*"
    assert len(set(vocab)) == len(vocab)
    assert codon_tokens("ATGGCCTAA") == ["ATG", "GCC", "TAA"]
    assert codon_tokens("ATGGCCTAA", frame=1) == ["TGG", "CCT"]
    assert codon_tokens("ATGGCCTAA", frame=2) == ["GGC", "CTA"]
    assert codon_tokens("augGCcuaa") == ["ATG", "GCC", "TAA"]  # these became [UNK]
    assert np.all([len(c) == 3 for c in codon_tokens("A" * 100)])
