"""BERT's 512 positions and the tokens a sequence gives each BERT: which sequences are too
long for them, so are read in windows (:meth:`models.token_bert.TokenBert.windows`), and the
note that says so.
"""

from __future__ import annotations

import numpy as np

#: Positions BERT has (DNABERT: 512), [CLS] and [SEP] included.
MAX_POSITIONS = 512


def window_note(n_long: int, max_positions: int = MAX_POSITIONS, done: bool = True) -> str | None:
    """The sentence the UI shows when ``n_long`` sequences needed windows (None if 0);
    ``done=False`` says it before training instead of after predicting."""
    if n_long <= 0:
        return None
    w = max_positions - 2
    if not done:
        return (
            f"{n_long:,} sequence(s) give more than {w} tokens, BERT's limit: training and "
            f"prediction split each into overlapping windows of {w} tokens (half a window "
            "apart) and average the windows' scores (logits, before the sigmoid or softmax)."
        )
    return (
        f"{n_long} sequence(s) give more than {w} tokens, BERT's limit: each was split into "
        f"overlapping windows of {w} tokens (half a window apart) and the windows' scores "
        "(logits, before the sigmoid or softmax) were averaged."
    )


def kmer_token_count(length, k: int):
    """Tokens, [CLS] and [SEP] included, that ``length`` bases give as overlapping k-mers
    (an int, or an array of lengths)."""
    return length - k + 3


def codon_token_count(length):
    """Tokens, [CLS] and [SEP] included, that ``length`` bases give as in-frame codons."""
    return length // 3 + 2


def count_long(model: str, lengths: np.ndarray, k: int = 6) -> int:
    """How many sequences of these ``lengths`` (bases) give ``model`` (``kmer-bert`` with
    ``k``, or ``codon-bert``) more tokens than BERT's positions, so need windows."""
    lengths = np.asarray(lengths)
    tokens = kmer_token_count(lengths, k) if model == "kmer-bert" else codon_token_count(lengths)
    return int((tokens > MAX_POSITIONS).sum())
