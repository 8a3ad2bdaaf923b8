"""What padding or trimming to one length (``--seq-len``, the Train page's 'Pad or trim to')
does to a dataset's sequences: how many are padded with N and how many trimmed, and the note
that says so."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from genoviz.data import Dataset


class Fitted(NamedTuple):
    """How many sequences padding or trimming to one length changes."""

    padded: int  # shorter: padded with N
    trimmed: int  # longer: trimmed, keeping the centre


def fitted_lengths(lengths: np.ndarray, seq_len: int) -> Fitted:
    """How many of ``lengths`` padding or trimming to ``seq_len`` changes."""
    return Fitted(int((lengths < seq_len).sum()), int((lengths > seq_len).sum()))


def fitted_length_note(dataset: Dataset, seq_len: int | None) -> str:
    """What ``seq_len`` does to the data's sequences: how many are padded with N and how
    many trimmed (centred) to it; "" when none changes or there is no ``seq_len``."""
    if not seq_len:
        return ""
    lengths = dataset.lengths
    padded, trimmed = fitted_lengths(lengths, seq_len)
    if not padded + trimmed:
        return ""
    changed = " and ".join(
        f"{n} {what}"
        for n, what in ((padded, "were padded with N"), (trimmed, "trimmed (centred)"))
        if n
    )
    if not padded:
        changed = changed.replace("trimmed", "were trimmed")
    lo, hi = int(lengths.min()), int(lengths.max())
    return (
        f"--seq-len {seq_len}: of the {len(lengths)} sequences "
        f"({lo if lo == hi else f'{lo}-{hi}'} bp), {changed} to {seq_len} bp"
    )
