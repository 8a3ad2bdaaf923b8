"""AppTest smoke tests: every page loads without an exception and shows its main widgets;
bad input shows a message, never a traceback. (AppTest runs fragments inline only, so the
live polling is covered by tests/test_browser.py.)"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import genbank_text, reopened
from streamlit.testing.v1 import AppTest

from genoviz.data import BUNDLED, load
from genoviz.jobs import default_manager

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("pages/home.py", "pages/data.py", "pages/train.py", "pages/predict.py")
DATA_TABS = ("Card", "Sequences", "Composition", "Ground truth", "Splits")
TIMEOUT = 60


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("genoviz-cache")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_dir: Path) -> Path:
    """Runs go to a fresh tmp dir; the dataset cache is shared by the session's tests."""
    runs = tmp_path / "runs"
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(runs))
    monkeypatch.setenv("GENOVIZ_CACHE_DIR", str(cache_dir))
    monkeypatch.syspath_prepend(str(ROOT))  # pages import pages._common
    return runs


def app(page: str | None = None) -> AppTest:
    """The app through its real navigation, switched to ``page``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
    return at


def tag(i: int) -> str:
    """A 4-base word for ``i`` < 256: toy sequences differ (copies of one sequence share a
    split, so a set of copies is too small to train)."""
    return "".join("ACGT"[i >> (2 * j) & 3] for j in range(4))


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def labels(widgets) -> list[str]:
    return [w.label for w in widgets]


def text_of(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


# --- every page loads ---------------------------------------------------------------------


def test_app_opens_on_home():
    at = app()
    ok(at)
    assert at.title[0].value == "genoviz"
    assert len(at.page_link) == 3
    assert "Device in use" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_its_own(page: str):
    """Each page file also runs alone (page links fall back to plain text)."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT).run()
    ok(at)
    assert at.title


def test_data_page_defaults_to_tf_binding():
    at = app("pages/data.py")
    ok(at)
    assert at.radio(key="data_source").value == "Bundled dataset"
    assert at.selectbox(key="data_bundled").value == "tf-binding"
    card = at.get_by_key("dataset_card")
    assert card is not None
    assert "tf-binding" in [s.value for s in at.subheader]
    card = text_of(at)
    kinds = [row[-1] for row in load("tf-binding").meta.ground_truth["instances"]]
    assert f"Bound windows (label 1): {kinds.count('site'):,} real JUND sites in" in card
    assert f"Unbound windows (label 0): {len(kinds) - kinds.count('site'):,} JUND decoys" in card
    assert f"{len(kinds):,}" not in card  # never sites and decoys added together
    # the count as the value, its share in the label (the value was cut short in its column)
    positives = int(load("tf-binding").labels.sum())
    metric = next(m for m in at.metric if m.label.startswith("positives"))
    assert metric.value == f"{positives:,}"
    assert metric.label == f"positives ({positives / len(load('tf-binding')):.1%})"
    assert [t.label for t in at.tabs] == list(DATA_TABS)
    assert len(at.dataframe) == 1  # the preview: only the open tab (Card) runs
    assert at.session_state["active_dataset"] == "tf-binding"


@pytest.mark.parametrize("name", [n for n in BUNDLED if n != "tf-binding"])
def test_data_page_every_bundled_set(name: str):
    at = app("pages/data.py")
    at.selectbox(key="data_bundled").select(name).run()
    ok(at)
    assert name in [s.value for s in at.subheader]
    assert at.session_state["active_dataset"] == name
    # a corpus of mixed lengths is cut into chunks: no "choose a length" warning
    if name in ("dna-corpus", "codon-corpus"):
        assert not any("lengths differ" in w.value for w in at.warning)
        assert any("pretraining cuts each sequence into chunks" in c.value for c in at.caption)
    at.switch_page("pages/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="train_dataset").value == name


def test_train_page_widgets():
    at = app("pages/train.py")
    ok(at)
    assert at.selectbox(key="train_dataset").value == "tf-binding"
    model = at.selectbox(key="train_model")
    assert model.value == "cnn"
    assert model.format_func(model.value) == "cnn (recommended)"
    assert at.number_input(key="train_epochs").value == 20
    assert at.checkbox(key="train_extras").value is True  # tf-binding has accessibility
    assert "Start training" in labels(at.button)
    assert at.button(key="train_stop").disabled


def test_predict_page_without_runs_explains():
    at = app("pages/predict.py")
    ok(at)
    assert "No trained runs" in at.info[0].value


# --- bad input shows a message, not a traceback -------------------------------------------


def paste(at: AppTest, text: str) -> AppTest:
    at.radio(key="data_source").set_value("Paste sequences").run()
    at.text_area(key="data_paste").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_paste_illegal_character_names_position():
    at = paste(app("pages/data.py"), "ACGTXACGT\nACGTACGT\n")
    assert "'X'" in errors(at)
    assert "position 5" in errors(at)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   \n  ", "empty"),
        (">seq1\n", "no sequence"),
        (">seq1\nACGT\n>seq2\n", "seq2"),
    ],
)
def test_paste_bad_input(text: str, expected: str):
    at = paste(app("pages/data.py"), text)
    assert expected in errors(at)


