"""Unsupervised training of the convolutional autoencoder, and its 2-D latent map.

The autoencoder learns to rebuild each one-hot sequence through a small bottleneck, with no
labels. What comes out: per-base reconstruction accuracy (chance is about 0.25) and a PCA of
the bottleneck, which the Train page and CLI colour by label to show whether the
unsupervised code already separates the classes. The run it writes can initialise a
supervised model (``TrainConfig.init_from``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.decomposition import PCA
from torch import nn

import models
from genoviz import run_folders, run_lock, run_outcome, runs
from genoviz.background import ThreadJob
from genoviz.data import Dataset
from genoviz.random_streams import TorchStream
from genoviz.run_record import run_info
from genoviz.sequences import pad_or_trim
from genoviz.training import TrainingError, select_device

#: ``run.json``'s ``purpose``: marks the run as pretraining (see :func:`runs.is_pretraining`).
PURPOSE = "autoencoder pretraining: the head is untrained; use it with --init"


@dataclass
class AutoencoderConfig:
    """Training settings; ``hparams`` override the registry's autoencoder defaults."""

    epochs: int = 20
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 0
    device: str = "auto"
    hparams: dict[str, Any] | None = None
    #: Pad (N) or trim sequences to this length; None = the data's own fixed length.
    seq_len: int | None = None


@dataclass
class LatentMapResult:
    """The bottleneck of each sequence projected onto its first two principal components.

    Attributes:
        coords: ``(n, 2)``.
        explained: ``(2,)`` share of the bottleneck's variance on each axis.
        labels: ``(n,)`` or ``(n, tasks)``, as in the dataset.
        ids: sequence ids, in the order of ``coords``.
    """

    coords: np.ndarray
    explained: np.ndarray
    labels: np.ndarray
    ids: list[str]


@dataclass
class AutoencoderResult:
    """A finished (or stopped) autoencoder run.

    Attributes:
        history: one record per epoch: ``train_loss``, ``valid_loss``,
            ``train_accuracy``, ``valid_accuracy`` (per-base reconstruction).
        test_accuracy: per-base reconstruction accuracy on the test split.
        latent: the latent map of the test split.
        test_floor: the floor to beat, :func:`commonest_base_accuracy` on the same bases
            (the test split, padded or trimmed as the model read it).
    """

    model: nn.Module
    history: list[dict[str, Any]]
    test_accuracy: float
    latent: LatentMapResult
    status: str
    run_dir: Path | None
    test_floor: float = math.nan


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, int, int]:
    """Mean cross-entropy over the known bases (N columns are skipped), the number of
    correctly rebuilt bases and the number of known bases.

    Args:
        logits, x: ``(n, 4, L)``.
    """
    known = x.sum(dim=1) > 0
    target = x.argmax(dim=1)
    ce = nn.functional.cross_entropy(logits, target, reduction="none")
    n_known = int(known.sum())
    loss = (ce * known).sum() / max(n_known, 1)
    correct = int(((logits.argmax(dim=1) == target) & known).sum())
    return loss, correct, n_known


def commonest_base_accuracy(sequences: list[str]) -> float:
    """The reconstruction accuracy of always guessing the commonest base: the floor a
    trained autoencoder has to beat (0.25 for uniform sequences). NaN without any base."""
    text = "".join(sequences).upper().replace("U", "T")
    counts = [text.count(b) for b in "ACGT"]
    return max(counts) / sum(counts) if sum(counts) else math.nan


@torch.no_grad()
def _evaluate(model, x: torch.Tensor, device, bs: int) -> tuple[float, float]:
    model.eval()
    loss_sum, correct, total = 0.0, 0, 0
    for s in range(0, len(x), bs):
        xb = x[s : s + bs].to(device)
        loss, c, k = reconstruction_loss(model.reconstruct(xb), xb)
        loss_sum, correct, total = loss_sum + loss.item() * k, correct + c, total + k
    return loss_sum / max(total, 1), correct / max(total, 1)


@torch.no_grad()
def latent_map(
    model: nn.Module, x: torch.Tensor, labels: np.ndarray, ids: list[str], batch_size: int = 512
) -> LatentMapResult:
    """PCA of the flattened bottleneck ``encode(x)`` to two dimensions.

    Args:
        x: one-hot ``(n, 4, L)``, n >= 2.
    """
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        z = torch.cat(
            [
                model.encode(x[s : s + batch_size].to(device)).flatten(1).cpu()
                for s in range(0, len(x), batch_size)
            ]
        ).numpy()
    finally:
        model.train(was_training)
    pca = PCA(n_components=2, random_state=0)
    coords = pca.fit_transform(z.astype(np.float64))
    return LatentMapResult(coords, pca.explained_variance_ratio_, np.asarray(labels), list(ids))


