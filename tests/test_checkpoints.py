"""Pretrained BERT folders (models/checkpoints.py): DNABERT's layout, in safetensors or in
DNABERT's own pytorch_model.bin, loads and fine-tunes; a bad folder or a pickle that would
run code is refused with the reason."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import torch
from conftest import planted_dataset
from transformers import BertConfig, BertForMaskedLM

from genoviz.tokens import kmer_vocab
from genoviz.training import TrainConfig, TrainingError, fit
from models.checkpoints import CheckpointError, checkpoint_summary, hf_dir, read_checkpoint_weights


def dnabert_checkpoint(path, k=3, seed=0):
    """A tiny BertForMaskedLM saved as DNABERT lays it out: config.json, vocab.txt, weights."""
    torch.manual_seed(seed)
    cfg = BertConfig(
        vocab_size=5 + 4**k,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    mlm = BertForMaskedLM(cfg)
    mlm.save_pretrained(path)
    (path / "vocab.txt").write_text("\n".join(kmer_vocab(k)) + "\n")
    return mlm


def test_dnabert_checkpoint_folder_loads_and_fine_tunes(tmp_path):
    ckpt = tmp_path / "dnabert3"
    mlm = dnabert_checkpoint(ckpt)
    ds = planted_dataset(n=80, length=20)
    cfg = TrainConfig(epochs=1, save=False, init_bert=str(ckpt), lr=0.0, ema_epochs=0)
    r = fit(ds, "kmer-bert", cfg)
    net = r.model
    assert net.k == 3 and net.hf.config.hidden_size == 32 and net.hf.config.num_hidden_layers == 1
    for name in ("embeddings.word_embeddings.weight", "encoder.layer.0.output.dense.weight"):
        mine = net.hf.bert.state_dict()[name]
        torch.testing.assert_close(mine, mlm.bert.state_dict()[name])
    # Fine-tuning with a real learning rate moves the weights.
    r2 = fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt), lr=1e-3))
    w = "encoder.layer.0.output.dense.weight"
    assert not torch.allclose(r2.model.hf.bert.state_dict()[w], mlm.bert.state_dict()[w])


def test_bad_checkpoints_are_refused_with_a_reason(tmp_path):
    ckpt = tmp_path / "ck"
    dnabert_checkpoint(ckpt)
    ds = planted_dataset(n=40, length=20)
    (ckpt / "vocab.txt").write_text("\n".join(kmer_vocab(3)[::-1]))
    with pytest.raises(TrainingError, match="vocab"):
        fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt)))
    (ckpt / "vocab.txt").write_text("\n".join(kmer_vocab(3)))
    (ckpt / "model.safetensors").unlink()
    with pytest.raises(TrainingError, match=r"no model\.safetensors or pytorch_model\.bin"):
        fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt)))
    with pytest.raises(CheckpointError, match="neither"):
        hf_dir(tmp_path / "nothing")
    # A killed pretraining run: a run folder whose hf/ was never written says why.
    killed = tmp_path / "killed"
    killed.mkdir()
    (killed / "run.json").write_text('{"status": "running"}')
    with pytest.raises(CheckpointError, match=r"without an hf/ folder \(run.json status: running"):
        hf_dir(killed)
    with pytest.raises(TrainingError, match="before its first epoch ended has none"):
        fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(killed)))


def test_dnabert_pytorch_model_bin_loads_without_running_code(tmp_path):
    """DNABERT's downloads hold pytorch_model.bin (a pickle, here in torch's pre-1.6 format,
    with pre-1.0 LayerNorm names and DNABERT's extra config keys): its tensors load; a
    pickle that would run code is refused and runs nothing."""
    ckpt = tmp_path / "DNA_bert_3"
    mlm = dnabert_checkpoint(ckpt)
    (ckpt / "model.safetensors").unlink()
    with torch.no_grad():  # LayerNorms away from their 1 / 0 start, so the rename shows
        for name, p in mlm.named_parameters():
            if "LayerNorm" in name:
                p.uniform_(0.5, 1.5)
    old_names = {
        k.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
            "LayerNorm.bias", "LayerNorm.beta"
        ): v
        for k, v in mlm.state_dict().items()
    }
    assert sum(".gamma" in k for k in old_names) == 4  # embeddings + 1 layer x 2 + MLM head
    torch.save(old_names, ckpt / "pytorch_model.bin", _use_new_zipfile_serialization=False)
    config = json.loads((ckpt / "config.json").read_text())
    config |= {"rnn": "lstm", "num_rnn_layer": 1, "rnn_dropout": 0.0, "split": 10}
    (ckpt / "config.json").write_text(json.dumps(config))
    ds = planted_dataset(n=40, length=20)
    cfg = TrainConfig(epochs=1, save=False, init_bert=str(ckpt), lr=0.0, ema_epochs=0)
    net = fit(ds, "kmer-bert", cfg).model
    mine = net.hf.bert.state_dict()
    for name in ("embeddings.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.bias"):
        torch.testing.assert_close(mine[name], mlm.bert.state_dict()[name])
    torch.testing.assert_close(
        mine["embeddings.word_embeddings.weight"],
        mlm.bert.state_dict()["embeddings.word_embeddings.weight"],
    )

    # Large checkpoints come in shards named by an index.
    (ckpt / "pytorch_model.bin").unlink()
    names = sorted(old_names)
    weight_map = {}
    for i, part in enumerate((names[::2], names[1::2])):
        torch.save({k: old_names[k] for k in part}, ckpt / f"pytorch_model-0000{i + 1}.bin")
        weight_map |= dict.fromkeys(part, f"pytorch_model-0000{i + 1}.bin")
    (ckpt / "pytorch_model.bin.index.json").write_text(json.dumps({"weight_map": weight_map}))
    state = read_checkpoint_weights(ckpt)
    assert state.keys() == mlm.state_dict().keys()
    torch.testing.assert_close(
        state["cls.predictions.transform.dense.weight"],
        mlm.state_dict()["cls.predictions.transform.dense.weight"],
    )

    marker = tmp_path / "ran"
    (ckpt / "pytorch_model.bin").write_bytes(pickle.dumps(_RunsCode(str(marker)), protocol=2))
    with pytest.raises(TrainingError, match="Python objects besides tensors"):
        fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt)))
    assert not marker.exists()
    # pickle protocol 4 gets another error from torch, not one about a damaged download
    (ckpt / "pytorch_model.bin").write_bytes(pickle.dumps(_RunsCode(str(marker)), protocol=4))
    with pytest.raises(TrainingError, match="Python objects besides tensors"):
        fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt)))
    assert not marker.exists()
    (ckpt / "pytorch_model.bin").write_bytes(pickle.dumps(_RunsCode(str(marker)), protocol=2))
    assert pickle.loads((ckpt / "pytorch_model.bin").read_bytes()) is None and marker.exists()


class _RunsCode:
    """Unpickling this creates a file: what a hostile checkpoint could do instead."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_checkpoint_summary_reads_the_folder_without_the_weights(tmp_path):
    ckpt = tmp_path / "DNA_bert_3"
    dnabert_checkpoint(ckpt)
    assert checkpoint_summary(ckpt) == (
        "k = 3, 1 layer, hidden size 32, 2 heads; weights from model.safetensors"
    )
    (ckpt / "model.safetensors").write_bytes(b"not read here")  # only looked for
    assert checkpoint_summary(ckpt).endswith("model.safetensors")
    (ckpt / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match=r"no model\.safetensors or pytorch_model\.bin"):
        checkpoint_summary(ckpt)
    (ckpt / "model.safetensors").write_bytes(b"")
    (ckpt / "vocab.txt").write_text("\n".join(kmer_vocab(3)[::-1]))  # the right size, wrong order
    with pytest.raises(CheckpointError, match="do not match"):
        checkpoint_summary(ckpt)
    (ckpt / "vocab.txt").write_text("[PAD]\nAAA\n")
    with pytest.raises(CheckpointError, match="not a DNABERT k-mer vocabulary"):
        checkpoint_summary(ckpt)