def test_paste_unlabelled_sequences_preview():
    at = paste(app("pages/data.py"), ">a\nACGTACGTGG\n>b\nacgu\n")
    ok(at)
    assert "Read 2 sequence(s)." in at.success[0].value
    assert "no labels" in at.info[0].value
    assert at.dataframe[0].value["length"].tolist() == [10, 4]


def test_a_long_unlabelled_paste_says_the_preview_is_cut():
    """The preview shows 500 rows; a labelled set said so, an unlabelled paste did not."""
    at = paste(app("pages/data.py"), "".join(f">s{i}\nACGTAC\n" for i in range(600)))
    ok(at)
    assert len(at.dataframe[0].value) == 500
    assert "First 500 of 600 sequences." in [c.value for c in at.caption]


def test_paste_genbank_records_preview_by_accession():
    text = genbank_text([("U49845.1", "ACGT" * 20, "yeast"), ("X2.1", "GGCC" * 5, "two")])
    at = paste(app("pages/data.py"), text)
    ok(at)
    assert "Read 2 sequence(s)." in at.success[0].value
    table = at.dataframe[0].value
    assert table["id"].tolist() == ["U49845.1", "X2.1"] and table["length"].tolist() == [80, 20]


def test_paste_labelled_table_with_mixed_lengths_warns_and_is_kept():
    rows = "\n".join(f"{tag(i)}{'ACGT' * (2 + i % 3)},{i % 2}" for i in range(40))
    at = paste(app("pages/data.py"), "sequence,label\n" + rows)
    ok(at)
    assert "padded" in at.warning[0].value
    ds = at.session_state["user_dataset"]
    assert len(ds) == 40 and ds.task == "binary"
    assert at.session_state["active_dataset"] == "__user__"
    at.switch_page("pages/train.py").run()
    ok(at)
    assert at.number_input(key="train_seq_len").value == 20  # the longest
    assert "padded with N" in at.info[0].value
    # lengths 12, 16 and 20 bp, 14, 13 and 13 of them
    assert "here 27 of the 40 sequences are padded and 0 trimmed" in at.info[0].value
    at.number_input(key="train_seq_len").set_value(16).run()
    assert "here 14 of the 40 sequences are padded and 13 trimmed" in at.info[0].value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seq,label\nACGT,1\n", "no 'sequence' column; found columns ['seq', 'label']"),
        ("sequence,label\nACGT,1\nACGT,0\nACGT,1,5\n", "line 4 has 3 fields, the header has 2"),
    ],
)
def test_paste_table_layout_errors(text: str, expected: str):
    at = paste(app("pages/data.py"), text)
    assert expected in errors(at)
    assert "illegal" not in errors(at) and "C error" not in errors(at)
    assert "user_dataset" not in at.session_state


def test_paste_table_bad_character_names_the_line_once():
    at = paste(app("pages/data.py"), "sequence,label\nACGT,1\nACXT,0\n")
    assert errors(at).startswith("pasted table, line 3: illegal character 'X' at position 3")
    assert "(line 3)" not in errors(at)


@pytest.mark.parametrize(
    ("rows", "loaded"), [(1, "Loaded 1 labelled sequence (binary)."), (2, "Loaded 2 labelled")]
)
def test_paste_too_few_to_train_warns_with_the_minimum(rows: int, loaded: str):
    body = "".join(f"{tag(i)}ACGT,{i % 2}\n" for i in range(rows))
    at = paste(app("pages/data.py"), "sequence,label\n" + body)
    assert not at.exception and not at.error
    assert at.success[0].value.startswith(loaded)
    assert "Train will use" not in at.success[0].value
    assert "Too few sequences to train on" in at.warning[0].value
    assert "at least 6 sequences with the same label" in at.warning[0].value


