"""What the training commands print: a line per epoch, then the final metrics as one JSON line."""

from __future__ import annotations

import json
import math
from pathlib import Path


def epoch_printer(quiet: bool, prefix: str = ""):
    def show(rec: dict) -> None:
        if not quiet:
            keys = [k for k in rec if k.startswith("valid_") and k != "valid_mse"]
            # numbers only: a multi-class record also holds its confusion matrix
            vals = " ".join(f"{k}={rec[k]:.4f}" for k in keys if isinstance(rec[k], float))
            print(
                f"{prefix}epoch {rec['epoch']:3d}  train_loss={rec['train_loss']:.4f}  {vals}"
                f"{'  *' if rec['best'] else ''}",
                flush=True,
            )

    return show


def print_final(result, out: Path, model_name: str, dataset) -> None:
    final = {
        "run": str(out),
        "model": model_name,
        "dataset": dataset.name,
        "task": dataset.task,
        "status": result.status,
        "best_epoch": result.best_epoch,
        "valid": result.valid_metrics,
        "test": result.test_metrics,
    }
    print(json.dumps(finite(final)))


def finite(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: finite(v) for k, v in o.items()}
    return o
