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

from genoviz.tokens import AMINO_ACIDS, STOP


class CodonAminoAcidSimilarity(NamedTuple):
    """Results of :func:`codon_amino_acid_similarity`."""

    #: cosine similarity, rows = 64 codons, columns = 20 amino acids and ``*``.
    similarity: pd.DataFrame
    #: per scored codon: its amino acid, the rank of that amino acid (1 = most similar),
    #: 1/rank. All 64 unless some vectors are missing (NaN rows).
    ranks: pd.DataFrame
    #: mean of 1/rank over the scored codons.
    mrr: float
    #: MRR of guessing in random order: mean of 1/r for r = 1..21 (1..n candidates).
    chance_mrr: float


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity between rows: ``a`` (m, d), ``b`` (n, d) -> (m, n)."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return a @ b.T


def codon_meanings(genetic_code: int = 1) -> dict[str, str]:
    """Codon -> amino acid (one letter, ``*`` for stop) under an NCBI genetic code."""
    if genetic_code not in CodonTable.unambiguous_dna_by_id:
        known = ", ".join(map(str, sorted(CodonTable.unambiguous_dna_by_id)))
        raise EmbeddingError(f"no NCBI genetic code {genetic_code}; the codes are {known}")
    table = CodonTable.unambiguous_dna_by_id[genetic_code]
    return dict(table.forward_table) | dict.fromkeys(table.stop_codons, STOP)


