"""JASPAR matching: a JASPAR matrix ranks itself first on either strand; the column
similarity finds shifts and strands."""

from __future__ import annotations

import numpy as np
import pytest

from genoviz.interpret.matching import (
    MatchError,
    column_similarity,
    jaspar_core,
    match_jaspar,
    match_table,
    match_words,
    no_match,
    tomtom_matches,
)
from genoviz.motifs import Motif, fetch_jaspar, reverse_complement_pfm


@pytest.fixture(scope="module")
def core():
    return jaspar_core(tax_group="vertebrates")


@pytest.mark.parametrize("matrix_id", ["MA0491", "MA0139", "MA0035"])
def test_jaspar_matrix_ranks_itself_first_on_either_strand(core, matrix_id: str):
    m = fetch_jaspar(matrix_id)
    r = match_jaspar([m.pfm, reverse_complement_pfm(m.pfm)])
    for q, strand in ((0, "+"), (1, "-")):
        top = r.top(q, 3)
        assert top.loc[0, "match_id"] == m.id
        assert top.loc[0, "strand"] == strand
        assert top.loc[0, "p_value"] < 1e-10


def test_core_is_the_chosen_group(core):
    assert len(core) > 500
    assert len({m.id for m in core}) == len(core)
    insects = jaspar_core(tax_group="insects")
    assert 0 < len(insects) < len(core)
    assert not {m.id for m in insects} & {m.id for m in core}


def test_unknown_release_is_a_clear_error():
    with pytest.raises(MatchError, match="not bundled"):
        jaspar_core(release="JASPAR1999")


def test_column_similarity_finds_offset_and_strand():
    jund = fetch_jaspar("MA0491").pfm
    assert column_similarity(jund, jund) == (pytest.approx(1.0), 0, "+")
    s, off, strand = column_similarity(jund, reverse_complement_pfm(jund))
    assert (s, off, strand) == (pytest.approx(1.0), 0, "-")
    core = jund[:, 2:8]
    s, off, strand = column_similarity(jund, core)
    assert s == pytest.approx(1.0) and off == 2 and strand == "+"
    uniform = np.full((4, 8), 0.25)
    assert column_similarity(jund, uniform)[0] == pytest.approx(0.0)


def test_min_overlap_rejects_short_alignments(core):
    jund = fetch_jaspar("MA0491").pfm
    short = jund[:, :4]
    loose = tomtom_matches([short], core, min_overlap=1)
    strict = tomtom_matches([short], core, min_overlap=4)
    assert (strict.overlaps[strict.p_values < 1] >= 4).all()
    assert (loose.p_values <= strict.p_values + 1e-12).all()


def test_match_table_has_similarity(core):
    targets = [Motif("X1", "x", fetch_jaspar("MA0491").pfm), *core[:40]]
    q = [fetch_jaspar("MA0491").pfm]
    table = match_table(tomtom_matches(q, targets), ["filter 1"], q, n=2)
    assert list(table["query"]) == ["filter 1"] * 2
    assert table.loc[0, "similarity"] == pytest.approx(1.0)


def test_a_motif_too_flat_to_mean_anything_matches_nothing():
    """TOMTOM compares column shapes, not strengths: a near-uniform motif tilted faintly
    towards CTCF (0.04 bits) got p = 1e-16 against CTCF. Under MIN_MATCH_BITS it now
    matches nothing, and the same tilt at full strength still finds CTCF first."""
    from genoviz.interpret.matching import too_flat
    from genoviz.motifs import information_content

    ctcf = fetch_jaspar("MA0139").pfm[:, :15]
    faint = 0.25 + 0.05 * (ctcf - 0.25)
    assert information_content(faint).sum() < 0.1 and too_flat(faint) and not too_flat(ctcf)
    m = match_jaspar([faint, ctcf])
    assert len(m.ranking(0)) == 0 and m.top(0, 3).empty
    assert m.best(0, faint, 5, 3) == {
        "best_match_id": None,
        "best_match_name": None,
        "p_value": None,
        "e_value": None,
        "similarity": None,
        "top_matches": [],
    }
    assert m.top(1, 1).loc[0, "match_name"] == "CTCF" and m.best(1, ctcf, 5, 3)["p_value"] < 1e-10
    # E = p x the number of matrices compared (TOMTOM's E-value)
    best = m.best(1, ctcf, 5, 3)
    assert best["e_value"] == pytest.approx(best["p_value"] * len(m.targets))
    assert best["top_matches"][0]["e_value"] == pytest.approx(best["e_value"])
    assert match_words(best) == f"CTCF E={best['e_value']:.1e}" and match_words(no_match()) == "-"
    # a best match that chance explains is not named as an identification
    weak = best | {"best_match_name": "PBX2", "e_value": 9.0}
    assert match_words(weak) == "n.s. (nearest PBX2, E=9.0e+00)"
    assert m.top(1, 2)["e_value"].tolist() == pytest.approx(
        (m.top(1, 2)["p_value"] * len(m.targets)).tolist()
    )
    table = match_table(m, ["faint", "ctcf"], [faint, ctcf], n=1)
    assert table["query"].tolist() == ["faint", "ctcf"]
    assert table["match_id"].isna().tolist() == [True, False]


def test_the_match_table_offset_is_tomtoms_query_start_on_the_target():
    """``Matches.top``'s offset follows TOMTOM (MEME): the query's first column relative
    to the target's (on the strand it matched), the opposite sign of column_similarity's."""
    from genoviz.interpret.matching import column_similarity, tomtom_matches
    from genoviz.motifs import fetch_jaspar, reverse_complement_pfm

    ctcf = fetch_jaspar("MA0139").pfm
    flank = np.full((4, 3), 0.2)
    flank[0] = 0.4
    longer = np.concatenate([flank, ctcf], axis=1)  # 3 columns before CTCF begins
    shorter = ctcf[:, 2:]  # starts at CTCF's 3rd column
    queries = [longer, shorter, reverse_complement_pfm(longer)]
    m = tomtom_matches(queries, [fetch_jaspar("MA0139")])
    tops = [m.top(q, 1).iloc[0] for q in range(3)]
    # on "-" it counts along the target's reverse complement, the way the logo shows it:
    # rc(flank + CTCF) = rc(CTCF) + rc(flank) starts where rc(CTCF) does
    assert [(t.offset, t.strand) for t in tops] == [(-3, "+"), (2, "+"), (0, "-")]
    assert column_similarity(longer, ctcf)[1] == 3 and column_similarity(shorter, ctcf)[1] == -2
