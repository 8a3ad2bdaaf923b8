"""The convolutional autoencoder: shapes, reconstruction, latent map, CLI and transfer."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import models
from genoviz import runs
from genoviz.autoencoder import (
    PURPOSE,
    AutoencoderConfig,
    commonest_base_accuracy,
    fit_autoencoder,
    reconstruction_loss,
)
from genoviz.cli import main
from genoviz.data import Dataset, DatasetMeta
from genoviz.onehot import one_hot
from genoviz.plots_models import extras_gain_figure, latent_map_figure
from genoviz.training import TrainConfig, fit
from models.autoencoder import bottleneck_length
from tests.conftest import planted_dataset

FAST = AutoencoderConfig(epochs=8, lr=1e-2, batch_size=64)


def gc_dataset(n: int = 400, length: int = 40, seed: int = 0) -> Dataset:
    """Class 1 is GC-rich (70%), class 0 AT-rich (30%): a difference any code should keep."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    seqs = []
    for y in labels:
        gc = 0.7 if y else 0.3
        p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
        seqs.append("".join(rng.choice(list("ACGT"), length, p=p)))
    return Dataset(seqs, labels, "binary", DatasetMeta(name="gc"))


def test_shapes_and_registry_model_has_no_decoder():
    assert bottleneck_length(101, 2) == 26 and bottleneck_length(40, 4) == 3
    net = models.get("autoencoder", seq_len=41, decoder=True, latent=3, pool=2)
    x = torch.from_numpy(one_hot(["ACGT" * 10 + "A"] * 2))
    assert net.encode(x).shape == (2, 3, 11)
    assert net.reconstruct(x).shape == (2, 4, 41)
    assert net(x).shape == (2, 1)
    plain = models.get("autoencoder", seq_len=41)
    assert not any(n.startswith("decoder") for n, _ in plain.named_parameters())
    with pytest.raises(AttributeError, match="without its decoder"):
        plain.reconstruct(x)


def test_reconstruction_loss_skips_n_and_counts_correct_bases():
    x = torch.from_numpy(one_hot(["ACGN"]))
    perfect = x * 20 - 10
    loss, correct, known = reconstruction_loss(perfect, x)
    assert (correct, known) == (3, 3) and float(loss) < 1e-6
    uniform = torch.zeros_like(x)
    loss, _, _ = reconstruction_loss(uniform, x)
    assert float(loss) == pytest.approx(np.log(4), rel=1e-6)


def test_autoencoder_reconstructs_well_above_chance_and_reports_progress(tmp_path):
    epochs, fractions = [], []
    result = fit_autoencoder(
        planted_dataset(n=600, seed=0),
        FAST,
        on_epoch=epochs.append,
        on_progress=fractions.append,
        run_dir=tmp_path / "ae",
    )
    assert result.test_accuracy > 0.5  # chance is about 0.25 per base (0.58 seen)
    assert len(epochs) == 8 and epochs[-1]["valid_accuracy"] > epochs[0]["valid_accuracy"]
    assert fractions[-1] == 1.0
    n_test = len(result.latent.ids)
    assert result.latent.coords.shape == (n_test, 2)
    ev = result.latent.explained
    assert 0 < ev[1] <= ev[0] < 1
    info = json.loads((tmp_path / "ae" / runs.RUN_JSON).read_text())
    assert info["status"] == "finished" and info["model"]["build"]["decoder"] is True
    assert info["final_metrics"]["test"]["reconstruction_accuracy"] == pytest.approx(
        result.test_accuracy
    )
    # the floor to beat, on the same bases: the test split's
    ds = planted_dataset(n=600, seed=0)
    ds.ensure_splits(FAST.seed)
    test = [ds.sequences[i] for i in ds.splits["test"]]
    assert result.test_floor == pytest.approx(commonest_base_accuracy(test))
    assert result.test_floor != pytest.approx(commonest_base_accuracy(ds.sequences), abs=1e-4)
    assert info["final_metrics"]["test"]["commonest_base_accuracy"] == result.test_floor
    # the saved run rebuilds with its decoder and reconstructs the same way
    loaded = runs.load_run(tmp_path / "ae").load_model()
    x = torch.from_numpy(planted_dataset(n=4, seed=9).encode())
    torch.testing.assert_close(loaded.reconstruct(x), result.model.cpu().reconstruct(x))


