"""Crashes and persistence: a trainer killed with ``kill -9`` leaves a readable run folder,
listed as ``interrupted`` (never a live run in another process), that can be resumed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import REPO, planted_dataset

from genoviz import run_checkpoint, run_folders, run_lock, runs
from genoviz.cli import main
from genoviz.training import TrainConfig, TrainingError, fit, resume_plan


def write_csv(path: Path, n: int, length: int = 60) -> Path:
    ds = planted_dataset(n, length)
    pairs = zip(ds.sequences, ds.labels, strict=True)
    rows = "".join(f"r{i},{s},{int(y)}\n" for i, (s, y) in enumerate(pairs))
    path.write_text("id,sequence,label\n" + rows)
    return path


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "genoviz", *args]


def env() -> dict[str, str]:
    return os.environ | {"OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}


def wait_for(predicate, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"trainer exited early: {proc.communicate()}")
        if time.monotonic() > end:
            proc.kill()
            raise AssertionError("timed out waiting for the trainer")
        time.sleep(0.05)


def test_kill_9_leaves_a_readable_run_that_resumes(tmp_path: Path):
    data = write_csv(tmp_path / "toy.csv", n=2000)
    out = tmp_path / "run"
    args = ("--epochs", "40", "--batch-size", "16", "--device", "cpu")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cli("train", "--data", str(data), *args, "--out", str(out)),
        cwd=REPO,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: (out / runs.RUN_JSON).exists(), proc)
        # A live trainer in another process is "running", not interrupted.
        assert runs.load_run(out).status == "running"
        assert [r.path for r in run_folders.list_runs(tmp_path)] == [out]
        wait_for(lambda: len(runs.read_history(out)) >= 1, proc)
        assert runs.load_run(out).status == "running"
        print(f"first epoch after {time.monotonic() - t0:.1f} s")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    run = runs.load_run(out)
    assert run.info["status"] == "running"  # what the dead process last wrote
    assert run.status == "interrupted" and run.resumable
    done = len(run.history)
    assert done >= 1
    assert [r["epoch"] for r in run.history] == list(range(1, done + 1))
    lines = (out / runs.METRICS).read_text().splitlines()
    assert all(json.loads(line) for line in lines[:done])  # every completed epoch, whole
    model = run.load_model()  # the last kept weights load
    assert sum(p.numel() for p in model.parameters()) > 0

    total = done + 1
    checkpointed = resume_plan(out).epochs_done
    assert checkpointed in (done, done - 1)
    res = subprocess.run(
        cli("train", "--resume", str(out), "--epochs", str(total), "--quiet"),
        cwd=REPO,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    print(f"killed and resumed after {time.monotonic() - t0:.1f} s")
    # where its checkpoint is: one epoch short of the history when the kill fell between
    # an epoch's metrics line and its checkpoint
    assert f"after epoch {checkpointed} of {total}" in res.stderr
    final = json.loads(res.stdout.strip().splitlines()[-1])
    assert final["run"] == str(out) and final["status"] == "finished"
    run = runs.load_run(out)
    assert run.status == "finished" and not run.resumable
    assert [r["epoch"] for r in run.history] == list(range(1, total + 1))
    assert len(run.info["resumed"]) == 1
    assert not (out / runs.LOCK).exists() and not (out / runs.CHECKPOINT).exists()


def test_resume_gives_the_same_history_as_an_unbroken_run(tmp_path: Path):
    """Weights, optimizer moments, moving average and random state all come back: the
    resumed run's curves match a run that was never interrupted."""
    config = TrainConfig(epochs=4, patience=99, batch_size=32, device="cpu")
    unbroken = fit(planted_dataset(200), "cnn", config, run_dir=tmp_path / "a")

    part = tmp_path / "b"
    with pytest.raises(Killed):
        fit(planted_dataset(200), "cnn", config, run_dir=part, on_epoch=die_at(2))
    plan = resume_plan(part)
    assert plan.epochs_done == 2 and plan.model_name == "cnn" and plan.dataset_spec == "toy"
    seen: list[int] = []
    resumed = fit(
        planted_dataset(200),
        plan.model_name,
        plan.config,
        on_epoch=lambda r: seen.append(r["epoch"]),
    )
    assert seen == [1, 2, 3, 4]  # the old epochs are replayed to the callback, then 3 and 4
    for a, b in zip(unbroken.history, resumed.history, strict=True):
        assert a["epoch"] == b["epoch"]
        np.testing.assert_allclose(a["valid_loss"], b["valid_loss"], rtol=1e-5)
        np.testing.assert_allclose(a["train_loss"], b["train_loss"], rtol=1e-5)
    assert resumed.best_epoch == unbroken.best_epoch


