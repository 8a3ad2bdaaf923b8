import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from genoviz.data import load
from genoviz.data.tf_multitask import (
    EBOX_COLS,
    GATA_CORE_COL,
    GATA_ID,
    TAL1_ID,
    TASKS,
    build_tf_multitask,
)
from genoviz.motifs import fetch_jaspar
from genoviz.sequences import gc_content, reverse_complement


@pytest.fixture(scope="module")
def ds():
    return build_tf_multitask(seed=0, n=5000)


def test_same_seed_same_set_other_seed_different():
    a, b = build_tf_multitask(seed=2, n=500), build_tf_multitask(seed=2, n=500)
    assert a.sequences == b.sequences and a.meta == b.meta
    np.testing.assert_array_equal(a.labels, b.labels)
    c = build_tf_multitask(seed=3, n=500)
    assert a.sequences != c.sequences and not np.array_equal(a.labels, c.labels)


def test_shapes_rates_and_card(ds):
    assert ds.task == "multitask-binary" and ds.fixed_length == 200
    assert ds.labels.shape == (5000, 4) and set(np.unique(ds.labels)) == {0.0, 1.0}
    assert ds.meta.notes["tasks"] == TASKS == ["JUND", "CTCF", "GATA1", "TAL1"]
    rates = ds.labels.mean(axis=0)
    assert ((rates > 0.05) & (rates < 0.15)).all(), rates
    assert ds.meta.strand_symmetric and ds.meta.simulated
    names = {name.upper() for name in ds.meta.ground_truth["motifs"].values()}
    assert names == {"JUND", "CTCF", "GATA1", "TAL1::TCF3"}
    json.dumps(ds.meta.to_dict())


def test_pinned_matrices_have_the_layout_the_composite_assumes():
    assert fetch_jaspar(TAL1_ID).consensus()[EBOX_COLS[0] : EBOX_COLS[1]] == "CATCTG"
    assert fetch_jaspar(GATA_ID).consensus()[GATA_CORE_COL : GATA_CORE_COL + 4] == "GATA"


def test_gata1_and_tal1_co_bind_other_tasks_do_not(ds):
    r = np.corrcoef(ds.labels.T)
    assert r[2, 3] > 0.3
    assert abs(r[0, 1]) < 0.1 and abs(r[0, 2]) < 0.1 and abs(r[1, 3]) < 0.1
    comp_rows = {c[0] for c in ds.meta.ground_truth["composites"]}
    tal1 = np.flatnonzero(ds.labels[:, 3] == 1)
    assert np.mean([i in comp_rows for i in tal1]) > 0.6  # most TAL1 sites are composites


def test_composites_are_spaced_about_9_bp_as_ground_truth_says(ds):
    comps = ds.meta.ground_truth["composites"]
    assert len(comps) > 200
    spacings, ebox_ok, gata_ok = [], 0, 0
    for i, strand, ebox, core, spacing in comps:
        assert ds.labels[i, 2] == 1 and ds.labels[i, 3] == 1
        s = ds.sequences[i]
        e, g = s[ebox : ebox + 6], s[core : core + 4]
        if strand == "-":
            e, g = reverse_complement(e), reverse_complement(g)
            assert ebox - (core + 4) == spacing
        else:
            assert core - (ebox + 6) == spacing
        spacings.append(spacing)
        ebox_ok += e[:2] == "CA" and e[4:] == "TG"
        gata_ok += g == "GATA"
    assert set(spacings) <= {8, 9, 10} and np.median(spacings) == 9
    assert ebox_ok / len(comps) > 0.8 and gata_ok / len(comps) > 0.8


def test_sites_in_positives_decoys_in_negatives(ds):
    col = {t: k for k, t in enumerate(TASKS)}
    kinds = set()
    for i, task, _, start, strand, kind in ds.meta.ground_truth["instances"]:
        assert 0 <= start < 200 and strand in "+-"
        label = ds.labels[i, col[task]]
        assert label == (1.0 if kind in ("site", "composite") else 0.0), (task, kind)
        kinds.add(kind)
    assert kinds == {"site", "composite", "decoy", "misspaced-ebox-decoy"}


def test_kmer_model_beats_gc_content(ds):
    x = CountVectorizer(analyzer="char", ngram_range=(4, 4), lowercase=False)
    x = x.fit_transform(ds.sequences)
    gc = np.array([gc_content(s) for s in ds.sequences])
    train = np.arange(len(ds)) < 4000
    for k in (0, 2, 3):  # JUND, GATA1, TAL1
        y = ds.labels[:, k]
        model = LogisticRegression(C=0.1, max_iter=500).fit(x[train], y[train])
        auc = roc_auc_score(y[~train], model.predict_proba(x[~train])[:, 1])
        assert auc > 0.62 and auc > roc_auc_score(y[~train], gc[~train]) + 0.12, TASKS[k]


def test_registered_and_loads():
    ds = load("tf-multitask")
    assert ds.task == "multitask-binary" and ds.labels.shape == (len(ds), 4)
    assert {"train", "valid", "test"} <= set(ds.splits)