def test_damaged_or_partial_checkpoints_are_refused_with_the_reason(tmp_path):
    """An empty or git-lfs-pointer .bin, a shard index that names weights its shards lack
    or a shard outside the folder, and a checkpoint missing encoder layers: each is a
    one-line reason before any training, never torch's own advice to unpickle freely."""
    ckpt = tmp_path / "DNA_bert_3"
    mlm = dnabert_checkpoint(ckpt)
    (ckpt / "model.safetensors").unlink()
    ds = planted_dataset(n=40, length=20)
    bin_file = ckpt / "pytorch_model.bin"

    def refused(match: str) -> None:
        with pytest.raises(TrainingError, match=match) as e:
            fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt)))
        assert "weights_only" not in str(e.value) and "\n" not in str(e.value)

    bin_file.write_bytes(b"")
    refused("empty or damaged")
    bin_file.write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 9\n")
    refused("git-lfs pointer")
    state = mlm.state_dict()
    encoder_less = {k: v for k, v in state.items() if ".layer.0.attention." not in k}
    torch.save(encoder_less, bin_file)
    refused(r"of the encoder's weights are not in the checkpoint \(e\.g\. bert\.encoder\.layer\.0")

    bin_file.unlink()
    torch.save(state, ckpt / "part-1.bin")
    index = ckpt / "pytorch_model.bin.index.json"
    index.write_text(
        json.dumps({"weight_map": dict.fromkeys(state, "part-1.bin") | {"x": "part-1.bin"}})
    )
    refused("names 1 weights its shards do not hold")
    index.write_text(json.dumps({"weight_map": {"x": "../part-1.bin"}}))
    refused("not a file in the same folder")
    index.write_text(json.dumps({"weight_map": ["part-1.bin"]}))
    refused("weight_map must map weight names to shard files")
    index.write_text(json.dumps({"weight_map": dict.fromkeys(state, "part-1.bin")}))
    net = fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt), lr=0.0)).model
    word = "embeddings.word_embeddings.weight"
    torch.testing.assert_close(net.hf.bert.state_dict()[word], mlm.bert.state_dict()[word])