def codon_amino_acid_similarity(
    embeddings: np.ndarray | torch.Tensor, vocab: list[str], genetic_code: int = 1
) -> CodonAminoAcidSimilarity:
    """Cosine similarity of every codon embedding to every amino-acid embedding, and MRR.

    Args:
        embeddings: ``(len(vocab), d)``, e.g. ``model.token_embeddings()``, or contextual
            vectors whose NaN rows mark tokens never seen (left out of the ranking).
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
    # Rows that are not finite (tokens a corpus never showed, see contextual_embeddings)
    # drop out: such a codon is not scored and such an amino acid is not a candidate.
    seen_c = np.isfinite(emb[[index[c] for c in codons]]).all(axis=1)
    seen_t = np.isfinite(emb[[index[t] for t in targets]]).all(axis=1)
    sim_df = pd.DataFrame(np.where(seen_c[:, None] & seen_t, sim, np.nan), codons, targets)
    scored = [i for i, c in enumerate(codons) if seen_c[i] and seen_t[targets.index(meaning[c])]]
    cand = np.where(seen_t, sim, -np.inf)[scored]
    own = np.array([targets.index(meaning[codons[i]]) for i in scored], dtype=int)
    own_sim = cand[np.arange(len(scored)), own]
    # Ties are broken at random: the rank is the middle of the tied places and the
    # reciprocal rank its expectation, so identical vectors score chance, not 1.
    above = (cand > own_sim[:, None]).sum(axis=1)
    tied = (cand == own_sim[:, None]).sum(axis=1)  # >= 1: the amino acid itself
    rank = above + (tied + 1) / 2
    rr = np.array(
        [np.mean(1.0 / np.arange(a + 1, a + t + 1)) for a, t in zip(above, tied, strict=True)]
    )
    names = [codons[i] for i in scored]
    ranks = pd.DataFrame(
        {"amino_acid": [meaning[c] for c in names], "rank": rank, "reciprocal_rank": rr},
        index=names,
    )
    chance = float(np.mean(1.0 / np.arange(1, int(seen_t.sum()) + 1)))
    mrr = float(ranks["reciprocal_rank"].mean()) if len(ranks) else float("nan")
    return CodonAminoAcidSimilarity(sim_df, ranks, mrr, chance)


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


def mrr_by_genetic_code(by_species: pd.DataFrame) -> pd.DataFrame:
    """:func:`mrr_by_species` with one row per codon table: one set of embeddings ranks
    alike under codes that give every codon the same meaning (1 and 11 differ only in
    start codons), so the species sharing one (8 of the 9 here) would repeat one bar.
    Columns ``genetic_code`` ("code 1, 11"), ``species`` (joined), ``mrr``,
    ``chance_mrr``."""
    groups: dict[tuple, list[int]] = {}
    for i, code in enumerate(by_species["genetic_code"]):
        groups.setdefault(tuple(sorted(codon_meanings(int(code)).items())), []).append(i)
    rows = []
    for members in groups.values():
        part = by_species.iloc[members]
        codes = ", ".join(str(c) for c in sorted(set(part["genetic_code"])))
        species = ", ".join(part["species"])
        rows.append((f"code {codes}", species, *part[["mrr", "chance_mrr"]].iloc[0]))
    return pd.DataFrame(rows, columns=["genetic_code", "species", "mrr", "chance_mrr"])


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


# --- contextual embeddings and MRR per corpus view ------------------------------------

#: The views MRR is reported on: in-frame codons, the two frame-shift controls, and the
#: codon-protein parallel pairs (``codon-corpus`` views).
MRR_VIEWS = ("codon", "codon-frame1", "codon-frame2", "parallel")


class ContextualEmbeddings(NamedTuple):
    """Results of :func:`contextual_embeddings`."""

    #: mean last-layer hidden state per vocabulary token ``(V, d)``; NaN rows: never seen.
    vectors: np.ndarray
    #: occurrences of each token ``(V,)``.
    counts: np.ndarray


def contextual_embeddings(
    model: torch.nn.Module, ids: torch.Tensor | np.ndarray, batch_size: int = 32
) -> ContextualEmbeddings:
    """Each token's mean last-layer hidden state over its occurrences in ``ids`` (as in
    cross-lingual BERT analyses); special tokens are not counted.

    Args:
        model: has ``vocab`` and ``hidden_states(ids (n, T)) -> (n, T, d)`` (``TokenBert``).
        ids: token ids ``(n, T)``, ``[CLS] ... [SEP]`` then ``[PAD]``.
    """
    from models.bert import N_SPECIAL

    ids = torch.as_tensor(ids).long()
    n_vocab = len(model.vocab)
    total: torch.Tensor | None = None
    counts = torch.zeros(n_vocab, dtype=torch.float64)
    for s in range(0, len(ids), batch_size):
        x = ids[s : s + batch_size]
        h = model.hidden_states(x).detach().cpu().double()
        keep = x >= N_SPECIAL
        if total is None:
            total = torch.zeros(n_vocab, h.shape[-1], dtype=torch.float64)
        total.index_add_(0, x[keep], h[keep])
        counts += torch.bincount(x[keep], minlength=n_vocab).double()
    if total is None:
        raise EmbeddingError("no sequences to read contextual embeddings from")
    with np.errstate(invalid="ignore", divide="ignore"):
        vectors = (total / counts[:, None]).numpy()
    vectors[counts.numpy() == 0] = np.nan
    return ContextualEmbeddings(vectors, counts.numpy().astype(np.int64))


def view_token_rows(
    cds: list[str], proteins: list[str], view: str, max_tokens: int = 256
) -> list[list[str]]:
    """Token rows of one ``codon-corpus`` view, cut (like pretraining) to fit ``max_tokens``
    with [CLS] and [SEP]: ``codon``/``codon-frameN`` codons, ``parallel`` (half codons,
    [SEP], the aligned residues) or ``protein`` residues."""
    from genoviz.data.codon_corpus import SEP, codon_sentences, protein_sentence

    body = max_tokens - 2
    base, _, shift = view.partition("-frame")
    rows: list[list[str]] = []
    for c, p in zip(cds, proteins, strict=True):
        codons, residues = codon_sentences(c, int(shift or 0)), protein_sentence(p)
        if base == "codon":
            rows += [codons[i : i + body] for i in range(0, len(codons), body)]
        elif base == "parallel":
            h = body // 2
            rows += [
                [*codons[i : i + h], SEP, *residues[i : i + h]] for i in range(0, len(codons), h)
            ]
        elif base == "protein":
            rows += [residues[i : i + body] for i in range(0, len(residues), body)]
        else:
            raise EmbeddingError(f"unknown view {view!r}; choose one of {', '.join(MRR_VIEWS)}")
    return rows


def contextual_by_species(
    model: torch.nn.Module,
    dataset,
    view: str = "parallel",
    n_genes: int = 20,
    max_tokens: int = 128,
) -> dict[str, np.ndarray]:
    """Per ``codon-corpus`` species, the :func:`contextual_embeddings` vectors ``(V, d)``
    of its first ``n_genes`` genes read in ``view``. Codon-only views have no amino acids,
    so their amino-acid vectors come from the same genes' proteins."""
    from genoviz.data.codon_corpus import SPECIES
    from models.bert import encode_token_lists

    proteins = dataset.meta.ground_truth.get("proteins")
    if proteins is None:
        raise EmbeddingError(f"MRR per view needs a corpus with proteins; {dataset.name} has none")
    names = dataset.meta.notes.get("species", [s.name for s in SPECIES])
    width = min(max_tokens, int(model.max_positions))
    out = {}
    for k, name in enumerate(names):
        genes = np.flatnonzero(dataset.labels == k)[:n_genes]
        cds = [dataset.sequences[i] for i in genes]
        prots = [proteins[i] for i in genes]
        text = view_token_rows(cds, prots, view, width)
        if not view.startswith("parallel"):
            text += view_token_rows(cds, prots, "protein", width)
        out[name] = contextual_embeddings(model, encode_token_lists(text, model.vocab)).vectors
    return out


