import json

import pytest
import torch

from genoviz import runs


def test_safe_name_never_leaves_the_folder():
    for bad in ["../../etc/passwd", "a/b", "..", "", "x\x00y", "/abs", "名前"]:
        name = runs.safe_name(bad)
        assert name and "/" not in name and name not in {".", ".."} and "\x00" not in name


def test_new_run_dirs_are_unique(tmp_path):
    a = runs.new_run_dir(tmp_path, "same")
    b = runs.new_run_dir(tmp_path, "same")
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
    d = runs.new_run_dir(tmp_path, "r")
    runs.write_run_json(d, {"status": "finished"})
    (tmp_path / "junk").mkdir()
    listed = runs.list_runs(tmp_path)
    assert [r.name for r in listed] == [d.name] and listed[0].status == "finished"
    assert runs.list_runs(tmp_path / "missing") == []


def test_weights_from_another_architecture_give_a_clear_error(tmp_path):
    import models

    d = runs.new_run_dir(tmp_path, "old")
    runs.write_run_json(d, {"model": {"name": "cnn", "build": {"seq_len": 21}}, "versions": {}})
    runs.save_weights(d, torch.nn.Linear(3, 2))  # not what cnn expects
    with pytest.raises(runs.RunError, match="retrain the run"):
        runs.load_run(d).load_model()
    assert models  # the registry rebuilt the model before the weights were refused
