"""GPU: device selection, bf16 autocast training and pinned memory. The ``gpu``-marked tests
skip without CUDA (tests/conftest.py); the last test checks that hiding the GPUs with
``CUDA_VISIBLE_DEVICES=""`` falls back to the CPU cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import REPO, planted_dataset

import models
from genoviz import run_checkpoint, runs, train_inputs
from genoviz.training import TrainConfig, fit, resume_plan, select_device


@pytest.mark.gpu
def test_auto_device_picks_cuda():
    assert select_device("auto").type == "cuda"
    assert select_device("cuda").type == "cuda"


@pytest.mark.gpu
def test_bf16_autocast_training_step_keeps_float32_weights():
    if not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bf16")
    ds = planted_dataset(64, 40)
    model = models.get("cnn", seq_len=40, outputs=1, extras=0).cuda()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.from_numpy(ds.encode()).cuda()
    y = torch.from_numpy(ds.labels).cuda()[:, None]
    with torch.autocast("cuda", dtype=torch.bfloat16):
        out = model(x, None)
    assert out.dtype == torch.bfloat16
    loss = torch.nn.functional.binary_cross_entropy_with_logits(out.float(), y)
    loss.backward()
    opt.step()
    assert torch.isfinite(loss)
    assert all(p.dtype == torch.float32 and torch.isfinite(p).all() for p in model.parameters())
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in model.parameters())


@pytest.mark.parametrize("device", [pytest.param("cuda", marks=pytest.mark.gpu), "cpu"])
@pytest.mark.parametrize("model", ["cnn", "kmer-bert"])
@pytest.mark.parametrize("resident", [True, False])
def test_a_small_training_split_is_copied_to_the_gpu_once(monkeypatch, resident, model, device):
    """Copied over once when it fits (per-batch copies of rows indexed out of pinned host
    memory would be synchronous); a split over ``RESIDENT_BYTES`` stays on the host. With
    extra inputs, and for kmer-bert with its reverse complements' own token ids."""
    if not resident:
        monkeypatch.setattr(train_inputs, "RESIDENT_BYTES", 0)
    homes: set[tuple[str, ...]] = set()
    kinds: set[tuple[bool, bool]] = set()
    real = train_inputs.TrainSplit.batch

    def spy(self, bi):
        out = real(self, bi)
        kinds.add((self.e is not None, self.x_rc is not None))
        held = [t for t in (self.x, self.y, self.w, self.e, self.x_rc) if t is not None]
        homes.add((*sorted({t.device.type for t in held}), *(t.device.type for t in out)))
        return out

    monkeypatch.setattr(train_inputs.TrainSplit, "batch", spy)
    ds = planted_dataset(200, 40)
    ds.extras = np.random.default_rng(0).uniform(size=(200, 1)).astype(np.float32)
    ds.meta.extras_names = ["accessibility"]
    hparams = {"size": "tiny", "k": 3} if model == "kmer-bert" else {}
    config = TrainConfig(epochs=2, device=device, save=False, rc_augment=True, hparams=hparams)
    result = fit(ds, model, config)
    home = device if resident else "cpu"
    assert homes == {(home, device, device, device, device)}  # (held), x, y, w, extras
    assert kinds == {(True, model == "kmer-bert")}  # extras held; the BERT's RC token ids
    assert all(torch.isfinite(torch.tensor(r["train_loss"])) for r in result.history)
    assert next(result.model.parameters()).device.type == "cpu"  # the GPU is freed


@pytest.mark.gpu
def test_a_cuda_run_resumes_with_the_gpus_random_state(tmp_path):
    """Dropout on the GPU draws from the GPU's generator: a resumed run goes on with it
    instead of replaying epoch 1's draws, so its curves match an unbroken run's."""
    config = TrainConfig(epochs=3, patience=99, batch_size=64, device="cuda")
    ds = planted_dataset(200, 40)
    unbroken = fit(ds, "mlp", config, run_dir=tmp_path / "a")

    def die(record: dict) -> None:
        if record["epoch"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(planted_dataset(200, 40), "mlp", config, run_dir=tmp_path / "b", on_epoch=die)
    assert "rng.cuda" in run_checkpoint.load_checkpoint(tmp_path / "b")[0]
    resumed = fit(planted_dataset(200, 40), "mlp", resume_plan(tmp_path / "b").config)
    for a, b in zip(unbroken.history, resumed.history, strict=True):
        assert abs(a["train_loss"] - b["train_loss"]) < 1e-3 * max(1.0, abs(a["train_loss"]))


@pytest.mark.gpu
def test_a_cuda_run_resumes_from_its_checkpoint(tmp_path):
    class Killed(BaseException):
        pass

    def die(record: dict) -> None:
        raise Killed

    config = TrainConfig(epochs=3, patience=99, batch_size=64, device="cuda")
    out = tmp_path / "r"
    with pytest.raises(Killed):
        fit(planted_dataset(200, 40), "cnn", config, run_dir=out, on_epoch=die)
    plan = resume_plan(out)
    result = fit(planted_dataset(200, 40), plan.model_name, plan.config)
    assert [r["epoch"] for r in result.history] == [1, 2, 3]
    assert runs.load_run(out).load_model("cuda") is not None


def test_hidden_gpus_fall_back_to_cpu():
    """What the whole suite relies on under ``CUDA_VISIBLE_DEVICES=""``."""
    code = (
        "import json, torch\n"
        "from genoviz.training import TrainingError, select_device\n"
        "try:\n"
        "    select_device('cuda'); refused = False\n"
        "except TrainingError as e:\n"
        "    refused = 'no CUDA GPU' in str(e)\n"
        "print(json.dumps({'cuda': torch.cuda.is_available(), 'auto': str(select_device()),"
        " 'refused': refused}))\n"
    )
    env = os.environ | {"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["cuda"] is False and got["refused"] is True
    assert got["auto"] in ("cpu", "mps")


@pytest.mark.gpu
def test_predictions_on_the_gpu_match_the_cpu(tmp_path):
    from genoviz.predict import predict_sequences

    ds = planted_dataset(200, 40)
    config = TrainConfig(epochs=1, save=True, runs_dir=str(tmp_path), device="cpu")
    run = runs.load_run(fit(ds, "cnn", config).run_dir)
    seqs = ["ACGT" * 10, "TGACTCA" + "A" * 33, "A" * 25]
    cpu = predict_sequences(run, seqs, device="cpu").values
    gpu = predict_sequences(run, seqs, device="cuda").values
    np.testing.assert_allclose(gpu, cpu, atol=1e-4)
    model = run.load_model("cuda")
    np.testing.assert_allclose(predict_sequences(run, seqs, model=model).values, cpu, atol=1e-4)


@pytest.mark.gpu
def test_a_cuda_runs_stream_keeps_its_own_gpu_draws():
    from genoviz.random_streams import TorchStream

    torch.cuda.manual_seed(3)  # two draws of 3, as below (Philox offsets go per draw)
    expected = torch.cat([torch.rand(3, device="cuda"), torch.rand(3, device="cuda")])
    stream, other = TorchStream(3, "cuda"), TorchStream(4, "cuda")
    torch.cuda.manual_seed(99)
    outside = torch.rand(2, device="cuda")
    torch.cuda.manual_seed(99)
    with stream.active():
        first = torch.rand(3, device="cuda")
    with other.active():
        torch.rand(3, device="cuda")
    with stream.active():
        second = torch.rand(3, device="cuda")
    assert torch.equal(torch.cat([first, second]), expected)
    assert torch.equal(torch.rand(2, device="cuda"), outside)
