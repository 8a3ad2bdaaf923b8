"""AppTest checks for teaching and sharing: links restore the Train setup, the Lesson and
Runs pages load and act. (Fragments and the live lesson are covered in the browser.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import deep_link

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("genoviz-cache")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_dir: Path) -> Path:
    runs = tmp_path / "runs"
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(runs))
    monkeypatch.setenv("GENOVIZ_CACHE_DIR", str(cache_dir))
    monkeypatch.syspath_prepend(str(ROOT))
    return runs


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_train_link_restores_the_setup_and_the_url_follows_the_widgets():
    at = deep_link(
        "pages/train.py",
        dataset="sirna",
        model="cnn",
        epochs="3",
        lr="0.0003",
        batch="64",
        seed="7",
    )
    ok(at)
    assert at.selectbox(key="train_dataset").value == "sirna"
    assert at.selectbox(key="train_model").value == "cnn"
    assert at.number_input(key="train_epochs").value == 3
    assert at.select_slider(key="train_lr").value == pytest.approx(3e-4)
    assert at.selectbox(key="train_batch").value == 64
    assert at.number_input(key="train_seed").value == 7
    assert at.query_params["dataset"] == "sirna" and at.query_params["seed"] == "7"
    at.number_input(key="train_seed").set_value(11).run()
    ok(at)
    assert at.number_input(key="train_seed").value == 11  # the link is not re-applied
    assert at.query_params["seed"] == "11"
    codes = [c.value for c in at.code]
    assert any("seed=11" in c and "dataset=sirna" in c for c in codes)


def test_a_bad_link_value_is_a_warning_not_an_error():
    at = deep_link("pages/train.py", dataset="nope", epochs="9999", seed="5")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "dataset" in warnings and "epochs" in warnings
    assert at.selectbox(key="train_dataset").value == "tf-binding"
    assert at.number_input(key="train_seed").value == 5


def app(switch: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    if switch:
        at.switch_page(switch).run()
    return at


def test_home_starts_the_lesson_at_step_one():
    at = app()
    ok(at)
    at.button(key="home_lesson").click().run()
    ok(at)
    assert at.title[0].value.startswith("Lesson")
    assert at.header[0].value == "1. A dataset and its planted truth"


def test_lesson_steps_one_to_three_and_the_scan_controls():
    at = deep_link("pages/lesson.py", dataset="tf-binding")
    ok(at)
    assert at.selectbox(key="lesson_dataset").value == "tf-binding"
    sites = at.dataframe[0].value
    assert sites["motif"].str.contains("JUND").all()  # the example sequence's planted sites
    assert at.query_params["step"] == "1"
    at.button(key="lesson_next_bottom").click().run()
    ok(at)
    assert at.header[0].value.startswith("2.")
    at.text_input(key="lesson_own").input("ttgactcaN").run()
    ok(at)
    assert "TTGACTCAN" in [c.value for c in at.code]
    at.text_input(key="lesson_own").input("ACGZ").run()
    assert "'Z'" in " ".join(e.value for e in at.error)
    at.text_input(key="lesson_own").input("").run()
    at.button(key="lesson_next_bottom").click().run()
    ok(at)
    assert at.header[0].value.startswith("3.")
    assert at.selectbox(key="lesson_filter").value.startswith("planted motif: JUND")
    at.button(key="lesson_pos_best").click().run()
    best = at.slider(key="lesson_pos").value
    at.button(key="lesson_pos_next").click().run()
    assert at.slider(key="lesson_pos").value == best + 1
    assert at.query_params["pos"] == str(best)  # 0-based in the URL
    assert "its best match is at position" in " ".join(m.value for m in at.markdown)


def test_a_lesson_link_carries_the_typed_word():
    at = deep_link("pages/lesson.py", dataset="tf-binding", step="3")
    ok(at)
    at.selectbox(key="lesson_filter").select("a word you type").run()
    at.text_input(key="lesson_word").input("gattaca").run()
    ok(at)
    assert at.query_params["word"] == "GATTACA" and "filter" not in at.query_params
    link = dict(at.query_params)
    opened = deep_link("pages/lesson.py", **{k: v[0] if isinstance(v, list) else v
                                         for k, v in link.items()})  # fmt: skip
    ok(opened)
    assert opened.selectbox(key="lesson_filter").value == "a word you type"
    assert opened.text_input(key="lesson_word").value == "GATTACA"
    bad = deep_link("pages/lesson.py", dataset="tf-binding", step="3", word="GATXACA")
    assert "Ignored word='GATXACA'" in " ".join(w.value for w in bad.warning)


def single_forward_site(name: str = "tf-binding") -> tuple[int, str, int]:
    """(row, motif key, 0-based start) of a bound sequence with one planted site on the +
    strand, where scanning with that motif's filter finds the site as the best match."""
    from genoviz.data import load
    from genoviz.lesson import planted_motifs, planted_sites, pwm_filter, scan
    from genoviz.onehot import one_hot

    ds = load(name)
    motifs = planted_motifs(ds)
    for i in map(int, (ds.labels > 0.5).nonzero()[0]):
        sites = planted_sites(ds, i)
        if len(sites) == 1 and sites[0].strand == "+":
            site = sites[0]
            if scan(one_hot(ds.sequences[i])[0], pwm_filter(motifs[site.motif])).best == site.start:
                return i, site.motif, site.start
    raise AssertionError("no such sequence")


