"""The first steps of a teaching sequence: a linear model and a small MLP on the flattened
one-hot sequence.

Both see *where* each base sits, nothing more: no filters are shared along the sequence, so a
motif learned at one position is not recognised at another. Comparing them with ``cnn`` on the
same data shows what convolution buys.
"""

from __future__ import annotations

import torch
from torch import nn

from models.cnn import SequenceModel
from models.layers import DenseHead


class Linear(SequenceModel):
    """One linear layer on the flattened one-hot input: a position weight matrix per output.

    Input ``(n, 4, L)`` with fixed ``L`` (plus optional extras ``(n, e)``); output
    ``(n, outputs)``. Its weights, read as ``(outputs, 4, L)``, are the model itself: a score
    for each base at each position (:meth:`first_layer_filters`).
    """

    def __init__(self, seq_len: int, outputs: int = 1, extras: int = 0) -> None:
        super().__init__()
        self.seq_len = seq_len
        self.flatten = nn.Flatten()
        self.head = DenseHead(4 * seq_len, outputs, extras, hidden=0)

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        return self.head(self.flatten(x), extras)

    def first_layer_filters(self) -> torch.Tensor:
        """Per-base, per-position weights, ``(outputs, 4, L)`` (extras' weights left out)."""
        w = self.head.out.weight.detach()[:, : 4 * self.seq_len]
        return w.reshape(-1, 4, self.seq_len)


class MLP(SequenceModel):
    """Flattened one-hot -> ``layers`` x (Linear, ReLU, Dropout) -> dense head.

    Input ``(n, 4, L)`` with fixed ``L``; output ``(n, outputs)``. Extras join at the head.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        hidden: int = 64,
        layers: int = 1,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        if layers < 1:
            raise ValueError(f"layers must be at least 1, not {layers}")
        self.seq_len = seq_len
        self.flatten = nn.Flatten()
        blocks: list[nn.Module] = []
        d = 4 * seq_len
        for _ in range(layers - 1):
            blocks += [nn.Linear(d, hidden), nn.ReLU(), nn.Dropout(dropout)]
            d = hidden
        self.trunk = nn.Sequential(*blocks)
        self.head = DenseHead(d, outputs, extras, hidden=hidden, dropout=dropout)

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        return self.head(self.trunk(self.flatten(x)), extras)

    def first_layer_filters(self) -> torch.Tensor:
        """First layer's weights as ``(hidden, 4, L)``: what each hidden unit looks for."""
        first = self.trunk[0] if len(self.trunk) else self.head.hidden
        return first.weight.detach()[:, : 4 * self.seq_len].reshape(-1, 4, self.seq_len)
