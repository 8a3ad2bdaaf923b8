import json
from collections import Counter

import numpy as np
import pytest
import python_codon_tables as pct
from Bio.Seq import Seq
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from genoviz.data import load
from genoviz.data.codon_corpus import (
    SEP,
    SPECIES,
    SPECIES_NAMES,
    VIEWS,
    build_codon_corpus,
    build_codon_species,
    codon_sentences,
    codon_usage,
    corpus_view,
    genetic_code,
    overlapping_3mers,
    parallel_pair,
    protein_sentence,
    simulate_genes,
)

MYCO = SPECIES_NAMES.index("mycoplasma_like")


@pytest.fixture(scope="module")
def corpus():
    return build_codon_corpus(seed=0, n_per_species=60)


def _species_rows(ds, k: int) -> list[int]:
    return np.flatnonzero(ds.labels == k).tolist()


def test_same_seed_same_corpus_other_seed_different():
    a, b = build_codon_corpus(seed=1, n_per_species=5), build_codon_corpus(seed=1, n_per_species=5)
    assert a.sequences == b.sequences and a.meta == b.meta
    assert a.sequences != build_codon_corpus(seed=2, n_per_species=5).sequences
    c, d = (
        build_codon_species(seed=1, n_per_species=20),
        build_codon_species(seed=1, n_per_species=20),
    )
    assert c.sequences == d.sequences and np.array_equal(c.labels, d.labels)
    assert c.sequences != build_codon_species(seed=2, n_per_species=20).sequences


def test_corpus_card_labels_and_species(corpus):
    assert corpus.task == "lm" and len(corpus) == 60 * len(SPECIES)
    assert corpus.meta.notes["species"] == SPECIES_NAMES and len(SPECIES_NAMES) >= 8
    assert np.bincount(corpus.labels.astype(int)).tolist() == [60] * len(SPECIES)
    assert corpus.meta.notes["genetic_code"][MYCO] == 4
    assert "SIMULATED" in corpus.meta.description and "Swiss-Prot" in corpus.meta.description
    assert "Kazusa" in corpus.meta.source and corpus.meta.simulated
    json.dumps(corpus.meta.to_dict())


def test_every_cds_is_well_formed_and_translates_to_its_protein(corpus):
    proteins = corpus.meta.ground_truth["proteins"]
    for cds, protein, k in zip(corpus.sequences, proteins, corpus.labels.astype(int), strict=True):
        code = genetic_code(SPECIES[k])
        assert cds.startswith("ATG") and len(cds) % 3 == 0
        assert cds[-3:] in code.stop_codons
        assert not set(codon_sentences(cds)[:-1]) & set(code.stop_codons)  # no early stop
        assert str(Seq(cds).translate(table=SPECIES[k].genetic_code)) == protein + "*"


def test_mycoplasma_like_reads_tga_as_trp_never_as_stop(corpus):
    inner = Counter()
    for i in _species_rows(corpus, MYCO):
        cds, protein = corpus.sequences[i], corpus.meta.ground_truth["proteins"][i]
        codons = codon_sentences(cds)
        assert codons[-1] != "TGA"
        inner.update(aa for c, aa in zip(codons[:-1], protein, strict=True) if c == "TGA")
    assert inner["W"] > 20 and set(inner) == {"W"}
    for k in range(len(SPECIES)):
        if k != MYCO:  # under codes 1 and 11, TGA only ever ends a gene
            assert all(
                "TGA" not in codon_sentences(corpus.sequences[i])[:-1]
                for i in _species_rows(corpus, k)
            )
    assert "TGA" not in genetic_code("mycoplasma_like").stop_codons


