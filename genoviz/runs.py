"""Run directories: ``run.json``, ``metrics.jsonl`` and ``model.safetensors``.

Writes are atomic (temp file + ``os.replace``), so a crash never leaves half a file.
Loading never unpickles: weights are safetensors and everything else is JSON.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file as load_safetensors
from safetensors.torch import save_file as save_safetensors

import models

log = logging.getLogger(__name__)

RUN_JSON = "run.json"
METRICS = "metrics.jsonl"
WEIGHTS = "model.safetensors"
#: Held while a process trains into the folder: who (host, pid, process start) + heartbeat.
LOCK = "run.lock"
#: Everything needed to go on after the last completed epoch (see :func:`save_checkpoint`).
CHECKPOINT = "checkpoint.safetensors"
#: The kept model's predictions on the test split, with the labels, for later analysis.
TEST_PREDICTIONS = "test_predictions.csv"
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


def label_columns(labels: np.ndarray, names: list[str], classes: bool = False) -> dict[str, Any]:
    """Labels as genoviz writes them beside predictions or a latent map: ``label_<name>``
    per task of multi-task labels ``(n, t)`` (``label_1``… where ``names`` has not ``t``),
    else one ``label`` column, a class index as its class name when ``classes``."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        cols = (
            names if len(names) == labels.shape[1] else [str(j + 1) for j in range(labels.shape[1])]
        )
        return {f"label_{c}": labels[:, j] for j, c in enumerate(cols)}
    if classes:
        return {"label": [names[int(v)] for v in labels]}
    return {"label": labels}


def write_test_predictions(
    run_dir: Path,
    ids: list[str],
    labels: np.ndarray,
    predictions: np.ndarray,
    names: list[str] | None = None,
) -> None:
    """``test_predictions.csv``: ``id,label,prediction`` (probabilities for classifiers,
    values for regression); with several outputs ``label_<name>`` / ``p_<name>`` columns.
    A multi-class run's ``label`` is a class name, as in ``predict``'s output, and a
    ``predicted_class`` column follows the ``p_<class>`` columns."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    cols = list(names or [])
    if predictions.ndim == 2 and len(cols) != predictions.shape[1]:
        cols = [str(j + 1) for j in range(predictions.shape[1])]
    # several outputs and one label: multi-class, the label a class index
    table: dict[str, Any] = {"id": list(ids)} | label_columns(labels, cols, predictions.ndim == 2)
    if predictions.ndim == 2:
        table |= {f"p_{c}": predictions[:, j] for j, c in enumerate(cols)}
        if labels.ndim == 1:
            table["predicted_class"] = [cols[j] for j in predictions.argmax(axis=1)]
    else:
        table["prediction"] = predictions
    atomic_write_text(Path(run_dir) / TEST_PREDICTIONS, pd.DataFrame(table).to_csv(index=False))


def prediction_arrays(table: pd.DataFrame, class_names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Labels and predictions of a :func:`write_test_predictions` table, as training returned
    them: one column each, or ``label_<task>`` / ``p_<class>`` columns, and a multi-class
    ``label`` (a class name) as its class number."""
    if "prediction" in table:
        predictions = table["prediction"].to_numpy(dtype=np.float32)
    else:
        predictions = table[[c for c in table if c.startswith("p_")]].to_numpy(np.float32)
    task_labels = [c for c in table if c.startswith("label_")]
    if task_labels:
        return table[task_labels].to_numpy(np.float32), predictions
    label = table["label"]
    if not pd.api.types.is_numeric_dtype(label):  # multi-class: class names
        label = label.map({str(n): i for i, n in enumerate(class_names)})
    return label.to_numpy(dtype=np.float32), predictions


def write_run_json(run_dir: Path, info: dict[str, Any]) -> None:
    text = json.dumps(_clean(info), indent=2, default=_json_default, allow_nan=False)
    atomic_write_text(Path(run_dir) / RUN_JSON, text)


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
            write_run_json(run_dir, info)
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
    write_run_json(run_dir, info)


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
        """:func:`write_test_predictions`'s table; None for a run that kept none (saved
        before there was one, still training, or pretraining)."""
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


