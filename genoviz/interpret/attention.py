"""Attention of a ``kmer-bert``: the layer x head grid, [CLS] attention on bases, motifs.

- :func:`sequence_attention`: every layer's and head's ``(T, T)`` map for one sequence,
  with k-mer labels; inputs over the model's 510-token limit are read window by window
  (the model's own windows) and stitched back together.
- :func:`tokens_to_bases`: a per-token score mapped back to bases. DNABERT gives each base
  the mean over the k-mer tokens that cover it (``mode="mean"``); ``mode="spread"`` splits
  each token's score evenly over its k bases, which keeps the total.
- :func:`attention_motifs`: DNABERT's motif finding: contiguous high-attention regions in
  positive sequences, kept when enriched against negatives (hypergeometric test), then
  a PFM per motif from its aligned instances (match them with
  :func:`genoviz.interpret.matching.match_jaspar`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from genoviz.tokens import CLS_ID, SEP_ID


class AttentionError(ValueError):
    """An attention request that cannot be carried out (wrong model, layer, head)."""


@dataclass
class SequenceAttention:
    """Attention of one sequence.

    Attributes:
        maps: ``(layers, heads, T, T)``, row = the token attending, column = attended to.
            For windowed inputs each cell is the mean over the windows holding both tokens
            (0 where no window does), so rows need not sum to 1.
        tokens: the ``T`` token labels (``[CLS]``, k-mers, ``[SEP]``).
        k: k-mer size; ``length``: bases in the sequence.
        n_windows: windows read (1 when the sequence fits the model).
    """

    maps: np.ndarray
    tokens: list[str]
    k: int
    length: int
    n_windows: int

    def select(self, layers: Sequence[int] | None = None, heads: Sequence[int] | None = None):
        """``maps`` restricted to the given layers and heads (0-based; None = all)."""
        return select(self.maps, layers, heads)

    def cls_to_bases(
        self,
        layers: Sequence[int] | None = None,
        heads: Sequence[int] | None = None,
        mode: str = "mean",
    ) -> np.ndarray:
        """[CLS] attention to the k-mers, averaged over the chosen layers (default: the
        last, as DNABERT) and heads (default: all), mapped to the ``length`` bases."""
        layers = [self.maps.shape[0] - 1] if layers is None else layers
        cls_row = select(self.maps, layers, heads)[:, :, 0, 1:-1].mean(axis=(0, 1))
        return tokens_to_bases(cls_row, self.k, self.length, mode)

    def frame(
        self, layers: Sequence[int] | None = None, heads: Sequence[int] | None = None
    ) -> pd.DataFrame:
        """The chosen maps as a long table (the CSV behind the grid): ``layer``, ``head``
        (1-based), ``from``, ``to`` (token positions, 0 = [CLS]), the two tokens, ``weight``."""
        layers = list(range(self.maps.shape[0])) if layers is None else list(layers)
        heads = list(range(self.maps.shape[1])) if heads is None else list(heads)
        sub = select(self.maps, layers, heads)
        n_l, n_h, t, _ = sub.shape
        li, hi, fi, ti = np.meshgrid(
            np.arange(n_l), np.arange(n_h), np.arange(t), np.arange(t), indexing="ij"
        )
        tok = np.array(self.tokens, dtype=object)
        return pd.DataFrame(
            {
                "layer": np.array(layers)[li.ravel()] + 1,
                "head": np.array(heads)[hi.ravel()] + 1,
                "from": fi.ravel(),
                "to": ti.ravel(),
                "from_token": tok[fi.ravel()],
                "to_token": tok[ti.ravel()],
                "weight": sub.ravel(),
            }
        )


def base_track_frame(track: np.ndarray, sequence: str, name: str = "attention") -> pd.DataFrame:
    """A per-base track as a table: ``position`` (1-based), ``base``, ``name``."""
    return pd.DataFrame(
        {"position": np.arange(1, len(sequence) + 1), "base": list(sequence), name: track}
    )


def select(
    maps: np.ndarray, layers: Sequence[int] | None = None, heads: Sequence[int] | None = None
) -> np.ndarray:
    """``maps`` ``(layers, heads, T, T)`` restricted to the given layers and heads."""
    n_layers, n_heads = maps.shape[:2]
    layers = list(range(n_layers)) if layers is None else list(layers)
    heads = list(range(n_heads)) if heads is None else list(heads)
    bad = [f"layer {i}" for i in layers if not 0 <= i < n_layers]
    bad += [f"head {h}" for h in heads if not 0 <= h < n_heads]
    if bad or not layers or not heads:
        raise AttentionError(
            f"choose layers 0-{n_layers - 1} and heads 0-{n_heads - 1} (got {', '.join(bad)})"
            if bad
            else "choose at least one layer and one head"
        )
    return maps[np.ix_(layers, heads)]


def token_spans(k: int, length: int) -> np.ndarray:
    """Base span of each k-mer token of a ``length``-base sequence: ``(length - k + 1, 2)``
    rows of ``[start, end)``; token ``t`` covers bases ``t .. t + k - 1``."""
    starts = np.arange(max(length - k + 1, 0))
    return np.stack([starts, starts + k], axis=1)


def tokens_to_bases(scores: np.ndarray, k: int, length: int, mode: str = "mean") -> np.ndarray:
    """Per-token scores ``(length - k + 1,)`` -> per-base ``(length,)``.

    Args:
        mode: ``mean``: each base gets the mean over the tokens covering it (DNABERT);
            ``spread``: each token's score is split evenly over its k bases, so the bases
            add up to the tokens' total.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (length - k + 1,):
        raise AttentionError(
            f"{len(scores)} token scores do not fit {length} bases with k = {k} "
            f"(expected {length - k + 1})"
        )
    # A (length - k + 1) x length coverage matrix would do the same; this is O(k L).
    total = np.zeros(length)
    cover = np.zeros(length)
    for offset in range(k):
        total[offset : offset + len(scores)] += scores
        cover[offset : offset + len(scores)] += 1
    if mode == "mean":
        return total / np.maximum(cover, 1)
    if mode == "spread":
        return total / k
    raise AttentionError(f"mode must be 'mean' or 'spread', not {mode!r}")


