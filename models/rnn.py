"""Recurrent models: a plain bidirectional LSTM and DanQ (Quang & Xie 2016), a convolution
whose motif hits a BiLSTM reads in order ("motif grammar").

captum's DeepLift treats the LSTM's internal gates by their gradients (it cannot hook
them); the convolutions, pools and dense layers get proper DeepLift multipliers.
"""

from __future__ import annotations

import torch
from torch import nn

from models.cnn import SequenceModel
from models.layers import ConvBlock, DenseHead, GlobalMaxPool, GlobalMeanPool


class BiLSTMLayer(nn.Module):
    """``nn.LSTM`` (bidirectional, batch first) on NCL tensors, returning the output
    sequence only. Shapes: ``(n, c, L) -> (n, 2 * hidden, L)``."""

    def __init__(self, c_in: int, hidden: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(c_in, hidden, batch_first=True, bidirectional=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x.transpose(1, 2))
        return out.transpose(1, 2)


class BiLSTM(SequenceModel):
    """One-hot -> BiLSTM -> global max and mean pool over positions -> dense head.

    Input ``(n, 4, L)`` of any length; output ``(n, outputs)``. Each position's state
    summarises the whole sequence on both sides, so the receptive field is the sequence.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        hidden: int = 32,
        dense: int = 32,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.rnn = BiLSTMLayer(4, hidden)
        self.gmax = GlobalMaxPool()
        self.gmean = GlobalMeanPool()
        self.drop = nn.Dropout(dropout)
        self.head = DenseHead(4 * hidden, outputs, extras, hidden=dense, dropout=dropout)

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        h = self.rnn(x)
        return self.head(self.drop(torch.cat([self.gmax(h), self.gmean(h)], dim=1)), extras)

    def first_layer_filters(self) -> torch.Tensor:
        """Input weights of every gate unit (both directions) as width-1 filters,
        ``(2 * 4 * hidden, 4, 1)``: how much each base drives each gate."""
        lstm = self.rnn.lstm
        w = torch.cat([lstm.weight_ih_l0.detach(), lstm.weight_ih_l0_reverse.detach()])
        return w[:, :, None]


class DanQ(SequenceModel):
    """DanQ: Conv (motif scanner) -> ReLU -> max pool -> dropout -> BiLSTM -> dropout ->
    flatten -> dense ReLU -> outputs.

    The paper used 320 filters of width 26, pool 13, a 320-unit BiLSTM and 925 dense
    units on 1000 bp; the defaults here are laptop-sized. Input ``(n, 4, L)`` with fixed
    ``L``; output ``(n, outputs)``. The LSTM reads ``ceil(L / pool)`` pooled steps, each
    covering ``pool + kernel - 1`` bp.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        filters: int = 64,
        kernel: int = 19,
        pool: int = 13,
        hidden: int = 32,
        dense: int = 64,
        dropout: float = 0.2,
        rnn_dropout: float = 0.5,
    ) -> None:
        super().__init__()
        self.seq_len = seq_len
        self.conv = ConvBlock(4, filters, kernel)
        self.pool = nn.MaxPool1d(pool, pool, ceil_mode=True)
        self.drop = nn.Dropout(dropout)
        self.rnn = BiLSTMLayer(filters, hidden)
        self.rnn_drop = nn.Dropout(rnn_dropout)
        self.flatten = nn.Flatten()
        steps = -(-seq_len // pool)
        self.head = DenseHead(2 * hidden * steps, outputs, extras, hidden=dense, dropout=dropout)

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        h = self.drop(self.pool(self.conv(x)))
        h = self.rnn_drop(self.rnn(h))
        return self.head(self.flatten(h), extras)
