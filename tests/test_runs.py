import json

import pytest
import torch

from genoviz import run_data, run_folders, runs


def test_safe_name_never_leaves_the_folder():
    for bad in ["../../etc/passwd", "a/b", "..", "", "x\x00y", "/abs", "名前"]:
        name = run_folders.safe_name(bad)
        assert name and "/" not in name and name not in {".", ".."} and "\x00" not in name


def test_new_run_dirs_are_unique(tmp_path):
    a = run_folders.new_run_dir(tmp_path, "same")
    b = run_folders.new_run_dir(tmp_path, "same")
    assert a != b and a.parent == b.parent == tmp_path


def test_json_writes_are_atomic_and_nan_safe(tmp_path):
    runs.write_run_json(tmp_path, {"x": float("nan"), "y": [1.5, float("inf")]})
    assert json.loads((tmp_path / runs.RUN_JSON).read_text()) == {"x": None, "y": [1.5, None]}
    assert [p.name for p in tmp_path.iterdir()] == [runs.RUN_JSON]  # no temp files left


def test_metrics_jsonl_skips_a_torn_last_line(tmp_path):
    runs.append_metrics(tmp_path, {"epoch": 1, "loss": 0.5})
    runs.append_metrics(tmp_path, {"epoch": 2, "loss": 0.4})
    with open(tmp_path / runs.METRICS, "a") as fh:
        fh.write('{"epoch": 3, "lo')  # killed mid-write
    assert [r["epoch"] for r in runs.read_history(tmp_path)] == [1, 2]


def test_weights_are_safetensors_and_load_without_pickle(tmp_path):
    model = torch.nn.Linear(3, 2)
    runs.save_weights(tmp_path, model)
    raw = (tmp_path / runs.WEIGHTS).read_bytes()
    assert b"pickle" not in raw[:200] and raw[8:9] == b"{"  # safetensors: u64 header len, JSON


def test_load_and_list_runs(tmp_path):
    with pytest.raises(runs.RunError, match="not a genoviz run"):
        runs.load_run(tmp_path)
    d = run_folders.new_run_dir(tmp_path, "r")
    runs.write_run_json(d, {"status": "finished"})
    (tmp_path / "junk").mkdir()
    listed = run_folders.list_runs(tmp_path)
    assert [r.name for r in listed] == [d.name] and listed[0].status == "finished"
    assert run_folders.list_runs(tmp_path / "missing") == []


def test_runs_are_listed_newest_first_by_creation_time_whatever_their_names(tmp_path):
    for name, created in (("zeta", "2026-01-01T10:00:00"), ("alpha", "2026-03-01T10:00:00")):
        d = tmp_path / name
        d.mkdir()
        runs.write_run_json(d, {"status": "finished", "created": created})
    d = run_folders.new_run_dir(tmp_path, "stamped")  # a timestamp name, no 'created'
    runs.write_run_json(d, {"status": "finished"})
    assert [r.name for r in run_folders.list_runs(tmp_path)] == ["alpha", "zeta", d.name]


def test_weights_from_another_architecture_give_a_clear_error(tmp_path):
    import models

    d = run_folders.new_run_dir(tmp_path, "old")
    runs.write_run_json(d, {"model": {"name": "cnn", "build": {"seq_len": 21}}, "versions": {}})
    runs.save_weights(d, torch.nn.Linear(3, 2))  # not what cnn expects
    with pytest.raises(runs.RunError, match="retrain the run"):
        runs.load_run(d).load_model()
    assert models  # the registry rebuilt the model before the weights were refused


class _Crash(Exception):
    pass


def _crash_at_epoch(epoch: int):
    def on_epoch(record: dict) -> None:
        if record["epoch"] == epoch:
            raise _Crash("the callback broke at epoch 2")

    return on_epoch


@pytest.mark.parametrize("task", ["binary", "lm"])
def test_run_json_records_a_failure_and_a_finish_the_same_way_for_fit_and_pretraining(
    tmp_path, task
):
    """fit and fit_mlm share run_outcome.write_failed / run_outcome.write_final: a crash
    leaves status failed with the message and the epochs done, and a finish the final
    metrics."""
    import numpy as np
    from conftest import planted_dataset

    from genoviz.data import Dataset
    from genoviz.training import TrainConfig, fit

    ds = planted_dataset(n=200, length=20)
    if task == "lm":
        ds = Dataset(list(ds.sequences), np.zeros(len(ds)), "lm", ds.meta)
    cfg = TrainConfig(epochs=3, batch_size=64, hparams={"k": 3, "size": "tiny"})
    broken = tmp_path / "broken"
    with pytest.raises(_Crash):
        fit(ds, "kmer-bert", cfg, on_epoch=_crash_at_epoch(2), run_dir=broken)
    info = json.loads((broken / runs.RUN_JSON).read_text())
    assert info["status"] == "failed" and info["message"] == "the callback broke at epoch 2"
    assert info["epochs_done"] == 2  # epoch 2 was recorded, then its callback broke
    assert not (broken / runs.LOCK).exists()

    done = tmp_path / "done"
    r = fit(ds, "kmer-bert", cfg, run_dir=done)
    info = json.loads((done / runs.RUN_JSON).read_text())
    assert info["status"] == "finished" and info["epochs_done"] == len(r.history) == 3
    assert info["best_epoch"] == r.best_epoch >= 1 and "finished" in info
    assert info["final_metrics"]["valid"] == pytest.approx(r.valid_metrics)


def test_load_options_are_checked_before_load_sees_them(tmp_path, capsys):
    """An imported run.json's load_options went straight into load(): a TypeError."""
    from genoviz.cli import main

    run = tmp_path / "r"
    runs.write_run_json(run.mkdir() or run, {"dataset": {"load_options": {"width": 50}}})
    assert run_data.load_options(runs.load_run(run)) == {"width": 50}
    for bad in ({"trust": True}, {"genome": 5}, {"width": -1}, ["labels"]):
        runs.write_run_json(run, {"model": {"name": "cnn", "build": {}},
                                  "dataset": {"spec": "x.csv", "load_options": bad}})  # fmt: skip
        with pytest.raises(runs.RunError, match="load_options"):
            run_data.load_options(runs.load_run(run))
    assert main(["interpret", "filters", "--run", str(run), "--out", str(tmp_path / "o")]) == 2
    assert "load_options" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["abc", 40.5, True, 0])
def test_check_usable_names_a_damaged_seq_len(tmp_path, value):
    """The pages read run.json's numbers through check_usable too: a hand-edited seq_len is
    named with its file and field, not a traceback from int()."""
    run = runs.Run(tmp_path, {"model": {"name": "cnn", "build": {"seq_len": value}}}, [])
    with pytest.raises(runs.RunError, match=r"run.json: the model build's seq_len is .*whole"):
        runs.check_usable(run, dataset=False)
    runs.check_usable(
        runs.Run(tmp_path, {"model": {"name": "cnn", "build": {"seq_len": 9}}}, []), dataset=False
    )
