"""The Runs page: compared curves name every run, rename refuses names it would change,
and a failed zip import says so once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from genoviz import run_folders, run_lock, runs

ROOT = Path(__file__).resolve().parents[1]


def save_run(root: Path, name: str, aucs: list[float | None]) -> Path:
    """A finished run folder ``root/name`` whose epochs recorded these valid ROC AUCs."""
    d = root / name
    d.mkdir(parents=True)
    runs.write_run_json(
        d,
        {
            "status": "finished",
            "model": {"name": "cnn", "build": {"seq_len": 12}},
            "dataset": {"name": "toy", "spec": "toy", "task": "binary"},
        },
    )
    for epoch, auc in enumerate(aucs, 1):
        runs.append_metrics(d, {"epoch": epoch, "train_loss": 0.7, "valid_roc_auc": auc})
    return d


def runs_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "runs.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_compare_names_the_runs_without_values_and_the_one_line_left(runs_dir: Path):
    save_run(runs_dir, "with-auc", [0.6, 0.7])
    save_run(runs_dir, "one-class-valid", [None, None])  # NaN AUCs are stored as null
    at = runs_page()
    assert sorted(at.multiselect(key="runs_overlay").value) == ["one-class-valid", "with-auc"]
    assert at.selectbox(key="runs_curve").value == "valid_roc_auc"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in spec["data"]] == ["with-auc"]
    assert spec["layout"]["showlegend"] is True  # one line, still named
    notes = [i.value for i in at.info]
    assert any("No line for `one-class-valid`" in n and "valid ROC AUC" in n for n in notes), notes
    assert not any("with-auc" in n for n in notes)


def test_a_run_with_no_finished_epoch_is_said_to_have_none_yet(runs_dir: Path):
    save_run(runs_dir, "with-auc", [0.6, 0.7])
    save_run(runs_dir, "just-started", [])
    at = runs_page()
    assert "just-started" in at.multiselect(key="runs_overlay").value
    notes = [i.value for i in at.info]
    assert any("`just-started`: no epoch has finished yet" in n for n in notes), notes
    assert not any("just-started" in n and "other task" in n for n in notes)


def test_compare_starts_with_the_newest_run_and_others_of_its_task(runs_dir: Path):
    """Runs of another task share no curve, so they are not overlaid by default."""
    save_run(runs_dir, "old-binary", [0.6, 0.7])
    reg = runs_dir / "newer-regression"
    reg.mkdir()
    runs.write_run_json(
        reg,
        {
            "status": "finished",
            "created": "2099-01-01T00:00:00",  # the newest
            "model": {"name": "cnn", "build": {"seq_len": 12}},
            "dataset": {"name": "sirna", "spec": "sirna", "task": "regression"},
            "final_metrics": {"test": {"pearson": 0.5}},
        },
    )
    runs.append_metrics(reg, {"epoch": 1, "train_loss": 0.1, "valid_pearson": 0.5})
    at = runs_page()
    assert at.multiselect(key="runs_overlay").value == ["newer-regression"]
    curve = at.selectbox(key="runs_curve")
    assert curve.value == "valid_pearson" and "valid Pearson r" in curve.options
    table = at.dataframe[0].value.set_index("run")  # a metric a run lacks reads "–"
    assert table["test Pearson r"].tolist() == ["0.500", "–"]


def test_an_autoencoder_pretraining_run_is_not_paired_with_a_run_of_the_sets_task(
    runs_dir: Path,
):
    """The autoencoder pretrains on a regression set, yet shares no curve with a
    regression run on it (its curve is reconstruction accuracy)."""
    reg = runs_dir / "sirna-cnn"
    reg.mkdir(parents=True)
    sirna = {"name": "sirna", "spec": "sirna", "task": "regression"}
    runs.write_run_json(reg, {"status": "finished", "model": {"name": "cnn"}, "dataset": sirna})
    runs.append_metrics(reg, {"epoch": 1, "train_loss": 0.1, "valid_pearson": 0.5})
    ae = runs_dir / "sirna-autoencoder"
    ae.mkdir()
    runs.write_run_json(
        ae,
        {
            "status": "finished",
            "created": "2099-01-01T00:00:00",  # the newest
            "purpose": "pretraining (autoencoder)",
            "model": {"name": "autoencoder"},
            "dataset": sirna,
        },
    )
    runs.append_metrics(ae, {"epoch": 1, "train_loss": 0.1, "valid_accuracy": 0.4})
    at = runs_page()
    assert at.multiselect(key="runs_overlay").value == ["sirna-autoencoder"]


def test_rename_refuses_a_name_it_would_change_and_says_what_is_allowed(runs_dir: Path):
    save_run(runs_dir, "mine", [0.6])
    at = runs_page()
    for bad, why in (("../evil", "contains '/'"), ("", "Type a new name"), ("a/b", "'/'")):
        at.text_input(key="runs_new_name_mine").input(bad)
        at.button[[b.label for b in at.button].index("Rename")].click().run()
        assert not at.exception, [e.value for e in at.exception]
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and why in errors[0], errors
        assert "letters A-Z and a-z, digits" in errors[0]
        assert sorted(p.name for p in runs_dir.iterdir()) == ["mine"]
        assert not (runs_dir.parent / "evil").exists()


def test_a_run_training_now_offers_no_rename_or_delete(runs_dir: Path):
    run = save_run(runs_dir, "live", [0.6])
    with run_lock.RunLock(run):
        at = runs_page()
        at.checkbox(key="runs_confirm_live").check().run()
        buttons = {b.label: b.disabled for b in at.button}
        assert buttons["Rename"] and buttons["Delete run"], buttons
        assert any("rename and delete wait" in c.value for c in at.caption)
    at = runs_page()
    at.checkbox(key="runs_confirm_live").check().run()
    buttons = {b.label: b.disabled for b in at.button}
    assert not buttons["Rename"] and not buttons["Delete run"], buttons


def test_a_failed_import_says_so_once_then_a_good_one_is_listed(runs_dir: Path):
    src = save_run(runs_dir.parent / "elsewhere", "shared-run", [0.6])
    from genoviz.runs_archive import export_zip

    at = runs_page()
    at.file_uploader(key="runs_import_file").upload("broken.zip", b"PK not a zip").run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors == ["`broken.zip` was not imported: the file is not a zip archive."]
    at.run()  # any later action, the broken file still in the uploader
    assert not at.error, [e.value for e in at.error]
    assert "No runs yet" in at.info[0].value
    at.file_uploader(key="runs_import_file").upload("good.zip", export_zip(src)).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "Imported `good.zip` as `shared-run`."
    assert at.dataframe[0].value["run"].tolist() == ["shared-run"]
    at.run()
    assert not at.success  # said once


def test_a_renamed_run_stays_on_the_compare_chart(runs_dir: Path):
    """The overlay kept the old name, so the chart went blank after a rename."""
    save_run(runs_dir, "mine", [0.6, 0.7])
    at = runs_page()
    assert at.multiselect(key="runs_overlay").value == ["mine"]
    at.text_input(key="runs_new_name_mine").input("theirs")
    at.button[[b.label for b in at.button].index("Rename")].click().run()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="runs_overlay").value == ["theirs"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in spec["data"]] == ["theirs"]


@pytest.mark.training
def test_a_resumed_run_reads_running_not_stopping(runs_dir: Path):
    """Resume after Stop: the earlier Stop's flag made the new job read 'stopping'."""
    from genoviz.data import load
    from genoviz.training import TrainConfig, fit

    config = TrainConfig(epochs=3, runs_dir=str(runs_dir), run_name="sirna-cnn")
    config.hparams = {"members": 1, "filters": 4}
    ended: list[int] = []  # Stop is pressed once the first epoch is done
    stopped = fit(
        load("sirna"), "cnn", config, on_epoch=ended.append, should_stop=lambda: bool(ended)
    )
    assert stopped.status == "stopped"
    at = runs_page()
    at.session_state["train_stop_requested"] = True  # the Stop that ended the first run
    at.button(key="runs_resume").click().run()
    job = at.session_state["train_job"]
    try:
        assert at.session_state["train_stop_requested"] is False
    finally:
        job.stop()
        job.wait(120)


