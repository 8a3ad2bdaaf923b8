import numpy as np
import pandas as pd
import pytest

from genoviz.data import Dataset, DatasetMeta, load
from genoviz.data.stats import ground_truth_table, kmer_spectrum, position_composition, split_table
from genoviz.onehot import one_hot


def test_kmer_spectrum_counts_by_hand():
    df = kmer_spectrum(["AACGN", "AA"], k=2)
    counts = dict(zip(df.kmer, df["count"], strict=True))
    assert counts["AA"] == 2 and counts["AC"] == 1 and counts["CG"] == 1
    assert sum(counts.values()) == 4  # GN skipped
    assert list(df.kmer[:2]) == ["AA", "AC"] and len(df) == 16
    assert df.frequency.sum() == pytest.approx(1.0)


def test_kmer_spectrum_reflects_cpg_depletion_of_the_background():
    ds = load("tf-binding")
    df = kmer_spectrum(ds.sequences[:2000], k=2).set_index("kmer")
    assert df.loc["CG", "frequency"] < 0.3 * df.loc["GC", "frequency"]


def test_position_composition_rows_sum_to_called_fraction():
    comp = position_composition(["ACGT", "ACGN"])
    assert list(comp.columns) == list("ACGT") and list(comp.index) == [1, 2, 3, 4]
    np.testing.assert_allclose(comp.sum(axis=1), [1, 1, 1, 0.5])
    assert comp.loc[1, "A"] == 1.0


def test_split_table_for_binary():
    ds = load("tf-binding")
    t = split_table(ds).set_index("split")
    assert t["sequences"].sum() == len(ds)
    assert t["positives"].sum() == int(ds.labels.sum())
    assert all(1.0 <= p <= 3.0 for p in t["positive %"])


def test_split_table_for_multiclass():
    ds = Dataset(["A", "C", "G", "T"], np.array([0, 1, 2, 1]), "multiclass", DatasetMeta("m"))
    ds.meta.notes["classes"] = ["x", "y", "z"]
    ds.splits = {"train": np.arange(4)}
    assert split_table(ds).iloc[0][["x", "y", "z"]].tolist() == [1, 2, 1]


def test_ground_truth_table_names_motifs_and_sequences():
    ds = load("tf-binding")
    gt = ground_truth_table(ds)
    assert {"id", "motif_id", "motif", "start", "strand", "kind"} <= set(gt.columns)
    assert set(gt.motif) == {"JUND"}
    assert ground_truth_table(load("sirna")).empty


def test_planted_starts_are_1_based_like_every_other_position():
    """Planted starts were 0-based while saliency, ISM and variant positions are 1-based,
    so joining the planted instances with saliency.csv on position was off by one."""
    from genoviz.motifs import fetch_jaspar, log_odds, reverse_complement_pfm

    ds = load("tf-binding")
    raw = ds.meta.ground_truth
    gt = ground_truth_table(ds)
    i = raw["columns"].index("start")
    assert list(gt["start"]) == [row[i] + 1 for row in raw["instances"]]
    # the site's first base is at the 1-based start: its window scores best there
    sites = gt[gt["kind"] == "site"].head(100)
    shifts = {-1: [], 0: [], 1: []}
    rows = zip(sites["index"], sites["motif_id"], sites["start"], sites["strand"], strict=True)
    for index, motif_id, start, strand in rows:
        w = log_odds(fetch_jaspar(motif_id).pfm)
        w = w if strand == "+" else reverse_complement_pfm(w)
        x = one_hot([ds.sequences[index]])[0]
        if not 2 <= start <= x.shape[1] - w.shape[1]:
            continue  # every shifted window must fit
        for d in shifts:
            at = start - 1 + d  # 0-based index of the 1-based start, shifted by d
            shifts[d].append(float((x[:, at : at + w.shape[1]] * w).sum()))
    means = {d: np.mean(v) for d, v in shifts.items()}
    assert max(means, key=means.get) == 0, means


def test_stored_truth_tables_show_starts_1_based_and_boundaries_as_stored():
    from genoviz.data.stats import stored_table, stored_tables

    ds = load("tf-multitask")
    raw = ds.meta.ground_truth
    cols = stored_tables(raw)["composites"]
    table = stored_table(ds, raw["composites"], cols)
    for c in ("ebox_start", "gata_core_start"):
        assert list(table[c]) == [row[cols.index(c)] + 1 for row in raw["composites"]]
    assert list(table["spacing"]) == [row[cols.index("spacing")] for row in raw["composites"]]
    assert list(table["id"][:2]) == [ds.ids[row[0]] for row in raw["composites"][:2]]
    splice = load("splice-sites").meta.ground_truth
    sites = stored_table(load("splice-sites"), splice["sites"], splice["columns"])
    assert list(sites["boundary"]) == [row[2] for row in splice["sites"]]  # bases before it
    ds = load("splice-sites")
    branch = sites["branch_point"]  # the branch A, at its 1-based position; none: empty
    stored = [row[4] for row in splice["sites"]]
    assert branch.isna().tolist() == [b < 0 for b in stored] and branch.notna().any()
    for row, pos in zip(sites["index"], branch, strict=True):
        if not pd.isna(pos):
            assert ds.sequences[row][pos - 1] == "A"
