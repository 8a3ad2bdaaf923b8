"""``checkpoint.safetensors``: what a run needs to go on after its last completed epoch."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file as save_safetensors

from genoviz.runs import CHECKPOINT, FILE_MODE, RunError, json_clean, json_default


def save_checkpoint(run_dir: Path, tensors: dict[str, torch.Tensor], state: dict[str, Any]) -> None:
    """Atomically write ``checkpoint.safetensors``: tensors (weights, optimizer moments,
    RNG state) plus a JSON ``state`` (epoch counters) in the safetensors metadata."""
    path = Path(run_dir) / CHECKPOINT
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".checkpoint.")
    os.close(fd)
    try:
        # clone: safetensors refuses tensors that share memory (tied weights, views)
        flat = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in tensors.items()}
        text = json.dumps(json_clean(state), default=json_default, allow_nan=False)
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
