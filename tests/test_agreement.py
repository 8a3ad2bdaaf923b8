"""Agreement: Spearman between per-base tracks, known answers."""

from __future__ import annotations

import numpy as np
import pytest

from genoviz.interpret.agreement import agreement, scaled_tracks
from genoviz.plots_interpret import agreement_figure


def test_pairwise_spearman_known_answers():
    up = np.arange(10.0)
    table = agreement({"ig": up, "ism": up**3, "flip": -up, "flat": np.ones(10)})
    rho = {(r.a, r.b): r.spearman for r in table.itertuples()}
    assert rho[("ig", "ism")] == pytest.approx(1.0)  # same order
    assert rho[("ig", "flip")] == pytest.approx(-1.0)
    assert np.isnan(rho[("ig", "flat")])
    assert len(table) == 6
    with pytest.raises(ValueError, match="differ in length"):
        agreement({"a": np.ones(3), "b": np.ones(4)})


def test_scaled_tracks_and_figure():
    s = scaled_tracks({"a": np.array([-2.0, 1.0, 0.0]), "z": np.zeros(3)})
    assert s["a"].tolist() == [1.0, 0.5, 0.0] and s["z"].tolist() == [0, 0, 0]
    fig = agreement_figure(s, "ACG")
    assert [t.name for t in fig.data] == ["a", "z"]
    assert list(fig.data[0].y) == [1.0, 0.5, 0.0]
