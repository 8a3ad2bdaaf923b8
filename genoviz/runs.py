"""Run directories: ``run.json``, ``metrics.jsonl`` and ``model.safetensors``.

Its siblings: ``run_folders`` (new folders, listing), ``run_outcome`` (how a run ended),
``run_checkpoint`` (resuming), ``run_predictions`` (``test_predictions.csv``), ``run_data``
(a run's data again), ``run_lock`` (who trains into it) and ``runs_archive`` (zip, rename).

Writes are atomic (temp file + ``os.replace``), so a crash never leaves half a file.
Loading never unpickles: weights are safetensors and everything else is JSON.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from safetensors.torch import load_file as load_safetensors
from safetensors.torch import save_file as save_safetensors

import models

RUN_JSON = "run.json"
METRICS = "metrics.jsonl"
WEIGHTS = "model.safetensors"
#: Held while a process trains into the folder: who (host, pid, process start) + heartbeat.
LOCK = "run.lock"
#: Everything needed to go on after the last completed epoch
#: (see :func:`genoviz.run_checkpoint.save_checkpoint`).
CHECKPOINT = "checkpoint.safetensors"
#: The kept model's predictions on the test split, with the labels, for later analysis.
TEST_PREDICTIONS = "test_predictions.csv"
#: BERT runs also keep a Hugging Face ``save_pretrained`` folder (with DNABERT's vocab.txt).
HF_DIR = "hf"


class RunError(ValueError):
    """A run directory that is missing or cannot be read."""


def json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def json_clean(o: Any) -> Any:
    """Replace NaN/inf (not valid JSON) with None, recursively."""
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: json_clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [json_clean(v) for v in o]
    return o


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` sets it, which another
    thread creating a file at that moment would feel)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


#: Run files are made by ``mkstemp``, which gives ``-rw-------``; they get the mode a plain
#: ``open`` would, so a run written by the command line as one user can be read by the
#: server running as another.
_UMASK = _umask()
FILE_MODE = 0o666 & ~_UMASK
DIR_MODE = 0o777 & ~_UMASK


def atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run_json(run_dir: Path, info: dict[str, Any]) -> None:
    text = json.dumps(json_clean(info), indent=2, default=json_default, allow_nan=False)
    atomic_write_text(Path(run_dir) / RUN_JSON, text)


def append_metrics(run_dir: Path, record: dict[str, Any]) -> None:
    """Append one epoch to ``metrics.jsonl`` and flush it to disk."""
    line = json.dumps(json_clean(record), default=json_default, allow_nan=False)
    with open(Path(run_dir) / METRICS, "a") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def rewrite_history(run_dir: Path, history: list[dict[str, Any]]) -> None:
    """Replace ``metrics.jsonl`` (atomically) with ``history``."""
    lines = [json.dumps(json_clean(r), default=json_default, allow_nan=False) for r in history]
    atomic_write_text(Path(run_dir) / METRICS, "".join(line + "\n" for line in lines))


def save_weights(run_dir: Path, model: torch.nn.Module) -> None:
    path = Path(run_dir) / WEIGHTS
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".model.")
    os.close(fd)
    try:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_safetensors(state, tmp)
        os.chmod(tmp, FILE_MODE)  # safetensors writes a new file, with mkstemp's mode
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
        os.chmod(tmp, DIR_MODE)  # mkdtemp's 0700 would hide it from another user
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
        """``run.json``'s status, except that a ``running`` run whose trainer is gone (killed,
        crashed, machine restarted) is ``interrupted``: see :func:`run_owner_alive`."""
        status = str(self.info.get("status", "unknown"))
        from genoviz.run_lock import run_owner_alive

        if status == "running" and not run_owner_alive(self.path):
            return "interrupted"
        return status

    @property
    def untrained(self) -> bool:
        """Ended (stopped, interrupted, failed) before its first epoch finished: its weights
        and any test metrics are those of the starting model, not of a trained one."""
        if self.status not in ("stopped", "interrupted", "failed"):
            return False
        return int(self.info.get("epochs_done", len(self.history)) or 0) == 0

    @property
    def resumable(self) -> bool:
        """Interrupted or stopped runs can go on from their last completed epoch, when their
        checkpoint is there (pretraining runs keep none; a zip import does not carry it);
        so can a run that failed on the file system (a full disk) or ran out of memory,
        once that is mended."""
        if is_pretraining(self):
            return False
        if self.status == "failed":
            mendable = self.info.get("failed_on_os") or self.info.get("failed_out_of_memory")
            return bool(mendable) and (self.path / CHECKPOINT).exists()
        if self.status not in ("interrupted", "stopped"):
            return False
        return (self.path / CHECKPOINT).exists() or not self.history

    def test_predictions(self) -> pd.DataFrame | None:
        """:func:`genoviz.run_predictions.write_test_predictions`'s table; None for a run
        that kept none (saved before there was one, still training, or pretraining)."""
        path = self.path / TEST_PREDICTIONS
        return pd.read_csv(path, dtype={"id": str}) if path.exists() else None

    def load_model(self, device: str | torch.device = "cpu") -> torch.nn.Module:
        """Rebuild the model from ``run.json`` and load its safetensors weights."""
        model = self._build()
        weights = self.path / WEIGHTS
        if not weights.exists():
            raise RunError(f"{self.path}: no {WEIGHTS}; the run saved no weights")
        state = read_weights(weights)
        try:
            model.load_state_dict(state)
        except RuntimeError as e:
            raise RunError(
                f"{self.path}: the saved weights do not fit model "
                f"{self.info['model']['name']!r} as genoviz "
                f"builds it now (saved by genoviz {self.info.get('versions', {}).get('genoviz')}"
                "); retrain the run"
            ) from e
        return model.to(device).eval()

    def untrained_model(self, seed: int = 0) -> torch.nn.Module:
        """The run's architecture at a seeded random start, never trained: the control
        that shows what the data alone puts into an analysis. Torch's generator is left
        as it was, and a training drawing meanwhile does not change this start."""
        from genoviz.random_streams import seeded

        with seeded(seed):
            return self._build().eval()

    def _build(self) -> torch.nn.Module:
        """The run's model as ``run.json`` describes it, at its random start."""
        from genoviz.random_streams import drawing

        check_usable(self, dataset=False)
        m = self.info["model"]
        with drawing():  # its random start never cuts into a training's draws
            return models.get(m["name"], **m["build"])


