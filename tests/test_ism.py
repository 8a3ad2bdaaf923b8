"""ISM: a linear model's effects are its weight differences; the motif detector's peak
is on the motif; batch size and N handling."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _interpret_toys import MOTIF, LinearModel, MotifDetector, random_sequences, with_motif

from genoviz.interpret.ism import ISMError, mutants, saturation_mutagenesis
from genoviz.onehot import one_hot


def test_mutants_are_every_single_substitution():
    x = torch.as_tensor(one_hot(["ACGNT"])[0])
    m, base, pos = mutants(x)
    assert (base != x.argmax(dim=0).numpy()[pos]).all()  # never the reference base
    assert m.shape == (12, 4, 5)  # 3 per known base, none at N
    assert set(pos.tolist()) == {0, 1, 2, 4}
    diff = (m != x[None]).any(dim=1).sum(dim=1)
    assert torch.all(diff == 1)  # exactly one position changed
    assert torch.all(m.sum(dim=1)[:, [0, 1, 2, 4]] == 1)  # still one-hot


def test_linear_model_effects_are_weight_differences():
    seq = random_sequences(1, 30, seed=1)[0]
    net = LinearModel(30)
    r = saturation_mutagenesis(net, seq, batch_size=7)
    w = net.weight.detach().numpy()
    ref = one_hot([seq])[0].argmax(axis=0)
    expected = w - w[ref, np.arange(30)][None, :]
    np.testing.assert_allclose(r.effects, expected, atol=1e-5)
    assert r.effects.shape == (4, 30)
    assert np.all(r.effects[ref, np.arange(30)] == 0)
    np.testing.assert_allclose(r.max_abs, np.abs(expected).max(axis=0), atol=1e-5)
    np.testing.assert_allclose(r.reference_output, (w * one_hot([seq])[0]).sum(), atol=1e-5)


def test_batch_size_does_not_change_effects():
    seq = random_sequences(1, 40, seed=2)[0]
    net = MotifDetector()
    a = saturation_mutagenesis(net, seq, batch_size=1000).effects
    b = saturation_mutagenesis(net, seq, batch_size=5).effects
    np.testing.assert_array_equal(a, b)


def test_motif_detector_ism_peaks_on_the_motif():
    (seq,), (start,) = with_motif(1, 60, seed=7)
    r = saturation_mutagenesis(MotifDetector(), seq)
    top = set(np.argsort(-r.max_abs)[: len(MOTIF)].tolist())
    assert top == set(range(start, start + len(MOTIF)))
    # breaking any motif base kills the match: output 1 -> -1
    np.testing.assert_allclose(r.max_effect[start : start + len(MOTIF)], -2.0, atol=1e-5)


def test_one_hot_input_and_bad_target():
    seq = random_sequences(1, 20)[0]
    net = LinearModel(20)
    a = saturation_mutagenesis(net, seq)
    b = saturation_mutagenesis(net, one_hot([seq]))
    np.testing.assert_array_equal(a.effects, b.effects)
    assert b.sequence == seq
    with pytest.raises(ISMError, match="target 1 does not exist"):
        saturation_mutagenesis(net, seq, target=1)


@pytest.mark.parametrize(
    "hp",
    [
        {},
        {"strand_average": True},
        {"mean_pool": False, "kernel": 10},
        {"extras": 1, "strand_average": True},
        {"outputs": 3},
    ],
)
def test_fast_cnn_path_equals_running_every_mutant(hp):
    import models
    from genoviz.interpret import fast_ism

    torch.manual_seed(0)
    net = models.get("cnn", seq_len=30, **{"filters": 6, "members": 2, **hp}).eval()
    with torch.no_grad():  # sharper filters, so maxima move between positions
        for m in net.members:
            m.conv.conv.weight.mul_(5.0)
    assert fast_ism.supports(net)
    seq = random_sequences(1, 30, seed=9)[0][:12] + "N" + random_sequences(1, 30, seed=9)[0][13:]
    extras = np.array([0.7], dtype=np.float32) if hp.get("extras") else None
    target = hp.get("outputs", 1) - 1
    fast = saturation_mutagenesis(net, seq, target=target, extras=extras)
    slow = saturation_mutagenesis(net, seq, target=target, extras=extras, fast=False)
    np.testing.assert_allclose(fast.effects, slow.effects, atol=1e-5)
    assert np.nanmax(np.abs(slow.effects)) > 0.01
    # N: nothing to substitute, so no effect is reported (a 0 would read as measured)
    assert np.isnan(fast.effects[:, 12]).all() and np.isnan(fast.max_effect[12])
    assert np.isfinite(np.delete(fast.effects, 12, axis=1)).all()
    assert np.isfinite(np.delete(fast.max_effect, 12)).all()


def test_positional_cnn_takes_the_plain_path():
    import models
    from genoviz.interpret import fast_ism

    net = models.get("cnn", seq_len=20, positional=True, per_base=True)
    assert not fast_ism.supports(net)
    assert saturation_mutagenesis(net, random_sequences(1, 20)[0]).effects.shape == (4, 20)
