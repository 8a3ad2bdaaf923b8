"""A run folder on a shared server: whatever fails, the run says so and is freed; one job
per folder; the data a run trained on is the data it goes on with."""

from __future__ import annotations

import copy
import errno
import threading
from pathlib import Path

import pytest
import torch
from conftest import killed_before_checkpoint, planted_dataset

from genoviz import (
    run_checkpoint,
    run_data,
    run_folders,
    run_outcome,
    run_predictions,
    runs,
    train_scoring,
    training,
)
from genoviz.jobs import JobBusy, JobManager
from genoviz.training import TrainConfig, TrainingError, fit, resume_plan


def config(**kw) -> TrainConfig:
    return TrainConfig(**({"epochs": 2, "patience": 99, "batch_size": 64, "device": "cpu"} | kw))


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def heartbeats() -> int:
    return sum(t.name == "genoviz-heartbeat" and t.is_alive() for t in threading.enumerate())


def test_a_failure_after_the_last_epoch_marks_the_run_failed_and_frees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Writing the test predictions failed on a full disk: the run stayed 'running' for as
    long as the server lived, and could not be resumed, renamed or deleted."""
    out, before = tmp_path / "r", heartbeats()
    with monkeypatch.context() as m:
        m.setattr(run_predictions, "write_test_predictions", disk_full)
        with pytest.raises(OSError, match="No space left"):
            fit(planted_dataset(120), "cnn", config(), run_dir=out)
    assert not (out / runs.LOCK).exists() and heartbeats() == before
    run = runs.load_run(out)
    assert run.status == "failed" and "No space left" in run.info["message"]
    # a full disk is mended by making room: the run goes on from its checkpoint
    assert run.resumable
    plan = resume_plan(out)
    result = fit(planted_dataset(120), plan.model_name, plan.config)
    assert result.status == "finished" and runs.load_run(out).status == "finished"


def test_a_run_that_fails_again_while_recording_its_failure_is_still_freed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out, before = tmp_path / "r", heartbeats()
    full = threading.Event()
    real_write = runs.write_run_json

    def checkpoint(*args, **kwargs):
        if args[-1]["epoch"] == 1:
            full.set()
            disk_full()

    def write_run_json(run_dir, info):
        if full.is_set():
            disk_full()
        real_write(run_dir, info)

    monkeypatch.setattr(training, "save_state", checkpoint)
    monkeypatch.setattr(runs, "write_run_json", write_run_json)
    with pytest.raises(OSError, match="No space left"):  # the first error, not the second
        fit(planted_dataset(120), "cnn", config(), run_dir=out)
    monkeypatch.undo()
    assert not (out / runs.LOCK).exists() and heartbeats() == before
    assert runs.load_run(out).status == "interrupted"  # run.json still says running


def test_a_diverged_run_is_not_offered_to_resume(tmp_path: Path, monkeypatch):
    """It would diverge again from the same checkpoint."""
    out = tmp_path / "r"

    def diverge(*args, **kwargs):
        raise TrainingError("training diverged at epoch 1")

    monkeypatch.setattr(training, "metrics_for", diverge)
    with pytest.raises(TrainingError):
        fit(planted_dataset(120), "cnn", config(), run_dir=out)
    run = runs.load_run(out)
    assert run.status == "failed" and (out / runs.CHECKPOINT).exists() and not run.resumable


def test_a_run_that_ran_out_of_memory_is_offered_to_resume(tmp_path: Path, monkeypatch):
    """On a shared GPU another job's memory can end a run; its checkpoint is whole, and
    once the memory is free it goes on (the Runs page offered no Resume)."""
    out = tmp_path / "r"
    calls = []

    def out_of_memory(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # epoch 2's validation scores (train and valid each epoch)
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(*args, **kwargs)

    real = training.metrics_for
    monkeypatch.setattr(training, "metrics_for", out_of_memory)  # train scores
    monkeypatch.setattr(train_scoring, "metrics_for", out_of_memory)  # valid and test
    with pytest.raises(torch.OutOfMemoryError):
        fit(planted_dataset(120), "cnn", config(epochs=3), run_dir=out)
    run = runs.load_run(out)
    assert run.status == "failed" and run.info["failed_out_of_memory"] and run.resumable
    assert len(run.history) == 1
    assert run_outcome.out_of_memory(RuntimeError("CUDA error: out of memory"))
    assert not run_outcome.out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied"))


def test_a_run_cut_off_before_its_first_checkpoint_goes_on_like_an_unbroken_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The epoch's metrics line is written before its checkpoint: a kill between the two in
    the first epoch left a run with one epoch and nothing to go on from."""
    unbroken = fit(planted_dataset(120), "cnn", config(), run_dir=tmp_path / "a")
    out = tmp_path / "b"
    killed_before_checkpoint(monkeypatch, out, 1, planted_dataset(120), "cnn", config())
    run = runs.load_run(out)
    assert len(run.history) == 1 and run.status == "interrupted" and run.resumable
    plan = resume_plan(out)
    resumed = fit(planted_dataset(120), plan.model_name, plan.config)
    assert [r["train_loss"] for r in resumed.history] == [r["train_loss"] for r in unbroken.history]


