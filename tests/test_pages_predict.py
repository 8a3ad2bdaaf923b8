"""The Predict page on a multi-class run: a named probability per class, and the top class."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import save_untrained_run
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ["neither", "donor", "acceptor"]


def test_predict_page_names_each_class_and_the_top_one(runs_dir: Path):
    record = {"name": "splice-sites", "spec": "splice-sites", "task": "multiclass"}
    build = {"seq_len": 40, "outputs": 3, "extras": 0}
    save_untrained_run(
        runs_dir / "20260101-000000-linear-splice-sites",
        "linear",
        build,
        record | {"class_names": CLASSES},
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    at.text_area(key="predict_paste").input(">a\n" + "ACGT" * 10 + "\n>b\n" + "GGTA" * 10).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    probs = table[[f"p_{c}" for c in CLASSES]].to_numpy()
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert table["predicted_class"].tolist() == [CLASSES[j] for j in probs.argmax(1)]
    assert table["id"].tolist() == ["a", "b"]
    # A label column is written by class name, as predicted_class and the CLI write it.
    pasted = "id,sequence,label\na," + "ACGT" * 10 + ",1\nb," + "GGTA" * 10 + ",2\n"
    at.text_area(key="predict_paste").input(pasted).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["label"].tolist() == ["donor", "acceptor"]


def test_predict_page_says_when_sequences_are_not_the_trained_length(runs_dir: Path):
    """A cnn takes any length, so a 10 bp sequence is scored as it is: the page says it
    is shorter than the 101 bp the run was trained on, and that this is less reliable."""
    build = {"seq_len": 101, "outputs": 1, "extras": 1, "members": 1, "filters": 3, "kernel": 5}
    record = {"name": "tf-binding", "spec": "tf-binding", "task": "binary"}
    save_untrained_run(
        runs_dir / "20260101-000000-cnn-tf-binding",
        "cnn",
        build,
        record | {"extras_names": ["accessibility"]},
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    at.text_area(key="predict_paste").input("id,sequence,accessibility\na,ACGTACGTAC,0.3").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["length"].tolist() == [10]
    notes = [i.value for i in at.info]
    assert any(
        "1 of 1 sequence(s) are not 101 bp long" in n and "1 shorter (down to 10 bp)" in n
        for n in notes
    ), notes
    assert any("less reliable" in n for n in notes), notes


def test_plain_sequences_on_a_run_with_accessibility_get_its_training_average(runs_dir: Path):
    """The default tf-binding run reads accessibility: pasted FASTA is scored with the
    run's recorded training average, and the page says so (it used to refuse)."""
    build = {"seq_len": 101, "outputs": 1, "extras": 1, "members": 1, "filters": 3, "kernel": 5}
    record = {"name": "tf-binding", "spec": "tf-binding", "task": "binary"}
    extras = {"extras_names": ["accessibility"], "extras_means": [0.25]}
    save_untrained_run(runs_dir / "20260101-000000-cnn-tf-binding", "cnn", build, record | extras)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    at.text_area(key="predict_paste").input(">a\n" + "ACGT" * 25 + "A\n").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    assert at.dataframe[0].value["id"].tolist() == ["a"]
    assert any("training average (accessibility 0.25)" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "nocol.csv",
            b"id,seq\na,ACGT\n",
            "nocol.csv: no 'sequence' column; found columns ['id', 'seq']",
        ),
        ("wide.csv", b"sequence\nACGT\nAC,GT\n", "wide.csv, line 3 has 2 fields, the header has 1"),
        ("bad.csv", b"id,sequence\na,ACGT\nb,ACXT\n", "bad.csv, line 3: illegal character 'X'"),
    ],
)
def test_predict_upload_table_errors_say_what_is_wrong(
    runs_dir: Path, name: str, content: bytes, expected: str
):
    record = {"name": "mine.csv", "spec": "mine.csv", "task": "binary"}
    build = {"seq_len": 4, "outputs": 1, "extras": 0}
    save_untrained_run(runs_dir / "20260101-000000-linear-mine", "linear", build, record)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    at.radio(key="predict_input").set_value("Upload a file").run()
    at.file_uploader(key="predict_upload").upload(name, content).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " | ".join(e.value for e in at.error)
    assert shown.startswith(expected)
    assert "illegal character 'S'" not in shown and "(line" not in shown


def test_a_run_json_without_its_model_record_is_named_not_a_traceback(runs_dir: Path):
    damaged = runs_dir / "20260101-000000-damaged"
    damaged.mkdir(parents=True)
    (damaged / "run.json").write_text('{"status": "finished", "dataset": {"task": "binary"}}')
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "has no model record" in errors[0], errors
    assert "went wrong" not in errors[0]


