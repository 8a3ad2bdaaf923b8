"""Building blocks shared by the sequence models.

Every nonlinearity is its own module instance, used once, so DeepLift-style attribution
can hook each one (captum's requirement).
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

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


class DenseHead(nn.Module):
    """Features (plus optional extras, concatenated) -> hidden ReLU layer -> outputs.

    Shapes: ``(n, f)`` and ``(n, e)`` -> ``(n, out)``. ``hidden=0`` gives a linear head.
    """

    def __init__(
        self, n_in: int, n_out: int, n_extras: int = 0, hidden: int = 32, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.n_extras = n_extras
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
            h = torch.cat([h, extras], dim=1)
        if self.hidden is not None:
            h = self.drop(self.act(self.hidden(h)))
        return self.out(h)
