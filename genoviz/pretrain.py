"""Masked-language-model pretraining of the BERT models, as DNABERT does it: the loop.

:func:`fit_mlm` is what :func:`genoviz.training.fit` runs for a task-``lm`` dataset, so a
:class:`~genoviz.training_job.TrainingJob` shows it live. How tokens are masked (DNABERT's
spans) is :mod:`genoviz.pretrain_masking`; the corpora and the chunks cut from them are
:mod:`genoviz.pretrain_corpus`.

Each epoch's record has ``train_loss`` / ``valid_loss`` (cross-entropy over masked tokens),
``train_masked_acc`` / ``valid_masked_acc`` and ``baseline_masked_acc``: the accuracy of
always guessing the training corpus's most frequent token.
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
from genoviz.pretrain_corpus import chunk_texts, encode_texts, species_corpus
from genoviz.pretrain_masking import MaskConfig, Masked, mask_tokens, span_offsets
from genoviz.random_streams import TorchStream
from genoviz.run_record import run_info
from genoviz.train_build import checkpoint_build, load_bert
from genoviz.train_setup import (
    StopRequested,
    TrainConfig,
    TrainingError,
    TrainResult,
    check_config,
    select_device,
)
from models.bert import N_SPECIAL  # specials are never masked

#: Training settings pretraining starts from (Train page and CLI): about 20 steps of 32
#: chunks of 128 tokens per epoch, so the small kmer-bert draws a curve point every 15 s
#: and 20 epochs take about 5 minutes on a 2-core CPU. ``fit`` itself takes any.
DEFAULTS: dict[str, Any] = {"epochs": 20, "batch_size": 32, "lr": 1e-3}


def fit_mlm(
    dataset: Dataset,
    model_name: str | None = None,
    config: Any = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
    run_dir: Path | None = None,
    on_run_dir: Callable[[Path], None] | None = None,
):
    """Pretrain a BERT model by masked-token modelling on ``dataset`` (any task; labels are
    ignored). Same arguments and :class:`~genoviz.training.TrainResult` as ``fit``; the
    kept epoch is the one with the lowest validation loss, and the run also gets ``hf/``
    (written at each new best epoch, so a run cut off later still fine-tunes).
    ``valid_metrics`` / ``test_metrics``: ``mlm_loss``, ``masked_acc``, ``baseline_masked_acc``.
    """

    config = config or TrainConfig()
    check_config(config)
    opts = MaskConfig(**config.mlm)
    model_name = model_name or "kmer-bert"
    spec = models.spec(model_name)
    if spec.input_kind not in models.TOKEN_KINDS:
        raise TrainingError(
            f"model {model_name!r} does not support task 'lm': masked-token pretraining "
            "needs a BERT model (kmer-bert or codon-bert)"
        )
    if opts.species is not None:
        dataset = species_corpus(dataset, opts.species)
    device = select_device(config.device)
    stream = TorchStream(config.seed, device)  # this run's draws, whatever else trains
    gen = torch.Generator().manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    dataset.ensure_splits(config.seed)

    build: dict[str, Any] = {"seq_len": opts.max_tokens, "outputs": 1, "extras": 0}
    build |= spec.defaults | config.hparams | {"head": "mlm"}
    if config.init_bert:
        build |= checkpoint_build(model_name, config.init_bert)
    with stream.active():
        model = models.get(model_name, **build)
        if config.init_bert:
            load_bert(model, config.init_bert)
    if opts.max_tokens > model.max_positions:
        raise TrainingError(f"max_tokens {opts.max_tokens} is over BERT's {model.max_positions}")
    offsets = span_offsets(model.k) if opts.span and hasattr(model, "k") else range(1)
    vocab_size = len(model.vocab)

    texts, source = chunk_texts(dataset, model, opts)
    ids = encode_texts(model, texts, opts.max_tokens)
    ids = ids[:, : int((ids != 0).sum(1).max())]  # drop all-pad columns
    part = {k: np.isin(source, v) for k, v in dataset.splits.items()}
    tr, va, te = (torch.from_numpy(np.flatnonzero(part[k])) for k in ("train", "valid", "test"))
    va, te = (
        t[np.sort(rng.permutation(len(t))[: opts.max_eval_chunks])] if len(t) else t
        for t in (va, te)
    )
    if len(tr) == 0 or len(va) == 0:
        raise TrainingError(f"too few sequences ({dataset.count_text()}) to pretrain and validate")
    x_tr = ids[tr]
    # Validation and test use the same masks every epoch (their own seeded generator).
    fixed = torch.Generator().manual_seed(config.seed + 1)
    valid = mask_tokens(ids[va], opts.rate, offsets, vocab_size, fixed)
    test = mask_tokens(ids[te], opts.rate, offsets, vocab_size, fixed) if len(te) else None
    body = x_tr[x_tr >= N_SPECIAL]
    for part_name, part_ids in (("training", x_tr), ("validation", ids[va])):
        if not (part_ids >= N_SPECIAL).any():
            unit = "k-mer" if hasattr(model, "k") else "codon"
            raise TrainingError(
                f"nothing to mask in {dataset.name}'s {part_name} part: no {unit} of A, C, G "
                "and T only (one with N or another ambiguous base becomes [UNK], which is "
                "never masked); pretrain on sequences with real bases"
            )
    # The k-mer-frequency guess: the training part's commonest token, scored on the same
    # masked positions as the model in each part (validation and test differ).
    top = int(torch.bincount(body, minlength=vocab_size).argmax())

    model = model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    per_epoch = min(opts.chunks_per_epoch or len(tr), len(tr))
    n_batches = max(1, math.ceil(per_epoch / config.batch_size))
    total = n_batches * config.epochs
    warm = max(1, min(total // 10, 200))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.1, 1 - (s - warm) / max(total - warm, 1)))
    )

    def evaluate(m: Masked) -> dict[str, float]:
        model.eval()
        loss_sum, correct, count = 0.0, 0.0, 0
        with torch.no_grad():
            for s in range(0, len(m.inputs), config.batch_size * 2):
                xb = m.inputs[s : s + config.batch_size * 2].to(device)
                yb = m.labels[s : s + config.batch_size * 2].to(device)
                sel = yb != -100
                if sel.any():
                    out = model.masked_logits(xb, sel).float()
                    loss_sum += float(nn.functional.cross_entropy(out, yb[sel], reduction="sum"))
                    correct += float((out.argmax(-1) == yb[sel]).sum())
                    count += int(sel.sum())
        masked = m.labels[m.labels != -100]
        return {
            "mlm_loss": loss_sum / count if count else math.nan,  # nothing masked: no loss
            "masked_acc": correct / count if count else math.nan,
            "baseline_masked_acc": float((masked == top).float().mean()) if count else math.nan,
        }

    info: dict[str, Any] = {}
    if run_dir is None and config.save:
        root = Path(config.runs_dir) if config.runs_dir else run_folders.default_runs_dir()
        run_dir = run_folders.new_run_dir(
            root, config.run_name or f"{dataset.name}-{model_name}-mlm"
        )
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
    # so the run reads as running, not interrupted
    lock = run_lock.RunLock(run_dir).acquire() if run_dir is not None else None
    history: list[dict[str, Any]] = []
    try:  # whatever fails, the run says so and its lock is released
        if run_dir is not None:
            if on_run_dir is not None:
                on_run_dir(run_dir)
            info = run_info(dataset, model_name, build, config, device)
            info["purpose"] = "masked-language-model pretraining"
            info["pretraining"] = {
                "objective": "masked tokens",
                "mask": vars(opts),
                "span_offsets": list(offsets),
                "chunks": {"train": len(tr), "valid": len(va), "test": len(te)},
                "tokens_per_chunk": int(ids.shape[1]),
            }
            runs.write_run_json(run_dir, info)

        best_loss, best_epoch, status = math.inf, 0, "finished"
        best_state = copy.deepcopy(model.state_dict())
        try:
            for epoch in range(1, config.epochs + 1):
                t0 = time.perf_counter()
                rate = opts.rate_at(epoch, config.epochs)
                model.train()
                perm = torch.from_numpy(rng.permutation(len(tr))[:per_epoch])
                loss_sum, correct, count, n_masked, n_tokens = 0.0, 0.0, 0, 0, 0
                for b in range(n_batches):
                    if should_stop is not None and should_stop():
                        raise StopRequested
                    xb = x_tr[perm[b * config.batch_size : (b + 1) * config.batch_size]]
                    m = mask_tokens(xb, rate, offsets, vocab_size, gen)
                    inputs, labels = m.inputs.to(device), m.labels.to(device)
                    sel = labels != -100
                    if not sel.any():
                        continue
                    with stream.active():  # dropout masks from the run's own stream
                        out = model.masked_logits(inputs, sel)
                    loss = nn.functional.cross_entropy(out.float(), labels[sel])
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    opt.step()
                    sched.step()
                    k = int(sel.sum())
                    loss_sum += float(loss.detach()) * k
                    correct += float((out.detach().argmax(-1) == labels[sel]).sum())
                    count += k
                    n_masked += k
                    n_tokens += int((xb >= N_SPECIAL).sum())
                    if on_progress is not None:
                        on_progress((b + 1) / n_batches)
                train_loss = loss_sum / max(count, 1)
                if not math.isfinite(train_loss):
                    raise TrainingError(
                        f"pretraining diverged at epoch {epoch}; try a lower learning rate"
                    )
                v = evaluate(valid)
                record = {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "valid_loss": v["mlm_loss"],
                    "train_masked_acc": correct / count if count else math.nan,
                    "valid_masked_acc": v["masked_acc"],
                    "baseline_masked_acc": v["baseline_masked_acc"],
                    "mask_rate": rate,
                    "masked_share": n_masked / max(n_tokens, 1),
                    "seconds": time.perf_counter() - t0,
                }
                # nothing masked in validation (an N-rich corpus) measures nothing: keep the
                # latest epoch rather than the untrained start
                unmeasured = math.isnan(v["mlm_loss"]) and not math.isfinite(best_loss)
                improved = v["mlm_loss"] < best_loss or unmeasured
                if improved:
                    best_loss, best_epoch = (math.inf if unmeasured else v["mlm_loss"]), epoch
                    best_state = {k: t.detach().clone() for k, t in model.state_dict().items()}
                    if run_dir is not None:
                        runs.save_weights(run_dir, model)
                        # hf/ too, so a run killed later still fine-tunes (--init-bert)
                        runs.save_hf(run_dir, model)
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

        model.load_state_dict(best_state)
        model.eval()
        valid_m = evaluate(valid)
        test_m = evaluate(test) if test is not None else {}
        if run_dir is not None:
            runs.save_weights(run_dir, model)
            runs.save_hf(run_dir, model)
            run_outcome.write_final(
                run_dir,
                info,
                status=status,
                best_epoch=best_epoch,
                epochs_done=len(history),
                metrics={"valid": valid_m, "test": test_m},
            )
        return TrainResult(
            model=model.cpu(),  # frees the GPU; interpretation runs on the CPU
            history=history,
            best_epoch=best_epoch,
            valid_metrics=valid_m,
            test_metrics=test_m,
            test_ids=[],
            test_labels=np.zeros(0, np.float32),
            test_predictions=np.zeros(0, np.float32),
            status=status,
            run_dir=run_dir,
            device=str(device),
        )
    except BaseException as e:
        run_outcome.write_failed(run_dir, info, e, history)
        raise
    finally:
        if lock is not None:
            lock.release()