def test_lesson_steps_one_and_three_give_a_site_the_same_1_based_position():
    row, motif, start = single_forward_site()
    at = deep_link("pages/lesson.py", dataset="tf-binding", seq=str(row))
    ok(at)
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["motif", "start", "strand"]
    assert shown["start"].tolist() == [start + 1]  # 1-based, as in every step
    for _ in range(2):
        at.button(key="lesson_next_bottom").click().run()
    ok(at)
    at.selectbox(key="lesson_filter").select(f"planted motif: {motif}").run()
    at.button(key="lesson_pos_best").click().run()
    ok(at)
    assert at.slider(key="lesson_pos").value == start + 1
    text = " ".join(m.value for m in at.markdown)
    assert f"its best match is at position {start + 1} " in text


def test_step_five_titles_planted_logos_briefly():
    from pages._lesson_steps import truth_title

    assert truth_title("JUND (MA0492.2)", "-") == "planted JUND (MA0492.2), rev. comp."
    assert truth_title("JUND (MA0491.3)", "+") == "planted JUND (MA0491.3)"


def test_lesson_link_opens_the_scan_at_the_shared_position():
    at = deep_link("pages/lesson.py", dataset="sirna", step="3", seq="4", pos="5", filter="0")
    ok(at)
    assert at.header[0].value.startswith("3.")
    assert at.selectbox(key="lesson_dataset").value == "sirna"
    assert at.slider(key="lesson_pos").value == 6
    assert at.selectbox(key="lesson_filter").value == "a word you type"  # sirna: no motif


def test_a_lesson_link_past_the_lesson_epochs_warns_and_keeps_the_default():
    """epochs=100 is a valid Train link but beyond the Lesson box (it once came back as 1)."""
    from genoviz.lesson import LESSON_EPOCHS

    at = deep_link("pages/lesson.py", dataset="tf-binding", step="4", epochs="100")
    ok(at)
    assert "asks for 100 epochs; a lesson trains at most 50" in at.warning[0].value
    assert at.number_input(key="lesson_epochs").value == LESSON_EPOCHS
    at = deep_link("pages/lesson.py", dataset="tf-binding", step="4", epochs="20")
    ok(at)
    assert not at.warning and at.number_input(key="lesson_epochs").value == 20


def test_lesson_step_five_without_training_points_back():
    at = deep_link("pages/lesson.py", dataset="promoters", step="5")
    ok(at)
    assert "Train the network first" in at.info[0].value
    at.button(key="lesson_to_train").click().run()
    assert at.header[0].value.startswith("4.")


