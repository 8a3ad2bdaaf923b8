"""Attribution: completeness, batch-size invariance, strand symmetry, DeepLift deltas on
the real models, and a hand-set motif detector whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _interpret_toys import MOTIF, MotifDetector, ThreeClasses, random_sequences, with_motif

import models
from genoviz.interpret.attribution import (
    Attribution,
    AttributionError,
    ShuffleError,
    attribute,
    dinucleotide_shuffles,
)
from genoviz.interpret.attribution_methods import METHODS
from genoviz.interpret.convergence import (
    DELTA_WARN,
    deeplift_exact,
    delta_warning,
    explained_change,
    relative_delta,
)
from genoviz.onehot import one_hot
from models.layers import reverse_complement


@pytest.mark.parametrize("n", [1, 10])
def test_a_sequence_with_no_other_shuffle_is_a_plain_shuffle_error(n: int):
    """ACGTACGT… chains its dinucleotides in one order only: every shuffle is itself, so
    the message says so and points to the other references (tangermeme's ValueError, or
    with one shuffle a silent reference equal to the input, before)."""
    x = torch.as_tensor(one_hot(["ACGTTGACTCAGGCATCCAG", "ACGT" * 5]))
    with pytest.raises(ShuffleError, match="Sequence 2 cannot be dinucleotide-shuffled") as e:
        dinucleotide_shuffles(x, n=n)
    assert e.value.indices == [1] and isinstance(e.value, AttributionError)
    assert "all-zeros or uniform" in str(e.value)
    assert e.value.message(["a", "rpt"]).startswith("Sequence rpt cannot")
    cnn = models.get("cnn", seq_len=20).eval()
    with pytest.raises(ShuffleError, match="This sequence cannot"):
        attribute(cnn, x[1:], baseline="shuffle", n_shuffles=n)
    assert attribute(cnn, x, baseline="zeros").per_base.shape == (2, 20)


@pytest.fixture(scope="module")
def planted():
    seqs, starts = with_motif(6, 50, seed=3)
    return torch.as_tensor(one_hot(seqs)), starts


@pytest.mark.parametrize("method", ["integrated_gradients", "deeplift", "occlusion"])
def test_toy_detector_peaks_on_the_motif(planted, method: str):
    x, starts = planted
    kw = {"occlusion_window": 1, "baseline": "zeros"} if method == "occlusion" else {}
    r = attribute(MotifDetector(), x, method=method, **{"baseline": "shuffle", **kw})
    for i, s in enumerate(starts):
        top = set(np.argsort(-r.per_base[i])[: len(MOTIF)].tolist())
        assert top == set(range(s, s + len(MOTIF))), (method, i)


def _sharp_cnn() -> torch.nn.Module:
    torch.manual_seed(0)
    net = models.get("cnn", seq_len=50, members=2).eval()
    with torch.no_grad():  # sharper filters, as after training: outputs that move
        for m in net.members:
            m.conv.conv.weight.mul_(10.0)
    return net


@pytest.mark.parametrize(
    ("which", "baseline"),
    [("cnn", "zeros"), ("cnn", "uniform"), ("toy", "zeros"), ("toy", "shuffle")],
)
def test_integrated_gradients_completeness_within_one_percent(planted, which, baseline):
    """Sum of attributions = f(x) - f(baseline), within 1% of that change."""
    from genoviz.interpret.attribution import references

    x, _ = planted
    net = _sharp_cnn() if which == "cnn" else MotifDetector()
    r = attribute(net, x, baseline=baseline, n_shuffles=1, n_steps=300)
    with torch.no_grad():
        fb = net(references(x, baseline, 1, 0)[:, 0])[:, 0].numpy()
    change = r.outputs - fb
    assert np.abs(change).min() > 0.05  # a real change to explain
    assert np.all(np.abs(r.delta) <= 0.01 * np.abs(change)), (r.delta, change)
    np.testing.assert_allclose(r.attributions.sum(axis=(1, 2)), change, rtol=0.01)
    # what the track and the logo show adds up too, absent bases' share included
    np.testing.assert_allclose(r.per_base.sum(axis=1), change, rtol=0.01)
    np.testing.assert_allclose(r.contributions.sum(axis=(1, 2)), change, rtol=0.01)


@pytest.mark.parametrize("method", ["integrated_gradients", "deeplift", "gradient_shap"])
def test_batch_size_does_not_change_attributions(method: str):
    torch.manual_seed(0)
    net = models.get("cnn", seq_len=40, members=2).eval()
    x = torch.as_tensor(one_hot(random_sequences(7, 40, seed=2)))
    kw = {"method": method, "baseline": "shuffle", "n_shuffles": 3, "n_steps": 20}
    a = attribute(net, x, batch_size=7, **kw).attributions
    if method == "gradient_shap":  # sampled baselines: same draws only in the same batch
        b = attribute(net, x, batch_size=7, **kw).attributions
    else:
        b = attribute(net, x, batch_size=2, internal_batch_size=9, **kw).attributions
    np.testing.assert_allclose(a, b, atol=1e-5)


#: (model, hyperparameters, whether DeepLift adds up exactly on it): captum cannot hook
#: an nn.LSTM's gates, so on bilstm and danq it is approximate and must say so.
MODEL_CASES = [
    ("cnn", {}, True),
    ("cnn", {"strand_average": True}, True),
    ("cnn", {"positional": True, "per_base": True, "pool": 3}, True),
    ("deepchem-tf", {}, True),
    ("deepchem-sirna", {}, True),
    ("bilstm", {}, False),
    ("danq", {}, False),
]


@pytest.mark.parametrize(("name", "hp", "exact"), MODEL_CASES)
@pytest.mark.parametrize("baseline", ["shuffle", "uniform"])
def test_deeplift_convergence_delta_on_the_models(name, hp, exact, baseline):
    """Exact models: delta < 1e-4 and no warning. LSTM models: the gap is a large share
    of the change explained (0.81 on a trained siRNA bilstm), and the warning says so;
    the absolute delta alone (0.005 there) looked as small as a conv model's."""
    torch.manual_seed(0)
    net = models.get(name, seq_len=40, **hp).eval()
    with torch.no_grad():  # larger weights, as after training: outputs that move
        for p in net.parameters():
            p.mul_(3.0)
    x = torch.as_tensor(one_hot(random_sequences(6, 40, seed=4)))
    r = attribute(net, x, method="deeplift", baseline=baseline, n_shuffles=3)
    assert r.delta is not None
    change = explained_change(r)
    assert change is not None and np.abs(change).mean() > 0.01  # a real change to explain
    share = relative_delta(r)
    assert share is not None
    assert deeplift_exact(net) is exact
    if exact:
        assert np.abs(r.delta).max() < 1e-4, r.delta
        assert share < 1e-4 and delta_warning(r, net) is None
    else:
        assert share > DELTA_WARN, share
        warning = delta_warning(r, net)
        assert warning is not None and "DeepLift is approximate" in warning
        assert f"{share:.0%}" in warning