@pytest.mark.training
def test_a_run_on_uploaded_data_resumes_with_the_session_data_or_says_to_load_it(
    runs_dir: Path,
):
    """An upload's run names only the file: Resume looked for it in the server's working
    folder and failed ('neither a bundled dataset nor an existing file')."""
    from conftest import planted_dataset

    from genoviz.data import load_text
    from genoviz.training import TrainConfig, fit

    ds = planted_dataset(120)
    text = "id,sequence,label\n" + "".join(
        f"{i},{s},{int(y)}\n" for i, (s, y) in enumerate(zip(ds.sequences, ds.labels, strict=True))
    )
    uploaded = load_text(text, "mydata-upload.csv")
    config = TrainConfig(epochs=3, runs_dir=str(runs_dir), run_name="upload-mlp")
    ended: list[int] = []
    stopped = fit(uploaded, "mlp", config, on_epoch=ended.append, should_stop=lambda: bool(ended))
    assert stopped.status == "stopped"
    at = runs_page()
    at.button(key="runs_resume").click().run()
    errors = [e.value for e in at.error]
    assert any("uploaded or pasted on the Data page" in e and "Load it again" in e for e in errors)
    at.session_state["user_dataset"] = load_text(text, "mydata-upload.csv")  # loaded again
    at.button(key="runs_resume").click().run()
    job = at.session_state["train_job"]
    assert job.wait(120) and job.status == "finished", job.message
    assert [r["epoch"] for r in runs.load_run(stopped.run_dir).history] == [1, 2, 3]


