import numpy as np
import pytest
import torch

import models
from genoviz.interpret.embeddings import (
    codon_amino_acid_similarity,
    codon_meanings,
    cosine_similarity,
)
from genoviz.sequences import AMINO_ACIDS, codon_vocab


def test_cosine_similarity_known_values():
    a = np.array([[1.0, 0.0], [1.0, 1.0]])
    b = np.array([[2.0, 0.0], [0.0, 3.0]])
    np.testing.assert_allclose(cosine_similarity(a, b), [[1, 0], [2**-0.5, 2**-0.5]])


def test_codons_built_from_their_amino_acid_rank_it_first():
    vocab = codon_vocab()
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(len(vocab), 32))
    meaning = codon_meanings(1)
    for c, aa in meaning.items():  # each codon = its amino acid's vector + small noise
        emb[vocab.index(c)] = emb[vocab.index(aa)] + 0.1 * rng.normal(size=32)
    res = codon_amino_acid_similarity(emb, vocab)
    assert res.similarity.shape == (64, 21)
    assert res.mrr == pytest.approx(1.0)
    assert res.ranks.loc["TGG", "amino_acid"] == "W" and res.ranks.loc["TAA", "amino_acid"] == "*"


def test_random_embeddings_score_near_chance_and_code_4_moves_tga():
    vocab = codon_vocab()
    emb = np.random.default_rng(1).normal(size=(len(vocab), 64))
    res = codon_amino_acid_similarity(emb, vocab)
    assert res.chance_mrr == pytest.approx(np.mean(1 / np.arange(1, 22)))
    assert abs(res.mrr - res.chance_mrr) < 0.15
    assert codon_amino_acid_similarity(emb, vocab, 4).ranks.loc["TGA", "amino_acid"] == "W"
    assert set(res.similarity.columns) == {*AMINO_ACIDS, "*"}


def test_reads_codon_bert_token_embeddings():
    net = models.get("codon-bert", seq_len=30, size="tiny")
    res = codon_amino_acid_similarity(net.token_embeddings(), net.vocab)
    assert 0 < res.mrr <= 1
    with pytest.raises(ValueError, match="64 codons"):
        codon_amino_acid_similarity(torch.zeros(10, 4), codon_vocab()[:10])
