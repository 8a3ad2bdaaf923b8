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
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from genoviz.interpret import fast_ig
from genoviz.interpret.adapters import CentredLogits
from genoviz.interpret.references import (
    BASELINES,
    AttributionError,
    BaselineKind,
    ShuffleError,
    dinucleotide_shuffles,
    references,
    sequence_seed,
)
from genoviz.onehot import one_hot
from models.layers import GlobalMaxPool, reverse_complement

Method = Literal[
    "integrated_gradients",
    "deeplift",
    "saliency",
    "input_x_gradient",
    "gradient_shap",
    "occlusion",
]

METHODS: dict[str, str] = {
    "integrated_gradients": "Integrated Gradients",
    "deeplift": "DeepLift",
    "saliency": "Saliency (gradient)",
    "input_x_gradient": "Input x Gradient",
    "gradient_shap": "GradientShap",
    "occlusion": "Occlusion",
}
#: Methods that compare against a reference input.
USES_BASELINE = frozenset({"integrated_gradients", "deeplift", "gradient_shap", "occlusion"})
#: Methods whose attributions should add up to f(x) - f(baseline) (captum reports the
#: gap): Integrated Gradients up to its integration error, DeepLift exactly on a model
#: without recurrent layers (:func:`deeplift_exact`).
HAS_DELTA = frozenset({"integrated_gradients", "deeplift"})
#: Names that :func:`attribute` takes for another method. DeepLift against several
#: references (shuffles), averaged, is DeepLiftShap: listing both gave two menu entries
#: whose maps were always identical.
ALIASES = {"deeplift_shap": "deeplift"}
#: Methods whose attributions are (x - reference) x a gradient, summing to the change in
#: output (exactly or in expectation): a position's share is the sum over its channels.
SUMS_TO_CHANGE = HAS_DELTA | {"gradient_shap", "input_x_gradient"}


_HOOKS = threading.Lock()


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


def _global_max_rule(module, inputs, outputs, grad_input, grad_output, eps=1e-10):
    """DeepLift multipliers for :class:`GlobalMaxPool`, captum's max-pool rule with the
    window spanning the sequence: the output change is credited to the positions of the
    input's and the reference's maxima, so contributions add up exactly."""
    with torch.no_grad():
        x, ref = module.input.chunk(2)
        out, out_ref = outputs.chunk(2)
        cross = torch.maximum(out, out_ref)
        delta_out = torch.cat([cross - out_ref, out - cross])
        idx = module.input.argmax(dim=-1, keepdim=True)
        spread = torch.zeros_like(module.input).scatter(
            -1, idx, (grad_output * delta_out).unsqueeze(-1)
        )
        a, b = spread.chunk(2)
        spread = torch.cat(2 * [a + b])
        delta_in = torch.cat(2 * [x - ref])
    return torch.where(delta_in.abs() < eps, grad_input, spread / delta_in)


def _register_deeplift_rules() -> None:
    """Teach captum's DeepLift the genoviz global max pool (it knows only nn.MaxPool*)."""
    from captum.attr._core import deep_lift

    deep_lift.SUPPORTED_NON_LINEAR.setdefault(GlobalMaxPool, _global_max_rule)