def test_relative_delta_pools_the_sequences_and_guards_a_change_of_zero():
    """sum |delta| / sum |change|: worked out by hand on a made-up result."""
    n = 3
    attr = np.zeros((n, 4, 2), np.float32)
    attr[:, 0, 0] = [1.1, -0.5, 0.0]  # sums of the contributions
    delta = np.array([0.1, 0.0, 0.0], np.float32)  # so the changes are 1.0, -0.5, 0.0
    r = Attribution(attr, attr, attr.sum(1), delta, np.zeros(n), "deeplift", "zeros", 0)
    np.testing.assert_allclose(explained_change(r), [1.0, -0.5, 0.0], atol=1e-6)
    assert relative_delta(r) == pytest.approx(0.1 / 1.5)
    assert delta_warning(r) == (
        "The contributions miss the output change by 7% of that change, so read the map "
        "as a ranking of bases, not as exact shares."
    )
    still = Attribution(
        attr * 0, attr * 0, attr.sum(1) * 0, delta * 1e-4, np.zeros(n), "deeplift", "zeros", 0
    )
    assert relative_delta(still) == pytest.approx(1e-5 / (3 * 1e-4))  # the floor, not 1e-5 / 0
    assert delta_warning(still) is None
    no_delta = Attribution(attr, attr, attr.sum(1), None, np.zeros(n), "saliency", "none", 0)
    assert relative_delta(no_delta) is None and delta_warning(no_delta) is None


