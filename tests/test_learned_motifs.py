"""A motif-net's own motifs: read back from V and the mask, trimmed, matched to JASPAR.
Nothing is trained: motif-nets started from JASPAR must give the JASPAR matrices back."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genoviz.interpret.filters import FilterError
from genoviz.interpret.learned_motifs import kept_span, learned_motifs
from genoviz.motifs import fetch_jaspar
from models.motif_net import MotifNet
from tests._interpret_toys import MotifDetector


def test_kept_span_is_first_to_last_open_column():
    assert kept_span(np.array([0.5, 0.9, 0.1, 0.99, 0.5])) == (1, 4)
    assert kept_span(np.array([0.2, 0.5])) == (0, 2)  # nothing open: keep it all


@pytest.mark.parametrize("matrix_id", ["MA0139", "MA0491"])  # latest versions, as JASPAR CORE lists
def test_jaspar_started_motif_net_shows_the_jaspar_matrix_and_matches_itself(matrix_id: str):
    jaspar = fetch_jaspar(matrix_id)
    width = jaspar.width + 4  # 2 padding columns each side, mask half open (0.5)
    net = MotifNet(seq_len=60, motifs=3, width=width, init="jaspar", jaspar=[matrix_id])
    rep = learned_motifs(net)
    assert rep.pfms.shape == (3, 4, width) and rep.mask.shape == (3, width)
    assert rep.spans[0] == (2, 2 + jaspar.width)  # the padding is trimmed off
    np.testing.assert_allclose(rep.trimmed(0), jaspar.pfm, atol=1e-3)
    np.testing.assert_allclose(rep.pfms[0][:, :2], 0.25)  # padding reads as uniform
    assert (rep.mask[0, 2:-2] > 0.999).all() and np.allclose(rep.mask[0, :2], 0.5)
    rec = rep.records[0]
    assert rec["name"] == f"{jaspar.id} {jaspar.name}"
    assert rec["best_match_id"] == jaspar.id and rec["top_matches"][0]["id"] == jaspar.id
    assert rec["similarity"] == pytest.approx(1.0, abs=1e-3)
    assert rec["consensus"] == jaspar.consensus()
    assert rep.truth is None and "planted_match" not in rec
    table = rep.table()
    assert list(table["motif"]) == [1, 2, 3] and "top_matches" not in table
    long = rep.matrix_table()
    assert len(long) == 3 * width
    np.testing.assert_allclose(long[list("ACGT")].sum(axis=1), 1.0)


def test_planted_truth_is_scored_against_the_learned_motifs():
    net = MotifNet(seq_len=60, motifs=2, width=15, init="jaspar", jaspar=["MA0491.3"])
    rep = learned_motifs(net, ground_truth={"motifs": {"MA0491.3": "JUND"}})
    assert rep.records[0]["planted_match"] == "MA0491.3"
    row = rep.truth.iloc[0]
    assert row["motif_name"] == "JUND" and row["best_motif"] == 1
    assert row["jaspar_rank"] == 1 and bool(row["recovered"])


def test_a_net_started_from_the_planted_matrix_recovers_nothing_against_its_control():
    """Started from JASPAR's JUND matrix and never trained, a motif-net "recovered" JUND at
    rank 1. Its untrained control holds the same matrix, so training closed no gap: not
    recovered. A randomly started control leaves the JASPAR-started net its recovery."""
    truth = {"motifs": {"MA0491.3": "JUND"}}
    net = MotifNet(seq_len=60, motifs=2, width=15, init="jaspar", jaspar=["MA0491.3"])
    same = MotifNet(seq_len=60, motifs=2, width=15, init="jaspar", jaspar=["MA0491.3"])
    row = learned_motifs(net, ground_truth=truth, control=same).truth.iloc[0]
    assert row["jaspar_rank"] == 1 and row["untrained_similarity"] == pytest.approx(1, abs=1e-3)
    assert not bool(row["recovered"])
    torch.manual_seed(0)
    random = MotifNet(seq_len=60, motifs=2, width=15)
    row = learned_motifs(net, ground_truth=truth, control=random).truth.iloc[0]
    assert row["untrained_similarity"] < 0.9 and bool(row["recovered"])


def test_a_cnn_has_no_learned_motifs_to_show():
    with pytest.raises(FilterError, match="only motif-net"):
        learned_motifs(MotifDetector())
