"""Hand-set toy models with answers known on paper, shared by the interpretation tests."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from genoviz.onehot import one_hot
from models.layers import GlobalMaxPool

MOTIF = "TGACTCA"


class MotifDetector(nn.Module):
    """Conv (one filter = the motif's one-hot, bias -(w-1)) -> ReLU -> global max -> linear.

    Output 0 is 1 exactly where the motif occurs and 0 far from it; with ``outputs=2`` the
    second output is a constant (nothing to attribute).
    """

    def __init__(self, motif: str = MOTIF, outputs: int = 1, extras: int = 0) -> None:
        super().__init__()
        w = len(motif)
        self.conv = nn.Conv1d(4, 2, w)
        self.act = nn.ReLU()
        self.pool = GlobalMaxPool()
        self.head = nn.Linear(2 + extras, outputs)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.weight[0] = torch.as_tensor(one_hot([motif])[0])
            self.conv.bias.copy_(torch.tensor([-(w - 1.0), -1e3]))  # filter 1 never fires
            self.head.weight.zero_()
            self.head.bias.zero_()
            self.head.weight[0, 0] = 2.0
            self.head.bias[0] = -1.0
            if outputs > 1:
                self.head.bias[1] = 0.5

    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        h = self.pool(self.act(self.conv(x)))
        if extras is not None:
            h = torch.cat([h, extras], dim=1)
        return self.head(h)


class LinearModel(nn.Module):
    """Logit = sum of one weight per (base, position): ISM effects are weight differences."""

    def __init__(self, length: int, seed: int = 0) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.weight = nn.Parameter(torch.randn(4, length, generator=g))

    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        return (x * self.weight).sum(dim=(1, 2))[:, None]


class ThreeClasses(nn.Module):
    """Multi-class logits (a, 2a, 0) for a = the number of A's: an A raises class 0's
    logit, yet lowers its probability, because class 1's logit rises twice as fast."""

    def forward(self, x, extras=None):
        a = x[:, 0].sum(dim=1)
        return torch.stack([a, 2 * a, torch.zeros_like(a)], dim=1)


def random_sequences(n: int, length: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), size=length)) for _ in range(n)]


def with_motif(n: int, length: int, seed: int = 0, motif: str = MOTIF):
    """Random sequences with the motif planted once; returns (sequences, starts)."""
    rng = np.random.default_rng(seed)
    seqs, starts = [], []
    for s in random_sequences(n, length, seed):
        p = int(rng.integers(0, length - len(motif) + 1))
        seqs.append(s[:p] + motif + s[p + len(motif) :])
        starts.append(p)
    return seqs, starts
