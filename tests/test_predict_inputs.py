"""Sequences to score (genoviz.predict_inputs): labels optional, extras named by line."""

import pytest
from conftest import save_untrained_run

from genoviz.data import DataFormatError
from genoviz.predict_inputs import MissingExtrasError, extras_from_table, read_inputs
from genoviz.runs import load_run

BUILD = {"seq_len": 20, "outputs": 1, "extras": 1, "members": 1, "filters": 4}


@pytest.fixture
def run(tmp_path):
    record = {"name": "t", "task": "binary", "extras_names": ["accessibility"]}
    return load_run(save_untrained_run(tmp_path / "run", "cnn", BUILD, record))


def test_fasta_and_tables_read_without_labels():
    fasta = read_inputs(">a\nACGT\n>b\nGGCC\n", "x.fa")
    assert (fasta.ids, fasta.seqs, fasta.table) == (["a", "b"], ["ACGT", "GGCC"], None)
    table = read_inputs("id,sequence,label\nr1,ACGT,1\n\nr2,ttga,0\n", "t.csv")
    assert table.seqs == ["ACGT", "TTGA"] and table.label_columns() == ["label"]
    assert table.lines == [2, 4]  # the blank line counts


def test_dnabert_kmer_tables_are_joined_back_into_bases_as_training_reads_them():
    """DNABERT's TSV holds overlapping k-mers; they were once glued together, so a 6-bp
    sequence became 18 bp of nonsense."""
    from genoviz.data import load_text

    text = "sequence\tlabel\nACGTAC CGTACG GTACGT\t1\nTTTTGG TTTGGA TTGGAC\t0\n"
    assert read_inputs(text, "dev.tsv").seqs == ["ACGTACGT", "TTTTGGAC"]
    assert read_inputs(text, "dev.tsv").seqs == load_text(text, "dev.tsv").sequences
    assert read_inputs("sequence\nACG CGT GTA\n", "x.tsv").seqs == ["ACGTA"]  # no labels
    with pytest.raises(DataFormatError, match=r"x.tsv, line 3: k-mer 2 \('GGG'\)"):
        read_inputs("sequence\nACG CGT\nAAA GGG\n", "x.tsv")
    # every row like the first: k-mers of one k, or plain bases, never glued together
    with pytest.raises(DataFormatError, match=r"line 3 holds 4-mers, while line 2 holds 3-mers"):
        read_inputs("sequence\nACG CGT\nACGT CGTA\n", "x.tsv")
    with pytest.raises(DataFormatError, match=r"line 3 holds plain bases, while line 2 holds"):
        read_inputs("sequence\nACG CGT\nACGTACGT\n", "x.tsv")
    with pytest.raises(DataFormatError, match=r"line 3 holds overlapping 3-mers, while line 2"):
        read_inputs("sequence\nACGTACGT\nACG CGT GTA\n", "x.tsv")
    blocks = "sequence\nACGTACGTAC GGGGGCCCCC\nTTGACCAATT\n"  # GenBank-style blocks: bases
    assert read_inputs(blocks, "x.tsv").seqs == ["ACGTACGTACGGGGGCCCCC", "TTGACCAATT"]


def test_extras_come_from_their_column_and_a_bad_value_names_its_line(run):
    ok = read_inputs("sequence,accessibility\nACGT,0.5\n", "t.csv")
    assert extras_from_table(run, ok).tolist() == [[0.5]]
    with pytest.raises(MissingExtrasError, match="Missing: accessibility"):
        extras_from_table(run, read_inputs("sequence\nACGT\n", "t.csv"))
    bad = read_inputs("sequence,accessibility\nACGT,0.5\n\nGGCC,high\n", "t.csv")
    with pytest.raises(DataFormatError, match=r"t\.csv, line 4: extra column 'accessibility'"):
        extras_from_table(run, bad)


