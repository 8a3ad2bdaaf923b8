"""Run directories: ``run.json``, ``metrics.jsonl`` and ``model.safetensors``.

Writes are atomic (temp file + ``os.replace``), so a crash never leaves half a file.
Loading never unpickles: weights are safetensors and everything else is JSON.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file as load_safetensors
from safetensors.torch import save_file as save_safetensors

import models

RUN_JSON = "run.json"
METRICS = "metrics.jsonl"
WEIGHTS = "model.safetensors"
#: BERT runs also keep a Hugging Face ``save_pretrained`` folder (with DNABERT's vocab.txt).
HF_DIR = "hf"


class RunError(ValueError):
    """A run directory that is missing or cannot be read."""


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


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _clean(o: Any) -> Any:
    """Replace NaN/inf (not valid JSON) with None, recursively."""
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    return o


def atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run_json(run_dir: Path, info: dict[str, Any]) -> None:
    text = json.dumps(_clean(info), indent=2, default=_json_default, allow_nan=False)
    atomic_write_text(Path(run_dir) / RUN_JSON, text)


def append_metrics(run_dir: Path, record: dict[str, Any]) -> None:
    """Append one epoch to ``metrics.jsonl`` and flush it to disk."""
    line = json.dumps(_clean(record), default=_json_default, allow_nan=False)
    with open(Path(run_dir) / METRICS, "a") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def save_weights(run_dir: Path, model: torch.nn.Module) -> None:
    path = Path(run_dir) / WEIGHTS
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".model.")
    os.close(fd)
    try:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_safetensors(state, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_hf(run_dir: Path, model: torch.nn.Module) -> None:
    """Write ``hf/`` for a BERT model (``model.save_hf``): built in a temp folder, then
    swapped in, so a reader never sees half a checkpoint."""
    run_dir = Path(run_dir)
    tmp = Path(tempfile.mkdtemp(dir=run_dir, prefix=".hf."))
    old = run_dir / f".{HF_DIR}.old"
    try:
        model.save_hf(tmp)
        if (run_dir / HF_DIR).exists():
            os.replace(run_dir / HF_DIR, old)
        os.replace(tmp, run_dir / HF_DIR)
    finally:
        for p in (tmp, old):
            if p.exists():
                shutil.rmtree(p)


@dataclass
class Run:
    """A run read back from disk."""

    path: Path
    info: dict[str, Any]
    history: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def status(self) -> str:
        return str(self.info.get("status", "unknown"))

    def load_model(self, device: str | torch.device = "cpu") -> torch.nn.Module:
        """Rebuild the model from ``run.json`` and load its safetensors weights."""
        m = self.info["model"]
        model = models.get(m["name"], **m["build"])
        weights = self.path / WEIGHTS
        if not weights.exists():
            raise RunError(f"{self.path}: no {WEIGHTS}; the run saved no weights")
        try:
            model.load_state_dict(load_safetensors(str(weights), device="cpu"))
        except RuntimeError as e:
            raise RunError(
                f"{self.path}: the saved weights do not fit model {m['name']!r} as genoviz "
                f"builds it now (saved by genoviz {self.info.get('versions', {}).get('genoviz')}"
                "); retrain the run"
            ) from e
        return model.to(device).eval()


def read_history(run_dir: Path) -> list[dict[str, Any]]:
    """Epoch records; a torn last line (a crash mid-write) is skipped."""
    path = Path(run_dir) / METRICS
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def load_run(run_dir: str | Path) -> Run:
    path = Path(run_dir)
    info_path = path / RUN_JSON
    if not info_path.exists():
        raise RunError(f"{path} is not a genoviz run folder (no {RUN_JSON})")
    try:
        info = json.loads(info_path.read_text())
    except json.JSONDecodeError as e:
        raise RunError(f"{info_path}: damaged ({e})") from None
    return Run(path=path, info=info, history=read_history(path))


def list_runs(root: str | Path | None = None) -> list[Run]:
    """Runs under ``root``, newest first; unreadable folders are skipped."""
    root = Path(root) if root is not None else default_runs_dir()
    if not root.is_dir():
        return []
    runs = []
    for p in sorted(root.iterdir(), reverse=True):
        if (p / RUN_JSON).exists():
            try:
                runs.append(load_run(p))
            except RunError:
                continue
    return runs