def test_paste_enough_to_train_has_no_size_warning():
    body = "".join(f"{tag(i)}ACGT,{int(i < 6)}\n" for i in range(7))
    at = paste(app("pages/data.py"), "sequence,label\n" + body)
    ok(at)
    assert at.success[0].value == (
        "Loaded 7 labelled sequences (binary). Train will use this dataset."
    )
    assert not [w for w in at.warning if "Too few" in w.value]


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.radio(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="data_upload").upload(name, content).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_csv_without_sequence_column():
    at = upload(app("pages/data.py"), "bad.csv", b"seq,label\nACGT,1\n")
    assert "no 'sequence' column" in errors(at)


def test_upload_unlabelled_fasta_is_previewed():
    at = upload(app("pages/data.py"), "reads.fa", b">r1\nACGTAC\n>r2\nGGGCCCAT\n")
    assert not at.error
    assert "no 'label='" in at.warning[0].value
    assert at.dataframe[0].value["id"].tolist() == ["r1", "r2"]
    assert "user_dataset" not in at.session_state


def test_upload_fasta_with_a_bad_label_is_an_error_and_keeps_the_loaded_set():
    rows = "".join(f"{'ACGT' * 3},{i % 2}\n" for i in range(20))
    at = paste(app("pages/data.py"), "sequence,label\n" + rows)
    pasted = at.session_state["user_dataset"]
    fasta = b">a label=1\nACGTACGTAC\n>b label=x\nACGTACGTAC\n"
    at = upload(at, "badlabel.fa", fasta)
    assert errors(at) == "badlabel.fa: record 'b' (line 3) has label='x', which is not a number"
    assert not at.warning
    assert not [i for i in at.info if "no labels" in i.value]
    assert at.session_state["user_dataset"] is pasted
    assert at.session_state["active_dataset"] == "__user__"


def test_upload_binary_file_is_refused():
    at = upload(app("pages/data.py"), "x.csv", b"\x00\x01\x02binary")
    assert "binary file" in errors(at)


def test_upload_huge_file_is_refused(monkeypatch: pytest.MonkeyPatch):
    import pages._common

    monkeypatch.setattr(pages._common, "MAX_UPLOAD_MB", 0.01)
    big = b"sequence,label\n" + b"ACGTACGTAC,1\n" * 2000
    at = upload(app("pages/data.py"), "big.csv", big)
    assert "reads files up to" in errors(at)
    at = upload(app("pages/data.py"), "big.csv.gz", gzip.compress(big))
    assert "unpacks to more than" in errors(at)


def test_upload_gz_regression_with_task_override():
    body = "sequence,label,openness\n" + "\n".join(
        f"{'ACGTTGCA'[i % 8 :] + 'ACGTACGTAC'},{i / 7:.3f},{i % 3}" for i in range(30)
    )
    at = upload(app("pages/data.py"), "eff.csv.gz", gzip.compress(body.encode()))
    ok(at)
    assert "Inferred task: **regression**" in " ".join(c.value for c in at.caption)
    ds = at.session_state["user_dataset"]
    assert ds.task == "regression" and ds.meta.extras_names == ["openness"]
    at.selectbox(key="data_task").select("binary").run()
    assert "not all 0 or 1" in errors(at)
    assert "using **binary**" not in " ".join(c.value for c in at.caption)  # it was refused


def test_pasted_class_numbers_can_be_read_as_classes():
    """The hint said 'choose multiclass in the Task box above', which only Upload had."""
    rows = "\n".join(f"{'ACGT' * 2 + tag(i) + 'ACGT'[i % 4]},{i % 3}" for i in range(30))
    at = paste(app("pages/data.py"), "sequence,label\n" + rows)
    ok(at)
    assert at.session_state["user_dataset"].task == "regression"
    assert any("choose **multiclass** in the Task box" in i.value for i in at.info)
    at.selectbox(key="data_paste_task").select("multiclass").run()
    ok(at)
    ds = at.session_state["user_dataset"]
    assert ds.task == "multiclass" and ds.class_names == ["0", "1", "2"]
    at.selectbox(key="data_paste_task").select("binary").run()
    assert "needs labels 0 or 1, but line 4 has 2" in errors(at)


# --- train and predict, end to end (small and fast) ---------------------------------------