def test_runs_page_lists_compares_exports_renames_and_deletes(isolated: Path):
    import models
    from genoviz import run_folders, runs

    for name, auc in (("a", 0.7), ("b", 0.8)):
        d = run_folders.new_run_dir(isolated, name)
        build = {"seq_len": 12, "members": 1, "filters": 3, "kernel": 5}
        runs.write_run_json(
            d,
            {
                "status": "finished",
                "model": {"name": "cnn", "build": build},
                "dataset": {"name": "toy", "spec": "toy"},
                "final_metrics": {"test": {"roc_auc": auc}},
            },
        )
        runs.append_metrics(d, {"epoch": 1, "train_loss": 0.7, "valid_roc_auc": auc})
        runs.save_weights(d, models.get("cnn", **build))
    at = app("pages/runs.py")
    ok(at)
    table = at.dataframe[0].value
    assert sorted(table["test ROC AUC"]) == ["0.700", "0.800"]
    assert len(at.multiselect(key="runs_overlay").value) == 2
    assert at.selectbox(key="runs_curve").value == "valid_roc_auc"
    keys = [b.key for b in at.download_button]
    assert "runs_zip" in keys and "runs_report" in keys
    first = at.selectbox(key="runs_pick").value
    assert at.button(key="runs_delete").disabled
    at.text_input(key=f"runs_new_name_{first}").input("renamed")
    at.button[[b.label for b in at.button].index("Rename")].click().run()
    ok(at)
    assert (isolated / "renamed").is_dir() and not (isolated / first).exists()
    assert at.selectbox(key="runs_pick").value == "renamed"
    at.checkbox(key="runs_confirm_renamed").check().run()
    at.button(key="runs_delete").click().run()
    ok(at)
    assert not (isolated / "renamed").exists()
    assert len(at.dataframe[0].value) == 1


def test_runs_page_alone_without_runs_explains_and_offers_import():
    at = deep_link("pages/runs.py")
    ok(at)
    assert "No runs yet" in at.info[0].value
    assert at.expander[0].label == "Import a run (zip)"


@pytest.mark.parametrize("available", [True, False])
def test_figures_offer_png_and_svg_only_where_static_export_works(
    monkeypatch: pytest.MonkeyPatch, available: bool
):
    import pages._figures as figures

    reason = "PNG/SVG export needs Chrome or Chromium on this machine"
    monkeypatch.setattr(figures, "static_export_problem", lambda: None if available else reason)
    at = deep_link("pages/lesson.py", dataset="sirna", step="2")
    ok(at)
    keys = [b.key for b in at.download_button]
    assert "dl_html_lesson-one-hot" in keys and "dl_csv_lesson-one-hot" in keys
    assert ("dl_png_lesson-one-hot" in keys) is available
    assert ("dl_svg_lesson-one-hot" in keys) is available
    off = [b for b in at.button if b.key == "dl_nostatic_lesson-one-hot"]
    assert len(off) == (0 if available else 1)
    if off:
        assert off[0].disabled and reason in off[0].help


@pytest.mark.parametrize(
    "name", ["tf-binding", "sirna", "promoters", "splice-sites", "tf-multitask", "codon-species"]
)
def test_lesson_steps_one_to_three_work_for_every_bundled_dna_set(name: str):
    from genoviz.lesson import lesson_datasets

    assert name in lesson_datasets()
    at = deep_link("pages/lesson.py", dataset=name)
    ok(at)
    for step in (2, 3):
        at.button(key="lesson_next_bottom").click().run()
        ok(at)
        assert at.header[0].value.startswith(f"{step}.")
    assert at.slider(key="lesson_pos").value >= 1
    assert any(b.key == "dl_csv_lesson-scan" for b in at.download_button)