def test_latent_map_separates_what_the_sequences_differ_in():
    """Trained without labels, the 2-D map still splits GC-rich from AT-rich sequences."""
    result = fit_autoencoder(gc_dataset(), AutoencoderConfig(epochs=4, lr=1e-2, batch_size=64))
    lat = result.latent
    auc = max(
        roc_auc_score(lat.labels, lat.coords[:, 0]), roc_auc_score(lat.labels, -lat.coords[:, 0])
    )
    assert auc > 0.9


def test_stop_request_ends_training():
    result = fit_autoencoder(planted_dataset(n=200), FAST, should_stop=lambda: True)
    assert result.status == "stopped" and result.history == []


def test_encoder_initialises_a_classifier(tmp_path):
    """Pretrain without labels, then fine-tune: encoder copied, head fresh, decoder unused."""
    ae = fit_autoencoder(planted_dataset(n=300), FAST, run_dir=tmp_path / "ae")
    cfg = TrainConfig(epochs=1, save=False, init_from=str(ae.run_dir), freeze_trunk=True)
    result = fit(planted_dataset(n=300, seed=5), "autoencoder", cfg)
    t = result.transfer
    encoder = {n for n in result.model.state_dict() if n.startswith("encoder.")}
    assert encoder and encoder <= set(t["copied"])  # (its never-trained head comes along too)
    assert t["frozen"] and all(n.startswith("encoder.") for n in t["frozen"])
    assert t["unused"] and all(n.startswith("decoder.") for n in t["unused"])
    torch.testing.assert_close(
        result.model.encoder[0].conv.weight.cpu(), ae.model.encoder[0].conv.weight.cpu()
    )


def test_latent_map_figure_groups_by_label():
    coords = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    fig = latent_map_figure(coords, np.array([0, 1, 1]), [0.5, 0.25], label_names=["no", "yes"])
    assert [t.name for t in fig.data] == ["no", "yes"]
    assert list(fig.data[1].x) == [1.0, 2.0]
    assert "50%" in fig.layout.xaxis.title.text and "25%" in fig.layout.yaxis.title.text
    cont = latent_map_figure(
        np.zeros((20, 2)), np.linspace(0, 1, 20), [0.1, 0.1], value_name="label value"
    )
    assert len(cont.data) == 1 and cont.data[0].marker.showscale
    assert cont.data[0].marker.colorbar.title.text == "label value"  # what the colours are


def test_extras_gain_figure_puts_variants_side_by_side():
    fig = extras_gain_figure(
        {
            "sequence only": {"valid": 0.7, "test": 0.75},
            "+ accessibility": {"valid": 0.8, "test": 0.8},
        }
    )
    assert [t.name for t in fig.data] == ["sequence only", "+ accessibility"]
    assert list(fig.data[0].x) == ["valid", "test"] and list(fig.data[1].y) == [0.8, 0.8]