def start(at: AppTest, dataset: str, epochs: int) -> AppTest:
    at.selectbox(key="train_dataset").select(dataset).run()
    at.number_input(key="train_epochs").set_value(epochs).run()
    at.button(key="train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_train_regression_to_the_end_then_predict(isolated: Path):
    at = start(app("pages/train.py"), "sirna", 1)
    job = at.session_state["train_job"]
    assert job.config.epochs == 1 and job.dataset.task == "regression"
    assert job.wait(120) == "finished"
    at.run()
    ok(at)
    assert "**Status:** finished" in text_of(at)
    assert "Pearson r" in [m.label for m in at.metric]
    assert "straight line" in text_of(at)
    assert any(p.value.startswith("Run saved") for p in at.markdown)
    assert str(job.result.run_dir).startswith(str(isolated))
    model = job.model_name
    assert f"This session's last run: {model} on sirna" in [h.value for h in at.subheader]
    at.selectbox(key="train_dataset").select("tf-binding").run()  # the results stay, labelled
    assert f"This session's last run: {model} on sirna" in [h.value for h in at.subheader]
    assert any("are for your next run" in c.value for c in at.caption)

    # Predict was open on another run before: the button chooses this one on the way
    at.session_state["predict_run"] = "elsewhere"
    at.button(key="train_to_predict").click().run()
    ok(at)
    assert at.title[0].value == "Predict"
    assert at.selectbox(key="predict_run").value == str(job.result.run_dir)
    at.switch_page("pages/predict.py").run()  # AppTest's later runs go back to its page
    at.text_area(key="predict_paste").input(">g1\nACGTACGTACGTACGTACGTA\n>g2\nACGTAC\n").run()
    ok(at)
    assert "padded with N" in at.info[0].value
    table = at.dataframe[0].value
    assert table["id"].tolist() == ["g1", "g2"]
    assert "prediction" in table.columns
    assert "predict_download" in [b.key for b in at.download_button]
    at.text_area(key="predict_paste").input("ACGT!").run()
    assert "'!'" in errors(at)
    at.button(key="predict_example").click().run()
    ok(at)
    assert len(at.dataframe[0].value) == 5


def test_train_stop_then_predict_with_and_without_accessibility():
    at = start(app("pages/train.py"), "tf-binding", 20)
    job = at.session_state["train_job"]
    try:
        assert at.button(key="train_start").disabled
        assert not at.button(key="train_stop").disabled
        assert "epoch 1 / 20" in at.get("progress")[0].proto.text
        at.button(key="train_stop").click().run()
    finally:
        job.stop()
    assert job.wait(120) == "stopped"
    at.run()
    ok(at)
    assert "**Status:** stopped" in text_of(at)

    at.switch_page("pages/predict.py").run()
    seqs = ["ACGT" * 25 + "A", "TTGA" * 25 + "C"]
    at.text_area(key="predict_paste").input("\n".join(seqs)).run()
    ok(at)  # plain sequences: scored with the run's training average, said so
    # stopped within its first epoch: the one warning says the model is untrained
    assert [w.value for w in at.warning] == [
        "This run was stopped before its first epoch finished: these are the predictions "
        "of its starting model, untrained."
    ]
    assert any("training average (accessibility" in i.value for i in at.info)
    assert at.dataframe[0].value["prediction"].between(0, 1).all()
    csv = "sequence,accessibility\n" + "\n".join(f"{s},{i}" for i, s in enumerate(seqs))
    at.text_area(key="predict_paste").input(csv).run()
    ok(at)
    assert at.dataframe[0].value["prediction"].between(0, 1).all()
    at.button(key="predict_example").click().run()  # held-out rows with accessibility
    ok(at)
    assert at.text_area(key="predict_paste").value.startswith("id,sequence,accessibility")
    assert len(at.dataframe[0].value) == 5


def test_a_reload_finds_the_running_job_instead_of_starting_a_second():
    """A reload is a new session: the job lived only in the old one's state, so the page
    forgot it and Start trained a second copy. The address bar's ticket finds it again."""
    at = start(app("pages/train.py"), "tf-binding", 20)
    job = at.session_state["train_job"]
    try:
        ticket = at.query_params["job"]
        assert default_manager().find(ticket) is job
        reloaded = reopened("pages/train.py", at.query_params)  # the same address
        ok(reloaded)
        assert reloaded.session_state["train_job"] is job
        assert reloaded.button(key="train_start").disabled
        assert not reloaded.button(key="train_stop").disabled
        assert reloaded.selectbox(key="train_dataset").value == "tf-binding"
        assert "Training: cnn on tf-binding" in [h.value for h in reloaded.subheader]
        # the shareable link leaves the ticket out: a classmate opening it gets a new page
        assert "job=" not in reloaded.code[0].value and "epochs=20" in reloaded.code[0].value
        # an unknown ticket (an old address, a server restart) attaches nothing
        fresh = reopened("pages/train.py", {"job": "not-a-ticket"})
        ok(fresh)
        assert "train_job" not in fresh.session_state
        assert not fresh.button(key="train_start").disabled
        reloaded.button(key="train_stop").click().run()
    finally:
        job.stop()
    assert job.wait(120) == "stopped"


def test_a_file_with_one_class_is_flagged_on_data_and_train():
    rows = "".join(f"{tag(i)}ACGT,1\n" for i in range(12))
    at = paste(app("pages/data.py"), "sequence,label\n" + rows)
    ok(at)
    assert any("Every sequence has label 1" in w.value for w in at.warning)
    at.switch_page("pages/train.py").run()
    assert any("Every sequence has label 1" in w.value for w in at.warning)


def test_a_set_too_small_to_train_is_refused_before_start():
    at = paste(app("pages/data.py"), "sequence,label\nACGTACGT,0\nTTGACCAA,1\n")
    ok(at)
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="train_dataset").value == "__user__"
    assert "Too few sequences to train on: 2" in errors(at) and "at least 6" in errors(at)
    assert at.button(key="train_start").disabled