@pytest.mark.parametrize("name", ["h_sapiens", "e_coli", "s_cerevisiae"])
def test_codon_usage_matches_the_real_table(name):
    cds, _ = simulate_genes(name, 400, np.random.default_rng(0))
    table = pct.get_codons_table(SPECIES[SPECIES_NAMES.index(name)].codon_table)
    counts = Counter(c for s in cds for c in codon_sentences(s)[1:-1])
    checked = 0
    for aa, usage in table.items():
        total = sum(counts[c] for c in usage)
        if aa == "*" or total < 2000:
            continue
        checked += 1
        for codon, freq in usage.items():
            assert counts[codon] / total == pytest.approx(freq / sum(usage.values()), abs=0.03)
    assert checked >= 15


def test_codon_usage_is_restricted_to_the_species_code():
    myco = codon_usage("mycoplasma_like").relative_frequencies()
    assert set(myco["W"]) == {"TGG", "TGA"} and set(myco["*"]) == {"TAA", "TAG"}
    human = codon_usage("h_sapiens").relative_frequencies()
    assert set(human["W"]) == {"TGG"} and set(human["*"]) == {"TAA", "TAG", "TGA"}
    for usage in (myco, human):
        assert all(sum(p.values()) == pytest.approx(1.0) for p in usage.values())


def test_views():
    cds, protein = "ATGGCTTGGTAA", "MAW"
    assert codon_sentences(cds) == ["ATG", "GCT", "TGG", "TAA"]
    assert codon_sentences(cds, 1) == ["TGG", "CTT", "GGT"]
    assert codon_sentences(cds, 2) == ["GGC", "TTG", "GTA"]
    assert overlapping_3mers(cds)[:3] == ["ATG", "TGG", "GGC"] and len(overlapping_3mers(cds)) == 10
    assert protein_sentence("MAW*") == ["M", "A", "W"]
    assert parallel_pair(cds, protein) == ["ATG", "GCT", "TGG", "TAA", SEP, "M", "A", "W"]
    with pytest.raises(ValueError, match="frame"):
        codon_sentences(cds, 3)


def test_corpus_views_per_species_and_pooled(corpus):
    pooled = corpus_view(corpus, "codon")
    assert len(pooled) == len(corpus) and all(s[0] == "ATG" for s in pooled)
    human = corpus_view(corpus, "codon", species="h_sapiens")
    assert len(human) == 60 and human == corpus_view(
        corpus, "codon", SPECIES_NAMES.index("h_sapiens")
    )
    f1, f2 = corpus_view(corpus, "codon-frame1"), corpus_view(corpus, "codon-frame2")
    assert all(a != b and a != c for a, b, c in zip(pooled, f1, f2, strict=True))
    pairs = corpus_view(corpus, "parallel", species="e_coli")
    assert all(p.count(SEP) == 1 and len(p) == 2 * p.index(SEP) for p in pairs)  # codons incl. stop
    assert all(len(v) > 0 for view in VIEWS for v in corpus_view(corpus, view, species=0)[:1])
    with pytest.raises(ValueError, match="view"):
        corpus_view(corpus, "words")
    with pytest.raises(ValueError, match="proteins"):
        corpus_view(build_codon_species(n_per_species=2), "protein")


def test_species_from_codon_bias_beats_chance_but_is_not_perfect():
    ds = build_codon_species(seed=0, n_per_species=300)
    assert ds.task == "multiclass" and ds.fixed_length == 150
    assert ds.meta.notes["classes"] == SPECIES_NAMES
    x = CountVectorizer(analyzer=codon_sentences).fit_transform(ds.sequences)
    train = np.arange(len(ds)) < int(0.8 * len(ds))
    model = LogisticRegression(max_iter=1000).fit(x[train], ds.labels[train])
    acc = (model.predict(x[~train]) == ds.labels[~train]).mean()
    chance = 1 / len(SPECIES)
    assert 3 * chance < acc < 0.98


def test_registered_and_loads():
    corpus, frags = load("codon-corpus"), load("codon-species")
    assert corpus.task == "lm" and corpus.meta.notes["species"] == SPECIES_NAMES
    assert frags.task == "multiclass" and set(np.unique(frags.labels)) == set(range(len(SPECIES)))
    assert len(corpus.meta.ground_truth["proteins"]) == len(corpus)
