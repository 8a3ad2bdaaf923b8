"""The model a training run builds and where its weights start: whether the data is
strand-symmetric, a k-mer file's k, the exact build arguments ``models.get`` takes (stored in
``run.json``), and starting weights from another run or a pretrained BERT.

:func:`genoviz.training.fit` and :func:`genoviz.pretrain.fit_mlm` share it.
"""

from __future__ import annotations

import logging
from typing import Any

from torch import nn

import models
from genoviz import runs
from genoviz.data import Dataset
from genoviz.data.bed import is_bed
from genoviz.train_setup import TrainConfig, TrainingError
from genoviz.transfer import TransferError, freeze_trunk, init_from_run

log = logging.getLogger(__name__)


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
    So is a BED file that gives strands.
    """
    chosen = getattr(config, "rc_augment", None)  # configs without it (autoencoder) leave it
    if chosen is not None:
        return bool(chosen)
    meta = dataset.meta
    if meta.strand_symmetric or meta.simulated or meta.source.startswith("downloaded"):
        return bool(meta.strand_symmetric)
    if meta.notes.get("kmer") or meta.notes.get("stranded"):  # a BED file with strands
        return False
    length = dataset.fixed_length or int(dataset.lengths.max(initial=0))
    return dataset.task == "binary" and length >= MIN_SYMMETRIC_WINDOW


def file_kmer(dataset: Dataset) -> int | None:
    """The k of a DNABERT k-mer file's tokens when a ``kmer-bert`` can read it (3 to 6):
    the k to train with unless the user chooses another. None for any other data."""
    k = dataset.meta.notes.get("kmer")
    return int(k) if k in (3, 4, 5, 6) else None


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
        bed = is_bed(dataset.meta.notes.get("spec", ""))
        raise TrainingError(
            f"sequences have mixed lengths ({lengths.min()}-{lengths.max()} bp); choose a "
            "length to pad (with N) or trim them to (the Train page's 'Pad or trim to', or "
            "--seq-len on the command line), or use a BERT, which reads any length"
            + (
                "; for BED regions, --width reads each window at one length from the "
                "genome, real flanking bases instead of N"
                if bed
                else ""
            )
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
    if tokens and config.init_from and not config.init_bert:
        build |= source_architecture(model_name, config.init_from)
    build |= config.hparams
    if tokens and config.init_bert:
        build |= checkpoint_build(model_name, config.init_bert)
    return build


def source_architecture(model_name: str, run_dir: str) -> dict[str, Any]:
    """A BERT run's architecture (size, k, embeddings: its build less length, outputs and
    extras) when ``run_dir`` holds the same model, so ``--init`` from a tiny run builds a
    tiny model: the default small one took 1 of its 73 tensors and trained on, fresh.
    Options given (``hparams``) still win; {} when the run cannot be read (the transfer
    itself then says why)."""

    try:
        saved = runs.load_run(run_dir).info.get("model", {})
    except runs.RunError:
        return {}
    if saved.get("name") != model_name or not isinstance(saved.get("build"), dict):
        return {}
    # the shape only: a pretraining run's MLM head is not the classifier trained here
    return {k: v for k, v in saved["build"].items() if k in ARCHITECTURE_KEYS}


#: Build keys that shape a BERT's tensors, which ``--init`` from a BERT run takes over.
ARCHITECTURE_KEYS = ("size", "k", "bert_config", "embed_init")


def checkpoint_build(model_name: str, path: str) -> dict[str, Any]:
    """Build args that make a BERT model the same shape as a pretrained checkpoint: its
    architecture, the size name it matches (``checkpoint`` when none), and its k."""
    from models.checkpoints import CheckpointError, checkpoint_arch, checkpoint_kmer
    from models.token_bert import size_of

    try:
        arch = checkpoint_arch(path)
        out: dict[str, Any] = {"bert_config": arch, "size": size_of(arch)}
        if model_name == "kmer-bert":
            out["k"] = checkpoint_kmer(path)
            out["embed_init"] = "bases"  # a free table, for the checkpoint's to replace
    except CheckpointError as e:
        raise TrainingError(str(e)) from None
    return out


def init_transfer(model: nn.Module, config: TrainConfig) -> dict[str, Any] | None:
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
        fresh = [n for n in report.frozen if n not in report.copied]
        if fresh:  # frozen at their random start, they could never learn
            shown = ", ".join(fresh[:4]) + (f" and {len(fresh) - 4} more" if len(fresh) > 4 else "")
            raise TrainingError(
                f"{len(fresh)} of the {len(report.frozen)} trunk tensors to freeze are not in "
                f"{config.init_from} with the same shape ({shown}), so freezing would fix "
                "them at random values: start from a run of the same model settings, or "
                "train without freezing the trunk"
            )
    log.info("transfer: %s", report.summary())
    return report.to_dict()


def load_bert(model: nn.Module, path: str) -> None:
    from models.checkpoints import CheckpointError

    try:
        fresh = model.load_pretrained(path)
    except CheckpointError as e:
        raise TrainingError(str(e)) from None
    log.info("initialised from %s; left at initial values: %s", path, fresh)
