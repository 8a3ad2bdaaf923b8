"""The fit loop and :class:`TrainingJob`, the thread-safe worker the pages poll.

One loop serves the CLI, the pages, the tests and the benchmarks. It never imports
streamlit: the UI reads ``job.history`` / ``job.status`` from its own thread.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import platform
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
from genoviz.background import ThreadJob
from genoviz.data import Dataset
from genoviz.keep import KeepRule, WeightAverage
from genoviz.metrics import PRIMARY_METRIC, confusion_matrix
from genoviz.predict import predict_arrays
from genoviz.sequences import pad_or_trim
from genoviz.tasks import (
    TaskError,
    check_trainable,
    metrics_for,
    per_sample_loss,
    positive_weights,
    to_predictions,
)
from genoviz.transfer import TransferError, freeze_trunk, init_from_run

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
    lr: float = 3e-3
    #: AdamW's decoupled weight decay.
    weight_decay: float = 1e-2
    #: Stop after this many epochs without a better validation score.
    patience: int = 6
    seed: int = 0
    device: str = "auto"
    #: Model hyperparameters overriding the registry defaults.
    hparams: dict[str, Any] = field(default_factory=dict)
    #: Feed the dataset's extras (e.g. accessibility) to the model when it has them.
    use_extras: bool = True
    #: Pad (N) or trim sequences to this length; None = the data's own fixed length.
    seq_len: int | None = None
    #: Treat the two strands as the same (random reverse-complement augmentation while
    #: training, both strands averaged when predicting). None = decide from the dataset:
    #: see :func:`strand_symmetric`.
    rc_augment: bool | None = None
    runs_dir: str | None = None
    run_name: str | None = None
    #: False: train in memory only, writing no run folder (tests, benchmarks).
    save: bool = True
    #: Validate and keep an exponential moving average of the weights with this half-life
    #: in epochs (0 = the raw weights). Smooths the noisy steps that rare positives cause,
    #: so the validation curve, and the epoch early stopping picks, are far less noisy.
    ema_epochs: float = 1.0
    #: Keep the latest epoch whose validation score is within this many standard errors
    #: of the best so far (0 = strictly the top-scoring epoch). With a few positives the
    #: validation AUC is noisy, and an early lucky epoch would otherwise end training.
    keep_within_se: float = 1.0
    #: Go on training the interrupted or stopped run in this folder from its last completed
    #: epoch (weights, optimizer, history, random state); see :func:`resume_plan`.
    resume_from: str | None = None
    #: Start from this run folder's weights: every tensor whose name and shape match is
    #: copied (see :mod:`genoviz.transfer`). None = fresh random weights.
    init_from: str | None = None
    #: With ``init_from``: train only the dense head(s), keeping the copied trunk fixed.
    freeze_trunk: bool = False
    #: BERT models: start from this pretrained BERT, a genoviz pretraining run or a Hugging
    #: Face checkpoint folder in DNABERT's layout (config.json, vocab.txt, weights).
    init_bert: str | None = None
    #: Masked-LM pretraining options (task ``lm``): see :class:`genoviz.pretrain.MaskConfig`.
    mlm: dict[str, Any] = field(default_factory=dict)


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
    #: What ``init_from`` copied, skipped and froze (see TransferReport.to_dict).
    transfer: dict[str, Any] | None = None


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
    if choice == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise TrainingError("device 'mps' was requested but Apple MPS is not available")
    if choice not in ("cpu", "cuda", "mps"):
        raise TrainingError(f"unknown device {choice!r}; use auto, cpu, cuda or mps")
    return torch.device(choice)


def _loss_fn(
    task: str, model_name: str, y_train: np.ndarray | None = None
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Per-sample loss as ``(n, 1)``, so callers can ``.mean(dim=1)`` whatever the task.

    ``y_train`` (the training labels) sets multi-task positive weights
    (:func:`genoviz.tasks.positive_weights`)."""
    try:
        check_trainable(task)
    except TaskError as e:
        raise TrainingError(str(e)) from None
    pw = positive_weights(task, y_train) if y_train is not None else None
    if pw is None:
        return lambda out, y: per_sample_loss(task, out, y)[:, None]
    pos_weight = torch.from_numpy(pw)
    return lambda out, y: per_sample_loss(task, out, y, pos_weight.to(out.device))[:, None]


