"""Who is training into a run folder: ``run.lock`` and its heartbeat.

A run.json saying "running" cannot tell a live run from one whose process was killed with
kill -9. The trainer therefore holds run.lock: its host, pid and the pid's start time (so a
reused pid is not mistaken for it), touched every HEARTBEAT_SECONDS by a daemon thread.
On the same host (and the same boot) the pid decides; from another host sharing the
folder, only a heartbeat older than STALE_SECONDS marks the run interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genoviz.runs import FILE_MODE, LOCK, RunError, atomic_write_text

HEARTBEAT_SECONDS = 10.0
STALE_SECONDS = 120.0


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _process_start(pid: int) -> str:
    """The pid's start time in clock ticks since boot (Linux), or "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22; the name may hold spaces


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def _owner() -> dict[str, Any]:
    import socket

    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "boot_id": _boot_id(),
        "pid": pid,
        "pid_start": _process_start(pid),
    }


def run_owner_alive(run_dir: str | Path, now: float | None = None) -> bool:
    """Whether a live process holds ``run.lock`` in ``run_dir`` (False without a lock)."""
    import socket

    lock = Path(run_dir) / LOCK
    try:
        owner = json.loads(lock.read_text())
        age = (time.time() if now is None else now) - lock.stat().st_mtime
    except (OSError, ValueError):
        return False
    if not isinstance(owner, dict):
        return False
    same_machine = owner.get("host") == socket.gethostname() and owner.get("boot_id") == _boot_id()
    if not same_machine:
        return age < STALE_SECONDS
    pid = owner.get("pid")
    if not isinstance(pid, int) or not _pid_alive(pid):
        return False
    start = owner.get("pid_start") or ""
    return not start or _process_start(pid) in ("", start)


def _lock_field(path: Path, key: str) -> Any:
    """One field of the lock file's owner record (``pid``, ``token``); None when there is
    no readable lock."""
    try:
        owner = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return owner.get(key) if isinstance(owner, dict) else None


@contextlib.contextmanager
def _one_taker(folder: Path) -> Iterator[None]:
    """Takers of ``folder``'s lock one at a time on this machine: an exclusive ``flock`` on
    the folder itself (no file of its own to leave behind). Where there is no ``flock``
    (Windows), the hard link alone decides."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing lets go of the flock


#: Run folders whose lock a thread of this process holds: the lock file names the pid,
#: which every session of one server shares, so the pid alone cannot keep two sessions
#: from training into one folder.
_HELD: set[str] = set()
_HELD_LOCK = threading.Lock()


class RunLock:
    """``run.lock`` with a heartbeat thread, held while training writes into ``run_dir``.

    >>> with RunLock(run_dir):
    ...     train()
    """

    def __init__(self, run_dir: str | Path, interval: float = HEARTBEAT_SECONDS) -> None:
        self.path = Path(run_dir) / LOCK
        self.interval = interval
        self._stop = None
        self._thread = None
        self._key: str | None = None
        self._token: str | None = None

    def acquire(self) -> RunLock:
        key = str(self.path.resolve())
        with _HELD_LOCK:
            if key in _HELD:  # another thread of this process (another session) trains it
                raise RunError(f"{self.path.parent} is already being trained by this server")
            _HELD.add(key)
        try:
            self._take()
        except BaseException:
            with _HELD_LOCK:
                _HELD.discard(key)
            raise
        self._key = key
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="genoviz-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _take(self) -> None:
        """Create ``run.lock`` in one step, so two processes cannot both take one folder.

        The owner is written to a temporary file first and hard-linked into place, which
        fails when the lock exists: the lock never appears half-written. Takers on this
        machine go one at a time (an ``flock`` on the run folder), so a lock whose owner is
        gone (or is this process, which no longer holds it) is replaced by one of them only.
        """
        self._token = uuid.uuid4().hex  # which lock is ours, when the time comes to let go
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{LOCK}.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(json.dumps(_owner() | {"token": self._token}))
            os.chmod(tmp, FILE_MODE)
            with _one_taker(self.path.parent):
                try:
                    os.link(tmp, self.path)
                    return
                except FileExistsError:
                    pass
                except OSError:  # a file system without hard links: check, then write
                    self._refuse_a_live_owner()
                    atomic_write_text(self.path, Path(tmp).read_text())
                    return
                self._refuse_a_live_owner()
                self.path.unlink(missing_ok=True)  # a dead owner's
                os.link(tmp, self.path)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def _refuse_a_live_owner(self) -> None:
        if run_owner_alive(self.path.parent) and _lock_field(self.path, "pid") != os.getpid():
            raise RunError(f"{self.path.parent} is being trained by another live process")

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                os.utime(self.path)
            except OSError:  # the folder was deleted under us: nothing left to mark
                return

    def release(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._thread.join()
        if self._key is not None:
            if _lock_field(self.path, "token") == self._token:  # never another owner's lock
                self.path.unlink(missing_ok=True)
            with _HELD_LOCK:
                _HELD.discard(self._key)
            self._key = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
