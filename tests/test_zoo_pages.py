"""AppTest tests of the zoo's UI: the Zoo page (autoencoder, with/without extras), the Train
page's "Start from a saved run", and pretraining runs kept off the Predict page.

Tiny user datasets keep the training in seconds. (AppTest runs fragments inline only, so
each test waits on the job, then reruns the page.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import planted_dataset, reopened
from tests.test_background import extras_dataset

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(runs))
    monkeypatch.syspath_prepend(str(ROOT))  # pages import pages._common
    return runs


def app(page: str, dataset=None) -> AppTest:
    """The app through its real navigation on ``page``, with ``dataset`` as the user's."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if dataset is not None:
        at.session_state["user_dataset"] = dataset
        at.session_state["active_dataset"] = "__user__"
    at.run()
    at.switch_page(page).run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def text_of(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def figure_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def table_with(at: AppTest, column: str):
    """The one dataframe shown with ``column`` (AppTest does not expose dataframe keys)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def finish(at: AppTest, key: str, timeout: float = 180) -> str:
    """Wait for the session's job under ``key``, then rerun the page."""
    status = at.session_state[key].wait(timeout)
    at.run()
    ok(at)
    return status


# --- the Zoo page -------------------------------------------------------------------------


def test_zoo_page_widgets_on_tf_binding():
    at = app("pages/zoo.py")
    assert at.title[0].value == "Zoo"
    pick = at.selectbox(key="zoo_dataset")
    assert pick.value == "tf-binding" and "codon-corpus" not in pick.options  # no labels
    assert at.number_input(key="zoo_ae_epochs").value == 5
    assert not at.button(key="zoo_ae_start").disabled and at.button(key="zoo_ae_stop").disabled
    assert at.radio(key="zoo_gain_pair").value == "cnn"  # tf-binding has accessibility
    assert not at.button(key="zoo_gain_start").disabled
    assert "accessibility" in text_of(at)


def test_zoo_page_runs_on_its_own():
    at = AppTest.from_file(str(ROOT / "pages/zoo.py"), default_timeout=TIMEOUT).run()
    ok(at)
    assert at.title[0].value == "Zoo"


def test_autoencoder_then_fine_tune_from_it(isolated: Path):
    """Pretrain on the Zoo page, see the latent map; the run is no predictor, but the Train
    page offers it to start a classifier, and says what it copied and froze."""
    at = app("pages/zoo.py", planted_dataset(n=400))
    assert at.selectbox(key="zoo_dataset").value == "__user__"
    assert "has no extra per-sequence inputs" in " ".join(i.value for i in at.info)
    assert not [b for b in at.button if b.key == "zoo_gain_start"]
    at.number_input(key="zoo_ae_epochs").set_value(8).run()
    at.select_slider(key="zoo_ae_lr").set_value(1e-2).run()
    at.button(key="zoo_ae_start").click().run()
    ok(at)
    assert at.button(key="zoo_ae_start").disabled and not at.button(key="zoo_ae_stop").disabled
    assert finish(at, "zoo_ae_job") == "finished"
    assert "**Status:** finished" in text_of(at)
    metrics = {m.label: float(m.value) for m in at.metric}
    assert metrics["Test reconstruction accuracy"] > metrics["Always guessing the commonest base"]
    titles = figure_titles(at)
    assert "Reconstruction accuracy (share of bases rebuilt)" in titles
    assert "Autoencoder latent map, test split of toy" in titles
    assert "This session's last autoencoder: on toy" in [s.value for s in at.subheader]
    keys = [b.key for b in at.download_button]
    assert {"dl_csv_latent-map", "dl_html_latent-map"} <= set(keys)
    run_dir = at.session_state["zoo_ae_job"].result.run_dir
    assert run_dir.parent == isolated and f"`{run_dir}`" in text_of(at)
    assert run_dir.name.endswith("toy-autoencoder-pretraining")

    at.switch_page("pages/predict.py").run()
    ok(at)
    assert "pretraining runs" in at.info[0].value and not at.selectbox

    at.switch_page("pages/train.py").run()
    ok(at)
    assert at.selectbox(key="train_dataset").value == "__user__"
    at.selectbox(key="train_model").select("autoencoder").run()
    init = at.selectbox(key="train_init_from")
    assert init.options[1].startswith(run_dir.name) and "(pretraining)" in init.options[1]
    assert at.checkbox(key="train_freeze_trunk").disabled  # nothing chosen yet
    init.select(str(run_dir)).run()
    at.checkbox(key="train_freeze_trunk").check().run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    assert job.config.init_from == str(run_dir) and job.config.freeze_trunk
    assert finish(at, "train_job") == "finished"
    assert "**Transfer:** copied" in text_of(at) and "froze" in text_of(at)
    table = table_with(at, "tensor")
    assert (table["what"] == "copied, frozen").any()
    assert table["what"].str.startswith("in the run, not used").any()  # the decoder

    at.switch_page("pages/predict.py").run()
    ok(at)
    pick = at.selectbox(key="predict_run")
    assert pick.value == str(job.result.run_dir) and len(pick.options) == 1


def test_autoencoder_stop_keeps_what_it_learned():
    at = app("pages/zoo.py", planted_dataset(n=400))
    at.number_input(key="zoo_ae_epochs").set_value(200).run()
    at.button(key="zoo_ae_start").click().run()
    job = at.session_state["zoo_ae_job"]
    try:
        at.button(key="zoo_ae_stop").click().run()
    finally:
        job.stop()
    assert finish(at, "zoo_ae_job") == "stopped"
    assert "**Status:** stopped" in text_of(at)
    assert len(job.history) < 200
    assert "Autoencoder latent map, test split of toy" in figure_titles(at)


def test_a_reload_finds_the_zoo_job_and_its_dataset():
    """A reload is a new session: the Zoo's jobs lived only in the old one's state, so the
    page forgot them and Start trained a second copy. Each job's ticket in the address bar
    (ae=, gain=) finds it again, with the bundled dataset it trains on."""
    at = app("pages/zoo.py")
    at.selectbox(key="zoo_dataset").set_value("sirna").run()
    at.number_input(key="zoo_ae_epochs").set_value(200).run()
    at.button(key="zoo_ae_start").click().run()
    job = at.session_state["zoo_ae_job"]
    try:
        from genoviz.jobs import default_manager

        ticket = at.query_params["ae"]
        assert default_manager().find(ticket, "zoo-ae") is job and "gain" not in at.query_params
        assert default_manager().find(ticket, "train") is None  # the Train page's kind
        reloaded = reopened("pages/zoo.py", at.query_params)  # the same address
        ok(reloaded)
        assert reloaded.session_state["zoo_ae_job"] is job
        assert "zoo_gain_job" not in reloaded.session_state
        assert reloaded.selectbox(key="zoo_dataset").value == "sirna"
        assert reloaded.button(key="zoo_ae_start").disabled
        assert not reloaded.button(key="zoo_ae_stop").disabled
        # an unknown ticket (an old address, a server restart) attaches nothing
        fresh = reopened("pages/zoo.py", {"ae": "not-a-ticket"})
        ok(fresh)
        assert "zoo_ae_job" not in fresh.session_state
        assert not fresh.button(key="zoo_ae_start").disabled
        reloaded.button(key="zoo_ae_stop").click().run()
    finally:
        job.stop()
    assert job.wait(120) == "stopped"


def test_autoencoder_floor_is_the_test_splits_at_the_trained_length():
    """The commonest-base floor is compared with the test accuracy, so it is counted on
    the same bases: the test split, trimmed as the model read it. Here each test window
    is 19 A and one other base once trimmed to 20 bp (floor 0.95), while the whole set,
    or the untrimmed test windows, are far below."""
    ds = planted_dataset(n=120, length=24)
    ds.ensure_splits(0)
    for k, i in enumerate(ds.splits["test"]):
        # 28 bp, trimmed to its centre 20: 19 A and one C, G or T
        ds.sequences[i] = "CCCC" + "A" * 10 + "CGT"[k % 3] + "A" * 9 + "CCCC"
    at = app("pages/zoo.py", ds)
    at.number_input(key="zoo_ae_epochs").set_value(1).run()
    at.number_input(key="zoo_ae_seq_len").set_value(20).run()
    at.button(key="zoo_ae_start").click().run()
    assert finish(at, "zoo_ae_job") == "finished"
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Always guessing the commonest base"]) == pytest.approx(0.95)


def test_train_page_says_when_no_saved_run_fits():
    at = app("pages/train.py")
    notes = " ".join(i.value for i in at.info)
    assert "No saved run fits **cnn** on 101 bp sequences" in notes
    assert not [s for s in at.selectbox if s.key == "train_init_from"]


# --- with and without the extra inputs ----------------------------------------------------


def test_extras_gain_side_by_side():
    at = app("pages/zoo.py", extras_dataset())
    # the cnn pair first: the book's sequence-only model does not learn the bundled tf-binding
    assert at.radio(key="zoo_gain_pair").value == "cnn"
    at.number_input(key="zoo_gain_epochs").set_value(2).run()
    at.button(key="zoo_gain_start").click().run()
    ok(at)
    assert finish(at, "zoo_gain_job") == "finished"
    arms = [r["arm"] for r in at.session_state["zoo_gain_job"].history]
    assert arms == ["without", "without", "with", "with"]
    assert "Validation ROC AUC by epoch" in figure_titles(at)
    assert "ROC AUC with and without the extra inputs" in figure_titles(at)
    table = table_with(at, "variant")
    assert list(table["variant"]) == ["sequence only", "sequence + openness"]
    assert table["test"][1] > table["test"][0]  # only the extra column carries the label
    assert "a change of +" in text_of(at)
    assert {"dl_csv_extras-gain", "dl_html_extras-gain"} <= {b.key for b in at.download_button}
    # random sequences: the sequence-only arm is at chance, and the page says so
    gain = at.session_state["zoo_gain_job"].result
    assert gain.unlearned == ["sequence only"]
    warned = [w.value for w in at.warning]
    assert len(warned) == 1 and warned[0].startswith("**sequence only** (cnn) did not learn")


def test_extras_gain_stopped_is_not_compared():
    at = app("pages/zoo.py", extras_dataset())
    at.radio(key="zoo_gain_pair").set_value("cnn").run()
    at.number_input(key="zoo_gain_epochs").set_value(200).run()
    at.button(key="zoo_gain_start").click().run()
    job = at.session_state["zoo_gain_job"]
    try:
        at.button(key="zoo_gain_stop").click().run()
    finally:
        job.stop()
    assert finish(at, "zoo_gain_job") == "stopped"
    assert "no fair comparison" in at.warning[0].value
    assert not [d for d in at.dataframe if "variant" in d.value.columns]
