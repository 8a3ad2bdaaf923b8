"""``python -m genoviz interpret filters`` (genoviz/cli_motifs.py): filters as motifs matched
to JASPAR, or a motif-net's own matrices; JSON, CSV, the planted truth and the logo page."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import save_untrained_run
from test_cli_interpret import run_dir  # noqa: F401 (fixture: an untrained cnn run)

import models
from genoviz.cli import main


@pytest.mark.training
def test_filters_json_has_one_record_per_filter(run_dir, tmp_path):  # noqa: F811
    out = tmp_path / "filters"
    args = ["interpret", "filters", "--run", str(run_dir), "--out", str(out), "-n", "300"]
    assert main(args) == 0
    info = json.loads((out / "filters.json").read_text())
    assert len(info["filters"]) == 16  # 2 members x 8 filters
    from genoviz.interpret.matching import default_release

    assert info["release"] == default_release()  # the release used, not null
    rec = info["filters"][0]
    for key in ("best_match_id", "best_match_name", "similarity", "planted_match", "n_sites"):
        assert key in rec
    assert {t["motif_name"] for t in info["truth"]} == {"JUND"}
    assert (out / "filters.png").read_bytes()[:4] == b"\x89PNG"
    pfms = pd.read_csv(out / "filter_pfms.csv")
    assert len(pfms) == 16 * 9
    # filters are numbered from 1, as in the run report and the Lesson (they were 0-based)
    assert [r["filter"] for r in info["filters"]] == list(range(1, 17))
    assert sorted(set(pfms["filter"])) == list(range(1, 17))
    assert all(t["best_filter"] in range(1, 17) for t in info["truth"] if t["best_filter"])
    assert set(pd.read_csv(out / "truth.csv")["motif_name"]) == {"JUND"}
    page = (out / "filters.html").read_text()
    assert "<h1>Filter motifs</h1>" in page and "data:image/png;base64," in page
    assert "<table" in page


def test_filters_of_a_motif_net_are_its_learned_matrices(tmp_path):
    """A motif-net has no convolution to scan: ``filters`` reads its V and mask directly,
    and a matrix started from JASPAR's JUND matches JUND."""
    build = {
        **models.spec("motif-net").defaults,
        "seq_len": 101,
        "outputs": 1,
        "extras": 0,
        "motifs": 2,
        "init": "jaspar",
        "jaspar": ["MA0491.3"],
    }
    run = save_untrained_run(tmp_path / "motif-net", "motif-net", build)
    out = tmp_path / "filters"
    assert main(["interpret", "filters", "--run", str(run), "--out", str(out), "-n", "50"]) == 0
    result = json.loads((out / "filters.json").read_text())
    assert result["kind"] == "motif-net learned matrices"
    assert len(result["filters"]) == 2
    assert "JUN" in result["filters"][0]["best_match_name"].upper()
    assert (out / "filters.png").read_bytes()[:4] == b"\x89PNG"
    assert "<h1>Learned motifs</h1>" in (out / "filters.html").read_text()
    assert set(pd.read_csv(out / "truth.csv")["motif_name"]) == {"JUND"}  # tf-binding's
