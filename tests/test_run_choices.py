"""Run pickers start on this session's own run: on a classroom server the newest run was
often a classmate's, or one still training."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import save_untrained_run
from streamlit.testing.v1 import AppTest
from test_job_safety import FolderJob

from genoviz import jobs

ROOT = Path(__file__).resolve().parents[1]
BUILD = {"seq_len": 101, "outputs": 1, "extras": 0, "members": 1, "filters": 3, "kernel": 5}
MINE, CLASSMATE, TRAINING = (
    "20260101-000000-cnn-tf-binding",
    "20260102-000000-cnn-tf-binding",
    "20260103-000000-cnn-tf-binding",
)


@pytest.fixture
def three_runs(runs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Mine (oldest), a classmate's (newer), and the newest, which this server trains."""
    paths = {n: save_untrained_run(runs_dir / n, "cnn", BUILD) for n in (MINE, CLASSMATE, TRAINING)}
    manager = jobs.JobManager(max_jobs=2)
    monkeypatch.setattr(jobs, "_default", manager)
    busy = manager.submit(FolderJob(paths[TRAINING]))
    yield paths
    busy.end()


def opened(page: str, mine: list[Path]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["my_run_dirs"] = {str(p.resolve()) for p in mine}
    at.run().switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("pages/predict.py", "predict_run"),
        ("pages/interpret.py", "interp_run"),
        ("pages/motifs.py", "motifs_run"),
    ],
)
def test_the_picker_starts_on_this_sessions_run_and_marks_the_one_training(
    three_runs: dict[str, Path], page: str, key: str
):
    at = opened(page, [three_runs[MINE]])
    box = at.selectbox(key=key)
    assert Path(box.value).name == MINE
    labels = box.options
    assert labels[0].startswith(MINE) and "· yours" in labels[0]  # own runs first
    assert [label.split(" · ")[0] for label in labels] == [MINE, TRAINING, CLASSMATE]
    assert "· training now" in labels[1] and "yours" not in labels[1]
    assert "training now" not in labels[2] and "yours" not in labels[2]


def test_without_a_run_of_its_own_the_picker_skips_the_one_training(
    three_runs: dict[str, Path],
):
    at = opened("pages/predict.py", [])
    assert Path(at.selectbox(key="predict_run").value).name == CLASSMATE
    runs = opened("pages/runs.py", [])
    assert runs.selectbox(key="runs_pick").value == CLASSMATE
    assert runs.multiselect(key="runs_overlay").value[0] == CLASSMATE


def test_the_runs_page_starts_on_this_sessions_run(three_runs: dict[str, Path]):
    at = opened("pages/runs.py", [three_runs[MINE]])
    assert at.selectbox(key="runs_pick").value == MINE
    assert at.multiselect(key="runs_overlay").value == [MINE, TRAINING, CLASSMATE]


def test_the_run_of_this_sessions_training_job_counts_as_its_own(
    three_runs: dict[str, Path],
):
    finished = FolderJob(three_runs[CLASSMATE])
    finished.end()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["train_job"] = finished
    at.run().switch_page("pages/predict.py").run()
    box = at.selectbox(key="predict_run")
    assert Path(box.value).name == CLASSMATE and "· yours" in box.options[0]
    # noted for good: a newer job replacing it on the Train page keeps it this session's
    assert str(three_runs[CLASSMATE].resolve()) in at.session_state["my_run_dirs"]