def read_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """A safetensors weights file on the CPU (nothing is unpickled); a damaged or
    unreadable one is a :class:`RunError` naming it."""
    from safetensors import SafetensorError

    try:
        return load_safetensors(str(path), device="cpu")
    except (OSError, SafetensorError) as e:
        raise RunError(f"{path}: damaged weights ({e}); retrain or re-import the run") from None


def read_history(run_dir: Path) -> list[dict[str, Any]]:
    """Epoch records; a torn last line (a crash mid-write), or any line that is not a
    record, is skipped."""
    path = Path(run_dir) / METRICS
    if not path.exists():
        return []
    out = []
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def load_run(run_dir: str | Path) -> Run:
    path = Path(run_dir)
    info_path = path / RUN_JSON
    if not info_path.exists():
        raise RunError(f"{path} is not a genoviz run folder (no {RUN_JSON})")
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        if problem := not_a_run(info):
            raise RunError(f"{info_path} does not describe a genoviz run: {problem}")
        return Run(path=path, info=info, history=read_history(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RunError(f"{info_path}: damaged ({e})") from None
    except OSError as e:  # another user's files, say: listed as unreadable, not a crash
        raise RunError(f"{path}: cannot be read ({e.strerror or e})") from None


def not_a_run(info: Any) -> str | None:
    """Why a parsed run.json cannot be read as a run (None when it can): it must be an
    object whose model record, where it has one, names the model, and whose dataset
    record, where it has one, is an object. A run is used (predict, explain, resume) only
    with both: :func:`check_usable`."""
    if not isinstance(info, dict):
        return f"it holds a JSON {type(info).__name__}, not an object"
    model, dataset = info.get("model", {"name": ""}), info.get("dataset", {})
    if not isinstance(model, dict) or not isinstance(model.get("name"), str):
        return "no model name"
    if not isinstance(model.get("build", {}), dict):
        return "its model build is not an object"
    if not isinstance(dataset, dict):
        return "its dataset record is not an object"
    return None


def check_usable(run: Run, dataset: bool = True) -> None:
    """Raise :class:`RunError` unless the run records its model (name and build) and, with
    ``dataset``, its dataset, which predicting with it, explaining it or resuming it
    read."""
    missing = [k for k in ("model", "dataset")[: 2 if dataset else 1] if k not in run.info]
    if "model" in run.info and "build" not in run.info["model"]:
        missing.append("model build")
    if missing:
        raise RunError(
            f"{run.path / RUN_JSON} has no {' and no '.join(missing)} record; it was not "
            "written by a genoviz training run, or was damaged"
        )
    check_numbers(run)


def check_numbers(run: Run) -> None:
    """The whole numbers read from a run's run.json (its model build's ``seq_len``,
    ``outputs`` and ``extras``, its dataset's shortest and longest ``lengths``), checked, so
    that a hand-edited or damaged file is named, field and all, instead of a traceback."""

    def whole(value, least: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= least

    build = run.info["model"]["build"]
    lengths = run.info.get("dataset", {}).get("lengths")
    checks = [  # (field, its value, whether it is right)
        ("the model build's seq_len", build.get("seq_len"), whole(build.get("seq_len"), 1)),
        *(
            (f"the model build's {key}", build[key], whole(build[key], int(key == "outputs")))
            for key in ("outputs", "extras")
            if key in build
        ),
    ]
    if lengths is not None:
        pair = isinstance(lengths, list) and len(lengths) == 2
        checks.append(
            ("the dataset's lengths", lengths, pair and all(whole(n, 1) for n in lengths))
        )
    for field, value, right in checks:
        if not right:
            what = "a pair of whole numbers" if "lengths" in field else "a whole number"
            raise RunError(
                f"{run.path / RUN_JSON}: {field} is {json.dumps(value)}, where {what} "
                "belongs; the file was edited or damaged (put back what it had, or "
                "train the run again)"
            )


def is_pretraining(run: Run) -> bool:
    """Whether the run only pretrains (its ``run.json`` ``purpose`` says so, as the
    autoencoder's does): its head is untrained, so it initialises other models
    (``init_from``) but must not be offered as a predictor."""
    return "pretraining" in str(run.info.get("purpose", "")).lower()
