"""The attribution methods: their names and what each offers, and how each runs on one
strand function.

:data:`METHODS` names them, :data:`ALIASES` takes other names for them, and
:data:`USES_BASELINE`, :data:`HAS_DELTA` and :data:`SUMS_TO_CHANGE` say which compare with a
reference, report a convergence delta, or add up to the change in output.
:func:`one_strand_attr` runs one method through captum, averaged over the references;
GradientShap is drawn here, per sequence from its own references and generator, and
DeepLift gets a rule for the genoviz global max pool (:class:`~models.layers.GlobalMaxPool`).
:func:`~genoviz.interpret.attribution.attribute` batches the sequences, evaluates both
strands and turns the result into contributions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import torch
from torch import nn

from genoviz.interpret.references import AttributionError, sequence_seed
from models.layers import GlobalMaxPool

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
#: without recurrent layers (:func:`~genoviz.interpret.convergence.deeplift_exact`).
HAS_DELTA = frozenset({"integrated_gradients", "deeplift"})
#: Names that :func:`~genoviz.interpret.attribution.attribute` takes for another method.
#: DeepLift against several references (shuffles), averaged, is DeepLiftShap: listing both
#: gave two menu entries whose maps were always identical.
ALIASES = {"deeplift_shap": "deeplift"}
#: Methods whose attributions are (x - reference) x a gradient, summing to the change in
#: output (exactly or in expectation): a position's share is the sum over its channels.
SUMS_TO_CHANGE = HAS_DELTA | {"gradient_shap", "input_x_gradient"}


_HOOKS = threading.Lock()


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


def one_strand_attr(
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
