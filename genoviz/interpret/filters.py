"""First-layer filters as motifs, the field's way (DeepBind, Basset).

For each filter, every window of the input whose activation exceeds ``threshold`` times
the filter's largest activation over the data set counts as a site; the sites' bases make
a position frequency matrix (PFM), drawn as an information-content logo. Raw weights are
harder to read: they are not probabilities and their scale is arbitrary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from genoviz.motifs import counts_to_pfm


class FilterError(ValueError):
    """A model without a first convolution, or unusable input."""


@dataclass
class FilterMotifs:
    """Motifs of ``k`` first-layer filters of width ``w``.

    Attributes:
        pfms: ``(k, 4, w)``, columns sum to 1 (uniform for a filter without sites).
        counts: ``(k, 4, w)`` base counts over the sites.
        n_sites: ``(k,)`` windows above the threshold per filter.
        max_activation: ``(k,)`` each filter's largest activation over the data.
        threshold: the fraction of ``max_activation`` a window had to reach.
    """

    pfms: np.ndarray
    counts: np.ndarray
    n_sites: np.ndarray
    max_activation: np.ndarray
    threshold: float


def filter_label(index: int) -> str:
    """A filter's name for people, from its 0-based ``index`` in the model: ``filter 1`` is
    index 0. Every title, table and file numbers filters from 1, as it numbers positions."""
    return f"filter {index + 1}"


def has_filters(model: nn.Module) -> bool:
    """True when the model has a ``Conv1d`` whose filters :func:`filter_motifs` can read."""
    return any(isinstance(m, nn.Conv1d) for m in model.modules())


def first_conv(model: nn.Module) -> nn.Conv1d:
    """The model's first ``nn.Conv1d`` (the one reading the one-hot input)."""
    for m in model.modules():
        if isinstance(m, nn.Conv1d):
            return m
    raise FilterError("this model has no convolution, so it has no filters to show")


def first_layer_activations(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Post-ReLU first-layer maps ``(n, k, L')``, in :meth:`first_layer_filters` order.

    Uses ``model.first_layer_activations`` when the model has it (the CNN ensemble
    stacks its members), else the first convolution's output through a ReLU.
    """
    if hasattr(model, "first_layer_activations"):
        return model.first_layer_activations(x)
    conv = first_conv(model)
    return torch.relu(conv(x))


def _left_pad(conv: nn.Conv1d) -> int:
    """Input positions before output position 0's window starts (its left padding)."""
    k = conv.kernel_size[0] * conv.dilation[0] - (conv.dilation[0] - 1)
    if conv.padding == "same":
        return (k - 1) // 2
    if conv.padding == "valid":
        return 0
    return int(conv.padding[0])


@torch.no_grad()
def filter_motifs(
    model: nn.Module,
    x: torch.Tensor | np.ndarray,
    threshold: float = 0.5,
    batch_size: int = 512,
    progress: Callable[[float], None] | None = None,
) -> FilterMotifs:
    """PFMs of the first-layer filters from their activating windows.

    Args:
        x: one-hot, shape ``(n, 4, L)``: the sequences to collect windows from.
        threshold: a window counts when its activation is above ``threshold`` x the
            filter's maximum over ``x`` (Basset used 0.5).
    """
    if not 0.0 <= threshold < 1.0:
        raise FilterError(f"threshold must be in [0, 1), not {threshold}")
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).float()
    if x.ndim != 3 or x.shape[1] != 4 or len(x) == 0:
        raise FilterError(f"expected one-hot sequences (n, 4, L), got {tuple(x.shape)}")
    conv = first_conv(model)
    if conv.in_channels != 4 or conv.stride[0] != 1:
        raise FilterError("the first convolution does not read one-hot DNA base by base")
    w = conv.kernel_size[0]
    left = _left_pad(conv)
    was_training = model.training
    model.eval()
    try:
        batches = range(0, len(x), batch_size)
        maxima = None
        for s in batches:  # pass 1: each filter's maximum over the data
            a = first_layer_activations(model, x[s : s + batch_size]).amax(dim=(0, 2))
            maxima = a if maxima is None else torch.maximum(maxima, a)
            if progress is not None:
                progress(0.5 * min(1.0, (s + batch_size) / len(x)))
        k = len(maxima)
        counts = torch.zeros(k, 4, w, dtype=torch.float64)
        n_sites = torch.zeros(k, dtype=torch.long)
        cut = threshold * maxima
        for s in batches:  # pass 2: count the bases of every window above the cut
            xb = x[s : s + batch_size]
            act = first_layer_activations(model, xb)  # (b, k, L')
            length = act.shape[2]
            pad = F.pad(xb, (left, max(0, length + w - 1 - left - xb.shape[2])))
            windows = pad.unfold(2, w, 1)[:, :, :length]  # (b, 4, L', w)
            hit = (act > cut[None, :, None]) & (maxima[None, :, None] > 0)
            hits = hit.double()
            counts += torch.einsum("bkl,bclw->kcw", hits, windows.double())
            n_sites += hit.sum(dim=(0, 2))
            if progress is not None:
                progress(0.5 + 0.5 * min(1.0, (s + batch_size) / len(x)))
    finally:
        model.train(was_training)
    counts_np = counts.numpy()
    pfms = np.stack([counts_to_pfm(c) for c in counts_np])
    return FilterMotifs(
        pfms=pfms,
        counts=counts_np,
        n_sites=n_sites.numpy(),
        max_activation=maxima.numpy(),
        threshold=threshold,
    )


def filter_pfms(model: nn.Module, x: torch.Tensor, threshold: float = 0.5) -> np.ndarray:
    """PFMs of the first-layer filters, ``(filters, 4, width)``; see :func:`filter_motifs`
    for the site counts too."""
    return filter_motifs(model, x, threshold).pfms
