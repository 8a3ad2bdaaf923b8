"""genoviz/interpret/motif_report.py: filters as motifs, their JASPAR matches and the
planted truth in one report, on a hand-set toy model whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from _interpret_toys import MOTIF, MotifDetector, with_motif

from genoviz.interpret.motif_report import FilterReport, filter_report
from genoviz.onehot import one_hot

#: JUND's MA0491.3 (TGA(C/G)TCA at its core), planted as the toy's MOTIF.
TRUTH = {"motifs": {"MA0491.3": "JUND"}}


@pytest.fixture(scope="module")
def report() -> FilterReport:
    """The toy's filter 1 (index 0) is the motif; filter 2 (index 1) never fires."""
    seqs, _ = with_motif(60, 40, seed=0)
    return filter_report(MotifDetector(), torch.from_numpy(one_hot(seqs)), ground_truth=TRUTH)


def test_filters_are_numbered_from_one_in_records_and_truth(report: FilterReport):
    """Records and the truth table numbered filters from 0, where the run report and the
    Lesson said 'filter 1' for the first; a number now names one filter everywhere."""
    assert [r["filter"] for r in report.records] == [1, 2]
    assert list(report.table()["filter"]) == [1, 2]
    assert report.alive == [0]  # indices stay 0-based inside
    assert report.records[0]["consensus"] == MOTIF and report.records[1]["n_sites"] == 0
    assert list(report.truth["best_filter"]) == [1]
    np.testing.assert_array_equal(report.pfm_of(1), report.motifs.pfms[0])
    from genoviz.interpret.filters import filter_label  # how titles name index 0

    assert filter_label(0) == "filter 1"


def _pfm(word: str) -> np.ndarray:
    """A sharp PFM of a DNA word, ``(4, len(word))``."""
    return one_hot([word])[0].astype(float) * 0.94 + 0.015


def test_truth_pairs_line_the_planted_matrix_up_on_the_filters_strand():
    """The truth logos drew the planted matrix as stored next to its best filter: one
    matched on the other strand looked unrelated, one two columns off looked shifted."""
    from genoviz.interpret.motif_report import truth_pairs
    from genoviz.interpret.truth import PlantedMotif
    from genoviz.motifs import reverse_complement_pfm

    planted = [
        PlantedMotif("A", "minus", _pfm("GATTACA"), False),
        PlantedMotif("B", "plus", _pfm("CCGTAAG"), False),
        PlantedMotif("C", "none", _pfm("TTTTTTT"), False),
    ]
    uniform = np.full((4, 2), 0.25)
    # filter 1 holds A's reverse complement from its column 2; filter 2 holds B but for
    # B's first column, so B starts one column before the filter does
    filters = [
        np.concatenate([uniform, reverse_complement_pfm(planted[0].pfm)], axis=1),
        np.concatenate([planted[1].pfm[:, 1:], uniform], axis=1),
    ]
    truth = pd.DataFrame({"motif_id": ["A", "B", "C"], "best_filter": [1, 2, None]})
    pairs = truth_pairs(truth, planted, lambda n: filters[n - 1], "best_filter")
    assert [(p.number, p.planted.id, p.strand, p.offset) for p in pairs] == [
        (1, "A", "-", 2),
        (2, "B", "+", -1),
    ]  # C has no best filter: no pair
    minus, plus = pairs
    assert minus.learned_pfm.shape == minus.planted_pfm.shape == (4, 9) and minus.shared == 7
    np.testing.assert_allclose(minus.learned_pfm, filters[0])  # nothing to pad
    np.testing.assert_allclose(minus.planted_pfm[:, 2:], filters[0][:, 2:])  # one above the other
    assert not minus.planted_pfm[:, :2].any()  # empty where the planted matrix has no column
    assert plus.learned_pfm.shape == plus.planted_pfm.shape == (4, 9) and plus.shared == 6
    assert not plus.learned_pfm[:, 0].any()  # the filter is padded on the left
    np.testing.assert_allclose(plus.planted_pfm[:, :7], planted[1].pfm)
    np.testing.assert_allclose(plus.learned_pfm[:, 1:7], plus.planted_pfm[:, 1:7])
    assert truth_pairs(None, planted, lambda n: filters[n - 1], "best_filter") == []


def test_the_reports_truth_pairs_use_its_filter_numbers(report: FilterReport):
    (pair,) = report.truth_pairs()
    assert pair.number == 1 and pair.planted.id == "MA0491.3"
    assert pair.learned_pfm.shape == pair.planted_pfm.shape
    assert pair.shared == min(report.pfm_of(1).shape[1], pair.planted.pfm.shape[1])