@pytest.mark.training
def test_a_run_stopped_before_its_first_epoch_is_marked_untrained(runs_dir: Path):
    """Its test metrics are those of the starting model: lists must not read them as a
    result."""
    from genoviz.data import load
    from genoviz.runs_archive import status_label
    from genoviz.training import TrainConfig, fit
    from pages._run_pickers import run_label

    config = TrainConfig(epochs=3, runs_dir=str(runs_dir), run_name="early")
    config.hparams = {"members": 1, "filters": 4}
    stopped = fit(load("sirna"), "cnn", config, should_stop=lambda: True)
    assert stopped.status == "stopped" and stopped.history == []
    done = save_run(runs_dir, "trained", [0.6])
    early, trained = runs.load_run(stopped.run_dir), runs.load_run(done)
    assert early.untrained and not trained.untrained
    assert status_label(early) == "stopped before epoch 1"
    assert status_label(trained) == "finished"
    assert "untrained (stopped before epoch 1)" in run_label(early)
    assert "untrained" not in run_label(trained)
    at = runs_page()
    table = at.dataframe[0].value.set_index("run")
    assert table.loc[early.name, "status"] == "stopped before epoch 1"
    assert table.loc["trained", "status"] == "finished"


def test_a_damaged_run_folder_is_named_with_its_reason_and_can_be_deleted(runs_dir: Path):
    """list_runs skips what it cannot read, so such a folder was seen nowhere."""
    save_run(runs_dir, "fine", [0.6])
    bad = runs_dir / "broken"
    bad.mkdir()
    (bad / "run.json").write_text("[1, 2]")
    at = runs_page()
    assert at.dataframe[0].value["run"].tolist() == ["fine"]
    notes = [m.value for m in at.markdown]
    assert any("`broken`" in n and "holds a JSON list, not an object" in n for n in notes), notes
    assert at.button(key="runs_damaged_delete_broken").disabled
    at.checkbox(key="runs_damaged_confirm_broken").check().run()
    at.button(key="runs_damaged_delete_broken").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not bad.exists() and (runs_dir / "fine").exists()
    assert not any("could not be read" in getattr(e, "label", "") for e in at.expander)