def _splice_page(runs_dir: Path) -> AppTest:
    record = {"name": "splice-sites", "spec": "splice-sites", "task": "multiclass"}
    save_untrained_run(
        runs_dir / "20260101-000000-linear-splice-sites",
        "linear",
        {"seq_len": 40, "outputs": 3, "extras": 0},
        record | {"class_names": CLASSES},
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    return at.switch_page("pages/predict.py").run()


@pytest.mark.parametrize("bad", ["donor", "1.5", "7"])
def test_labels_that_are_no_class_of_the_run_are_left_out_with_the_reason(runs_dir, bad):
    """A label that is not one of the run's classes is never shown as one: 'donor' used
    to become a blank cell, 1.5 class 1 and 7 stayed 7, without a word. The page now
    leaves the labels out and says why, as the CLI does."""
    at = _splice_page(runs_dir)
    pasted = f"id,sequence,label\na,{'ACGT' * 10},1\nb,{'GGTA' * 10},{bad}\n"
    at.text_area(key="predict_paste").input(pasted).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert "label" not in table and table["id"].tolist() == ["a", "b"]
    assert any(i.value.startswith("Labels not written") for i in at.info), at.info


def test_fasta_labels_are_shown_as_the_cli_writes_them(runs_dir, tmp_path):
    """'>a label=2' headers give the label column on the page as in the CLI's CSV (the
    page dropped them), and both tables have the same columns in the same order."""
    import csv

    from genoviz.cli import main

    at = _splice_page(runs_dir)
    fasta = f">a label=2\n{'ACGT' * 10}\n>b label=0\n{'GGTA' * 10}\n"
    at.text_area(key="predict_paste").input(fasta).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table["label"].tolist() == ["acceptor", "neither"]
    (tmp_path / "in.fa").write_text(fasta)
    run = next(runs_dir.iterdir())
    args = ["predict", "--run", str(run), "--data", str(tmp_path / "in.fa")]
    assert main([*args, "--out", str(tmp_path / "p.csv")]) == 0
    with open(tmp_path / "p.csv") as fh:
        rows = list(csv.DictReader(fh))
    page = [c for c in table.columns if c not in ("length", "sequence")]
    assert list(rows[0]) == page
    assert [r["label"] for r in rows] == ["acceptor", "neither"]
    np.testing.assert_allclose(
        [float(r["p_donor"]) for r in rows], table["p_donor"].to_numpy(), rtol=1e-5
    )


def test_pasted_bed_regions_say_they_need_the_command_line(runs_dir):
    """BED needs a genome the dashboard does not hold: the page says so and names the
    command, instead of 'line 2 has 5 fields, the header has 4'."""
    at = _splice_page(runs_dir)
    at.text_area(key="predict_paste").input("chr1\t100\t140\tx\nchr1\t500\t540\ty\t1\n").run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("looks like BED regions" in e and "--genome genome.fa" in e for e in errors), errors
    assert not at.dataframe


def test_an_uploaded_file_is_still_scored_after_a_visit_to_another_page(runs_dir: Path):
    """Streamlit empties an uploader on a page switch: the upload used to be gone without a
    word. The page scores it again, says so, and forgets it when asked or removed."""
    record = {"name": "mine.csv", "spec": "mine.csv", "task": "binary"}
    save_untrained_run(
        runs_dir / "20260101-000000-linear-mine", "linear", {"seq_len": 4, "outputs": 1}, record
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    at.radio(key="predict_input").set_value("Upload a file").run()
    at.file_uploader(key="predict_upload").upload("mine.csv", b"id,sequence\na,ACGT\nb,GGCC\n")
    at.run()
    assert at.dataframe[0].value["id"].tolist() == ["a", "b"]
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/predict.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["id"].tolist() == ["a", "b"]
    assert any("Scoring **mine.csv**, the file uploaded before" in i.value for i in at.info)
    at.run()  # a rerun on the page keeps it
    assert at.dataframe[0].value["id"].tolist() == ["a", "b"]
    at.button(key="predict_forget_upload").click().run()
    assert not at.dataframe and not any("mine.csv" in i.value for i in at.info)
    # Removed from the uploader by the user: gone, not brought back.
    at.file_uploader(key="predict_upload").upload("mine.csv", b"id,sequence\nc,ACGT\n").run()
    assert at.dataframe[0].value["id"].tolist() == ["c"]
    at.file_uploader(key="predict_upload").clear().run()
    assert not at.dataframe and not any("mine.csv" in i.value for i in at.info)


def test_a_bad_base_in_an_uploaded_fasta_names_the_file_record_and_line(runs_dir: Path):
    build = {"seq_len": 4, "outputs": 1, "extras": 0}
    record = {"name": "mine.csv", "spec": "mine.csv", "task": "binary"}
    save_untrained_run(runs_dir / "20260101-000000-linear-mine", "linear", build, record)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    at.radio(key="predict_input").set_value("Upload a file").run()
    at.file_uploader(key="predict_upload").upload("reads.fa", b">a\nACGT\n>b\nACXT\n").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " | ".join(e.value for e in at.error)
    assert shown.startswith("reads.fa: b (line 4): illegal character 'X' at position 3"), shown
