"""``dna-corpus``: unlabelled DNA for BERT pretraining (every bundled DNA set + background).

DNABERT pretrains on the human genome; offline, genoviz pretrains on what it has: the
training sequences of its bundled DNA sets plus genome-like background from
:mod:`genoviz.data.background`. Only each set's training split is taken (the split a run
with the same seed trains on), so a model pretrained here and fine-tuned on a bundled set
is tested on sequences it never saw, even unlabelled.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genoviz.data import BUNDLED, load_bundled
from genoviz.data.background import markov_sequences, to_strings
from genoviz.data.dataset import Dataset, DatasetMeta

DNA_CORPUS = "dna-corpus"


def dna_corpus(
    seed: int = 0,
    n_background: int = 4000,
    length: int = 300,
    exclude: Sequence[str] = (),
) -> Dataset:
    """Unlabelled DNA from every bundled DNA set's training split (at ``seed``) plus
    genome-like Markov background.

    Args:
        exclude: bundled sets to leave out whole (e.g. the set a comparison fine-tunes on).
    """
    seqs: list[str] = []
    sources: list[str] = []
    for name in BUNDLED:
        if name in exclude or name in (DNA_CORPUS, "codon-species"):
            continue
        ds = load_bundled(name, seed=seed)
        train = ds.splits["train"]
        seqs += [ds.sequences[i] for i in train]
        sources += [name] * len(train)
    rng = np.random.default_rng(seed)
    gc = rng.normal(0.0, 0.3, n_background)
    seqs += to_strings(markov_sequences(n_background, length, rng, gc_shift=gc))
    sources += ["background"] * n_background
    meta = DatasetMeta(
        name=DNA_CORPUS,
        description="Unlabelled DNA for BERT pretraining: the training sequences (split "
        f"seed {seed}) of the bundled DNA sets"
        f"{' except ' + ', '.join(exclude) if exclude else ''}, so their validation and "
        "test sequences stay unseen by a model fine-tuned with the same seed, plus "
        f"{n_background} "
        f"genome-like {length} bp background sequences (first-order Markov chain with human "
        "dinucleotide frequencies and regional GC variation).",
        source="genoviz bundled sets and genoviz.data.background",
        citation="Ji Y, Zhou Z, Liu H, Davuluri RV (2021). DNABERT: pre-trained Bidirectional "
        "Encoder Representations from Transformers model for DNA-language in genome. "
        "Bioinformatics 37(15):2112-2120 (pretraining on the human genome, which this "
        "corpus stands in for offline).",
        simulated=True,
        notes={"sources": sorted(set(sources)), "spec": DNA_CORPUS},
    )
    ids = [f"{s}_{i}" for i, s in enumerate(sources)]
    return Dataset(seqs, np.zeros(len(seqs), np.float32), "lm", meta, ids=ids)


def build_dna_corpus(seed: int = 0) -> Dataset:
    """The bundled ``dna-corpus`` (see :func:`dna_corpus`)."""
    return dna_corpus(seed)
