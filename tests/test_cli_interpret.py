"""``python -m genoviz interpret {saliency,ism,agreement}``: files written, JSON schema, and
one clear line on errors. A saved run of a small untrained cnn keeps it fast; the planted
JUND recovery of a trained model is measured by the report, not here (training the default
model on tf-binding takes minutes on two cores)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import save_untrained_run
from scipy.stats import spearmanr

from genoviz.cli import main
from genoviz.interpret.agreement import scaled_tracks

BUILD = {
    "seq_len": 101,
    "outputs": 1,
    "extras": 1,
    "filters": 8,
    "kernel": 9,
    "hidden": 8,
    "dropout": 0.2,
    "members": 2,
    "mean_pool": True,
    "strand_average": True,
    "positional": False,
    "per_base": False,
}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return save_untrained_run(tmp_path_factory.mktemp("runs") / "cnn-tf", "cnn", BUILD)


def test_saliency(run_dir, tmp_path, capsys):
    out = tmp_path / "sal"
    args = ["interpret", "saliency", "--run", str(run_dir), "--out", str(out), "-n", "4"]
    assert main([*args, "--method", "deeplift", "--n-shuffles", "2"]) == 0
    table = pd.read_csv(out / "saliency.csv")
    assert len(table) == 4 * 101
    assert list(table.columns[:4]) == ["id", "position", "base", "contribution"]
    info = json.loads((out / "saliency.json").read_text())
    assert info["method"] == "deeplift" and info["n_sequences"] == 4
    assert info["max_abs_delta"] < 1e-4
    assert info["relative_delta"] < 1e-3 and info["delta_note"] is None  # a cnn adds up
    first = info["sequences"][0]
    assert first["change"] == pytest.approx(
        table[table.id == first["id"]].contribution.sum() - first["delta"], abs=1e-5
    )
    assert info["sequences"][0]["label"] == 1.0  # positives first
    assert "plotly.min.js" in (out / "saliency_heatmap.html").read_text()
    assert (out / "plotly.min.js").exists()  # shared by the figures, works offline
    assert (out / "saliency_1.html").exists()
    assert "P(label 1) 0." in (out / "saliency_1.html").read_text()  # a probability, not a logit
    assert str(out / "saliency.csv") in capsys.readouterr().out


def test_deeplift_on_an_lstm_says_it_is_approximate(tmp_path, capsys):
    """captum cannot hook an nn.LSTM's gates: the sums miss the output change by a large
    share of it (0.81 on a trained siRNA bilstm), where max_abs_delta alone looked small."""
    build = {"seq_len": 101, "outputs": 1, "extras": 1, "hidden": 8, "dense": 8}
    run = save_untrained_run(tmp_path / "bilstm", "bilstm", build)
    out = tmp_path / "sal"
    args = ["interpret", "saliency", "--run", str(run), "--out", str(out), "-n", "3"]
    assert main([*args, "--method", "deeplift", "--n-shuffles", "2"]) == 0
    info = json.loads((out / "saliency.json").read_text())
    assert info["relative_delta"] > 0.05
    assert info["delta_note"].startswith("DeepLift is approximate on this model")
    assert f"genoviz: note: {info['delta_note']}" in capsys.readouterr().err


def test_ism(run_dir, tmp_path):
    out = tmp_path / "ism"
    assert main(["interpret", "ism", "--run", str(run_dir), "--out", str(out)]) == 0
    table = pd.read_csv(out / "ism.csv")
    assert list(table.columns) == [
        *["position", "ref", "A", "C", "G", "T", "max_effect", "sequence_position"]
    ]
    assert table.position.tolist() == table.sequence_position.tolist()  # 101 bp as trained
    assert len(table) == 101
    for row in table.head(5).itertuples():  # zero effect at the reference base
        assert getattr(row, row.ref) == 0
    info = json.loads((out / "ism.json").read_text())
    assert len(info["top_positions"]) == 10
    assert "(P(label 1) 0." in (out / "ism.html").read_text()
    assert "effects on the logit)" in (out / "ism.html").read_text()


AGREEMENT_KEYS = {"id", "index", "label", "target", "target_name", "length", "tracks"}
AGREEMENT_KEYS |= {"spearman", "top_positions", "top_sequence_positions", "sequence_length"}
AGREEMENT_KEYS |= {"shift", "positions"}


def test_agreement_of_a_cnn_writes_two_tracks_and_their_spearman(run_dir, tmp_path, capsys):
    out = tmp_path / "agr"
    argv = ["interpret", "agreement", "--run", str(run_dir), "--out", str(out)]
    assert main([*argv, "--index", "1", "--n-shuffles", "2"]) == 0
    table = pd.read_csv(out / "agreement.csv")
    tracks = ["Integrated Gradients", "ISM largest effect"]
    assert list(table.columns) == ["position", "base", *tracks, "sequence_position"]
    assert len(table) == 101 and table.position.tolist() == list(range(1, 102))
    info = json.loads((out / "agreement.json").read_text())
    assert set(info) == AGREEMENT_KEYS and info["tracks"] == tracks and info["length"] == 101
    assert info["label"] == 1.0  # positives first
    (pair,) = info["spearman"]
    assert (pair["a"], pair["b"]) == tuple(tracks) and -1 <= pair["spearman"] <= 1
    assert len(info["top_positions"]["ISM largest effect"]) == 10
    assert "plotly.min.js" in (out / "agreement.html").read_text()
    assert str(out / "agreement.json") in capsys.readouterr().out


def test_agreement_of_padded_windows_compares_their_known_bases(run_dir, tmp_path):
    """40 bp windows padded to the run's 101 bp: every method scores the 61 N 0, and rho
    over them read 0.86 where the real bases gave 0.06."""
    from genoviz.data import load_bundled

    ds = load_bundled("tf-binding")
    rows = "".join(f"w{i},{s[30:70]},1,0.5\n" for i, s in enumerate(ds.sequences[:3]))
    data = tmp_path / "short.csv"
    data.write_text("id,sequence,label,extra1\n" + rows)
    out = tmp_path / "agr"
    argv = ["interpret", "agreement", "--run", str(run_dir), "--data", str(data), "--out"]
    assert main([*argv, str(out), "--split", "all", "--n-shuffles", "2"]) == 0
    info = json.loads((out / "agreement.json").read_text())
    table = pd.read_csv(out / "agreement.csv")
    known = table[table.base != "N"]
    assert len(known) == 40 and info["spearman"][0]["positions"] == 40
    assert known.sequence_position.tolist() == list(range(1, 41)) and info["shift"] == 30
    tracks = scaled_tracks({c: table[c].to_numpy() for c in table.columns[2:-1]})
    a, b = (v[known.index] for v in tracks.values())
    assert info["spearman"][0]["spearman"] == pytest.approx(spearmanr(a, b)[0])
    ranked = info["top_positions"]["Integrated Gradients"]
    assert set(ranked) <= set(known.position)


def test_agreement_of_a_kmer_bert_adds_attention(tmp_path):
    build = {"seq_len": 30, "outputs": 1, "k": 3, "size": "tiny"}
    run = save_untrained_run(tmp_path / "kmer-bert", "kmer-bert", build)
    out = tmp_path / "agr"
    assert main(["interpret", "agreement", "--run", str(run), "--out", str(out)]) == 0
    table = pd.read_csv(out / "agreement.csv")
    # a token model reads tf-binding's 101 bp as they are, not padded to its seq_len
    assert list(table.columns)[-2] == "Attention from [CLS]" and len(table) == 101
    assert (table["Attention from [CLS]"] >= 0).all()
    info = json.loads((out / "agreement.json").read_text())
    assert len(info["tracks"]) == 3 and len(info["spearman"]) == 3  # every pair once


def mixed_length_bert_run(tmp_path: Path) -> Path:
    """An untrained tiny k=3 kmer-bert run on 40 sequences of 24, 32 and 40 bp."""
    data = tmp_path / "mixed.csv"
    rows = [f"s{i},{'ACGTTGCA' * (3 + i % 3)},{i % 2}" for i in range(40)]
    data.write_text("id,sequence,label\n" + "\n".join(rows) + "\n")
    build = {"seq_len": 40, "outputs": 1, "k": 3, "size": "tiny"}
    record = {"name": "mixed", "spec": str(data), "task": "binary"}
    return save_untrained_run(tmp_path / "kmer-bert", "kmer-bert", build, record)


def test_saliency_of_a_kmer_bert_on_sequences_of_mixed_lengths(tmp_path):
    run = mixed_length_bert_run(tmp_path)
    out = tmp_path / "sal"
    args = ["interpret", "saliency", "--run", str(run), "--out", str(out), "-n", "3"]
    assert main([*args, "--split", "all", "--method", "integrated_gradients"]) == 0
    table = pd.read_csv(out / "saliency.csv")
    # each explained as the BERT read it in training and as predict scores it: as it is,
    # not padded with N to the longest (the page does the same)
    assert len(table) == 32 + 24 + 40 and table["contribution"].notna().all()
    bases = table.groupby("id", sort=False)["base"].apply("".join)
    assert list(bases.index) == ["s1", "s3", "s5"]  # positives first: 32, 24 and 40 bp
    for sid, row in bases.items():
        i = int(sid[1:])
        assert row == "ACGTTGCA" * (3 + i % 3)


def test_ism_of_a_kmer_bert_reads_the_sequence_as_it_is(tmp_path):
    """ISM scored the run's N-padded copy: positions shifted by the padding, and N became
    [UNK] k-mers, a different input from the one the title's prediction read."""
    from genoviz.interpret.ism import saturation_mutagenesis
    from genoviz.runs import load_run

    run = mixed_length_bert_run(tmp_path)
    out = tmp_path / "ism"
    args = ["interpret", "ism", "--run", str(run), "--out", str(out), "--split", "all"]
    assert main([*args, "--index", "2"]) == 0  # s3, 24 bp (positives first: s1, s3, …)
    table = pd.read_csv(out / "ism.csv")
    assert "".join(table["ref"]) == "ACGTTGCA" * 3 and "N" not in set(table["ref"])
    info = json.loads((out / "ism.json").read_text())
    model = load_run(run).load_model("cpu")
    alone = saturation_mutagenesis(model, "ACGTTGCA" * 3)
    assert info["id"] == "s3" and info["reference_output"] == pytest.approx(alone.reference_output)


