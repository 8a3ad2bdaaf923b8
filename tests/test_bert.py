"""kmer-bert / codon-bert: shapes, k-mer embeddings, codons, fit, runs, checkpoints, CLI
(what TokenBert itself does, attention switching and windows among it: test_token_bert.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import planted_dataset

import models
from genoviz.cli import main
from genoviz.predict import predict_sequences
from genoviz.runs import load_run
from genoviz.tokens import codon_vocab, kmer_vocab
from genoviz.training import TrainConfig, fit
from models.checkpoints import CheckpointError

TINY = {"size": "tiny"}


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_kmer_bert_maps_ids_to_logits_with_gradients(k):
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=30, outputs=3, k=k, **TINY)
    ids = torch.from_numpy(net.encode(["ACGT" * 7 + "AC", "ACGTTGCA" * 2]))
    assert ids.shape == (2, 30 - k + 3)
    out = net(ids)
    assert out.shape == (2, 3)
    out.sum().backward()
    assert all(p.grad is not None for n, p in net.named_parameters() if "pooler" not in n)
    assert net.token_embeddings().shape == (len(kmer_vocab(k)), 64)


def test_kmer_embeddings_start_from_their_bases():
    """``embed_init="bases"``: a k-mer's start vector is the sum of its bases' per-position
    vectors, in the input and the MLM output embeddings; ``random`` (DNABERT) has no such
    structure."""
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=20, k=6, head="mlm", embed_init="bases", **TINY)
    ids = {t: i for i, t in enumerate(net.vocab)}
    emb = net.hf.get_input_embeddings().weight.detach()
    e = {t: emb[ids[t]] for t in ("AAAAAA", "AAAAAT", "CAAAAA", "CAAAAT", "TTTTTT")}
    # Changing the last base moves every k-mer by the same vector.
    torch.testing.assert_close(e["AAAAAA"] - e["AAAAAT"], e["CAAAAA"] - e["CAAAAT"])
    cos = torch.nn.functional.cosine_similarity
    assert cos(e["AAAAAA"], e["AAAAAT"], dim=0) > 0.6  # five of six bases shared
    assert abs(cos(e["AAAAAA"], e["TTTTTT"], dim=0)) < 0.4  # none shared
    out = net.hf.get_output_embeddings().weight.detach()
    torch.testing.assert_close(out[5:], emb[5:])
    rand = models.get("kmer-bert", seq_len=20, k=6, embed_init="random", **TINY)
    r = rand.hf.get_input_embeddings().weight.detach()
    step = r[ids["AAAAAA"]] - r[ids["AAAAAT"]]
    assert not torch.allclose(step, r[ids["CAAAAA"]] - r[ids["CAAAAT"]], atol=1e-3)
    with pytest.raises(ValueError, match="embed_init"):
        models.get("kmer-bert", seq_len=20, embed_init="kmers", **TINY)


def test_tied_kmer_embeddings_stay_the_sum_of_their_bases(tmp_path):
    """``embed_init="tied"``: 4k base vectors instead of 4**k rows, still additive after a
    training step; saved as DNABERT's plain table, which loads into an untied model with
    the same outputs; a checkpoint's table is refused by a tied model."""
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=20, k=4, embed_init="tied", **TINY)
    free = models.get("kmer-bert", seq_len=20, k=4, **TINY)
    assert not free.tied  # the default: base-sum start, then a free table
    n_params = {m: sum(p.numel() for p in m.parameters()) for m in (net, free)}
    assert n_params[free] - n_params[net] == (4**4 - 4 * 4) * 64
    ids = torch.from_numpy(net.encode(["ACGTACGTACGTACGTACGT", "TTGCATTGCAACGTAAAAAC"]))
    torch.optim.SGD(net.parameters(), lr=1.0).zero_grad()
    net(ids).sum().backward()
    torch.optim.SGD(net.parameters(), lr=1.0).step()
    emb = net.token_embeddings()
    index = {t: i for i, t in enumerate(net.vocab)}
    e = {t: emb[index[t]] for t in ("AAAA", "AAAT", "CAAA", "CAAT")}
    torch.testing.assert_close(e["AAAA"] - e["AAAT"], e["CAAA"] - e["CAAT"])
    net.save_hf(tmp_path / "hf")
    assert net.tied  # saving swaps the table in only while writing
    untied = models.get("kmer-bert", seq_len=20, k=4, embed_init="bases", **TINY)
    untied.load_pretrained(tmp_path / "hf")
    torch.testing.assert_close(untied.token_embeddings(), emb)
    torch.testing.assert_close(
        untied.eval().hf.bert(ids).last_hidden_state, net.eval().hf.bert(ids).last_hidden_state
    )
    with pytest.raises(CheckpointError, match="tied"):
        net.load_pretrained(tmp_path / "hf")


