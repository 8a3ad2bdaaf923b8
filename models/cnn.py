"""Convolutional models: genoviz's default ``cnn`` and the DeepChem book's two CNNs."""

from __future__ import annotations

import torch
from torch import nn

from models.layers import (
    ConvBlock,
    DenseHead,
    GlobalMaxPool,
    GlobalMeanPool,
    reverse_complement,
)


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


class CNNBranch(nn.Module):
    """One member of :class:`CNN`: Conv -> ReLU -> global max and mean pool -> dense head.

    Shapes: ``(n, 4, L)`` and extras ``(n, e)`` -> ``(n, outputs)``. With ``positional``
    the head also sees the max over each ``pool``-bp block, and with ``per_base`` the
    one-hot input itself (which base sits at each position, as in classic siRNA and
    CRISPR guide design scores).
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int,
        extras: int,
        filters: int,
        kernel: int,
        hidden: int,
        dropout: float,
        positional: bool,
        pool: int,
        mean_pool: bool,
        per_base: bool,
    ) -> None:
        super().__init__()
        self.conv = ConvBlock(4, filters, kernel)
        self.gmax = GlobalMaxPool()
        self.gmean = GlobalMeanPool() if mean_pool else None
        self.local = nn.MaxPool1d(pool, ceil_mode=True) if positional else None
        self.per_base = per_base
        n_feat = filters * (2 if mean_pool else 1)
        if positional:
            n_feat += filters * -(-seq_len // pool)
        if per_base:
            n_feat += 4 * seq_len
        self.drop = nn.Dropout(dropout)
        self.head = DenseHead(n_feat, outputs, extras, hidden=hidden, dropout=dropout)

    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        return self.forward_from_conv(self.conv.conv(x), x, extras)

    def forward_from_conv(
        self, z: torch.Tensor, x: torch.Tensor | None, extras: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The member after its first convolution: ``z`` is that convolution's output before
        the ReLU, ``(n, filters, L)``. The one copy of the member's head, shared by
        :meth:`forward` and the exact fast IG path (:mod:`genoviz.interpret.fast_ig`).
        ``x`` ``(n, 4, L)`` is read only by a ``per_base`` head."""
        h = self.conv.drop(self.conv.act(z))
        feats = [self.gmax(h)]
        if self.gmean is not None:
            feats.append(self.gmean(h))
        if self.local is not None:
            feats.append(self.local(h).flatten(1))
        if self.per_base:
            if x is None:
                raise ValueError("a per-base head needs the one-hot input x")
            feats.append(x.flatten(1))
        return self.head(self.drop(torch.cat(feats, dim=1)), extras)


class CNN(SequenceModel):
    """genoviz's default: ``members`` small CNNs (Conv -> ReLU -> global max + mean pool ->
    dense head) whose logits are averaged.

    Input ``(n, 4, L)`` of any length (fixed when ``positional``); output
    ``(n, outputs)``. Receptive field = ``kernel``. Global max pooling asks "is there a
    match anywhere?", the right question for TF binding; mean pooling adds "how much,
    overall?" (several weak sites, composition). For strand-specific inputs ``positional``
    lets the head see *where* each match is, as the maximum in each ``pool``-bp block
    (``models.data_hparams`` picks 3 bp on siRNA guides, about 30 blocks on windows centred
    on a TSS or a splice site: after 4 epochs at seed 0 it lifts validation ROC AUC from
    0.66 to 0.77 on ``promoters``, and from 0.60 to 0.97 on ``splice-sites`` as it was
    before pseudo sites made it harder), and ``per_base`` which base sits at each position
    (short guides only). Averaging four independently initialised members costs four
    times one member's compute (about 1.5 s per epoch on 16k 101-bp windows on two CPU
    cores) and makes results far less dependent on the seed when positives are few: on
    real JUND peaks (117 positives to learn from) held-out ROC AUC rose from about 0.70
    with two members to about 0.75 with four.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        filters: int = 32,
        kernel: int = 9,
        hidden: int = 32,
        dropout: float = 0.2,
        members: int = 4,
        mean_pool: bool = True,
        positional: bool = False,
        pool: int = 3,
        strand_average: bool = False,
        per_base: bool = False,
    ) -> None:
        super().__init__()
        if members < 1:
            raise ValueError(f"members must be at least 1, not {members}")
        self.strand_average = strand_average
        self.members = nn.ModuleList(
            CNNBranch(
                seq_len,
                outputs,
                extras,
                filters,
                kernel,
                hidden,
                dropout,
                positional,
                pool,
                mean_pool,
                per_base,
            )
            for _ in range(members)
        )

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        out = self.members[0](x, extras)
        for m in self.members[1:]:
            out = out + m(x, extras)
        return out / len(self.members)

    def first_layer_filters(self) -> torch.Tensor:
        """All members' first-layer weights, ``(members * filters, 4, kernel)``."""
        return torch.cat([m.conv.conv.weight.detach() for m in self.members])

    def first_layer_activations(self, x: torch.Tensor) -> torch.Tensor:
        """Post-ReLU first-layer maps of every member, ``(n, members * filters, L)``, in
        the order of :meth:`first_layer_filters` (for filter logos from activating sites)."""
        return torch.cat([m.conv(x) for m in self.members], dim=1)


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
