"""DeepChem ``DiskDataset`` folders: ``metadata.csv.gzip`` plus joblib shards.

Each shard holds X as one-hot ``(n, L, 4)`` in A, C, G, T order, y ``(n, tasks)``,
w ``(n, tasks)`` and ids. The shards are joblib *pickles*: loading one can run code that
whoever wrote the file chose, so the caller must say it trusts the folder.
"""

from __future__ import annotations

import csv
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.data.errors import DataFormatError
from genoviz.data.task_labels import settle_task, task_label_problem

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
        DataFormatError: not trusted, a missing shard, X that is not ``(n, L, 4)``, or a
            position of X that is neither one base nor N (:func:`one_hot_to_sequences`).
    """
    path = Path(path)
    if not trust:
        raise DataFormatError(f"{path}: not loaded. {PICKLE_WARNING} Confirm to load it.")
    try:
        meta = pd.read_csv(path / METADATA, compression="gzip")
    except (OSError, EOFError, ValueError, csv.Error, zlib.error) as e:
        raise DataFormatError(f"{path / METADATA}: cannot read ({e})") from None
    missing = {"X", "y"} - set(meta.columns)
    if missing:
        raise DataFormatError(f"{path / METADATA}: no column(s) {sorted(missing)}")
    xs, ys, ws, ids = [], [], [], []
    sequences: list[str] = []
    for row_no, row in enumerate(meta.itertuples(index=False), start=2):
        where = f"{path / METADATA}, line {row_no}"
        parts = {}
        for col in ("X", "y", "w", "ids"):
            name = getattr(row, col, None)
            if not isinstance(name, str):
                continue
            parts[col] = _read_shard(path, name, where)
        if "X" not in parts or "y" not in parts:
            raise DataFormatError(f"{where}: the row names no X or no y shard")
        x = parts["X"]
        if x.ndim != 3 or x.shape[2] != 4 or not np.issubdtype(x.dtype, np.number):
            raise DataFormatError(
                f"{path}: X has shape {x.shape}; expected one-hot (n, length, 4) in A, C, G, T"
            )
        start = sum(map(len, xs))
        shard_ids = (
            _per_sample(parts["ids"], len(x), "ids", where)[:, 0] if "ids" in parts else None
        )
        sequences += one_hot_to_sequences(x, f"{where}: X shard {row.X}", shard_ids)
        xs.append(x)
        ys.append(_per_sample(parts["y"], len(x), "y", where))
        if "w" in parts:
            ws.append(_per_sample(parts["w"], len(x), "w", where))
        ids.append(shard_ids if shard_ids is not None else np.arange(len(x)) + start)
    if not xs:
        raise DataFormatError(f"{path / METADATA}: lists no shards")
    if len({x.shape[1] for x in xs}) > 1 or len({y.shape[1] for y in ys}) > 1:
        raise DataFormatError(f"{path}: shards differ in sequence length or number of tasks")
    if ws and len(ws) != len(xs):
        raise DataFormatError(f"{path}: some shards have weights (w) and some do not")
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    if not np.isfinite(y.astype(np.float64)).all():
        raise DataFormatError(f"{path}: some labels (y) are missing or infinite")
    w = _sample_weights(np.concatenate(ws), path) if ws else None
    y = y[:, 0] if y.shape[1] == 1 else y
    task = settle_task(task, y)
    all_ids = [str(i) for i in np.concatenate(ids)]
    if problem := task_label_problem(task, y, all_ids):
        raise DataFormatError(f"{path}: {problem}")
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
        ids=all_ids,
    )


def _sample_weights(w: np.ndarray, path: Path) -> np.ndarray | None:
    """One weight per sequence from DeepChem's ``w`` ``(n, tasks)``.

    DeepChem marks a missing label with weight 0 and may balance each task's classes with
    its own weights. One task: its column. Several: refused when a label is missing
    (genoviz trains multi-task sets only with every label known; training on a missing
    label would count it as a negative), the shared column when every task weighs a row
    alike, else none (genoviz balances each task's positives itself).
    """
    w = np.asarray(w, dtype=np.float64)
    if w.shape[1] == 1:
        return w[:, 0]
    missing = (w == 0).sum(axis=0)
    if missing.any():
        counts = ", ".join(f"task {j + 1}: {m:,}" for j, m in enumerate(missing) if m)
        raise DataFormatError(
            f"{path}: {int(missing.sum()):,} labels are marked missing (weight 0; {counts}). "
            "genoviz trains multi-task sets only where every label is known: keep the "
            "tasks or the rows without missing labels (DeepChem: dataset.select or a "
            "new DiskDataset) and load that."
        )
    return w[:, 0] if (w == w[:, :1]).all() else None


def _read_shard(folder: Path, name: str, where: str) -> np.ndarray:
    """One joblib shard as an array; the name must stay inside the dataset folder."""
    shard = (folder / name).resolve()
    if not shard.is_relative_to(folder.resolve()) or shard == folder.resolve():
        raise DataFormatError(f"{where}: shard {name!r} is outside the dataset folder")
    if not shard.is_file():
        raise DataFormatError(f"{where}: shard {name} is missing")
    import joblib  # only here: the one place genoviz reads pickles, and only when trusted

    try:
        return np.asarray(joblib.load(shard))
    except Exception as e:  # unpickling a damaged file can raise almost anything
        raise DataFormatError(
            f"{where}: shard {name} cannot be read ({type(e).__name__}: {e})"
        ) from None


def _per_sample(a: np.ndarray, n: int, what: str, where: str) -> np.ndarray:
    """``a`` as ``(n, k)``; a shard with the wrong number of rows is a DataFormatError."""
    if a.ndim == 0 or len(a) != n or (what != "ids" and not np.issubdtype(a.dtype, np.number)):
        raise DataFormatError(
            f"{where}: the {what} shard has shape {a.shape}; expected {n} numeric rows"
        )
    return a.reshape(n, -1)


def one_hot_to_sequences(
    x: np.ndarray, where: str = "X", ids: np.ndarray | None = None
) -> list[str]:
    """``(n, L, 4)`` one-hot (ACGT) back to strings.

    A position whose four values are equal (all 0, or 0.25 each as many encoders write N)
    becomes ``N``; a base is exactly one 1 and three 0s.

    Raises:
        DataFormatError: a position that is neither, such as ``[0.5, 0.5, 0, 0]`` (an
            ambiguity code), naming ``where``, the sequence (its id from ``ids``), the
            1-based position and the values.
    """
    x = np.asarray(x)
    base = ((x == 1).sum(axis=2) == 1) & ((x == 0).sum(axis=2) == 3)
    unknown = (x == x[:, :, :1]).all(axis=2)
    if bad := np.argwhere(~(base | unknown)).tolist():
        i, p = bad[0]
        name = f" (id {str(ids[i])!r})" if ids is not None else ""
        values = ", ".join(f"{v:g}" for v in x[i, p].astype(np.float64))
        more = f"; {len(bad):,} positions are like it" if len(bad) > 1 else ""
        raise DataFormatError(
            f"{where}: sequence {i + 1}{name}, position {p + 1} holds [{values}] for A, C, G, "
            f"T, which is neither one base (a single 1 and three 0s) nor N (four equal "
            f"values){more}; genoviz reads bases and N only"
        )
    letters = np.frombuffer(b"ACGTN", dtype=np.uint8)
    idx = np.where(base, x.argmax(axis=2), 4)
    flat = letters[idx].tobytes().decode("ascii")
    L = x.shape[1]
    return [flat[i : i + L] for i in range(0, len(flat), L)]
