import numpy as np
import pytest
import torch

import models
from genoviz.interpret.embeddings import (
    EmbeddingError,
    codon_amino_acid_similarity,
    codon_meanings,
    codons_by_amino_acid,
    cosine_similarity,
    kmer_similarity,
    mrr_by_species,
)
from genoviz.sequences import AMINO_ACIDS, codon_vocab, kmer_vocab


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


def test_mrr_by_species_follows_each_genetic_code():
    vocab = codon_vocab()
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(len(vocab), 32))
    for c, aa in codon_meanings(4).items():  # built for code 4: TGA sits with W
        emb[vocab.index(c)] = emb[vocab.index(aa)] + 0.05 * rng.normal(size=32)
    table = mrr_by_species(emb, vocab).set_index("species")
    assert len(table) == 9
    assert table.loc["mycoplasma_like", "mrr"] == pytest.approx(1.0)
    # Under code 1 or 11, TGA means stop: its true answer ranks below W.
    assert table.loc["h_sapiens", "mrr"] < 1.0 and table.loc["e_coli", "mrr"] < 1.0
    assert table["chance_mrr"].iloc[0] == pytest.approx(np.mean(1 / np.arange(1, 22)))


def test_codons_are_grouped_by_amino_acid():
    vocab = codon_vocab()
    emb = np.random.default_rng(2).normal(size=(len(vocab), 8))
    sim = codons_by_amino_acid(codon_amino_acid_similarity(emb, vocab).similarity)
    meaning = codon_meanings(1)
    aas = [meaning[c] for c in sim.index]
    assert aas[0] == sim.columns[0] and aas[-1] == "*"
    # Each amino acid's codons are contiguous.
    runs = [a for i, a in enumerate(aas) if i == 0 or aas[i - 1] != a]
    assert len(runs) == len(set(aas)) == 21


def test_kmer_similarity_clusters_twins_side_by_side():
    vocab = kmer_vocab(3)
    emb = np.random.default_rng(3).normal(size=(len(vocab), 16))
    emb[vocab.index("AAA")] = emb[vocab.index("TTT")] * 2  # same direction
    sim = kmer_similarity(emb, vocab, 3)
    assert sim.shape == (64, 64) and list(sim.index) == list(sim.columns)
    order = list(sim.index)
    assert abs(order.index("AAA") - order.index("TTT")) == 1
    assert sim.loc["AAA", "TTT"] == pytest.approx(1.0)
    with pytest.raises(EmbeddingError, match="too large"):
        kmer_similarity(np.zeros((len(kmer_vocab(6)), 4)), kmer_vocab(6), 6)
