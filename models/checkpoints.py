"""Pretrained BERT folders: a genoviz pretraining run's ``hf/`` or a Hugging Face checkpoint
in DNABERT's layout (``config.json``, ``vocab.txt``, and ``model.safetensors`` or
``pytorch_model.bin``, either possibly sharded). Checked, summarised and read here; the
BERTs copy the weights in (:meth:`models.token_bert.TokenBert.load_pretrained`).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import safetensors
import torch
from safetensors.torch import load_file as load_safetensors

from genoviz.tokens import kmer_vocab

#: Architecture keys copied from a checkpoint's config.json into a run's build args.
ARCH_KEYS = (
    "num_hidden_layers",
    "hidden_size",
    "num_attention_heads",
    "intermediate_size",
    "max_position_embeddings",
    "type_vocab_size",
    "hidden_act",
    "layer_norm_eps",
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
)


class CheckpointError(ValueError):
    """A pretrained BERT folder that genoviz cannot use; the message says why."""


def hf_dir(path: str | Path) -> Path:
    """The Hugging Face folder inside ``path``: a genoviz run's ``hf/`` or ``path`` itself."""
    path = Path(path).expanduser()
    if (path / "hf" / "config.json").exists():
        return path / "hf"
    if (path / "config.json").exists():
        return path
    if (path / "run.json").exists():  # a genoviz run without hf/ (written at a best epoch)
        try:
            info = json.loads((path / "run.json").read_text())
            status = str(info.get("status", "unknown")) if isinstance(info, dict) else "unknown"
        except (OSError, ValueError):
            status = "unreadable"
        raise CheckpointError(
            f"{path} is a genoviz run without an hf/ folder (run.json status: {status}). A BERT "
            "run writes hf/ at each new best epoch, so one killed or crashed before its first "
            "epoch ended has none, and other models never have one: wait for an epoch to "
            "end, or pretrain again"
        )
    raise CheckpointError(
        f"{path} is neither a genoviz BERT run (no hf/ folder) nor a Hugging Face checkpoint "
        "folder (no config.json)"
    )


def check_vocab(path: Path, vocab: list[str]) -> None:
    vocab_file = path / "vocab.txt"
    if not vocab_file.exists():
        raise CheckpointError(f"{path}: no vocab.txt, so the token ids cannot be checked")
    theirs = vocab_file.read_text().split()
    if theirs != vocab:
        raise CheckpointError(
            f"{path}: vocab.txt has {len(theirs)} tokens that do not match this model's "
            f"{len(vocab)} (DNABERT order expected: [PAD] [UNK] [CLS] [SEP] [MASK], then "
            "k-mers in itertools.product('ATCG') order)"
        )


def checkpoint_kmer(path: str | Path) -> int:
    """k of a DNABERT checkpoint folder, from the size of its ``vocab.txt`` (5 + 4**k)."""
    path = hf_dir(path)
    vocab_file = path / "vocab.txt"
    if not vocab_file.exists():
        raise CheckpointError(f"{path}: no vocab.txt")
    n = len(vocab_file.read_text().split())
    for k in range(3, 7):
        if n == 5 + 4**k:
            return k
    raise CheckpointError(f"{path}: vocab.txt has {n} tokens, not a DNABERT k-mer vocabulary")


def checkpoint_arch(path: str | Path) -> dict[str, Any]:
    """The architecture keys (:data:`ARCH_KEYS`) of a checkpoint's ``config.json``."""
    path = hf_dir(path)
    try:
        cfg = json.loads((path / "config.json").read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}/config.json cannot be read: {e}") from None
    if cfg.get("model_type", "bert") != "bert":
        raise CheckpointError(f"{path}: model_type {cfg.get('model_type')!r}, not a BERT")
    return {k: cfg[k] for k in ARCH_KEYS if k in cfg}


#: Weight files a checkpoint folder may hold, in the order they are preferred: each as one
#: file or as shards named by an index.
WEIGHT_FILES = (
    ("model.safetensors", "model.safetensors.index.json"),
    ("pytorch_model.bin", "pytorch_model.bin.index.json"),
)


