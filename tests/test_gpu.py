"""GPU: device selection, bf16 autocast training and pinned memory. The ``gpu``-marked tests
skip without CUDA (tests/conftest.py); the last test checks that hiding the GPUs with
``CUDA_VISIBLE_DEVICES=""`` falls back to the CPU cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
from conftest import REPO, planted_dataset

import models
from genoviz import runs
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


@pytest.mark.gpu
def test_fit_on_cuda_pins_the_training_tensors(monkeypatch: pytest.MonkeyPatch):
    pinned: list[tuple[int, ...]] = []
    real = torch.Tensor.pin_memory

    def spy(self, *args, **kwargs):
        pinned.append(tuple(self.shape))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "pin_memory", spy)
    result = fit(planted_dataset(200, 40), "cnn", TrainConfig(epochs=2, device="cuda", save=False))
    assert result.device.startswith("cuda")
    assert len(pinned) >= 3 and pinned[0][1:] == (4, 40)  # x, y, w of the train split
    assert all(torch.isfinite(torch.tensor(r["train_loss"])) for r in result.history)


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
