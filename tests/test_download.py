"""The downloader, against a local mirror: a file:// URL and an HTTP server on loopback."""

import functools
import http.server
import threading

import joblib
import numpy as np
import pandas as pd
import pytest

from genoviz.cli import main
from genoviz.data import load
from genoviz.data.download import DownloadError, download, downloaded_sets, is_downloaded


def write_split(folder, seqs, y, ids):
    folder.mkdir(parents=True)
    x = np.zeros((len(seqs), len(seqs[0]), 4), np.int8)
    for i, s in enumerate(seqs):
        for j, c in enumerate(s):
            x[i, j, "ACGT".index(c)] = 1
    arrays = {
        "X": x,
        "y": np.array(y, float)[:, None],
        "w": np.ones((len(seqs), 1)),
        "ids": np.array(ids),
    }
    for k, a in arrays.items():
        joblib.dump(a, folder / f"shard-0-{k}.joblib")
    pd.DataFrame({k: [f"shard-0-{k}.joblib"] for k in ("ids", "X", "y", "w")}).to_csv(
        folder / "metadata.csv.gzip", index=False, compression="gzip"
    )


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "Chapter06"
    rng = np.random.default_rng(0)
    for split, n in (("train_dataset", 20), ("valid_dataset", 6), ("test_dataset", 6)):
        seqs = ["".join(rng.choice(list("ACGT"), 12)) for _ in range(n)]
        write_split(
            root / split, seqs, [i % 2 for i in range(n)], [f"{split}{i}" for i in range(n)]
        )
    (root / "accessibility.txt").write_text(
        "".join(f"train_dataset{i} {i / 10}\n" for i in range(20))
    )
    return root


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("GENOVIZ_DATA_DIR", str(d))
    return d


def test_download_from_file_url_then_load_with_book_splits(mirror, data_dir):
    seen = []
    download(
        "deepchem-jund", base_url=mirror.as_uri(), progress=lambda d, t, f: seen.append((d, t))
    )
    assert is_downloaded("deepchem-jund") and downloaded_sets() == ["deepchem-jund"]
    assert seen[-1] == (16, 16)
    ds = load("deepchem-jund")
    assert len(ds) == 32 and {k: len(v) for k, v in ds.splits.items()} == {
        "train": 20,
        "valid": 6,
        "test": 6,
    }
    assert ds.meta.extras_names == ["accessibility"]
    assert ds.extras[3, 0] == pytest.approx(0.3)
    assert ds.meta.strand_symmetric and ds.task == "binary"
    assert not list(data_dir.rglob("*.part"))


def test_a_plain_local_folder_works_as_the_url(mirror, data_dir):
    download("deepchem-jund", base_url=str(mirror))  # not file://: was 'unknown url type'
    assert is_downloaded("deepchem-jund") and len(load("deepchem-jund")) == 32


def test_download_over_http_on_loopback(mirror, data_dir):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        assert main(["download", "deepchem-jund", "--url", url]) == 0
    finally:
        server.shutdown()
    assert load("deepchem-jund").task == "binary"


def test_offline_names_the_url_and_the_manual_alternative(data_dir, capsys):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here now
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(DownloadError, match=rf"{url}train_siRNA/metadata.csv.gzip.*by hand"):
        download("deepchem-sirna", base_url=url, timeout=2)
    assert not is_downloaded("deepchem-sirna")
    assert main(["download", "deepchem-sirna", "--url", url]) == 2
    assert "could not download" in capsys.readouterr().err


def test_loading_before_download_says_how(data_dir):
    from genoviz.data import DataFormatError

    with pytest.raises(DataFormatError, match="python -m genoviz download deepchem-sirna"):
        load("deepchem-sirna")
