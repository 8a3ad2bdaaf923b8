"""Cards of the sets simulated from JASPAR cite the release their matrices come from (the
one bundled in pyjaspar), not a fixed year."""

from __future__ import annotations

import pytest
from pyjaspar import jaspardb

from genoviz.data.jaspar_source import jaspar_citation, jaspar_release
from genoviz.data.promoters import build_promoters
from genoviz.data.tf_binding import build_tf_binding
from genoviz.data.tf_multitask import build_tf_multitask


def test_the_release_is_pyjaspars_default():
    release = jaspardb().release
    assert jaspar_release() == release
    cited = jaspar_citation()
    assert f"release {release} as bundled in pyjaspar " in cited and "pyJASPAR" in cited
    assert jaspar_citation("JASPAR2022").startswith("Castro-Mondragon et al. (2022) JASPAR 2022")
    assert jaspar_citation("JASPAR2030").startswith("JASPAR 2030 (release JASPAR2030")


@pytest.mark.parametrize(
    "build, n", [(build_tf_binding, 500), (build_promoters, 200), (build_tf_multitask, 300)]
)
def test_cards_cite_the_bundled_release(build, n):
    release = jaspardb().release
    citation = build(seed=0, n=n).meta.citation
    assert f"release {release}" in citation
    assert ("JASPAR 2022" in citation) == (release == "JASPAR2022")