def test_training_failure_is_shown_as_message(monkeypatch):
    import genoviz.training
    from genoviz.training import TrainingError

    def fail(*args, **kwargs):
        raise TrainingError("training diverged at epoch 3: the loss became nan")

    monkeypatch.setattr(genoviz.training, "fit", fail)
    at = app("pages/train.py")
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    assert job.wait(60) == "failed"
    at.run()
    assert not at.exception
    assert "Training failed" in errors(at)
    assert "the loss became nan" in errors(at)


# --- page helpers -------------------------------------------------------------------------


def test_metric_series_and_summary_text():
    from genoviz.metrics import metric_series
    from pages._common import summary_text

    history = [
        {"epoch": 1, "train_loss": 1.0, "valid_mse": 0.1, "valid_roc_auc": 0.5},
        {"epoch": 2, "train_roc_auc": 0.4, "valid_pr_auc": 0.1, "seconds": 2.0, "best": True},
        {"epoch": 3, "valid_r2": -40.0},  # not drawn: it would squash the curves beside it
    ]
    series = metric_series(history)
    assert list(series) == ["train_roc_auc", "valid_roc_auc", "valid_pr_auc"]
    assert series["valid_pr_auc"] == "valid PR AUC"
    text = summary_text("binary", {"roc_auc": 0.87, "pr_auc": 0.3}, 2000, 0.02)
    assert text.startswith("ROC AUC 0.87 on 2,000 held-out sequences")
    assert "87% of the time" in text and "0.02 for random guessing" in text
    assert "undefined" in summary_text("binary", {"roc_auc": float("nan")}, 10, 0.0)
    assert "explains about 36%" in summary_text("regression", {"pearson": 0.6}, 300, None)
    # a model that orders the sequences but sits off the measured scale (the old text
    # said only "explains about 8%" for predictions all near 0.25 against labels near 0.7)
    off = summary_text("regression", {"pearson": 0.29, "r2": -4.52}, 300, None)
    assert "R² -4.52, below 0" in off and "off the measured scale" in off
    near = summary_text("regression", {"pearson": 0.6, "r2": 0.33}, 300, None)
    assert "they explain 33% (R² 0.33)" in near
    nan = float("nan")
    tasks = {"roc_auc": 0.8, "roc_auc_a": 0.9, "roc_auc_b": 0.7, "roc_auc_c": nan}
    text = summary_text("multitask-binary", tasks, 500, None)
    assert "over 2 tasks" in text and "hardest b (0.70)" in text
    assert "c: no ROC AUC (only one class among its test labels), so not in the mean" in text


# --- Data page: tabs, composition, ground truth, splits, real data, DiskDataset folders ------

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DISK_SIRNA = SHARED_DATA / "deepchem_disk" / "train_siRNA"


def open_tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["data_tab"] = tab
    at.run()
    ok(at)
    return at


def data_set(name: str, tab: str | None = None) -> AppTest:
    at = app("pages/data.py")
    if name != "tf-binding":
        at.selectbox(key="data_bundled").select(name).run()
    return open_tab(at, tab) if tab else at


def plotly_traces(at: AppTest, i: int = 0) -> list[dict]:
    return json.loads(at.get("plotly_chart")[i].proto.spec)["data"]