def data_seed(run: Run, fallback: int | None = None) -> int:
    """The seed the run's data was loaded with: a bundled set's simulation and the splits'
    draw. The app loads data at seed 0 whatever the training seed, so this is not always
    ``run.info["seed"]``. A run saved before it was recorded gets ``fallback``, else its
    training seed: what each caller read before (the pages 0, the command line the
    training seed), so an old run opens where it always did."""
    recorded = run.info.get("dataset", {}).get("data_seed")
    if recorded is not None:
        return int(recorded)
    return int(fallback if fallback is not None else run.info.get("seed", 0))


def load_options(run: Run) -> dict[str, Any]:
    """What loading the run's data took besides its spec (``genoviz.data.load``'s
    ``labels``, ``genome`` and ``width``), checked: an imported run.json can hold anything.

    Raises:
        RunError: another key, or a value of the wrong kind.
    """
    options = (run.info.get("dataset") or {}).get("load_options") or {}
    bad = not isinstance(options, dict) or any(
        not (k in ("labels", "genome") and isinstance(v, str))
        and not (k == "width" and isinstance(v, int) and not isinstance(v, bool) and v > 0)
        for k, v in options.items()
    )
    if bad:
        raise RunError(
            f"{run.path / RUN_JSON}: its dataset's load_options {options!r} are not a labels "
            "file, a genome (paths) and a width (a positive whole number); it was damaged"
        )
    return dict(options)


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


def is_pretraining(run: Run) -> bool:
    """Whether the run only pretrains (its ``run.json`` ``purpose`` says so, as the
    autoencoder's does): its head is untrained, so it initialises other models
    (``init_from``) but must not be offered as a predictor."""
    return "pretraining" in str(run.info.get("purpose", "")).lower()


# --- resume checkpoints ---------------------------------------------------------------


def save_checkpoint(run_dir: Path, tensors: dict[str, torch.Tensor], state: dict[str, Any]) -> None:
    """Atomically write ``checkpoint.safetensors``: tensors (weights, optimizer moments,
    RNG state) plus a JSON ``state`` (epoch counters) in the safetensors metadata."""
    path = Path(run_dir) / CHECKPOINT
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".checkpoint.")
    os.close(fd)
    try:
        # clone: safetensors refuses tensors that share memory (tied weights, views)
        flat = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in tensors.items()}
        text = json.dumps(_clean(state), default=_json_default, allow_nan=False)
        save_safetensors(flat, tmp, metadata={"genoviz_state": text})
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(
    run_dir: Path, tensors: bool = True
) -> tuple[dict[str, torch.Tensor], dict[str, Any]] | None:
    """``(tensors, state)`` from ``checkpoint.safetensors``, or None when there is none;
    ``tensors=False`` reads the header alone (the tensors come back empty).

    Raises:
        RunError: the checkpoint is damaged.
    """
    from safetensors import SafetensorError, safe_open

    path = Path(run_dir) / CHECKPOINT
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="pt", device="cpu") as fh:
            state = json.loads((fh.metadata() or {})["genoviz_state"])
            read = {k: fh.get_tensor(k) for k in fh.keys()} if tensors else {}  # noqa: SIM118
            if not isinstance(state, dict):
                raise ValueError("its state is not a JSON object")
    except (OSError, ValueError, KeyError, TypeError, SafetensorError) as e:
        raise RunError(f"{path}: damaged checkpoint ({e}); the run cannot be resumed") from None
    return read, state


def rewrite_history(run_dir: Path, history: list[dict[str, Any]]) -> None:
    """Replace ``metrics.jsonl`` (atomically) with ``history``."""
    lines = [json.dumps(_clean(r), default=_json_default, allow_nan=False) for r in history]
    atomic_write_text(Path(run_dir) / METRICS, "".join(line + "\n" for line in lines))