def window_starts(n_tokens: int, width: int) -> list[int]:
    """First content token of each window, as ``TokenBert._windowed`` cuts them (half a
    window apart, the last flush with the end)."""
    starts = list(range(0, max(n_tokens - width, 0) + 1, width // 2))
    if starts[-1] + width < n_tokens:
        starts.append(n_tokens - width)
    return starts


def _check_kmer_bert(model: nn.Module) -> int:
    k = getattr(model, "k", None)
    if k is None or not hasattr(model, "attentions"):
        raise AttentionError(
            "attention maps need a kmer-bert run (a BERT over k-mers); this model has none"
        )
    return int(k)


def sequence_attention(
    model: nn.Module, sequence: str, max_tokens: int = 2048
) -> SequenceAttention:
    """All layers' and heads' attention for one sequence (windowed when it is long).

    Args:
        max_tokens: longest input accepted; the maps take ``layers * heads * T**2`` floats
            (256 MB for a 4 x 4 model at 2048 tokens).
    """
    k = _check_kmer_bert(model)
    ids = torch.as_tensor(model.encode([sequence])[0])
    vocab = model.vocab
    tokens = [vocab[i] for i in ids.tolist()]
    if len(ids) <= model.max_positions:
        maps = np.stack([a.numpy() for a in model.attentions(ids)])
        return SequenceAttention(maps, tokens, k, len(sequence), 1)
    body = ids[1:-1]
    n, width = len(body), model.max_positions - 2
    total = len(ids)
    if total > max_tokens:
        raise AttentionError(
            f"this sequence gives {total:,} tokens; full attention maps are drawn for at "
            f"most {max_tokens:,} (about {max_tokens + k - 3:,} bp): paste or pass a part of "
            "the sequence at most that long"
        )
    acc = count = None
    starts = window_starts(n, width)
    for a in starts:
        chunk = body[a : a + width]
        win = torch.cat([torch.tensor([CLS_ID]), chunk, torch.tensor([SEP_ID])])
        maps = np.stack([m.numpy() for m in model.attentions(win)])
        where = np.concatenate([[0], np.arange(1 + a, 1 + a + len(chunk)), [total - 1]])
        if acc is None:
            acc = np.zeros((*maps.shape[:2], total, total), dtype=np.float32)
            count = np.zeros((total, total), dtype=np.int32)
        acc[:, :, where[:, None], where[None, :]] += maps
        count[where[:, None], where[None, :]] += 1
    maps = acc / np.maximum(count, 1)
    return SequenceAttention(maps, tokens, k, len(sequence), len(starts))


def cls_base_scores(
    model: nn.Module,
    sequences: Sequence[str],
    layers: Sequence[int] | None = None,
    heads: Sequence[int] | None = None,
    batch_size: int = 32,
    progress: Callable[[float], None] | None = None,
) -> list[np.ndarray]:
    """[CLS] attention mapped to bases (DNABERT's mean) for many sequences, one array of
    length ``len(sequence)`` each. Layers default to the last, heads to all."""
    k = _check_kmer_bert(model)
    out: list[np.ndarray] = []
    for s in range(0, len(sequences), batch_size):
        chunk = list(sequences[s : s + batch_size])
        ids = torch.as_tensor(model.encode(chunk))
        if ids.shape[1] > model.max_positions:
            for seq in chunk:
                out.append(sequence_attention(model, seq).cls_to_bases(layers, heads))
        else:
            per_layer = model.attentions(ids if len(chunk) > 1 else ids[0])
            maps = np.stack([a.numpy() for a in per_layer], axis=-4)  # (n?, layers, heads, T, T)
            maps = maps.reshape(len(chunk), *maps.shape[-4:])
            for i, seq in enumerate(chunk):
                n_tok = len(seq) - k + 1
                lay = [maps.shape[1] - 1] if layers is None else layers
                row = select(maps[i], lay, heads)[:, :, 0, 1 : 1 + n_tok].mean(axis=(0, 1))
                out.append(tokens_to_bases(row, k, len(seq)))
        if progress is not None:
            progress(min(1.0, (s + len(chunk)) / len(sequences)))
    return out


# --- attention motifs (DNABERT's find_motifs) -----------------------------------------


@dataclass
class AttentionMotifs:
    """Motifs found in high-attention regions.

    Attributes:
        table: one row per kept motif: ``motif`` (the seed w-mer), ``pos_hits`` and
            ``neg_hits`` (sequences containing it), ``instances`` (in high-attention
            regions), ``p_value`` (hypergeometric), ``p_adjusted`` (Bonferroni).
        pfms: one ``(4, w + 2 * flank)`` frequency matrix (A, C, G, T) per row of ``table``.
        regions: every high-attention region: ``sequence`` (index), ``start``, ``end``
            (0-based, end exclusive), ``text``.
    """

    table: pd.DataFrame
    pfms: list[np.ndarray]
    regions: pd.DataFrame


def high_attention_regions(
    scores: np.ndarray, min_len: int = 5, threshold: float | None = None
) -> list[tuple[int, int]]:
    """Contiguous runs of bases with score above ``threshold`` (default: the sequence's
    mean, as DNABERT) at least ``min_len`` long: ``[(start, end), ...]``, end exclusive."""
    scores = np.asarray(scores, dtype=np.float64)
    cut = scores.mean() if threshold is None else threshold
    high = np.concatenate([[False], scores > cut, [False]])
    edges = np.flatnonzero(np.diff(high.astype(np.int8)))
    runs = zip(edges[::2], edges[1::2], strict=True)
    return [(int(a), int(b)) for a, b in runs if b - a >= min_len]


def _count_pfm(texts: list[str]) -> np.ndarray:
    counts = np.zeros((4, len(texts[0])))
    index = {b: i for i, b in enumerate("ACGT")}
    for t in texts:
        for j, b in enumerate(t):
            if b in index:
                counts[index[b], j] += 1
    return counts / np.maximum(counts.sum(axis=0, keepdims=True), 1)


def attention_motifs(
    positives: Sequence[str],
    scores: Sequence[np.ndarray],
    negatives: Sequence[str],
    width: int = 6,
    min_len: int = 5,
    p_cutoff: float = 0.005,
    min_instances: int = 3,
    flank: int = 2,
    max_motifs: int = 10,
) -> AttentionMotifs:
    """Enriched motifs in the high-attention regions of ``positives``.

    Every ``width``-mer inside a region is a candidate. It is kept when it occurs in at
    least ``min_instances`` regions and its presence in positives against negatives has a
    Bonferroni-corrected hypergeometric p below ``p_cutoff``. Candidates whose instances
    mostly overlap those of a better one are merged into it (DNABERT merges similar
    motifs too). Each motif's PFM counts its instances with ``flank`` bases either side.

    Args:
        scores: per-base attention of each positive (:func:`cls_base_scores`).
    """
    from scipy.stats import hypergeom

    if len(positives) != len(scores):
        raise AttentionError(f"{len(positives)} positives but {len(scores)} score tracks")
    if not len(positives) or not len(negatives):
        raise AttentionError("motif finding needs both positive and negative sequences")
    region_rows = []
    instances: dict[str, list[tuple[int, int]]] = {}
    for i, (seq, sc) in enumerate(zip(positives, scores, strict=True)):
        for a, b in high_attention_regions(sc, min_len):
            region_rows.append({"sequence": i, "start": a, "end": b, "text": seq[a:b]})
            for p in range(a, b - width + 1):
                instances.setdefault(seq[p : p + width], []).append((i, p))
    regions = pd.DataFrame(region_rows, columns=["sequence", "start", "end", "text"])
    n_pos, n_neg = len(positives), len(negatives)
    candidates = {m: inst for m, inst in instances.items() if len(inst) >= min_instances}
    rows = []
    for motif, inst in candidates.items():
        pos_hits = sum(motif in s for s in positives)
        neg_hits = sum(motif in s for s in negatives)
        # P(at least pos_hits of the sequences holding the motif are positives).
        p = float(hypergeom.sf(pos_hits - 1, n_pos + n_neg, pos_hits + neg_hits, n_pos))
        rows.append((motif, pos_hits, neg_hits, len(inst), p))
    rows.sort(key=lambda r: (r[4], -r[3]))
    kept: list[tuple] = []
    taken: dict[int, list[int]] = {}  # sequence -> starts of kept motifs' instances
    for motif, pos_hits, neg_hits, n_inst, p in rows:
        p_adj = min(1.0, p * len(rows))
        if p_adj >= p_cutoff or len(kept) >= max_motifs:
            break
        inst = candidates[motif]
        near = sum(any(abs(q - p0) < width for q in taken.get(i, ())) for i, p0 in inst)
        if near * 2 >= len(inst):
            continue
        kept.append((motif, pos_hits, neg_hits, n_inst, p, p_adj))
        for i, p0 in inst:
            taken.setdefault(i, []).append(p0)
    pfms = []
    for motif, *_ in kept:
        texts = [
            positives[i][p0 - flank : p0 + width + flank]
            for i, p0 in candidates[motif]
            if p0 - flank >= 0 and p0 + width + flank <= len(positives[i])
        ]
        pfms.append(_count_pfm(texts) if texts else _count_pfm([motif]))
    table = pd.DataFrame(
        kept, columns=["motif", "pos_hits", "neg_hits", "instances", "p_value", "p_adjusted"]
    )
    return AttentionMotifs(table, pfms, regions)


__all__ = [
    "AttentionError",
    "AttentionMotifs",
    "SequenceAttention",
    "attention_motifs",
    "base_track_frame",
    "cls_base_scores",
    "high_attention_regions",
    "select",
    "sequence_attention",
    "token_spans",
    "tokens_to_bases",
    "window_starts",
]
