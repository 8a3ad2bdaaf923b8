"""What a resumed run's folder says while it goes on: nothing of how it ended before, and
never another run's files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import planted_dataset

from genoviz import runs
from genoviz.training import TrainConfig, TrainingError, fit, resume_plan

#: How a run ended, in run.json: none of it holds while it goes on.
ENDING = ("final_metrics", "best_epoch", "epochs_done", "finished", "message", "failed_on_os")
CONFIG = dict(epochs=4, patience=99, batch_size=32, device="cpu", save=False)


def stopped_after(run_dir: Path, epochs: int, model: str = "linear", **config) -> None:
    """Train ``model`` into ``run_dir`` and press Stop once ``epochs`` epochs are done."""
    done = {"epoch": 0}
    fit(
        planted_dataset(120),
        model,
        TrainConfig(**(CONFIG | config)),
        run_dir=run_dir,
        on_epoch=lambda r: done.update(epoch=r["epoch"]),
        should_stop=lambda: done["epoch"] >= epochs,
    )


def run_json(run_dir: Path) -> dict:
    return json.loads((run_dir / runs.RUN_JSON).read_text())


def test_a_resumed_run_drops_the_last_stops_final_numbers_until_it_ends(tmp_path: Path):
    out = tmp_path / "run"
    stopped_after(out, 2)
    before = run_json(out)
    assert before["status"] == "stopped" and before["best_epoch"] >= 1
    assert "final_metrics" in before and (out / runs.TEST_PREDICTIONS).exists()

    seen: dict[int, dict] = {}

    def ctrl_c_at_3(record: dict) -> None:
        seen[record["epoch"]] = run_json(out)
        if record["epoch"] == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(planted_dataset(120), "linear", resume_plan(out).config, on_epoch=ctrl_c_at_3)
    while_training = seen[3]
    assert while_training["status"] == "running"
    assert not set(ENDING) & set(while_training)
    assert not (out / runs.TEST_PREDICTIONS).exists()  # it was the last stop's

    after = run_json(out)  # Ctrl-C: interrupted after 3 epochs, with no stale numbers
    assert after["status"] == "interrupted" and after["epochs_done"] == 3
    for key in ("final_metrics", "best_epoch", "finished"):
        assert key not in after
    assert len(after["resumed"]) == 1 and after["created"] == before["created"]

    result = fit(planted_dataset(120), "linear", resume_plan(out).config)
    final = run_json(out)
    assert final["status"] == "finished" and final["epochs_done"] == 4
    assert final["best_epoch"] == result.best_epoch
    assert final["final_metrics"]["test"]["roc_auc"] == pytest.approx(
        result.test_metrics["roc_auc"]
    )
    assert "message" not in final and (out / runs.TEST_PREDICTIONS).exists()


def test_a_folder_holding_a_run_is_refused_not_overwritten(tmp_path: Path):
    out = tmp_path / "myrun"
    fit(planted_dataset(120), "linear", TrainConfig(**(CONFIG | dict(epochs=2))), run_dir=out)
    first = (out / runs.RUN_JSON).read_text(), (out / runs.WEIGHTS).read_bytes()
    with pytest.raises(TrainingError, match=re.escape(f"{out} already holds a run")):
        fit(planted_dataset(120), "cnn", TrainConfig(**CONFIG), run_dir=out)
    assert ((out / runs.RUN_JSON).read_text(), (out / runs.WEIGHTS).read_bytes()) == first
    assert [r["epoch"] for r in runs.read_history(out)] == [1, 2]
    assert not (out / runs.LOCK).exists()

    only_metrics = tmp_path / "half"
    only_metrics.mkdir()
    (only_metrics / runs.METRICS).write_text('{"epoch": 1}\n')
    with pytest.raises(TrainingError, match=re.escape(runs.METRICS)):
        fit(planted_dataset(120), "linear", TrainConfig(**CONFIG), run_dir=only_metrics)
    assert not (only_metrics / runs.RUN_JSON).exists()


def test_a_stopped_run_goes_on_in_its_own_folder_only(tmp_path: Path):
    out = tmp_path / "run"
    stopped_after(out, 1)
    config = resume_plan(out).config
    with pytest.raises(TrainingError, match="is not the run to resume"):
        fit(planted_dataset(120), "linear", config, run_dir=tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()
    result = fit(planted_dataset(120), "linear", config, run_dir=out)
    assert result.status == "finished" and [r["epoch"] for r in result.history] == [1, 2, 3, 4]
