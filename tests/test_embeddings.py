import numpy as np
import pytest
import torch

import models
from genoviz.data.codon_corpus import build_codon_corpus
from genoviz.interpret.embeddings import (
    MRR_VIEWS,
    EmbeddingError,
    codon_amino_acid_similarity,
    codon_meanings,
    codon_token_pca,
    codons_by_amino_acid,
    contextual_embeddings,
    cosine_similarity,
    kmer_similarity,
    mrr_by_species,
    mrr_by_view,
    species_codon_correlation,
    view_token_rows,
)
from genoviz.tokens import AMINO_ACIDS, codon_vocab, kmer_vocab
from models.bert import encode_token_lists


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


def test_identical_embeddings_score_chance_not_a_perfect_rank():
    """Ties are broken at random: vectors that carry nothing score the chance line."""
    vocab = codon_vocab()
    res = codon_amino_acid_similarity(np.ones((len(vocab), 8)), vocab)
    assert res.mrr == pytest.approx(res.chance_mrr)
    assert (res.ranks["rank"] == 11.0).all()  # the middle of 21 tied places


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


def built_from_amino_acids(code: int, seed: int = 0, noise: float = 0.1) -> np.ndarray:
    """Random vectors in which each codon = its amino acid's vector (under ``code``) + noise."""
    vocab = codon_vocab()
    rng = np.random.default_rng(seed)
    emb = rng.normal(size=(len(vocab), 16))
    for c, aa in codon_meanings(code).items():
        emb[vocab.index(c)] = emb[vocab.index(aa)] + noise * rng.normal(size=16)
    return emb


class StubBert(torch.nn.Module):
    """Hidden state of a token = its row of ``table`` + position x ``drift``."""

    max_positions = 512

    def __init__(self, table: np.ndarray, drift: float = 0.0) -> None:
        super().__init__()
        self.vocab = codon_vocab()
        self.table = torch.as_tensor(table, dtype=torch.float32)
        self.drift = drift

    def token_embeddings(self) -> torch.Tensor:
        return self.table.clone()

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        pos = torch.arange(x.shape[1], dtype=torch.float32)[None, :, None]
        return self.table[x] + self.drift * pos


def test_contextual_embeddings_average_each_token_over_its_occurrences():
    vocab = codon_vocab()
    table = np.random.default_rng(0).normal(size=(len(vocab), 4))
    ids = encode_token_lists([["ATG", "GCT", "ATG"], ["W"]], vocab)  # [CLS] at position 0
    ctx = contextual_embeddings(StubBert(table, drift=1.0), ids)
    atg, gct, w = vocab.index("ATG"), vocab.index("GCT"), vocab.index("W")
    assert ctx.counts[atg] == 2 and ctx.counts[gct] == 1 and ctx.counts[w] == 1
    assert ctx.counts[:5].sum() == 0  # specials are not counted
    np.testing.assert_allclose(ctx.vectors[atg], table[atg] + 2.0, atol=1e-5)  # positions 1, 3
    np.testing.assert_allclose(ctx.vectors[gct], table[gct] + 2.0, atol=1e-5)
    np.testing.assert_allclose(ctx.vectors[w], table[w] + 1.0, atol=1e-5)
    assert np.isnan(ctx.vectors[vocab.index("TTT")]).all()


def test_stub_whose_hidden_states_are_a_built_embedding_gives_contextual_mrr_1():
    vocab = codon_vocab()
    rows = [[c for c in vocab if len(c) == 3 and c.isupper() and "[" not in c], [*AMINO_ACIDS, "*"]]
    ctx = contextual_embeddings(
        StubBert(built_from_amino_acids(1)), encode_token_lists(rows, vocab)
    )
    res = codon_amino_acid_similarity(ctx.vectors, vocab)
    assert len(res.ranks) == 64 and res.mrr == pytest.approx(1.0)


def test_unseen_tokens_drop_out_of_the_ranking_and_the_chance_line():
    vocab = codon_vocab()
    emb = built_from_amino_acids(1)
    emb[vocab.index("*")] = np.nan  # the stop symbol never occurred
    emb[vocab.index("GCT")] = np.nan
    res = codon_amino_acid_similarity(emb, vocab)
    assert len(res.ranks) == 64 - 3 - 1  # stop codons have no candidate; GCT unseen
    assert "GCT" not in res.ranks.index and np.isnan(res.similarity.loc["GCT"]).all()
    assert res.mrr == pytest.approx(1.0)
    assert res.chance_mrr == pytest.approx(np.mean(1 / np.arange(1, 21)))


def test_view_token_rows_shift_the_frame_and_pair_codons_with_residues():
    cds, prot = "ATGGCTTGGTAA", "MAW"
    assert view_token_rows([cds], [prot], "codon") == [["ATG", "GCT", "TGG", "TAA"]]
    assert view_token_rows([cds], [prot], "codon-frame1") == [["TGG", "CTT", "GGT"]]
    assert view_token_rows([cds], [prot], "parallel", max_tokens=6) == [
        ["ATG", "GCT", "[SEP]", "M", "A"],
        ["TGG", "TAA", "[SEP]", "W"],
    ]
    assert view_token_rows([cds], [prot], "parallel-frame1", max_tokens=8) == [
        ["TGG", "CTT", "GGT", "[SEP]", "M", "A", "W"],
    ]
    with pytest.raises(EmbeddingError, match="unknown view"):
        view_token_rows([cds], [prot], "3mer")


