"""Run zips (export, hostile imports), rename, delete and the interrupted label."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
import torch

import models
from genoviz import run_folders, run_lock, runs
from genoviz.runs_archive import (
    delete_run,
    export_zip,
    import_zip,
    rename_run,
    status_label,
)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    d = run_folders.new_run_dir(tmp_path / "runs", "tiny")
    build = {"seq_len": 12, "outputs": 1, "extras": 0, "members": 1, "filters": 3, "kernel": 5}
    model = models.get("cnn", **build)
    record = {"status": "finished", "model": {"name": "cnn", "build": build}, "dataset": {}}
    runs.write_run_json(d, record)
    runs.append_metrics(d, {"epoch": 1, "train_loss": 0.7, "valid_loss": 0.69})
    runs.save_weights(d, model)
    (d / "stray.txt").write_text("not part of a run")
    return d


def zip_of(files: dict[str, bytes | str], mode: int | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return buf.getvalue()


def test_export_then_import_gives_the_same_run(run_dir: Path, tmp_path: Path):
    data = export_zip(run_dir)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == sorted(
        f"{run_dir.name}/{f}" for f in (runs.RUN_JSON, runs.METRICS, runs.WEIGHTS)
    )
    other = tmp_path / "elsewhere"
    new = import_zip(data, other)
    assert new == other / run_dir.name
    back = runs.load_run(new)
    assert back.info == runs.load_run(run_dir).info and back.history[0]["epoch"] == 1
    ref = runs.load_run(run_dir).load_model().state_dict()
    for k, v in back.load_model().state_dict().items():
        assert torch.equal(v, ref[k])
    again = import_zip(data, other)  # a second import never overwrites the first
    assert again.name == f"{run_dir.name}-imported"
    assert not any(p.name.startswith(".import-") for p in other.iterdir())


RUN = '{"model": {"name": "cnn", "build": {}}, "dataset": {}}'


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"r/run.json": "{}", "r/../../evil.txt": "x"}, "not part of a genoviz run"),
        ({"/abs/run.json": RUN}, "not part of a genoviz run"),
        ({"r/run.json": RUN, "r/model.pt": b"\x80\x04pickle"}, "not part of"),
        ({"r/run.json": RUN, "r/hf/pytorch_model.bin": b"x"}, "not part of"),
        ({"r/metrics.jsonl": "{}"}, "no run.json"),
        ({"r/run.json": "[1, 2]"}, "does not describe a genoviz run: it holds a JSON list"),
        ({"r/run.json": '{"model": {}}'}, "does not describe a genoviz run: no model name"),
        ({"r/run.json": "{}"}, "does not describe a genoviz run: no model record"),
        ({"r/run.json": "{not json"}, "not valid JSON"),
        ({"r/run.json": RUN, "r/model.safetensors": b"\x80\x04pickle"}, "not a safetensors"),
    ],
)
def test_hostile_or_broken_zips_are_refused_and_leave_nothing(tmp_path: Path, files, message):
    root = tmp_path / "runs"
    with pytest.raises(runs.RunError, match=message):
        import_zip(zip_of(files), root)
    assert not root.exists() or list(root.iterdir()) == []


def test_links_and_non_zips_are_refused(tmp_path: Path):
    link = zip_of({"r/run.json": "/etc/passwd"}, mode=stat.S_IFLNK | 0o777)
    with pytest.raises(runs.RunError, match="link"):
        import_zip(link, tmp_path)
    with pytest.raises(runs.RunError, match="not a zip"):
        import_zip(b"PK-not-really", tmp_path)


def test_a_zip_of_the_folder_contents_imports_under_the_given_name(run_dir: Path, tmp_path: Path):
    files = {f: (run_dir / f).read_bytes() for f in (runs.RUN_JSON, runs.METRICS)}
    new = import_zip(zip_of(files), tmp_path / "in", name="../my run")
    assert new.name == "my-run" and (new / runs.RUN_JSON).is_file()


def test_a_folder_zipped_by_hand_on_a_mac_imports_without_its_clutter(
    run_dir: Path, tmp_path: Path
):
    files = {f"mine/{f}": (run_dir / f).read_bytes() for f in (runs.RUN_JSON, runs.METRICS)}
    clutter = {"mine/.DS_Store": b"\0", "__MACOSX/mine/._run.json": b"\0", "mine/._x": b""}
    new = import_zip(zip_of(files | clutter), tmp_path / "in")
    assert new.name == "mine"
    junk_first = import_zip(zip_of(clutter | files), tmp_path / "in2")  # named by the run
    assert junk_first.name == "mine"
    assert sorted(p.name for p in new.iterdir()) == sorted([runs.RUN_JSON, runs.METRICS])
    with pytest.raises(runs.RunError, match=r"'mine/notes\.txt' is not part of a genoviz run"):
        import_zip(zip_of(files | {"mine/notes.txt": b"hi"}), tmp_path / "in")


def test_rename_and_delete_stay_inside_the_root(run_dir: Path, tmp_path: Path):
    root = run_dir.parent
    new = rename_run(run_dir, " renamed-run ", root)  # surrounding spaces only are dropped
    assert new == root / "renamed-run" and new.is_dir() and not run_dir.exists()
    other = run_folders.new_run_dir(root, "other")
    runs.write_run_json(other, {"status": "finished"})
    with pytest.raises(runs.RunError, match="already exists"):
        rename_run(other, "renamed-run", root)
    outside = tmp_path / "not-a-run"
    outside.mkdir()
    with pytest.raises(runs.RunError, match="not a run folder"):
        delete_run(outside, root)
    delete_run(new, root)
    assert not new.exists() and other.exists()


def test_a_run_training_now_is_neither_renamed_nor_deleted(run_dir: Path):
    """Renaming a live run made its next write fail, and the moved lock kept it 'running'."""
    root = run_dir.parent
    with run_lock.RunLock(run_dir):  # this (live) process trains into it
        with pytest.raises(runs.RunError, match="is training now, so it cannot be renamed"):
            rename_run(run_dir, "elsewhere", root)
        with pytest.raises(runs.RunError, match="is training now, so it cannot be deleted"):
            delete_run(run_dir, root)
        assert run_dir.is_dir() and not (root / "elsewhere").exists()
    assert rename_run(run_dir, "elsewhere", root) == root / "elsewhere"  # once it has ended


def test_running_without_a_live_trainer_is_shown_as_interrupted(run_dir: Path):
    info = json.loads((run_dir / runs.RUN_JSON).read_text())
    runs.write_run_json(run_dir, info | {"status": "running"})
    assert status_label(runs.load_run(run_dir)) == "interrupted"  # nobody holds run.lock
    assert status_label(runs.load_run(run_dir), live=True) == "running"
    with run_lock.RunLock(run_dir):  # a live trainer (this process)
        assert status_label(runs.load_run(run_dir)) == "running"
    assert status_label(runs.load_run(run_dir)) == "interrupted"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil", "contains '/'"),
        ("a/b", "contains '/'"),
        ("a\\b", "contains '\\'"),
        ("my run", "contains a space"),
        ("..", "contains '..'"),
        ("a..b", "contains '..'"),
        (".hidden", "starts or ends with '.' or '-'"),
        ("x" * 81, "81 characters long"),
        ("", "Type a new name"),
        ("   ", "Type a new name"),
    ],
)
def test_rename_refuses_names_it_would_have_to_change(run_dir: Path, name: str, why: str):
    """Before, '../evil' silently became 'evil', '' became 'run' and 'a/b' became 'a-b'."""
    root = run_dir.parent
    before = sorted(p.name for p in root.iterdir())
    with pytest.raises(runs.RunError, match=r"not renamed|Type a new name") as err:
        rename_run(run_dir, name, root)
    assert why in str(err.value) and "letters A-Z and a-z, digits" in str(err.value)
    assert sorted(p.name for p in root.iterdir()) == before and run_dir.is_dir()
    assert not (root.parent / "evil").exists()


def test_rename_keeps_a_safe_name_exactly(run_dir: Path):
    new = rename_run(run_dir, "JUND_cnn-seed.2", run_dir.parent)
    assert new.name == "JUND_cnn-seed.2" and new.is_dir()


def test_a_damaged_or_encrypted_zip_is_a_run_error(run_dir: Path, tmp_path: Path):
    """The Runs page catches RunError only: zlib's and zipfile's own errors escaped."""
    data = bytearray(export_zip(run_dir))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(f"{run_dir.name}/{runs.WEIGHTS}")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start, start + min(64, info.compress_size)):
        data[i] ^= 0xFF  # scramble the compressed stream, not the zip's directory
    with pytest.raises(runs.RunError, match=r"damaged|unpack"):
        import_zip(bytes(data), tmp_path / "a")
    locked = bytearray(export_zip(run_dir))
    at = locked.find(b"PK\x01\x02")  # the central directory, whose flags zipfile reads
    while at != -1:  # set each member's "encrypted" flag, as zip -P does
        locked[at + 8] |= 0x1
        at = locked.find(b"PK\x01\x02", at + 4)
    with pytest.raises(runs.RunError, match="cannot be unpacked"):
        import_zip(bytes(locked), tmp_path / "b")


def test_damaged_run_files_are_run_errors_and_list_runs_skips_them(run_dir: Path):
    root = run_dir.parent
    bad = {"list": b"[1, 2]", "latin": b"\xff\xfe{}", "model": b'{"model": []}'}
    for name, raw in bad.items():
        (root / name).mkdir()
        (root / name / runs.RUN_JSON).write_bytes(raw)
        with pytest.raises(runs.RunError, match=r"does not describe a genoviz run|damaged"):
            runs.load_run(root / name)
    assert [r.name for r in run_folders.list_runs(root)] == [run_dir.name]  # the good one still
    (root / "bare").mkdir()
    (root / "bare" / runs.RUN_JSON).write_text("{}")
    with pytest.raises(runs.RunError, match="has no model and no dataset record"):
        runs.check_usable(runs.load_run(root / "bare"))
    (run_dir / runs.METRICS).write_bytes(b'{"epoch": 1}\n\xff\xfe\n[3]\n')
    assert runs.load_run(run_dir).history == [{"epoch": 1}]
    (run_dir / runs.WEIGHTS).write_bytes(b"garbage")
    with pytest.raises(runs.RunError, match="damaged weights"):
        runs.load_run(run_dir).load_model()
