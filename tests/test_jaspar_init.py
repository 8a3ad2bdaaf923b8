"""Which JASPAR matrices a motif-net starts from: names narrowed to a taxonomic group, ids
taken as given, each matrix with its species, and wide matrices said to be cut.

The ids are those of the release bundled with pyjaspar: GATA1 names a human (MA0035) and
an Arabidopsis (MA2388) CORE matrix, CTCF three human ones and a Drosophila one (MA0531).
"""

from __future__ import annotations

import pytest

from genoviz.motifs import MotifError, fetch_jaspar
from models.jaspar_init import JasparGroupError, choose_jaspar, jaspar_origin, resolve_jaspar


def ids(choice) -> list[str]:
    return [m.id.split(".")[0] for m in choice.motifs]


def test_each_matrix_comes_with_its_species_and_group():
    assert jaspar_origin("MA2388.1") == ("plants", ("Arabidopsis thaliana",), "CORE")
    human = jaspar_origin(fetch_jaspar("MA0035").id)
    assert human.tax_group == "vertebrates" and human.species == ("Homo sapiens",)
    assert jaspar_origin("UN0122.2").describe() == "Homo sapiens, vertebrates, unvalidated"


def test_auto_keeps_a_names_vertebrate_matrices_and_says_which_it_left_out():
    every = choose_jaspar(["GATA1"])  # None: every matrix, as saved runs were built
    assert ids(every) == ["MA0035", "MA2388"] and not every.left_out
    auto = choose_jaspar(["GATA1"], "auto")
    assert ids(auto) == ["MA0035"]
    assert auto.labels()[0].endswith("GATA1 (Homo sapiens, vertebrates)")
    assert auto.left_out == ["MA2388.1 GATA1 (Arabidopsis thaliana, plants)"]
    assert "MA2388.1 GATA1 (Arabidopsis thaliana, plants)" in auto.note()
    assert "Give its id to start from it too" in auto.note()
    ctcf = choose_jaspar(["CTCF"], "auto")
    assert "MA0531" not in ids(ctcf) and len(ctcf.motifs) == 3
    assert ctcf.left_out[0].startswith("MA0531") and "Drosophila" in ctcf.left_out[0]
    # a name found in one group only keeps its matrices, plants or not
    assert ids(choose_jaspar(["ARID3"], "auto")) == ["MA2109"]  # Ciona, urochordates


def test_a_group_narrows_names_but_an_id_is_taken_as_given():
    plants = choose_jaspar(["GATA1"], "plants")
    assert ids(plants) == ["MA2388"] and plants.names() == ["MA2388.1 GATA1 (plants)"]
    assert ids(choose_jaspar(["CTCF", "GATA1"], "all")) == [
        "MA0139",
        "MA0531",
        "MA1929",
        "MA1930",
        "MA0035",
        "MA2388",
    ]
    assert ids(choose_jaspar(["MA2388.1", "MA0531.2"], "vertebrates")) == ["MA2388", "MA0531"]
    unvalidated = choose_jaspar(["UN0122.2"], "vertebrates")
    assert unvalidated.names() == ["UN0122.2 FOSB (unvalidated)"]
    # a name's UNVALIDATED matrices are left out under a group, and said to be
    assert choose_jaspar(["FOSB"], "all").left_out[0].startswith("UN0122")


def test_a_name_outside_the_group_says_where_it_is():
    with pytest.raises(JasparGroupError, match="no insects CORE matrix for a factor named"):
        choose_jaspar(["GATA1"], "insects")
    with pytest.raises(MotifError, match=r"MA2388\.1 GATA1 \(Arabidopsis thaliana, plants\)"):
        choose_jaspar(["GATA1"], "insects")
    with pytest.raises(JasparGroupError, match=r"UN0875\.1 SMZ"):  # UNVALIDATED only
        choose_jaspar(["SMZ"], "auto")
    with pytest.raises(ValueError, match="'vertebrate' is not a JASPAR taxonomic group"):
        choose_jaspar(["GATA1"], "vertebrate")
    with pytest.raises(MotifError, match="no matrix for a factor named 'NOTATF'"):
        choose_jaspar(["NOTATF"], "auto")


def test_a_wide_matrix_says_only_its_centre_is_kept():
    rest = choose_jaspar(["MA0138.3"])
    assert rest.labels(15) == ["MA0138.3 REST (Homo sapiens, vertebrates; centre 15 of 20 columns)"]
    assert rest.labels(20) == ["MA0138.3 REST (Homo sapiens, vertebrates)"]
    assert rest.labels() == rest.labels(20)


def test_resolve_jaspar_is_the_choices_matrices():
    assert [m.id for m in resolve_jaspar(["GATA1"], "auto")] == [
        m.id for m in choose_jaspar(["GATA1"], "auto").motifs
    ]