def test_mrr_by_view_reports_species_views_and_methods():
    corpus = build_codon_corpus(seed=0, n_per_species=2)
    code4 = StubBert(built_from_amino_acids(4))  # codons sit with their code-4 amino acid
    noise = StubBert(np.random.default_rng(5).normal(size=(len(codon_vocab()), 16)))
    models_by_view = dict.fromkeys(MRR_VIEWS, code4) | {"codon-frame1": noise}
    table = mrr_by_view(models_by_view, corpus, n_genes=2)
    assert len(table) == 9 * len(MRR_VIEWS) * 2
    t = table.set_index(["species", "view", "method"])["mrr"]
    for view in ("codon", "parallel"):
        for method in ("token", "contextual"):
            assert t["mycoplasma_like", view, method] == pytest.approx(1.0)
        assert t["h_sapiens", view, "token"] < 1.0  # TGA means stop under code 1
    # Proteins carry no '*', so contextually stop codons go unscored (the rest rank first).
    ctx = table[(table.method == "contextual") & (table.view == "codon")]
    assert (ctx["n_codons"] <= 61).all() and (ctx["mrr"] == 1.0).all()
    # Random vectors for the control view: near chance for every species.
    chance = np.mean(1 / np.arange(1, 22))
    assert abs(t.xs("codon-frame1", level="view").mean() - chance) < 0.1
    par = table[(table.view == "parallel") & (table.method == "contextual")]
    assert (par["chance_mrr"] > chance).all()  # '*' never occurs in a protein: 20 candidates
    with pytest.raises(EmbeddingError, match="proteins"):
        corpus.meta.ground_truth.pop("proteins")
        mrr_by_view(code4, corpus)


def test_codon_bert_hidden_states_keep_the_training_mode():
    net = models.get("codon-bert", seq_len=30, size="tiny").train()
    ids = torch.from_numpy(net.encode(["ATGGCTTGGTAA"]))
    h = net.hidden_states(ids)
    assert h.shape == (1, 6, 64) and net.training


def test_species_with_the_same_codon_geometry_correlate_fully():
    vocab = codon_vocab()
    rng = np.random.default_rng(0)
    a = rng.normal(size=(len(vocab), 8))
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))  # a rotation keeps every cosine
    b = a @ q
    c = rng.normal(size=(len(vocab), 8))
    c[vocab.index("GCT")] = np.nan  # unseen in this species: its pairs drop out
    corr = species_codon_correlation({"a": a, "b": b, "c": c}, vocab)
    assert list(corr.index) == ["a", "b", "c"]
    assert corr.loc["a", "b"] == pytest.approx(1.0)
    assert abs(corr.loc["a", "c"]) < 0.2 and np.isfinite(corr.loc["b", "c"])
    np.testing.assert_allclose(np.diag(corr), 1.0)


def test_codon_token_pca_places_codons_on_their_amino_acid():
    vocab = codon_vocab()
    emb = built_from_amino_acids(1, noise=0.0)
    pca = codon_token_pca(emb, vocab)
    pts = pca.points.set_index("token")
    assert len(pts) == 64 + 21 and (pts["kind"] == "codon").sum() == 64
    assert pts.loc["TGG", "amino_acid"] == "W" and pts.loc["W", "kind"] == "amino acid"
    np.testing.assert_allclose(pts.loc["TGG", ["pc1", "pc2"]], pts.loc["W", ["pc1", "pc2"]])
    assert pca.explained.shape == (2,) and 0 < pca.explained.sum() <= 1


def test_an_unknown_genetic_code_is_named():
    from genoviz.interpret.embeddings import EmbeddingError

    with pytest.raises(EmbeddingError, match="no NCBI genetic code 99; the codes are 1, 2, 3"):
        codon_meanings(99)


def test_mrr_by_genetic_code_gives_one_bar_per_code():
    """The page's chart repeated one bar for each species of the standard code."""
    from genoviz.data.codon_corpus import SPECIES
    from genoviz.interpret.embeddings import mrr_by_genetic_code

    vocab = codon_vocab()
    emb = np.random.default_rng(0).normal(size=(len(vocab), 16))
    by_species = mrr_by_species(emb, vocab)
    table = mrr_by_genetic_code(by_species)
    assert {sp.genetic_code for sp in SPECIES} == {1, 4, 11}  # 1 and 11: same meanings
    assert sorted(table["genetic_code"]) == ["code 1, 11", "code 4"]
    assert sorted(", ".join(table["species"]).split(", ")) == sorted(by_species["species"])
    for _, row in table.iterrows():
        first = row["species"].split(", ")[0]
        assert row["mrr"] == by_species.set_index("species").loc[first, "mrr"]
