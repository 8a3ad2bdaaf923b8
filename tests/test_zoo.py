"""The sequence-model zoo: linear, mlp, bilstm, danq, deepchem-tf-access and motif-net, each through
the one registry and the one fit loop, on every task kind."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import models
from genoviz import runs
from genoviz.data import Dataset, load_bundled
from genoviz.predict import predict_arrays
from genoviz.training import TrainConfig, TrainingError, fit
from tests.conftest import planted_dataset

ZOO = ("linear", "mlp", "bilstm", "danq", "deepchem-tf-access", "motif-net", "autoencoder")
NONLINEAR = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Softplus, nn.GELU, nn.ELU)


def one_hot(n: int, length: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, 4, (n, length), generator=g)
    return nn.functional.one_hot(idx, 4).float().transpose(1, 2)


def subset(name: str, k: int, seed: int = 0) -> Dataset:
    d = load_bundled(name)
    idx = np.random.default_rng(seed).choice(len(d), k, replace=False)
    extras = None if d.extras is None else d.extras[idx]
    return Dataset([d.sequences[i] for i in idx], d.labels[idx], d.task, d.meta, extras=extras)


def test_zoo_is_registered_for_every_task():
    for name in ZOO:
        s = models.spec(name)
        assert set(s.tasks) == set(models.ALL_TASKS), name
    assert models.spec("deepchem-tf-access").input_kind == "onehot+extras"
    plain = {s.name for s in models.available("binary", "onehot")}
    with_extras = {s.name for s in models.available("binary", "onehot+extras")}
    assert {"linear", "mlp", "bilstm", "danq"} <= plain
    assert "deepchem-tf-access" not in plain  # only shown when the data has extras
    assert plain | {"deepchem-tf-access"} <= with_extras


@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("outputs", [1, 3])
def test_shapes_gradients_and_extras(name, outputs):
    torch.manual_seed(0)
    net = models.get(name, seq_len=40, outputs=outputs, extras=2)
    x, e = one_hot(6, 40), torch.randn(6, 2)
    out = net(x, e)
    assert out.shape == (6, outputs)
    out.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())
    net.eval()  # extras really reach the output
    assert not torch.allclose(net(x, e), net(x, e + 1.0))
    with pytest.raises(ValueError, match="needs 2 extra"):
        net(x)


@pytest.mark.parametrize("name", ["bilstm", "danq", "mlp"])
def test_batch_size_invariance(name):
    net = models.get(name, seq_len=40).eval()
    x = one_hot(8, 40)
    torch.testing.assert_close(net(x)[:3], net(x[:3]), atol=1e-5, rtol=1e-5)


def test_bilstm_takes_any_length():
    net = models.get("bilstm", seq_len=40).eval()
    assert net(one_hot(2, 57)).shape == (2, 1)
    assert not models.spec("bilstm").fixed_length and models.spec("danq").fixed_length


def test_linear_is_a_position_weight_matrix():
    """Known answer: the logit is the bias plus the weight of the base at each position."""
    net = models.get("linear", seq_len=3)
    with torch.no_grad():
        net.head.out.weight.copy_(torch.arange(12.0).reshape(1, 12))  # (4, 3) row-major
        net.head.out.bias.fill_(0.5)
    x = torch.zeros(1, 4, 3)
    x[0, [0, 2, 3], [0, 1, 2]] = 1.0  # A C T  -> weights w[A,0]=0, w[G,1]=7, w[T,2]=11
    x[0, 2, 1], x[0, 1, 1] = 1.0, 0.0  # position 1 is G
    assert float(net(x).detach()) == pytest.approx(0.5 + 0 + 7 + 11)
    pwm = net.first_layer_filters()
    assert pwm.shape == (1, 4, 3) and float(pwm[0, 2, 1]) == 7.0


def test_danq_matches_its_layout():
    net = models.get("danq", seq_len=101, filters=16, kernel=11, pool=13, hidden=8)
    assert net.first_layer_filters().shape == (16, 4, 11)
    assert net.rnn.lstm.bidirectional and net.rnn.lstm.input_size == 16
    assert net.head.hidden.in_features == 2 * 8 * 8  # ceil(101 / 13) = 8 pooled steps


@pytest.mark.parametrize(
    "name",
    [
        n
        for n, s in models.REGISTRY.items()
        if s.input_kind not in models.TOKEN_KINDS and n != "linear"  # linear has none
    ],
)
def test_each_nonlinearity_is_its_own_module_used_once(name):
    """DeepLift (captum) hooks each nonlinearity; a shared or reused one breaks it."""
    net = models.get(name, seq_len=40, extras=1).eval()
    calls: dict[int, int] = {}
    acts = [m for m in net.modules() if isinstance(m, NONLINEAR)]
    assert acts, "no nonlinearity modules found"
    hooks = [
        m.register_forward_hook(lambda m, i, o: calls.__setitem__(id(m), calls.get(id(m), 0) + 1))
        for m in acts
    ]
    try:
        net(one_hot(2, 40), torch.zeros(2, 1))
    finally:
        for h in hooks:
            h.remove()
    assert all(calls.get(id(m), 0) == 1 for m in acts), calls


@pytest.mark.parametrize("name", ["linear", "mlp", "deepchem-tf-access", "motif-net"])
def test_deeplift_completeness(name):
    """captum DeepLift: attributions sum to the output difference from the baseline."""
    from captum.attr import DeepLift

    torch.manual_seed(0)
    net = models.get(name, seq_len=30).eval()
    x = one_hot(4, 30)
    attr, delta = DeepLift(net).attribute(x, baselines=x * 0 + 0.25, return_convergence_delta=True)
    assert attr.shape == x.shape
    assert delta.abs().max() < 1e-3


@pytest.mark.parametrize("name", ["bilstm", "danq", "autoencoder"])
def test_deeplift_runs_on_recurrent_and_pooled_models(name):
    """captum's DeepLift runs on them, but is *not* complete here: it cannot hook the LSTM
    gates, and its max-pool rule is approximate (relative deltas of 0.2-1.6 seen), so the
    interpretation pages should prefer integrated gradients for these models."""
    from captum.attr import DeepLift

    torch.manual_seed(0)
    net = models.get(name, seq_len=40).eval()
    x = one_hot(4, 40)
    attr = DeepLift(net).attribute(x, baselines=x * 0 + 0.25)
    assert attr.shape == x.shape and torch.isfinite(attr).all() and attr.abs().sum() > 0


def test_cnn_beats_linear_on_a_motif_that_moves():
    """The teaching point: a motif at a random position needs shared filters."""
    ds = planted_dataset(n=800, seed=2)
    cfg = TrainConfig(epochs=8, lr=1e-2, batch_size=64, save=False)
    lin = fit(ds, "linear", cfg).test_metrics["roc_auc"]
    cnn = fit(ds, "cnn", TrainConfig(**(vars(cfg) | {"hparams": {"members": 1}}))).test_metrics[
        "roc_auc"
    ]
    assert cnn > 0.95 and lin < 0.8 and cnn > lin + 0.2, (lin, cnn)


@pytest.mark.parametrize(
    ("name", "floor", "extra"),
    [
        ("linear", 0.7, {}),
        ("mlp", 0.7, {}),
        ("danq", 0.7, {}),
        # global max pooling forgets where a site is; attention over motif profiles recalls
        # some of it (splice-sites has pseudo-site decoys, so 0.6 on this subset)
        ("motif-net", 0.5, {"lr": 1e-2, "epochs": 8, "hparams": {"attention_heads": 2}}),
    ],
)
def test_multiclass_head_on_splice_sites(name, floor, extra):
    ds = subset("splice-sites", 1000)
    cfg = TrainConfig(**({"epochs": 4, "batch_size": 64, "seq_len": 100, "save": False} | extra))
    result = fit(ds, name, cfg)
    assert result.test_predictions.shape == (len(ds.splits["test"]), 3)
    np.testing.assert_allclose(result.test_predictions.sum(1), 1.0, rtol=1e-5)
    assert result.test_metrics["accuracy"] > floor  # 3 classes: chance is about 0.33
    assert "valid_confusion" in result.history[-1]


@pytest.mark.parametrize("name", ["mlp", "bilstm", "danq", "motif-net"])
def test_multitask_head_on_tf_multitask(name, tmp_path):
    ds = subset("tf-multitask", 400)
    cfg = TrainConfig(epochs=1, batch_size=64, runs_dir=str(tmp_path), hparams={})
    result = fit(ds, name, cfg)
    p = result.test_predictions
    assert p.shape == (len(ds.splits["test"]), 4) and ((p >= 0) & (p <= 1)).all()
    assert {f"roc_auc_{t}" for t in ds.class_names} <= set(result.test_metrics)
    # save/load round trip: the run rebuilds the same model
    loaded = runs.load_run(result.run_dir).load_model()
    x = torch.from_numpy(ds.encode()[:16])
    np.testing.assert_allclose(
        predict_arrays(loaded, x), predict_arrays(result.model, x), rtol=1e-5, atol=1e-6
    )


def test_extras_model_is_refused_without_extras(tmp_path):
    with pytest.raises(TrainingError, match="needs extra per-sequence inputs"):
        fit(planted_dataset(n=100), "deepchem-tf-access", TrainConfig(epochs=1, save=False))


# --- the Train page offers each model only where it fits -----------------------------------


@pytest.fixture
def train_page(monkeypatch, tmp_path):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.syspath_prepend(str(root))
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.training
def test_train_page_offers_models_that_fit_the_data(train_page):
    at = train_page
    options = at.selectbox(key="train_model").options
    assert at.selectbox(key="train_dataset").value == "tf-binding"  # has accessibility
    for name in (*ZOO, "cnn"):
        assert any(o.split(" ")[0] == name for o in options), (name, options)
    at.selectbox(key="train_model").select("deepchem-tf-access").run()
    assert not at.exception and not at.error
    assert not [c for c in at.checkbox if c.key == "train_extras"]  # always on: no switch
    assert any("always takes accessibility" in c.value for c in at.caption)
    at.selectbox(key="train_dataset").select("splice-sites").run()  # no extras, 3 classes
    options = at.selectbox(key="train_model").options
    assert not any(o.startswith("deepchem-tf-access") for o in options)
    assert not any(o.startswith("deepchem-sirna") for o in options)  # regression only
    assert any(o.startswith("motif-net") for o in options)


@pytest.fixture(scope="module")
def toy_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "toy.csv"
    ds = planted_dataset(n=120, seed=6)
    rows = (
        f"{s},{y:g},{i % 7}" for i, (s, y) in enumerate(zip(ds.sequences, ds.labels, strict=True))
    )
    path.write_text("sequence,label,access\n" + "\n".join(rows))
    return path


@pytest.mark.parametrize("name", ZOO)
def test_every_zoo_model_trains_and_predicts_through_the_cli(name, toy_csv, tmp_path, capsys):
    import json

    from genoviz.cli import main

    run = tmp_path / "run"
    code = main(
        ["train", "--data", str(toy_csv), "--model", name, "--epochs", "1", "--out", str(run),
         "--quiet"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    final = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert final["model"] == name and final["status"] == "finished"
    out = tmp_path / "pred.csv"
    assert main(["predict", "--run", str(run), "--data", str(toy_csv), "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    # a model that reads the file's extra column writes the value it scored with
    reads_extras = json.loads((run / "run.json").read_text())["model"]["build"].get("extras")
    header = "id,prediction,label" + (",access" if reads_extras else "")
    assert lines[0] == header and len(lines) == 121
    assert all(0.0 <= float(line.split(",")[1]) <= 1.0 for line in lines[1:])


def test_cli_hparams_reach_the_model(toy_csv, tmp_path, capsys):
    import json

    from genoviz.cli import main

    run = tmp_path / "run"
    hp = '{"motifs": 3, "init": "jaspar", "jaspar": ["JUND"], "freeze_motifs": true}'
    args = ["train", "--data", str(toy_csv), "--model", "motif-net", "--epochs", "1"]
    assert main([*args, "--hparams", hp, "--out", str(run), "--quiet"]) == 0
    build = json.loads((run / "run.json").read_text())["model"]["build"]
    assert build["jaspar"] == ["JUND"] and build["motifs"] == 3
    loaded = runs.load_run(run).load_model()
    assert loaded.scan.fixed == 2 and loaded.names[0].endswith("JUND")
    bad = ["--hparams", '{"init": "jaspar", "jaspar": ["NOTATF"]}', "--out", str(tmp_path / "x")]
    assert main([*args, *bad]) == 2
    assert "JASPAR has no matrix for a factor named 'NOTATF'" in capsys.readouterr().err


def test_jaspar_tax_group_is_kept_in_the_run_record(toy_csv, tmp_path):
    """GATA1 also names an Arabidopsis matrix: ``auto`` leaves it out, run.json keeps the
    choice and the reloaded run is the same one-matrix frozen net."""
    import json

    from genoviz.cli import main

    run = tmp_path / "run"
    hp = {"motifs": 3, "init": "jaspar", "jaspar": ["GATA1"], "freeze_motifs": True}
    hp["jaspar_tax_group"] = "auto"
    args = ["train", "--data", str(toy_csv), "--model", "motif-net", "--epochs", "1"]
    assert main([*args, "--hparams", json.dumps(hp), "--out", str(run), "--quiet"]) == 0
    build = json.loads((run / "run.json").read_text())["model"]["build"]
    assert build["jaspar_tax_group"] == "auto"
    loaded = runs.load_run(run).load_model()
    assert loaded.scan.fixed == 1 and loaded.names[0].startswith("MA0035")
    assert loaded.jaspar_choice.left_out[0].startswith("MA2388.1 GATA1 (Arabidopsis")
