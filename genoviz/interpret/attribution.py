"""Saliency maps with captum: which bases drive a prediction.

Methods: Integrated Gradients, DeepLift (averaged over several references, that is
DeepLiftShap), Saliency, InputXGradient, GradientShap and Occlusion. Baselines
(references, :mod:`~genoviz.interpret.references`): all zeros, uniform 0.25, or
dinucleotide-shuffled copies of each sequence (tangermeme's shuffle), averaged over
``n_shuffles`` references: the field's standard, since a shuffle keeps the composition
that an all-zero input lacks. Integrated Gradients on the ``cnn`` ensemble takes an exact
shortcut through its first layer's linearity
(:mod:`~genoviz.interpret.fast_ig`).

Strand-averaging models (``model.strand_average``) evaluate their trunk twice, which
breaks DeepLift's "each module used once" rule. Their output is
``0.5 * (f(x) + f(rc(x)))``, so attributions are computed for ``f`` on each strand and
the reverse strand's map is flipped back: exact for every method here, since they are
all linear in the output function.

DeepLift's contributions add up to ``f(x) - f(reference)`` only where captum has a rule for
every nonlinearity: convolutions, dense layers, ReLUs, sigmoids and max pools. It cannot
hook the gates inside an ``nn.LSTM`` (``bilstm``, ``danq``), so there it is approximate
(:func:`deeplift_exact`); :func:`relative_delta` measures the gap against the change
explained and :func:`delta_warning` says when it is too large to read the map as shares.

This module holds :func:`attribute` and its :class:`Attribution` result: the inputs, the
references, the batches, both strands and the contributions. The methods' names and how
each runs through captum are in :mod:`~genoviz.interpret.attribution_methods`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from genoviz.interpret import fast_ig
from genoviz.interpret.adapters import CentredLogits
from genoviz.interpret.attribution_methods import (
    ALIASES,
    METHODS,
    SUMS_TO_CHANGE,
    USES_BASELINE,
    Method,
    one_strand_attr,
)
from genoviz.interpret.references import (
    BASELINES,
    AttributionError,
    BaselineKind,
    ShuffleError,
    dinucleotide_shuffles,
    references,
)
from genoviz.onehot import one_hot
from models.layers import reverse_complement


@dataclass
class Attribution:
    """Attributions for ``n`` sequences of length ``L``.

    Attributes:
        attributions: raw captum attributions, shape ``(n, 4, L)``.
        contributions: ``(n, 4, L)``, non-zero only at the observed base: the logo
            heights. For methods that compare with a reference, each position's
            attributions summed over the 4 channels (with a shuffled or uniform reference
            the absent bases carry part of the change), spread evenly over the 4 rows at
            an N; for Saliency and Occlusion, attribution x input.
        per_base: ``contributions`` summed over the channels, ``(n, L)``: the track. For
            Integrated Gradients and DeepLift it adds up to ``f(x) - f(reference)`` plus
            ``delta`` (see :func:`relative_delta`).
        delta: convergence delta per sequence, ``(n,)`` (sum of attributions minus
            ``f(x) - f(baseline)``, averaged over references), or None for methods
            without one.
        outputs: the model output being explained, ``(n,)`` (logit for classifiers; a
            multi-class model's centred logit with ``softmax``).

    Sequences of different lengths are each read as they are: the maps are as long as
    the longest, NaN past each shorter sequence's last base.
    """

    attributions: np.ndarray
    contributions: np.ndarray
    per_base: np.ndarray
    delta: np.ndarray | None
    outputs: np.ndarray
    method: str
    baseline: str
    target: int


def _by_length(
    seqs: list[str],
    one_length: Callable[[list[int]], Attribution],
    progress: Callable[[float], None] | None,
) -> Attribution:
    """Attribute sequences of several lengths one length at a time (a one-hot model that
    reads any length): maps as long as the longest, NaN past each shorter sequence's end,
    as a BERT's are."""
    n, width = len(seqs), max(len(s) for s in seqs)
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(seqs):
        groups.setdefault(len(s), []).append(i)
    attributions = np.full((n, 4, width), np.nan, np.float32)
    contributions = np.full((n, 4, width), np.nan, np.float32)
    per_base = np.full((n, width), np.nan, np.float32)
    outputs = np.zeros(n, np.float32)
    delta: np.ndarray | None = np.zeros(n, np.float32)
    done, r = 0, None
    for length, idx in groups.items():
        r = one_length(idx)
        attributions[idx, :, :length] = r.attributions
        contributions[idx, :, :length] = r.contributions
        per_base[idx, :length] = r.per_base
        outputs[idx] = r.outputs
        if r.delta is None:  # a method without one: none for any length
            delta = None
        elif delta is not None:
            delta[idx] = r.delta
        done += len(idx)
        if progress is not None:
            progress(done / n)
    assert r is not None
    return Attribution(
        attributions, contributions, per_base, delta, outputs, r.method, r.baseline, r.target
    )


class _OneStrand(nn.Module):
    """The model's single-strand function, so every module runs once per forward pass."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        fs = getattr(self.model, "forward_strand", None)
        return fs(x, extras) if fs is not None else self.model(x, extras)


def attribute(
    model: nn.Module,
    x: torch.Tensor | np.ndarray | list[str],
    method: Method = "integrated_gradients",
    target: int = 0,
    baseline: BaselineKind = "shuffle",
    n_shuffles: int = 10,
    n_steps: int = 50,
    extras: torch.Tensor | np.ndarray | None = None,
    batch_size: int = 128,
    internal_batch_size: int | None = None,
    occlusion_window: int = 5,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    fast: bool = True,
    softmax: bool = False,
) -> Attribution:
    """Attribute the model output ``target`` to the bases of each sequence.

    A ``kmer-bert`` or ``codon-bert`` gets layer integrated gradients on its token
    embeddings, spread back to bases (:mod:`genoviz.interpret.kmer_attribution`); other
    methods refuse them.

    Args:
        x: one-hot, shape ``(n, 4, L)``, or a list of cleaned sequences, each read as it is
            (no N padding; a one-hot model must then read any length): the maps are as
            long as the longest, NaN past a shorter sequence's end.
        target: output column to explain (the task or class index; 0 for one output).
        baseline: ``shuffle`` (``n_shuffles`` dinucleotide shuffles per sequence,
            attributions averaged), ``zeros`` or ``uniform``.
        n_steps: integration steps for Integrated Gradients.
        extras: ``(n, e)`` extra inputs for models trained with them (not attributed).
        batch_size: sequences per call; results do not depend on it.
        internal_batch_size: IG's batch of interpolated inputs (bounds memory on long inputs).
        occlusion_window: width of the occluded window in bp.
        progress: called with the fraction done after each batch.
        fast: Integrated Gradients on the ``cnn`` ensemble through its first layer's
            linearity (exact; see :mod:`~genoviz.interpret.fast_ig`); False runs captum.
        softmax: the outputs are a multi-class model's logits: explain the class's logit
            minus the mean logit (:class:`~genoviz.interpret.adapters.CentredLogits`),
            since softmax ignores what raises every logit alike.
    """
    method = ALIASES.get(method, method)
    if method not in METHODS:
        raise AttributionError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    from genoviz.interpret.kmer_attribution import is_token_bert, token_attribute

    e = None if extras is None else torch.as_tensor(np.asarray(extras, dtype=np.float32))
    ig = {
        "n_steps": n_steps,
        "extras": e,
        "internal_batch_size": internal_batch_size,
        "softmax": softmax,
    }
    if isinstance(x, list | tuple):  # cleaned sequences
        if is_token_bert(model):  # read as they are: no N padding
            return token_attribute(model, x, method, target, **ig)
        if len({len(s) for s in x}) > 1:  # each length on its own, as predict scores them
            return _by_length(
                list(x),
                lambda idx: attribute(
                    model, [x[i] for i in idx], method, target, baseline, n_shuffles, n_steps,
                    None if extras is None else np.asarray(extras)[idx], batch_size,
                    internal_batch_size, occlusion_window, seed, None, fast, softmax,
                ),
                progress,
            )  # fmt: skip
        x = one_hot(list(x))
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).float()
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1] != 4:
        raise AttributionError(f"expected one-hot input of shape (n, 4, L), got {tuple(x.shape)}")
    if is_token_bert(model):
        return token_attribute(model, x, method, target, **ig)
    plain = model
    use_fast_ig = fast and method == "integrated_gradients" and fast_ig.supports(plain)
    if softmax:
        model = CentredLogits(model)
    kind = baseline if method in USES_BASELINE else "zeros"
    refs = references(x, kind, n_shuffles, seed) if method in USES_BASELINE else x[:, None] * 0
    net = _OneStrand(model)
    both = bool(getattr(model, "strand_average", False)) and hasattr(model, "forward_strand")

    def shortcut(xs, rs, es, t):
        return fast_ig.integrated_gradients(plain, xs, rs, t, es, n_steps, internal_batch_size)

    def one_strand(xs, rs, es):
        if use_fast_ig and softmax:
            # IG is linear in the output explained: IG of z_t - mean(z) is IG_t minus the
            # mean of every class's IG, each through the exact shortcut
            parts = [shortcut(xs, rs, es, j) for j in range(n_outputs)]
            mean_a = sum(a for a, _ in parts) / n_outputs
            mean_d = sum(d for _, d in parts) / n_outputs
            return parts[target][0] - mean_a, parts[target][1] - mean_d
        if use_fast_ig:
            return shortcut(xs, rs, es, target)
        opts = (target, es, n_steps, internal_batch_size, occlusion_window, seed)
        return one_strand_attr(net, method, xs, rs, *opts)

    was_training = model.training
    model.eval()
    attrs, deltas, outs = [], [], []
    try:
        with torch.no_grad():
            probe = net(x[:1], None if e is None else e[:1])
        n_outputs = probe.shape[1]
        if not 0 <= target < n_outputs:
            raise AttributionError(
                f"target {target} does not exist: the model has {n_outputs} output(s)"
            )
        for s in range(0, len(x), batch_size):
            xb, rb = x[s : s + batch_size], refs[s : s + batch_size]
            eb = None if e is None else e[s : s + batch_size]
            with warnings.catch_warnings():
                # captum's notes that it set requires_grad and hooks: expected here
                warnings.simplefilter("ignore", UserWarning)
                a, d = one_strand(xb, rb, eb)
                if both:
                    a_rc, d_rc = one_strand(reverse_complement(xb), rb.flip(dims=(2, 3)), eb)
            if both:
                a = 0.5 * (a + reverse_complement(a_rc))
                d = None if d is None else 0.5 * (d + d_rc)
            attrs.append(a.detach())
            if d is not None:
                deltas.append(d)
            with torch.no_grad():
                outs.append(model(xb, eb)[:, target].float())
            if progress is not None:
                progress(min(1.0, (s + len(xb)) / len(x)))
    finally:
        model.train(was_training)
    attr = torch.cat(attrs).numpy()
    onehot = x.numpy()
    if method in SUMS_TO_CHANGE:
        # (x - b) x gradient is non-zero at the absent bases too when the reference is a
        # shuffle or uniform: the position's share is its sum over the channels, shown
        # on the observed base ("actual contributions", as DeepLIFT and TF-MoDISco take
        # them), so the track and logo add up to f(x) - f(reference)
        per_base = attr.sum(axis=1)
        contrib = onehot * per_base[:, None, :]
        unknown = onehot.sum(axis=1, keepdims=True) == 0  # N: no observed base to carry it
        contrib = contrib + unknown * per_base[:, None, :] / 4
    else:  # gradients (Saliency), and Occlusion's per-window change spread over 4 rows
        contrib = attr * onehot
        per_base = contrib.sum(axis=1)
    return Attribution(
        attributions=attr,
        contributions=contrib,
        per_base=per_base,
        delta=torch.cat(deltas).numpy() if deltas else None,
        outputs=torch.cat(outs).numpy(),
        method=method,
        baseline=kind if method in USES_BASELINE else "none",
        target=target,
    )


def integrated_gradients(model: nn.Module, x: torch.Tensor, **kw) -> Attribution:
    """:func:`attribute` with Integrated Gradients."""
    return attribute(model, x, method="integrated_gradients", **kw)


def deeplift(model: nn.Module, x: torch.Tensor, **kw) -> Attribution:
    """:func:`attribute` with DeepLift."""
    return attribute(model, x, method="deeplift", **kw)


__all__ = [
    "BASELINES",
    "Attribution",
    "AttributionError",
    "BaselineKind",
    "ShuffleError",
    "attribute",
    "deeplift",
    "dinucleotide_shuffles",
    "integrated_gradients",
    "references",
]