#: User files shorter than this are not assumed strand-symmetric (see strand_symmetric).
MIN_SYMMETRIC_WINDOW = 64


def strand_symmetric(dataset: Dataset, config: TrainConfig | None = None) -> bool:
    """Whether training treats both strands alike (RC augmentation, strand averaging).

    ``config.rc_augment`` decides when set. Otherwise a bundled or downloaded set's card
    decides. A user file's card cannot say (its ``strand_symmetric`` is False by default),
    so binary labels on windows of at least 64 bp are taken for strand-less genomic
    windows, such as ChIP-seq or ATAC peaks, and everything else as strand-specific. A
    DNABERT k-mer file is strand-specific whatever its length: DNABERT reads one strand,
    and its classic fine-tuning sets (promoters around a TSS, splice sites) depend on it.
    """
    if config is not None and config.rc_augment is not None:
        return bool(config.rc_augment)
    meta = dataset.meta
    if meta.strand_symmetric or meta.simulated or meta.source.startswith("downloaded"):
        return bool(meta.strand_symmetric)
    if meta.notes.get("kmer"):
        return False
    length = dataset.fixed_length or int(dataset.lengths.max(initial=0))
    return dataset.task == "binary" and length >= MIN_SYMMETRIC_WINDOW


def model_build_args(dataset: Dataset, model_name: str, config: TrainConfig) -> dict[str, Any]:
    """The exact keyword arguments ``models.get`` needs, stored in ``run.json``: registry
    defaults included, so a saved run rebuilds the same model after defaults change."""
    spec = models.spec(model_name)
    tokens = spec.input_kind in models.TOKEN_KINDS
    seq_len = config.seq_len or dataset.fixed_length
    if seq_len is None and tokens:  # token models pad to the longest sequence themselves
        seq_len = int(dataset.lengths.max(initial=0))
    if seq_len is None:
        lengths = dataset.lengths
        raise TrainingError(
            f"sequences have mixed lengths ({lengths.min()}-{lengths.max()} bp); choose a "
            "length to pad (with N) or trim them to"
        )
    extras = dataset.n_extras if config.use_extras else 0
    build = {"seq_len": int(seq_len), "outputs": dataset.n_outputs, "extras": extras}
    build |= models.spec(model_name).defaults
    n_train = len(dataset.splits["train"]) if dataset.splits else round(0.8 * len(dataset))
    build |= models.data_hparams(
        model_name,
        strand_symmetric=strand_symmetric(dataset, config),
        seq_len=int(seq_len),
        n_train=n_train,
    )
    build |= config.hparams
    if tokens and config.init_bert:
        build |= _checkpoint_build(model_name, config.init_bert)
    return build


def _checkpoint_build(model_name: str, path: str) -> dict[str, Any]:
    """Build args that make a BERT model the same shape as a pretrained checkpoint."""
    from models.checkpoints import CheckpointError, checkpoint_arch, checkpoint_kmer

    try:
        out: dict[str, Any] = {"bert_config": checkpoint_arch(path)}
        if model_name == "kmer-bert":
            out["k"] = checkpoint_kmer(path)
            out["embed_init"] = "bases"  # a free table, for the checkpoint's to replace
    except CheckpointError as e:
        raise TrainingError(str(e)) from None
    return out