def mrr_by_view(
    models_by_view: torch.nn.Module | dict[str, torch.nn.Module],
    dataset,
    views: tuple[str, ...] = MRR_VIEWS,
    n_genes: int = 20,
    max_tokens: int = 128,
) -> pd.DataFrame:
    """MRR per species x view x method on a ``codon-corpus`` dataset.

    ``token``: the model's input token embeddings; ``contextual``: each token's mean
    hidden state over the view's text of that species (:func:`contextual_by_species`).

    Args:
        models_by_view: one model per view (e.g. each pretrained on that view), or one
            model evaluated on every view's text.

    Returns:
        columns ``species``, ``genetic_code``, ``view``, ``method``, ``mrr``,
        ``chance_mrr``, ``n_codons`` (codons scored).
    """
    from genoviz.data.codon_corpus import SPECIES

    if not isinstance(models_by_view, dict):
        models_by_view = dict.fromkeys(views, models_by_view)
    codes = {s.name: s.genetic_code for s in SPECIES}
    rows = []
    for view in views:
        model = models_by_view[view]
        token_emb = model.token_embeddings()
        contextual = contextual_by_species(model, dataset, view, n_genes, max_tokens)
        for name, vectors in contextual.items():
            for method, emb in (("token", token_emb), ("contextual", vectors)):
                r = codon_amino_acid_similarity(emb, model.vocab, codes[name])
                rows.append((name, codes[name], view, method, r.mrr, r.chance_mrr, len(r.ranks)))
    cols = ["species", "genetic_code", "view", "method", "mrr", "chance_mrr", "n_codons"]
    return pd.DataFrame(rows, columns=cols)


def species_codon_correlation(
    vectors_by_species: dict[str, np.ndarray], vocab: list[str]
) -> pd.DataFrame:
    """Compare species by their codon geometry: the Pearson correlation between species of
    the 64 x 64 codon cosine-similarity matrices (upper triangles; pairs with a codon a
    species never showed are left out).

    Args:
        vectors_by_species: per species, vectors ``(len(vocab), d)``, e.g. its
            :func:`contextual_embeddings` (NaN rows: unseen).

    Returns:
        species x species correlations (diagonal 1).
    """
    from genoviz.data.codon_corpus import CODONS

    rows = [vocab.index(c) for c in CODONS]
    upper = np.triu_indices(len(rows), k=1)
    flat = {
        name: cosine_similarity(np.asarray(v)[rows], np.asarray(v)[rows])[upper]
        for name, v in vectors_by_species.items()
    }
    names = list(flat)
    out = np.eye(len(names))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            x, y = flat[a], flat[names[j]]
            ok = np.isfinite(x) & np.isfinite(y)
            out[i, j] = out[j, i] = np.corrcoef(x[ok], y[ok])[0, 1] if ok.sum() > 2 else np.nan
    return pd.DataFrame(out, index=names, columns=names)


class TokenPca(NamedTuple):
    """Results of :func:`codon_token_pca`."""

    #: one row per codon and amino-acid token: ``token``, ``kind`` (codon / amino acid),
    #: ``amino_acid`` (its meaning under the genetic code), ``pc1``, ``pc2``.
    points: pd.DataFrame
    #: share of variance along PC1 and PC2.
    explained: np.ndarray


def codon_token_pca(
    embeddings: np.ndarray | torch.Tensor, vocab: list[str], genetic_code: int = 1
) -> TokenPca:
    """2-D PCA (sklearn) of the 64 codon and 21 amino-acid embeddings, for a map coloured
    by amino acid: codons that sit by their amino acid share its colour and place."""
    from sklearn.decomposition import PCA

    emb = np.asarray(
        embeddings.detach().cpu() if isinstance(embeddings, torch.Tensor) else embeddings,
        dtype=np.float64,
    )
    meaning = codon_meanings(genetic_code)
    tokens = [t for t in vocab if t in meaning] + [*AMINO_ACIDS, STOP]
    pca = PCA(n_components=2).fit(emb[[vocab.index(t) for t in tokens]])
    xy = pca.transform(emb[[vocab.index(t) for t in tokens]])
    points = pd.DataFrame(
        {
            "token": tokens,
            "kind": ["codon" if t in meaning else "amino acid" for t in tokens],
            "amino_acid": [meaning.get(t, t) for t in tokens],
            "pc1": xy[:, 0],
            "pc2": xy[:, 1],
        }
    )
    return TokenPca(points, pca.explained_variance_ratio_)
