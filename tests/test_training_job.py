"""TrainingJob: fit in a worker thread, stopped or failing with a reason."""

import time

from conftest import planted_dataset

from genoviz.runs import load_run
from genoviz.training import TrainConfig
from genoviz.training_job import TrainingJob


def cfg(**kw):
    base = dict(epochs=6, batch_size=64, lr=3e-3, save=False, hparams={"filters": 8, "kernel": 7})
    return TrainConfig(**(base | kw))


def test_job_runs_in_a_thread_and_stop_keeps_best_weights(tmp_path):
    ds = planted_dataset(n=2000, length=60)
    job = TrainingJob(ds, "cnn", cfg(epochs=200, save=True, runs_dir=str(tmp_path))).start()
    deadline = time.time() + 60
    while not job.history and time.time() < deadline:
        assert job.status == "running"
        time.sleep(0.05)
    assert job.history, "no epoch finished within 60 s"
    job.stop()
    assert job.wait(timeout=60) == "stopped"
    assert job.done and job.result is not None and "Stopped" in job.message
    assert 1 <= len(job.result.history) < 200
    assert load_run(job.result.run_dir).status == "stopped"


def test_failed_job_reports_the_reason():
    ds = planted_dataset(n=50)
    job = TrainingJob(ds, "deepchem-sirna", cfg(epochs=1)).start()
    assert job.wait(timeout=30) == "failed"
    assert "does not support task 'binary'" in job.message