def _token_inputs(
    model: nn.Module, dataset: Dataset, seq_len: int | None, rc: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Token ids ``(n, T)`` for a token model, and those of the reverse complements when
    ``rc`` (strand augmentation on the string: token ids cannot simply be flipped)."""
    from genoviz.sequences import reverse_complement

    seqs = pad_or_trim(dataset.sequences, seq_len) if seq_len else list(dataset.sequences)
    x = model.encode(seqs)
    if not rc:
        return torch.from_numpy(x), None
    x_rc = model.encode([reverse_complement(s) for s in seqs])
    width = max(x.shape[1], x_rc.shape[1])
    pad = [np.pad(a, ((0, 0), (0, width - a.shape[1]))) for a in (x, x_rc)]
    return torch.from_numpy(pad[0]), torch.from_numpy(pad[1])


def fit(
    dataset: Dataset,
    model_name: str | None = None,
    config: TrainConfig | None = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
    run_dir: Path | None = None,
) -> TrainResult:
    """Train with early stopping on the validation metric and restore the kept weights.

    Each epoch's validation uses the moving average of the weights (``ema_epochs``). The
    kept epoch (``best`` in its record) is the latest one whose score is within
    ``keep_within_se`` standard errors of the top score so far; training stops after
    ``patience`` epochs without a kept one.

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
    if dataset.task == "lm":  # a corpus: masked-language-model pretraining
        from genoviz.pretrain import fit_mlm

        return fit_mlm(dataset, model_name, config, on_epoch, should_stop, on_progress, run_dir)
    model_name = model_name or models.recommended(dataset.task)
    spec = models.spec(model_name)
    if dataset.task not in spec.tasks:
        raise TrainingError(f"model {model_name!r} does not support task {dataset.task!r}")
    if spec.input_kind == "onehot+extras" and not (config.use_extras and dataset.n_extras):
        raise TrainingError(
            f"model {model_name!r} needs extra per-sequence inputs (such as accessibility) "
            "and this data has none, or they are switched off"
        )
    if config.freeze_trunk and not config.init_from:
        raise TrainingError("freezing the trunk needs a run to initialise it from (init_from)")
    device = select_device(config.device)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    # Asked before the splits are drawn, so the reason names the minimum, not this draw;
    # splits the caller set are checked as they are (both must hold a sequence).
    too_small = dataset.too_small_to_train()
    if too_small:
        raise TrainingError(too_small)
    dataset.ensure_splits(config.seed)

    build = model_build_args(dataset, model_name, config)
    if config.resume_from is not None:  # the exact model the run built, defaults included
        build = runs.load_run(config.resume_from).info.get("model", {}).get("build", build)
    tokens = spec.input_kind in models.TOKEN_KINDS
    rc_augment = strand_symmetric(dataset, config)
    model = models.get(model_name, **build)
    if tokens:
        if config.init_bert:
            _load_bert(model, config.init_bert)
        x_all, x_rc_all = _token_inputs(
            model, dataset, config.seq_len, rc_augment and spec.input_kind == "kmer"
        )
    else:
        x_all = torch.from_numpy(dataset.encode(build["seq_len"] if config.seq_len else None))
        x_rc_all = None
    y_all = torch.from_numpy(dataset.labels.reshape(len(dataset), -1))
    w_all = torch.from_numpy(
        dataset.weights if dataset.weights is not None else np.ones(len(dataset), np.float32)
    )
    e_all = torch.from_numpy(dataset.extras) if build["extras"] else None
    train_idx, valid_idx, test_idx = (dataset.splits[k] for k in ("train", "valid", "test"))

    transfer = _init_transfer(model, config)
    model = model.to(device)
    pin = device.type == "cuda"
    x_tr, y_tr, w_tr = (t[train_idx] for t in (x_all, y_all, w_all))
    x_rc_tr = x_rc_all[train_idx] if x_rc_all is not None else None
    e_tr = e_all[train_idx] if e_all is not None else None
    if pin:
        x_tr, y_tr, w_tr = (t.pin_memory() for t in (x_tr, y_tr, w_tr))
    # Weighted mean loss over the whole train split, estimated per batch: dividing by the
    # batch's own weight sum instead would overweight batches without a rare positive.
    w_mean = float(w_tr.mean())
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = _loss_fn(dataset.task, model_name, y_tr.numpy())

    def evaluate(m: nn.Module, idx: np.ndarray) -> tuple[dict[str, float], float, np.ndarray]:
        return _evaluate(
            m,
            x_all,
            y_all,
            w_all,
            e_all,
            idx,
            dataset.task,
            model_name,
            loss_fn,
            device,
            config.batch_size * 4,
            names=dataset.class_names,
        )

    amp = device.type == "cuda" and torch.cuda.is_bf16_supported()

    info: dict[str, Any] = {}
    if config.resume_from is not None:
        run_dir = Path(config.resume_from)
        info = _resume_info(run_dir, dataset, model_name, build, config)
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
    elif config.save:
        root = Path(config.runs_dir) if config.runs_dir else runs.default_runs_dir()
        run_dir = runs.new_run_dir(root, config.run_name or f"{dataset.name}-{model_name}")
    lock = None
    if run_dir is not None:
        lock = runs.RunLock(run_dir).acquire()  # before run.json says "running"
        info = info or _run_info(dataset, model_name, build, config, device)
        if transfer is not None:
            info["transfer"] = transfer
        runs.write_run_json(run_dir, info)

    history: list[dict[str, Any]] = []
    y_valid = y_all[torch.from_numpy(np.asarray(valid_idx))].numpy()
    # Standard errors apply to single-output scores only.
    within_se = config.keep_within_se if dataset.task in ("binary", "regression") else 0.0
    keep = KeepRule(PRIMARY_METRIC[dataset.task], y_valid, within_se)
    best_state = copy.deepcopy(model.state_dict())
    first_loss = None
    status = "finished"
    n_train = len(train_idx)
    n_batches = max(1, math.ceil(n_train / config.batch_size))
    ema = WeightAverage(model, config.ema_epochs * n_batches) if config.ema_epochs > 0 else None
    eval_model = ema.model if ema is not None else model
    start_epoch = 0
    if config.resume_from is not None:
        state = _restore_checkpoint(run_dir, model, ema, opt, rng)
        if state is not None:
            start_epoch, first_loss = state["epoch"], state["first_loss"]
            keep.restore(state)
            best_state = state["best_state"] or copy.deepcopy(eval_model.state_dict())
            history = runs.read_history(run_dir)[:start_epoch]
            runs.rewrite_history(run_dir, history)  # drop a line past the checkpoint
            for record in history:
                if on_epoch is not None:
                    on_epoch(record)
        else:  # killed during the first epoch: start again, from the same seed
            runs.rewrite_history(run_dir, [])
    try:
        for epoch in range(start_epoch + 1, config.epochs + 1):
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
                if x_rc_tr is not None:  # tokens: the reverse complement's own k-mers
                    h = len(bi) // 2
                    xb[:h] = x_rc_tr[bi[:h]].to(device, non_blocking=pin)
                elif rc_augment and not tokens:  # batches are shuffled, so this puts each
                    h = len(bi) // 2  # sequence on a random strand each epoch (a fresh copy)
                    xb[:h] = xb[:h].flip(dims=(1, 2))
                yb = y_tr[bi].to(device, non_blocking=pin)
                wb = w_tr[bi].to(device, non_blocking=pin)
                eb = e_tr[bi].to(device) if e_tr is not None else None
                if amp:
                    with torch.autocast(device.type, dtype=torch.bfloat16):
                        out = model(xb, eb)
                else:
                    out = model(xb, eb)
                losses = loss_fn(out.float(), yb).mean(dim=1)
                loss = (losses * wb).sum() / (len(bi) * w_mean)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if ema is not None:
                    ema.update()
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
            train_m = metrics_for(dataset.task, y_tr[order].numpy(), train_out, dataset.class_names)
            valid_m, valid_loss, valid_pred = evaluate(eval_model, valid_idx)
            record = {
                "epoch": epoch,
                "train_loss": train_loss,
                "valid_loss": valid_loss,
                **{f"train_{k}": v for k, v in train_m.items()},
                **{f"valid_{k}": v for k, v in valid_m.items()},
                "seconds": time.perf_counter() - t0,
            }
            if dataset.task == "multiclass":
                record["valid_confusion"] = confusion_matrix(
                    y_valid.reshape(-1), valid_pred
                ).tolist()
            improved = keep.judge(epoch, valid_m.get(keep.metric, math.nan), valid_loss)
            if improved:
                best_state = {k: v.detach().clone() for k, v in eval_model.state_dict().items()}
                if run_dir is not None:
                    runs.save_weights(run_dir, eval_model)
            record["best"] = improved
            history.append(record)
            if run_dir is not None:
                runs.append_metrics(run_dir, record)
                _save_checkpoint(
                    run_dir,
                    model,
                    ema,
                    opt,
                    rng,
                    best_state if keep.best_epoch != epoch else None,
                    {"epoch": epoch, "first_loss": first_loss, **keep.counters()},
                )
            if on_epoch is not None:
                on_epoch(record)
            if epoch - keep.best_epoch >= config.patience:
                break
    except StopRequested:
        status = "stopped"
    except BaseException as e:
        runs.write_failed(run_dir, info, e, len(history))
        if lock is not None:
            lock.release()
        raise

    model.load_state_dict(best_state)
    model.eval()
    valid_m, _, _ = evaluate(model, valid_idx)
    test_m, _, test_pred = evaluate(model, test_idx)
    result = TrainResult(
        model=model,
        history=history,
        best_epoch=keep.best_epoch,
        valid_metrics=valid_m,
        test_metrics=test_m,
        test_ids=[dataset.ids[i] for i in test_idx],
        test_labels=dataset.labels[test_idx],
        test_predictions=test_pred,
        status=status,
        run_dir=run_dir,
        device=str(device),
        transfer=transfer,
    )
    if run_dir is not None:
        if keep.best_epoch == 0 and not (run_dir / runs.WEIGHTS).exists():
            runs.save_weights(run_dir, model)
        if tokens:
            runs.save_hf(run_dir, model)
        runs.write_final(
            run_dir,
            info,
            status=status,
            best_epoch=keep.best_epoch,
            epochs_done=len(history),
            metrics={"valid": valid_m, "test": test_m},
        )
        if status == "finished":  # nothing left to resume
            (run_dir / runs.CHECKPOINT).unlink(missing_ok=True)
    if lock is not None:
        lock.release()
    return result


# --- resume -----------------------------------------------------------------------------


@dataclass
class ResumePlan:
    """What :func:`fit` needs to go on with a run: its data spec, model and config."""

    run_dir: Path
    dataset_spec: str
    task: str
    model_name: str
    config: TrainConfig
    epochs_done: int


def resume_plan(run_dir: str | Path, epochs: int | None = None) -> ResumePlan:
    """How to resume the interrupted or stopped run in ``run_dir``.

    Load the data with ``genoviz.data.load(plan.dataset_spec, task=plan.task,
    seed=plan.config.seed)``, then ``fit(dataset, plan.model_name, plan.config)``.

    Args:
        epochs: the new total number of epochs; None = the run's own.

    Raises:
        RunError: the run is still training in a live process, or finished.
    """
    run = runs.load_run(run_dir)
    status = run.status
    if status == "running":
        raise runs.RunError(f"{run.path} is still training in a live process; wait or stop it")
    if status == "finished" or not run.info.get("config"):
        raise runs.RunError(f"{run.path} has {status}; there is nothing to resume")
    saved = run.info["config"]
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    config = TrainConfig(**{k: v for k, v in saved.items() if k in known})
    config.resume_from = str(run.path)
    if epochs is not None:
        config.epochs = int(epochs)
    data = run.info.get("dataset", {})
    return ResumePlan(
        run_dir=run.path,
        dataset_spec=str(data.get("spec", data.get("name", ""))),
        task=str(data.get("task", "")),
        model_name=run.info["model"]["name"],
        config=config,
        epochs_done=len(run.history),
    )


def _resume_info(
    run_dir: Path, dataset: Dataset, model_name: str, build: dict[str, Any], config: TrainConfig
) -> dict[str, Any]:
    """The run's own ``run.json``, checked against what :func:`fit` was given."""
    info = runs.load_run(run_dir).info
    saved = info.get("model", {})
    if saved.get("name") != model_name:
        raise TrainingError(
            f"{run_dir} trained model {saved.get('name')!r}, not {model_name!r}; resume it "
            "with the model saved in its run.json"
        )
    data = info.get("dataset", {})
    splits = {k: len(v) for k, v in dataset.splits.items()}
    if data.get("n") != len(dataset) or data.get("splits", splits) != splits:
        raise TrainingError(
            f"{run_dir} was trained on {data.get('n')} sequences ({data.get('name')}); the "
            f"data given now has {len(dataset)}, so the run cannot go on with it"
        )
    resumed = [*info.get("resumed", []), time.strftime("%Y-%m-%dT%H:%M:%S")]
    return info | {"status": "running", "config": asdict(config), "resumed": resumed}


def _save_checkpoint(run_dir, model, ema, opt, rng, best_state, state) -> None:
    """Weights, moving average, AdamW moments, random state and counters after an epoch."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    if ema is not None:
        tensors |= {f"ema.{k}": v for k, v in ema.model.state_dict().items()}
    if best_state is not None:  # None: the best is this epoch's, the same as ema/model
        tensors |= {f"best.{k}": v for k, v in best_state.items()}
    opt_state = opt.state_dict()
    for i, per_param in opt_state["state"].items():
        for key, value in per_param.items():
            tensors[f"optim.{i}.{key}"] = torch.as_tensor(value)
    tensors["rng.torch"] = torch.get_rng_state()
    state = state | {
        "ema_steps": ema.steps if ema is not None else 0,
        "optim_groups": opt_state["param_groups"],
        "rng_numpy": rng.bit_generator.state,
        "has_best": best_state is not None,
    }
    runs.save_checkpoint(run_dir, tensors, state)


def _restore_checkpoint(run_dir, model, ema, opt, rng) -> dict[str, Any] | None:
    """Load :func:`_save_checkpoint`'s file into the given objects; None when there is none."""
    loaded = runs.load_checkpoint(run_dir)
    if loaded is None:
        return None
    tensors, state = loaded

    def part(prefix: str) -> dict[str, torch.Tensor]:
        return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}

    device = next(model.parameters()).device
    try:
        model.load_state_dict(part("model."))
        if ema is not None:
            ema.model.load_state_dict(part("ema.") or part("model."))
            ema.steps = int(state.get("ema_steps", 0))
        moments: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in part("optim.").items():
            i, name = key.split(".", 1)
            moments.setdefault(int(i), {})[name] = value
        opt.load_state_dict({"state": moments, "param_groups": state["optim_groups"]})
    except (RuntimeError, KeyError, ValueError) as e:
        raise runs.RunError(f"{run_dir}: the checkpoint does not fit the model ({e})") from None
    torch.set_rng_state(tensors["rng.torch"])
    rng.bit_generator.state = state["rng_numpy"]
    best = part("best.") if state.get("has_best") else None
    eval_model = ema.model if ema is not None else model
    state["best_state"] = (
        {k: v.to(device) for k, v in best.items()}
        if best
        else {k: v.detach().clone() for k, v in eval_model.state_dict().items()}
    )
    return state


