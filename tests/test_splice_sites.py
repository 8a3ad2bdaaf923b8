import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from genoviz.data import load
from genoviz.data.splice_sites import (
    BOUNDARY,
    BRANCH_DISTANCE,
    CLASSES,
    DONOR_PFM,
    build_splice_sites,
)
from genoviz.motifs import log_odds
from genoviz.onehot import one_hot
from genoviz.sequences import gc_content


@pytest.fixture(scope="module")
def ds():
    return build_splice_sites(seed=0, n=3000)


def _rows(ds, k: int) -> list[str]:
    return [ds.sequences[i] for i in np.flatnonzero(ds.labels == k)]


def test_same_seed_same_set_other_seed_different():
    a, b = build_splice_sites(seed=5, n=300), build_splice_sites(seed=5, n=300)
    assert a.sequences == b.sequences and a.meta == b.meta
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.sequences != build_splice_sites(seed=6, n=300).sequences


def test_shapes_classes_and_card(ds):
    assert ds.task == "multiclass" and ds.fixed_length == 400
    assert ds.labels.dtype == np.float32 and ds.labels.shape == (3000,)
    assert np.bincount(ds.labels.astype(int)).tolist() == [1000, 1000, 1000]
    assert ds.meta.notes["classes"] == CLASSES == ["neither", "donor", "acceptor"]
    assert not ds.meta.strand_symmetric and ds.meta.simulated
    assert "Zhang" in ds.meta.citation and "DNABERT" in ds.meta.source
    json.dumps(ds.meta.to_dict())


def test_donors_have_gt_and_follow_the_published_matrix(ds):
    donors = _rows(ds, 1)
    assert np.mean([s[BOUNDARY : BOUNDARY + 2] == "GT" for s in donors]) > 0.99
    x = one_hot(donors)[:, :, BOUNDARY - 3 : BOUNDARY + 6].mean(axis=0)
    np.testing.assert_allclose(x, DONOR_PFM / DONOR_PFM.sum(axis=0), atol=0.05)


def test_acceptors_have_branch_point_tract_and_ag(ds):
    acceptors = _rows(ds, 2)
    assert all(s[BOUNDARY - 2 : BOUNDARY] == "AG" for s in acceptors)

    def pyrimidines(s: str) -> float:
        return sum(c in "CT" for c in s[BOUNDARY - 15 : BOUNDARY - 3]) / 12

    assert np.mean([pyrimidines(s) for s in acceptors]) > 0.75
    assert np.mean([pyrimidines(s) for s in _rows(ds, 0)]) < 0.6
    sites = [r for r in ds.meta.ground_truth["sites"] if r[1] == "acceptor"]
    for i, _, bound, _, branch in sites:
        s = ds.sequences[i]
        assert s[branch] == "A" and s[bound - 2 : bound] == "AG"
        assert BRANCH_DISTANCE[0] <= bound - 1 - branch <= BRANCH_DISTANCE[1]
        assert "AG" not in s[branch + 1 : bound - 2]  # the AG exclusion zone


def test_ground_truth_sites_and_decoys_are_in_the_sequences(ds):
    gt = ds.meta.ground_truth
    for i, site, bound, role, _ in gt["sites"]:
        s = ds.sequences[i]
        dinucleotide = s[bound : bound + 2] if site == "donor" else s[bound - 2 : bound]
        assert dinucleotide == ("GT" if site == "donor" else "AG")
        if role == "centre":
            assert bound == BOUNDARY and CLASSES[int(ds.labels[i])] == site
        else:
            assert abs(bound - BOUNDARY) >= 30
    negatives = set(np.flatnonzero(ds.labels == 0))
    assert {d[0] for d in gt["decoys"]} == negatives
    for i, dinuc, start, _ in gt["decoys"]:
        assert ds.sequences[i][start : start + 2] == dinuc


def test_pseudo_sites_match_the_consensus_less_well_than_real_sites(ds):
    gt = ds.meta.ground_truth
    assert gt["decoy_columns"] == ["index", "dinucleotide", "start", "kind"]
    pseudo = [i for i, dinuc, _, kind in gt["decoys"] if kind == "pseudo" and dinuc == "GT"]
    bare = [i for i, dinuc, _, kind in gt["decoys"] if kind == "bare" and dinuc == "GT"]
    assert 0.4 < len(pseudo) / (len(pseudo) + len(bare)) < 0.6
    score = log_odds(DONOR_PFM / DONOR_PFM.sum(axis=0) + 1e-3)
    x = one_hot(ds.sequences)[:, :, BOUNDARY - 3 : BOUNDARY + 6]

    def mean_score(rows) -> float:
        return float((x[rows] * score).sum(axis=(1, 2)).mean())

    real = np.flatnonzero(ds.labels == 1)
    assert mean_score(real) > mean_score(pseudo) + 2 > mean_score(bare) + 4


def test_exons_are_gc_richer_than_introns(ds):
    exon, intron = [], []
    for i, lo, hi in ds.meta.ground_truth["exons"]:
        s = ds.sequences[i]
        exon.append(gc_content(s[lo:hi]))
        rest = s[:lo] + s[hi:]
        if len(rest) > 50:
            intron.append(gc_content(rest))
    assert np.mean(exon) > np.mean(intron) + 0.04


def test_a_learned_model_beats_the_central_dinucleotide_rule(ds):
    seqs, y = ds.sequences, ds.labels.astype(int)
    rule = np.array(
        [
            1
            if s[BOUNDARY : BOUNDARY + 2] == "GT"
            else 2
            if s[BOUNDARY - 2 : BOUNDARY] == "AG"
            else 0
            for s in seqs
        ]
    )
    x = one_hot([s[BOUNDARY - 30 : BOUNDARY + 30] for s in seqs]).reshape(len(seqs), -1)
    train = np.arange(len(seqs)) < 2400
    model = LogisticRegression(C=0.1, max_iter=500).fit(x[train], y[train])
    acc = (model.predict(x[~train]) == y[~train]).mean()
    rule_acc = (rule[~train] == y[~train]).mean()
    assert rule_acc < 0.7 and acc > 0.75 and acc > rule_acc + 0.15  # 0.60 and 0.82 at seed 0


def test_registered_and_loads():
    ds = load("splice-sites")
    assert ds.task == "multiclass" and ds.meta.notes["classes"] == CLASSES
    assert {"train", "valid", "test"} <= set(ds.splits)
