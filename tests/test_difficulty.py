"""The bundled simulated sets: deterministic, truthful ground truth, and as hard as real data.

The difficulty band is the contract the builders' defaults are tuned for: the recommended
model must learn something real, but a perfect score would mean the set is too easy to teach
anything (``tf-binding``: validation ROC AUC 0.80-0.95; ``sirna``: Pearson 0.6-0.8).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from genoviz.data import load
from genoviz.data.sirna import build_sirna
from genoviz.data.tf_binding import LENGTH, build_tf_binding
from genoviz.motifs import fetch_jaspar
from genoviz.training import TrainConfig, fit

_COMPLEMENT = str.maketrans("ACGT", "TGCA")


@pytest.fixture(scope="module")
def tf() -> object:
    return build_tf_binding(seed=0)


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """Bundled sets built by the code under test, never read from an older disk cache."""
    monkeypatch.setenv("GENOVIZ_CACHE_DIR", str(tmp_path))


@pytest.mark.parametrize("builder", [build_tf_binding, build_sirna])
def test_same_seed_same_set_other_seed_other_set(builder):
    a, b, c = builder(seed=0), builder(seed=0), builder(seed=1)
    assert a.sequences == b.sequences
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.meta.ground_truth == b.meta.ground_truth
    assert a.sequences != c.sequences
    assert not np.array_equal(a.labels, c.labels)


def test_tf_binding_has_about_two_percent_positives(tf):
    assert tf.labels.mean() == pytest.approx(0.02, abs=0.002)
    assert set(np.unique(tf.labels)) == {0.0, 1.0}
    pos_w, neg_w = tf.weights[tf.labels == 1][0], tf.weights[tf.labels == 0][0]
    assert pos_w == pytest.approx(25.0) and neg_w == pytest.approx(1 / 1.96, rel=1e-3)


def test_planted_sites_lie_inside_and_match_the_consensus(tf):
    gt = tf.meta.ground_truth
    assert gt["columns"] == ["index", "motif_id", "start", "strand", "kind"]
    identity: dict[str, list[float]] = {}
    for i, motif_id, start, strand, kind in gt["instances"]:
        motif = fetch_jaspar(motif_id)
        assert start >= 0 and start + motif.width <= LENGTH
        site = tf.sequences[i][start : start + motif.width]
        if strand == "-":
            site = site.translate(_COMPLEMENT)[::-1]
        same = sum(a == b for a, b in zip(site, motif.consensus(), strict=True))
        identity.setdefault(kind, []).append(same / motif.width)
    assert set(identity) == {"site", "weak-decoy", "half-site-decoy"}
    sites = np.array(identity["site"])
    assert sites.mean() > 0.75 and np.percentile(sites, 5) > 0.5  # random DNA: about 0.27
    assert sites.mean() > max(np.mean(identity["weak-decoy"]), np.mean(identity["half-site-decoy"]))


def test_sites_in_positives_decoys_in_negatives_and_motifless_positives_have_none(tf):
    gt = tf.meta.ground_truth
    with_site = {i for i, *_, kind in gt["instances"] if kind == "site"}
    decoyed = {i for i, *_, kind in gt["instances"] if kind != "site"}
    positives = set(np.flatnonzero(tf.labels == 1).tolist())
    motifless = set(gt["motifless_positives"])
    assert motifless <= positives and not motifless & with_site
    assert with_site == positives - motifless
    assert not decoyed & positives
    assert len(motifless) / len(positives) == pytest.approx(1 / 3, abs=0.01)


def test_accessibility_helps_without_giving_the_label_away(tf):
    auc = roc_auc_score(tf.labels, tf.extras[:, 0])
    assert 0.6 < auc < 0.8


def test_sirna_labels_are_spread_like_huesken():
    y = build_sirna(seed=0).labels
    assert 0.65 < y.mean() < 0.75 and 0.17 < y.std() < 0.23
    assert y.min() >= 0.0 and y.max() <= 1.3
    assert np.percentile(y, 25) == pytest.approx(0.55, abs=0.04)
    assert np.percentile(y, 75) == pytest.approx(0.85, abs=0.04)


@pytest.mark.slow
def test_default_model_lands_in_the_tf_binding_band(fresh_cache):
    ds = load("tf-binding", seed=0)
    r = fit(ds, None, TrainConfig(epochs=8, seed=0, save=False))
    assert 0.80 <= r.valid_metrics["roc_auc"] <= 0.95, r.valid_metrics


@pytest.mark.slow
def test_default_model_lands_in_the_sirna_band(fresh_cache):
    ds = load("sirna", seed=0)
    r = fit(ds, None, TrainConfig(seed=0, save=False))
    assert 0.6 <= r.valid_metrics["pearson"] <= 0.8, r.valid_metrics