def _init_transfer(model: nn.Module, config: TrainConfig) -> dict[str, Any] | None:
    """Apply ``config.init_from`` / ``freeze_trunk`` to a fresh model; the report or None."""
    if not config.init_from:
        return None
    try:
        report = init_from_run(model, config.init_from)
    except TransferError as e:
        raise TrainingError(str(e)) from None
    if config.freeze_trunk:
        report.frozen = freeze_trunk(model)
        if not report.frozen:
            raise TrainingError("this model has no trunk to freeze: all of it is its head")
    log.info("transfer: %s", report.summary())
    return report.to_dict()


def _load_bert(model: nn.Module, path: str) -> None:
    from models.checkpoints import CheckpointError

    try:
        fresh = model.load_pretrained(path)
    except CheckpointError as e:
        raise TrainingError(str(e)) from None
    log.info("initialised from %s; left at initial values: %s", path, fresh)


def _to_output(out: torch.Tensor, task: str, model_name: str) -> np.ndarray:
    """Model outputs to what metrics take (see :func:`genoviz.tasks.to_predictions`)."""
    return to_predictions(task, out)


def _evaluate(
    model, x_all, y_all, w_all, e_all, idx, task, model_name, loss_fn, device, bs, names=None
):
    if len(idx) == 0:
        return {}, math.nan, np.zeros(0, dtype=np.float32)
    idx_t = torch.from_numpy(np.asarray(idx))
    out = predict_arrays(
        model,
        x_all[idx_t],
        e_all[idx_t] if e_all is not None else None,
        device=device,
        batch_size=bs,
        raw=True,
    )
    out_t = torch.from_numpy(out).reshape(len(idx), -1)
    y, w = y_all[idx_t], w_all[idx_t]
    loss = float((loss_fn(out_t, y).mean(dim=1) * w).sum() / w.sum())
    pred = _to_output(out_t, task, model_name)
    return metrics_for(task, y.numpy(), pred, names), loss, pred


