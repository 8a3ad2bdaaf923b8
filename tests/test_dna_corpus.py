"""``dna-corpus``: every bundled DNA set's sequences plus genome-like background."""

import re

from genoviz.data import load_bundled
from genoviz.data.dna_corpus import dna_corpus
from genoviz.pretrain import load_corpus


def test_corpus_holds_each_dna_set_and_background_and_honours_exclude():
    corpus = dna_corpus(seed=0, n_background=50, exclude=("promoters",))
    assert corpus.task == "lm" and corpus.name == "dna-corpus"
    sources = corpus.meta.notes["sources"]
    assert "promoters" not in sources and "codon-species" not in sources  # labels only
    assert {"tf-binding", "sirna", "splice-sites", "background"} <= set(sources)
    sirna = load_bundled("sirna")
    ours = [s for s, i in zip(corpus.sequences, corpus.ids, strict=True) if i.startswith("sirna_")]
    assert ours == sirna.sequences  # a bundled set's sequences, in order, unlabelled
    background = [s for s, i in zip(corpus.sequences, corpus.ids, strict=True) if "background" in i]
    assert len(background) == 50 and all(re.fullmatch("[ACGT]{300}", s) for s in background)
    assert len(corpus) == sum(len(load_bundled(n)) for n in sources if n != "background") + 50
    assert "promoters" in corpus.meta.description


def test_background_is_seeded():
    a, b, c = (dna_corpus(seed=s, n_background=20) for s in (0, 0, 1))
    assert a.sequences[-20:] == b.sequences[-20:] != c.sequences[-20:]


def test_load_corpus_names_it():
    assert load_corpus("dna-corpus").name == "dna-corpus"