def test_integrated_gradients_adds_up_on_an_lstm():
    """The warning on DeepLift points to Integrated Gradients: it must hold up there."""
    torch.manual_seed(0)
    net = models.get("bilstm", seq_len=40).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(3.0)
    x = torch.as_tensor(one_hot(random_sequences(6, 40, seed=4)))
    r = attribute(net, x, baseline="uniform", n_steps=100)
    share = relative_delta(r)
    assert share is not None and share < DELTA_WARN and delta_warning(r, net) is None


def test_strand_averaged_model_gives_strand_symmetric_maps():
    torch.manual_seed(0)
    net = models.get("cnn", seq_len=40, strand_average=True, members=2).eval()
    x = torch.as_tensor(one_hot(random_sequences(3, 40, seed=5)))
    for method in ("deeplift", "integrated_gradients"):
        a = attribute(net, x, method=method, baseline="zeros").attributions
        b = attribute(net, reverse_complement(x), method=method, baseline="zeros").attributions
        np.testing.assert_allclose(b, reverse_complement(torch.as_tensor(a)).numpy(), atol=1e-5)


def test_every_method_runs_with_the_documented_shapes(planted):
    x, _ = planted
    for method in METHODS:
        r = attribute(MotifDetector(), x[:2], method=method, n_shuffles=2, n_steps=10)
        assert r.attributions.shape == (2, 4, 50)
        assert r.per_base.shape == (2, 50)
        # contribution = attribution x input: zero off the observed base
        assert np.all(r.contributions[x[:2].numpy() == 0] == 0)


def test_an_n_keeps_its_share_in_the_logo_so_track_and_logo_agree():
    torch.manual_seed(0)
    net = models.get("cnn", seq_len=20, members=1).eval()
    seq = "ACGTACNNNNGTACGTACGT"
    r = attribute(net, [seq], baseline="uniform", n_steps=100)
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.per_base, atol=1e-6)
    assert np.abs(r.per_base[0, 6:10]).sum() > 0  # the reference differs at an N too
    np.testing.assert_allclose(r.contributions[0, :, 6], r.per_base[0, 6] / 4)


def test_multi_output_target_and_extras(planted):
    x, _ = planted
    net = MotifDetector(outputs=2, extras=1)
    extras = np.ones((len(x), 1), dtype=np.float32)
    on = attribute(net, x, method="deeplift", target=0, baseline="zeros", extras=extras)
    off = attribute(net, x, target=1, baseline="zeros", extras=extras)
    np.testing.assert_allclose(on.per_base.sum(axis=1), 2.0, rtol=0.01)  # 1 - (-1)
    np.testing.assert_allclose(off.attributions, 0.0, atol=1e-6)  # constant output
    np.testing.assert_allclose(off.outputs, 0.5, atol=1e-6)
    with pytest.raises(AttributionError, match="target 2 does not exist"):
        attribute(net, x, target=2, extras=extras)
    with pytest.raises(AttributionError, match="unknown method"):
        attribute(net, x, method="magic")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["integrated_gradients", "deeplift"])
