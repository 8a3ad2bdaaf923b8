import numpy as np
import pytest

from genoviz.data import Dataset, DatasetMeta, load
from genoviz.data.stats import ground_truth_table, kmer_spectrum, position_composition, split_table


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
