"""k-mer and codon tokens: DNABERT's vocabulary, k-mer token ids, and the codon vocabulary."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from genoviz.sequences import SequenceError

# DNABERT's vocabulary: five specials, then every k-mer in itertools.product("ATCG") order,
# so a real DNABERT checkpoint's vocab.txt lines up id for id.

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = range(5)
_DNABERT_ORDER = "ATCG"


def kmer_vocab(k: int) -> list[str]:
    """DNABERT's ``vocab.txt`` for ``k`` (3-6): specials, then ``product("ATCG", repeat=k)``."""
    if not 3 <= k <= 6:
        raise ValueError(f"k must be 3, 4, 5 or 6 (DNABERT's sizes), not {k}")
    return [*SPECIAL_TOKENS, *("".join(p) for p in itertools.product(_DNABERT_ORDER, repeat=k))]


def kmers(seq: str, k: int) -> list[str]:
    """Overlapping k-mers: ``len(seq) - k + 1`` of them."""
    return [seq[i : i + k] for i in range(len(seq) - k + 1)]


def kmer_tokenize(
    sequences: Sequence[str], k: int, max_tokens: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Token ids ``[CLS] k-mers... [SEP]`` (k-mers with N are ``[UNK]``), padded; lower
    case and U read as ``one_hot`` reads them.

    Args:
        max_tokens: total length including ``[CLS]`` and ``[SEP]``; None = the longest.

    Returns:
        ``(input_ids, attention_mask)``, both int64 ``(n, T)``.

    Raises:
        SequenceError: a sequence shorter than k, or one needing more than ``max_tokens``.
    """
    index = {tok: i for i, tok in enumerate(kmer_vocab(k))}
    rows = []
    for i, s in enumerate(sequences):
        if len(s) < k:
            raise SequenceError(
                f"sequence {i + 1} has {len(s)} bases, fewer than k = {k}",
                record=f"sequence {i + 1}",
            )
        s = s.upper().replace("U", "T")  # read as one_hot reads them
        ids = [CLS_ID, *(index.get(km, UNK_ID) for km in kmers(s, k)), SEP_ID]
        if max_tokens is not None and len(ids) > max_tokens:
            raise SequenceError(
                f"sequence {i + 1} gives {len(ids)} tokens, more than {max_tokens}; "
                "split it into windows first",
                record=f"sequence {i + 1}",
            )
        rows.append(ids)
    width = max_tokens or max((len(r) for r in rows), default=2)
    input_ids = np.full((len(rows), width), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        input_ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return input_ids, mask


STOP = "*"
AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"


def codon_vocab() -> list[str]:
    """Joint codon + protein vocabulary: specials, 64 codons (``product("TCAG")``, the
    genetic-code table order), then the 20 amino acids and the stop ``*``."""
    codons = ["".join(p) for p in itertools.product("TCAG", repeat=3)]
    return [*SPECIAL_TOKENS, *codons, *AMINO_ACIDS, STOP]


def codon_tokens(cds: str, frame: int = 0) -> list[str]:
    """Non-overlapping codons of ``cds`` read from ``frame`` (0, 1 or 2); a partial last
    codon is dropped. Lower case and U are read as ``one_hot`` reads them."""
    if frame not in (0, 1, 2):
        raise ValueError("frame must be 0, 1 or 2")
    s = cds[frame:].upper().replace("U", "T")
    return [s[i : i + 3] for i in range(0, len(s) - 2, 3)]
