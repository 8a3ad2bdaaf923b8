"""What a resumed run's folder says while it goes on: nothing of how it ended before, and
never another run's files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import torch
from conftest import killed_before_checkpoint, planted_dataset

from genoviz import runs, training
from genoviz.training import TrainConfig, TrainingError, fit, resume_plan

#: How a run ended, in run.json: none of it holds while it goes on.
ENDING = (
    "final_metrics",
    "best_epoch",
    "epochs_done",
    "finished",
    "message",
    "failed_on_os",
    "failed_out_of_memory",
)
CONFIG = dict(epochs=4, patience=99, batch_size=32, device="cpu", save=False)


def stopped_after(run_dir: Path, after: int, model: str = "linear", **config) -> None:
    """Train ``model`` into ``run_dir`` and press Stop once ``after`` epochs are done."""
    done = {"epoch": 0}
    fit(
        planted_dataset(120),
        model,
        TrainConfig(**(CONFIG | config)),
        run_dir=run_dir,
        on_epoch=lambda r: done.update(epoch=r["epoch"]),
        should_stop=lambda: done["epoch"] >= after,
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
    for key in ("final_metrics", "finished"):
        assert key not in after
    # the epoch whose weights the folder holds now, from this history (not the last stop's)
    kept = [r["epoch"] for r in runs.read_history(out) if r["best"]][-1]
    assert after["best_epoch"] == kept
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


@pytest.mark.parametrize("freeze", [False, True])
def test_a_fine_tune_goes_on_after_its_source_run_is_gone(tmp_path: Path, freeze: bool):
    """Nothing is read from the source again: the checkpoint holds every tensor, and a
    frozen trunk is frozen again, so the run goes on exactly as an unbroken one."""
    source = tmp_path / "source"
    small = dict(hparams={"filters": 4})
    fit(
        planted_dataset(120),
        "cnn",
        TrainConfig(**(CONFIG | small | dict(epochs=1))),
        run_dir=source,
    )
    trunk = {k: v for k, v in runs.read_weights(source / runs.WEIGHTS).items() if "head" not in k}
    tune = CONFIG | small | dict(epochs=3, init_from=str(source), freeze_trunk=freeze)
    unbroken = fit(planted_dataset(120), "cnn", TrainConfig(**tune), run_dir=tmp_path / "a")
    part = tmp_path / "b"
    stopped_after(part, 1, "cnn", **tune)
    transfer = run_json(part)["transfer"]
    assert bool(transfer["frozen"]) == freeze and transfer["source"] == str(source)
    shutil.rmtree(source)  # the user tidied up (the Runs page deletes or renames freely)

    resumed = fit(planted_dataset(120), "cnn", resume_plan(part).config)
    assert resumed.status == "finished" and run_json(part)["transfer"] == transfer
    for a, b in zip(unbroken.history, resumed.history, strict=True):
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-5)
        assert a["valid_loss"] == pytest.approx(b["valid_loss"], rel=1e-5)
    assert resumed.test_metrics["roc_auc"] == pytest.approx(unbroken.test_metrics["roc_auc"])
    after = resumed.model.state_dict()
    assert all(torch.equal(after[k], v) for k, v in trunk.items()) == freeze


def test_a_bert_fine_tune_goes_on_after_its_checkpoint_folder_is_gone(tmp_path: Path):
    from test_checkpoints import dnabert_checkpoint

    ckpt = tmp_path / "dnabert3"
    dnabert_checkpoint(ckpt)
    data = planted_dataset(60, 20)
    part = tmp_path / "run"
    done = {"epoch": 0}
    config = TrainConfig(**(CONFIG | dict(epochs=2, init_bert=str(ckpt))))
    fit(
        data,
        "kmer-bert",
        config,
        run_dir=part,
        on_epoch=lambda r: done.update(epoch=r["epoch"]),
        should_stop=lambda: done["epoch"] >= 1,
    )
    shutil.rmtree(ckpt)
    resumed = fit(planted_dataset(60, 20), "kmer-bert", resume_plan(part).config)
    assert resumed.status == "finished" and [r["epoch"] for r in resumed.history] == [1, 2]
    assert resumed.model.hf.config.hidden_size == 32  # the checkpoint's shape, from run.json


def test_a_fine_tune_cut_off_before_its_first_checkpoint_starts_again_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    source = tmp_path / "source"
    small = CONFIG | dict(hparams={"filters": 4}, epochs=2)
    fit(planted_dataset(120), "cnn", TrainConfig(**small), run_dir=source)
    tune = TrainConfig(**(small | dict(init_from=str(source))))
    unbroken = fit(planted_dataset(120), "cnn", tune, run_dir=tmp_path / "a")

    def killed_before_the_first(*args, **kwargs):
        raise KeyboardInterrupt

    out = tmp_path / "b"
    with monkeypatch.context() as m:
        m.setattr(training, "save_state", killed_before_the_first)
        with pytest.raises(KeyboardInterrupt):
            fit(planted_dataset(120), "cnn", tune, run_dir=out)
    assert not (out / runs.CHECKPOINT).exists() and run_json(out)["status"] == "interrupted"
    resumed = fit(planted_dataset(120), "cnn", resume_plan(out).config)
    assert [r["train_loss"] for r in resumed.history] == [r["train_loss"] for r in unbroken.history]
    assert run_json(out)["transfer"]["source"] == str(source)


def test_the_plan_goes_on_from_the_checkpoints_epoch_not_the_metrics_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Killed between epoch 3's metrics line and its checkpoint: epoch 3 is trained again,
    so the run has done 2 epochs, not 3."""
    out = tmp_path / "run"
    killed_before_checkpoint(
        monkeypatch, out, 3, planted_dataset(120), "linear", TrainConfig(**CONFIG)
    )
    assert len(runs.read_history(out)) == 3
    plan = resume_plan(out)
    assert plan.epochs_done == 2
    seen: list[int] = []
    fit(planted_dataset(120), "linear", plan.config, on_epoch=lambda r: seen.append(r["epoch"]))
    assert seen == [1, 2, 3, 4]  # 1 and 2 replayed from disk, 3 trained again


