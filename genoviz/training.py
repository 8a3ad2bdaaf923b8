"""The fit loop and :class:`TrainingJob`, the thread-safe worker the pages poll.

One loop serves the CLI, the pages, the tests and the benchmarks. It never imports
streamlit: the UI reads ``job.history`` / ``job.status`` from its own thread.
"""

from __future__ import annotations

import copy
import logging
import math
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

import models
from genoviz import runs
from genoviz.data import Dataset
from genoviz.metrics import PRIMARY_METRIC, task_metrics
from genoviz.predict import predict_arrays

log = logging.getLogger(__name__)


class TrainingError(RuntimeError):
    """Training could not go on (diverged, NaN loss, unusable data); the message says why."""


class StopRequested(Exception):
    """Internal: the user pressed Stop."""


@dataclass
class TrainConfig:
    """Everything that decides a training run besides the data and the model name."""

    epochs: int = 20
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 1e-4
    patience: int = 6
    seed: int = 0
    device: str = "auto"
    #: Model hyperparameters overriding the registry defaults.
    hparams: dict[str, Any] = field(default_factory=dict)
    #: Feed the dataset's extras (e.g. accessibility) to the model when it has them.
    use_extras: bool = True
    #: Pad (N) or trim sequences to this length; None = the data's own fixed length.
    seq_len: int | None = None
    #: Random reverse-complement augmentation; None = when the dataset is strand-symmetric.
    rc_augment: bool | None = None
    runs_dir: str | None = None
    run_name: str | None = None
    #: False: train in memory only, writing no run folder (tests, benchmarks).
    save: bool = True


@dataclass
class TrainResult:
    """What a finished (or stopped) run produced."""

    model: nn.Module
    history: list[dict[str, Any]]
    best_epoch: int
    valid_metrics: dict[str, float]
    test_metrics: dict[str, float]
    test_ids: list[str]
    test_labels: np.ndarray
    test_predictions: np.ndarray
    status: str
    run_dir: Path | None
    device: str


def select_device(choice: str = "auto") -> torch.device:
    """``auto`` picks cuda, then mps, then cpu; an explicit choice must be available."""
    if choice == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise TrainingError("device 'cuda' was requested but no CUDA GPU is available")
    if choice == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise TrainingError("device 'mps' was requested but Apple MPS is not available")
    if choice not in ("cpu", "cuda", "mps"):
        raise TrainingError(f"unknown device {choice!r}; use auto, cpu, cuda or mps")
    return torch.device(choice)


