"""The fit loop.

One loop serves the CLI, the pages, the tests and the benchmarks. It never imports
streamlit. What sets a run up is :mod:`genoviz.train_setup` (config, device) and
:mod:`genoviz.train_build` (the model and its starting weights); resuming one is
:mod:`genoviz.resume`; running it in a worker thread the pages poll is
:class:`genoviz.training_job.TrainingJob`. They are re-exported here, so
``from genoviz.training import TrainConfig, fit`` is the whole API.
The loop's inputs and batches are :mod:`genoviz.train_inputs`, its loss and scores
:mod:`genoviz.train_scoring`, the ``run.json`` it starts with :mod:`genoviz.run_record`,
and the files it ends with :mod:`genoviz.train_result`.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

import models
from genoviz import run_folders, run_lock, run_outcome, runs
from genoviz.data import Dataset
from genoviz.data.task_labels import class_numbering_problem
from genoviz.keep import KeepRule, WeightAverage
from genoviz.metrics import PRIMARY_METRIC, confusion_matrix
from genoviz.random_streams import TorchStream
from genoviz.resume import (
    ResumePlan,
    check_run_dir,
    checkpoint_epoch,
    restore_state,
    resume_info,
    resume_plan,
    resume_transfer,
    save_state,
)
from genoviz.run_record import run_info
from genoviz.tasks import metrics_for, to_predictions
from genoviz.train_build import (
    MIN_SYMMETRIC_WINDOW,
    init_transfer,
    load_bert,
    model_build_args,
    strand_symmetric,
)
from genoviz.train_inputs import TrainSplit, token_inputs
from genoviz.train_result import write_result
from genoviz.train_scoring import evaluate_split, loss_function
from genoviz.train_setup import (
    Diverged,
    StopRequested,
    TrainConfig,
    TrainingError,
    TrainResult,
    check_config,
    select_device,
)
from genoviz.train_weights import unequal_weights
from genoviz.training_job import TrainingJob
from models.layers import set_extras_scale

__all__ = [
    "MIN_SYMMETRIC_WINDOW",
    "ResumePlan",
    "StopRequested",
    "TrainConfig",
    "TrainResult",
    "TrainingError",
    "TrainingJob",
    "fit",
    "model_build_args",
    "resume_plan",
    "select_device",
    "strand_symmetric",
    "unequal_weights",
]


def fit(
    dataset: Dataset,
    model_name: str | None = None,
    config: TrainConfig | None = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
    run_dir: Path | None = None,
    on_run_dir: Callable[[Path], None] | None = None,
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
        run_dir: write the run into this folder (made if missing) instead of a new
            ``<runs_dir>/<timestamp>-<name>/``; one that already holds a run is refused,
            unless it is ``config.resume_from``.
        on_run_dir: called with the run folder once this call holds its lock.

    Raises:
        TrainingError: NaN or diverging loss, data the model cannot use, or a ``run_dir``
            that holds another run.
    """
    config = config or TrainConfig()
    check_config(config)
    if run_dir is not None:  # before any work; checked again once the folder is locked
        check_run_dir(run_dir, config.resume_from)
    if dataset.task == "lm":  # a corpus: masked-language-model pretraining
        from genoviz.pretrain import fit_mlm

        return fit_mlm(
            dataset, model_name, config, on_epoch, should_stop, on_progress, run_dir, on_run_dir
        )
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
    stream = TorchStream(config.seed, device)  # this run's draws, whatever else trains
    rng = np.random.default_rng(config.seed)
    # Asked before the splits are drawn, so the reason names the minimum, not this draw;
    # splits the caller set are checked as they are (both must hold a sequence).
    too_small = dataset.too_small_to_train()
    if too_small:
        raise TrainingError(too_small)
    if missing := dataset.missing_labels():  # else a NaN loss read as divergence
        raise TrainingError(missing)
    if dataset.task == "multiclass" and (problem := class_numbering_problem(dataset.labels)):
        raise TrainingError(problem)  # a class no sequence teaches (the page, the library)
    dataset.ensure_splits(config.seed)

    info: dict[str, Any] = {}
    resuming = config.resume_from is not None
    # Whether the run's weights come back from its checkpoint: then its init_from or
    # init_bert source is never read again (it may be gone). A run cut off before its
    # first checkpoint starts again from that source.
    restoring = False
    if resuming:
        run_dir = Path(config.resume_from)
        restoring = (run_dir / runs.CHECKPOINT).exists()
        # the exact model the run built, defaults included
        build = runs.load_run(run_dir).info.get("model", {}).get("build") or model_build_args(
            dataset, model_name, config
        )
        # checked before any tensor is built from the data (extras it no longer has)
        info = resume_info(run_dir, dataset, model_name, build, config, device)
    else:
        build = model_build_args(dataset, model_name, config)
    tokens = spec.input_kind in models.TOKEN_KINDS
    rc_augment = strand_symmetric(dataset, config)
    with stream.active():  # the initial weights from the run's own stream
        model = models.get(model_name, **build)
        if tokens and config.init_bert and not restoring:
            load_bert(model, config.init_bert)
    if tokens:
        x_all, x_rc_all = token_inputs(
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
    # A weight of 0 marks a label not to count (DeepChem's missing label): it trains for
    # nothing, and is left out of the validation and test scores too.
    scored = w_all.numpy() > 0
    valid_idx, test_idx = (np.asarray(i)[scored[np.asarray(i)]] for i in (valid_idx, test_idx))
    if not len(valid_idx):
        raise TrainingError(
            "every validation sequence has weight 0, so none can be scored: give some a "
            "weight above 0"
        )

    with stream.active():  # a new head is drawn from it too
        transfer = (
            resume_transfer(model, config, info) if restoring else init_transfer(model, config)
        )
    if e_all is not None:  # after any transfer: this data's scale, not the source run's
        set_extras_scale(model, e_all[torch.from_numpy(np.asarray(train_idx))])
    model = model.to(device)
    train = TrainSplit.of(
        train_idx, x_all, y_all, w_all, e_all, x_rc_all, rc_augment and not tokens, device
    )
    # Weighted mean loss over the whole train split, estimated per batch: dividing by the
    # batch's own weight sum instead would overweight batches without a rare positive.
    w_mean = float(w_all[train_idx].mean())
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = loss_function(dataset.task, model_name, y_all[train_idx].numpy())

    def evaluate(m: nn.Module, idx: np.ndarray) -> tuple[dict[str, float], float, np.ndarray]:
        return evaluate_split(
            m,
            x_all,
            y_all,
            w_all,
            e_all,
            idx,
            dataset.task,
            loss_fn,
            device,
            config.batch_size * 4,
            names=dataset.class_names,
        )

    # Only where bf16 is native (Ampere on): emulated bf16 is slower than float32.
    amp = device.type == "cuda" and torch.cuda.is_bf16_supported(including_emulation=False)

    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
    elif config.save:
        root = Path(config.runs_dir) if config.runs_dir else run_folders.default_runs_dir()
        run_dir = run_folders.new_run_dir(root, config.run_name or f"{dataset.name}-{model_name}")
    lock = run_lock.RunLock(run_dir).acquire() if run_dir is not None else None
    history: list[dict[str, Any]] = []
    try:  # whatever fails, the run says so and its lock is released
        if resuming:  # the epochs its checkpoint holds (also said should it fail before
            # the checkpoint is back); a metrics line past them is dropped below
            history = runs.read_history(run_dir)[: checkpoint_epoch(run_dir)]
        if run_dir is not None:  # the lock first: then run.json may say "running"
            check_run_dir(run_dir, config.resume_from)  # another fit may have begun one
            if on_run_dir is not None:
                on_run_dir(run_dir)
            if resuming:  # the last stop's, not of the weights to come
                (run_dir / runs.TEST_PREDICTIONS).unlink(missing_ok=True)
            info = info or run_info(dataset, model_name, build, config, device)
            if transfer is not None:
                info["transfer"] = transfer
            runs.write_run_json(run_dir, info)
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
        if resuming:
            state = restore_state(run_dir, model, ema, opt, rng, stream)
            if state is not None:
                start_epoch, first_loss = state["epoch"], state["first_loss"]
                keep.restore(state)
                best_state = state["best_state"] or copy.deepcopy(eval_model.state_dict())
                runs.rewrite_history(run_dir, history)  # drop a line past the checkpoint
                for record in history:
                    if on_epoch is not None:
                        on_epoch(record)
            else:  # killed during the first epoch: start again, from the same seed
                runs.rewrite_history(run_dir, [])
        if run_dir is not None and start_epoch == 0:
            # the start, so a run killed after its first metrics line but before that
            # epoch's checkpoint still goes on (only a zip import lacks a checkpoint)
            counters = {"epoch": 0, "first_loss": None, **keep.counters()}
            save_state(run_dir, model, ema, opt, rng, stream, None, counters)
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
                    xb, yb, wb, eb = train.batch(bi)
                    with stream.active():  # its dropout masks from the run's own stream
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
                    raise Diverged(
                        f"training diverged at epoch {epoch}: the loss became {train_loss}. "
                        "Try a lower learning rate."
                    )
                first_loss = first_loss if first_loss is not None else train_loss
                if epoch > 2 and train_loss > 100 * max(first_loss, 1e-8):
                    raise Diverged(
                        f"training diverged at epoch {epoch}: loss {train_loss:.3g} is over 100x "
                        f"the first epoch's {first_loss:.3g}. Try a lower learning rate."
                    )
                train_out = to_predictions(dataset.task, torch.cat(preds))
                rows = train_idx[torch.cat(seen).numpy()]
                counted = scored[rows]
                train_m = metrics_for(
                    dataset.task,
                    y_all[rows[counted]].numpy(),
                    train_out[counted],
                    dataset.class_names,
                )
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
                    save_state(
                        run_dir,
                        model,
                        ema,
                        opt,
                        rng,
                        stream,
                        best_state if keep.best_epoch != epoch else None,
                        {"epoch": epoch, "first_loss": first_loss, **keep.counters()},
                    )
                if on_epoch is not None:
                    on_epoch(record)
                if epoch - keep.best_epoch >= config.patience:
                    break
        except StopRequested:
            status = "stopped"

        model.load_state_dict(best_state)
        model.eval()
        valid_m, _, _ = evaluate(model, valid_idx)
        test_m, _, test_pred = evaluate(model, test_idx)
        result = TrainResult(
            model=model.cpu(),  # frees the GPU; interpretation runs on the CPU
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
            write_result(result, info, tokens, dataset.class_names)
    except BaseException as e:
        if isinstance(e, Diverged) and info:  # resuming would diverge again (resume_plan)
            info["failed_diverged"] = True
        run_outcome.write_failed(run_dir, info, e, history)
        raise
    finally:
        if lock is not None:
            lock.release()
    return result
