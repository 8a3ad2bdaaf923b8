"""Reference inputs (baselines) for attribution: all zeros, uniform 0.25, or
dinucleotide-shuffled copies of each sequence (tangermeme's shuffle).

:mod:`~genoviz.interpret.attribution` compares each sequence against these; it re-exports
every name here, so callers may import them from either module.
"""

from __future__ import annotations

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


def dinucleotide_shuffles(x: torch.Tensor, n: int = 10, seed: int = 0) -> torch.Tensor:
    """``n`` dinucleotide-shuffled copies of each one-hot sequence (tangermeme).

    Args:
        x: one-hot, shape ``(m, 4, L)``; N columns (all zero) are allowed.

    Returns:
        float32, shape ``(m, n, 4, L)``. Sequence ``i`` uses seed ``seed + i``.

    Raises:
        ShuffleError: a sequence whose only shuffle is itself (``ACGTACGT…``).
    """
    from tangermeme.ersatz import dinucleotide_shuffle

    def shuffle(xs: torch.Tensor, seeds: list[int], k: int) -> torch.Tensor:
        return dinucleotide_shuffle(xs.float(), n=k, random_state=seeds, allow_N=True)

    seeds = [seed + i for i in range(len(x))]
    try:
        out, refused = shuffle(x, seeds, n), None
    except ValueError as e:  # tangermeme: some sequence's shuffles are all identical
        out, refused = None, e
    # Which sequences have no shuffle but themselves (with n = 1 tangermeme does not check)?
    same = [True] * len(x) if out is None else (out == x.float()[:, None]).flatten(1).all(1)
    stuck = []
    for i in (i for i, s in enumerate(same) if s):
        try:
            shuffle(x[i : i + 1], [seeds[i]], 2)
        except ValueError:
            stuck.append(i)
    if stuck:
        raise ShuffleError(stuck, len(x))
    if refused is not None:
        raise refused
    return out.float()


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
