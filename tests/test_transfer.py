"""Transfer: initialise a model from a saved run, optionally with the trunk frozen."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from genoviz import runs
from genoviz.cli import main
from genoviz.data import Dataset, DatasetMeta
from genoviz.training import TrainConfig, TrainingError, fit
from genoviz.transfer import TransferError, freeze_trunk, init_from_run, is_head
from tests.conftest import planted_dataset

SMALL = {"members": 1, "filters": 8, "hidden": 8}


def _config(tmp_path, **kw) -> TrainConfig:
    base = dict(epochs=3, batch_size=64, lr=1e-2, seed=0, runs_dir=str(tmp_path), hparams=SMALL)
    return TrainConfig(**(base | kw))


@pytest.fixture(scope="module")
def source_run(tmp_path_factory):
    """'Species A': a cnn trained on one planted set, saved as a run."""
    tmp = tmp_path_factory.mktemp("src")
    result = fit(planted_dataset(n=800, seed=1), "cnn", _config(tmp, epochs=10))
    assert result.test_metrics["roc_auc"] > 0.9
    return result.run_dir


def test_fine_tune_copies_weights_and_frozen_trunk_stays_put(source_run, tmp_path):
    saved = load_file(str(source_run / runs.WEIGHTS))
    target = planted_dataset(n=300, seed=7)  # 'species B': other sequences, same motif
    cfg = _config(tmp_path, init_from=str(source_run), freeze_trunk=True)
    result = fit(target, "cnn", cfg)
    t = result.transfer
    assert t is not None and t["source"] == str(source_run)
    assert set(t["copied"]) == set(saved)  # same architecture: everything fits
    assert t["skipped"] == {}
    assert t["frozen"] and all(not is_head(n) for n in t["frozen"])
    final = result.model.state_dict()
    for name in t["frozen"]:
        torch.testing.assert_close(final[name].cpu(), saved[name], rtol=0, atol=0)
    heads = [n for n in saved if is_head(n)]
    assert any(not torch.equal(final[n].cpu(), saved[n]) for n in heads)  # the head trained
    info = json.loads((result.run_dir / runs.RUN_JSON).read_text())
    assert info["transfer"]["frozen"] == t["frozen"]


def test_unfrozen_fine_tune_moves_the_trunk(source_run, tmp_path):
    saved = load_file(str(source_run / runs.WEIGHTS))
    result = fit(
        planted_dataset(n=300, seed=7), "cnn", _config(tmp_path, init_from=str(source_run))
    )
    conv = "members.0.conv.conv.weight"
    assert conv in result.transfer["copied"] and result.transfer["frozen"] == []
    assert not torch.equal(result.model.state_dict()[conv].cpu(), saved[conv])


def test_pretrained_trunk_beats_fresh_start_with_few_labels(source_run, tmp_path):
    """With 60 labelled sequences and 2 epochs, the trunk pretrained on 'species A' wins."""
    target = planted_dataset(n=60, seed=11)
    target.ensure_splits(0)
    test = planted_dataset(n=400, seed=12)
    scores = {}
    for init in (None, str(source_run)):
        cfg = _config(tmp_path, epochs=2, init_from=init, freeze_trunk=init is not None)
        model = fit(target, "cnn", cfg).model.eval()
        with torch.no_grad():
            p = torch.sigmoid(model(torch.from_numpy(test.encode()))).numpy()[:, 0]
        from sklearn.metrics import roc_auc_score

        scores[init is not None] = roc_auc_score(test.labels, p)
    assert scores[True] > 0.9
    assert scores[True] > scores[False] + 0.05, scores


def test_new_head_shape_is_skipped_and_reported(source_run, tmp_path):
    """Binary -> 3 classes: the output layer cannot be copied and is reported."""
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 40)) for _ in range(90)]
    ds = Dataset(seqs, np.arange(90) % 3, "multiclass", DatasetMeta(name="three"))
    result = fit(ds, "cnn", _config(tmp_path, epochs=1, init_from=str(source_run)))
    skipped = result.transfer["skipped"]
    assert set(skipped) == {"members.0.head.out.weight", "members.0.head.out.bias"}
    assert "shape (1, 8) in the run, (3, 8) here" in skipped["members.0.head.out.weight"]


def test_nothing_matching_raises_a_clear_error(source_run, tmp_path):
    with pytest.raises(TrainingError, match=r"no weights of .* fit this model"):
        cfg = _config(tmp_path, init_from=str(source_run), hparams={})
        fit(planted_dataset(n=100), "linear", cfg)
    with pytest.raises(TransferError, match="not a genoviz run folder"):
        import models

        init_from_run(models.get("linear", seq_len=40), tmp_path)


def test_freezing_a_trunk_the_run_cannot_fill_is_refused(source_run, tmp_path):
    """A source of another shape left the trunk random, and freezing kept it so."""
    wider = SMALL | {"filters": 16}
    cfg = _config(tmp_path, init_from=str(source_run), freeze_trunk=True, hparams=wider)
    with pytest.raises(TrainingError, match=r"trunk tensors to freeze are not in .* same shape"):
        fit(planted_dataset(n=100), "cnn", cfg)
    cfg.freeze_trunk = False  # without freezing, the fresh part trains
    assert fit(planted_dataset(n=100), "cnn", cfg).transfer["skipped"]


def test_freeze_without_init_is_refused(tmp_path):
    with pytest.raises(TrainingError, match="needs a run to initialise"):
        fit(planted_dataset(n=100), "cnn", _config(tmp_path, freeze_trunk=True))


def test_freeze_trunk_leaves_only_heads_trainable():
    import models

    net = models.get("danq", seq_len=40)
    frozen = freeze_trunk(net)
    assert "conv.conv.weight" in frozen and "rnn.lstm.weight_ih_l0" in frozen
    trainable = [n for n, p in net.named_parameters() if p.requires_grad]
    assert trainable and all(n.startswith("head.") for n in trainable)


def test_cli_init_and_freeze_trunk(source_run, tmp_path, capsys):
    csv = tmp_path / "b.csv"
    ds = planted_dataset(n=200, seed=3)
    csv.write_text(
        "sequence,label\n"
        + "\n".join(f"{s},{y}" for s, y in zip(ds.sequences, ds.labels, strict=True))
    )
    out = tmp_path / "run"
    build = json.loads((source_run / runs.RUN_JSON).read_text())["model"]["build"]
    assert build["members"] == 1
    train = ["train", "--data", str(csv), "--model", "cnn", "--epochs", "1", "--quiet",
             "--init", str(source_run), "--freeze-trunk"]  # fmt: skip
    # the CLI builds the registry defaults (4 members): only member 0 fits, and freezing
    # members 1-3 at random values is refused
    assert main([*train, "--out", str(tmp_path / "defaults")]) == 2
    assert "trunk tensors to freeze are not in" in capsys.readouterr().err
    assert main([*train, "--out", str(out), "--hparams", json.dumps(SMALL)]) == 0
    info = json.loads((out / runs.RUN_JSON).read_text())
    assert info["transfer"]["copied"] and info["transfer"]["frozen"]
    assert set(info["transfer"]["frozen"]) <= set(info["transfer"]["copied"])
    code = main(["train", "--data", str(csv), "--out", str(tmp_path / "x"), "--init", str(csv)])
    assert code == 2
    assert "not a genoviz run folder" in capsys.readouterr().err


def _fake_run(root, name: str, model_name: str, status: str = "finished", **build):
    """A run folder with untrained weights of ``model_name`` built with ``build``."""
    import models

    path = root / name
    path.mkdir()
    runs.write_run_json(path, {"status": status, "model": {"name": model_name, "build": build}})
    runs.save_weights(path, models.get(model_name, **build))
    return runs.load_run(path)


def test_compatible_runs_are_those_sharing_tensors(tmp_path):
    import models
    from genoviz.transfer import compatible_runs, saved_shapes

    cnn40 = {"seq_len": 40, "outputs": 1, "extras": 0, **SMALL}
    same = _fake_run(tmp_path, "a-cnn", "cnn", **cnn40)
    other_head = _fake_run(tmp_path, "b-cnn3", "cnn", seq_len=40, outputs=3, extras=0, **SMALL)
    linear = _fake_run(tmp_path, "c-linear", "linear", seq_len=40, outputs=1, extras=0)
    failed = _fake_run(tmp_path, "d-failed", "cnn", "failed", **cnn40)
    bare = tmp_path / "e-noweights"
    bare.mkdir()
    runs.write_run_json(bare, {"status": "finished", "model": {"name": "cnn", "build": {}}})
    model = models.get("cnn", **cnn40)
    n = len(model.state_dict())
    assert saved_shapes(same.path) == {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = compatible_runs(model, [same, other_head, linear, failed, runs.load_run(bare)])
    assert [m.run.name for m in found] == ["a-cnn", "b-cnn3"]
    assert found[0].matching == found[0].total == n
    assert 0 < found[1].matching < n  # the trunk fits, the 3-class head does not


def test_report_rows_say_what_happened_to_each_tensor():
    from genoviz.transfer import report_rows

    report = {
        "source": "runs/a",
        "copied": ["conv.weight", "head.weight"],
        "skipped": {"head.bias": "shape (3,) in the run, (1,) here"},
        "unused": ["decoder.weight"],
        "frozen": ["conv.weight"],
    }
    assert report_rows(report) == [
        {"tensor": "conv.weight", "what": "copied, frozen"},
        {"tensor": "head.weight", "what": "copied"},
        {"tensor": "head.bias", "what": "kept fresh: shape (3,) in the run, (1,) here"},
        {"tensor": "decoder.weight", "what": "in the run, not used"},
    ]


def test_bert_fine_tune_with_a_frozen_trunk_trains_pooler_and_classifier(tmp_path):
    # BERT's head is hf.bert.pooler + hf.classifier: before, it had no "head" in its
    # names, so everything froze and AdamW got an empty parameter list.
    tiny = {"size": "tiny", "k": 3}
    source = fit(planted_dataset(n=200), "kmer-bert", _config(tmp_path, epochs=1, hparams=tiny))
    saved = load_file(str(source.run_dir / runs.WEIGHTS))
    cfg = _config(
        tmp_path,
        epochs=1,
        hparams=tiny,
        init_from=str(source.run_dir),
        freeze_trunk=True,
        ema_epochs=0,
    )
    result = fit(planted_dataset(n=200, seed=5), "kmer-bert", cfg)
    frozen, final = result.transfer["frozen"], result.model.state_dict()
    assert "hf.bert.encoder.layer.0.attention.self.query.weight" in frozen
    assert not any("pooler" in n or "classifier" in n for n in frozen)
    for name in frozen:
        torch.testing.assert_close(final[name].cpu(), saved[name], rtol=0, atol=0)
    for name in ("hf.classifier.weight", "hf.bert.pooler.dense.weight"):
        assert not torch.equal(final[name].cpu(), saved[name]), name


def test_init_from_a_bert_run_builds_its_architecture(tmp_path, capsys):
    """--init from a tiny kmer-bert built the default small one, which took 1 of its 73
    tensors and trained on fresh; an explicit option still wins, and --k contradicting
    --hparams is refused rather than one silently winning."""
    data = tmp_path / "d.csv"
    ds = planted_dataset(80, seed=1)
    rows = zip(ds.sequences, ds.labels, strict=True)
    data.write_text("sequence,label\n" + "".join(f"{s},{int(y)}\n" for s, y in rows))
    base = ["train", "--data", str(data), "--model", "kmer-bert", "--epochs", "1", "--quiet"]
    src = tmp_path / "src"
    assert main([*base, "--bert-size", "tiny", "--k", "3", "--out", str(src)]) == 0
    dst = tmp_path / "dst"
    assert main([*base, "--init", str(src), "--out", str(dst)]) == 0
    build = runs.load_run(dst).info["model"]["build"]
    assert build["size"] == "tiny" and build["k"] == 3
    transfer = runs.load_run(dst).info["transfer"]
    assert len(transfer["copied"]) > 10 * len(transfer["skipped"])  # all but the head
    asked = tmp_path / "asked"  # an option given still wins (and copies less)
    assert main([*base, "--init", str(src), "--k", "4", "--out", str(asked)]) == 0
    build = runs.load_run(asked).info["model"]["build"]
    assert build["k"] == 4 and build["size"] == "tiny"
    capsys.readouterr()
    bad = [*base, "--k", "4", "--hparams", '{"k": 3}', "--out", str(tmp_path / "x")]
    assert main(bad) == 2
    assert "--k 4 contradicts --hparams k=3" in capsys.readouterr().err