@contextmanager
def _fresh_nonlinear_inputs(net: nn.Module) -> Iterator[None]:
    """Give every nonlinearity DeepLift hooks its own input tensor while attributing.

    captum hooks a nonlinearity's input and output tensors. When one nonlinearity feeds
    another directly (ReLU -> global max pool, where eval-mode dropout passes the same
    tensor on), both hooks sit on one tensor and the ReLU reads the gradient *before* the
    max-pool rule rewrites it, so contributions stop adding up (a gap of 0.1-0.3 logits
    on the default CNN with shuffled references). A copy in between keeps them apart.
    """
    from captum.attr._core import deep_lift

    handles = [
        m.register_forward_pre_hook(lambda _m, inp: tuple(t * 1.0 for t in inp))
        for m in net.modules()
        if type(m) in deep_lift.SUPPORTED_NON_LINEAR
    ]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def _gradient_shap(
    net: nn.Module,
    x: torch.Tensor,
    refs: torch.Tensor,
    target: int,
    extras: torch.Tensor | None,
    n_samples: int,
    seed: int,
) -> torch.Tensor:
    """GradientShap (expected gradients), sequence by sequence: the mean over
    ``n_samples`` draws of grad f(r + a(x - r)) * (x - r), with the reference r drawn from
    that sequence's own references and a ~ U(0, 1).

    captum's GradientShap pools the references of the whole batch into one background and
    draws with torch's global generator: a sequence's map then depended on the sequences
    explained beside it, and seeding that generator reset it under trainings running in
    other threads. Here each sequence draws from its own generator, seeded by ``seed``
    and the sequence itself."""
    m, k = refs.shape[:2]
    picks, alphas = [], []
    for i in range(m):
        gen = torch.Generator().manual_seed(sequence_seed(x[i], seed) % 2**63)
        picks.append(torch.randint(k, (n_samples,), generator=gen))
        alphas.append(torch.rand(n_samples, generator=gen))
    pick, alpha = torch.stack(picks), torch.stack(alphas)  # (m, n_samples)
    rows = torch.arange(m)
    total = torch.zeros_like(x)
    for s in range(n_samples):
        r = refs[rows, pick[:, s]]
        a = alpha[:, s].view(m, 1, 1)
        point = (r + a * (x - r)).detach().requires_grad_(True)
        out = net(point, extras) if extras is not None else net(point)
        (grad,) = torch.autograd.grad(out[:, target].sum(), point)
        total += grad * (x - r)
    return total / n_samples


def _one_strand_attr(
    net: nn.Module,
    method: str,
    x: torch.Tensor,
    refs: torch.Tensor,
    target: int,
    extras: torch.Tensor | None,
    n_steps: int,
    internal_batch_size: int | None,
    window: int,
    seed: int,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Attributions ``(m, 4, L)`` and deltas ``(m,)`` (or None) for one strand function,
    averaged over the ``k`` references in ``refs`` ``(m, k, 4, L)``."""
    import captum.attr as ca

    args = (extras,) if extras is not None else None
    k = refs.shape[1]
    if method in ("saliency", "input_x_gradient"):
        cls = ca.Saliency if method == "saliency" else ca.InputXGradient
        kw = {"abs": False} if method == "saliency" else {}
        return cls(net).attribute(x, target=target, additional_forward_args=args, **kw), None
    if method == "gradient_shap":
        return _gradient_shap(net, x, refs, target, extras, max(k, 5), seed), None
    total, total_delta = torch.zeros_like(x), torch.zeros(len(x))
    for j in range(k):
        b = refs[:, j].contiguous()
        if method == "integrated_gradients":
            attr, delta = ca.IntegratedGradients(net).attribute(
                x,
                baselines=b,
                target=target,
                additional_forward_args=args,
                n_steps=n_steps,
                internal_batch_size=internal_batch_size,
                return_convergence_delta=True,
            )
        elif method == "deeplift":
            # DeepLiftShap is DeepLift averaged over a distribution of references; here
            # each sequence brings its own (its shuffles), which captum's DeepLiftShap
            # cannot take (it shares one set across the batch), so the average is taken here.
            _register_deeplift_rules()
            # captum hooks the model's modules: two DeepLifts at once on one shared
            # (cached) model would read each other's stored activations
            with _HOOKS, _fresh_nonlinear_inputs(net):
                attr, delta = ca.DeepLift(net).attribute(
                    x,
                    baselines=b,
                    target=target,
                    additional_forward_args=args,
                    return_convergence_delta=True,
                )
        elif method == "occlusion":
            attr = ca.Occlusion(net).attribute(
                x,
                # a sequence shorter than the window is occluded whole
                sliding_window_shapes=(x.shape[1], min(window, x.shape[2])),
                strides=(x.shape[1], 1),
                baselines=b,
                target=target,
                additional_forward_args=args,
            )
            delta = None
        else:
            raise AttributionError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        total += attr.detach()
        if delta is not None:
            total_delta += delta.detach().reshape(-1).float()
    has_delta = method in HAS_DELTA
    return total / k, (total_delta / k if has_delta else None)


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
        return _one_strand_attr(net, method, xs, rs, *opts)

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
    "ALIASES",
    "BASELINES",
    "METHODS",
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
