"""What a model reads in training: token ids, and the train split's batches on the device."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from genoviz.data import Dataset
from genoviz.sequences import pad_or_trim, reverse_complement


def token_inputs(
    model: nn.Module, dataset: Dataset, seq_len: int | None, rc: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Token ids ``(n, T)`` for a token model, and those of the reverse complements when
    ``rc`` (strand augmentation on the string: token ids cannot simply be flipped)."""
    seqs = pad_or_trim(dataset.sequences, seq_len) if seq_len else list(dataset.sequences)
    x = model.encode(seqs)
    if not rc:
        return torch.from_numpy(x), None
    x_rc = model.encode([reverse_complement(s) for s in seqs])
    width = max(x.shape[1], x_rc.shape[1])
    pad = [np.pad(a, ((0, 0), (0, width - a.shape[1]))) for a in (x, x_rc)]
    return torch.from_numpy(pad[0]), torch.from_numpy(pad[1])


#: A training split up to this size lives on the GPU while training; a bigger one stays in
#: host memory and each batch is copied over.
RESIDENT_BYTES = 2**30


@dataclass
class TrainSplit:
    """The training split's tensors, and how one batch of it reaches the device."""

    x: torch.Tensor
    y: torch.Tensor
    w: torch.Tensor
    e: torch.Tensor | None
    #: Token models with strand augmentation: the reverse complements' own ids.
    x_rc: torch.Tensor | None
    #: One-hot models with strand augmentation: flip half of each batch.
    flip: bool
    device: torch.device

    @classmethod
    def of(cls, idx, x, y, w, e, x_rc, flip: bool, device: torch.device) -> TrainSplit:
        parts = [t[idx] if t is not None else None for t in (x, y, w, e, x_rc)]
        size = sum(t.nbytes for t in parts if t is not None)
        # On a GPU the split is copied over once when it fits: per-batch copies from host
        # memory are synchronous (rows indexed out of a pinned tensor are not pinned).
        home = device if size <= RESIDENT_BYTES else torch.device("cpu")
        x, y, w, e, x_rc = (t.to(home) if t is not None else None for t in parts)
        return cls(x, y, w, e, x_rc, flip, device)

    def batch(self, bi: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """``(x, y, w, extras)`` of the rows ``bi``, on the device; half of them on the
        other strand when augmenting (batches are shuffled, so each sequence lands on a
        random strand each epoch)."""
        bi = bi.to(self.x.device)
        xb = self.x[bi].to(self.device)  # a fresh copy: safe to edit
        h = len(bi) // 2
        if self.x_rc is not None:  # tokens: the reverse complement's own k-mers
            xb[:h] = self.x_rc[bi[:h]].to(self.device)
        elif self.flip:
            xb[:h] = xb[:h].flip(dims=(1, 2))
        yb = self.y[bi].to(self.device)
        wb = self.w[bi].to(self.device)
        eb = self.e[bi].to(self.device) if self.e is not None else None
        return xb, yb, wb, eb
