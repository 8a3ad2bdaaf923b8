"""Building blocks shared by the sequence models, and kmer-bert's k-mer embedding table
tied to its bases (:class:`BaseSumEmbedding`).

Every nonlinearity is its own module instance, used once, so DeepLift-style attribution
can hook each one (captum's requirement).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import nn

from genoviz.tokens import PAD_ID

# The book's CNNs use even kernels (10) with 'same' padding; PyTorch then warns on every
# forward that it pads a copy of the input. Expected here, and noise on the CLI.
warnings.filterwarnings(
    "ignore", message="Using padding='same' with even kernel lengths", category=UserWarning
)


def reverse_complement(x: torch.Tensor) -> torch.Tensor:
    """RC of one-hot ``(n, 4, L)`` in ACGT order: flip channels and positions."""
    return x.flip(dims=(1, 2))


class ConvBlock(nn.Module):
    """Conv1d -> ReLU -> Dropout, with 'same' padding.

    Shapes: ``(n, c_in, L) -> (n, c_out, L)``.
    """

    def __init__(self, c_in: int, c_out: int, kernel: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.conv = nn.Conv1d(c_in, c_out, kernel, padding="same")
        self.act = nn.ReLU()
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.act(self.conv(x)))


class GlobalMaxPool(nn.Module):
    """``(n, c, L) -> (n, c)``: the strongest match of each filter anywhere."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=2)


class GlobalMeanPool(nn.Module):
    """``(n, c, L) -> (n, c)``: how much each filter matches over the whole sequence, a soft
    count of its motif (several weak sites, or a composition bias)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=2)


class ExtrasScale(nn.Module):
    """Extra inputs standardised as the model trained on them: ``(e - mean) / std``, the
    training split's mean and standard deviation kept as buffers, so the saved weights
    carry them and every caller (predict, interpretation) gives raw values. A column of
    genomic coordinates or counts in the thousands otherwise swamped the head and training
    collapsed to one prediction. Identity until :func:`set_extras_scale` sets it."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(n))
        self.register_buffer("std", torch.ones(n))

    def forward(self, extras: torch.Tensor) -> torch.Tensor:
        return (extras.float() - self.mean) / self.std

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        # Weights saved before extras were standardised lack these buffers: they were
        # trained on raw values, so they load as the identity (every load, whatever path:
        # a saved run, a checkpoint, its kept epoch). ``load_state_dict`` hands each module
        # its own copy of the dict, so the caller's is untouched.
        state_dict.setdefault(prefix + "mean", torch.zeros_like(self.mean))
        state_dict.setdefault(prefix + "std", torch.ones_like(self.std))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


def set_extras_scale(model: nn.Module, extras: torch.Tensor) -> None:
    """Set every :class:`ExtrasScale` of ``model`` from ``extras`` ``(n, e)`` (the training
    split); a constant column keeps a scale of 1."""
    e = extras.double()  # float32 squares overflow on values near 1e20
    mean = e.mean(0).float()
    std = e.std(0, unbiased=False).float()
    std = torch.where(torch.isfinite(std) & (std > 1e-8), std, torch.ones_like(std))
    for m in model.modules():
        if isinstance(m, ExtrasScale):
            m.mean.copy_(mean.to(m.mean.device))
            m.std.copy_(std.to(m.std.device))


class DenseHead(nn.Module):
    """Features (plus optional extras, concatenated) -> hidden ReLU layer -> outputs.

    Shapes: ``(n, f)`` and ``(n, e)`` -> ``(n, out)``. ``hidden=0`` gives a linear head.
    """

    def __init__(
        self, n_in: int, n_out: int, n_extras: int = 0, hidden: int = 32, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.n_extras = n_extras
        self.extras_scale = ExtrasScale(n_extras) if n_extras else None
        d = n_in + n_extras
        if hidden:
            self.hidden = nn.Linear(d, hidden)
            self.act = nn.ReLU()
            self.drop = nn.Dropout(dropout)
            d = hidden
        else:
            self.hidden = None
        self.out = nn.Linear(d, n_out)

    def forward(self, h: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        if self.n_extras:
            if extras is None:
                raise ValueError(f"this model needs {self.n_extras} extra input(s) per sequence")
            h = torch.cat([h, self.extras_scale(extras)], dim=1)
        if self.hidden is not None:
            h = self.drop(self.act(self.hidden(h)))
        return self.out(h)


class BaseSumEmbedding(nn.Module):
    """k-mer embeddings tied to their bases: a k-mer's vector is the sum of one learned
    vector per (position, base), so the 4**k k-mers share 4k vectors (a k-wide convolution
    over one-hot bases); the special tokens keep rows of their own.

    Stands in for BERT's word-embedding table: the same forward, and a ``weight`` that
    builds the full table (``(len(vocab), hidden)``, specials first).
    """

    def __init__(self, special: torch.Tensor, parts: torch.Tensor, kmers: Sequence[str]) -> None:
        super().__init__()
        self.special = nn.Parameter(special.detach().clone())  # (N_SPECIAL, hidden)
        self.parts = nn.Parameter(parts.detach().clone())  # (k, 4, hidden), ATCG order
        codes = torch.tensor([["ATCG".index(c) for c in tok] for tok in kmers])
        self.register_buffer("bases", codes, persistent=False)
        self.padding_idx = PAD_ID

    @property
    def weight(self) -> torch.Tensor:
        k = self.parts.shape[0]
        table = self.parts[torch.arange(k, device=self.parts.device), self.bases].sum(1)
        return torch.cat([self.special, table])

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.embedding(ids, self.weight, self.padding_idx)