def test_a_checkpoint_sets_k_and_size_and_the_cli_refuses_flags_it_contradicts(tmp_path, capsys):
    from genoviz.cli import main
    from genoviz.train_build import checkpoint_build

    ckpt = tmp_path / "dnabert3"
    dnabert_checkpoint(ckpt)  # hidden 32, 1 layer: none of the named sizes
    shape = checkpoint_build("kmer-bert", str(ckpt))
    assert shape["k"] == 3 and shape["size"] == "checkpoint"  # not the default "small"
    ds = planted_dataset(n=40, length=20)
    r = fit(ds, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(ckpt), lr=0.0))
    assert r.model.hf.config.hidden_size == 32
    csv_path = tmp_path / "d.csv"
    csv_path.write_text(
        "sequence,label\n"
        + "".join(f"{s},{int(y)}\n" for s, y in zip(ds.sequences, ds.labels, strict=True))
    )
    base = ["train", "--data", str(csv_path), "--model", "kmer-bert", "--init-bert", str(ckpt)]
    assert main([*base, "--k", "6", "--out", str(tmp_path / "a")]) == 2
    assert "--k 6 contradicts --init-bert" in capsys.readouterr().err
    assert main([*base, "--bert-size", "small", "--out", str(tmp_path / "b")]) == 2
    assert "whose size is checkpoint" in capsys.readouterr().err


def test_a_codon_bert_checkpoint_checks_only_the_size_it_holds(tmp_path):
    """A codon vocabulary is no k-mer vocabulary: --bert-size is checked against the
    checkpoint's size without reading it as a k-mer BERT."""
    import argparse

    import models
    from genoviz.cli_options import bert_hparams

    ckpt = tmp_path / "codon"
    models.get("codon-bert", seq_len=30, size="tiny", head="mlm").hf.save_pretrained(ckpt)
    args = argparse.Namespace(k=None, bert_size="tiny", init_bert=str(ckpt))
    assert bert_hparams(args, "codon-bert") == {"size": "tiny"}
    args.bert_size = "small"
    with pytest.raises(TrainingError, match="--bert-size small contradicts --init-bert"):
        bert_hparams(args, "codon-bert")
