"""Let one-hot analyses (ISM, variants) run on models that read tokens (the BERTs).

ISM and variant scoring only need forward passes on mutated sequences, so a token model is
wrapped in a module that turns one-hot ``(n, 4, L)`` back into sequences and tokenises
them with the model's own ``encode``. Gradient methods do not go through here: for
``kmer-bert`` they use layer integrated gradients on the embeddings
(:mod:`~genoviz.interpret.kmer_attribution`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

_BASES = np.array(list("ACGT"))


def onehot_to_strings(x: torch.Tensor) -> list[str]:
    """One-hot ``(n, 4, L)`` to DNA strings (an all-zero column is ``N``)."""
    arr = x.detach().cpu().numpy()
    letters = _BASES[arr.argmax(axis=1)]
    letters[arr.sum(axis=1) == 0] = "N"
    return ["".join(row) for row in letters]


class OneHotAdapter(nn.Module):
    """``forward(x_onehot, extras)`` for a token model: decode, tokenise, forward."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.train(model.training)  # a fresh Module is in training mode: follow the model's

    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        device = next(self.model.parameters()).device
        ids = torch.from_numpy(self.model.encode(onehot_to_strings(x))).to(device)
        return self.model(ids, extras)


def reads_tokens(model: nn.Module) -> bool:
    """True for a model that reads token ids (its ``kind`` is ``"token"``: the BERTs).

    Not ``hasattr(model, "encode")``: the autoencoder has an ``encode`` too (one-hot to
    its latent map), and wrapping it would hand its convolutions a list of strings."""
    return getattr(model, "kind", None) == "token"


def as_onehot_model(model: nn.Module) -> nn.Module:
    """``model`` itself when it reads one-hot, else a :class:`OneHotAdapter` around it."""
    return OneHotAdapter(model) if reads_tokens(model) else model


def class_score(out: torch.Tensor, target: int, softmax: bool = False) -> torch.Tensor:
    """Column ``target`` of a model's outputs ``(n, outputs)``, as float.

    With ``softmax`` (a multi-class model's logits) the class's log-probability instead:
    one class's raw logit can rise while its probability falls, when another class's
    rises more, so effects read on it could point the wrong way."""
    out = out.float()
    return (torch.log_softmax(out, dim=1) if softmax else out)[:, target]


def centred(z: torch.Tensor) -> torch.Tensor:
    """Logits ``(n, classes)`` minus their mean over the classes (see :class:`CentredLogits`)."""
    return z - z.mean(dim=1, keepdim=True)


class CentredLogits(nn.Module):
    """A multi-class model's logits minus their mean over the classes (DeepLIFT's
    adjustment for softmax outputs, Shrikumar et al. 2017, section 3.6).

    Softmax ignores a shift shared by every class, so a base that raises every logit alike
    changes no probability; explaining the centred logit removes that shared part. It is
    linear in the logits, so attributions still add up exactly (DeepLift, Integrated
    Gradients) and strand averaging still commutes with it."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.strand_average = bool(getattr(model, "strand_average", False))
        self.train(model.training)

    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        return centred(self.model(x, extras))

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        fs = getattr(self.model, "forward_strand", None)
        return centred(fs(x, extras) if fs is not None else self.model(x, extras))