def dataframes(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


@pytest.mark.parametrize("name", list(BUNDLED))
def test_data_page_every_tab_of_every_bundled_set(name: str):
    """Each tab runs for each set, whatever its task and however its ground truth is kept."""
    at = data_set(name)
    assert name in [s.value for s in at.subheader]
    assert at.get_by_key("dataset_card") is not None
    open_tab(at, "Sequences")
    assert at.get("plotly_chart")
    open_tab(at, "Composition")
    assert at.slider(key="data_kmer_k").value == 3
    assert len(plotly_traces(at)[0]["x"]) == 64
    ds = at.session_state["active_dataset"]
    assert ds == name
    if BUNDLED[name].task == "lm":  # CDS of many lengths: no position-wise logo
        assert not at.get("image")
        assert "different lengths" in at.info[0].value
    else:
        assert len(at.get("image")) == 1
    open_tab(at, "Ground truth")
    assert at.dataframe or at.info
    open_tab(at, "Splits")
    assert dataframes(at)[0]["split"].tolist() == ["train", "valid", "test"]
    assert at.get("plotly_chart")


def test_kmer_spectrum_split_by_class_and_ordered():
    at = data_set("tf-binding", "Composition")
    traces = plotly_traces(at)
    assert [t["name"] for t in traces] == ["negative (0)", "positive (1)"]
    assert traces[0]["x"][:3] == ["AAA", "AAC", "AAG"]
    assert "5,000" in " ".join(c.value for c in at.caption)
    at.slider(key="data_kmer_k").set_value(6).run()
    at.radio(key="data_kmer_order").set_value("largest difference between classes first").run()
    ok(at)
    traces = plotly_traces(at)
    assert len(traces[0]["x"]) == 64  # of 4,096, the CSV has them all
    assert "TGACTC" in traces[0]["x"][:5]  # the planted JUND site TGA(C/G)TCA
    at.checkbox(key="data_kmer_by_class").uncheck().run()
    ok(at)
    assert [t["name"] for t in plotly_traces(at)] == ["all sequences"]
    keys = [b.key for b in at.download_button]
    assert "dl_csv_tf-binding-kmers-k6" in keys


def test_sirna_logo_probability_and_bits():
    at = data_set("sirna", "Composition")
    assert at.slider(key="data_kmer_k") is not None
    assert not at.checkbox(key="data_kmer_by_class").value  # regression: nothing to split
    positions = next(s for s in at.slider if s.label == "Positions")
    assert positions.value == (1, 21)  # a short set: every position
    assert len(at.get("image")) == 1
    keys = [b.key for b in at.download_button]
    assert {k.split("_")[1] for k in keys if "logo" in k} == {"png", "svg", "csv"}
    at.radio(key="data_logo_mode").set_value("information (bits)").run()
    ok(at)
    assert len(at.get("image")) == 1
    assert any("information" in b.key for b in at.download_button)


def test_splice_sites_logo_window_around_the_site():
    at = data_set("splice-sites", "Composition")
    positions = next(s for s in at.slider if s.label == "Positions")
    assert positions.value == (176, 226)  # 400 bp: a window around the exon boundary
    assert len(at.get("image")) == 1
    positions.set_value((195, 210)).run()
    group = next(s for s in at.selectbox if s.label == "Sequences")
    assert group.options == ["all sequences", "neither", "donor", "acceptor"]
    group.select("donor").run()
    ok(at)
    assert len(at.get("image")) == 1
    assert "dl_png_splice-sites-logo-donor-195-210-probability" in [
        b.key for b in at.download_button
    ]


def test_tf_binding_ground_truth_table_names_jund():
    at = data_set("tf-binding", "Ground truth")
    tables = dataframes(at)
    planted = next(t for t in tables if {"motif", "start", "strand"} <= set(t.columns))
    assert len(planted) == 500  # the first rows; the CSV has them all
    assert set(planted["motif"]) == {"JUND"}
    assert planted["id"].str.startswith("tf").all()
    counts = next(t for t in tables if "count" in t.columns)
    from genoviz.data import load
    from genoviz.data.stats import ground_truth_table

    assert counts["count"].sum() == len(ground_truth_table(load("tf-binding")))
    assert set(counts["kind"]) >= {"site"}
    assert {t["name"] for t in plotly_traces(at)} == {"site", "half-site-decoy", "weak-decoy"}
    n_planted = len(ground_truth_table(load("tf-binding")))
    assert f"Planted instances: {n_planted:,}" in [m.value.strip("# ") for m in at.markdown]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("promoters", {"kind", "tata", "cpg_island"}),
        ("splice-sites", {"site", "boundary", "role"}),
        ("tf-multitask", {"ebox_start", "spacing"}),
        ("codon-corpus", {"proteins"}),
    ],
)
def test_ground_truth_stored_other_ways_is_summarised(name: str, expected: set[str]):
    at = data_set(name, "Ground truth")
    columns = set().union(*(t.columns for t in dataframes(at)))
    assert expected <= columns
    summary = dataframes(at)[-1]
    assert list(summary.columns) == ["key", "what", "size", "first values"]
    assert summary["first values"].str.len().max() <= 90  # never the raw dict


