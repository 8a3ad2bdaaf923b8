"""Download the DeepChem book's real chapter-6 datasets into the local cache.

``python -m genoviz download deepchem-jund | deepchem-sirna`` fetches the book's public
DiskDataset folders (and, for JUND, the accessibility table) into
``$GENOVIZ_DATA_DIR`` (default ``~/.cache/genoviz``). The sets then load by name.
Downloads go to a ``.part`` file first and are renamed when complete.
"""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genoviz.data.dataset import Dataset
from genoviz.data.deepchem import load_disk_dataset
from genoviz.data.errors import DataFormatError
from genoviz.data.task_labels import class_weights

BOOK_URL = "https://github.com/deepchem/DeepLearningLifeSciences/raw/master/Chapter06/"
_SHARD = (
    "metadata.csv.gzip",
    "shard-0-X.joblib",
    "shard-0-y.joblib",
    "shard-0-w.joblib",
    "shard-0-ids.joblib",
)


@dataclass(frozen=True)
class RemoteSet:
    name: str
    folders: dict[str, str]  # split -> folder name in the book's repository
    extra_files: tuple[str, ...]
    description: str
    citation: str


REMOTE: dict[str, RemoteSet] = {
    "deepchem-jund": RemoteSet(
        "deepchem-jund",
        {"train": "train_dataset", "valid": "valid_dataset", "test": "test_dataset"},
        ("accessibility.txt",),
        "Real JUND ChIP-seq (HepG2) in 101 bp windows with a chromatin accessibility value, "
        "the DeepChem book's chapter-6 data, with its own train/valid/test split.",
        "Ramsundar et al. (2019) Deep Learning for the Life Sciences, O'Reilly, ch. 6.",
    ),
    "deepchem-sirna": RemoteSet(
        "deepchem-sirna",
        {"train": "train_siRNA", "valid": "valid_siRNA"},
        (),
        "Real siRNA knock-down efficacies (Huesken et al. 2005) as split in the DeepChem "
        "book's chapter 6.",
        "Huesken et al. (2005) Nat Biotechnol 23:995; Ramsundar et al. (2019) ch. 6.",
    ),
}


class DownloadError(OSError):
    """A download that failed; the message names the URL and the manual alternative."""


def data_dir() -> Path:
    """``$GENOVIZ_DATA_DIR`` or ``~/.cache/genoviz``."""
    return Path(os.environ.get("GENOVIZ_DATA_DIR") or Path.home() / ".cache" / "genoviz")


def set_dir(name: str) -> Path:
    return data_dir() / "downloads" / name


def is_downloaded(name: str) -> bool:
    return (set_dir(name) / ".complete").exists()


def downloaded_sets() -> list[str]:
    """Names of the remote sets already in the cache."""
    return [n for n in REMOTE if is_downloaded(n)]


def _files(remote: RemoteSet) -> list[str]:
    return [f"{d}/{f}" for d in remote.folders.values() for f in _SHARD] + list(remote.extra_files)


def download(
    name: str,
    base_url: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    timeout: float = 30.0,
) -> Path:
    """Fetch every file of a remote set; skip files already complete.

    Args:
        base_url: where the book's ``Chapter06/`` files live (a mirror, or ``file://``).
        progress: called as ``progress(done_files, total_files, current_file)``.

    Raises:
        DownloadError: offline or a missing file, naming the URL and what to do instead.
    """
    if name not in REMOTE:
        raise DownloadError(f"no downloadable set {name!r}; choose one of {', '.join(REMOTE)}")
    remote = REMOTE[name]
    base = base_url or os.environ.get("GENOVIZ_DOWNLOAD_URL") or BOOK_URL
    if "://" not in base and Path(base).is_dir():  # a plain local folder: as a file:// URL
        base = Path(base).resolve().as_uri()
    base = base.rstrip("/") + "/"
    root = set_dir(name)
    files = _files(remote)
    for i, rel in enumerate(files):
        if progress is not None:
            progress(i, len(files), rel)
        target = root / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        url = base + rel
        part = target.with_name(target.name + ".part")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, open(part, "wb") as fh:
                shutil.copyfileobj(resp, fh, length=1 << 20)
        except (urllib.error.URLError, OSError, ValueError) as e:
            part.unlink(missing_ok=True)
            reason = getattr(e, "reason", e)
            raise DownloadError(
                f"could not download {url} ({reason}). Without a network connection, fetch "
                f"the folder Chapter06/ of github.com/deepchem/DeepLearningLifeSciences by "
                f"hand and copy {', '.join(sorted({r.split('/')[0] for r in files}))} into "
                f"{root}"
            ) from None
        os.replace(part, target)
    if progress is not None:
        progress(len(files), len(files), "")
    (root / ".complete").write_text("ok\n")
    return root


def load_downloaded(name: str) -> Dataset:
    """Load a downloaded set with the book's splits (and accessibility for JUND)."""
    if not is_downloaded(name):
        raise DataFormatError(
            f"{name} is not downloaded yet; run: python -m genoviz download {name}"
        )
    remote = REMOTE[name]
    root = set_dir(name)
    # We fetched these folders ourselves from the book's public repository.
    parts = {s: load_disk_dataset(root / d, trust=True) for s, d in remote.folders.items()}
    seqs, labels, ids, weights, splits, start = [], [], [], [], {}, 0
    for split, ds in parts.items():
        seqs += ds.sequences
        labels.append(ds.labels)
        ids += ds.ids
        weights.append(ds.weights if ds.weights is not None else np.ones(len(ds), np.float32))
        splits[split] = np.arange(start, start + len(ds))
        start += len(ds)
    y = np.concatenate(labels)
    first = next(iter(parts.values()))
    meta = first.meta
    meta.name, meta.description, meta.citation = name, remote.description, remote.citation
    meta.source = f"downloaded from {BOOK_URL}"
    extras = None
    acc_path = root / "accessibility.txt"
    if acc_path.exists():
        table = {}
        for line in acc_path.read_text().splitlines():
            f = line.split()
            if len(f) >= 2:
                table[f[0]] = float(f[1])
        extras = np.array([[table.get(i, np.nan)] for i in ids], dtype=np.float32)
        extras = np.nan_to_num(extras, nan=float(np.nanmean(extras)))
        meta.extras_names = ["accessibility"]
    meta.strand_symmetric = name == "deepchem-jund"
    if first.task == "binary" and all(p.weights is None for p in parts.values()):
        weights = [class_weights(y)]
    ds = Dataset(
        seqs,
        y,
        first.task,
        meta,
        weights=np.concatenate(weights),
        extras=extras,
        ids=ids,
        splits=splits,
    )
    if "test" not in ds.splits:
        ds.splits["test"] = np.zeros(0, dtype=np.int64)
    return ds
