import csv
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from genoviz.cli import main


def test_datasets_lists_bundled_sets(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "tf-binding" in out and "task=binary" in out and "sirna" in out


def test_train_then_predict_round_trip(tmp_path, capsys):
    data = tmp_path / "toy.csv"
    rng = np.random.default_rng(0)
    rows = []
    for i in range(300):
        s = list(rng.choice(list("ACGT"), 30))
        if i % 2:
            s[10:17] = "TGACTCA"
        rows.append((f"r{i}", "".join(s), i % 2))
    data.write_text("id,sequence,label\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    out = tmp_path / "run"
    assert main(["train", "--data", str(data), "--epochs", "3", "--out", str(out)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    final = json.loads(last)
    assert final["task"] == "binary" and final["model"] == "cnn"
    assert 0 <= final["test"]["roc_auc"] <= 1
    assert {p.name for p in out.iterdir()} >= {"run.json", "metrics.jsonl", "model.safetensors"}

    preds = tmp_path / "p.csv"
    assert main(["predict", "--run", str(out), "--data", str(data), "--out", str(preds)]) == 0
    with open(preds) as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 300 and set(table[0]) == {"id", "prediction", "label"}
    assert table[0]["id"] == "r0"
    assert all(0 <= float(r["prediction"]) <= 1 for r in table)


def test_errors_are_one_line_with_nonzero_exit(tmp_path, capsys):
    assert main(["train", "--data", "no-such-set", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("genoviz: error:")
    assert main(["predict", "--run", str(tmp_path), "--data", "sirna", "--out", "x.csv"]) == 2
    assert "not a genoviz run" in capsys.readouterr().err


def test_train_refuses_a_non_empty_out(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("user file")
    assert main(["train", "--data", "sirna", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "keep.txt").read_text() == "user file"


@pytest.mark.training
def test_module_entry_point_runs_as_a_subprocess():
    p = subprocess.run(
        [sys.executable, "-m", "genoviz", "datasets"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0 and "tf-binding" in p.stdout


@pytest.mark.parametrize("data", ["splice-sites", "tf-multitask"])
def test_predict_writes_a_named_probability_per_class_or_task(data, tmp_path, capsys):
    out = tmp_path / "run"
    train = ["train", "--data", data, "--model", "linear", "--epochs", "1", "--quiet"]
    assert main([*train, "--out", str(out)]) == 0
    names = json.loads((out / "run.json").read_text())["dataset"]["class_names"]
    assert len(names) == (3 if data == "splice-sites" else 4)
    preds = tmp_path / "p.csv"
    assert main(["predict", "--run", str(out), "--data", data, "--out", str(preds)]) == 0
    with open(preds) as fh:
        table = list(csv.DictReader(fh))
    p = np.array([[float(r[f"p_{c}"]) for c in names] for r in table])
    assert ((p >= 0) & (p <= 1)).all()
    if data == "splice-sites":  # class probabilities, the top one named, labels by name
        assert list(table[0]) == ["id", *(f"p_{c}" for c in names), "predicted_class", "label"]
        np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
        assert [r["predicted_class"] for r in table] == [names[j] for j in p.argmax(1)]
        assert {r["label"] for r in table} == set(names)
        # the run's own test predictions name classes the same way
        kept = pd.read_csv(out / "test_predictions.csv", dtype={"id": str})
        assert list(kept.columns) == ["id", "label", *(f"p_{c}" for c in names), "predicted_class"]
        by_id = {r["id"]: r for r in table}
        assert len(kept) > 100 and set(kept["id"]) <= set(by_id)
        for _, row in kept.iterrows():
            assert row["label"] == by_id[row["id"]]["label"]
            assert row["predicted_class"] == by_id[row["id"]]["predicted_class"]
    else:  # one probability and one label per task
        assert list(table[0]) == ["id", *(f"p_{c}" for c in names), *(f"label_{c}" for c in names)]
        assert {r[f"label_{names[0]}"] for r in table} == {"0", "1"}


def test_predict_scores_new_sequences_without_labels(tmp_path, capsys):
    from conftest import save_untrained_run

    build = {"seq_len": 30, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "run", "cnn", build)
    fasta = tmp_path / "new.fa"
    fasta.write_text(">x1\n" + "ACGT" * 7 + "AC\n>x2\n" + "TTGACTCA" * 4 + "\n")
    table = tmp_path / "new.csv"
    table.write_text("id,sequence\nr1," + "ACGT" * 7 + "AC\n")
    for data, ids in ((fasta, ["x1", "x2"]), (table, ["r1"])):
        out = tmp_path / f"pred-{data.name}.csv"
        assert main(["predict", "--run", str(run), "--data", str(data), "--out", str(out)]) == 0
        with open(out) as fh:
            rows = list(csv.DictReader(fh))
        assert [r["id"] for r in rows] == ids and set(rows[0]) == {"id", "prediction"}
        assert all(0 < float(r["prediction"]) < 1 for r in rows)
    # a run trained with an extra input says which column the file lacks, in one line
    extra = save_untrained_run(tmp_path / "x", "cnn", build | {"extras": 1})
    capsys.readouterr()
    assert main(["predict", "--run", str(extra), "--data", str(table), "--out", "p.csv"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Missing: extra1" in err[0]
    # one that recorded its training average scores plain and labelled files with it
    record = {"name": "t", "task": "binary", "extras_names": ["acc"], "extras_means": [0.3]}
    averaged = save_untrained_run(tmp_path / "avg", "cnn", build | {"extras": 1}, record)
    labelled = tmp_path / "lab.csv"
    labelled.write_text("id,sequence,label\nr1," + "ACGT" * 7 + "AC,1\n")
    # the value each sequence was scored with is in the table, after the labels
    for data, header in (
        (fasta, ["id", "prediction", "acc"]),
        (labelled, ["id", "prediction", "label", "acc"]),
    ):
        out = tmp_path / f"avg-{data.name}.csv"
        assert (
            main(["predict", "--run", str(averaged), "--data", str(data), "--out", str(out)]) == 0
        )
        assert "scored with the training average (acc 0.3)" in capsys.readouterr().err
        with open(out) as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == header and all(float(r["acc"]) == 0.3 for r in rows)


def test_predict_writes_a_tables_labels_under_their_own_tasks(tmp_path, capsys):
    """Label columns are matched by name: a multi-task file in another column order still
    writes each label under its task, and a file without usable labels is still scored."""
    from conftest import save_untrained_run

    build = {"seq_len": 12, "outputs": 2, "extras": 0, "members": 1, "filters": 4}
    record = {"name": "t", "task": "multitask-binary", "class_names": ["JUND", "CTCF"]}
    run = save_untrained_run(tmp_path / "mt", "cnn", build, record)
    data = tmp_path / "mt.csv"
    data.write_text("id,sequence,label_CTCF,label_JUND\na,ACGTACGTACGT,0,1\n")
    out = tmp_path / "p.csv"
    assert main(["predict", "--run", str(run), "--data", str(data), "--out", str(out)]) == 0
    with open(out) as fh:
        row = next(csv.DictReader(fh))
    assert (row["label_JUND"], row["label_CTCF"]) == ("1", "0")
    data.write_text("id,sequence,label_JUND\na,ACGTACGTACGT,1\n")
    capsys.readouterr()
    assert main(["predict", "--run", str(run), "--data", str(data), "--out", str(out)]) == 0
    assert "Labels not written" in capsys.readouterr().err
    with open(out) as fh:
        assert csv.DictReader(fh).fieldnames == ["id", "p_JUND", "p_CTCF"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--data", "sirna", "--out", "o", "--batch-size", "0"], "0 is less than 1"),
        (["train", "--data", "sirna", "--out", "o", "--epochs", "-5"], "-5 is less than 1"),
        (["train", "--data", "sirna", "--out", "o", "--lr", "-1"], "-1 is not above 0"),
        (["interpret", "saliency", "--run", "r", "--out", "o", "--n-shuffles", "0"], "less than 1"),
        (["interpret", "ism", "--run", "r", "--out", "o", "-n", "-1"], "-1 is less than 1"),
        (["interpret", "ism", "--run", "r", "--out", "o", "--split", "bogus"], "invalid choice"),
    ],
)
def test_numbers_no_run_can_use_are_refused_by_the_parser(argv, message, capsys):
    """--n-shuffles 0 wrote empty attributions and -n -1 meant 'all but the last'."""
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_mixed_lengths_train_with_seq_len_and_one_class_is_warned(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = [("".join(rng.choice(list("ACGT"), 30 + i % 11)), i % 2) for i in range(60)]
    data = tmp_path / "mixed.csv"
    data.write_text("sequence,label\n" + "".join(f"{s},{y}\n" for s, y in rows))
    base = ["train", "--data", str(data), "--epochs", "1", "--quiet"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 2
    assert "--seq-len on the command line" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "b"), "--seq-len", "36"]) == 0
    info = json.loads((tmp_path / "b" / "run.json").read_text())
    assert info["model"]["build"]["seq_len"] == 36 and info["dataset"]["lengths"] == [36, 36]
    data.write_text("sequence,label\n" + "".join(f"{s},1\n" for s, _ in rows))
    capsys.readouterr()
    assert main([*base, "--out", str(tmp_path / "c"), "--seq-len", "36"]) == 0
    assert "warning: Every sequence has label 1" in capsys.readouterr().err


def test_predict_says_when_the_run_did_not_finish(tmp_path, capsys):
    from conftest import save_untrained_run

    build = {"seq_len": 12, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "run", "cnn", build)
    info = json.loads((run / "run.json").read_text()) | {"status": "stopped", "epochs_done": 1}
    (run / "run.json").write_text(json.dumps(info))
    fasta = tmp_path / "x.fa"
    fasta.write_text(">a\nACGTACGTACGT\n")
    assert (
        main(["predict", "--run", str(run), "--data", str(fasta), "--out", str(tmp_path / "p")])
        == 0
    )
    assert "note: run is stopped" in capsys.readouterr().err
    # stopped before its first epoch: the weights are the starting model's
    (run / "run.json").write_text(json.dumps(info | {"epochs_done": 0}))
    assert (
        main(["predict", "--run", str(run), "--data", str(fasta), "--out", str(tmp_path / "q")])
        == 0
    )
    assert "predictions of its starting model, untrained" in capsys.readouterr().err


def test_a_missing_file_is_named_in_words(tmp_path, capsys):
    fasta = tmp_path / "x.fa"
    fasta.write_text(">a\nACGT\n")
    missing = tmp_path / "nope.csv"
    argv = ["train", "--data", str(fasta), "--labels", str(missing), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    assert (
        capsys.readouterr().err.strip() == f"genoviz: error: {missing}: no such file or directory"
    )


def test_a_sequence_shorter_than_k_is_named_by_its_id(tmp_path, capsys):
    from conftest import save_untrained_run

    run = save_untrained_run(
        tmp_path / "bert", "kmer-bert", {"seq_len": 20, "outputs": 1, "k": 3, "size": "tiny"}
    )
    fasta = tmp_path / "x.fa"
    fasta.write_text(">a\nACGTACGTAC\n>tiny\nAC\n")
    assert main(["predict", "--run", str(run), "--data", str(fasta), "--out", "p.csv"]) == 2
    err = capsys.readouterr().err
    assert "'tiny' has 2 base(s); this model reads 3-mers, so it needs at least 3" in err


def test_codon_bert_needs_a_whole_codon_and_says_when_a_partial_one_is_dropped(tmp_path):
    from conftest import save_untrained_run

    from genoviz.predict import predict_sequences
    from genoviz.runs import load_run
    from genoviz.sequences import SequenceError

    species = {"name": "codon-species", "spec": "codon-species", "task": "binary"}
    build = {"seq_len": 30, "outputs": 1, "size": "tiny"}
    run = load_run(save_untrained_run(tmp_path / "codon", "codon-bert", build, species))
    with pytest.raises(SequenceError, match=r"'b' has 2 base\(s\); this model reads codons"):
        predict_sequences(run, ["ATGAAA", "AC"], ids=["a", "b"])
    got = predict_sequences(run, ["ATGAAATTT", "ATGAAATT", "ATGAAATTTG"])
    assert "2 sequence(s) end in a partial codon" in " ".join(got.notes)
    assert not any("partial" in n for n in predict_sequences(run, ["ATGAAATTT"]).notes)


def test_predict_and_autoencode_never_write_over_an_input_or_a_runs_files(tmp_path, capsys):
    from conftest import save_untrained_run

    build = {"seq_len": 30, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "run", "cnn", build)
    table = tmp_path / "new.csv"
    text = "id,sequence\nr1," + "ACGT" * 7 + "AC\n"
    table.write_text(text)
    run_json = (run / "run.json").read_text()
    for out, says in (
        (table, "is this command's --data file"),
        (run / "run.json", "is the run's own run.json"),
        (tmp_path, "is a folder"),
    ):
        argv = ["predict", "--run", str(run), "--data", str(table), "--out", str(out)]
        assert main(argv) == 2
        assert says in capsys.readouterr().err
    assert table.read_text() == text and (run / "run.json").read_text() == run_json
    # a file of one's own in a run folder is fine, again and again: nothing there is lost
    mine = ["predict", "--run", str(run), "--data", str(table), "--out", str(run / "p.csv")]
    assert main(mine) == 0 and main(mine) == 0
    labelled = tmp_path / "lab.csv"
    labelled.write_text("sequence,label\n" + "".join(f"{'ACGT' * 5},{i % 2}\n" for i in range(40)))
    before = labelled.read_text()
    argv = ["autoencode", "--data", str(labelled), "--out", str(tmp_path / "ae")]
    assert main([*argv, "--epochs", "1", "--latent-csv", str(labelled)]) == 2
    assert "is this command's --data file" in capsys.readouterr().err
    assert labelled.read_text() == before and not (tmp_path / "ae").exists()  # before training


def test_a_run_json_without_its_records_is_one_line_not_a_traceback(tmp_path, capsys):
    run = tmp_path / "bare"
    run.mkdir()
    (run / "run.json").write_text("{}")
    table = tmp_path / "t.csv"
    table.write_text("sequence\nACGTACGT\n")
    argv = ["predict", "--run", str(run), "--data", str(table), "--out", str(tmp_path / "p.csv")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("genoviz: error:") and "has no model and no dataset record" in err
    argv = ["interpret", "saliency", "--run", str(run), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    assert "has no model and no dataset record" in capsys.readouterr().err
    (run / "run.json").write_text("[1, 2]")
    assert main(["train", "--resume", str(run)]) == 2
    assert "does not describe a genoviz run" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["train", "--data", "x.csv", "--out", "o", "--seed", "-1"], "-1 is not between 0 and"),
        (["autoencode", "--data", "x.csv", "--out", "o", "--seed", "9" * 20], "is not between"),
        (["pretrain", "--data", "x.txt", "--out", "o", "--max-tokens", "0"], "0 is not between 8"),
        (["pretrain", "--data", "x", "--out", "o", "--chunks-per-epoch", "-3"], "-3 is not"),
    ],
)
def test_out_of_range_numbers_are_argparse_errors_not_tracebacks(argv, says, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and says in capsys.readouterr().err


def test_class_numbers_train_as_multiclass_when_asked(tmp_path, capsys):
    tag = ["".join("ACGT"[i >> (2 * j) & 3] for j in range(4)) for i in range(60)]  # distinct
    rows = "".join(f"{tag[i]}{'ACGT' * 2}{'ACG'[i % 3] * 8},{i % 3}\n" for i in range(60))
    data = tmp_path / "classes.csv"
    data.write_text("sequence,label\n" + rows)
    argv = ["train", "--data", str(data), "--model", "linear", "--epochs", "1", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "auto")]) == 0  # detected as numbers
    assert json.loads(capsys.readouterr().out)["task"] == "regression"
    assert main([*argv, "--task", "multiclass", "--out", str(tmp_path / "mc")]) == 0
    final = json.loads(capsys.readouterr().out)
    assert final["task"] == "multiclass" and "accuracy" in final["test"]
    # explained as classes too: the run's file reloads as classes, not as values
    ism = ["interpret", "ism", "--run", str(tmp_path / "mc"), "--target", "2"]
    assert main([*ism, "--out", str(tmp_path / "ism")]) == 0
    assert json.loads((tmp_path / "ism" / "ism.json").read_text())["output"] == "log-probability"
    bad = tmp_path / "bad.csv"
    bad.write_text("sequence,label\n" + "".join(f"ACGTACGT,{v}\n" for v in (0, 1, 2.5, 1) * 5))
    assert main([*argv, "--data", str(bad), "--task", "multiclass", "--out", "x"]) == 2
    assert (
        "needs class numbers 0, 1, 2, … (up to 1000), but line 4 has 2.5" in capsys.readouterr().err
    )
    one_based = tmp_path / "from1.csv"
    one_based.write_text("sequence,label\n" + "".join(f"ACGTACGT,{v}\n" for v in (1, 2, 3) * 7))
    assert main([*argv, "--data", str(one_based), "--task", "multiclass", "--out", "x"]) == 2
    assert "numbers classes from 0, but the lowest label here is 1" in capsys.readouterr().err


def test_pretrain_view_is_for_codon_bert_only(capsys):
    argv = ["pretrain", "--data", "codon-corpus", "--model", "kmer-bert", "--view", "parallel"]
    assert main([*argv, "--out", "never"]) == 2
    assert "--view parallel is for codon-bert" in capsys.readouterr().err


def test_autoencode_on_a_missing_device_leaves_no_folder(tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    data = tmp_path / "d.csv"
    data.write_text("sequence,label\n" + "".join(f"ACGTACGTAC,{i % 2}\n" for i in range(30)))
    out = tmp_path / "ae"
    argv = ["autoencode", "--data", str(data), "--out", str(out), "--device", "cuda"]
    assert main(argv) == 2
    assert "no CUDA GPU" in capsys.readouterr().err and not out.exists()


def test_datasets_lists_every_set_in_one_column(capsys):
    assert main(["datasets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len({line.index(" task=") for line in lines if " task=" in line}) == 1


@pytest.mark.training
def test_a_run_reloads_its_own_data_from_anywhere_with_the_labels_file_it_took(
    tmp_path, monkeypatch, capsys
):
    """run.json kept the data path as typed and not the labels file: interpret and resume
    could not reload a FASTA + --labels run, nor any run from another folder."""
    from genoviz.data import load
    from genoviz.training import TrainConfig, fit

    rng = np.random.default_rng(0)
    (tmp_path / "in").mkdir()
    seqs = ["".join(rng.choice(list("ACGT"), 20)) for _ in range(60)]
    (tmp_path / "in" / "lab.fa").write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(seqs)))
    (tmp_path / "in" / "labels.csv").write_text(
        "id,label\n" + "".join(f"s{i},{i % 2}\n" for i in range(60))
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "run"
    train = ["train", "--data", "in/lab.fa", "--labels", "in/labels.csv", "--model", "mlp"]
    assert main([*train, "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    data = json.loads((out / "run.json").read_text())["dataset"]
    assert data["spec"] == str(tmp_path / "in" / "lab.fa")
    assert data["load_options"] == {"labels": str(tmp_path / "in" / "labels.csv")}
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    sal = ["interpret", "saliency", "--run", str(out), "--out", "sal", "-n", "2"]
    assert main(sal) == 0, capsys.readouterr().err
    # a run cut off after its first epoch resumes from another folder too
    monkeypatch.chdir(tmp_path)
    ds = load("in/lab.fa", labels="in/labels.csv")

    def cut(record):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(ds, "mlp", TrainConfig(epochs=2), run_dir=tmp_path / "cut", on_epoch=cut)
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["train", "--resume", str(tmp_path / "cut"), "--quiet"]) == 0
    assert json.loads((tmp_path / "cut" / "run.json").read_text())["status"] == "finished"


def test_a_multitask_file_names_its_tasks_after_its_label_columns(tmp_path, capsys):
    """Its tasks were task1, task2: outputs p_task1, and predict on the very file it was
    trained on left the labels out ('needs the columns label_task1, label_task2')."""
    rng = np.random.default_rng(0)
    rows = [
        ("".join(rng.choice(list("ACGT"), 20)), int(rng.random() < 0.5), int(rng.random() < 0.5))
        for _ in range(120)
    ]
    data = tmp_path / "mt.csv"
    data.write_text("sequence,label_A,label2\n" + "".join(f"{s},{a},{b}\n" for s, a, b in rows))
    out = tmp_path / "run"
    assert main(["train", "--data", str(data), "--model", "mlp", "--epochs", "1", "--quiet",
                 "--out", str(out)]) == 0  # fmt: skip
    assert json.loads((out / "run.json").read_text())["dataset"]["class_names"] == ["A", "2"]
    preds = tmp_path / "p.csv"
    assert main(["predict", "--run", str(out), "--data", str(data), "--out", str(preds)]) == 0
    assert "Labels not written" not in capsys.readouterr().err
    header = preds.read_text().splitlines()[0].split(",")
    assert header == ["id", "p_A", "p_2", "label_A", "label_2"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        (
            ("model", "build", "seq_len"),
            "abc",
            'the model build\'s seq_len is "abc", where a whole',
        ),
        (("model", "build", "seq_len"), 40.5, "the model build's seq_len is 40.5, where a whole"),
        (("model", "build", "outputs"), None, "the model build's outputs is null, where a whole"),
        (("dataset", "lengths"), ["x", 30], 'the dataset\'s lengths is ["x", 30], where a pair'),
    ],
)
def test_a_hand_edited_number_in_run_json_is_named_not_a_traceback(
    field, value, says, tmp_path, capsys
):
    from conftest import save_untrained_run

    build = {"seq_len": 30, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "run", "cnn", build)
    info = json.loads((run / "run.json").read_text())
    info["dataset"]["lengths"] = [30, 30]
    *parents, key = field
    record = info
    for name in parents:
        record = record[name]
    record[key] = value
    (run / "run.json").write_text(json.dumps(info))
    table = tmp_path / "t.csv"
    table.write_text("id,sequence\nr1," + "ACGT" * 7 + "AC\n")
    for argv in (
        ["predict", "--run", str(run), "--data", str(table), "--out", str(tmp_path / "p.csv")],
        ["interpret", "ism", "--run", str(run), "--out", str(tmp_path / "o")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"genoviz: error: {run / 'run.json'}: {says}")
        assert "edited or damaged" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("command", [[], ["train"], ["predict"], ["interpret"]])
def test_help_shows_no_markup(command, capsys):
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = capsys.readouterr().out
    assert "usage: python -m genoviz" in text and "``" not in text and "*" not in text


def test_a_missing_run_folder_is_named_with_what_one_holds(tmp_path, capsys):
    gone = tmp_path / "gone"
    for argv, flag in (
        (["predict", "--run", str(gone), "--data", "sirna", "--out", str(tmp_path / "p")], "--run"),
        (["interpret", "ism", "--run", str(gone), "--out", str(tmp_path / "o")], "--run"),
        (["train", "--resume", str(gone)], "--resume"),
        (["train", "--data", "sirna", "--init", str(gone), "--out", str(tmp_path / "t")], "--init"),
    ):
        assert main(argv) == 2
        assert capsys.readouterr().err.strip() == (
            f"genoviz: error: {flag} {gone} was not found, so it is not a genoviz run folder (a "
            "run folder is what train writes with --out: run.json, model.safetensors, "
            "metrics.jsonl and more)"
        )
    assert main(["train", "--resume", str(tmp_path)]) == 2  # there, but no run.json
    assert f"--resume {tmp_path} is not a genoviz run folder: it has no run.json (a run" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "t").exists()


def test_freeze_trunk_without_init_names_the_option_typed(tmp_path, capsys):
    """It said 'init_from', TrainConfig's name for --init."""
    out = tmp_path / "t"
    assert main(["train", "--data", "sirna", "--freeze-trunk", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "genoviz: error: --freeze-trunk keeps the trunk copied by --init RUN_DIR fixed; give "
        "--init too"
    )
    assert not out.exists()


def test_a_model_without_hyperparameters_says_it_takes_none(tmp_path, capsys):
    """It listed them as an empty list: 'it takes '."""
    out = tmp_path / "t"
    argv = ["train", "--data", "sirna", "--model", "linear", "--hparams", '{"hidden": 8}']
    assert main([*argv, "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "genoviz: error: model 'linear' has no hyperparameter 'hidden'; it takes none"
    )


def test_a_pretraining_runs_hint_names_the_path_to_it(tmp_path, capsys):
    """It named the folder only (train --init pre), which works from its parent folder only."""
    from conftest import save_untrained_run

    build = {"seq_len": 30, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "runs" / "pre", "cnn", build)
    info = json.loads((run / "run.json").read_text()) | {"purpose": "pretraining"}
    (run / "run.json").write_text(json.dumps(info))
    argv = ["predict", "--run", str(run), "--data", "sirna", "--out", str(tmp_path / "p.csv")]
    assert main(argv) == 2
    assert f"(train --init {run}) and predict with that run" in capsys.readouterr().err


def test_seq_len_says_how_many_sequences_it_pads_or_trims(tmp_path, capsys):
    """--seq-len 2 on 21-nt siRNA trained on 2-nt sequences without a word."""
    rng = np.random.default_rng(0)
    rows = [("".join(rng.choice(list("ACGT"), 30 + i % 11)), i % 2) for i in range(60)]
    data = tmp_path / "mixed.csv"
    data.write_text("sequence,label\n" + "".join(f"{s},{y}\n" for s, y in rows))
    argv = ["train", "--data", str(data), "--epochs", "1", "--quiet", "--seq-len", "34"]
    assert main([*argv, "--out", str(tmp_path / "run")]) == 0
    padded = sum(len(s) < 34 for s, _ in rows)
    trimmed = sum(len(s) > 34 for s, _ in rows)
    assert (padded, trimmed) == (24, 30)
    assert (
        "genoviz: note: --seq-len 34: of the 60 sequences (30-40 bp), 24 were padded with N "
        "and 30 trimmed (centred) to 34 bp"
    ) in capsys.readouterr().err
    info = json.loads((tmp_path / "run" / "run.json").read_text())["dataset"]
    assert info["lengths"] == [34, 34] and info["file_lengths"] == [30, 40]


def test_predict_refuses_a_genome_or_width_for_sequences(tmp_path, capsys):
    """As train does: they apply to BED regions only (predict ignored them for a table or
    FASTA without a word)."""
    from conftest import save_untrained_run

    build = {"seq_len": 12, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "run", "cnn", build)
    fasta = tmp_path / "x.fa"
    fasta.write_text(">a\nACGTACGTACGT\n")
    base = ["predict", "--run", str(run), "--data", str(fasta), "--out", str(tmp_path / "p.csv")]
    for option in (["--width", "30"], ["--genome", str(tmp_path / "g.fa")]):
        assert main([*base, *option]) == 2
        err = capsys.readouterr().err.strip()
        assert err == (
            "genoviz: error: x.fa: a genome and a width apply to BED regions only; this is "
            "not a .bed file"
        )
    assert not (tmp_path / "p.csv").exists()


def test_predict_on_a_run_without_weights_says_only_that(tmp_path, capsys):
    """It said first that these were its starting model's predictions, then that there were
    none."""
    from conftest import save_untrained_run

    build = {"seq_len": 12, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "run", "cnn", build)
    (run / "model.safetensors").unlink()
    info = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps(info | {"status": "failed", "epochs_done": 0}))
    fasta = tmp_path / "x.fa"
    fasta.write_text(">a\nACGTACGTACGT\n")
    argv = ["predict", "--run", str(run), "--data", str(fasta), "--out", str(tmp_path / "p")]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == (
        f"genoviz: error: {run}: no model.safetensors; the run saved no weights (failed "
        "before its first epoch finished); train it again"
    )


def test_ctrl_c_while_importing_is_one_line(monkeypatch, capsys):
    """Torch takes seconds to import; Ctrl-C then printed a KeyboardInterrupt traceback."""
    import runpy
    import types

    class Importing(types.ModuleType):
        def __getattr__(self, name):
            if name == "main":  # Ctrl-C while its module is imported
                raise KeyboardInterrupt
            raise AttributeError(name)

    monkeypatch.setitem(sys.modules, "genoviz.cli", Importing("genoviz.cli"))
    try:
        runpy.run_module("genoviz", run_name="__main__")
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C while importing came out as a KeyboardInterrupt traceback")
    except SystemExit as e:
        assert e.code == 130
    assert capsys.readouterr().err == "genoviz: interrupted\n"


def test_train_names_ids_that_repeat(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = [(f"s{min(i, 58)}", "".join(rng.choice(list("ACGT"), 30)), i % 2) for i in range(60)]
    data = tmp_path / "dup.csv"
    data.write_text("id,sequence,label\n" + "".join(f"{i},{s},{y}\n" for i, s, y in rows))
    argv = ["train", "--data", str(data), "--epochs", "1", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "genoviz: note: 1 id(s) name more than one sequence: 's58' 2 times." in err


def test_motif_net_from_jaspar_names_keeps_one_taxonomic_group_and_says_so(tmp_path, capsys):
    """GATA1 also names an Arabidopsis matrix: the CLI narrows a name as the Train page
    does, records the rule, and names the matrices it starts from and leaves out."""
    rng = np.random.default_rng(0)
    data = tmp_path / "d.csv"
    data.write_text(
        "sequence,label\n"
        + "".join(f"{''.join(rng.choice(list('ACGT'), 30))},{i % 2}\n" for i in range(40))
    )
    hparams = json.dumps({"init": "jaspar", "jaspar": ["GATA1", "MA0138.3"], "motifs": 4})
    argv = ["train", "--data", str(data), "--model", "motif-net", "--epochs", "1", "--quiet"]
    assert main([*argv, "--hparams", hparams, "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "starts from MA0035.5 GATA1 (Homo sapiens, vertebrates); MA0138.3 REST" in err
    assert "centre 15 of 20 columns" in err
    assert "Left out" in err and "MA2388.1 GATA1 (Arabidopsis thaliana, plants)" in err
    build = json.loads((tmp_path / "run" / "run.json").read_text())["model"]["build"]
    assert build["jaspar_tax_group"] == "auto"


def test_compare_extras_trains_both_arms_and_names_one_that_did_not_learn(tmp_path, capsys):
    """The Zoo page's with-and-without comparison from the command line: the label lives in
    the extra column only, so the sequence-only arm is at chance and stderr says so."""
    rng = np.random.default_rng(0)
    labels = np.arange(300) % 2
    # noisy enough not to read as the label in another form (ROC AUC about 0.9)
    openness = labels + rng.normal(0, 0.6, 300)
    data = tmp_path / "open.csv"
    pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(300)],
            "sequence": ["".join(rng.choice(list("ACGT"), 30)) for _ in range(300)],
            "label": labels,
            "openness": openness.round(4),
        }
    ).to_csv(data, index=False)
    table = tmp_path / "gain.csv"
    argv = ["compare-extras", "--data", str(data), "--epochs", "2", "--lr", "0.01"]
    assert main([*argv, "--out", str(table)]) == 0
    out, err = capsys.readouterr()
    final = json.loads(out.strip().splitlines()[-1])
    assert final["models"] == ["cnn", "cnn"] and final["metric"] == "roc_auc"
    assert final["test"]["with"] > 0.75 and final["unlearned"] == ["sequence only"]
    assert final["chance_p"]["with"] < 0.05 <= final["chance_p"]["without"]
    assert "without epoch   2" in out and "   with epoch   2" in out
    assert "On the test split, sequence + openness scores" in out
    assert "warning: sequence only (cnn) did not learn" in err
    written = pd.read_csv(table)
    assert list(written["variant"]) == ["sequence only", "sequence + openness"]
    assert written["test"][1] == pytest.approx(final["test"]["with"], abs=1e-5)
    # a model name is checked before any training, and data without extras is refused
    assert main([*argv, "--models", "cnn,nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err
    plain = tmp_path / "plain.csv"
    pd.read_csv(data).drop(columns="openness").to_csv(plain, index=False)
    assert main(["compare-extras", "--data", str(plain)]) == 2
    assert "has no extra inputs to compare with and without" in capsys.readouterr().err
