"""DNABERT's span masking for masked-token pretraining, and the options that set it.

Overlapping k-mers leak: a masked k-mer is spelled out by its two neighbours. So DNABERT
masks **contiguous spans of k tokens** around each sampled centre (offsets -2...+3 for
k = 6, -1...+1 for k = 3), on about 15% of the tokens, 20% late in the schedule, with the
80/10/10 replacement ([MASK] / random token / unchanged). Codon tokens do not overlap, so
``codon-bert`` masks single tokens. :class:`MaskConfig` also holds the options that cut the
corpus into chunks (:mod:`genoviz.pretrain_corpus`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import torch

from genoviz.tokens import MASK_ID
from models.bert import N_SPECIAL  # specials are never masked


@dataclass
class MaskConfig:
    """How tokens are masked; ``TrainConfig.mlm`` holds these keys.

    Attributes:
        rate: share of tokens masked (spans included), first part of the schedule.
        late_rate: share masked from ``late_after`` (fraction of the epochs) on.
        span: mask k contiguous tokens around each centre (DNABERT); False = single tokens
            (leaks for overlapping k-mers; kept for the demonstration).
        max_tokens: longest training chunk, [CLS] and [SEP] included.
        chunks_per_epoch: an epoch's sample of the training chunks, so a big corpus still
            gives a curve point every few seconds.
        view: ``codon-bert`` on ``codon-corpus``: ``codon`` sentences or ``parallel``
            (codons, [SEP], the protein's amino acids); ``-frame1`` / ``-frame2`` read the
            codons one or two bases late (the frame-shift control: the protein stays).
        species: pretrain on this species of a codon corpus only (one "language");
            None = every species pooled.
    """

    rate: float = 0.15
    late_rate: float = 0.20
    late_after: float = 0.8
    span: bool = True
    max_tokens: int = 128
    view: str = "codon"
    species: str | None = None
    #: Train chunks drawn (without replacement) per epoch; None = all of them.
    chunks_per_epoch: int | None = 512
    #: Validation and test each use at most this many chunks (a seeded sample).
    max_eval_chunks: int = 512

    def rate_at(self, epoch: int, epochs: int) -> float:
        """The masking rate of 1-based ``epoch``: ``late_rate`` for the epochs that start
        at or past ``late_after`` of the schedule, so never more than the last 20% of a
        run (a 1-epoch run masks 15% throughout; it had masked 20% throughout)."""
        return self.late_rate if epoch - 1 >= self.late_after * epochs - 1e-9 else self.rate


def span_offsets(k: int) -> range:
    """Token offsets masked around a centre: -2..+3 for k = 6, -1..+1 for k = 3."""
    return range(-((k - 1) // 2), k // 2 + 1)


def centre_probability(rate: float, span: int) -> float:
    """Per-token centre probability whose spans cover ``rate`` of the tokens on average
    (DNABERT's script passes it directly: 0.025 for k = 6, about 14% masked)."""
    return 1.0 - (1.0 - rate) ** (1.0 / span)


class Masked(NamedTuple):
    inputs: torch.Tensor  # (n, T) ids with masks applied
    labels: torch.Tensor  # (n, T) original ids at masked positions, -100 elsewhere


def mask_tokens(
    ids: torch.Tensor,
    rate: float,
    offsets: Sequence[int],
    vocab_size: int,
    generator: torch.Generator,
) -> Masked:
    """Mask spans (``offsets`` around sampled centres) over the non-special tokens.

    Args:
        ids: token ids ``(n, T)``; specials (id < 5) are never masked.
        offsets: ``span_offsets(k)`` for spans, ``[0]`` for single tokens.
    """
    maskable = ids >= N_SPECIAL
    p = centre_probability(rate, len(offsets))
    centres = (torch.rand(ids.shape, generator=generator) < p) & maskable
    masked = torch.zeros_like(centres)
    T = ids.shape[1]
    for o in offsets:  # shift the centres by each offset (no wrap-around)
        if o >= 0:
            masked[:, o:] |= centres[:, : T - o]
        else:
            masked[:, :o] |= centres[:, -o:]
    masked &= maskable
    labels = torch.where(masked, ids, torch.full_like(ids, -100))
    u = torch.rand(ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[masked & (u < 0.8)] = MASK_ID
    swap = masked & (u >= 0.8) & (u < 0.9)
    rand = torch.randint(N_SPECIAL, vocab_size, ids.shape, generator=generator)
    inputs[swap] = rand[swap]
    return Masked(inputs, labels)
