"""Exact fast Integrated Gradients on the ``cnn`` ensemble: equal to captum's generic path,
complete, independent of batching, and only taken where it applies."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _interpret_toys import MotifDetector, random_sequences

import models
from genoviz.interpret import fast_ig
from genoviz.interpret.attribution import attribute, references
from genoviz.onehot import one_hot

LENGTH = 40


def _sharp_cnn(sharpen: float = 5.0, **hp) -> torch.nn.Module:
    """A seeded small ``cnn`` with sharper filters (as after training): outputs that move."""
    torch.manual_seed(0)
    net = models.get("cnn", seq_len=LENGTH, **{"filters": 8, **hp}).eval()
    with torch.no_grad():
        for m in net.members:
            m.conv.conv.weight.mul_(sharpen)
    return net


def _x(n: int = 4, seed: int = 1) -> torch.Tensor:
    seqs = random_sequences(n, LENGTH, seed=seed)
    seqs[0] = seqs[0][:10] + "N" + seqs[0][11:]  # an unknown base: a zero column
    return torch.as_tensor(one_hot(seqs))


@pytest.fixture
def fast_calls(monkeypatch) -> list[int]:
    """Counts the calls of the fast path, so a test knows which path ran."""
    calls: list[int] = []
    real = fast_ig.integrated_gradients

    def spy(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(fast_ig, "integrated_gradients", spy)
    return calls


CASES = [
    ({"members": 1}, "uniform", 0),
    ({"members": 4, "strand_average": True}, "zeros", 0),
    ({"members": 4}, "shuffle", 0),
    ({"members": 2, "strand_average": True, "extras": 2, "outputs": 2}, "shuffle", 1),
    ({"members": 2, "outputs": 2, "extras": 1}, "uniform", 1),
    ({"members": 2, "kernel": 4, "mean_pool": False}, "zeros", 0),  # even kernel
]


@pytest.mark.parametrize(("hp", "baseline", "target"), CASES)
def test_fast_path_equals_captums_generic_path(hp, baseline, target, fast_calls):
    net = _sharp_cnn(**hp)
    assert fast_ig.supports(net)
    x = _x()
    rng = np.random.default_rng(0)
    extras = rng.normal(size=(len(x), hp["extras"])).astype(np.float32) if "extras" in hp else None
    kw = {"baseline": baseline, "n_shuffles": 3, "n_steps": 20, "target": target}
    fast = attribute(net, x, extras=extras, **kw)
    assert fast_calls, "the fast path did not run"
    n_calls = len(fast_calls)
    slow = attribute(net, x, extras=extras, fast=False, **kw)
    assert len(fast_calls) == n_calls, "fast=False still took the fast path"
    scale = np.abs(slow.attributions).max()
    assert scale > 1e-3  # something to compare
    np.testing.assert_allclose(fast.attributions, slow.attributions, rtol=0, atol=1e-5 * scale)
    np.testing.assert_allclose(fast.delta, slow.delta, rtol=0, atol=1e-5 * scale)
    np.testing.assert_array_equal(fast.outputs, slow.outputs)


@pytest.mark.parametrize("strand_average", [False, True])
def test_a_multiclass_centred_logit_takes_the_fast_path_and_equals_captum(
    strand_average, fast_calls
):
    """IG is linear in the output: IG of z_t - mean(z) from one shortcut per class."""
    net = _sharp_cnn(members=2, outputs=3, strand_average=strand_average)
    kw = {"baseline": "shuffle", "n_shuffles": 2, "n_steps": 20, "target": 1, "softmax": True}
    fast = attribute(net, _x(), **kw)
    assert len(fast_calls) == 3 * (2 if strand_average else 1)  # one per class (per strand)
    slow = attribute(net, _x(), fast=False, **kw)
    scale = np.abs(slow.attributions).max()
    assert scale > 1e-3
    np.testing.assert_allclose(fast.attributions, slow.attributions, rtol=0, atol=1e-5 * scale)
    np.testing.assert_allclose(fast.delta, slow.delta, rtol=0, atol=1e-5 * scale)
    np.testing.assert_allclose(fast.outputs, slow.outputs, atol=1e-6)


@pytest.mark.parametrize("baseline", ["uniform", "shuffle"])
def test_fast_path_is_complete_within_one_percent(baseline):
    """Sum of attributions = f(x) - f(baseline) (averaged over the shuffles), within 1%,
    and the reported delta is that gap. Sharp filters put kinks in the path (ReLU, max), so
    the quadrature needs many steps: cheap on the fast path."""
    net = _sharp_cnn(sharpen=10.0, members=2, strand_average=True)
    x = _x()
    r = attribute(net, x, baseline=baseline, n_shuffles=3, n_steps=1000)
    with torch.no_grad():
        refs = references(x, baseline, 3, 0)
        fb = torch.stack([net(refs[:, j])[:, 0] for j in range(refs.shape[1])]).mean(0)
    change = r.outputs - fb.numpy()
    assert np.abs(change).min() > 0.02  # a real change to explain
    total = r.attributions.sum(axis=(1, 2))
    np.testing.assert_allclose(r.delta, total - change, atol=1e-5)
    np.testing.assert_allclose(total, change, rtol=0.01)


def test_fast_path_does_not_depend_on_batching():
    net = _sharp_cnn(members=2, strand_average=True)
    x = _x(n=5)
    kw = {"baseline": "shuffle", "n_shuffles": 3, "n_steps": 20}
    a = attribute(net, x, batch_size=5, **kw)
    for bs, ibs in [(2, None), (5, 3), (3, 45)]:  # part of a path, several pairs
        b = attribute(net, x, batch_size=bs, internal_batch_size=ibs, **kw)
        np.testing.assert_allclose(b.attributions, a.attributions, atol=1e-6)
        np.testing.assert_allclose(b.delta, a.delta, atol=1e-6)


def test_cnn_member_forward_goes_through_forward_from_conv():
    """One copy of the head: the member's forward is its convolution, then the rest."""
    net = _sharp_cnn(members=1, extras=1)
    m, x, e = net.members[0], _x(), torch.ones(4, 1)
    with torch.no_grad():
        whole = m(x, e)
        split = m.forward_from_conv(m.conv.conv(x), x, e)
    torch.testing.assert_close(whole, split, rtol=0, atol=0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: models.get(
            "cnn", seq_len=101, **models.data_hparams("cnn", strand_symmetric=False, seq_len=101)
        ),
        lambda: models.get("cnn", seq_len=101, positional=True, per_base=False, members=1),
        lambda: models.get("deepchem-tf", seq_len=101),
        lambda: MotifDetector(),
    ],
    ids=["positional-per-base-cnn", "positional-cnn", "deepchem-tf", "toy"],
)
def test_other_models_go_through_captum(make, fast_calls):
    torch.manual_seed(0)
    net = make().eval()
    assert not fast_ig.supports(net)
    x = torch.as_tensor(one_hot(random_sequences(2, 101, seed=3)))
    r = attribute(net, x, baseline="uniform", n_steps=10)
    assert not fast_calls
    assert r.attributions.shape == (2, 4, 101)
    assert r.delta is not None and np.all(np.isfinite(r.delta))


def test_other_methods_ignore_the_fast_path(fast_calls):
    net = _sharp_cnn(members=1)
    for method in ("deeplift", "saliency"):
        attribute(net, _x(n=2), method=method, baseline="uniform")
    assert not fast_calls