def test_codon_bert_reads_in_frame_codons():
    net = models.get("codon-bert", seq_len=12, outputs=9, **TINY)
    ids = net.encode(["ATGGCTTAA", "ATGTGG"])
    vocab = codon_vocab()
    assert [vocab[i] for i in ids[0]] == ["[CLS]", "ATG", "GCT", "TAA", "[SEP]"]
    assert net(torch.from_numpy(ids)).shape == (2, 9)
    assert net.token_embeddings().shape == (5 + 64 + 21, 64)


@pytest.mark.training
def test_fit_trains_kmer_bert_and_the_run_reloads(tmp_path):
    ds = planted_dataset(n=400, length=30, motif="GGGGCCCC")
    cfg = TrainConfig(
        epochs=6, lr=1e-3, batch_size=32, runs_dir=str(tmp_path), hparams={"k": 4, **TINY}
    )
    r = fit(ds, "kmer-bert", cfg)
    assert r.valid_metrics["roc_auc"] > 0.8
    run = load_run(r.run_dir)
    assert (r.run_dir / "hf" / "model.safetensors").exists()
    assert (r.run_dir / "hf" / "vocab.txt").read_text().split() == kmer_vocab(4)
    model = run.load_model()
    seqs = ds.sequences[:8]
    pred = predict_sequences(run, seqs, model=model)
    ref = torch.sigmoid(r.model.eval()(torch.from_numpy(r.model.encode(seqs)))).detach()
    np.testing.assert_allclose(pred.values, ref[:, 0].numpy(), atol=1e-5)
    assert pred.kind == "probability" and pred.notes == []


@pytest.mark.parametrize("task", ["regression", "multiclass", "multitask-binary"])
def test_fit_runs_every_task_on_tokens(task):
    ds = planted_dataset(n=120, length=20)
    if task == "regression":
        ds.labels = ds.labels * 2.0 + 0.5
    elif task == "multiclass":
        ds.labels = np.arange(len(ds)) % 3
        ds.meta.notes["classes"] = ["a", "b", "c"]
    else:
        ds.labels = np.stack([ds.labels, 1 - ds.labels], axis=1)
    ds.task = task
    r = fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, hparams={"k": 3, **TINY}))
    assert len(r.history) == 1 and np.isfinite(r.history[0]["train_loss"])


@pytest.mark.training
def test_cli_pretrain_then_fine_tune_from_the_run(tmp_path, capsys):
    fa = tmp_path / "corpus.fa"
    rng = np.random.default_rng(0)
    fa.write_text("".join(f">s{i}\n{''.join(rng.choice(list('ACGT'), 40))}\n" for i in range(200)))
    pre = tmp_path / "pre"
    args = ["pretrain", "--data", str(fa), "--k", "3", "--bert-size", "tiny", "--epochs", "2"]
    assert main([*args, "--out", str(pre), "--quiet"]) == 0
    final = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert final["task"] == "lm" and final["valid"]["masked_acc"] is not None
    assert (pre / "hf" / "config.json").exists()
    data = tmp_path / "toy.csv"
    ds = planted_dataset(n=100, length=20)
    data.write_text(
        "sequence,label\n"
        + "".join(f"{s},{int(y)}\n" for s, y in zip(ds.sequences, ds.labels, strict=True))
    )
    out = tmp_path / "ft"
    cmd = ["train", "--data", str(data), "--model", "kmer-bert", "--init-bert", str(pre)]
    assert main([*cmd, "--epochs", "1", "--out", str(out), "--quiet"]) == 0
    info = json.loads((out / "run.json").read_text())
    assert info["config"]["init_bert"] == str(pre)
    assert (
        info["model"]["build"]["k"] == 3
        and info["model"]["build"]["bert_config"]["hidden_size"] == 64
    )
    preds = tmp_path / "p.csv"
    assert main(["predict", "--run", str(out), "--data", str(data), "--out", str(preds)]) == 0
    assert len(preds.read_text().splitlines()) == 101
    assert (
        main(["train", "--data", str(data), "--init-bert", str(pre), "--out", str(tmp_path / "x")])
        == 2
    )


