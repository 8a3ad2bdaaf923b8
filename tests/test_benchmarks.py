"""The speed benchmarks' machinery: row selection, alternation, device choice (no row is
timed for real here; fake timings keep every test fast)."""

from __future__ import annotations

import math
from itertools import count

import pytest
import torch

import benchmarks
from benchmarks import __main__ as bench_main
from benchmarks import models as bench_models
from benchmarks import timing
from benchmarks.rows import Bench, select, table
from benchmarks.speed import BareLoop, Row
from genoviz.training import TrainConfig
from tests.conftest import planted_dataset

#: The rows the README documents, in table order.
DOCUMENTED = [
    "demo wall time (tf-binding, default model, 20 epochs, saved)",
    "first live point (start() -> first history record)",
    "trainer epoch (median of epochs 2-6)",
    "one-hot 1,000,000 x 101 bp",
    "IG 100 x 101 bp",
    "IG, captum path",
    "IG, 10 shuffles",
    "ISM 1 kb",
    "logo panel (cached)",
    "figure PNG export (kept browser)",
    "kmer-bert small train tokens/s, SDPA",
    "app cold start (launch -> Home rendered in Chromium)",
]


def test_list_names_every_row_without_running_any(capsys, monkeypatch):
    def never() -> Row:
        raise AssertionError("--list ran a row")

    real = table()
    monkeypatch.setattr(bench_main, "table", lambda: [Bench(b.name, never) for b in real])
    assert bench_main.main(["--list"]) == 0
    assert capsys.readouterr().out.splitlines() == DOCUMENTED


def test_package_docstring_describes_every_row():
    doc = benchmarks.__doc__
    for name in DOCUMENTED:
        short = name.split(" (")[0]
        assert f"``{short}" in doc, short


def _fake_table(ran: list[str]) -> list[Bench]:
    def row(name: str, value: float):
        def run() -> Row:
            ran.append(name)
            return Row(name, value, 2 * value, "half", "-")

        return run

    return [Bench(n, row(n, v)) for n, v in (("alpha row", 1.0), ("Beta row", 3.0), ("gamma", 5))]