def test_cli_autoencode(tmp_path, capsys):
    csv = tmp_path / "s.csv"
    ds = planted_dataset(n=200, seed=2)
    rows = (f"{s},{y:g}" for s, y in zip(ds.sequences, ds.labels, strict=True))
    csv.write_text("sequence,label\n" + "\n".join(rows))
    out, lat = tmp_path / "run", tmp_path / "latent.csv"
    code = main(
        ["autoencode", "--data", str(csv), "--epochs", "6", "--lr", "0.01", "--out", str(out),
         "--latent-csv", str(lat), "--quiet"]
    )  # fmt: skip
    assert code == 0
    final = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert final["model"] == "autoencoder" and 0.3 < final["test"]["reconstruction_accuracy"] <= 1
    assert 0.25 <= final["test"]["commonest_base_accuracy"] < 0.5  # the floor beside it
    lines = lat.read_text().splitlines()
    # "label", as test_predictions.csv and predict name it (it was "label1")
    assert lines[0] == "id,pc1,pc2,label" and len(lines) == 1 + 20  # the 10% test split
    assert (out / runs.WEIGHTS).exists()
    info = runs.load_run(out).info  # the fields every run.json has (it once lacked two)
    assert info["versions"]["torch"] == torch.__version__ and 1 <= info["best_epoch"] <= 6
    assert info["status"] == "finished" and info["purpose"] == PURPOSE
    # Its head never learned labels: predict refuses it (it wrote a prediction per row).
    capsys.readouterr()
    argv = ["predict", "--run", str(out), "--data", str(csv), "--out", str(tmp_path / "p.csv")]
    assert main(argv) == 2
    assert "run is a pretraining run: its output layer never learned" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
    # it learns without labels, so an unlabelled FASTA will do (it used to ask for labels)
    fasta = tmp_path / "plain.fa"
    fasta.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(ds.sequences)))
    out2, lat2 = tmp_path / "run2", tmp_path / "latent2.csv"
    argv = ["autoencode", "--data", str(fasta), "--epochs", "1", "--out", str(out2)]
    assert main([*argv, "--latent-csv", str(lat2), "--quiet"]) == 0
    assert lat2.read_text().splitlines()[0] == "id,pc1,pc2"  # no labels to write


def test_commonest_base_accuracy_is_the_floor_to_beat():
    from genoviz.autoencoder import commonest_base_accuracy

    assert commonest_base_accuracy(["ACGT", "acgt"]) == 0.25
    assert commonest_base_accuracy(["AAAC", "NNUA"]) == pytest.approx(4 / 6)  # N skipped, U=T
    assert np.isnan(commonest_base_accuracy(["NNN"]))


def test_an_autoencoder_that_fails_says_so_and_cannot_be_resumed(tmp_path):
    """Its run.json once stayed "running" after an error. A stopped one is not offered for
    resuming either: its loop keeps no checkpoint (Resume failed with a TypeError)."""
    ds = planted_dataset(n=120)
    ds.weights = np.where(ds.labels > 0.5, 3.0, 1.0).astype(np.float32)

    def boom(record: dict) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        fit_autoencoder(ds, AutoencoderConfig(epochs=2), on_epoch=boom, run_dir=tmp_path / "a")
    info = runs.load_run(tmp_path / "a").info
    assert (info["status"], info["message"], info["epochs_done"]) == ("failed", "disk full", 1)
    assert info["dataset"]["weighted"] is False  # it ignores the weights
    stopped = fit_autoencoder(ds, AutoencoderConfig(epochs=2), should_stop=lambda: True,
                              run_dir=tmp_path / "s")  # fmt: skip
    run = runs.load_run(stopped.run_dir)
    assert run.status == "stopped" and not run.resumable
    from genoviz.training import resume_plan

    with pytest.raises(runs.RunError, match="a pretraining run keeps no checkpoint"):
        resume_plan(run.path)


def test_latent_label_columns_are_named_as_elsewhere():
    """The latent map and test_predictions.csv name labels with one
    run_predictions.label_columns."""
    from genoviz.run_predictions import label_columns

    tasks = label_columns(np.array([[1.0, 0.0]]), ["JUND", "GATA1"])
    assert list(tasks) == ["label_JUND", "label_GATA1"]
    assert tasks["label_JUND"].tolist() == [1.0] and tasks["label_GATA1"].tolist() == [0.0]
    sites = label_columns(np.array([2.0]), ["none", "donor", "acceptor"], classes=True)
    assert sites == {"label": ["acceptor"]}
    assert list(label_columns(np.zeros((1, 2)), [])) == ["label_1", "label_2"]
    assert label_columns(np.array([0.5]), [])["label"].tolist() == [0.5]
