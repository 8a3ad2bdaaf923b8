"""First-layer filters as position frequency matrices (the classic "filter logo").

For each filter, collect every window of the input where the filter's activation exceeds
``threshold`` times its largest activation over the whole input, and average the one-hot
of those windows. The result reads like a motif: which bases sit under the filter when it
fires (Alipanahi et al. 2015, DeepBind; Kelley et al. 2016, Basset).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def first_conv(model: nn.Module) -> nn.Conv1d:
    """The model's first ``nn.Conv1d`` (in module order).

    Raises:
        ValueError: the model has no convolution.
    """
    for m in model.modules():
        if isinstance(m, nn.Conv1d):
            return m
    raise ValueError(f"{type(model).__name__} has no convolution layer, so no filters to show")


def filter_activations(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """First-layer pre-activations at every full window (no padding).

    Args:
        x: one-hot, shape ``(n, 4, L)``.

    Returns:
        shape ``(n, filters, L - width + 1)``.
    """
    conv = first_conv(model)
    w = conv.weight.detach().float().cpu()
    b = conv.bias.detach().float().cpu() if conv.bias is not None else None
    with torch.no_grad():
        return torch.nn.functional.conv1d(x.float().cpu(), w, b)


def filter_pfms(model: nn.Module, x: torch.Tensor, threshold: float = 0.5) -> np.ndarray:
    """One PFM per first-layer filter from the windows where it fires.

    Args:
        model: any model with a first ``nn.Conv1d`` taking 4 channels.
        x: one-hot, shape ``(n, 4, L)``, e.g. a few hundred positive sequences.
        threshold: a window counts when its activation exceeds ``threshold`` times the
            filter's maximum over ``x`` (and the maximum is positive).

    Returns:
        float64, shape ``(filters, 4, width)``, rows A, C, G, T; each column sums to 1
        (N positions count as nothing). A filter that never fires gets 0.25 everywhere.
    """
    act = filter_activations(model, x)  # (n, F, P)
    n_filters, width = act.shape[1], first_conv(model).kernel_size[0]
    windows = x.float().cpu().unfold(2, width, 1)  # (n, 4, P, width)
    out = np.full((n_filters, 4, width), 0.25)
    for f in range(n_filters):
        a = act[:, f, :]
        top = float(a.max()) if a.numel() else 0.0
        if top <= 0:
            continue
        seq_idx, pos_idx = torch.nonzero(a > threshold * top, as_tuple=True)
        counts = windows[seq_idx, :, pos_idx, :].sum(dim=0).double().numpy()  # (4, width)
        totals = counts.sum(axis=0, keepdims=True)
        out[f] = np.where(totals > 0, counts / np.maximum(totals, 1e-12), 0.25)
    return out
