"""Reference inputs (baselines) for attribution: all zeros, uniform 0.25, or
dinucleotide-shuffled copies of each sequence (tangermeme's shuffle).

:mod:`~genoviz.interpret.attribution` compares each sequence against these; it re-exports
every name here, so callers may import them from either module.
"""

from __future__ import annotations

import contextlib
import zlib
from typing import Literal

import torch

BaselineKind = Literal["zeros", "uniform", "shuffle"]

BASELINES: dict[str, str] = {
    "shuffle": "dinucleotide shuffles",
    "zeros": "all zeros",
    "uniform": "uniform 0.25",
}


# The attribution modules' error, defined here at the bottom of the import chain so that
# ShuffleError can subclass it; attribution.py re-exports it.
class AttributionError(ValueError):
    """An attribution request that cannot be carried out (bad method, target, shape)."""


class ShuffleError(AttributionError):
    """Sequences with a single dinucleotide shuffle (themselves), such as ``ACGTACGT…``:
    no shuffled reference exists. ``indices`` are their rows in the input batch."""

    def __init__(self, indices: list[int], n: int) -> None:
        self.indices, self.n = indices, n
        super().__init__(self.message())

    def message(self, ids: list[str] | None = None, where: str = "") -> str:
        """The message, naming the sequences by ``ids`` (default: their 1-based order);
        ``where`` says where the reference is chosen (such as " on the Saliency tab")."""
        names = [str(ids[i]) if ids is not None else str(i + 1) for i in self.indices]
        plural = len(names) > 1
        if self.n == 1 and ids is None:
            who = "This sequence cannot"
        else:
            who = f"Sequence{'s' if plural else ''} {', '.join(names)} cannot"
        return (
            f"{who} be dinucleotide-shuffled: every shuffle of {'them' if plural else 'it'} "
            "is the sequence itself (a repeat such as ACGTACGT… chains its dinucleotides in "
            "only one order), so there is no shuffled reference. Choose the all-zeros or "
            f"uniform 0.25 reference{where} instead."
        )


def sequence_seed(x: torch.Tensor, seed: int) -> int:
    """A seed for one one-hot sequence ``(4, L)``'s random draws, from ``seed`` and the
    sequence itself: its draws are the same whichever sequences are explained beside it."""
    return seed * 1_000_003 + zlib.crc32(x.float().numpy().tobytes())


def dinucleotide_shuffles(x: torch.Tensor, n: int = 10, seed: int = 0) -> torch.Tensor:
    """``n`` dinucleotide-shuffled copies of each one-hot sequence (tangermeme).

    Only the known bases are shuffled: N columns (all zero: padding, gaps in a genome)
    stay where they are, so a reference never puts a base where the sequence has none,
    and no attribution lands on an N. The known bases of a sequence with N are shuffled
    as one string, so their dinucleotide counts are kept except across an N gap.

    Args:
        x: one-hot, shape ``(m, 4, L)``; N columns (all zero) are allowed.

    Returns:
        float32, shape ``(m, n, 4, L)``. Each sequence's shuffles depend on it and ``seed``
        alone, not on the sequences beside it, so its map is the same whichever others are
        explained with it.

    Raises:
        ShuffleError: a sequence whose only shuffle is itself (``ACGTACGT…``).
    """
    x = torch.as_tensor(x).float()
    seeds = [sequence_seed(x[i], seed) % 2**32 for i in range(len(x))]  # numpy's range
    known = x.sum(1) > 0  # (m, L)
    out = x[:, None].repeat(1, n, 1, 1)  # an N-only sequence is its own reference
    stuck: list[int] = []
    whole = [i for i in range(len(x)) if bool(known[i].all())]
    if whole:
        shuffled, bad = _shuffle_rows(x[whole], [seeds[i] for i in whole], n)
        out[whole] = shuffled
        stuck += [whole[b] for b in bad]
    for i in (i for i in range(len(x)) if not bool(known[i].all())):
        cols = known[i]
        if int(cols.sum()) < 3:  # nothing to shuffle
            continue
        shuffled, bad = _shuffle_rows(x[i][:, cols][None], [seeds[i]], n)
        if bad:
            stuck.append(i)
        else:
            out[i][:, :, cols] = shuffled[0]
    if stuck:
        raise ShuffleError(sorted(stuck), len(x))
    return out


def _shuffle_rows(xs: torch.Tensor, seeds: list[int], n: int) -> tuple[torch.Tensor, list[int]]:
    """tangermeme's shuffles of N-free one-hot rows ``(m, 4, L)``, ``(m, n, 4, L)``, and the
    rows with no shuffle but themselves."""
    from tangermeme.ersatz import dinucleotide_shuffle

    def shuffle(rows: torch.Tensor, row_seeds: list[int], k: int) -> torch.Tensor:
        return dinucleotide_shuffle(rows, n=k, random_state=row_seeds, allow_N=True).float()

    try:
        out = shuffle(xs, seeds, n)
    except ValueError:  # tangermeme: some row's shuffles are all identical; row by row
        out = xs[:, None].repeat(1, n, 1, 1)
        for i in range(len(xs)):
            with contextlib.suppress(ValueError):  # no shuffle: found stuck below
                out[i] = shuffle(xs[i : i + 1], [seeds[i]], n)[0]
    # Which rows have no shuffle but themselves (with n = 1 tangermeme does not check)?
    same = (out == xs[:, None]).flatten(1).all(1)
    stuck = []
    for i in (i for i, s in enumerate(same) if s):
        try:
            shuffle(xs[i : i + 1], [seeds[i]], 2)
        except ValueError:
            stuck.append(i)
    return out, stuck


def references(
    x: torch.Tensor, kind: BaselineKind = "shuffle", n_shuffles: int = 10, seed: int = 0
) -> torch.Tensor:
    """Reference inputs, shape ``(m, k, 4, L)``: ``k = n_shuffles`` for ``shuffle``, else 1."""
    if kind == "zeros":
        return torch.zeros_like(x)[:, None]
    if kind == "uniform":
        return torch.full_like(x, 0.25)[:, None]
    if kind == "shuffle":
        return dinucleotide_shuffles(x, n_shuffles, seed)
    raise AttributionError(f"unknown baseline {kind!r}; choose one of {', '.join(BASELINES)}")


__all__ = [
    "BASELINES",
    "AttributionError",
    "BaselineKind",
    "ShuffleError",
    "dinucleotide_shuffles",
    "references",
]
