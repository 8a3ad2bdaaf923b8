"""How a run's ``run.json`` records its end: finished or stopped, interrupted, or failed."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import torch

from genoviz import runs

log = logging.getLogger(__name__)


def out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` is running out of (GPU or CPU) memory, which another job's use
    can cause and its end mend."""
    if isinstance(error, (MemoryError, torch.OutOfMemoryError)):
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


def write_failed(
    run_dir: Path | None,
    info: dict[str, Any],
    error: BaseException,
    history: list[dict[str, Any]],
) -> None:
    """Say in ``run.json`` that training failed, with the message and the epoch whose
    weights it kept (no-op without a folder); Ctrl-C is no failure: the run is
    ``interrupted``, and can go on (``--resume``).

    Args:
        history: the epochs' records so far (a resumed run's earlier ones included).
    """
    epochs_done = len(history)
    if run_dir is not None and info:  # a run that never described itself has no run.json
        if kept := [r["epoch"] for r in history if r.get("best")]:
            info["best_epoch"] = kept[-1]  # a resumed run dropped its last stop's
        if isinstance(error, KeyboardInterrupt):
            status, message = "interrupted", f"interrupted (Ctrl-C) after {epochs_done} epoch(s)"
        else:
            status, message = "failed", str(error)
            # a full disk or a lost folder can be mended and the run go on, and memory
            # another job held may be free again; a diverged loss or a bug would fail
            # again the same way
            info["failed_on_os"] = isinstance(error, OSError)
            info["failed_out_of_memory"] = out_of_memory(error)
        info |= {"status": status, "message": message, "epochs_done": epochs_done}
        try:  # best effort: on a full disk this fails too, and the first error is the news
            runs.write_run_json(run_dir, info)
        except OSError as e:
            log.warning("could not record the failure in %s: %s", run_dir, e)


def write_final(
    run_dir: Path,
    info: dict[str, Any],
    *,
    status: str,
    best_epoch: int,
    epochs_done: int,
    metrics: dict[str, dict[str, float]],
) -> None:
    """The last ``run.json`` of a run: how it ended, its kept epoch and final metrics."""
    info |= {
        "status": status,
        "best_epoch": best_epoch,
        "epochs_done": epochs_done,
        "final_metrics": metrics,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    runs.write_run_json(run_dir, info)