def test_splits_table_and_chart():
    at = data_set("tf-binding", "Splits")
    table = dataframes(at)[0]
    assert table["positives"].tolist() == [320, 40, 40]
    assert [t["name"] for t in plotly_traces(at)] == ["negatives", "positives"]
    at = data_set("splice-sites", "Splits")
    assert [t["name"] for t in plotly_traces(at)] == ["neither", "donor", "acceptor"]


def test_no_downloaded_sets_shows_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("GENOVIZ_DATA_DIR", str(tmp_path))
    at = app("pages/data.py")
    ok(at)
    options = at.selectbox(key="data_bundled").options  # as shown: name — summary
    assert [o.split(" — ")[0] for o in options] == list(BUNDLED)
    assert "python -m genoviz download deepchem-jund" in " ".join(c.value for c in at.caption)


@pytest.mark.realdata
def test_downloaded_real_set_in_the_picker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    if not DISK_SIRNA.is_dir():
        pytest.skip(f"real data folder {DISK_SIRNA} is absent")
    root = tmp_path / "downloads" / "deepchem-sirna"
    root.mkdir(parents=True)
    for split in ("train_siRNA", "valid_siRNA"):  # the book's layout, linked not copied
        (root / split).symlink_to(DISK_SIRNA, target_is_directory=True)
    (root / ".complete").write_text("ok\n")
    monkeypatch.setenv("GENOVIZ_DATA_DIR", str(tmp_path))
    at = app("pages/data.py")
    box = at.selectbox(key="data_bundled")
    assert box.options[-1].startswith("deepchem-sirna (real data) — Real siRNA")
    box.select("deepchem-sirna").run()
    ok(at)
    assert "deepchem-sirna" in [s.value for s in at.subheader]
    assert "real data" in text_of(at)
    ds = at.session_state["user_dataset"]
    assert ds.meta.notes["spec"] == "deepchem-sirna" and len(ds) == 2 * 2187
    assert at.session_state["active_dataset"] == "__user__"
    open_tab(at, "Splits")
    assert dataframes(at)[0]["sequences"].tolist() == [2187, 2187, 0]
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="train_dataset").value == "__user__"