def test_sequences_without_extra_columns_are_scored_with_the_training_average(tmp_path):
    """A run records its training split's average extras; plain sequences get them, with a
    note, while a table's own column still wins and a half-given set is still refused."""
    import dataclasses

    import numpy as np
    from conftest import planted_dataset

    from genoviz.predict import predict_sequences
    from genoviz.predict_inputs import extras_or_average
    from genoviz.training import TrainConfig, fit

    ds = planted_dataset(n=60)
    ds.extras = np.random.default_rng(0).random((60, 1)).astype(np.float32)
    ds.meta = dataclasses.replace(ds.meta, extras_names=["accessibility"])
    cfg = TrainConfig(epochs=1, runs_dir=str(tmp_path), hparams={"members": 1, "filters": 4})
    trained = load_run(fit(ds, "cnn", cfg).run_dir)
    mean = float(ds.extras[ds.splits["train"]].mean())
    assert trained.info["dataset"]["extras_means"] == pytest.approx([mean])

    fasta = read_inputs(">a\n" + "ACGT" * 10 + "\n>b\n" + "GGCA" * 10 + "\n", "x.fa")
    got = extras_or_average(trained, fasta)
    np.testing.assert_allclose(got.values, [[mean], [mean]], rtol=1e-6)
    assert f"training average (accessibility {mean:.3g})" in got.note
    scored = predict_sequences(trained, fasta.seqs, got.values).values
    other = predict_sequences(trained, fasta.seqs, got.values + 0.5).values
    assert not np.allclose(scored, other)  # the value really enters the model
    own = read_inputs("sequence,accessibility\n" + "ACGT" * 10 + ",0.9\n", "t.csv")
    values, note = extras_or_average(trained, own)
    assert values.shape == (1, 1) and values[0, 0] == pytest.approx(0.9)
    assert note == ""
    # a run saved before the averages were recorded still asks for the column
    with pytest.raises(MissingExtrasError, match="Missing: accessibility"):
        extras_or_average(load_run(run_dir_without_means(trained.path)), fasta)


def run_dir_without_means(path):
    import json

    info = json.loads((path / "run.json").read_text())
    del info["dataset"]["extras_means"]
    (path / "run.json").write_text(json.dumps(info))
    return path


def test_table_labels_are_matched_to_the_run_by_name(tmp_path):
    """A multi-task file's label columns in another order still land under their task; a
    label that cannot be used is left out with the reason, never written wrong."""
    from genoviz.predict_inputs import table_labels

    build = {"seq_len": 8, "outputs": 2, "extras": 0, "members": 1, "filters": 4}
    record = {"name": "t", "task": "multitask-binary", "class_names": ["JUND", "CTCF"]}
    mt = load_run(save_untrained_run(tmp_path / "mt", "cnn", build, record))
    table = read_inputs("id,sequence,label_CTCF,label_JUND\na,ACGT,0,1\nb,GGCC,1,1\n", "t.csv")
    assert table_labels(mt, table).values.tolist() == [[1, 0], [1, 1]]
    half = table_labels(mt, read_inputs("sequence,label_JUND\nACGT,1\n", "h.csv"))
    assert half.values is None and "needs the columns label_JUND, label_CTCF" in half.note

    record = {"name": "s", "task": "multiclass", "class_names": ["neither", "donor", "acceptor"]}
    mc = load_run(save_untrained_run(tmp_path / "mc", "cnn", build | {"outputs": 3}, record))
    assert table_labels(mc, read_inputs("sequence,label\nACGT,2\n", "c.csv")).values.tolist() == [
        [2]
    ]
    for bad in ("-1", "3", "1.5"):
        got = table_labels(mc, read_inputs(f"sequence,label\nACGT,0\nGGCC,{bad}\n", "c.csv"))
        assert got.values is None and f"line 3: label {float(bad):g} is not one of" in got.note
    blank = table_labels(mc, read_inputs("sequence,label\nACGT,\n", "c.csv"))
    assert blank.values is None and blank.note.startswith("Labels not written: c.csv, line 2")


