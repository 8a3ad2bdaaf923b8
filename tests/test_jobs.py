"""The job manager: a cap on concurrent training jobs with a visible FIFO queue; and cached
shared datasets that no session can change in place."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import planted_dataset

from genoviz import jobs
from genoviz.jobs import JobManager, max_jobs_from_env
from genoviz.training import TrainConfig
from genoviz.training_job import TrainingJob


class FakeJob:
    """A job that runs until its test releases it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.status = "pending"
        self.release = threading.Event()
        self.callbacks: list = []
        self.manager = None

    def start(self) -> FakeJob:
        self.status = "running"
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        self.release.wait(10)
        self.status = "finished"
        for fn in self.callbacks:
            fn(self)

    def mark_queued(self, manager: JobManager) -> None:
        self.status = "queued"
        self.manager = manager

    def add_done_callback(self, fn) -> None:
        self.callbacks.append(fn)


def wait_until(predicate, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_cap_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(jobs.ENV_MAX_JOBS, raising=False)
    assert max_jobs_from_env() == jobs.DEFAULT_MAX_JOBS == 2
    monkeypatch.setenv(jobs.ENV_MAX_JOBS, "5")
    assert max_jobs_from_env() == 5 and JobManager().max_jobs == 5
    for bad in ("0", "-1", "many", ""):
        monkeypatch.setenv(jobs.ENV_MAX_JOBS, bad)
        assert max_jobs_from_env() == 2
    with pytest.raises(ValueError):
        JobManager(0)


def test_jobs_past_the_cap_queue_in_order_and_start_as_slots_free():
    manager = JobManager(max_jobs=2)
    a, b, c, d = (manager.submit(FakeJob(n)) for n in "abcd")
    assert [j.status for j in (a, b, c, d)] == ["running", "running", "queued", "queued"]
    assert [manager.position(j) for j in (a, b, c, d)] == [None, None, 1, 2]
    assert (manager.running, manager.queued) == (2, 2)

    b.release.set()  # b ends: c takes its slot, d moves up
    wait_until(lambda: c.status == "running")
    assert manager.position(d) == 1 and d.status == "queued"

    a.release.set()
    wait_until(lambda: d.status == "running")
    c.release.set()
    d.release.set()
    wait_until(lambda: manager.running == 0)
    assert manager.queued == 0 and manager.peak_running == 2


def test_cancel_a_waiting_job():
    manager = JobManager(max_jobs=1)
    a, b, c = (manager.submit(FakeJob(n)) for n in "abc")
    assert manager.cancel(b) and not manager.cancel(b) and not manager.cancel(a)
    assert manager.position(c) == 1
    a.release.set()
    wait_until(lambda: c.status == "running")
    assert b.status == "queued"  # never started
    c.release.set()


def test_many_threads_submitting_never_exceed_the_cap():
    manager = JobManager(max_jobs=3)
    fakes = [FakeJob(str(i)) for i in range(20)]
    threads = [threading.Thread(target=manager.submit, args=(f,)) for f in fakes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert manager.running == 3 and manager.queued == 17
    positions = sorted(manager.position(f) for f in fakes if f.status == "queued")
    assert positions == list(range(1, 18))
    for f in fakes:
        f.release.set()
    wait_until(lambda: all(f.status == "finished" for f in fakes))
    assert manager.peak_running == 3


# --- with real training jobs ----------------------------------------------------------------


def small_job(seed: int, epochs: int = 2) -> TrainingJob:
    config = TrainConfig(epochs=epochs, batch_size=64, seed=seed, save=False, device="cpu")
    return TrainingJob(planted_dataset(200, seed=seed), "cnn", config)


def test_training_jobs_queue_show_their_position_and_all_finish():
    manager = JobManager(max_jobs=1)
    first, second, third = (manager.submit(small_job(s)) for s in range(3))
    assert first.status in ("running", "finished")
    assert second.status == "queued" and third.status == "queued"
    assert (second.queue_position, third.queue_position) == (1, 2)
    assert not second.done and second.history == []
    wait_until(lambda: all(j.done for j in (first, second, third)), timeout=120)
    assert [j.status for j in (first, second, third)] == ["finished"] * 3
    assert all(j.queue_position is None and len(j.history) == 2 for j in (first, second, third))
    assert manager.peak_running == 1
    # one after the other: each started only after the one before had ended
    assert first.started_at <= second.started_at <= third.started_at
    # no crosstalk: each job's curves are its own (different seeds, different data)
    assert first.history[0]["train_loss"] != second.history[0]["train_loss"]


def test_stopping_a_queued_job_frees_its_place_at_once():
    manager = JobManager(max_jobs=1)
    running = manager.submit(small_job(0, epochs=50))
    waiting, after = manager.submit(small_job(1)), manager.submit(small_job(2))
    waiting.stop()
    assert waiting.status == "stopped" and waiting.done and waiting.result is None
    assert "queued" in waiting.message
    assert after.queue_position == 1
    running.stop()
    wait_until(lambda: after.done, timeout=120)
    assert after.status == "finished" and waiting.history == []


def test_default_manager_is_one_per_process(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(jobs, "_default", None)
    monkeypatch.setenv(jobs.ENV_MAX_JOBS, "3")
    assert jobs.default_manager() is jobs.default_manager()
    assert jobs.default_manager().max_jobs == 3


# --- cached shared objects --------------------------------------------------------------------


def test_bundled_copies_never_share_arrays_with_the_cache():
    """``load_bundled`` hands out copies: changing one changes neither the cache nor the
    next copy (the Train page trains on such a copy while other sessions read theirs)."""
    from genoviz.data import load_bundled

    a = load_bundled("tf-binding")
    labels, extras, weights = (np.array(v, copy=True) for v in (a.labels, a.extras, a.weights))
    sequences, train = list(a.sequences), a.splits["train"].copy()
    a.labels[:] = -1.0
    a.extras[:] = -1.0
    a.weights[:] = -1.0
    a.sequences[0] = "N"
    a.splits["train"][:] = 0
    a.meta.notes["x"] = 1
    b = load_bundled("tf-binding")
    np.testing.assert_array_equal(b.labels, labels)
    np.testing.assert_array_equal(b.extras, extras)
    np.testing.assert_array_equal(b.weights, weights)
    np.testing.assert_array_equal(b.splits["train"], train)
    assert b.sequences == sequences and "x" not in b.meta.notes


def test_pages_never_change_the_shared_cached_dataset(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """One session browses every Data tab and trains on the Train page; the dataset shared
    through ``st.cache_resource`` is unchanged afterwards, and its arrays are read-only."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from genoviz.data import load_bundled

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.syspath_prepend(str(root))
    from pages._common import bundled_dataset

    bundled_dataset.clear()
    at = AppTest.from_file(str(root / "app.py"), default_timeout=120).run()
    at.switch_page("pages/data.py").run()
    for tab in at.tabs:
        assert tab.label  # AppTest renders every tab's content in one run
    at.switch_page("pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("sirna").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    job.wait(120)
    assert job.status == "finished", job.message
    at.run()
    assert not at.exception

    for name in ("tf-binding", "sirna"):
        shared, fresh = bundled_dataset(name), load_bundled(name)
        assert shared.sequences == fresh.sequences and shared.ids == fresh.ids
        np.testing.assert_array_equal(shared.labels, fresh.labels)
        for k in ("train", "valid", "test"):
            np.testing.assert_array_equal(shared.splits[k], fresh.splits[k])
        assert shared.meta.notes == fresh.meta.notes
        with pytest.raises(ValueError, match="read-only"):
            shared.labels[0] = 5.0


@pytest.fixture
def queued_train_page(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """The Train page of a session whose sirna job waits behind another session's job on
    a server that trains one at a time: ``(page, manager, busy)``."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.syspath_prepend(str(root))
    manager = JobManager(max_jobs=1)
    monkeypatch.setattr(jobs, "_default", manager)
    busy = manager.submit(FakeJob("another session's job"))
    try:
        at = AppTest.from_file(str(root / "app.py"), default_timeout=120).run()
        at.switch_page("pages/train.py").run()
        at.selectbox(key="train_dataset").set_value("sirna").run()
        at.number_input(key="train_epochs").set_value(1).run()
        at.button(key="train_start").click().run()
        yield at, manager, busy
    finally:
        busy.release.set()


def test_train_page_shows_the_queue_position(queued_train_page):
    at, manager, busy = queued_train_page
    assert not at.exception
    job = at.session_state["train_job"]
    assert job.status == "queued"
    shown = " ".join(m.value for m in at.markdown)
    assert "queued, position 1" in shown and "at most 1 model(s) at once" in shown
    assert not at.button(key="train_stop").disabled  # a queued job can be called off
    assert not at.get("progress")  # nothing has started: no epoch to show
    busy.release.set()
    job.wait(120)
    wait_until(lambda: job.done, timeout=120)
    assert job.status == "finished" and manager.peak_running == 1


def test_a_job_stopped_while_queued_says_so_on_the_train_page(queued_train_page):
    """Stopped from the Runs page while it waited, it showed 'stopped · The curves appear
    after the first epoch', waiting for curves that never came."""
    at, _, _ = queued_train_page
    job = at.session_state["train_job"]
    job.stop()  # as the Runs page's Stop does
    at.run()
    assert any("it never started" in i.value for i in at.info)
    assert not any("curves appear" in c.value for c in at.caption)


def test_a_ticket_finds_its_job_of_its_kind_until_it_is_forgotten(monkeypatch):
    monkeypatch.setattr(jobs, "KEEP_FINISHED", 2)
    manager = JobManager(max_jobs=1)
    first, waiting = FakeJob("first"), FakeJob("waiting")
    manager.submit(first)
    manager.submit(waiting, kind="lesson")
    t_first, t_waiting = manager.ticket(first), manager.ticket(waiting)
    assert t_first and t_waiting and t_first != t_waiting and len(t_first) >= 16
    assert manager.find(t_first) is first and manager.find(t_waiting, "lesson") is waiting
    # a page finds only its own kind of job, and an unknown ticket finds nothing
    assert manager.find(t_waiting) is None and manager.find(t_first, "lesson") is None
    assert manager.find("not-a-ticket") is None and manager.ticket(FakeJob("other")) is None
    first.release.set()
    wait_until(lambda: waiting.status == "running")
    assert manager.find(t_first) is first  # finished: a reload still shows its results
    later = [FakeJob(f"later{i}") for i in range(2)]
    for job in [waiting, *later]:
        if job is not waiting:
            manager.submit(job)
        job.release.set()
        wait_until(lambda job=job: job.status == "finished" and manager.running == 0)
    # four finished, two remembered: the oldest two are forgotten, the newest kept
    assert manager.find(t_first) is None and manager.find(t_waiting, "lesson") is None
    assert [manager.find(manager.ticket(j)) for j in later] == later