class Killed(BaseException):
    """Stands in for kill -9 in-process (fit then marks the run failed, which resumes too)."""


def die_at(epoch: int):
    def on_epoch(record: dict) -> None:
        if record["epoch"] == epoch:
            raise Killed

    return on_epoch


def test_a_finished_run_keeps_no_checkpoint_and_cannot_be_resumed(tmp_path: Path):
    out = tmp_path / "r"
    fit(planted_dataset(120), "cnn", TrainConfig(epochs=2, batch_size=64), run_dir=out)
    assert run_checkpoint.load_checkpoint(out) is None and not (out / runs.LOCK).exists()
    with pytest.raises(runs.RunError, match="nothing to resume"):
        resume_plan(out)


def test_resume_drops_a_metrics_line_written_after_the_checkpoint(tmp_path: Path):
    config = TrainConfig(epochs=3, patience=99, batch_size=64, device="cpu")
    part = tmp_path / "p"
    with pytest.raises(Killed):
        fit(planted_dataset(120), "cnn", config, run_dir=part, on_epoch=die_at(2))
    assert run_checkpoint.load_checkpoint(part)[1]["epoch"] == 2
    # killed after epoch 3's metrics line but before its checkpoint
    runs.append_metrics(part, {"epoch": 3, "train_loss": -1.0, "best": False})
    result = fit(planted_dataset(120), "cnn", resume_plan(part).config)
    history = runs.read_history(part)
    assert [r["epoch"] for r in history] == [1, 2, 3] and history[-1]["train_loss"] > 0
    assert [r["epoch"] for r in result.history] == [1, 2, 3]


def test_resume_refuses_a_live_run_and_other_data(tmp_path: Path):
    config = TrainConfig(epochs=2, patience=99, batch_size=64, device="cpu")
    out = tmp_path / "r"
    with pytest.raises(Killed):
        fit(planted_dataset(120), "cnn", config, run_dir=out, on_epoch=die_at(1))
    with run_lock.RunLock(out):  # this (live) process trains into it again
        runs.write_run_json(out, runs.load_run(out).info | {"status": "running"})
        assert runs.load_run(out).status == "running"
        with pytest.raises(runs.RunError, match="still training"):
            resume_plan(out)
    plan = resume_plan(out)
    with pytest.raises(TrainingError, match="trained on 120 sequences"):
        fit(planted_dataset(100), plan.model_name, plan.config)


@pytest.mark.parametrize("saved", ["cuda", "mps"])
def test_a_run_trained_on_a_missing_gpu_resumes_on_this_machine(tmp_path, monkeypatch, saved):
    """A run saved with ``device="cuda"`` (or Apple's mps) resumes on a machine without
    one (the Runs page has no device override); the plan says where it goes on, and
    run.json then names that device."""
    config = TrainConfig(epochs=2, patience=99, batch_size=64, device="cpu")
    out = tmp_path / "r"
    with pytest.raises(Killed):
        fit(planted_dataset(120), "cnn", config, run_dir=out, on_epoch=die_at(1))
    info = runs.load_run(out).info
    runs.write_run_json(out, info | {"config": info["config"] | {"device": saved}})
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    plan = resume_plan(out)
    assert plan.config.device == "auto"
    assert plan.note == f"r was trained on {saved}, which this machine lacks; it goes on on cpu"
    runs.write_run_json(out, info)  # a device this machine has stays as it was
    assert (resume_plan(out).config.device, resume_plan(out).note) == ("cpu", "")
    assert [r["epoch"] for r in fit(planted_dataset(120), "cnn", plan.config).history] == [1, 2]
    assert runs.load_run(out).info["device"] == "cpu"


# --- liveness of run.lock ----------------------------------------------------------------