class FolderJob:
    """A job that writes ``run_dir`` and runs until its test releases it."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.status = "pending"
        self.callbacks: list = []
        self.stopped = False
        # what the Runs page's list of server jobs reads
        self.name, self.model_name, self.dataset, self.epochs = "train", "cnn", None, 3
        self.history: list = []
        self.queue_position = None

    def start(self) -> FolderJob:
        self.status = "running"
        return self

    def mark_queued(self, manager) -> None:
        self.status = "queued"

    def add_done_callback(self, fn) -> None:
        self.callbacks.append(fn)

    def stop(self) -> None:
        self.stopped = True

    def stop_requested(self) -> bool:
        return self.stopped

    @property
    def done(self) -> bool:
        return self.status in ("finished", "stopped", "failed")

    def end(self) -> None:
        self.status = "finished"
        for fn in self.callbacks:
            fn(self)


def test_one_job_per_run_folder_whichever_session_submits_it(tmp_path: Path):
    """Two Resume presses on one run (two students, or two tabs) both trained into it."""
    manager = JobManager(max_jobs=1)
    first = manager.submit(FolderJob(tmp_path / "run"))
    with pytest.raises(JobBusy, match="already training"):
        manager.submit(FolderJob(tmp_path / "run"))
    other = manager.submit(FolderJob(tmp_path / "other"))  # another folder just queues
    assert other.status == "queued"
    with pytest.raises(JobBusy):  # a waiting job holds its folder too
        manager.submit(FolderJob(tmp_path / "." / "other"))
    assert manager.job_for(tmp_path / "run") is first
    assert manager.job_for(tmp_path / "other") is other
    first.end()
    assert manager.job_for(tmp_path / "run") is None
    assert manager.submit(FolderJob(tmp_path / "run")).status == "queued"


def test_a_training_job_names_its_folder_once_it_holds_it(tmp_path: Path):
    from genoviz.training_job import TrainingJob

    job = TrainingJob(planted_dataset(120), "cnn", config(runs_dir=str(tmp_path)))
    assert job.run_dir is None
    job.start().wait(120)
    assert job.status == "finished" and job.run_dir == job.result.run_dir
    resumed = TrainingJob(planted_dataset(120), "cnn", config(resume_from=str(job.run_dir)))
    assert resumed.run_dir == job.run_dir  # known while it still waits in a queue


def test_the_data_seed_is_kept_apart_from_the_training_seed(tmp_path: Path):
    """The app loads data at seed 0 whatever the Seed box says; resuming (and `interpret`)
    reloaded it at the training seed: other splits, so a test split full of sequences the
    model had trained on, or another simulated set altogether."""
    from genoviz.cli_inputs import run_dataset
    from genoviz.data import load

    ds = load("sirna")  # as the app loads it: seed 0
    assert ds.meta.notes["seed"] == 0
    ended: list[dict] = []  # Stop is pressed once the first epoch is done
    stopped = fit(
        ds,
        "cnn",
        config(seed=7, epochs=3, runs_dir=str(tmp_path)),
        on_epoch=ended.append,
        should_stop=lambda: bool(ended),
    )
    run = runs.load_run(stopped.run_dir)
    assert run.info["seed"] == 7 and run_data.data_seed(run) == 0
    plan = resume_plan(stopped.run_dir)
    assert plan.data_seed == 0 and plan.config.seed == 7
    again = run_dataset(run, None)
    assert all((again.splits[k] == ds.splits[k]).all() for k in ("train", "valid", "test"))
    # data simulated and split another way is refused, not trained and tested on
    with pytest.raises(TrainingError, match="began on other data"):
        fit(load("sirna", seed=7), plan.model_name, plan.config)
    resumed = fit(load("sirna", seed=plan.data_seed), plan.model_name, plan.config)
    assert resumed.status == "finished" and len(resumed.history) > 1


def test_run_files_are_readable_by_the_server_and_unreadable_runs_are_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """mkstemp made every run file -rw-------: a run written on the command line as one user
    could not be read by the server running as another, and its PermissionError broke the
    run list for everyone."""
    import torch

    d = tmp_path / "r"
    d.mkdir()
    runs.write_run_json(d, {"model": {"name": "cnn", "build": {}}, "status": "finished"})
    runs.save_weights(d, torch.nn.Linear(2, 2))
    run_checkpoint.save_checkpoint(d, {"a": torch.zeros(2)}, {"epoch": 1})
    for name in (runs.RUN_JSON, runs.WEIGHTS, runs.CHECKPOINT):
        assert (d / name).stat().st_mode & 0o777 == runs.FILE_MODE
    assert 0o666 & ~runs._umask() == runs.FILE_MODE  # as open() would make them
    good = tmp_path / "good"
    good.mkdir()
    runs.write_run_json(good, {"model": {"name": "cnn", "build": {}}, "status": "finished"})
    real = Path.read_text

    def read_text(self, *a, **kw):
        if self.parent.name == "r" and self.name == runs.RUN_JSON:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(self, *a, **kw)

    monkeypatch.setattr(Path, "read_text", read_text)
    with pytest.raises(runs.RunError, match="cannot be read"):
        runs.load_run(d)
    listed, damaged = run_folders.scan_runs(tmp_path)
    assert [r.path for r in listed] == [good] and [p for p, _ in damaged] == [d]


def test_a_run_saved_before_the_data_seed_opens_where_it_always_did(tmp_path: Path):
    """The pages always read seed 0, the command line the training seed."""
    run = runs.Run(tmp_path, {"seed": 7, "dataset": {"name": "sirna"}}, [])
    assert run_data.data_seed(run) == 7 and run_data.data_seed(run, fallback=0) == 0
    run.info["dataset"]["data_seed"] = 3
    assert run_data.data_seed(run) == 3 and run_data.data_seed(run, fallback=0) == 3


def test_resuming_on_data_whose_extra_inputs_changed_is_refused(tmp_path: Path):
    """A column read as an input before (now a row number or coordinate, never one) left
    the reloaded data without extras: resuming crashed with a TypeError."""
    import numpy as np

    ds = planted_dataset(120)
    ds.extras = np.random.default_rng(0).normal(size=(120, 1)).astype(np.float32)
    ds.meta.extras_names = ["signal"]
    ended: list[dict] = []
    stopped = fit(
        ds,
        "cnn",
        config(epochs=3, runs_dir=str(tmp_path)),
        on_epoch=ended.append,
        should_stop=lambda: bool(ended),
    )
    plan = resume_plan(stopped.run_dir)
    renamed = copy.copy(ds)
    renamed.meta = copy.deepcopy(ds.meta)
    renamed.meta.extras_names = ["other"]
    with pytest.raises(TrainingError, match="trained with the extra input"):
        fit(renamed, plan.model_name, plan.config)
    # the column is no longer read at all (now a row number or a coordinate): it crashed
    # building the extras tensor before the check
    gone = copy.copy(ds)
    gone.extras, gone.meta = None, copy.deepcopy(ds.meta)
    gone.meta.extras_names = []
    with pytest.raises(TrainingError, match="the data given now has none"):
        fit(gone, plan.model_name, plan.config)


def test_multiclass_labels_with_a_gap_are_refused_where_they_train():
    ds = planted_dataset(120)
    ds.task = "multiclass"
    ds.labels = (ds.labels * 2).astype("float32")  # classes 0 and 2: no class 1
    with pytest.raises(TrainingError, match="no label here is 1"):
        fit(ds, "cnn", config(save=False))


def test_a_berts_hf_folder_and_an_imported_run_are_readable_by_others(tmp_path: Path):
    """mkdtemp made both 0700: another user's server could not read them."""
    import models
    from genoviz.runs_archive import export_zip, import_zip

    d = tmp_path / "bert"
    d.mkdir()
    runs.write_run_json(d, {"model": {"name": "kmer-bert", "build": {}}, "status": "finished"})
    runs.save_hf(d, models.get("kmer-bert", seq_len=20, k=3, size="tiny"))
    assert (d / runs.HF_DIR).stat().st_mode & 0o777 == runs.DIR_MODE
    back = import_zip(export_zip(d), tmp_path / "imported")
    assert back.stat().st_mode & 0o777 == runs.DIR_MODE