def test_a_datasets_extras_are_matched_by_name_not_position(tmp_path):
    """A labelled file's 'gc' column is never fed to the model as its 'accessibility'."""
    import dataclasses

    import numpy as np
    from conftest import planted_dataset

    from genoviz.predict_inputs import dataset_extras

    record = {"name": "t", "task": "binary", "extras_names": ["accessibility"]}
    run = load_run(
        save_untrained_run(tmp_path / "r", "cnn", BUILD, record | {"extras_means": [0.4]})
    )
    ds = planted_dataset(n=4, length=20)
    ds.extras = np.array([[0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]], np.float32)
    ds.meta = dataclasses.replace(ds.meta, extras_names=["gc", "Accessibility"])
    assert dataset_extras(run, ds).values[:, 0].tolist() == pytest.approx([0.9, 0.8, 0.7, 0.6])
    ds.extras = ds.extras[:, :1]
    ds.meta = dataclasses.replace(ds.meta, extras_names=["gc"])
    got = dataset_extras(run, ds)
    assert got.values[:, 0].tolist() == pytest.approx([0.4] * 4) and "training average" in got.note


def test_columns_differing_only_in_case_are_refused_when_scoring(run):
    """'ID' after 'id' gave the rows its ids, and 'Accessibility' may shadow the run's
    'accessibility': the table is refused naming both columns."""
    with pytest.raises(DataFormatError) as e:
        read_inputs("id,ID,sequence\na,x1,ACGT\n", "p.csv")
    assert str(e.value) == (
        "p.csv: columns 'id' and 'ID' differ only in case, so genoviz cannot tell which "
        "one is meant; rename one"
    )
    with pytest.raises(DataFormatError, match="'accessibility' and 'Accessibility' differ"):
        read_inputs("sequence,accessibility,Accessibility\nACGT,0.5,0.9\n", "p.csv")


@pytest.fixture
def plain_run(tmp_path):
    build = BUILD | {"extras": 0}
    return load_run(save_untrained_run(tmp_path / "plain", "cnn", build, {"task": "binary"}))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            ">a label=1\nACGTACGTAC\n>b\nTTTTACGTAA\n",
            "record 'b' (line 3) has no 'label=' in its header, though other records have one",
        ),
        (">a label=pos\nACGTACGTAC\n>b label=neg\nTTTTACGTAA\n", "label='pos', which is not"),
    ],
)
def test_a_fasta_with_unusable_labels_is_scored_without_them(plain_run, text, why):
    """Labels are optional when scoring: a FASTA with labels on some records only, or
    text labels, had been refused outright while a table like it was scored."""
    from genoviz.predict_inputs import text_scoring

    got = text_scoring(plain_run, text, "p.fa")
    assert (got.inputs.ids, got.inputs.seqs) == (["a", "b"], ["ACGTACGTAC", "TTTTACGTAA"])
    assert got.label_values is None
    assert len(got.notes) == 1 and got.notes[0].startswith("Labels not written: p.fa: ")
    assert why in got.notes[0]


def test_repeated_ids_are_scored_and_named_in_a_note(plain_run):
    """Two records named 'a' were written as two rows 'a' without a word."""
    from genoviz.predict_inputs import text_scoring

    fasta = text_scoring(plain_run, ">a\nACGT\n>a\nTTTT\n>b\nGGCC\n", "p.fa")
    assert fasta.inputs.ids == ["a", "a", "b"]
    assert fasta.notes == [
        "1 id(s) name more than one sequence: 'a' 2 times. Their predictions are written "
        "in input order, one row each."
    ]
    ids = "abcdd" + "e" * 3 + "f" * 2 + "g" * 2
    rows = "".join(f"{i},ACGT\n" for i in ids)
    table = text_scoring(plain_run, "id,sequence\n" + rows, "p.csv")
    assert table.notes[0].startswith(
        "4 id(s) name more than one sequence: 'd' 2 times, 'e' 3 times, 'f' 2 times and 1 more."
    )
    labelled = text_scoring(plain_run, ">a label=1\nACGT\n>a label=0\nTTTT\n", "l.fa")
    assert labelled.label_values.tolist() == [[1], [0]]
    assert labelled.notes[0].startswith("1 id(s) name more than one sequence: 'a' 2 times.")
    assert text_scoring(plain_run, ">a\nACGT\n>b\nTTTT\n", "p.fa").notes == []