def running_run(tmp_path: Path, owner: dict | None) -> Path:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    runs.write_run_json(run_dir, {"status": "running"})
    if owner is not None:
        (run_dir / runs.LOCK).write_text(json.dumps(owner))
    return run_dir


def me(**changes) -> dict:
    return run_lock._owner() | changes


def test_running_without_a_lock_is_interrupted(tmp_path: Path):
    assert runs.load_run(running_run(tmp_path, None)).status == "interrupted"


def test_this_live_process_is_running(tmp_path: Path):
    assert runs.load_run(running_run(tmp_path, me())).status == "running"


def test_dead_pid_is_interrupted(tmp_path: Path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert runs.load_run(running_run(tmp_path, me(pid=child.pid))).status == "interrupted"


def test_reused_pid_is_interrupted(tmp_path: Path):
    """Our own (live) pid, but recorded with another start time: the trainer that held it
    died and the pid was reused."""
    if not run_lock._process_start(os.getpid()):
        pytest.skip("no /proc here: process start times are unknown")
    stale = me(pid_start=str(int(run_lock._process_start(os.getpid())) - 1))
    assert runs.load_run(running_run(tmp_path, stale)).status == "interrupted"


def test_other_host_is_judged_by_its_heartbeat(tmp_path: Path):
    run_dir = running_run(tmp_path, me(host=socket.gethostname() + "-elsewhere", pid=1))
    assert runs.load_run(run_dir).status == "running"  # fresh heartbeat
    old = time.time() - run_lock.STALE_SECONDS - 1
    os.utime(run_dir / runs.LOCK, (old, old))
    assert runs.load_run(run_dir).status == "interrupted"


def test_damaged_lock_is_interrupted(tmp_path: Path):
    run_dir = running_run(tmp_path, None)
    (run_dir / runs.LOCK).write_text("{not json")
    assert runs.load_run(run_dir).status == "interrupted"


def test_heartbeat_touches_the_lock(tmp_path: Path):
    lock = run_lock.RunLock(tmp_path, interval=0.05).acquire()
    try:
        path = tmp_path / runs.LOCK
        old = time.time() - 1000
        os.utime(path, (old, old))
        time.sleep(0.3)
        assert path.stat().st_mtime > old + 900
    finally:
        lock.release()
    assert not (tmp_path / runs.LOCK).exists()


def test_cli_resume_of_a_missing_run_is_one_clear_line(tmp_path: Path, capsys):
    assert main(["train", "--resume", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("genoviz: error:") and "not a genoviz run folder" in err
    assert len(err.splitlines()) == 1
    with pytest.raises(SystemExit):
        main(["train", "--epochs", "2"])  # neither --data/--out nor --resume


def test_predict_page_lists_an_interrupted_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    config = TrainConfig(epochs=1, batch_size=64, device="cpu")
    root = tmp_path / "runs"
    out = root / "20250101-000000-toy"
    with pytest.raises(Killed):
        fit(planted_dataset(120), "cnn", config, run_dir=out, on_epoch=die_at(1))
    runs.write_run_json(out, runs.load_run(out).info | {"status": "running"})
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(root))
    monkeypatch.syspath_prepend(str(REPO))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.switch_page("pages/predict.py").run()
    assert not at.exception
    box = at.selectbox(key="predict_run")
    assert "interrupted" in box.format_func(box.value)


def test_checkpoint_of_tied_weights(tmp_path: Path):
    """Tied weights (BERT's decoder shares the embedding matrix) share memory, which
    safetensors refuses unless the checkpoint copies them."""
    import torch

    shared = torch.randn(3, 4)
    run_checkpoint.save_checkpoint(
        tmp_path, {"a": shared, "b": shared, "c": shared[1]}, {"epoch": 1}
    )
    tensors, state = run_checkpoint.load_checkpoint(tmp_path)
    assert state == {"epoch": 1}
    assert torch.equal(tensors["a"], tensors["b"]) and torch.equal(tensors["c"], shared[1])


def test_a_second_process_cannot_take_a_live_run(tmp_path: Path):
    lock = run_lock.RunLock(tmp_path).acquire()
    try:
        owner = json.loads((tmp_path / runs.LOCK).read_text())
        assert owner["pid"] == os.getpid()
        # another thread of this process (a second session's Resume) may not take it ...
        with pytest.raises(runs.RunError, match="already being trained by this server"):
            run_lock.RunLock(tmp_path).acquire()
        lock.release()
        assert not (tmp_path / runs.LOCK).exists()
        # ... but a lock file this process left and no longer holds is free to take
        (tmp_path / runs.LOCK).write_text(json.dumps(owner))
        run_lock.RunLock(tmp_path).acquire().release()
        # ... and another live process may not: pretend the lock is our parent's
        owner |= {"pid": os.getppid(), "pid_start": run_lock._process_start(os.getppid())}
        (tmp_path / runs.LOCK).write_text(json.dumps(owner))
        with pytest.raises(runs.RunError, match="another live process"):
            run_lock.RunLock(tmp_path).acquire()
    finally:
        lock.release()


def test_ctrl_c_leaves_an_interrupted_run_not_a_failed_one(tmp_path: Path):
    config = TrainConfig(epochs=3, patience=99, batch_size=64, device="cpu")
    out = tmp_path / "r"

    def ctrl_c(record: dict) -> None:
        if record["epoch"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(planted_dataset(120), "cnn", config, run_dir=out, on_epoch=ctrl_c)
    run = runs.load_run(out)
    assert run.status == "interrupted" and run.resumable
    assert run.info["message"] == "interrupted (Ctrl-C) after 1 epoch(s)"


def test_a_run_without_its_checkpoint_is_not_restarted_as_if_resumed(tmp_path: Path):
    """A zip import carries no checkpoint: resuming would have thrown its epochs away."""
    config = TrainConfig(epochs=3, patience=99, batch_size=64, device="cpu")
    out = tmp_path / "r"
    with pytest.raises(Killed):
        fit(planted_dataset(120), "cnn", config, run_dir=out, on_epoch=die_at(2))
    (out / runs.CHECKPOINT).unlink()
    run = runs.load_run(out)
    assert len(run.history) == 2 and not run.resumable
    with pytest.raises(runs.RunError, match="2 finished epoch\\(s\\) but no checkpoint"):
        resume_plan(out)


def _contend(folder: str, start, results) -> None:
    """One process of test_only_one_process_takes_a_folder: wait, then try the lock."""
    start.wait()
    try:
        lock = run_lock.RunLock(folder).acquire()
    except runs.RunError:
        results.put(False)
        return
    results.put(True)
    time.sleep(1.0)  # hold it while the others try
    lock.release()


@pytest.mark.parametrize("stale", [False, True])
def test_only_one_process_takes_a_folder(tmp_path: Path, stale: bool):
    """Processes that try to take one run folder at the same moment: exactly one does,
    also when a dead trainer's lock is there to take over (the lock is created in one
    step, not checked and then written)."""
    import multiprocessing

    if stale:  # a trainer that died: a pid that is not running
        owner = run_lock._owner() | {"pid": 2**22 + 7, "pid_start": "1"}
        (tmp_path / runs.LOCK).write_text(json.dumps(owner))
        assert not run_lock.run_owner_alive(tmp_path)
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(6), context.Queue()
    workers = [
        context.Process(target=_contend, args=(str(tmp_path), start, results)) for _ in range(6)
    ]
    for worker in workers:
        worker.start()
    taken = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert taken.count(True) == 1, taken
    assert not (tmp_path / runs.LOCK).exists()
    assert not [p.name for p in tmp_path.iterdir()]  # no temporary or stale files left


def test_letting_go_never_removes_another_owners_lock(tmp_path: Path):
    """A lock that is no longer this holder's (taken over while its owner looked dead)
    stays when that holder lets go; its own is removed."""
    lock = run_lock.RunLock(tmp_path).acquire()
    path = tmp_path / runs.LOCK
    assert json.loads(path.read_text())["token"]
    other = json.loads(path.read_text()) | {"token": "someone-else"}
    path.write_text(json.dumps(other))
    lock.release()
    assert json.loads(path.read_text())["token"] == "someone-else"
    path.unlink()
    run_lock.RunLock(tmp_path).acquire().release()
    assert not path.exists()