def fit_autoencoder(
    dataset: Dataset,
    config: AutoencoderConfig | None = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
    on_progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    run_dir: Path | None = None,
) -> AutoencoderResult:
    """Train encoder and decoder to rebuild the sequences; keep the best validation epoch.

    Labels are not used for training, only to colour the latent map. With ``run_dir`` the
    run is written like a supervised one (``run.json``, ``metrics.jsonl``,
    ``model.safetensors``), with the model saved as ``autoencoder`` plus its decoder.

    Raises:
        TrainingError: mixed lengths without ``seq_len``, too few sequences, or NaN loss.
    """
    config = config or AutoencoderConfig()
    device = select_device(config.device)
    stream = TorchStream(config.seed, device)  # this run's draws, whatever else trains
    rng = np.random.default_rng(config.seed)
    dataset.ensure_splits(config.seed)
    seq_len = config.seq_len or dataset.fixed_length
    if seq_len is None:
        lengths = dataset.lengths
        raise TrainingError(
            f"sequences have mixed lengths ({lengths.min()}-{lengths.max()} bp); choose a "
            "length to pad (with N) or trim them to (--seq-len on the command line)"
        )
    train_idx, valid_idx, test_idx = (dataset.splits[k] for k in ("train", "valid", "test"))
    if len(train_idx) < 2 or len(valid_idx) < 1 or len(test_idx) < 2:
        raise TrainingError(f"too few sequences ({dataset.count_text()}) for an autoencoder")
    x_all = torch.from_numpy(dataset.encode(seq_len if config.seq_len else None))
    build = {"seq_len": int(seq_len), "outputs": 1, "extras": 0}
    build |= models.spec("autoencoder").defaults | (config.hparams or {}) | {"decoder": True}
    with stream.active():
        model = models.get("autoencoder", **build).to(device)
    params = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    x_tr, x_va = x_all[train_idx], x_all[valid_idx]

    info: dict[str, Any] = {}
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        info = run_info(dataset, "autoencoder", build, config, device) | {"purpose": PURPOSE}
        # It reads one strand without augmentation, and ignores labels and their weights.
        info["dataset"] |= {"strand_symmetric": False, "weighted": False}
        runs.write_run_json(run_dir, info)

    history: list[dict[str, Any]] = []
    best_acc, best_state, best_epoch = -1.0, None, 0
    n_batches = max(1, math.ceil(len(x_tr) / config.batch_size))
    status = "finished"
    try:
        for epoch in range(1, config.epochs + 1):
            t0 = time.perf_counter()
            model.train()
            perm = torch.from_numpy(rng.permutation(len(x_tr)))
            loss_sum, correct, total = 0.0, 0, 0
            stopped = False
            for b in range(n_batches):
                if should_stop is not None and should_stop():
                    stopped = True
                    break
                xb = x_tr[perm[b * config.batch_size : (b + 1) * config.batch_size]].to(device)
                with stream.active():  # dropout masks from the run's own stream
                    recon = model.reconstruct(xb)
                loss, c, k = reconstruction_loss(recon, xb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                loss_sum, correct, total = loss_sum + loss.item() * k, correct + c, total + k
                if on_progress is not None:
                    on_progress((b + 1) / n_batches)
            if stopped:
                status = "stopped"
                break
            train_loss = loss_sum / max(total, 1)
            if not math.isfinite(train_loss):
                raise TrainingError(f"the autoencoder diverged at epoch {epoch}; lower the rate")
            valid_loss, valid_acc = _evaluate(model, x_va, device, config.batch_size * 4)
            improved = valid_acc > best_acc
            if improved:
                best_acc, best_epoch = valid_acc, epoch
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                if run_dir is not None:
                    runs.save_weights(run_dir, model)
            record = {
                "epoch": epoch,
                "train_loss": train_loss,
                "valid_loss": valid_loss,
                "train_accuracy": correct / max(total, 1),
                "valid_accuracy": valid_acc,
                "seconds": time.perf_counter() - t0,
                "best": improved,
            }
            history.append(record)
            if run_dir is not None:
                runs.append_metrics(run_dir, record)
            if on_epoch is not None:
                on_epoch(record)
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        _, test_acc = _evaluate(model, x_all[test_idx], device, config.batch_size * 4)
        test_seqs = [dataset.sequences[i] for i in test_idx]
        floor = commonest_base_accuracy(pad_or_trim(test_seqs, seq_len))
        latent = latent_map(
            model, x_all[test_idx], dataset.labels[test_idx], [dataset.ids[i] for i in test_idx]
        )
        if run_dir is not None:
            if not (run_dir / runs.WEIGHTS).exists():
                runs.save_weights(run_dir, model)
            run_outcome.write_final(
                run_dir,
                info,
                status=status,
                best_epoch=best_epoch,
                epochs_done=len(history),
                metrics={
                    "test": {"reconstruction_accuracy": test_acc, "commonest_base_accuracy": floor}
                },
            )
    except BaseException as e:  # the run folder says it failed, as fit's do
        run_outcome.write_failed(run_dir, info, e, history)
        raise
    return AutoencoderResult(model.cpu(), history, test_acc, latent, status, run_dir, floor)


def autoencoder_job(
    dataset: Dataset, config: AutoencoderConfig | None = None, runs_dir: str | Path | None = None
) -> ThreadJob:
    """:func:`fit_autoencoder` as a background job (not yet started) that writes a new run
    folder under ``runs_dir`` (default: :func:`run_folders.default_runs_dir`), holding its
    ``run.lock`` so the run reads as running, not interrupted. The result is the
    :class:`AutoencoderResult`; history records are its epoch records."""

    def work(job: ThreadJob) -> AutoencoderResult:
        root = Path(runs_dir) if runs_dir is not None else run_folders.default_runs_dir()
        run_dir = run_folders.new_run_dir(root, f"{dataset.name}-autoencoder-pretraining")
        with run_lock.RunLock(run_dir):
            job.set_run_dir(run_dir)
            return fit_autoencoder(
                dataset,
                config,
                on_epoch=job.record_epoch,
                on_progress=job.set_progress,
                should_stop=job.stop_requested,
                run_dir=run_dir,
            )

    epochs = (config or AutoencoderConfig()).epochs
    return ThreadJob(work, "autoencoder", dataset=dataset, epochs=epochs)
