"""The bundled simulated sets: deterministic, truthful ground truth, and as hard as real data.

The difficulty band is the contract the builders' defaults are tuned for: the recommended
model, trained with the default :class:`TrainConfig` as a first click would, must learn
something a naive baseline (logistic regression on k-mer counts) cannot, but a perfect score
would mean the set is too easy to teach anything. Validation score bands (seed 0; the slow
tests train fewer epochs than the default 20, and the band holds for both):

- ``tf-binding``: ROC AUC 0.80-0.95; ``sirna``: Pearson r 0.6-0.8;
- ``promoters``: ROC AUC 0.75-0.93; ``splice-sites``: one-vs-rest ROC AUC 0.90-0.985;
- ``tf-multitask``: mean per-task ROC AUC 0.80-0.95 (each task's rare positives are
  balanced in the loss; without that the cnn sat on a plateau near 0.61 for about 10
  epochs); ``codon-species``: one-vs-rest ROC AUC 0.75-0.90 (nine species, several with
  near-identical codon usage; the cnn does not know the reading frame, so logistic
  regression on in-frame codon counts, about 0.93, stays ahead of it).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import models
from genoviz.cli import main
from genoviz.data import Dataset, load
from genoviz.data.promoters import build_core_promoters
from genoviz.data.sirna import build_sirna
from genoviz.data.tf_binding import LENGTH, build_tf_binding
from genoviz.motifs import fetch_jaspar
from genoviz.tokens import kmers
from genoviz.training import TrainConfig, fit, strand_symmetric

_COMPLEMENT = str.maketrans("ACGT", "TGCA")
#: What the DNABERT-sample proxy must reach on its CLI test split (100 sequences):
#: 0.66 at seed 0 (0.59 and 0.57 for proxies built with seeds 1 and 2); the previous default
#: (both strands averaged, position-free) scored 0.40. Chance is 0.5.
PROXY_MIN_AUC = 0.6


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


@pytest.mark.training
def test_default_model_lands_in_the_tf_binding_band(fresh_cache):
    ds = load("tf-binding", seed=0)
    r = fit(ds, None, TrainConfig(epochs=8, seed=0, save=False))
    assert 0.80 <= r.valid_metrics["roc_auc"] <= 0.95, r.valid_metrics


@pytest.mark.training
def test_default_model_lands_in_the_sirna_band(fresh_cache):
    ds = load("sirna", seed=0)
    r = fit(ds, None, TrainConfig(seed=0, save=False))
    assert 0.6 <= r.valid_metrics["pearson"] <= 0.8, r.valid_metrics


def kmer_baseline(ds: Dataset, k: int = 4) -> float:
    """Validation ROC AUC of the naive baseline: logistic regression on the frequencies of
    every 1- to ``k``-mer (composition, no position). Mean over tasks for multi-task sets,
    one-vs-rest for multiclass."""
    counts = CountVectorizer(analyzer="char", ngram_range=(1, k), lowercase=False)
    x = counts.fit_transform(ds.sequences).toarray().astype(float)
    x /= x[:, :4].sum(axis=1, keepdims=True)  # the 1-mers come first: per-base frequencies
    tr, va = ds.splits["train"], ds.splits["valid"]
    y = ds.labels.reshape(len(ds), -1) if ds.task == "multitask-binary" else ds.labels[:, None]

    def fit_predict(target: np.ndarray) -> np.ndarray:
        lr = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=2000))
        return lr.fit(x[tr], target[tr]).predict_proba(x[va])

    if ds.task == "multiclass":
        return float(roc_auc_score(y[va, 0], fit_predict(y[:, 0]), multi_class="ovr"))
    aucs = [roc_auc_score(y[va, j], fit_predict(y[:, j])[:, 1]) for j in range(y.shape[1])]
    return float(np.mean(aucs))


@pytest.mark.parametrize(
    ("seq_len", "pool", "blocks"), [(101, 4, 26), (150, 5, 30), (300, 10, 30), (400, 14, 29)]
)
def test_long_stranded_windows_are_pooled_into_about_30_blocks(seq_len, pool, blocks):
    hp = models.data_hparams("cnn", strand_symmetric=False, seq_len=seq_len, n_train=5000)
    assert hp == {"strand_average": False, "positional": True, "pool": pool, "per_base": False}
    assert -(-seq_len // hp["pool"]) == blocks
    net = models.get("cnn", seq_len=seq_len, outputs=3, **hp)
    assert net(torch.zeros(2, 4, seq_len)).shape == (2, 3)


def test_short_guides_keep_per_base_and_symmetric_windows_stay_position_free():
    short = models.data_hparams("cnn", strand_symmetric=False, seq_len=21, n_train=2000)
    assert short == {"strand_average": False, "positional": True, "pool": 3, "per_base": True}
    sym = models.data_hparams("cnn", strand_symmetric=True, seq_len=101)
    assert sym == {"strand_average": True, "positional": False, "per_base": False}


@pytest.mark.training
def test_default_model_lands_in_the_promoters_band(fresh_cache):
    ds = load("promoters", seed=0)
    r = fit(ds, None, TrainConfig(epochs=5, seed=0, save=False))
    auc = r.valid_metrics["roc_auc"]
    assert 0.75 <= auc <= 0.93, r.valid_metrics
    assert auc >= kmer_baseline(ds) + 0.1  # composition alone: about 0.61


@pytest.mark.training
def test_default_model_lands_in_the_splice_sites_band(fresh_cache):
    ds = load("splice-sites", seed=0)
    r = fit(ds, None, TrainConfig(epochs=4, seed=0, save=False))
    auc = r.valid_metrics["roc_auc"]
    assert 0.90 <= auc <= 0.985, r.valid_metrics
    assert 0.75 <= r.valid_metrics["accuracy"] <= 0.95
    assert auc >= kmer_baseline(ds) + 0.2  # composition alone: about 0.63


@pytest.mark.training
def test_default_model_lands_in_the_tf_multitask_band(fresh_cache):
    ds = load("tf-multitask", seed=0)
    r = fit(ds, None, TrainConfig(epochs=4, seed=0, save=False))
    auc = r.valid_metrics["roc_auc"]
    assert 0.80 <= auc <= 0.95, r.valid_metrics
    assert auc >= kmer_baseline(ds) + 0.05  # 4-mer counts: about 0.75


@pytest.mark.training
def test_default_model_lands_in_the_codon_species_band(fresh_cache):
    ds = load("codon-species", seed=0)
    r = fit(ds, None, TrainConfig(epochs=10, seed=0, save=False))
    auc = r.valid_metrics["roc_auc"]
    assert 0.75 <= auc <= 0.90, r.valid_metrics
    assert auc >= kmer_baseline(ds, k=1) + 0.05  # base composition alone: about 0.71


def write_dnabert_tsv(ds: Dataset, path, k: int = 6) -> None:
    """Write a set as DNABERT writes its fine-tuning files: a header, then
    ``space-separated overlapping k-mers<TAB>label`` per sequence."""
    lines = ["sequence\tlabel"]
    lines += [
        f"{' '.join(kmers(s, k))}\t{int(y)}" for s, y in zip(ds.sequences, ds.labels, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")


def test_dnabert_files_are_strand_specific_but_plain_windows_of_the_same_length_are_not(
    tmp_path,
):
    ds = build_core_promoters(seed=0, n=40)
    tsv, csv = tmp_path / "dev.tsv", tmp_path / "plain.csv"
    write_dnabert_tsv(ds, tsv)
    csv.write_text(
        "sequence,label\n"
        + "".join(f"{s},{int(y)}\n" for s, y in zip(ds.sequences, ds.labels, strict=True))
    )
    kmer_ds, plain_ds = load(tsv), load(csv)
    assert kmer_ds.sequences == plain_ds.sequences == ds.sequences
    assert kmer_ds.meta.notes["kmer"] == 6
    assert not strand_symmetric(kmer_ds)  # DNABERT reads one strand: TSS-centred, positional
    assert strand_symmetric(plain_ds)  # a 101 bp binary CSV is taken for ChIP-like peaks
    assert strand_symmetric(kmer_ds, TrainConfig(rc_augment=True))  # the user can override


@pytest.mark.training
def test_core_promoter_proxy_trains_through_the_cli_from_a_dnabert_tsv(tmp_path, capsys):
    """The held-out real case (DNABERT's 1,000 x 101 bp promoter sample) through the CLI,
    on the simulated stand-in: the default model must clear the threshold on the CLI's
    held-out test split (100 sequences)."""
    tsv = tmp_path / "dev.tsv"
    write_dnabert_tsv(build_core_promoters(seed=0), tsv)
    assert main(["train", "--data", str(tsv), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    final = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["model"]["name"] == "cnn" and run["model"]["build"]["positional"]
    assert not run["dataset"]["strand_symmetric"]
    assert final["test"]["roc_auc"] >= PROXY_MIN_AUC, final