def _loss_fn(task: str, model_name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if task == "binary":
        return nn.BCEWithLogitsLoss(reduction="none")
    if task == "regression":
        return nn.MSELoss(reduction="none")
    raise TrainingError(f"task {task!r} cannot be trained yet")


def _better(a: float, b: float) -> bool:
    return math.isfinite(a) and (not math.isfinite(b) or a > b)


def model_build_args(dataset: Dataset, model_name: str, config: TrainConfig) -> dict[str, Any]:
    """The exact keyword arguments ``models.get`` needs, stored in ``run.json``."""
    seq_len = config.seq_len or dataset.fixed_length
    if seq_len is None:
        lengths = dataset.lengths
        raise TrainingError(
            f"sequences have mixed lengths ({lengths.min()}-{lengths.max()} bp); choose a "
            "length to pad (with N) or trim them to"
        )
    extras = dataset.n_extras if config.use_extras else 0
    build = {"seq_len": int(seq_len), "outputs": dataset.n_outputs, "extras": extras}
    build |= models.data_hparams(
        model_name, strand_symmetric=dataset.meta.strand_symmetric, seq_len=int(seq_len)
    )
    build |= config.hparams
    return build


def fit(
    dataset: Dataset,
    model_name: str | None = None,
    config: TrainConfig | None = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
    run_dir: Path | None = None,
) -> TrainResult:
    """Train with early stopping on the validation metric and restore the best weights.

    Args:
        model_name: a registry name; None = the recommended model for the task.
        on_epoch: called with each epoch's record, after it is written to disk.
        should_stop: polled every batch; True ends training early (status ``stopped``).
        on_progress: called with the fraction of the current epoch done.
        run_dir: write the run into this existing folder instead of a new
            ``<runs_dir>/<timestamp>-<name>/``.

    Raises:
        TrainingError: NaN or diverging loss, or data the model cannot use.
    """
    config = config or TrainConfig()
    model_name = model_name or models.recommended(dataset.task)
    spec = models.spec(model_name)
    if dataset.task not in spec.tasks:
        raise TrainingError(f"model {model_name!r} does not support task {dataset.task!r}")
    device = select_device(config.device)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    dataset.ensure_splits(config.seed)

    build = model_build_args(dataset, model_name, config)
    x_all = torch.from_numpy(dataset.encode(build["seq_len"] if config.seq_len else None))
    y_all = torch.from_numpy(dataset.labels.reshape(len(dataset), -1))
    w_all = torch.from_numpy(
        dataset.weights if dataset.weights is not None else np.ones(len(dataset), np.float32)
    )
    e_all = torch.from_numpy(dataset.extras) if build["extras"] else None
    train_idx, valid_idx, test_idx = (dataset.splits[k] for k in ("train", "valid", "test"))
    if len(train_idx) == 0 or len(valid_idx) == 0:
        raise TrainingError(f"too few sequences ({len(dataset)}) for train and validation splits")

    model = models.get(model_name, **build).to(device)
    pin = device.type == "cuda"
    x_tr, y_tr, w_tr = (t[train_idx] for t in (x_all, y_all, w_all))
    e_tr = e_all[train_idx] if e_all is not None else None
    if pin:
        x_tr, y_tr, w_tr = (t.pin_memory() for t in (x_tr, y_tr, w_tr))
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = _loss_fn(dataset.task, model_name)
    rc_augment = dataset.meta.strand_symmetric if config.rc_augment is None else config.rc_augment
    primary = PRIMARY_METRIC[dataset.task]
    amp = device.type == "cuda" and torch.cuda.is_bf16_supported()

    info: dict[str, Any] = {}
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
    elif config.save:
        root = Path(config.runs_dir) if config.runs_dir else runs.default_runs_dir()
        run_dir = runs.new_run_dir(root, config.run_name or f"{dataset.name}-{model_name}")
    if run_dir is not None:
        info = _run_info(dataset, model_name, build, config, device)
        runs.write_run_json(run_dir, info)

    history: list[dict[str, Any]] = []
    best_score, best_loss, best_epoch = -math.inf, math.inf, 0
    best_state = copy.deepcopy(model.state_dict())
    first_loss = None
    status = "finished"
    n_train = len(train_idx)
    n_batches = max(1, math.ceil(n_train / config.batch_size))
    try:
        for epoch in range(1, config.epochs + 1):
            t0 = time.perf_counter()
            model.train()
            perm = torch.from_numpy(rng.permutation(n_train))
            loss_sum = torch.zeros((), device=device)
            w_sum = 0.0
            preds, seen = [], []
            for b in range(n_batches):
                if should_stop is not None and should_stop():
                    raise StopRequested
                bi = perm[b * config.batch_size : (b + 1) * config.batch_size]
                xb = x_tr[bi].to(device, non_blocking=pin)
                if rc_augment:
                    flip = torch.rand(len(bi)) < 0.5
                    xb[flip.to(device)] = xb[flip.to(device)].flip(dims=(1, 2))
                yb = y_tr[bi].to(device, non_blocking=pin)
                wb = w_tr[bi].to(device, non_blocking=pin)
                eb = e_tr[bi].to(device) if e_tr is not None else None
                with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                    out = model(xb, eb)
                losses = loss_fn(out.float(), yb).mean(dim=1)
                loss = (losses * wb).sum() / wb.sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                loss_sum += loss.detach() * len(bi)
                w_sum += len(bi)
                preds.append(out.detach())
                seen.append(bi)
                if on_progress is not None:
                    on_progress((b + 1) / n_batches)
            train_loss = float(loss_sum) / w_sum
            if not math.isfinite(train_loss):
                raise TrainingError(
                    f"training diverged at epoch {epoch}: the loss became {train_loss}. "
                    "Try a lower learning rate."
                )
            first_loss = first_loss if first_loss is not None else train_loss
            if epoch > 2 and train_loss > 100 * max(first_loss, 1e-8):
                raise TrainingError(
                    f"training diverged at epoch {epoch}: loss {train_loss:.3g} is over 100x "
                    f"the first epoch's {first_loss:.3g}. Try a lower learning rate."
                )
            train_out = _to_output(torch.cat(preds), dataset.task, model_name)
            order = torch.cat(seen).numpy()
            train_m = task_metrics(dataset.task, y_tr[order].numpy(), train_out)
            valid_m, valid_loss, _ = _evaluate(
                model, x_all, y_all, w_all, e_all, valid_idx, dataset.task, model_name,
                loss_fn, device, config.batch_size * 4,
            )
            record = {
                "epoch": epoch,
                "train_loss": train_loss,
                "valid_loss": valid_loss,
                **{f"train_{k}": v for k, v in train_m.items()},
                **{f"valid_{k}": v for k, v in valid_m.items()},
                "seconds": time.perf_counter() - t0,
            }
            score = valid_m.get(primary, math.nan)
            improved = _better(score, best_score) or (
                not math.isfinite(score) and not math.isfinite(best_score) and valid_loss < best_loss
            )
            if improved:
                best_score, best_loss, best_epoch = score, valid_loss, epoch
                best_state = copy.deepcopy(model.state_dict())
                if run_dir is not None:
                    runs.save_weights(run_dir, model)
            record["best"] = improved
            history.append(record)
            if run_dir is not None:
                runs.append_metrics(run_dir, record)
            if on_epoch is not None:
                on_epoch(record)
            if epoch - best_epoch >= config.patience:
                break
    except StopRequested:
        status = "stopped"
    except BaseException as e:
        if run_dir is not None:
            info |= {"status": "failed", "message": str(e), "epochs_done": len(history)}
            runs.write_run_json(run_dir, info)
        raise

    model.load_state_dict(best_state)
    model.eval()
    valid_m, _, _ = _evaluate(
        model, x_all, y_all, w_all, e_all, valid_idx, dataset.task, model_name, loss_fn,
        device, config.batch_size * 4,
    )
    test_m, _, test_pred = _evaluate(
        model, x_all, y_all, w_all, e_all, test_idx, dataset.task, model_name, loss_fn,
        device, config.batch_size * 4,
    )
    result = TrainResult(
        model=model,
        history=history,
        best_epoch=best_epoch,
        valid_metrics=valid_m,
        test_metrics=test_m,
        test_ids=[dataset.ids[i] for i in test_idx],
        test_labels=dataset.labels[test_idx],
        test_predictions=test_pred,
        status=status,
        run_dir=run_dir,
        device=str(device),
    )
    if run_dir is not None:
        if best_epoch == 0 and not (run_dir / runs.WEIGHTS).exists():
            runs.save_weights(run_dir, model)
        info |= {
            "status": status,
            "best_epoch": best_epoch,
            "epochs_done": len(history),
            "final_metrics": {"valid": valid_m, "test": test_m},
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        runs.write_run_json(run_dir, info)
    return result


def _to_output(out: torch.Tensor, task: str, model_name: str) -> np.ndarray:
    """Model outputs to what metrics take: probabilities for binary, values otherwise."""
    out = out.float()
    if task == "binary":
        out = torch.sigmoid(out)
    arr = out.cpu().numpy()
    return arr[:, 0] if arr.shape[1] == 1 else arr


def _evaluate(model, x_all, y_all, w_all, e_all, idx, task, model_name, loss_fn, device, bs):
    if len(idx) == 0:
        return {}, math.nan, np.zeros(0, dtype=np.float32)
    idx_t = torch.from_numpy(np.asarray(idx))
    out = predict_arrays(model, x_all[idx_t], e_all[idx_t] if e_all is not None else None,
                         device=device, batch_size=bs, raw=True)
    out_t = torch.from_numpy(out).reshape(len(idx), -1)
    y, w = y_all[idx_t], w_all[idx_t]
    loss = float((loss_fn(out_t, y).mean(dim=1) * w).sum() / w.sum())
    pred = _to_output(out_t, task, model_name)
    return task_metrics(task, y.numpy(), pred), loss, pred


def _run_info(dataset: Dataset, model_name: str, build: dict[str, Any], config: TrainConfig,
              device: torch.device) -> dict[str, Any]:
    import genoviz

    return {
        "status": "running",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "model": {"name": model_name, "build": build},
        "dataset": {
            "name": dataset.name,
            "spec": dataset.meta.notes.get("spec", dataset.name),
            "task": dataset.task,
            "n": len(dataset),
            "strand_symmetric": dataset.meta.strand_symmetric,
            "extras_names": dataset.meta.extras_names if build["extras"] else [],
            "splits": {k: len(v) for k, v in dataset.splits.items()},
        },
        "config": asdict(config),
        "seed": config.seed,
        "device": str(device),
        "versions": {
            "genoviz": genoviz.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }


class TrainingJob:
    """Runs :func:`fit` in a worker thread; every attribute is safe to read from others.

    >>> job = TrainingJob(dataset, "cnn", TrainConfig(epochs=5)).start()
    >>> job.history  # grows one record per epoch
    >>> job.stop(); job.wait()
    """

    def __init__(self, dataset: Dataset, model_name: str | None = None,
                 config: TrainConfig | None = None) -> None:
        self.dataset = dataset
        self.model_name = model_name or models.recommended(dataset.task)
        self.config = config or TrainConfig()
        self._lock = threading.Lock()
        self._history: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = "pending"
        self._message = ""
        self._progress = 0.0
        self._result: TrainResult | None = None
        self.started_at: float | None = None

    def start(self) -> TrainingJob:
        if self._thread is not None:
            raise RuntimeError("this job was already started")
        self.started_at = time.time()
        self._status = "running"
        self._thread = threading.Thread(target=self._run, name="genoviz-train", daemon=True)
        self._thread.start()
        return self

    def _on_epoch(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._history.append(dict(record))

    def _on_progress(self, frac: float) -> None:
        self._progress = frac

    def _run(self) -> None:
        try:
            result = fit(self.dataset, self.model_name, self.config, on_epoch=self._on_epoch,
                         should_stop=self._stop.is_set, on_progress=self._on_progress)
            with self._lock:
                self._result = result
                self._status = result.status
                best = result.best_epoch
                self._message = (
                    f"{'Stopped' if result.status == 'stopped' else 'Finished'} after "
                    f"{len(result.history)} epoch(s); best epoch {best}."
                )
        except Exception as e:  # the worker must never die silently
            log.exception("training job failed")
            with self._lock:
                self._status = "failed"
                self._message = str(e) or type(e).__name__

    def stop(self) -> None:
        """Ask the worker to stop after the current batch; best weights are kept."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> str:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.status

    @property
    def history(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._history]

    @property
    def status(self) -> str:
        with self._lock:
            return self._status

    @property
    def message(self) -> str:
        with self._lock:
            return self._message

    @property
    def progress(self) -> float:
        return self._progress

    @property
    def result(self) -> TrainResult | None:
        with self._lock:
            return self._result

    @property
    def done(self) -> bool:
        return self.status in ("finished", "stopped", "failed")
