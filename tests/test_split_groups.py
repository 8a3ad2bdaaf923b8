"""Rows that share a split: copies of a sequence, and the touching positive windows of
one bound site (real ChIP-seq windows scored one site in training and in test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genoviz.data.split_groups import site_neighbours, site_note, split_groups
from genoviz.data.splits import make_splits


def where(splits: dict[str, np.ndarray], n: int) -> np.ndarray:
    part = np.full(n, -1)
    for i, k in enumerate(("train", "valid", "test")):
        part[splits[k]] = i
    return part


def test_touching_or_overlapping_positive_windows_are_neighbours():
    ids = [
        "chr1:100-201",  # 0: positive, touches 1
        "chr1:201-302",  # 1: positive
        "chr1:250-351",  # 2: positive, overlaps 1
        "chr1:500-601",  # 3: positive, alone (a gap)
        "chr2:601-702",  # 4: positive, another chromosome
        "chr1:601-702(-)",  # 5: positive, touches 3 (strand suffix read)
        "chr1:702-803",  # 6: negative beside 5: not linked
        "seq7",  # 7: not a window
    ]
    positive = np.array([1, 1, 1, 1, 1, 1, 0, 1], dtype=bool)
    assert sorted(site_neighbours(ids, positive)) == [(0, 1), (1, 2), (3, 5)]
    assert split_groups(8, None, ids, positive).tolist() == [0, 0, 0, 3, 4, 3, 6, 7]
    # a copy joins its group too, and the group's first row leads
    seqs = ["A", "C", "G", "T", "AA", "CC", "GG", "C"]
    assert split_groups(8, seqs, ids, positive).tolist() == [0, 0, 0, 3, 4, 3, 6, 0]


def test_a_tiled_stretch_of_negatives_stays_splittable():
    ids = [f"chr1:{i * 101}-{(i + 1) * 101}" for i in range(1000)]
    labels = np.zeros(1000)
    labels[[10, 11, 12, 500]] = 1
    splits = make_splits(labels, "binary", 0, ids=ids)
    sizes = {k: len(v) for k, v in splits.items()}
    assert abs(sizes["train"] - 800) <= 3 and abs(sizes["test"] - 100) <= 3
    part = where(splits, 1000)
    assert part[10] == part[11] == part[12]


@pytest.mark.parametrize("seed", range(20))
def test_the_windows_of_one_site_never_straddle_a_split(seed: int):
    rng = np.random.default_rng(seed)
    n = 600
    starts = np.sort(rng.choice(np.arange(0, 100_000, 101), n, replace=False))
    ids = [f"chr22:{s}-{s + 101}" for s in starts]
    labels = (rng.random(n) < 0.15).astype(float)
    linked = site_neighbours(ids, labels > 0.5)
    assert linked  # the draw holds touching positive windows
    part = where(make_splits(labels, "binary", seed, ids=ids), n)
    assert all(part[a] == part[b] for a, b in linked)
    # without ids (or for a set whose ids are not windows) the split is the old one
    plain = make_splits(labels, "binary", seed)
    named = make_splits(labels, "binary", seed, ids=[f"s{i}" for i in range(n)])
    assert all(np.array_equal(plain[k], named[k]) for k in plain)


def test_real_jund_sites_stay_in_one_split(shared_data: Path):
    from genoviz.data import load

    path = shared_data / "jund_chr22_valid.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    ds = load(path, seed=0)
    ds.ensure_splits(0)
    linked = site_neighbours(ds.ids, ds.labels > 0.5)
    assert len(linked) >= 5  # 9 touching pairs among the 146 positives
    part = where(ds.splits, len(ds))
    assert all(part[a] == part[b] for a, b in linked)
    note = site_note(ds.ids, ds.labels, ds.task)
    assert note.startswith(f"{len(linked):,} pair(s) of positive windows overlap or touch")
    assert site_note([f"s{i}" for i in range(len(ds))], ds.labels, ds.task) is None
