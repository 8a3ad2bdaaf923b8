"""genoviz/interpret/motif_report.py: filters as motifs, their JASPAR matches and the
planted truth in one report, on a hand-set toy model whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _interpret_toys import MOTIF, MotifDetector, with_motif

from genoviz.interpret.motif_report import FilterReport, filter_report
from genoviz.sequences import one_hot

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
