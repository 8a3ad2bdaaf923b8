"""``dna-corpus``: every bundled DNA set's training sequences plus genome-like background."""

import re

from genoviz.data import load_bundled
from genoviz.data.dna_corpus import dna_corpus
from genoviz.pretrain_corpus import load_corpus


def test_corpus_holds_each_dna_set_and_background_and_honours_exclude():
    corpus = dna_corpus(seed=0, n_background=50, exclude=("promoters",))
    assert corpus.task == "lm" and corpus.name == "dna-corpus"
    sources = corpus.meta.notes["sources"]
    assert "promoters" not in sources and "codon-species" not in sources  # labels only
    assert {"tf-binding", "sirna", "splice-sites", "background"} <= set(sources)
    sirna = load_bundled("sirna")
    ours = [s for s, i in zip(corpus.sequences, corpus.ids, strict=True) if i.startswith("sirna_")]
    # a bundled set's training sequences, in order, unlabelled
    assert ours == [sirna.sequences[i] for i in sirna.splits["train"]]
    background = [s for s, i in zip(corpus.sequences, corpus.ids, strict=True) if "background" in i]
    assert len(background) == 50 and all(re.fullmatch("[ACGT]{300}", s) for s in background)
    kept = sum(len(load_bundled(n).splits["train"]) for n in sources if n != "background")
    assert len(corpus) == kept + 50
    assert "promoters" in corpus.meta.description


def test_no_validation_or_test_sequence_of_a_bundled_set_is_in_the_corpus():
    """Pretraining on the sequences a fine-tuned model is later tested on (labels or not)
    would flatter it: every held-out sequence of the same seed's splits stays out."""
    for seed in (0, 1):
        corpus = set(dna_corpus(seed=seed, n_background=10).sequences)
        for name in ("tf-binding", "promoters", "splice-sites", "sirna"):
            ds = load_bundled(name, seed=seed)
            train = {ds.sequences[i] for i in ds.splits["train"]}
            held = {ds.sequences[i] for k in ("valid", "test") for i in ds.splits[k]}
            assert not (held - train) & corpus, name  # (a duplicate in train may stay)


def test_background_is_seeded():
    a, b, c = (dna_corpus(seed=s, n_background=20) for s in (0, 0, 1))
    assert a.sequences[-20:] == b.sequences[-20:] != c.sequences[-20:]


def test_load_corpus_names_it():
    assert load_corpus("dna-corpus").name == "dna-corpus"
