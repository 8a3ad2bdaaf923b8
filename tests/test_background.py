"""ThreadJob: a long function in a worker thread that pages poll; and the two zoo jobs built
on it (autoencoder training, the with/without extras comparison)."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

from genoviz import runs
from genoviz.autoencoder import AutoencoderConfig, AutoencoderResult, autoencoder_job
from genoviz.background import ThreadJob
from genoviz.data import Dataset, DatasetMeta
from genoviz.extras_gain import extras_gain, extras_gain_job
from genoviz.jobs import JobManager
from genoviz.training import TrainConfig
from tests.conftest import planted_dataset


def counting(job: ThreadJob, n: int = 3) -> int:
    for i in range(n):
        job.set_progress((i + 1) / n)
        job.record_epoch({"epoch": i + 1, "value": i * i})
    return n


def test_job_runs_reports_history_and_result():
    job = ThreadJob(counting, "count")
    assert job.status == "pending" and not job.done and job.result is None
    ended = []
    job.add_done_callback(ended.append)
    assert job.start().wait(10) == "finished"
    assert job.done and job.result == 3 and job.progress == 1.0
    assert [r["value"] for r in job.history] == [0, 1, 4]
    assert ended == [job]
    late = []
    job.add_done_callback(late.append)  # already done: called at once
    assert late == [job]
    with pytest.raises(RuntimeError, match="already started"):
        job.start()


def test_history_is_a_copy_and_progress_is_clipped():
    job = ThreadJob(lambda j: None)
    job.record_epoch({"epoch": 1})
    job.history[0]["epoch"] = 99
    assert job.history == [{"epoch": 1}]
    job.set_progress(1.7)
    assert job.progress == 1.0
    job.set_progress(-1)
    assert job.progress == 0.0


def test_stop_ends_the_work_as_stopped_and_keeps_its_result():
    started = threading.Event()

    def until_stopped(job: ThreadJob) -> str:
        started.set()
        while not job.stop_requested():
            time.sleep(0.01)
        return "partial"

    job = ThreadJob(until_stopped).start()
    assert started.wait(10)
    assert job.status == "running"
    job.stop()
    assert job.wait(10) == "stopped"
    assert job.result == "partial" and job.message == ""


def test_failure_becomes_a_message():
    def broken(job: ThreadJob) -> None:
        raise ValueError("sequences have mixed lengths")

    job = ThreadJob(broken).start()
    assert job.wait(10) == "failed"
    assert job.message == "sequences have mixed lengths" and job.result is None


def test_queued_behind_the_cap_and_stopped_while_waiting():
    manager = JobManager(max_jobs=1)
    release = threading.Event()
    first = manager.submit(ThreadJob(lambda j: release.wait(10)))
    second = manager.submit(ThreadJob(counting))
    third = manager.submit(ThreadJob(counting))
    assert second.status == "queued" and second.queue_position == 1
    assert third.queue_position == 2
    third.stop()  # leaves the queue at once, never runs
    assert third.status == "stopped" and "never started" in third.message
    assert second.queue_position == 1
    release.set()
    assert first.wait(10) == "finished"
    # the manager started the next one from first's thread, before that thread ended
    assert second.wait(10) == "finished" and second.result == 3
    assert third.history == [] and manager.running == 0 and manager.queued == 0


def test_autoencoder_job_writes_a_pretraining_run(tmp_path):
    job = autoencoder_job(
        planted_dataset(n=200), AutoencoderConfig(epochs=2, lr=1e-2, batch_size=64), tmp_path
    )
    assert job.start().wait(120) == "finished", job.message
    result = job.result
    assert isinstance(result, AutoencoderResult) and result.status == "finished"
    assert [r["epoch"] for r in job.history] == [1, 2]
    assert all(0.0 <= r["valid_accuracy"] <= 1.0 for r in job.history)
    assert result.run_dir.parent == tmp_path
    run = runs.load_run(result.run_dir)
    assert runs.is_pretraining(run) and run.status == "finished"
    assert not (result.run_dir / runs.LOCK).exists()  # released when done
    assert json.loads((result.run_dir / runs.RUN_JSON).read_text())["model"]["name"] == (
        "autoencoder"
    )


def extras_dataset(n: int = 300, seed: int = 0) -> Dataset:
    """Label 1 when the one extra column is high: only the extras arm can learn it."""
    rng = np.random.default_rng(seed)
    seqs = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(n)]
    labels = np.arange(n) % 2
    extras = (labels + rng.normal(0, 0.3, n)).astype(np.float32)[:, None]
    meta = DatasetMeta(name="toy-extras", extras_names=["openness"], strand_symmetric=False)
    return Dataset(seqs, labels, "binary", meta, extras=extras)


def test_extras_gain_job_labels_each_epoch_with_its_arm():
    cfg = TrainConfig(epochs=2, lr=1e-2, batch_size=64, save=False, hparams={"members": 1})
    job = extras_gain_job(extras_dataset(), cfg, models=("cnn", "cnn"))
    assert job.start().wait(120) == "finished", job.message
    assert [r["arm"] for r in job.history] == ["without"] * 2 + ["with"] * 2
    gain = job.result
    assert not gain.stopped
    assert list(gain.table["variant"]) == ["sequence only", "sequence + openness"]
    assert gain.table["test"][1] > 0.9 > gain.table["test"][0]  # only extras carry the label


def test_extras_gain_stopped_says_the_comparison_is_cut_short():
    cfg = TrainConfig(epochs=2, save=False, hparams={"members": 1})
    gain = extras_gain(extras_dataset(), cfg, ("cnn", "cnn"), should_stop=lambda: True)
    assert gain.stopped
    assert gain.without.history == [] and gain.with_extras.history == []
