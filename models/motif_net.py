"""``motif-net``: a layer of learnable PSSMs, each with a learnable position mask.

The scan of motif ``m`` at offset ``i`` is
``ReLU(sum_{c,j} A[c, i + j] V[m, c, j] σ(W[m, j]) + b[m])``, with ``A`` the one-hot
sequence, ``V`` (M, 4, width) the motif scores (log-odds in bits when started from JASPAR)
and ``σ(W)`` a sigmoid mask over the columns, so each motif can switch off columns it does
not need and so find its own length. Then, optionally, multi-head self-attention across the
motif channels (which motif co-occurs where with which), global max pooling, and a dense
head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from models.cnn import SequenceModel
from models.jaspar_init import JasparChoice, choose_jaspar
from models.layers import DenseHead, GlobalMaxPool

#: Mask logit for JASPAR columns (σ = 0.99995) and for padding columns (σ = 0.5).
MASK_ON, MASK_OPEN = 10.0, 0.0


class MotifLogos(NamedTuple):
    """Learned motifs read back for logos.

    Attributes:
        pfms: ``(M, 4, width)`` column-normalised probabilities (A, C, G, T), from the
            masked scores taken as log-odds in bits against a uniform background; a
            masked-out column becomes uniform.
        mask: ``(M, width)`` the position mask σ(W) in 0..1.
        scores: ``(M, 4, width)`` the raw V.
        names: one label per motif (the JASPAR id and name where it started from one).
    """

    pfms: np.ndarray
    mask: np.ndarray
    scores: np.ndarray
    names: list[str]


class MotifScan(nn.Module):
    """Scores every motif at every offset (no padding), on one or both strands.

    Shapes: ``(n, 4, L) -> (n, C, L - width + 1)`` with ``C = M`` or ``2M`` (both strands:
    channels ``M..2M-1`` are the reverse-complement scans of motifs ``0..M-1``). The output
    is before the ReLU.

    The first ``fixed`` motifs are frozen: their V and mask logits are buffers (saved
    with the weights, never trained), the other ``M - fixed`` are parameters.
    """

    def __init__(self, motifs: int, width: int, both_strands: bool, fixed: int = 0) -> None:
        super().__init__()
        self.both_strands = both_strands
        self.fixed = fixed
        free = motifs - fixed
        self.scores = nn.Parameter(torch.randn(free, 4, width) * 0.5)
        self.mask_logits = nn.Parameter(torch.full((free, width), 2.0))
        self.register_buffer("fixed_scores", torch.zeros(fixed, 4, width))
        self.register_buffer("fixed_mask_logits", torch.zeros(fixed, width))
        self.bias = nn.Parameter(torch.zeros(motifs))

    def all_scores(self) -> torch.Tensor:
        """V of every motif, frozen ones first, ``(M, 4, width)``."""
        return torch.cat([self.fixed_scores, self.scores])

    def all_mask_logits(self) -> torch.Tensor:
        """W of every motif, ``(M, width)``."""
        return torch.cat([self.fixed_mask_logits, self.mask_logits])

    def row(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Views of motif ``i``'s V ``(4, width)`` and W ``(width,)``, for initialising."""
        if i < self.fixed:
            return self.fixed_scores[i], self.fixed_mask_logits[i]
        return self.scores[i - self.fixed], self.mask_logits[i - self.fixed]

    def mask(self) -> torch.Tensor:
        """σ(W), ``(M, width)``. A plain function on the parameters, not on the input, so
        attribution methods have no nonlinearity to hook here."""
        return torch.sigmoid(self.all_mask_logits())

    def kernels(self) -> torch.Tensor:
        """The effective PSSMs ``V · σ(W)``, ``(M, 4, width)``."""
        return self.all_scores() * self.mask()[:, None, :]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, b = self.kernels(), self.bias
        if self.both_strands:
            k, b = torch.cat([k, k.flip(dims=(1, 2))]), torch.cat([b, b])
        short = k.shape[-1] - x.shape[-1]
        if short > 0:  # a sequence shorter than a motif: centred among unknown bases (N)
            x = nn.functional.pad(x, (short // 2, short - short // 2))
        return nn.functional.conv1d(x, k, b)


class MotifAttention(nn.Module):
    """Self-attention with the motif channels as tokens.

    Each channel's token is its activation profile max-pooled into ``bins`` stretches of the
    sequence, projected to ``dim``, plus a learned embedding of which motif it is. Shapes:
    ``(n, C, L') -> (n, C)``, one interaction-adjusted score per channel.
    """

    def __init__(self, channels: int, bins: int, dim: int, heads: int) -> None:
        super().__init__()
        self.profile = nn.AdaptiveMaxPool1d(bins)
        self.embed = nn.Linear(bins, dim)
        self.identity = nn.Parameter(torch.randn(channels, dim) * 0.02)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.score = nn.Linear(dim, 1)

    def forward(
        self, h: torch.Tensor, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        tokens = self.embed(self.profile(h)) + self.identity
        out, weights = self.attn(
            tokens, tokens, tokens, need_weights=return_weights, average_attn_weights=False
        )
        scores = self.score(out + tokens)[:, :, 0]
        return (scores, weights) if return_weights else scores


class MotifNet(SequenceModel):
    """Motif scan -> ReLU -> [self-attention across motifs] -> global max pool -> head.

    Input ``(n, 4, L)``, a sequence shorter than ``width`` read as centred among Ns; output
    ``(n, outputs)``. Receptive field of
    each motif = ``width``; with attention, the whole sequence.

    Args:
        motifs: M, the number of PSSMs (at least as many as the JASPAR matrices chosen).
        width: columns per PSSM; JASPAR matrices are centred in it, and of a wider one
            only the centre ``width`` columns are kept (:attr:`jaspar_choice` labels say
            so: ``MA0138.3 REST (...; centre 15 of 20 columns)``).
        both_strands: also scan the reverse complement of every motif.
        attention_heads: 0 = no attention; otherwise heads of self-attention across motifs.
        init: ``random`` or ``jaspar`` (V from the log-odds of the ``jaspar`` matrices).
        jaspar: TF names or matrix ids, e.g. ``["JUND", "MA0139.1"]``.
        jaspar_tax_group: which of a TF name's matrices to take (an id is always taken):
            ``auto``, ``all``, a JASPAR group such as ``vertebrates``, or None, every
            matrix of the name in any group or collection, as runs saved before this
            option were built (see :func:`models.jaspar_init.choose_jaspar`).
        freeze_motifs: keep the JASPAR-initialised V and mask fixed while training (the
            other motifs, and every motif's bias, still train).

    Attributes:
        names: one label per motif, ``MA0491.3 JUND`` where it started from a matrix (with
            the group outside vertebrates: ``MA2388.1 GATA1 (plants)``), else ``motif 3``.
        jaspar_choice: the :class:`~models.jaspar_init.JasparChoice` it started from (its
            species, what a name found but was left out), or None.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        motifs: int = 16,
        width: int = 15,
        both_strands: bool = True,
        attention_heads: int = 0,
        attention_dim: int = 32,
        attention_bins: int = 8,
        hidden: int = 32,
        dropout: float = 0.2,
        init: str = "random",
        jaspar: Sequence[str] = (),
        jaspar_tax_group: str | None = None,
        freeze_motifs: bool = False,
    ) -> None:
        super().__init__()
        if seq_len < width:
            raise ValueError(f"sequences ({seq_len} bp) must be at least the motif width {width}")
        if init not in ("random", "jaspar"):
            raise ValueError(f"init must be 'random' or 'jaspar', not {init!r}")
        if freeze_motifs and init != "jaspar":
            raise ValueError("freeze_motifs only makes sense with init='jaspar'")
        choice = (
            self._jaspar_matrices(list(jaspar), jaspar_tax_group, motifs)
            if init == "jaspar"
            else None
        )
        fixed = len(choice.motifs) if choice is not None and freeze_motifs else 0
        self.scan = MotifScan(motifs, width, both_strands, fixed)
        self.names = [f"motif {i + 1}" for i in range(motifs)]
        self.jaspar_choice = choice
        if choice is not None:
            self._init_jaspar(choice)
        channels = motifs * (2 if both_strands else 1)
        self.act = nn.ReLU()
        self.attention = (
            MotifAttention(channels, attention_bins, attention_dim, attention_heads)
            if attention_heads
            else None
        )
        self.gmax = GlobalMaxPool()
        self.drop = nn.Dropout(dropout)
        n_feat = channels * (2 if attention_heads else 1)
        self.head = DenseHead(n_feat, outputs, extras, hidden=hidden, dropout=dropout)

    @staticmethod
    def _jaspar_matrices(keys: list[str], tax_group: str | None, motifs: int) -> JasparChoice:
        if not keys:
            raise ValueError("init='jaspar' needs TF names or matrix ids in 'jaspar'")
        from genoviz.motifs import MotifError

        try:
            choice = choose_jaspar(keys, tax_group)
        except MotifError as e:
            raise ValueError(str(e)) from None
        n = len(choice.motifs)
        if n > motifs:
            raise ValueError(f"{n} JASPAR matrices need at least {n} motifs")
        return choice

    def _init_jaspar(self, choice: JasparChoice) -> None:
        from genoviz.motifs import log_odds

        width = self.scan.scores.shape[2]
        names = choice.names()
        with torch.no_grad():
            for i, motif in enumerate(choice.motifs):
                lo = log_odds(motif.pfm)
                if lo.shape[1] > width:  # keep the centre (the labels say so)
                    cut = (lo.shape[1] - width) // 2
                    lo = lo[:, cut : cut + width]
                start = (width - lo.shape[1]) // 2
                v, w = self.scan.row(i)
                v.zero_()
                v[:, start : start + lo.shape[1]] = torch.from_numpy(lo)
                w.fill_(MASK_OPEN)
                w[start : start + lo.shape[1]] = MASK_ON
                self.scan.bias[i] = 0.0
                self.names[i] = names[i]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Post-ReLU motif maps, ``(n, C, L - width + 1)``."""
        return self.act(self.scan(x))

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        h = self.features(x)
        feats = self.gmax(h)
        if self.attention is not None:
            feats = torch.cat([feats, self.attention(h)], dim=1)
        return self.head(self.drop(feats), extras)

    def motif_attention(self, x: torch.Tensor) -> torch.Tensor:
        """Attention weights across motif channels, ``(n, heads, C, C)``."""
        if self.attention is None:
            raise AttributeError("this motif-net was built without attention")
        _, weights = self.attention(self.features(x), return_weights=True)
        return weights.detach()

    def first_layer_filters(self) -> torch.Tensor:
        """Effective PSSMs ``V · σ(W)``, ``(M, 4, width)``."""
        return self.scan.kernels().detach()

    def motif_logos(self) -> MotifLogos:
        """The learned V and mask as PFMs (see :class:`MotifLogos`)."""
        k = self.scan.kernels().detach().double().cpu().numpy()
        p = 0.25 * np.exp2(k)
        return MotifLogos(
            pfms=p / p.sum(axis=1, keepdims=True),
            mask=self.scan.mask().detach().cpu().numpy(),
            scores=self.scan.all_scores().detach().cpu().numpy(),
            names=list(self.names),
        )
