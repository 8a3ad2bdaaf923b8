"""The runs folder: naming and making new run folders in it, and listing the runs it holds."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from genoviz.runs import RUN_JSON, Run, RunError, load_run


def default_runs_dir() -> Path:
    """``$GENOVIZ_RUNS_DIR`` or ``./runs``."""
    return Path(os.environ.get("GENOVIZ_RUNS_DIR", "runs"))


def safe_name(name: str) -> str:
    """A run name safe as one path component: letters, digits, ``-``, ``_`` and ``.`` only."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip(".-")
    return cleaned[:80] or "run"


def new_run_dir(root: str | Path, name: str) -> Path:
    """Create ``root/<timestamp>-<name>/`` (unique even within the same second)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{safe_name(name)}"
    for k in range(1000):
        path = root / (base if k == 0 else f"{base}-{k}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RunError(f"cannot create a new run folder under {root}")


def list_runs(root: str | Path | None = None) -> list[Run]:
    """Runs under ``root``, newest first (by ``run.json``'s ``created``, then by folder
    name, so runs named by hand sort by time too); unreadable folders are skipped."""
    return scan_runs(root)[0]


def unreadable(run_dir: str | Path) -> bool:
    """Whether the server cannot read the folder's ``run.json`` at all (another user's
    files, a failing disk), as opposed to reading a damaged one: such a folder is not
    offered for deletion."""
    try:
        with open(Path(run_dir) / RUN_JSON, "rb") as fh:
            fh.read(1)
    except OSError:
        return True
    return False


def scan_runs(root: str | Path | None = None) -> tuple[list[Run], list[tuple[Path, str]]]:
    """Every folder under ``root`` with a ``run.json``, read once: the runs as
    :func:`list_runs` gives them, and the folders it skips, each with the reason it cannot
    be read, by name."""
    root = Path(root) if root is not None else default_runs_dir()
    if not root.is_dir():
        return [], []
    runs, damaged = [], []
    for p in sorted(root.iterdir()):
        if (p / RUN_JSON).exists():
            try:
                runs.append(load_run(p))
            except RunError as e:
                damaged.append((p, str(e)))
    runs.sort(key=lambda r: (str(r.info.get("created", "")), r.name), reverse=True)
    return runs, damaged
