"""Sequence embeddings (BERT [CLS] / mean pooling, one-hot head inputs) and their PCA map."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import planted_dataset

import models
from genoviz.data import Dataset, DatasetMeta
from genoviz.interpret.embeddings import EmbeddingError
from genoviz.interpret.inputs import run_inputs
from genoviz.interpret.sequence_embeddings import (
    BINARY_NAMES,
    embedding_inputs,
    label_names,
    long_sequence_note,
    sequence_embeddings,
    sequence_pca,
)
from genoviz.runs import Run

TINY = {"size": "tiny"}
SEQS = ["ACGGTCATTGACCATGCAGT", "TTGACTCAGG", "GGGGCCCCATATACGTACGTAAC", "ACGTAC"]


def tiny_kmer_bert(**bert_config) -> torch.nn.Module:
    torch.manual_seed(0)
    return models.get("kmer-bert", seq_len=30, k=3, **TINY, bert_config=bert_config or None)


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_pooling_ignores_padding_and_batch_size(pooling):
    net = tiny_kmer_bert().train()
    alone = sequence_embeddings(net, SEQS, pooling, batch_size=1)  # no padding at all
    batched = sequence_embeddings(net, SEQS, pooling, batch_size=3)  # padded to the longest
    np.testing.assert_allclose(alone, batched, atol=1e-5)
    assert alone.shape == (4, 64) and alone.dtype == np.float32
    assert net.training  # the mode it had


def test_cls_is_the_first_state_and_mean_averages_the_kmers_only():
    net = tiny_kmer_bert()
    ids = torch.as_tensor(net.encode(SEQS[:1]))
    hidden = net.hidden_states(ids)[0]  # (T, d): [CLS], 18 k-mers, [SEP]
    cls = sequence_embeddings(net, SEQS[:1], "cls")
    mean = sequence_embeddings(net, SEQS[:1], "mean")
    np.testing.assert_allclose(cls[0], hidden[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(mean[0], hidden[1:-1].mean(0).numpy(), atol=1e-6)
    assert not np.allclose(mean[0], hidden.mean(0).numpy(), atol=1e-3)  # specials left out


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_tiny_codon_bert_gives_one_hidden_vector_per_sequence(pooling):
    torch.manual_seed(0)
    net = models.get("codon-bert", seq_len=30, **TINY)
    emb = sequence_embeddings(net, ["ATGGCTTAA", "ATGTGGCCCAAATAG", "ATG"], pooling)
    assert emb.shape == (3, 64) and np.isfinite(emb).all()


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_long_sequences_average_their_windows(pooling):
    net = tiny_kmer_bert(max_position_embeddings=12)
    seq = SEQS[0]  # 18 k-mers > 10 per window: windows of k-mers 0-9, 5-14 and 8-17
    windows = [seq[s : s + 10 + 2] for s in (0, 5, 8)]  # 10 k-mers span 12 bases
    want = sequence_embeddings(net, windows, pooling).mean(0)
    got = sequence_embeddings(net, [seq, "ACGTAC"], pooling)
    np.testing.assert_allclose(got[0], want, atol=1e-5)
    assert "1 sequence(s)" in long_sequence_note(net, [seq, "ACGTAC"])
    assert long_sequence_note(net, ["ACGTAC"]) is None


def test_cnn_head_inputs_give_back_its_strand_averaged_logits():
    from genoviz.onehot import one_hot

    torch.manual_seed(0)
    net = models.get("cnn", seq_len=20, members=2, hidden=8, strand_average=True).train()
    seqs = [SEQS[0], "TTGACTCAGGTTGACTCAGG"]
    emb = torch.as_tensor(sequence_embeddings(net, seqs, batch_size=1))
    assert emb.shape == (2, 2 * 8) and net.training
    net.eval()
    logits = net(torch.as_tensor(one_hot(seqs)))
    halves = [m.head.out(e) for m, e in zip(net.members, emb.split(8, dim=1), strict=True)]
    torch.testing.assert_close((halves[0] + halves[1]) / 2, logits, atol=1e-5, rtol=1e-4)


def test_a_linear_head_reads_features_and_extras():
    torch.manual_seed(0)
    net = models.get("deepchem-tf-access", seq_len=20, extras=1, filters=3, layers=1)
    extras = np.array([[0.0], [2.5]], dtype=np.float32)
    emb = sequence_embeddings(net, SEQS[:1] * 2, extras=extras)
    assert emb.shape == (2, 3 * 20 + 1)
    np.testing.assert_allclose(emb[:, -1], [0.0, 2.5])
    with pytest.raises(EmbeddingError, match="extra"):
        sequence_embeddings(net, SEQS[:1])


def test_refusals_say_why():
    with pytest.raises(EmbeddingError, match="dense head"):
        sequence_embeddings(torch.nn.Conv1d(4, 2, 3), ["ACGT"])
    with pytest.raises(EmbeddingError, match="pooling"):
        sequence_embeddings(tiny_kmer_bert(), ["ACGT"], "max")
    with pytest.raises(EmbeddingError, match="no sequences"):
        sequence_embeddings(tiny_kmer_bert(), [])
    with pytest.raises(EmbeddingError, match="at least 2"):
        sequence_pca(np.zeros((1, 4)), np.zeros(1), "binary")


def test_pc1_separates_classes_whose_embeddings_differ_along_one_axis():
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    emb = rng.normal(size=(60, 16))
    emb[:, 5] += 8.0 * y  # the label moves every embedding along one axis
    pca = sequence_pca(emb, y, "binary", ids=[f"s{i}" for i in range(60)])
    pts = pca.points
    assert list(pts.columns) == ["id", "label", "pc1", "pc2"] and pts["id"][3] == "s3"
    assert list(pts["label"].cat.categories) == list(BINARY_NAMES)
    pos, neg = pts["pc1"][y == 1], pts["pc1"][y == 0]
    assert pos.min() > neg.max() or pos.max() < neg.min()
    assert pca.explained[0] > 0.5 > pca.explained[1]


def test_labels_are_named_by_class_or_kept_as_values():
    emb = np.random.default_rng(1).normal(size=(5, 4))
    multi = sequence_pca(emb, np.array([2, 0, 1, 2, np.nan]), "multiclass", class_names="abc")
    assert list(multi.points["label"]) == ["c", "a", "b", "c", "no label"]
    assert list(multi.points["label"].cat.categories) == ["a", "b", "c", "no label"]
    values = np.array([0.5, 1.5, -2.0, 3.0, 0.0])
    reg = sequence_pca(emb, values, "regression").points
    assert pd.api.types.is_numeric_dtype(reg["label"]) and list(reg["label"]) == list(values)
    tasks = np.array([[0, 1], [1, 1], [0, 0], [1, 0], [0, 1]])
    second = sequence_pca(emb, tasks, "multitask-binary", target=1).points
    assert list(second["label"]) == [BINARY_NAMES[v] for v in tasks[:, 1]]


def test_embedding_inputs_draw_a_seeded_sample_and_leave_token_sequences_unpadded(tmp_path):
    seqs = [("ATG" * (1 + i % 5)) + "TAA" for i in range(40)]  # 6 to 18 bp
    meta = DatasetMeta(name="cds", notes={"species": ["e_coli", "yeast"]})
    ds = Dataset(seqs, (np.arange(40) >= 20).astype(np.float32), "lm", meta)
    info = {"model": {"name": "codon-bert", "build": {"seq_len": 18}}, "seed": 0, "config": {}}
    inputs = embedding_inputs(Run(tmp_path, info, []), ds, "all", 10)
    assert len(inputs.ids) == 10 and list(inputs.indices) == sorted(inputs.indices)
    assert inputs.indices.max() >= 20  # a draw across the set, not its first rows
    assert inputs.sequences == [seqs[i] for i in inputs.indices]  # no N padding
    again = embedding_inputs(Run(tmp_path, info, []), ds, "all", 10)
    assert list(again.indices) == list(inputs.indices)
    assert label_names(ds) == ["e_coli", "yeast"]
    info = json.loads(json.dumps(info))
    info["model"] = {"name": "cnn", "build": {"seq_len": 18}}
    assert {len(s) for s in embedding_inputs(Run(tmp_path, info, []), ds, "all").sequences} == {18}


def test_run_inputs_give_token_runs_their_sequences_as_they_trained(tmp_path):
    seqs = [("ATG" * (1 + i % 5)) + "TAA" for i in range(20)]  # 6 to 18 bp
    ds = Dataset(seqs, (np.arange(20) % 2).astype(np.float32), "binary", DatasetMeta(name="cds"))
    info = {"model": {"name": "kmer-bert", "build": {"seq_len": 18}}, "seed": 0, "config": {}}
    inputs = run_inputs(Run(tmp_path, info, []), ds, "all", None, positives_first=True)
    assert inputs.x.shape == (20, 4, 18)  # one-hot stays at the run's length
    assert inputs.sequences == [seqs[i] for i in inputs.indices]  # no N, so no [UNK] tokens
    assert (inputs.labels[:10] == 1).all()
    info["config"] = {"seq_len": 18}  # a run that set a length read them padded
    padded = run_inputs(Run(tmp_path, info, []), ds, "all", None).sequences
    assert {len(s) for s in padded} == {18} and "N" in padded[0]
    info = {"model": {"name": "codon-bert", "build": {"seq_len": 18}}, "seed": 0}
    assert run_inputs(Run(tmp_path, info, []), ds, "all", 3).sequences == seqs[:3]


def pcs_auc(model, ds, pooling: str) -> float:
    """Cross-validated ROC AUC of a logistic fit on the map's two PCs."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_predict

    emb = sequence_embeddings(model, ds.sequences, pooling, batch_size=64)
    pcs = sequence_pca(emb, ds.labels, "binary").points[["pc1", "pc2"]].to_numpy()
    fit = LogisticRegression()
    prob = cross_val_predict(fit, pcs, ds.labels, cv=5, method="predict_proba")[:, 1]
    return float(roc_auc_score(ds.labels, prob))


