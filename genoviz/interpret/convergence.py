"""Whether an attribution adds up: the contributions' sum against the output change
they explain (the convergence delta of :func:`~genoviz.interpret.attribution.attribute`),
as a share of that change, and the warning the page and the CLI show when it does not.
DeepLift cannot add up on a recurrent layer, whose gates captum does not hook."""

from __future__ import annotations

import numpy as np
from torch import nn

from genoviz.interpret.attribution import Attribution

#: A convergence gap above this share of the output change is said in a warning.
DELTA_WARN = 0.05


def deeplift_exact(model: nn.Module) -> bool:
    """Whether DeepLift's contributions add up exactly for ``model``: False when it holds
    a recurrent layer (``nn.LSTM``, ``nn.GRU``, ``nn.RNN``), whose gates captum cannot
    hook, so it passes gradients through them instead of DeepLift multipliers."""
    return not any(isinstance(m, nn.RNNBase) for m in model.modules())


def explained_change(r: Attribution) -> np.ndarray | None:
    """``f(x) - f(reference)`` per sequence, ``(n,)``, averaged over the references: what
    the contributions should add up to (their sum minus ``delta``); None for a method
    without a delta."""
    if r.delta is None:
        return None
    return np.nansum(r.attributions, axis=(1, 2)) - r.delta


def relative_delta(r: Attribution, floor: float = 1e-4) -> float | None:
    """How far the contributions miss the output change, as a share of that change:
    ``sum |delta| / sum |f(x) - f(reference)|`` over the sequences (0.81: the sums are off
    by 81 % of what they explain). None for a method without a delta.

    Pooled over the sequences, so one whose output barely moves does not dominate; the
    mean change is taken as at least ``floor`` (output units), so float rounding on a
    model whose output does not move is not read as a large share.
    """
    change = explained_change(r)
    if change is None or r.delta is None or len(change) == 0:
        return None
    gap = float(np.abs(r.delta).sum())
    return gap / max(float(np.abs(change).sum()), floor * len(change))


def delta_warning(r: Attribution, model: nn.Module | None = None) -> str | None:
    """A sentence for the user when the contributions do not add up to the output change:
    DeepLift on a model with an LSTM (``model``, the one explained), or any gap above
    :data:`DELTA_WARN` of the change; None when they add up."""
    share = relative_delta(r)
    off = f" (here they miss it by {share:.0%})" if share is not None else ""
    if r.method == "deeplift" and model is not None and not deeplift_exact(model):
        return (
            "DeepLift is approximate on this model: captum cannot apply its rules inside an "
            "LSTM, so the contributions do not add up to the output change"
            f"{off}. Integrated Gradients does add up on it."
        )
    if share is not None and share > DELTA_WARN:
        return (
            f"The contributions miss the output change by {share:.0%} of that change, so "
            "read the map as a ranking of bases, not as exact shares."
        )
    return None
