"""A job that runs one long function in a worker thread, for the pages to poll.

:class:`genoviz.training_job.TrainingJob` does this for supervised training. :class:`ThreadJob`
does the same for any other long computation (autoencoder training, the with/without
extras comparison): the function gets the job and reports through it, and a page's
``@st.fragment(run_every=...)`` reads ``history``, ``progress`` and ``status``. It fits
:class:`genoviz.jobs.JobManager`, so it shares the server's cap on concurrent jobs. It
never calls streamlit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genoviz.data import Dataset

log = logging.getLogger(__name__)

#: The statuses after which a job never changes again.
DONE = ("finished", "stopped", "failed")


class ThreadJob:
    """Runs ``work(job)`` in a daemon thread; every attribute is safe to read from others.

    ``work`` reports through the job: :meth:`record_epoch` once per epoch,
    :meth:`set_progress` with the share of the current step done, and it polls
    :meth:`stop_requested` to end early. What it returns becomes ``result``; an exception
    becomes status ``failed`` with its message.

    >>> job = ThreadJob(lambda j: sum(range(10)), "toy").start()
    >>> job.wait(); job.result
    45
    """

    def __init__(
        self,
        work: Callable[[ThreadJob], Any],
        name: str = "job",
        dataset: Dataset | None = None,
        epochs: int | None = None,
    ) -> None:
        self.name = name
        #: What the work trains on and for how many epochs at most (for the page to show).
        self.dataset = dataset
        self.epochs = epochs
        self._work = work
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._history: list[dict[str, Any]] = []
        self._status = "pending"
        self._message = ""
        self._progress = 0.0
        self._stage = ""
        self._result: Any = None
        self._callbacks: list[Callable[[ThreadJob], None]] = []
        self._manager: Any = None  # a genoviz.jobs.JobManager while queued
        self.started_at: float | None = None
        #: The run folder the job writes, once known (a resumed run's from the start), so
        #: the server can tell which job trains a folder (:meth:`JobManager.job_for`).
        self.run_dir: Path | None = None

    # --- what the worker calls ------------------------------------------------------------

    def record_epoch(self, record: dict[str, Any]) -> None:
        """Append one epoch's record (a copy) to ``history``."""
        with self._lock:
            self._history.append(dict(record))

    def set_progress(self, frac: float, stage: str | None = None) -> None:
        """Share of the current epoch done, clipped to [0, 1]; ``stage`` names the part
        of the work it is in, when it has several (kept until changed)."""
        self._progress = min(max(float(frac), 0.0), 1.0)
        if stage is not None:
            self._stage = stage

    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def set_run_dir(self, run_dir: str | Path) -> None:
        """The folder the work writes into, as soon as it has one."""
        self.run_dir = Path(run_dir)

    # --- what the manager calls -----------------------------------------------------------

    def start(self) -> ThreadJob:
        if self._thread is not None:
            raise RuntimeError("this job was already started")
        with self._lock:
            cancelled = self._cancelled_before_start()
            if not cancelled:
                self._status = "running"
                self.started_at = time.time()
        if cancelled:
            self._finish_cancelled()
            return self
        self._thread = threading.Thread(target=self._run, name=f"genoviz-{self.name}", daemon=True)
        self._thread.start()
        return self

    def mark_queued(self, manager: Any) -> None:
        with self._lock:
            self._status = "queued"
            self._manager = manager

    def add_done_callback(self, fn: Callable[[ThreadJob], None]) -> None:
        """Call ``fn(job)`` once the job has ended (at once if it already has)."""
        with self._lock:
            if self._status not in DONE:
                self._callbacks.append(fn)
                return
        fn(self)

    # --- what the page calls --------------------------------------------------------------

    def stop(self) -> None:
        """Ask the worker to stop at its next check; a queued job ends at once."""
        self._stop.set()
        with self._lock:
            queued = self._status == "queued"
        if queued and (self._manager is None or self._manager.cancel(self)):
            self._finish_cancelled()

    def wait(self, timeout: float | None = None) -> str:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.status

    @property
    def queue_position(self) -> int | None:
        """1-based place in the server's queue while queued, else None."""
        manager = self._manager
        if manager is None or self.status != "queued":
            return None
        return manager.position(self)

    @property
    def history(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._history]

    @property
    def status(self) -> str:
        """``pending``, ``queued``, ``running``, then ``finished``, ``stopped`` or ``failed``."""
        with self._lock:
            return self._status

    @property
    def message(self) -> str:
        """Why it failed, or that it was stopped before it started (else empty)."""
        with self._lock:
            return self._message

    @property
    def progress(self) -> float:
        return self._progress

    @property
    def stage(self) -> str:
        """The last ``stage`` given to :meth:`set_progress` (empty until then)."""
        return self._stage

    @property
    def result(self) -> Any:
        """What ``work`` returned (None until then, and after a failure)."""
        with self._lock:
            return self._result

    @property
    def done(self) -> bool:
        return self.status in DONE

    # --- internals ------------------------------------------------------------------------

    def _cancelled_before_start(self) -> bool:
        """Under the lock at :meth:`start`: end as stopped without running (stopped while
        it waited in the queue)."""
        return self._stop.is_set()

    def _complete(self, result: Any) -> None:
        """Under the lock once ``work`` has returned: keep its result, set the status."""
        self._result = result
        self._status = "stopped" if self._stop.is_set() else "finished"

    def _run(self) -> None:
        try:
            result = self._work(self)
            with self._lock:
                self._complete(result)
        except Exception as e:  # the worker must never die silently
            log.exception("background job %s failed", self.name)
            with self._lock:
                self._status = "failed"
                self._message = str(e) or type(e).__name__
        finally:
            self._fire_done()

    def _finish_cancelled(self) -> None:
        with self._lock:
            self._status = "stopped"
            self._message = (
                "Stopped while it was queued for a training place (here, or from the Runs "
                "page); it never started."
            )
        self._fire_done()

    def _fire_done(self) -> None:
        with self._lock:
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            try:
                fn(self)
            except Exception:  # one broken listener must not keep the others waiting
                log.exception("background job done-callback failed")