def test_predict_says_when_it_averaged_windows(tmp_path):
    ds = planted_dataset(n=60, length=20)
    hp = {"k": 3, **TINY, "bert_config": {"max_position_embeddings": 24}}
    r = fit(ds, "kmer-bert", TrainConfig(epochs=1, runs_dir=str(tmp_path), hparams=hp))
    run = load_run(r.run_dir)
    short = predict_sequences(run, ["ACGT" * 5])
    both = predict_sequences(run, ["ACGT" * 5, "ACGT" * 10])  # 40 tokens > 24 positions
    assert short.notes == [] and [n for n in both.notes if "windows" in n]
    assert "not 20 bp long" in both.notes[0]  # read past its trained length: less reliable
    np.testing.assert_allclose(both.values[:1], short.values, atol=1e-5)


def test_run_records_the_lengths_it_trained_on_and_predict_notes_only_others(tmp_path):
    """A BERT trained on 20-40 bp says nothing about a 30 bp sequence, but notes 50 bp;
    pad/trim to one length records that length."""
    ds = planted_dataset(n=60, length=40)
    rng = np.random.default_rng(0)
    ds.sequences = [
        s[: int(n)] for s, n in zip(ds.sequences, rng.integers(20, 41, 60), strict=True)
    ]
    lo, hi = int(ds.lengths.min()), int(ds.lengths.max())
    hp = {"k": 3, **TINY}
    run = load_run(
        fit(ds, "kmer-bert", TrainConfig(epochs=1, runs_dir=str(tmp_path), hparams=hp)).run_dir
    )
    assert run.info["dataset"]["lengths"] == [lo, hi] and lo < 30 < hi
    assert predict_sequences(run, ["ACGTACGTAC" * 3]).notes == []
    note = predict_sequences(run, ["ACGTACGTAC" * 5]).notes[0]
    assert f"not {lo}-{hi} bp long" in note and "1 longer (up to 50 bp)" in note
    cfg = TrainConfig(epochs=1, runs_dir=str(tmp_path), hparams=hp, seq_len=32)
    assert load_run(fit(ds, "kmer-bert", cfg).run_dir).info["dataset"]["lengths"] == [32, 32]


def test_codon_bert_classifies_species_through_the_cli_and_round_trips(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--data", "codon-species", "--model", "codon-bert", "--bert-size", "tiny"]
    assert main([*args, "--epochs", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    # the epoch line skips the record's confusion matrix (it crashed on it before)
    assert printed[0].startswith("epoch   1") and "valid_accuracy=" in printed[0]
    final = json.loads(printed[-1])
    assert final["task"] == "multiclass" and final["test"]["roc_auc"] > 0.6  # chance 0.5
    run = load_run(out)
    names = run.info["dataset"]["class_names"]
    assert len(names) == 9 and "e_coli" in names
    seqs = ["ATGGCTGCAAAAGGTTAA" * 5, "ATGAAACCCGGGTTTTAA" * 3]
    loaded = predict_sequences(run, seqs)
    assert loaded.columns == names and loaded.values.shape == (2, 9)
    np.testing.assert_allclose(loaded.values.sum(1), 1.0, atol=1e-5)
    # save/load round trip: the model rebuilt from the run predicts like the one in memory
    again = predict_sequences(run, seqs, model=run.load_model())
    np.testing.assert_allclose(again.values, loaded.values, atol=1e-6)
    net = run.load_model().train()
    net(torch.from_numpy(net.encode(seqs))).sum().backward()
    assert all(p.grad is not None for n, p in net.named_parameters() if "pooler" not in n)