def _run_info(
    dataset: Dataset,
    model_name: str,
    build: dict[str, Any],
    config: TrainConfig,
    device: torch.device,
) -> dict[str, Any]:
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
            # The lengths the model saw: the pad/trim length, or the set's shortest and longest.
            "lengths": [int(config.seq_len)] * 2
            if config.seq_len
            else [int(dataset.lengths.min()), int(dataset.lengths.max())],
            "strand_symmetric": strand_symmetric(dataset, config),
            "extras_names": dataset.meta.extras_names if build["extras"] else [],
            "class_names": dataset.class_names,
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


class TrainingJob(ThreadJob):
    """Runs :func:`fit` in a worker thread; every attribute is safe to read from others
    (the thread, queue and stop machinery is :class:`genoviz.background.ThreadJob`'s).

    >>> job = TrainingJob(dataset, "cnn", TrainConfig(epochs=5)).start()
    >>> job.history  # grows one record per epoch
    >>> job.stop(); job.wait()
    """

    def __init__(
        self, dataset: Dataset, model_name: str | None = None, config: TrainConfig | None = None
    ) -> None:
        self.model_name = model_name or models.recommended(dataset.task)
        self.config = config or TrainConfig()
        super().__init__(self._train, "train", dataset=dataset, epochs=self.config.epochs)

    def _train(self, job: ThreadJob) -> TrainResult:
        return fit(
            self.dataset,
            self.model_name,
            self.config,
            on_epoch=self.record_epoch,
            should_stop=self.stop_requested,
            on_progress=self.set_progress,
        )

    def _cancelled_before_start(self) -> bool:
        # Only a job stopped while queued never runs; a pending one stopped before its
        # start runs fit, which stops at the first batch.
        return self._stop.is_set() and self._status in ("queued", "stopped")

    def _complete(self, result: TrainResult) -> None:
        self._result = result
        self._status = result.status
        self._message = (
            f"{'Stopped' if result.status == 'stopped' else 'Finished'} after "
            f"{len(result.history)} epoch(s); best epoch {result.best_epoch}."
        )