def test_a_damaged_checkpoint_is_named_when_the_resume_is_planned(tmp_path: Path):
    out = tmp_path / "run"
    stopped_after(out, 1)
    (out / runs.CHECKPOINT).write_bytes(b"not a checkpoint")
    with pytest.raises(runs.RunError, match="damaged checkpoint"):
        resume_plan(out)


@pytest.mark.parametrize("model", ["linear", "cnn"])
def test_stop_after_2_then_resume_to_4_equals_4_straight(tmp_path: Path, model: str):
    config = TrainConfig(**(CONFIG | dict(hparams={"filters": 4} if model == "cnn" else {})))
    straight = fit(planted_dataset(120), model, config, run_dir=tmp_path / "a")
    part = tmp_path / "b"
    stopped_after(part, 2, model, **(CONFIG | dict(hparams=config.hparams)))
    resumed = fit(planted_dataset(120), model, resume_plan(part).config)
    assert len(resumed.history) == len(straight.history) == 4
    for a, b in zip(straight.history, resumed.history, strict=True):
        assert (a["epoch"], a["best"]) == (b["epoch"], b["best"])
        for key in ("train_loss", "valid_loss", "valid_roc_auc"):
            assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-7)
    assert resumed.best_epoch == straight.best_epoch
    assert resumed.test_metrics["roc_auc"] == pytest.approx(straight.test_metrics["roc_auc"])
    assert run_json(part)["final_metrics"]["test"]["roc_auc"] == pytest.approx(
        run_json(tmp_path / "a")["final_metrics"]["test"]["roc_auc"]
    )


def test_a_resume_that_fails_before_its_checkpoint_is_back_keeps_its_epochs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Out of memory while the checkpoint was read back: run.json said 0 epochs and no
    kept epoch, though the folder still held 2 epochs and their weights."""
    out = tmp_path / "run"
    stopped_after(out, 2)

    def no_memory(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(training, "restore_state", no_memory)
    with pytest.raises(torch.OutOfMemoryError):
        fit(planted_dataset(120), "linear", resume_plan(out).config)
    after = run_json(out)
    kept = [r["epoch"] for r in runs.read_history(out) if r["best"]][-1]
    assert after["status"] == "failed" and after["epochs_done"] == 2
    assert after["best_epoch"] == kept and runs.load_run(out).resumable


def test_resuming_on_the_same_number_of_other_rows_is_refused(tmp_path: Path):
    """What the Runs page's Resume goes through: two sequences of the same label swapped
    keep the splits' sizes and digest (drawn by row), yet each sits in another split."""
    import copy

    out = tmp_path / "run"
    stopped_after(out, 2)
    plan = resume_plan(out)
    edited = planted_dataset(120)
    seqs = list(edited.sequences)
    seqs[0], seqs[2] = seqs[2], seqs[0]  # rows 0 and 2 have label 0
    edited = copy.copy(edited)
    edited.sequences = seqs
    with pytest.raises(TrainingError, match="began on other data"):
        fit(edited, plan.model_name, plan.config)
    assert runs.load_run(out).status == "stopped"  # untouched
    assert len(runs.read_history(out)) == 2
    fit(planted_dataset(120), plan.model_name, plan.config)  # its own rows go on
    assert len(runs.read_history(out)) == 4
