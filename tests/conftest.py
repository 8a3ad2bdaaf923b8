"""Shared fixtures: isolated cache and runs folders, the real-data folder, tiny datasets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory):
    """Datasets cache and runs go to temp folders, never into the repo or ~/.cache."""
    old = {k: os.environ.get(k) for k in ("GENOVIZ_CACHE_DIR", "GENOVIZ_RUNS_DIR")}
    os.environ["GENOVIZ_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["GENOVIZ_RUNS_DIR"] = str(tmp_path_factory.mktemp("runs"))
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; tests using it skip cleanly when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture
def runs_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty runs folder that the app (``GENOVIZ_RUNS_DIR``) reads, with the repo on
    ``sys.path`` for AppTest pages."""
    runs = tmp_path / "runs"
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(runs))
    monkeypatch.syspath_prepend(str(REPO))
    return runs


TF_BINDING = {"name": "tf-binding", "spec": "tf-binding", "task": "binary"}


def save_untrained_run(run: Path, name: str, build: dict, dataset: dict | None = None) -> Path:
    """An untrained ``name`` model (seeded weights) saved as a finished run in ``run``;
    ``dataset`` is its dataset record (default: tf-binding)."""
    import torch

    import models
    from genoviz.runs import save_weights

    run.mkdir(parents=True)
    torch.manual_seed(0)
    save_weights(run, models.get(name, **build))
    info = {
        "status": "done",
        "model": {"name": name, "build": build},
        "dataset": TF_BINDING if dataset is None else dataset,
        "seed": 0,
    }
    (run / "run.json").write_text(json.dumps(info))
    return run


def planted_dataset(n: int = 600, length: int = 40, seed: int = 0, motif: str = "TGACTCA"):
    """A tiny binary set whose label is exactly 'contains the motif': learnable to ~1.0."""
    from genoviz.data import Dataset, DatasetMeta

    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for i in range(n):
        s = list(rng.choice(list("ACGT"), size=length))
        y = i % 2
        if y:
            p = int(rng.integers(0, length - len(motif)))
            s[p : p + len(motif)] = motif
        seqs.append("".join(s))
        labels.append(y)
    meta = DatasetMeta(name="toy", strand_symmetric=False)
    return Dataset(seqs, np.array(labels), "binary", meta)


def distinct(n: int) -> list[str]:
    """``n`` different sequences of 8 bp."""
    return ["".join("ACGT"[(i >> (2 * j)) & 3] for j in range(8)) for i in range(n)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``gpu``-marked tests skip without a CUDA GPU (e.g. under CUDA_VISIBLE_DEVICES="")."""
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu_items:
        return
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (none visible)")
    for item in gpu_items:
        item.add_marker(skip)


def genbank_text(records):
    """GenBank as Biopython writes it, for (id, bases, definition) triples."""
    import io

    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqRecord import SeqRecord

    out = io.StringIO()
    recs = [
        SeqRecord(
            Seq(bases),
            id=rid,
            name=rid.split(".")[0],
            description=d,
            annotations={"molecule_type": "DNA"},
        )
        for rid, bases, d in records
    ]
    SeqIO.write(recs, out, "genbank")
    return out.getvalue()


def killed_before_checkpoint(monkeypatch, out, epoch: int, *fit_args, **fit_kwargs) -> None:
    """``fit(*fit_args, run_dir=out)`` killed (Ctrl-C) after epoch ``epoch``'s metrics line
    but before its checkpoint."""
    from genoviz import training

    real = training.save_state

    def killed(*args, **kwargs):
        if args[-1]["epoch"] == epoch:
            raise KeyboardInterrupt
        real(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(training, "save_state", killed)
        with pytest.raises(KeyboardInterrupt):
            training.fit(*fit_args, run_dir=out, **fit_kwargs)


def write(tmp_path: Path, name: str, text: str, gz: bool = False) -> Path:
    """``text`` written as the file ``name`` under ``tmp_path`` (gzipped with ``gz``)."""
    import gzip

    data = text.encode()
    (path := tmp_path / name).write_bytes(gzip.compress(data) if gz else data)
    return path


def deep_link(path: str, timeout: float = 60, **params: str):
    """A page file on its own, as a shared link opens it, with query parameters."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / path), default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def reopened(page: str, params: dict[str, str], timeout: float = 60):
    """An address a session had (``params``) opened in a new session, as a reload or a
    pasted address does: the app through its real navigation, on ``page``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    at.query_params.update(params)
    return at.run().switch_page(page).run()