def test_only_runs_the_rows_it_names(capsys, monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr(bench_main, "table", lambda: _fake_table(ran))
    assert bench_main.main(["--only", "beta"]) == 0  # case-insensitive substring
    assert ran == ["Beta row"]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("machine:")
    body = lines[2:]
    assert len(body) == 1 and body[0].startswith("Beta row") and "0.50" in body[0]

    ran.clear()
    assert bench_main.main(["--only", "gamma", "--only", "ALPHA"]) == 0
    assert ran == ["alpha row", "gamma"]  # table order, not the order asked


def test_only_without_a_match_runs_nothing_and_fails(capsys, monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr(bench_main, "table", lambda: _fake_table(ran))
    assert bench_main.main(["--only", "delta"]) == 2
    assert ran == []
    assert "alpha row" in capsys.readouterr().err


def test_select_picks_one_real_row():
    assert [b.name for b in select(table(), ["ism"])] == ["ISM 1 kb"]
    assert [b.name for b in select(table(), ["ig,"])] == ["IG, captum path", "IG, 10 shuffles"]
    assert len(select(table(), None)) == len(DOCUMENTED)


def test_alternate_calls_in_turn_and_returns_medians():
    log: list[str] = []
    m_values = iter([100.0, 3.0, 1.0, 2.0])  # the first is a warm-up, dropped
    r_values = iter([50.0, 10.0, 30.0, 20.0])

    def measured() -> float:
        log.append("m")
        return next(m_values)

    def reference() -> float:
        log.append("r")
        return next(r_values)

    p = timing.alternate(measured, reference, pairs=3, warmup=1)
    assert log == ["m", "r"] * 4
    assert (p.measured, p.reference) == (2.0, 20.0)
    assert p.measured_runs == [3.0, 1.0, 2.0] and p.reference_runs == [10.0, 30.0, 20.0]

    log.clear()
    timing.alternate(lambda: log.append("m") or 1.0, lambda: log.append("r") or 1.0, 2, 0, True)
    assert log == ["r", "m", "r", "m"]

    with pytest.raises(ValueError, match="pairs"):
        timing.alternate(measured, reference, pairs=0)


def test_timed_waits_for_the_device(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(timing, "sync", lambda device: calls.append(f"sync {device}"))
    seconds = timing.timed(lambda: calls.append("work"), torch.device("cpu"))()
    assert calls == ["sync cpu", "work", "sync cpu"]
    assert 0 <= seconds < 1


def test_device_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert timing.bench_device() == torch.device("cpu")
    assert not timing.uses_bf16(torch.device("cpu"))

    def no_gpu(*_a) -> None:
        raise AssertionError("synchronised a GPU on the CPU")

    monkeypatch.setattr(torch.cuda, "synchronize", no_gpu)
    timing.sync(torch.device("cpu"))  # nothing to wait for

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert timing.bench_device() == torch.device("cuda")


def test_bare_loop_trains_on_the_cpu_without_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    bare = BareLoop(planted_dataset(n=200, length=40), TrainConfig(batch_size=32))
    assert bare.device == torch.device("cpu") and bare.x.device == torch.device("cpu")
    before = [p.detach().clone() for p in bare.model.parameters()]
    seconds = bare.epoch()
    assert seconds > 0 and math.isfinite(seconds)
    after = list(bare.model.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))


@pytest.mark.gpu
def test_bare_loop_runs_on_the_gpu():
    bare = BareLoop(planted_dataset(n=200, length=40), TrainConfig(batch_size=32))
    assert bare.device.type == "cuda" and bare.x.device.type == "cuda"
    assert next(bare.model.parameters()).device.type == "cuda"
    assert bare.epoch() > 0


def test_model_and_reference_epochs_alternate(monkeypatch):
    log: list[str] = []
    reference = count(10)

    def fake_fit(ds, model, config, on_epoch=None):
        assert config.epochs == 4 and config.patience > config.epochs
        for epoch in range(1, config.epochs + 1):
            log.append(f"{model} {epoch}")
            on_epoch({"epoch": epoch, "seconds": float(epoch)})

    def fake_reference(model, ds):
        log.append(f"ref {model}")
        return float(next(reference))

    monkeypatch.setattr(bench_models, "fit", fake_fit)
    monkeypatch.setattr(bench_models, "epoch_seconds", fake_reference)
    model_s, reference_s = bench_models.paired_epochs("bilstm", None, pairs=3)
    assert log == [
        "bilstm 1",  # warm-up: no reference after it
        "bilstm 2",
        "ref cnn",
        "bilstm 3",
        "ref cnn",
        "bilstm 4",
        "ref cnn",
    ]
    assert model_s == [2.0, 3.0, 4.0] and reference_s == [10.0, 11.0, 12.0]


def test_tokens_per_second_alternates_sdpa_and_eager(monkeypatch):
    import models
    from benchmarks.bert import tokens_per_second

    impls: list[str] = []
    real_get = models.get

    def spied_get(*args, **kwargs):
        net = real_get(*args, **kwargs)
        real_set = net.hf.set_attn_implementation

        def set_impl(impl: str) -> None:
            impls.append(impl)
            real_set(impl)

        monkeypatch.setattr(net.hf, "set_attn_implementation", set_impl)
        return net

    monkeypatch.setattr(models, "get", spied_get)
    sdpa, eager = tokens_per_second(
        size="tiny", batch=2, tokens=32, rounds=2, chunk=1, device=torch.device("cpu")
    )
    assert impls == ["sdpa", "eager"] * 3  # one warm-up step of each, then 2 rounds
    assert all(v > 0 and math.isfinite(v) for v in (sdpa, eager))