def test_multiclass_attributions_explain_the_centred_logit(method):
    """With softmax, class c's explained output is z_c - mean(z): for class 0 here that
    is a - a = 0 whatever the sequence (an A moves its probability only through the
    other classes), and for class 1 it is 2a - a = a, one per A."""
    x = one_hot(["AACGA", "CCCCC"])
    zero = attribute(ThreeClasses(), x, method=method, target=0, baseline="zeros", softmax=True)
    np.testing.assert_allclose(zero.per_base, 0.0, atol=1e-5)
    one = attribute(ThreeClasses(), x, method=method, target=1, baseline="zeros", softmax=True)
    np.testing.assert_allclose(one.per_base[0], [1, 1, 0, 0, 1], atol=1e-4)
    np.testing.assert_allclose(one.outputs, [3, 0], atol=1e-5)
    raw = attribute(ThreeClasses(), x, method=method, target=1, baseline="zeros")
    np.testing.assert_allclose(raw.per_base[0], [2, 2, 0, 0, 2], atol=1e-4)


def test_sequences_of_several_lengths_are_each_attributed_as_they_are():
    """The page padded them to the run's length for a model that reads any length, so a
    sequence scored differently beside a longer one than alone (Predict reads each as it
    is)."""
    torch.manual_seed(0)
    net = models.get("cnn", seq_len=40, members=1, filters=4).eval()
    seqs = ["ACGTTGACTCAGGA" * 2, "TTGACTCAGG" * 3, "ACGTTGACTCAGGA" * 2]  # 28, 30, 28 bp
    both = attribute(net, seqs, "integrated_gradients", baseline="zeros")
    assert both.per_base.shape == (3, 30) and both.contributions.shape == (3, 4, 30)
    assert np.isnan(both.per_base[0, 28:]).all() and not np.isnan(both.per_base[1]).any()
    for i, s in enumerate(seqs):
        alone = attribute(net, [s], "integrated_gradients", baseline="zeros")
        np.testing.assert_allclose(both.per_base[i, : len(s)], alone.per_base[0], rtol=1e-5)
        assert both.outputs[i] == pytest.approx(alone.outputs[0], rel=1e-5)
    assert both.delta is not None and np.abs(both.delta).max() < 1e-3


@pytest.mark.parametrize("method", ["gradient_shap", "integrated_gradients", "deeplift"])
def test_a_sequence_map_is_the_same_alone_and_among_others(method: str):
    """GradientShap pooled the batch's references and drew per batch, so the same sequence
    gave another map beside four others (r = 0.81 on a trained cnn). It now draws from its
    own generators: torch's global one, which trainings in other threads share, is left
    alone (captum's was seeded and put back, resetting it under them)."""
    net = _sharp_cnn()
    x = torch.as_tensor(one_hot(random_sequences(5, 50, seed=4)))
    state = torch.get_rng_state()
    together = attribute(net, x, method=method, n_shuffles=4).attributions
    alone = attribute(net, x[2:3], method=method, n_shuffles=4).attributions
    by_one = attribute(net, x, method=method, n_shuffles=4, batch_size=1).attributions
    np.testing.assert_allclose(alone[0], together[2], atol=1e-6)
    np.testing.assert_allclose(by_one, together, atol=1e-6)
    assert torch.equal(torch.get_rng_state(), state)  # nobody else's draws changed


def test_attributions_never_land_on_n_padding_with_shuffled_references():
    net = _sharp_cnn()
    seq = "N" * 15 + random_sequences(1, 20, seed=5)[0] + "N" * 15
    r = attribute(net, torch.as_tensor(one_hot([seq])), n_shuffles=5)
    pad = np.array([c == "N" for c in seq])
    assert np.abs(r.per_base[0][pad]).max() == 0 and np.abs(r.per_base[0][~pad]).max() > 0


def test_deeplift_shap_is_a_name_for_deeplift():
    """Both were offered and always gave bit-identical maps: DeepLift averaged over the
    references is DeepLiftShap."""
    from genoviz.share import decode_setup

    net = _sharp_cnn()
    x = torch.as_tensor(one_hot(random_sequences(2, 50, seed=6)))
    a = attribute(net, x, method="deeplift_shap", n_shuffles=3).attributions
    assert np.array_equal(a, attribute(net, x, method="deeplift", n_shuffles=3).attributions)
    assert "deeplift_shap" not in METHODS
    assert decode_setup({"method": "deeplift_shap"}).setup.method == "deeplift"
