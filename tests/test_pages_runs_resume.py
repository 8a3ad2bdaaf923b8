"""The Runs page's Resume refuses data other than the run's own rows, on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import planted_dataset
from test_pages_runs import runs_page

from genoviz import runs


@pytest.mark.training
def test_resume_on_reordered_session_data_is_refused_on_the_page(runs_dir: Path):
    """Two sequences of one label swapped keep the splits' sizes and digest (drawn by
    row): Resume went on, testing the run on sequences it had trained on."""
    from genoviz.data import load_text
    from genoviz.training import TrainConfig, fit

    ds = planted_dataset(120)

    def table(seqs: list[str]) -> str:
        pairs = enumerate(zip(seqs, ds.labels, strict=True))
        return "id,sequence,label\n" + "".join(f"{i},{s},{int(y)}\n" for i, (s, y) in pairs)

    config = TrainConfig(epochs=3, runs_dir=str(runs_dir), run_name="upload-mlp")
    ended: list[int] = []
    stopped = fit(
        load_text(table(ds.sequences), "mydata-upload.csv"),
        "mlp",
        config,
        on_epoch=ended.append,
        should_stop=lambda: bool(ended),
    )
    seqs = list(ds.sequences)
    seqs[0], seqs[2] = seqs[2], seqs[0]  # both label 0
    at = runs_page()
    at.session_state["user_dataset"] = load_text(table(seqs), "mydata-upload.csv")
    at.button(key="runs_resume").click().run()
    errors = [e.value for e in at.error]
    assert any("Cannot resume" in e and "began on other data" in e for e in errors), errors
    assert "train_job" not in at.session_state
    assert runs.load_run(stopped.run_dir).status == "stopped"
