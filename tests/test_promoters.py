import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from genoviz.data import load
from genoviz.data.promoters import (
    CORE_LENGTH,
    CORE_TSS,
    INR_IUPAC,
    KEEP_SEGMENTS,
    N_SEGMENTS,
    TSS,
    build_core_promoters,
    build_promoters,
    iupac_pfm,
    segment_shuffle,
    segment_substitute,
)
from genoviz.motifs import fetch_jaspar, log_odds, reverse_complement_pfm
from genoviz.onehot import one_hot
from genoviz.sequences import gc_content


@pytest.fixture(scope="module")
def ds():
    return build_promoters(seed=0, n=4000)


def _kinds(ds) -> np.ndarray:
    return np.array(ds.meta.ground_truth["kind"])


def test_same_seed_same_set_other_seed_different():
    a, b, c = (
        build_promoters(seed=3, n=400),
        build_promoters(seed=3, n=400),
        build_promoters(4, 400),
    )
    assert a.sequences == b.sequences and a.meta == b.meta
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.sequences != c.sequences


def test_shapes_balance_and_card(ds):
    assert ds.task == "binary" and ds.fixed_length == 300 and len(ds) == 4000
    assert set(np.unique(ds.labels)) == {0.0, 1.0} and ds.labels.mean() == pytest.approx(0.5)
    m = ds.meta
    assert m.simulated and not m.strand_symmetric and "SP1" in m.description
    assert "DNABERT" in m.source and "Ji et al." in m.citation
    assert "IUPAC" in m.source  # the Inr is not from JASPAR, and the card says so
    json.dumps(m.to_dict())  # the card is cached as JSON
    kinds = _kinds(ds)
    assert (np.isin(kinds, ["tata", "tata-less"]) == (ds.labels == 1)).all()
    assert 0.2 < (kinds == "tata").sum() / 2000 < 0.3  # about a quarter of promoters
    assert 0.55 < (kinds == "shuffled").sum() / 2000 < 0.65


def test_tata_flag_per_sequence(ds):
    tata = np.array(ds.meta.ground_truth["tata"])
    assert tata.shape == (len(ds),) and set(np.unique(tata)) == {0, 1}
    np.testing.assert_array_equal(tata == 1, _kinds(ds) == "tata")
    tata_rows = {row[0] for row in ds.meta.ground_truth["instances"] if row[1] == "TATA"}
    assert tata_rows == set(np.flatnonzero(tata))  # every TATA promoter has its box


def test_planted_elements_sit_where_ground_truth_says(ds):
    gt = ds.meta.ground_truth
    pfms = {"TATA": fetch_jaspar("MA0108").pfm, "CCAAT": fetch_jaspar("MA0060").pfm}
    pfms |= {"GC-box": fetch_jaspar("MA0079").pfm, "Inr": iupac_pfm(INR_IUPAC)}
    x = one_hot(ds.sequences)
    rng = np.random.default_rng(0)
    for element, pfm in pfms.items():
        rows = [r for r in gt["instances"] if r[1] == element]
        assert rows, element
        w = pfm.shape[1]
        planted, random = [], []
        for i, _, _, start, strand in rows[:300]:
            mat = log_odds(pfm if strand == "+" else reverse_complement_pfm(pfm))
            planted.append((x[i, :, start : start + w] * mat).sum())
            j = int(rng.integers(0, 300 - w))
            random.append((x[i, :, j : j + w] * mat).sum())
        assert np.mean(planted) > np.mean(random) + 4, element  # bits
    starts = {r[1]: set() for r in gt["instances"]}
    for r in gt["instances"]:
        starts[r[1]].add(r[3] - TSS)
    assert starts["Inr"] == {-2} and starts["TATA"] <= set(range(-33, -28))
    assert min(starts["CCAAT"]) >= -100 and max(starts["GC-box"]) <= -43


def test_tata_boxes_near_minus_30(ds):
    kinds = _kinds(ds)
    window = np.array(["TATA" in s[TSS - 40 : TSS - 17] for s in ds.sequences])
    tata_rate = window[kinds == "tata"].mean()
    neg_rate = window[ds.labels == 0].mean()
    assert tata_rate > 0.5 and tata_rate > 3 * neg_rate
    assert window[kinds == "tata-less"].mean() < neg_rate  # GC-rich CpG islands


def test_cpg_islands_are_gc_rich_and_not_cpg_depleted(ds):
    cgi = np.array(ds.meta.ground_truth["cpg_island"], dtype=bool)

    def obs_exp(s: str) -> float:
        return s.count("CG") * len(s) / max(1, s.count("C") * s.count("G"))

    kinds = _kinds(ds)
    island = [ds.sequences[i] for i in np.flatnonzero(cgi & (ds.labels == 1))]
    genomic = [ds.sequences[i] for i in np.flatnonzero(kinds == "genomic")]
    assert np.mean([gc_content(s) for s in island]) > 0.58
    assert (
        np.mean([obs_exp(s) for s in island]) > 0.6 > 0.4 > np.mean([obs_exp(s) for s in genomic])
    )
    assert not cgi[kinds == "tata"].any()


def test_hard_negatives_match_positive_gc_and_easy_ones_need_not(ds):
    gc = np.array([gc_content(s) for s in ds.sequences])
    kinds = _kinds(ds)
    pos = gc[ds.labels == 1].mean()
    assert abs(gc[kinds == "shuffled"].mean() - pos) < 0.02
    assert gc[kinds == "genomic"].mean() < pos - 0.05


