"""A cap on concurrent training jobs per server process, with a first-in first-out queue.

A classroom server shares its CPUs (or one GPU) between every browser session; without a
cap, thirty students pressing Start at once would all crawl. Jobs submitted past the cap
wait in a queue, and each can say its position so the page shows "queued, position N".
``GENOVIZ_MAX_JOBS`` sets the cap (default 2). The CLI trains in its own process and is
not counted.

Each submitted job gets a ticket, an unguessable string a page keeps in its address bar, so
that a reload (a new Streamlit session) finds the same job instead of losing it and letting
Start launch a second copy. The manager remembers the last :data:`KEEP_FINISHED` finished
jobs' tickets too, so a reload after the end still shows the results.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

ENV_MAX_JOBS = "GENOVIZ_MAX_JOBS"
DEFAULT_MAX_JOBS = 2
#: Finished jobs whose tickets still find them (each holds its model and data in memory).
KEEP_FINISHED = 16


class JobBusy(RuntimeError):
    """A job for this run folder is already training or waiting on this server."""


class Job(Protocol):
    """What the manager needs from a job (:class:`genoviz.training_job.TrainingJob` has it).
    ``run_dir`` is the folder it writes, or None while that is unknown."""

    run_dir: Path | None

    def start(self) -> object: ...

    def mark_queued(self, manager: JobManager) -> None: ...

    def add_done_callback(self, fn: Callable[[Job], None]) -> None: ...


def max_jobs_from_env() -> int:
    """``$GENOVIZ_MAX_JOBS`` as a positive integer, else :data:`DEFAULT_MAX_JOBS`."""
    raw = os.environ.get(ENV_MAX_JOBS, "").strip()
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_MAX_JOBS
    return value if value >= 1 else DEFAULT_MAX_JOBS


class JobManager:
    """Starts at most ``max_jobs`` jobs at a time; the rest wait in submission order.

    Thread-safe: sessions submit from their own script threads, and jobs report that they
    are done from their worker threads.
    """

    def __init__(self, max_jobs: int | None = None) -> None:
        self.max_jobs = max_jobs if max_jobs is not None else max_jobs_from_env()
        if self.max_jobs < 1:
            raise ValueError(f"max_jobs must be at least 1, not {self.max_jobs}")
        self._lock = threading.Lock()
        self._running: list[Job] = []
        self._queue: deque[Job] = deque()
        #: The most jobs that ever ran at once (for tests and the server log).
        self.peak_running = 0
        self._tickets: dict[str, tuple[Job, str]] = {}  # ticket -> (job, kind)
        self._finished_tickets: OrderedDict[str, None] = OrderedDict()  # oldest first

    def submit(self, job: Job, kind: str = "train") -> Job:
        """Start ``job`` now if a slot is free, else queue it. Returns the job.

        ``kind`` names the page's sort of job ("train", "lesson", ...); :meth:`find` hands
        a job back only to a page that asks for its kind.

        Raises:
            JobBusy: another job already trains or waits to train ``job.run_dir`` (two
                sessions pressing Resume on one run).
        """
        with self._lock:
            folder = getattr(job, "run_dir", None)
            if folder is not None and self._job_for(folder) is not None:
                raise JobBusy(f"{Path(folder).name} is already training or waiting to train")
            start = len(self._running) < self.max_jobs
            self._tickets[secrets.token_urlsafe(12)] = (job, kind)
            if start:
                self._add_running(job)
            else:
                self._queue.append(job)
                job.mark_queued(self)
        job.add_done_callback(self._finished)
        if start:
            job.start()
        return job

    def position(self, job: Job) -> int | None:
        """1-based place of ``job`` in the queue; None when it is not waiting."""
        with self._lock:
            for i, queued in enumerate(self._queue, start=1):
                if queued is job:
                    return i
        return None

    def cancel(self, job: Job) -> bool:
        """Take a waiting job out of the queue; False when it was not waiting."""
        with self._lock:
            try:
                self._queue.remove(job)
            except ValueError:
                return False
            return True

    def ticket(self, job: Job) -> str | None:
        """The ticket :meth:`submit` gave ``job``; None for a job this manager does not
        remember (never submitted here, or finished long ago)."""
        with self._lock:
            for ticket, (known, _) in self._tickets.items():
                if known is job:
                    return ticket
        return None

    def find(self, ticket: str, kind: str = "train") -> Job | None:
        """The job of ``ticket`` if it is of ``kind`` and still remembered: training,
        waiting, or among the last :data:`KEEP_FINISHED` to finish."""
        with self._lock:
            job, job_kind = self._tickets.get(ticket, (None, None))
        return job if job_kind == kind else None

    def jobs(self) -> list[Job]:
        """Every job training now, then every one waiting, in order: whichever session
        submitted it, a closed tab's included."""
        with self._lock:
            return self._all()

    def _all(self) -> list[Job]:
        return [*self._running, *self._queue]

    def job_for(self, run_dir: str | Path) -> Job | None:
        """The running or waiting job that writes ``run_dir``, if any: whichever session
        started it, so the Runs page can say so and stop it."""
        with self._lock:
            return self._job_for(run_dir)

    def _job_for(self, run_dir: str | Path) -> Job | None:
        target = Path(run_dir).resolve()
        for job in self._all():
            folder = getattr(job, "run_dir", None)
            if folder is not None and Path(folder).resolve() == target:
                return job
        return None

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)

    @property
    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    def _add_running(self, job: Job) -> None:
        self._running.append(job)
        self.peak_running = max(self.peak_running, len(self._running))

    def _finished(self, job: Job) -> None:
        """A job ended (finished, stopped, failed): give its slot to the next in line."""
        to_start = []
        with self._lock:
            self._running = [j for j in self._running if j is not job]
            if job in self._queue:  # stopped while waiting
                self._queue.remove(job)
            self._forget_finished(job)
            while self._queue and len(self._running) < self.max_jobs:
                nxt = self._queue.popleft()
                self._add_running(nxt)
                to_start.append(nxt)
        for nxt in to_start:
            nxt.start()

    def _forget_finished(self, job: Job) -> None:
        """Keep ``job``'s ticket among the recent finished ones; drop the oldest past
        :data:`KEEP_FINISHED` (with the lock held)."""
        for ticket, (known, _) in self._tickets.items():
            if known is job:
                self._finished_tickets[ticket] = None
                break
        while len(self._finished_tickets) > KEEP_FINISHED:
            oldest, _ = self._finished_tickets.popitem(last=False)
            self._tickets.pop(oldest, None)


_default: JobManager | None = None
_default_lock = threading.Lock()


def default_manager() -> JobManager:
    """The server-wide manager, made on first use with the cap from the environment."""
    global _default
    with _default_lock:
        if _default is None:
            _default = JobManager()
        return _default
