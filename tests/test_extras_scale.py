"""Extra inputs are standardised on the training split inside the model: a column in the
thousands no longer collapses training, and every caller gives raw values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import planted_dataset

import models
from genoviz import runs
from genoviz.cli import main
from genoviz.data import load
from models.layers import ExtrasScale


def with_signal(tmp_path: Path, n: int = 400) -> Path:
    """A planted set plus a 'signal' column in the hundred thousands that carries the label
    (and noise), as a read count or a distance in bp would."""
    ds = planted_dataset(n, seed=3)
    rng = np.random.default_rng(0)
    signal = 200_000 + 50_000 * ds.labels + rng.normal(0, 20_000, n)
    path = tmp_path / "signal.csv"
    pd.DataFrame({"sequence": ds.sequences, "label": ds.labels, "signal": signal}).to_csv(
        path, index=False
    )
    return path


def test_a_large_valued_extra_trains_and_predicts_from_raw_values(tmp_path: Path, capsys):
    data, out = with_signal(tmp_path), tmp_path / "run"
    args = ["train", "--data", str(data), "--out", str(out), "--epochs", "5", "--quiet"]
    assert main([*args, "--model", "cnn"]) == 0
    assert "the model also reads 'signal' beside the sequence" in capsys.readouterr().err
    run = runs.load_run(out)
    model = run.load_model()
    scales = [m for m in model.modules() if isinstance(m, ExtrasScale)]
    ds = load(str(data))
    train = ds.extras[ds.splits["train"], 0]
    assert scales  # one per ensemble member's head
    for scale in scales:
        assert scale.mean.item() == pytest.approx(train.mean(), rel=1e-5)
        assert scale.std.item() == pytest.approx(train.std(), rel=1e-4)
    kept = pd.read_csv(out / runs.TEST_PREDICTIONS)
    assert kept["prediction"].std() > 0.01  # not one value (1.0) for every sequence
    final = json.loads((out / "run.json").read_text())["final_metrics"]["test"]
    assert final["roc_auc"] > 0.9  # the signal carries the label
    # predict gives the raw column and gets the scores the run kept
    pred = tmp_path / "p.csv"
    assert main(["predict", "--run", str(out), "--data", str(data), "--out", str(pred)]) == 0
    got = pd.read_csv(pred).set_index("id").loc[kept["id"], "prediction"].to_numpy()
    np.testing.assert_allclose(got, kept["prediction"].to_numpy(), atol=1e-5)


def test_weights_saved_before_standardising_load_as_they_were(tmp_path: Path):
    """Such a run trained on raw values: its extras are read raw (identity scale)."""
    net = models.get("cnn", seq_len=40, extras=2)
    state = {k: v for k, v in net.state_dict().items() if "extras_scale" not in k}
    d = tmp_path / "old"
    d.mkdir()
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in state.items()}, str(d / runs.WEIGHTS))
    runs.write_run_json(
        d,
        {
            "status": "finished",
            "model": {"name": "cnn", "build": {"seq_len": 40, "extras": 2}},
            "dataset": {"name": "toy", "spec": "toy", "task": "binary"},
        },
    )
    loaded = runs.load_run(d).load_model()
    scales = [m for m in loaded.modules() if isinstance(m, ExtrasScale)]
    assert scales and all(
        torch.equal(m.mean, torch.zeros(2)) and torch.equal(m.std, torch.ones(2)) for m in scales
    )