def test_shuffle_orders_keep_segments_in_place(ds):
    shuffle = ds.meta.ground_truth["shuffle"]
    assert shuffle["segments"] == N_SEGMENTS and shuffle["kept"] == KEEP_SEGMENTS
    rows = [r for r, _ in shuffle["orders"]]
    assert set(rows) == set(np.flatnonzero(_kinds(ds) == "shuffled"))
    for _, order in shuffle["orders"]:
        assert sorted(order) == list(range(N_SEGMENTS))
        assert sum(o == j for j, o in enumerate(order)) >= KEEP_SEGMENTS


def test_segment_shuffle_moves_whole_segments_and_keeps_composition():
    rng = np.random.default_rng(0)
    codes = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, size=(6, 300))]
    out, order = segment_shuffle(codes, rng)
    seg = 300 // N_SEGMENTS
    for row in range(6):
        blocks = codes[row].reshape(N_SEGMENTS, seg)
        np.testing.assert_array_equal(out[row].reshape(N_SEGMENTS, seg), blocks[order[row]])
        assert sorted(out[row].tobytes()) == sorted(codes[row].tobytes())
        assert (order[row] == np.arange(N_SEGMENTS)).sum() >= KEEP_SEGMENTS


def test_gc_alone_is_weak_and_a_positional_model_beats_it(ds):
    gc = np.array([gc_content(s) for s in ds.sequences])
    assert roc_auc_score(ds.labels, gc) < 0.75  # hard negatives defeat composition
    x = one_hot(ds.sequences).reshape(len(ds), -1)
    train = np.arange(len(ds)) < 3000
    model = LogisticRegression(C=0.01, max_iter=300).fit(x[train], ds.labels[train])
    auc = roc_auc_score(ds.labels[~train], model.predict_proba(x[~train])[:, 1])
    assert auc > roc_auc_score(ds.labels[~train], gc[~train]) + 0.08


def test_registered_and_loads_from_cache():
    a = load("promoters")
    assert a.task == "binary" and a.meta.notes["spec"] == "promoters"
    assert {"train", "valid", "test"} <= set(a.splits)
    assert load("promoters").meta.ground_truth["tata"] == a.meta.ground_truth["tata"]


def test_core_promoter_proxy_has_dnabert_geometry_and_shuffled_twins():
    ds = build_core_promoters(seed=0)
    assert len(ds) == 1000 and ds.fixed_length == CORE_LENGTH == 101
    assert ds.labels.mean() == 0.5 and not ds.meta.strand_symmetric
    gt = ds.meta.ground_truth
    tata = [r for r in gt["instances"] if r[1] == "TATA"]
    assert tata and all(CORE_TSS - 33 <= r[3] <= CORE_TSS - 29 for r in tata)
    for neg, pos in list(gt["made_from"].items())[:50]:  # same bases, other order
        assert ds.labels[neg] == 0 and ds.labels[pos] == 1
        assert sorted(ds.sequences[neg]) == sorted(ds.sequences[pos])
        assert ds.sequences[neg] != ds.sequences[pos]


def test_core_promoter_proxy_with_genomic_negatives():
    shuffled = build_core_promoters(seed=0, n=200)
    genomic = build_core_promoters(seed=0, n=200, negatives="genomic")
    assert len(genomic) == 200 and genomic.labels.mean() == 0.5
    pos = genomic.labels == 1
    seqs = np.array(genomic.sequences)
    same = np.array(shuffled.sequences)[shuffled.labels == 1]
    assert sorted(seqs[pos]) == sorted(same)  # the same positives; only the negatives differ
    gt = genomic.meta.ground_truth
    assert gt["made_from"] == {} and set(np.array(gt["kind"])[~pos]) == {"genomic"}
    assert not np.array(gt["cpg_island"])[~pos].any()
    # background negatives do not share their composition with any positive
    neg_comps = {"".join(sorted(s)) for s in seqs[~pos]}
    assert not neg_comps & {"".join(sorted(s)) for s in seqs[pos]}
    with pytest.raises(ValueError, match="negatives must be"):
        build_core_promoters(n=10, negatives="random")


def test_segment_substitute_keeps_eight_segments_and_randomises_the_rest():
    rng = np.random.default_rng(0)
    codes = np.full((400, 101), ord("G"), dtype=np.uint8)  # all G: random bases stand out
    out, order = segment_substitute(codes, rng)
    seg = 101 // N_SEGMENTS
    assert ((order == -1).sum(axis=1) == N_SEGMENTS - KEEP_SEGMENTS).all()
    kept = np.repeat(order != -1, seg, axis=1)
    assert (out[:, : seg * N_SEGMENTS][kept] == ord("G")).all() and (out[:, -1] == ord("G")).all()
    random_part = out[:, : seg * N_SEGMENTS][~kept]
    freq = np.bincount(random_part, minlength=256)[list(b"ACGT")] / random_part.size
    np.testing.assert_allclose(freq, 0.25, atol=0.01)  # uniform bases, GC pulled to 0.5


def test_core_promoter_proxy_with_substituted_negatives():
    ds = build_core_promoters(seed=0, n=400, negatives="substituted")
    gt = ds.meta.ground_truth
    pos = ds.labels == 1
    assert set(np.array(gt["kind"])[~pos]) == {"substituted"} and len(gt["made_from"]) == 200
    for neg, src in gt["made_from"].items():
        order = np.array(gt["segment_orders"][neg])
        assert ds.labels[src] == 1 and (order == -1).sum() == N_SEGMENTS - KEEP_SEGMENTS
        for j in np.flatnonzero(order != -1):  # kept segments sit where they were
            assert ds.sequences[neg][5 * j : 5 * j + 5] == ds.sequences[src][5 * j : 5 * j + 5]
    # promoters here are GC-rich, so random segments pull the negatives' GC towards 0.5
    gc = np.array([gc_content(s) for s in ds.sequences])
    assert gc[~pos].mean() < gc[pos].mean() - 0.02