@pytest.mark.training
def test_a_trained_kmer_bert_separates_planted_motifs_on_two_pcs():
    from genoviz.training import TrainConfig, fit

    train = planted_dataset(n=400, length=30)
    held_out = planted_dataset(n=200, length=30, seed=1)
    torch.manual_seed(0)
    untrained = models.get("kmer-bert", seq_len=30, k=4, **TINY)
    cfg = TrainConfig(epochs=4, lr=1e-3, batch_size=32, save=False, hparams={"k": 4, **TINY})
    trained = fit(train, "kmer-bert", cfg).model
    # Measured (4 epochs, seed 0): [CLS] 0.991 trained, about 0.8 untrained (a random BERT
    # already sees the motif's k-mers); mean pooling 0.957 trained. After 2 epochs the
    # base-sum embedding start is still behind DNABERT's random one (0.78 vs 0.99).
    cls = pcs_auc(trained, held_out, "cls")
    assert cls > 0.93
    assert cls - pcs_auc(untrained, held_out, "cls") > 0.08
    assert pcs_auc(trained, held_out, "mean") > 0.93


ONE_HOT = [s.name for s in models.REGISTRY.values() if s.input_kind == "onehot"]


@pytest.mark.parametrize("name", ONE_HOT)
def test_every_one_hot_model_gives_batch_size_invariant_vectors(name):
    torch.manual_seed(0)
    net = models.get(name, seq_len=40)
    seqs = [(s * 7)[:40] for s in SEQS]
    one = sequence_embeddings(net, seqs, batch_size=1)
    assert one.ndim == 2 and len(one) == 4 and np.isfinite(one).all()
    np.testing.assert_allclose(one, sequence_embeddings(net, seqs, batch_size=4), atol=1e-5)
