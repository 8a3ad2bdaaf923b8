"""Settings and pasted text survive a visit to another page (pages/_keep.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages._keep import KEPT, TRANSIENT, TRANSIENT_PREFIXES, is_kept

ROOT = Path(__file__).resolve().parents[1]
VALUE_WIDGETS = {
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "slider",
    "select_slider",
    "number_input",
    "text_input",
    "text_area",
    "date_input",
    "time_input",
    "color_picker",
    "pills",
    "segmented_control",
    "choose",  # pages/_common.choose: a select box
    "choose_many",  # pages/attention.choose_many: a multiselect
}


#: Page helpers that draw a value widget with the key given as this positional argument
#: (run pickers, the Data page's task box).
RUN_PICKERS = {"choose_run": 0, "choose_bert_run": 0, "choose_target": 2, "task_box": 0}


def key_constants(paths: list[Path]) -> dict[str, str]:
    """Module-level ``NAME = "text"`` in the pages: keys given by name (``key=SEQ``)."""
    out = {}
    for path in paths:
        for node in ast.parse(path.read_text()).body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                out[node.targets[0].id] = node.value.value
    return out


def widget_keys() -> dict[str, str]:
    """Keys of value widgets on the pages, given as text or by a page constant's name (an
    f-string gives its fixed start)."""
    found = {}
    paths = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
    names = key_constants(paths)
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            if name in RUN_PICKERS and len(node.args) > RUN_PICKERS[name]:
                key = node.args[RUN_PICKERS[name]]  # a helper that draws a select box
                if isinstance(key, ast.Constant):
                    found[key.value] = path.name
            for kw in node.keywords:
                if name not in VALUE_WIDGETS or kw.arg != "key":
                    continue
                if isinstance(kw.value, ast.Constant):
                    found[kw.value.value] = path.name
                elif isinstance(kw.value, ast.Name) and kw.value.id in names:
                    found[names[kw.value.id]] = path.name
                elif isinstance(kw.value, ast.JoinedStr) and isinstance(
                    kw.value.values[0], ast.Constant
                ):
                    found[kw.value.values[0].value] = path.name
    return found


def test_every_value_widget_is_kept_or_deliberately_transient():
    keys = widget_keys()
    assert len(keys) > 40  # the scan finds the pages' widgets
    unclassified = {
        k: page
        for k, page in keys.items()
        if not is_kept(k) and k not in TRANSIENT and not k.startswith(TRANSIENT_PREFIXES)
    }
    assert not unclassified, f"add these to KEPT or TRANSIENT in pages/_keep.py: {unclassified}"
    assert not (KEPT & TRANSIENT)
    stale = KEPT - set(keys)
    assert not stale, f"kept keys no page uses: {stale}"


@pytest.fixture
def at(runs_dir) -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()


def test_train_settings_survive_a_visit_to_another_page(at):
    at.switch_page("pages/train.py").run()
    at.number_input(key="train_epochs").set_value(7).run()
    at.number_input(key="train_seed").set_value(42).run()
    at.switch_page("pages/predict.py").run()
    at.switch_page("pages/train.py").run()
    assert at.number_input(key="train_epochs").value == 7
    assert at.number_input(key="train_seed").value == 42


def test_the_lesson_survives_a_visit_to_another_page(at):
    """Its keys were kept only while the Lesson itself ran: a visit to Data sent it back
    to tf-binding, row 0, and step 5 then said 'Train the network first'."""
    at.switch_page("pages/lesson.py").run()
    at.selectbox(key="lesson_dataset").select("sirna").run()
    at.button(key="lesson_next_bottom").click().run()
    at.number_input(key="lesson_seq").set_value(7).run()
    at.text_input(key="lesson_own").input("ACGTTGCA").run()
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/lesson.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="lesson_dataset").value == "sirna"
    assert at.number_input(key="lesson_seq").value == 7
    assert at.text_input(key="lesson_own").value == "ACGTTGCA"


def test_pasted_sequences_survive_a_visit_to_another_page(at):
    at.switch_page("pages/data.py").run()
    at.radio(key="data_source").set_value("Paste sequences").run()
    text = ">a\nACGTACGTAC\n>b\nGGGTTTACGA\n"
    at.text_area(key="data_paste").input(text).run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.radio(key="data_source").value == "Paste sequences"
    assert at.text_area(key="data_paste").value == text


def test_the_chosen_predict_run_survives_a_visit_to_another_page(at, runs_dir):
    """The pasted sequences are kept, so the run must be too: falling back to the newest
    run re-scored them with another model without a word."""
    from conftest import save_untrained_run

    build = {"seq_len": 20, "outputs": 1, "extras": 0, "filters": 4, "members": 1}
    older = save_untrained_run(runs_dir / "20260101-000000-a", "cnn", build)
    save_untrained_run(runs_dir / "20260102-000000-b", "cnn", build)
    at.switch_page("pages/predict.py").run()
    box = at.selectbox(key="predict_run")
    assert box.value != str(older)  # the newest comes first
    box.set_value(str(older)).run()
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/predict.py").run()
    assert not at.exception
    assert at.selectbox(key="predict_run").value == str(older)


def test_a_kept_value_streamlit_dropped_is_put_back_and_a_forgotten_one_is_not():
    """Streamlit's page-switch cleanup can drop a kept value (after fragment reruns, which
    the unit tests cannot run; tests/test_browser.py covers that path): the shadow copy
    puts it back, unless the app forgot it on purpose."""
    from pages._keep import SHADOW, forget, keep_widget_values

    state = {"train_model": "mlp", "train_seed": 42, "lesson_step": 3}
    keep_widget_values(state)
    assert state[SHADOW + "train_model"] == "mlp" and SHADOW + "lesson_step" not in state
    del state["train_model"]  # what the cleanup does
    state["train_seed"] = 7  # the user changed it since
    keep_widget_values(state)
    assert state["train_model"] == "mlp" and state["train_seed"] == 7
    assert state[SHADOW + "train_seed"] == 7
    forget(state, "train_model")
    keep_widget_values(state)
    assert "train_model" not in state


def test_data_and_zoo_follow_the_dataset_chosen_on_train(at):
    """Their kept boxes made their own choice the active dataset again on each visit:
    sirna picked on Data, promoters on Train, a look at Data, and Train trained sirna."""
    at.switch_page("pages/data.py").run()
    at.selectbox(key="data_bundled").select("sirna").run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="train_dataset").select("promoters").run()
    for page in ("pages/data.py", "pages/zoo.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        at.switch_page("pages/train.py").run()
        assert at.selectbox(key="train_dataset").value == "promoters", page
    at.switch_page("pages/data.py").run()
    assert at.selectbox(key="data_bundled").value == "promoters"
    at.selectbox(key="data_bundled").select("splice-sites").run()  # Data still chooses
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="train_dataset").value == "splice-sites"


def test_a_renamed_run_stays_chosen_on_predict(at, runs_dir):
    """Predict fell back to the newest run and scored the kept paste with it."""
    from conftest import save_untrained_run

    build = {"seq_len": 20, "outputs": 1, "extras": 0, "filters": 4, "members": 1}
    old = save_untrained_run(runs_dir / "20260101-000000-old", "cnn", build)
    save_untrained_run(runs_dir / "20260102-000000-new", "cnn", build)
    at.switch_page("pages/predict.py").run()
    at.selectbox(key="predict_run").select(str(old)).run()
    at.switch_page("pages/runs.py").run()
    at.selectbox(key="runs_pick").select(old.name).run()
    at.text_input(key=f"runs_new_name_{old.name}").input("0-mine")
    at.button[[b.label for b in at.button].index("Rename")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="runs_pick").value == "0-mine"
    at.switch_page("pages/predict.py").run()
    assert at.selectbox(key="predict_run").value == str(runs_dir / "0-mine")  # not the newest
