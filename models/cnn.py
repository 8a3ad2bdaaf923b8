"""Convolutional models: genoviz's default ``cnn`` and the DeepChem book's two CNNs."""

from __future__ import annotations

import torch
from torch import nn

from models.layers import ConvBlock, DenseHead, GlobalMaxPool, reverse_complement


class SequenceModel(nn.Module):
    """Base class: ``forward(x, extras=None) -> logits``.

    ``x`` is one-hot ``(n, 4, L)``; ``extras`` is ``(n, e)`` or None; logits are
    ``(n, outputs)``. With ``strand_average`` set, evaluation averages the logits of the
    sequence and its reverse complement (training relies on RC augmentation instead).
    """

    strand_average: bool = False

    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        out = self.forward_strand(x, extras)
        if self.strand_average and not self.training:
            out = 0.5 * (out + self.forward_strand(reverse_complement(x), extras))
        return out

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        raise NotImplementedError

    def first_layer_filters(self) -> torch.Tensor:
        """First convolution's weights, ``(filters, 4, width)``."""
        for m in self.modules():
            if isinstance(m, nn.Conv1d):
                return m.weight.detach()
        raise AttributeError("model has no convolution")


class CNN(SequenceModel):
    """Conv -> ReLU -> global max pool -> small dense head (genoviz's default).

    Input ``(n, 4, L)`` of any length; output ``(n, outputs)``. Receptive field = ``kernel``.
    Global max pooling asks "is there a match anywhere?", the right question for TF binding.
    For short strand-specific inputs (siRNA), ``positional=True`` adds a per-position max
    over ``pool``-bp blocks so the head can tell *where* a match is.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        filters: int = 32,
        kernel: int = 15,
        hidden: int = 32,
        dropout: float = 0.2,
        positional: bool = False,
        pool: int = 3,
        strand_average: bool = False,
    ) -> None:
        super().__init__()
        self.strand_average = strand_average
        self.conv = ConvBlock(4, filters, kernel)
        self.gmax = GlobalMaxPool()
        self.positional = positional
        n_feat = filters
        if positional:
            self.local = nn.MaxPool1d(pool, ceil_mode=True)
            self.flatten = nn.Flatten()
            n_feat += filters * -(-seq_len // pool)
        self.drop = nn.Dropout(dropout)
        self.head = DenseHead(n_feat, outputs, extras, hidden=hidden, dropout=dropout)

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        h = self.conv(x)
        feats = self.gmax(h)
        if self.positional:
            feats = torch.cat([feats, self.flatten(self.local(h))], dim=1)
        return self.head(self.drop(feats), extras)


class DeepChemTF(SequenceModel):
    """The DeepChem book's JUND model: 3 x (Conv1d 15 filters, kernel 10, same padding,
    ReLU, dropout 0.5), flatten, linear. Input ``(n, 4, L)`` with fixed ``L``; output
    ``(n, outputs)``. Extras, if any, join after the flatten (the book's accessibility
    model). Receptive field 28 bp."""

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        filters: int = 15,
        kernel: int = 10,
        layers: int = 3,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        self.seq_len = seq_len
        self.trunk = nn.Sequential(
            *(ConvBlock(4 if i == 0 else filters, filters, kernel, dropout) for i in range(layers))
        )
        self.flatten = nn.Flatten()
        self.head = DenseHead(filters * seq_len, outputs, extras, hidden=0)

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        return self.head(self.flatten(self.trunk(x)), extras)


class DeepChemSiRNA(SequenceModel):
    """The DeepChem book's siRNA model: 2 x (Conv1d 10 filters, kernel 10, same padding,
    ReLU, dropout 0.3), flatten, linear, sigmoid. Input ``(n, 4, L)`` with fixed ``L``;
    output ``(n, outputs)`` in 0..1 (a regression output, not a logit)."""

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        filters: int = 10,
        kernel: int = 10,
        layers: int = 2,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            *(ConvBlock(4 if i == 0 else filters, filters, kernel, dropout) for i in range(layers))
        )
        self.flatten = nn.Flatten()
        self.head = DenseHead(filters * seq_len, outputs, extras, hidden=0)
        self.squash = nn.Sigmoid()

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        return self.squash(self.head(self.flatten(self.trunk(x)), extras))