def disk_path(at: AppTest, path: str | Path) -> AppTest:
    at.radio(key="data_source").set_value("DeepChem folder").run()
    at.text_input(key="data_disk_path").input(str(path)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.realdata
def test_disk_dataset_loads_only_when_trusted():
    if not DISK_SIRNA.is_dir():
        pytest.skip(f"real data folder {DISK_SIRNA} is absent")
    at = disk_path(app("pages/data.py"), DISK_SIRNA)
    assert not at.error
    assert "pickles" in at.warning[0].value and "Not loaded" in at.warning[0].value
    assert "user_dataset" not in at.session_state
    assert not at.subheader  # no card
    at.checkbox(key="data_disk_trust").check().run()
    ok(at)
    ds = at.session_state["user_dataset"]
    assert len(ds) == 2187 and ds.task == "regression"
    assert set(ds.splits) == {"train", "valid", "test"}
    assert "train_siRNA" in [s.value for s in at.subheader]
    open_tab(at, "Composition")
    assert len(at.get("image")) == 1  # 21 nt guides: a logo
    # after a visit to Train the folder trusted in this session still shows as loaded
    at.switch_page("pages/train.py").run()
    at.switch_page("pages/data.py").run()
    assert not any("Not loaded" in w.value for w in at.warning)
    assert at.checkbox(key="data_disk_trust").value is True
    assert "train_siRNA" in [s.value for s in at.subheader]
    # another folder needs its own confirmation
    at.text_input(key="data_disk_path").input(str(DISK_SIRNA.parent)).run()
    assert at.checkbox(key="data_disk_trust").value is False


def test_disk_path_that_is_not_a_disk_dataset(tmp_path: Path):
    at = disk_path(app("pages/data.py"), tmp_path)
    assert "not a DeepChem DiskDataset" in errors(at)
    assert "metadata.csv.gzip" in errors(at)
    at.checkbox(key="data_disk_trust").check().run()
    assert "not a DeepChem DiskDataset" in errors(at)
    assert "user_dataset" not in at.session_state
    (tmp_path / "x.csv").write_text("sequence,label\nACGT,1\n")
    at.text_input(key="data_disk_path").input(str(tmp_path / "x.csv")).run()
    assert "is a file, not a folder" in errors(at)
    at.text_input(key="data_disk_path").input(str(tmp_path / "missing")).run()
    assert "there is no file or folder" in errors(at)


def test_upload_reports_progress_and_parses_once(monkeypatch: pytest.MonkeyPatch):
    import pages._data_paste_upload

    calls: list[list[float]] = []
    real = pages._data_paste_upload.load_text

    def spy(text, name, task=None, progress=None, **kw):
        seen: list[float] = []
        calls.append(seen)

        def report(f: float) -> None:
            seen.append(f)
            progress(f)

        return real(text, name, task=task, progress=report, **kw)

    monkeypatch.setattr(pages._data_paste_upload, "load_text", spy)
    rows = "\n".join(f"{'ACGT' * 5}{'AC'[i % 2]},{i % 2}" for i in range(45_000))
    at = upload(app("pages/data.py"), "big.csv", f"sequence,label\n{rows}\n".encode())
    ok(at)
    assert calls == [[0.0, 20_000 / 45_000, 40_000 / 45_000]]
    assert len(at.session_state["user_dataset"]) == 45_000
    open_tab(at, "Splits")  # a rerun does not parse the file again
    assert len(calls) == 1


def test_run_pickers_label_each_run_with_its_own_headline_metric():
    """Interpret's picker once showed ROC AUC only, so regression runs had no number."""
    from types import SimpleNamespace

    from pages._run_pickers import run_label

    def run(task_metrics: dict) -> SimpleNamespace:
        info = {
            "model": {"name": "cnn"},
            "dataset": {"name": "d"},
            "final_metrics": {"test": task_metrics},
        }
        return SimpleNamespace(name="r", info=info, status="finished")

    assert (
        run_label(run({"roc_auc": 0.81234, "pr_auc": 0.5})) == "r · cnn on d · test ROC AUC 0.812"
    )
    assert run_label(run({"pearson": 0.66, "spearman": 0.6})).endswith("test Pearson r 0.660")
    assert run_label(run({"accuracy": 0.9, "macro_f1": 0.8})).endswith("test accuracy 0.900")
    assert run_label(run({"masked_acc": 0.05})).endswith("test masked-token accuracy 0.050")
    assert run_label(run({}), status=True) == "r · cnn on d · finished"


def test_class_numbers_read_as_values_get_a_hint():
    from genoviz.data import Dataset, DatasetMeta
    from pages._data_choice import class_numbers_note

    def ds(labels, task="regression"):
        return Dataset(["ACGT"] * len(labels), np.array(labels, float), task, DatasetMeta("t"))

    assert "choose **multiclass**" in class_numbers_note(ds([0, 1, 2, 1, 0]))
    assert class_numbers_note(ds([0.5, 1.2, 2.0])) is None  # measured values
    assert class_numbers_note(ds([0, 1, 0], "binary")) is None
    assert class_numbers_note(ds([0, 1, 2], "multiclass")) is None
    assert "write them as 0 and 1" in class_numbers_note(ds([-1, 1, 1, -1]))
    assert class_numbers_note(ds([-1, 0, 1])) is None


@pytest.mark.parametrize("how", ["paste", "upload"])
def test_an_unlabelled_table_is_shown_and_offered_as_a_corpus(how):
    """An id,sequence table was refused ('no label column'); it is read as sequences to
    look at, score or pretrain on, as plain FASTA is."""
    table = "id,sequence\na,ACGTACGTTG\nb,GGCCTTAAGC\nc,TTGACCAGTA\n"
    at = app("pages/data.py")
    at = paste(at, table) if how == "paste" else upload(at, "seqs.csv", table.encode())
    ok(at)
    assert any("no 'label' column" in w.value for w in at.warning)
    assert at.dataframe[0].value["id"].tolist() == ["a", "b", "c"]
    at.button(key="data_use_corpus").click().run()
    ok(at)
    corpus = at.session_state["user_dataset"]
    assert corpus.task == "lm" and corpus.sequences == ["ACGTACGTTG", "GGCCTTAAGC", "TTGACCAGTA"]


def test_copies_of_a_sequence_are_counted_on_data_and_train():
    body = "".join(f"{tag(i % 20)}ACGT,{i % 2}\n" for i in range(40))  # each twice
    at = paste(app("pages/data.py"), "sequence,label\n" + body)
    ok(at)
    note = "20 sequences appear more than once (20 extra copies)"
    assert any(note in i.value for i in at.info), [i.value for i in at.info]
    at.switch_page("pages/train.py").run()
    assert any(note in c.value for c in at.caption)