def checkpoint_summary(path: str | Path) -> str:
    """One line on a k-mer BERT checkpoint folder, for a form to show before training; reads
    config.json and vocab.txt and looks for a weights file, without loading the weights.

    Raises:
        CheckpointError: not a DNABERT-layout folder, with the reason.
    """
    folder = hf_dir(path)
    k = checkpoint_kmer(folder)
    check_vocab(folder, kmer_vocab(k))
    arch = checkpoint_arch(folder)
    weights = [f for pair in WEIGHT_FILES for f in pair if (folder / f).exists()]
    if not weights:
        raise CheckpointError(f"{folder}: no model.safetensors or pytorch_model.bin")
    shape = ", ".join(
        label.format(arch[key], "" if arch[key] == 1 else "s")
        for key, label in (("num_hidden_layers", "{} layer{}"), ("hidden_size", "hidden size {}"),
                           ("num_attention_heads", "{} head{}"))
        if key in arch
    )  # fmt: skip
    return f"k = {k}" + (f", {shape}" if shape else "") + f"; weights from {weights[0]}"


def read_checkpoint_weights(path: Path) -> dict[str, torch.Tensor]:
    """Weights of a checkpoint folder: ``model.safetensors`` (or its shards), else
    ``pytorch_model.bin`` (or its shards), as DNABERT's own downloads come.

    A ``.bin`` is a pickle, so it is read with ``torch.load(weights_only=True)``: that
    unpickler builds only tensors and plain containers and refuses anything else, so the
    file cannot run code. Old names ``LayerNorm.gamma`` / ``.beta`` become ``.weight`` /
    ``.bias``, as ``transformers`` renames them.
    """
    readers = (_read_safetensors, _read_torch_pickle)
    for (single, index), read in zip(WEIGHT_FILES, readers, strict=True):
        weight_map: dict[str, str] = {}
        if (path / single).exists():
            files = [path / single]
        elif (path / index).exists():
            weight_map = _weight_map(path / index)
            files = [path / f for f in sorted(set(weight_map.values()))]
        else:
            continue
        state: dict[str, torch.Tensor] = {}
        for f in files:
            state |= read(f)
        missing = sorted(set(weight_map) - set(state))
        if missing:
            raise CheckpointError(
                f"{path / index} names {len(missing)} weights its shards do not hold (e.g. "
                f"{missing[0]}): a shard is missing or incomplete"
            )
        return {_modern_name(k): v for k, v in state.items()}
    raise CheckpointError(f"{path}: no model.safetensors or pytorch_model.bin")


def _weight_map(index: Path) -> dict[str, str]:
    """A shard index's ``weight_map`` (weight name -> shard file in the same folder)."""
    try:
        weight_map = json.loads(index.read_text())["weight_map"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"{index} cannot be read: {e}") from None
    if not isinstance(weight_map, dict) or not weight_map:
        raise CheckpointError(f"{index}: weight_map must map weight names to shard files")
    for name, shard in weight_map.items():
        if not isinstance(shard, str) or Path(shard).name != shard or shard in ("", ".", ".."):
            raise CheckpointError(
                f"{index}: weight {name} points to {shard!r}, not a file in the same folder"
            )
    return weight_map


def _read_safetensors(file: Path) -> dict[str, torch.Tensor]:
    try:
        return load_safetensors(str(file), device="cpu")
    except (OSError, safetensors.SafetensorError) as e:
        raise CheckpointError(f"{file} cannot be read: {e}") from None


def _read_torch_pickle(file: Path) -> dict[str, torch.Tensor]:
    try:
        with warnings.catch_warnings():  # the refusal below says it in words
            warnings.filterwarnings("ignore", "Detected pickle protocol")
            state = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as e:  # torch's own text advises weights_only=False: never shown
        head = file.read_bytes()[:64] if file.is_file() else b""
        pickled = head[:1] == b"\x80" and "WeightsUnpickler error" in str(e)  # a real pickle
        if "unsupported global" in str(e).lower() or pickled:
            raise CheckpointError(
                f"{file} holds Python objects besides tensors, which genoviz will not build "
                "(building them could run code), or a pickle torch's safe loader does not "
                "read; only plain weights are read"
            ) from None
        hint = (
            "a git-lfs pointer, not the weights"
            if head.startswith(b"version https://git-lfs")
            else ("empty or damaged, e.g. an unfinished download")
        )
        raise CheckpointError(f"{file} cannot be read: {hint}; download it again") from None
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise CheckpointError(f"{file} holds no state dict of named tensors")
    return state


#: Parameter names from before pytorch-transformers 1.0 and what they are called now.
OLD_NAMES = {"gamma": "weight", "beta": "bias"}


def _modern_name(key: str) -> str:
    head, _, last = key.rpartition(".")
    if head.endswith("LayerNorm") and last in OLD_NAMES:
        return f"{head}.{OLD_NAMES[last]}"
    return key
