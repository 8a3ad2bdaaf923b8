"""Token-embedding analysis for ``codon-bert``: do codons sit near their amino acids?

With a joint codon + amino-acid vocabulary, a model that saw codons and proteins side by
side (the ``parallel`` view) can place each codon near the amino acid it encodes. We measure
that with cosine similarity and the mean reciprocal rank (MRR) of each codon's own amino
acid among all 21 (20 amino acids and stop): 1.0 = always nearest, about 0.17 = chance.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import torch
from Bio.Data import CodonTable

from genoviz.sequences import AMINO_ACIDS, STOP


class CodonAminoAcidSimilarity(NamedTuple):
    """Results of :func:`codon_amino_acid_similarity`."""

    #: cosine similarity, rows = 64 codons, columns = 20 amino acids and ``*``.
    similarity: pd.DataFrame
    #: per codon: its amino acid, the rank of that amino acid (1 = most similar), 1/rank.
    ranks: pd.DataFrame
    #: mean of 1/rank over the 64 codons.
    mrr: float
    #: MRR of guessing in random order: mean of 1/r for r = 1..21.
    chance_mrr: float


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity between rows: ``a`` (m, d), ``b`` (n, d) -> (m, n)."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return a @ b.T


def codon_meanings(genetic_code: int = 1) -> dict[str, str]:
    """Codon -> amino acid (one letter, ``*`` for stop) under an NCBI genetic code."""
    table = CodonTable.unambiguous_dna_by_id[genetic_code]
    return dict(table.forward_table) | dict.fromkeys(table.stop_codons, STOP)


def codon_amino_acid_similarity(
    embeddings: np.ndarray | torch.Tensor, vocab: list[str], genetic_code: int = 1
) -> CodonAminoAcidSimilarity:
    """Cosine similarity of every codon embedding to every amino-acid embedding, and MRR.

    Args:
        embeddings: token embeddings ``(len(vocab), d)``, e.g. ``model.token_embeddings()``.
        vocab: the tokens in row order (``codon_vocab()``).
        genetic_code: NCBI table that says which amino acid each codon means.
    """
    emb = np.asarray(
        embeddings.detach().cpu() if isinstance(embeddings, torch.Tensor) else embeddings
    )
    index = {t: i for i, t in enumerate(vocab)}
    meaning = codon_meanings(genetic_code)
    codons = [c for c in vocab if c in meaning]
    targets = [*AMINO_ACIDS, STOP]
    missing = [t for t in targets if t not in index]
    if missing or len(codons) != 64:
        raise ValueError(
            "the vocabulary needs all 64 codons and the 21 amino-acid symbols "
            f"(missing: {', '.join(missing) or f'{64 - len(codons)} codons'})"
        )
    sim = cosine_similarity(emb[[index[c] for c in codons]], emb[[index[t] for t in targets]])
    sim_df = pd.DataFrame(sim, index=codons, columns=targets)
    own = np.array([targets.index(meaning[c]) for c in codons])
    own_sim = sim[np.arange(len(codons)), own]
    rank = 1 + (sim > own_sim[:, None]).sum(axis=1)
    ranks = pd.DataFrame(
        {"amino_acid": [meaning[c] for c in codons], "rank": rank, "reciprocal_rank": 1.0 / rank},
        index=codons,
    )
    chance = float(np.mean(1.0 / np.arange(1, len(targets) + 1)))
    return CodonAminoAcidSimilarity(sim_df, ranks, float(ranks["reciprocal_rank"].mean()), chance)


class EmbeddingError(ValueError):
    """An embedding analysis that does not fit the chosen model."""


def mrr_by_species(embeddings: np.ndarray | torch.Tensor, vocab: list[str]) -> pd.DataFrame:
    """MRR of the codon -> amino-acid ranking under each ``codon-corpus`` species' genetic
    code: columns ``species``, ``genetic_code``, ``mrr``, ``chance_mrr``."""
    from genoviz.data.codon_corpus import SPECIES

    rows = []
    for sp in SPECIES:
        r = codon_amino_acid_similarity(embeddings, vocab, sp.genetic_code)
        rows.append((sp.name, sp.genetic_code, r.mrr, r.chance_mrr))
    return pd.DataFrame(rows, columns=["species", "genetic_code", "mrr", "chance_mrr"])


def codons_by_amino_acid(similarity: pd.DataFrame, genetic_code: int = 1) -> pd.DataFrame:
    """Rows of a codon x amino-acid table reordered so each amino acid's codons sit
    together, in the column order (stops last)."""
    meaning = codon_meanings(genetic_code)
    order = {aa: i for i, aa in enumerate(similarity.columns)}
    codons = sorted(similarity.index, key=lambda c: (order.get(meaning[c], len(order)), c))
    return similarity.loc[codons]


def kmer_similarity(
    embeddings: np.ndarray | torch.Tensor, vocab: list[str], k: int, max_k: int = 4
) -> pd.DataFrame:
    """Cosine similarity of every k-mer embedding to every other, ``(4**k, 4**k)``, rows
    and columns ordered by average-linkage clustering (similar k-mers side by side).

    Raises:
        EmbeddingError: ``k > max_k`` (4**k rows are too many to draw).
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if k > max_k:
        raise EmbeddingError(
            f"a {4**k} x {4**k} heatmap of {k}-mers is too large to draw; this view takes "
            f"k up to {max_k}"
        )
    emb = np.asarray(
        embeddings.detach().cpu() if isinstance(embeddings, torch.Tensor) else embeddings,
        dtype=np.float64,
    )
    rows = [i for i, t in enumerate(vocab) if len(t) == k and set(t) <= set("ACGT")]
    sim = cosine_similarity(emb[rows], emb[rows])
    dist = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    order = leaves_list(linkage(squareform((dist + dist.T) / 2), method="average"))
    names = [vocab[rows[i]] for i in order]
    return pd.DataFrame(sim[np.ix_(order, order)], index=names, columns=names)