def test_compare_opens_on_the_task_headline_metric_and_the_table_says_no_best_epoch(
    runs_dir: Path,
):
    """It opened on valid PR AUC (first in order), and a run without a kept epoch read
    'None'."""
    d = save_run(runs_dir, "both", [])
    for epoch in (1, 2):
        runs.append_metrics(
            d, {"epoch": epoch, "valid_pr_auc": 0.3, "valid_roc_auc": 0.7, "train_loss": 0.6}
        )
    at = runs_page()
    assert at.selectbox(key="runs_curve").value == "valid_roc_auc"
    assert at.dataframe[0].value["kept epoch"].tolist() == ["–"]


def test_a_run_another_session_trains_can_be_stopped_here_not_resumed_twice(
    runs_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """A closed tab left a job nobody could stop, and a second Resume trained into the
    run beside the first."""
    from test_job_safety import FolderJob

    from genoviz import jobs

    run = save_run(runs_dir, "live", [0.6])
    runs.write_run_json(run, runs.load_run(run).info | {"status": "stopped"})
    manager = jobs.JobManager(max_jobs=1)
    monkeypatch.setattr(jobs, "_default", manager)
    busy = manager.submit(FolderJob(runs_dir / "elsewhere"))
    waiting = manager.submit(FolderJob(run))  # another session's Resume, queued
    at = runs_page()
    labels = {b.label: b.disabled for b in at.button}
    assert "Resume" not in labels and labels["Rename"], labels
    assert labels["Stop training"]  # a classmate's job: tick the box first
    assert any("waits for a training place" in c.value for c in at.caption)
    at.checkbox(key="runs_stop_sure_live").check().run()
    at.button(key="runs_stop").click().run()
    assert waiting.stopped and not busy.stopped
    waiting.end()
    busy.end()
    at = runs_page()
    assert "Stop training" not in {b.label for b in at.button}


def test_a_folder_the_server_cannot_read_is_not_offered_for_deletion(
    runs_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """Perhaps another user's good run (files made 0600 before): mend, never delete."""
    bad = runs_dir / "theirs"
    bad.mkdir(parents=True)
    (bad / runs.RUN_JSON).write_text("{not json")
    monkeypatch.setattr(run_folders, "unreadable", lambda path: Path(path).name == "theirs")
    at = runs_page()
    assert any("chmod -R a+rX" in c.value for c in at.caption)
    assert "Delete folder" not in {b.label for b in at.button}


def test_the_servers_jobs_are_listed_and_a_waiting_one_can_be_stopped(
    runs_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """A job queued from a tab that was then closed started later and trained for nobody,
    with no folder yet to stop it from."""
    from conftest import planted_dataset
    from test_job_safety import FolderJob

    from genoviz import jobs
    from genoviz.training import TrainConfig
    from genoviz.training_job import TrainingJob

    manager = jobs.JobManager(max_jobs=1)
    monkeypatch.setattr(jobs, "_default", manager)
    busy = manager.submit(FolderJob(runs_dir / "someone"))
    config = TrainConfig(epochs=1, device="cpu", runs_dir=str(runs_dir))
    waiting = manager.submit(TrainingJob(planted_dataset(120), "cnn", config))
    try:
        at = runs_page()
        lines = " ".join(m.value for m in at.markdown)
        assert "1 training, 1 waiting" in lines
        assert "**cnn** on ? into `someone`: running, epoch 1 of 3" in lines
        assert "**cnn** on toy: waiting, place 1" in lines
        stops = [b for b in at.button if b.key and b.key.startswith("runs_job_stop_1_")]
        assert stops[0].disabled  # one misclick must not end a classmate's training
        at.checkbox(key="runs_jobs_sure").check().run()
        stops = [b for b in at.button if b.key and b.key.startswith("runs_job_stop_1_")]
        stops[0].click().run()
        assert waiting.status == "stopped" and manager.queued == 0
    finally:
        busy.end()