def test_errors_are_one_line(run_dir, tmp_path, capsys):
    for analysis in ("ism", "agreement"):
        args = ["interpret", analysis, "--run", str(run_dir), "--out", str(tmp_path)]
        assert main([*args, "--index", "999"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("genoviz: error:") and "--index 999" in err and "\n" not in err
    assert main(["interpret", "saliency", "--run", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "not a genoviz run folder" in capsys.readouterr().err
    a_file = tmp_path / "taken.csv"
    a_file.write_text("x")
    assert main(["interpret", "saliency", "--run", str(run_dir), "--out", str(a_file)]) == 2
    assert capsys.readouterr().err.strip() == f"genoviz: error: {a_file}: file exists"


def test_sequence_embeddings_of_a_cnn_run(run_dir, tmp_path, capsys):
    out = tmp_path / "emb"
    argv = ["interpret", "embeddings", "--run", str(run_dir), "--out", str(out)]
    assert main(argv) == 2  # no token embeddings in a cnn
    assert "--sequences" in capsys.readouterr().err
    assert main([*argv, "--sequences", "-n", "40"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / f"sequence_pca.{e}") for e in ("csv", "html", "json")]
    points = pd.read_csv(out / "sequence_pca.csv")
    assert list(points.columns) == ["id", "label", "pc1", "pc2"] and len(points) == 40
    assert set(points["label"]) <= {"0 (negative)", "1 (positive)"}
    info = json.loads((out / "sequence_pca.json").read_text())
    assert info["pooling"] == "head input" and info["split"] == "test"
    assert info["dimensions"] == 2 * BUILD["hidden"] and info["n_sequences"] == 40


def test_data_unlike_the_runs_is_fitted_to_it_and_said_so(tmp_path, capsys):
    """sirna (21 nt, no accessibility) on a tf-binding run: padded to 101 bp and given the
    run's training-average accessibility, each said on stderr; it used to crash on the
    missing extra, or shift every position without a word."""
    record = {"name": "tf-binding", "spec": "tf-binding", "task": "binary"}
    record |= {"extras_names": ["accessibility"], "extras_means": [0.3]}
    run = save_untrained_run(tmp_path / "run", "cnn", BUILD, record)
    out = tmp_path / "o"
    args = ["interpret", "saliency", "--run", str(run), "--data", "sirna", "-n", "2"]
    assert main([*args, "--out", str(out), "--n-shuffles", "1"]) == 0
    err = capsys.readouterr().err
    assert "padded with N or trimmed (centred) to the run's 101 bp" in err
    assert "scored with the training average (accessibility 0.3)" in err
    assert len(pd.read_csv(out / "saliency.csv")) == 2 * 101


def test_an_empty_split_names_the_split_and_the_others(tmp_path, capsys, monkeypatch):
    """A DeepChem folder of the book's has train and valid parts only: every default call
    said 'split None of deepchem-sirna is empty'."""
    from genoviz.data import Dataset

    data = tmp_path / "d.csv"
    tag = ["".join("ACGT"[i >> (2 * j) & 3] for j in range(3)) for i in range(20)]  # distinct
    rows = [f"s{i},{tag[i]}{'ACGTTGCA' * 4},{i % 2}" for i in range(20)]
    data.write_text("id,sequence,label\n" + "\n".join(rows) + "\n")
    build = {**BUILD, "seq_len": 35, "extras": 0}
    run = save_untrained_run(tmp_path / "r", "cnn", build, {"name": "d", "spec": str(data)})
    real = Dataset.ensure_splits

    def without_test(self, seed=0, fractions=(0.8, 0.1)):
        real(self, seed, fractions)
        self.splits["test"] = self.splits["test"][:0]

    monkeypatch.setattr(Dataset, "ensure_splits", without_test)
    assert main(["interpret", "saliency", "--run", str(run), "--out", str(tmp_path / "o")]) == 2
    assert (
        "the test split of d.csv is empty; choose another with --split (train, valid, all)"
        in capsys.readouterr().err
    )


def test_unlabelled_sequences_are_sent_to_the_interpret_page(run_dir, tmp_path, capsys):
    fasta = tmp_path / "new.fa"
    fasta.write_text(">short\n" + "ACGT" * 25 + "A\n")
    args = ["interpret", "saliency", "--run", str(run_dir), "--data", str(fasta)]
    assert main([*args, "--out", str(tmp_path / "o")]) == 2
    assert "paste them on the Interpret page" in capsys.readouterr().err


def test_interpreting_on_other_splits_than_training_says_so(tmp_path, capsys):
    """A run trained on a file with copies before copies shared a split (or on a file
    changed since) is explained on other splits: the test sequences may be trained ones."""
    from genoviz import runs
    from genoviz.data import load
    from genoviz.interpret.inputs import run_inputs
    from genoviz.run_record import split_digest

    data = tmp_path / "d.csv"
    tag = ["".join("ACGT"[i >> (2 * j) & 3] for j in range(3)) for i in range(40)]
    data.write_text(
        "id,sequence,label\n"
        + "".join(f"s{i},{tag[i]}{'ACGTTGCA' * 4},{i % 2}\n" for i in range(40))
    )
    record = {"name": "d.csv", "spec": str(data), "task": "binary", "data_seed": 0}
    ds = load(data)
    build = {**BUILD, "seq_len": 35, "extras": 0}
    same = save_untrained_run(
        tmp_path / "same", "cnn", build, record | {"split_digest": split_digest(ds.splits)}
    )
    other = save_untrained_run(tmp_path / "other", "cnn", build, record | {"split_digest": "x"})
    assert not any("other splits" in n for n in run_inputs(runs.load_run(same), ds).notes)
    notes = run_inputs(runs.load_run(other), load(data)).notes
    assert any("other splits than the ones other trained on" in n for n in notes), notes
    out = tmp_path / "o"
    assert main(["interpret", "saliency", "--run", str(other), "--out", str(out)]) == 0
    assert "some may be sequences it trained on" in capsys.readouterr().err


TASKS = ["JUND", "CTCF", "GATA1", "TAL1"]


def test_a_multi_task_explanation_shows_the_explained_tasks_label(tmp_path):
    """--target GATA1 (or 3) explains GATA1: each sequence's label was its JUND (task 1)
    label, and no title said which task was explained."""
    from genoviz.data import load_bundled

    record = {"name": "tf-multitask", "spec": "tf-multitask", "task": "multitask-binary"}
    build = {**BUILD, "seq_len": 200, "outputs": 4, "extras": 0, "members": 1}
    run = save_untrained_run(tmp_path / "mt", "cnn", build, record | {"class_names": TASKS})
    ds = load_bundled("tf-multitask")
    labels = dict(zip(ds.ids, ds.labels.tolist(), strict=True))
    base = ["--run", str(run), "--target", "GATA1", "--split", "all", "-n", "20"]
    out = tmp_path / "sal"
    assert main(["interpret", "saliency", *base, "--out", str(out), "--n-shuffles", "1"]) == 0
    shown = json.loads((out / "saliency.json").read_text())["sequences"]
    assert any(labels[s["id"]][0] != labels[s["id"]][2] for s in shown)  # JUND ≠ GATA1
    assert [s["label"] for s in shown] == [labels[s["id"]][2] for s in shown]
    first = f"{shown[0]['id']}: Integrated Gradients: contribution per base of GATA1 (label "
    track = (out / "saliency_1.html").read_text()
    assert first + f"{shown[0]['label']:.4g} " in track and "P(GATA1) 0." in track
    assert "contribution per base of GATA1" in (out / "saliency_heatmap.html").read_text()
    # the sequence whose JUND and GATA1 labels differ, for ISM and agreement
    index = next(i for i, s in enumerate(shown, 1) if labels[s["id"]][0] != labels[s["id"]][2])
    sid = shown[index - 1]["id"]
    for analysis, said in (("ism", "logit of GATA1)"), ("agreement", f"{sid} (GATA1) agree?")):
        out = tmp_path / analysis
        argv = ["interpret", analysis, *base, "--index", str(index), "--out", str(out)]
        assert main([*argv, *(["--n-shuffles", "1"] if analysis == "agreement" else [])]) == 0
        info = json.loads((out / f"{analysis}.json").read_text())
        assert info["id"] == sid and info["label"] == labels[sid][2], analysis
        assert said in (out / f"{analysis}.html").read_text(), analysis


def test_a_multiclass_explanation_names_the_class_of_its_label(tmp_path):
    """The label was the class number ('label 2'); the Interpret page says 'acceptor'."""
    from genoviz.data import load_bundled

    classes = ["neither", "donor", "acceptor"]
    record = {"name": "splice-sites", "spec": "splice-sites", "task": "multiclass"}
    build = {"seq_len": 400, "outputs": 3, "extras": 0}
    run = save_untrained_run(tmp_path / "mc", "linear", build, record | {"class_names": classes})
    ds = load_bundled("splice-sites")
    labels = dict(zip(ds.ids, ds.labels.tolist(), strict=True))
    base = ["--run", str(run), "--target", "donor", "-n", "3"]
    out = tmp_path / "sal"
    assert main(["interpret", "saliency", *base, "--out", str(out), "--baseline", "zeros"]) == 0
    shown = json.loads((out / "saliency.json").read_text())["sequences"]
    assert [s["label"] for s in shown] == [classes[int(labels[s["id"]])] for s in shown]
    assert f"of donor (label {shown[0]['label']} " in (out / "saliency_1.html").read_text()
    out = tmp_path / "ism"
    assert main(["interpret", "ism", *base, "--out", str(out)]) == 0
    info = json.loads((out / "ism.json").read_text())
    assert info["label"] == classes[int(labels[info["id"]])]
    assert "log-probability of donor)" in (out / "ism.html").read_text()


def test_interpreting_a_resorted_file_says_its_rows_are_not_the_runs(tmp_path, capsys):
    """The same file re-sorted has the same size and split digest, so its 'test' rows
    were explained as test ones though many had trained the run; its content digest
    tells."""
    import pandas as pd

    from genoviz import runs
    from genoviz.data import load
    from genoviz.interpret.inputs import run_inputs
    from genoviz.run_record import content_digest, split_digest

    data = tmp_path / "d.csv"
    tag = ["".join("ACGT"[i >> (2 * j) & 3] for j in range(3)) for i in range(40)]
    data.write_text(
        "id,sequence,label\n"
        + "".join(f"s{i},{tag[i]}{'ACGTTGCA' * 4},{i % 2}\n" for i in range(40))
    )
    ds = load(data)
    record = {
        "name": "d.csv",
        "spec": str(data),
        "task": "binary",
        "data_seed": 0,
        "split_digest": split_digest(ds.splits),
        "content_digest": content_digest(ds, False),
    }
    run = save_untrained_run(tmp_path / "r", "cnn", {**BUILD, "seq_len": 35, "extras": 0}, record)
    assert not any("row by row" in n for n in run_inputs(runs.load_run(run), ds).notes)
    shuffled = pd.read_csv(data).sample(frac=1, random_state=1)
    shuffled.to_csv(data, index=False)  # re-sorted in place: same size, same split digest
    notes = run_inputs(runs.load_run(run), load(data)).notes
    assert any("not, row by row, the data r trained on" in n for n in notes), notes
    assert main(["interpret", "saliency", "--run", str(run), "--out", str(tmp_path / "o")]) == 0
    assert "some may be sequences it trained on" in capsys.readouterr().err


def test_the_same_rows_with_other_extra_columns_are_not_called_other_data(tmp_path):
    """The digest hashes the extras as the run read them: the same rows with a column
    added raised 'not row by row the data' though no row had moved."""
    import numpy as np
    import pandas as pd

    from genoviz import runs
    from genoviz.data import load
    from genoviz.interpret.inputs import run_inputs
    from genoviz.run_record import content_digest, split_digest

    rng = np.random.default_rng(0)
    tag = ["".join("ACGT"[i >> (2 * j) & 3] for j in range(3)) for i in range(40)]
    table = pd.DataFrame(
        {"id": [f"s{i}" for i in range(40)], "sequence": [t + "ACGTTGCA" * 4 for t in tag],
         "label": [i % 2 for i in range(40)], "acc": rng.random(40).round(3)}
    )  # fmt: skip
    data = tmp_path / "d.csv"
    table.to_csv(data, index=False)
    ds = load(data)
    record = {
        "name": "d.csv", "spec": str(data), "task": "binary", "data_seed": 0,
        "extras_names": ["acc"], "split_digest": split_digest(ds.splits),
        "content_digest": content_digest(ds, True),
    }  # fmt: skip
    run = runs.load_run(
        save_untrained_run(tmp_path / "r", "cnn", {**BUILD, "seq_len": 35, "extras": 1}, record)
    )
    wider = table.assign(acc2=rng.random(40).round(3))
    wider.to_csv(tmp_path / "w.csv", index=False)
    assert not any("row by row" in n for n in run_inputs(run, load(tmp_path / "w.csv")).notes)
    table.sample(frac=1, random_state=1).to_csv(tmp_path / "s.csv", index=False)
    assert any("row by row" in n for n in run_inputs(run, load(tmp_path / "s.csv")).notes)