def test_runs_page_resumes_a_stopped_run_where_it_left_off(isolated: Path):
    from genoviz.data import load
    from genoviz.training import TrainConfig, fit

    ds = load("sirna")
    config = TrainConfig(epochs=3, runs_dir=str(isolated), seed=0)
    seen: list[int] = []
    # Stop at the first batch of epoch 2: one finished epoch, then "stopped".
    first = fit(
        ds,
        "cnn",
        config,
        on_epoch=lambda r: seen.append(r["epoch"]),
        should_stop=lambda: len(seen) >= 1,
    )
    assert first.status == "stopped" and len(first.history) == 1
    at = deep_link("pages/runs.py")
    ok(at)
    assert at.button(key="runs_resume").label == "Resume"
    at.button(key="runs_resume").click().run()
    ok(at)
    assert "Resumed" in at.success[0].value and "after epoch 1" in at.success[0].value
    job = at.session_state["train_job"]
    assert job.wait(120) == "finished"
    assert [r["epoch"] for r in job.history] == [1, 2, 3]  # the run's history goes on
    assert job.result.run_dir == first.run_dir  # in the same run folder


def test_the_lesson_trains_on_the_sequence_only(isolated: Path):
    """Step 4 describes filters reading the sequence; with tf-binding's accessibility the
    ROC AUC it showed came mostly from that score."""
    at = deep_link("pages/lesson.py", dataset="tf-binding", step="4", epochs="1")
    ok(at)
    at.button(key="lesson_train").click().run()
    job = at.session_state["lesson_job"]
    assert job.config.use_extras is False
    assert job.wait(180) == "finished", job.message
    from genoviz.runs import load_run

    assert load_run(job.result.run_dir).info["model"]["build"]["extras"] == 0
    # a reload, or a student opening the shared step-5 link, finds that network on disk
    # (it said "Train the network first" though the run was saved)
    again = deep_link("pages/lesson.py", dataset="tf-binding", step="5", epochs="1")
    ok(again)
    assert not [i.value for i in again.info if "Train the network first" in i.value]
    assert any("similarity r =" in c.value for c in again.caption)
    again.session_state["lesson_step"] = 4
    again.run()
    assert any("read back from disk" in s.value for s in again.success)
    filters = again.session_state["lesson_job"].result.model.first_layer_filters()
    trained = job.result.model.first_layer_filters()
    assert filters.shape == trained.shape and bool((filters == trained).all())
    other = deep_link("pages/lesson.py", dataset="tf-binding", step="5", epochs="1", seed="7")
    assert "Train the network first" in other.info[0].value  # another seed: not that run


def test_the_lesson_waits_for_a_training_place_like_the_train_page(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
):
    """A hall of students on step 4 started every training at once, past GENOVIZ_MAX_JOBS."""
    from test_job_safety import FolderJob

    from genoviz import jobs

    manager = jobs.JobManager(max_jobs=1)
    monkeypatch.setattr(jobs, "_default", manager)
    busy = manager.submit(FolderJob(isolated / "another-student"))
    at = deep_link("pages/lesson.py", dataset="sirna", step="4", epochs="1")
    ok(at)
    at.button(key="lesson_train").click().run()
    job = at.session_state["lesson_job"]
    try:
        assert job.status == "queued"
        assert any("queued, position 1" in m.value for m in at.markdown)
        # a reload (a new session, the same address) waits on the same place in line,
        # instead of forgetting it and queueing a second copy
        reloaded = deep_link("pages/lesson.py", **at.query_params)
        ok(reloaded)
        assert reloaded.session_state["lesson_job"] is job
        assert reloaded.button(key="lesson_train").disabled
        assert any("queued, position 1" in m.value for m in reloaded.markdown)
        # the lesson's ticket is not a Train page job
        train = deep_link("pages/train.py", job=at.query_params["job"])
        ok(train)
        assert "train_job" not in train.session_state
    finally:
        busy.end()
    assert job.wait(180) == "finished", job.message
