"""DeepChem ``DiskDataset`` folders: ``metadata.csv.gzip`` plus joblib shards.

Each shard holds X as one-hot ``(n, L, 4)`` in A, C, G, T order, y ``(n, tasks)``,
w ``(n, tasks)`` and ids. The shards are joblib *pickles*: loading one can run code that
whoever wrote the file chose, so the caller must say it trusts the folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from genoviz.data.dataset import Dataset, DatasetMeta, infer_task
from genoviz.data.importers import DataFormatError

METADATA = "metadata.csv.gzip"
PICKLE_WARNING = (
    "DeepChem DiskDataset shards are Python pickles (joblib). Loading one runs whatever "
    "code its author put in it, so only load folders you made or got from a source you "
    "trust."
)


def is_disk_dataset(path: str | Path) -> bool:
    return Path(path).is_dir() and (Path(path) / METADATA).exists()


def load_disk_dataset(path: str | Path, trust: bool = False, task: str | None = None) -> Dataset:
    """Load a DiskDataset folder; ``trust=True`` is required because shards are pickles.

    Raises:
        DataFormatError: not trusted, a missing shard, or X that is not ``(n, L, 4)``.
    """
    path = Path(path)
    if not trust:
        raise DataFormatError(f"{path}: not loaded. {PICKLE_WARNING} Confirm to load it.")
    import joblib  # only here: the one place genoviz reads pickles, and only when trusted

    try:
        meta = pd.read_csv(path / METADATA, compression="gzip")
    except (OSError, ValueError) as e:
        raise DataFormatError(f"{path / METADATA}: cannot read ({e})") from None
    missing = {"X", "y"} - set(meta.columns)
    if missing:
        raise DataFormatError(f"{path / METADATA}: no column(s) {sorted(missing)}")
    xs, ys, ws, ids = [], [], [], []
    for row_no, row in enumerate(meta.itertuples(index=False), start=2):
        parts = {}
        for col in ("X", "y", "w", "ids"):
            name = getattr(row, col, None)
            if not isinstance(name, str):
                continue
            shard = path / name
            if not shard.exists():
                raise DataFormatError(f"{path / METADATA}, line {row_no}: shard {name} is missing")
            parts[col] = np.asarray(joblib.load(shard))
        x = parts["X"]
        if x.ndim != 3 or x.shape[2] != 4:
            raise DataFormatError(
                f"{path}: X has shape {x.shape}; expected one-hot (n, length, 4) in A, C, G, T"
            )
        xs.append(x)
        ys.append(parts["y"].reshape(len(x), -1))
        if "w" in parts:
            ws.append(parts["w"].reshape(len(x), -1))
        ids.append(parts["ids"] if "ids" in parts else np.arange(len(x)) + sum(map(len, xs[:-1])))
    x = np.concatenate(xs)
    sequences = one_hot_to_sequences(x)
    y = np.concatenate(ys)
    y = y[:, 0] if y.shape[1] == 1 else y
    w = np.concatenate(ws)[:, 0] if ws else None
    task = task or infer_task(y)
    card = DatasetMeta(
        name=path.name,
        description=f"DeepChem DiskDataset {path.name}: {len(x)} sequences of {x.shape[1]}, "
        f"task {task}.",
        source=f"DeepChem DiskDataset folder {path}",
    )
    return Dataset(
        sequences,
        y.astype(np.float32),
        task,
        card,
        weights=w,
        ids=[str(i) for i in np.concatenate(ids)],
    )


def one_hot_to_sequences(x: np.ndarray) -> list[str]:
    """``(n, L, 4)`` one-hot (ACGT) back to strings; all-zero rows become ``N``."""
    x = np.asarray(x)
    letters = np.frombuffer(b"ACGTN", dtype=np.uint8)
    idx = np.where(x.any(axis=2), x.argmax(axis=2), 4)
    flat = letters[idx].tobytes().decode("ascii")
    L = x.shape[1]
    return [flat[i : i + L] for i in range(0, len(flat), L)]
