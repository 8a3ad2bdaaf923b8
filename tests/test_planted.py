"""The dataset card's account of what was planted: real sites and decoys apart."""

import numpy as np

from genoviz.data import Dataset, DatasetMeta, load
from genoviz.data.planted import planted_summary, planted_table


def binding_set() -> Dataset:
    """Windows 0-2 bound (2 sites in 0, 1 in 1, none in 2), 3-5 unbound (two decoys)."""
    truth = {
        "motifs": {"MA0491.3": "JUND"},
        "columns": ["index", "motif_id", "start", "strand", "kind"],
        "instances": [
            [0, "MA0491.3", 3, "+", "site"],
            [0, "MA0491.3", 20, "-", "site"],
            [1, "MA0491.3", 7, "+", "site"],
            [3, "MA0491.3", 5, "+", "weak-decoy"],
            [4, "MA0491.3", 9, "-", "half-site-decoy"],
        ],
        "motifless_positives": [2],
    }
    labels = np.array([1, 1, 1, 0, 0, 0], dtype=np.float32)
    return Dataset(["A" * 30] * 6, labels, "binary", DatasetMeta("t", ground_truth=truth))


def test_planted_table_marks_decoys_and_the_label_of_their_window():
    t = planted_table(binding_set())
    assert list(t["decoy"]) == [False, False, False, True, True]
    assert list(t["label"]) == [1, 1, 1, 0, 0]
    assert set(t["name"]) == {"JUND"}


def test_binding_summary_counts_sites_and_decoys_apart():
    text = planted_summary(binding_set())
    assert "Bound windows (label 1): 3 real JUND sites in 2 of the 3" in text
    assert "the other 1 hold none (indirect binding)" in text
    assert "Unbound windows (label 0): 2 JUND decoys (1 weak, 1 half-site) in 2 of the 3" in text
    assert "5 " not in text  # never the sum of both
    assert "MA0491.3 (JUND)" in text


def test_tf_binding_card_gives_sites_and_decoys_separately():
    ds = load("tf-binding")
    kinds = [row[-1] for row in ds.meta.ground_truth["instances"]]
    sites = kinds.count("site")
    decoys = len(kinds) - sites
    assert sites < 0.1 * decoys  # most planted instances are decoys in unbound windows
    text = planted_summary(ds)
    assert f"{sites:,} real JUND sites in " in text
    assert f"Unbound windows (label 0): {decoys:,} JUND decoys" in text
    assert f"{len(kinds):,}" not in text


def test_multitask_summary_splits_sites_and_decoys_per_factor():
    truth = {
        "columns": ["index", "task", "motif_id", "start", "strand", "kind"],
        "instances": [
            [0, "A", "m1", 1, "+", "site"],
            [0, "B", "m2", 9, "+", "composite"],
            [1, "A", "m1", 2, "+", "decoy"],
            [1, "B", "m2", 2, "-", "misspaced-ebox-decoy"],
        ],
    }
    labels = np.array([[1, 1], [0, 0]], dtype=np.float32)
    meta = DatasetMeta("m", ground_truth=truth, notes={"tasks": ["A", "B"]})
    text = planted_summary(Dataset(["A" * 20] * 2, labels, "multitask-binary", meta))
    assert "Real sites in bound windows (label 1 for that factor): A 1 in 1 of 1 windows;" in text
    assert "B 1 (composite) in 1 of 1 windows." in text
    assert "Decoys in unbound windows (label 0 for that factor): A 1 in 1 windows;" in text
    assert "B 1 (misspaced-ebox) in 1 windows." in text


def test_multiclass_summary_lists_sites_and_decoys_per_class():
    truth = {
        "columns": ["index", "site", "boundary", "role", "branch_point"],
        "sites": [[1, "donor", 10, "centre", -1], [0, "acceptor", 4, "flank", 2]],
        "decoy_columns": ["index", "dinucleotide", "start", "kind"],
        "decoys": [[0, "GT", 10, "pseudo"], [2, "AG", 8, "bare"]],
    }
    meta = DatasetMeta("s", ground_truth=truth, notes={"classes": ["neither", "donor"]})
    ds = Dataset(["A" * 20] * 3, np.array([0, 1, 0]), "multiclass", meta)
    text = planted_summary(ds)
    assert "Neither windows (class 0, 2): 1 real acceptor sites (flank), 2 GT and AG decoys" in text
    assert "Donor windows (class 1, 1): 1 real donor sites (centre)." in text


def test_elements_without_kinds_are_counted_by_element_and_unlisted_sets_give_none():
    truth = {
        "columns": ["index", "element", "motif_id", "start", "strand"],
        "instances": [[0, "TATA", "MA0108.3", 5, "+"], [0, "Inr", "IUPAC:Y", 9, "+"]],
    }
    ds = Dataset(["A" * 20] * 2, np.array([1, 0]), "binary", DatasetMeta("p", ground_truth=truth))
    text = planted_summary(ds)
    assert "Positive windows (label 1): 2 planted elements (TATA 1, Inr 1) in 1 of the 1." in text
    assert "Negative windows (label 0): nothing planted is listed." in text
    assert planted_summary(Dataset(["A"], np.array([0.5]), "regression", DatasetMeta("r"))) is None


def test_tf_binding_ground_truth_lists_only_sites_still_in_their_window():
    """A window's second site could be planted over its first, which stayed listed."""
    from genoviz.data.tf_binding import build_tf_binding, intact
    from genoviz.motifs import fetch_jaspar, reverse_complement_pfm

    assert intact([[0, "m", 0, "+", "site"], [0, "m", 5, "-", "site"], [1, "m", 0, "+", "site"]],
                  {"m": 6}) == [[0, "m", 5, "-", "site"], [1, "m", 0, "+", "site"]]  # fmt: skip
    assert len(intact([[0, "m", 0, "+", "site"], [0, "m", 6, "+", "site"]], {"m": 6})) == 2
    ds = build_tf_binding(seed=0)
    rows = ds.meta.ground_truth["instances"]
    pfms = {m: fetch_jaspar(m).pfm for m in ds.meta.ground_truth["motifs"]}
    spans: dict[int, list[tuple[int, int]]] = {}
    weak = []
    for i, motif, start, strand, kind in rows:
        w = pfms[motif].shape[1]
        assert all(s >= start + w or e <= start for s, e in spans.get(i, [])), (i, start)
        spans.setdefault(i, []).append((start, start + w))
        if kind == "site":  # a site scores above background for its own matrix
            pfm = pfms[motif] if strand == "+" else reverse_complement_pfm(pfms[motif])
            p = (pfm + 0.01) / (pfm + 0.01).sum(axis=0)
            site = ds.sequences[i][start : start + w]
            score = sum(np.log2(p["ACGT".index(b), j] / 0.25) for j, b in enumerate(site))
            weak.append(score <= 0)
    # 315 sites at seed 0 (323 listed before, 8 of them overwritten); one drawn from its
    # matrix happens to score below 0 bits (6 did before: 5 of them overwritten)
    assert len(weak) == 315 and sum(weak) == 1
