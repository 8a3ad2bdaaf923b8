"""``interpret``'s options (genoviz/cli_interpret_options.py, genoviz/cli_interpret.py):
``--index`` and ``--target`` count from 1 as every file and page does, positions are given in
the user's own sequence beside the fitted one, a run whose labels file or genome moved can
still be explained (``--labels``, ``--genome``, ``--width``), an option the analysis does not
read is named, and an older script's ``--method deeplift_shap`` still runs. Tiny untrained
cnn runs keep it fast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import save_untrained_run
from test_cli_interpret import run_dir  # noqa: F401 (fixture: an untrained cnn run)

from genoviz.cli import main
from genoviz.runs import load_run

BUILD = {"seq_len": 40, "outputs": 1, "extras": 0, "filters": 4, "kernel": 5, "hidden": 4}
BUILD |= {"members": 1, "mean_pool": True, "strand_average": False, "positional": False}


def _sequences(n: int, lengths: tuple[int, ...], seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), lengths[i % len(lengths)])) for i in range(n)]


def _table_run(tmp_path: Path, lengths: tuple[int, ...] = (40,)) -> tuple[Path, pd.DataFrame]:
    """An untrained cnn run (40 bp) on a table of 20 sequences of ``lengths``."""
    seqs = _sequences(20, lengths)
    table = pd.DataFrame({"id": [f"s{i}" for i in range(20)], "sequence": seqs})
    table["label"] = [i % 2 for i in range(20)]
    data = tmp_path / "d.csv"
    table.to_csv(data, index=False)
    record = {"name": "d.csv", "spec": str(data), "task": "binary"}
    return save_untrained_run(tmp_path / "run", "cnn", BUILD, record), table.set_index("id")


def test_index_counts_from_1_as_the_saliency_files_do(tmp_path, capsys):
    """--index 2 explained the sequence of saliency_3.html, and --index 3 of -n 3 was
    'outside the 3 chosen sequences'."""
    run, _ = _table_run(tmp_path)
    base = ["--run", str(run), "-n", "3", "--split", "all"]
    assert main(["interpret", "saliency", *base, "--n-shuffles", "1", "--out", str(tmp_path)]) == 0
    third = json.loads((tmp_path / "saliency.json").read_text())["sequences"][2]["id"]
    assert f"{third}: " in (tmp_path / "saliency_3.html").read_text()
    for analysis in ("ism", "agreement"):
        out = tmp_path / analysis
        more = ["--n-shuffles", "1"] if analysis == "agreement" else []
        assert main(["interpret", analysis, *base, "--index", "3", *more, "--out", str(out)]) == 0
        info = json.loads((out / f"{analysis}.json").read_text())
        assert (info["id"], info["index"]) == (third, 3), analysis
        assert main(["interpret", analysis, *base, "--index", "0", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "--index 0 is outside the 3 chosen sequences: --index counts from 1" in err
        assert "give 1-3" in err
    out = tmp_path / "default"
    assert main(["interpret", "ism", *base, "--out", str(out)]) == 0
    assert json.loads((out / "ism.json").read_text())["index"] == 1


def test_target_takes_a_name_or_a_number_counting_from_1(tmp_path):
    from genoviz.cli_interpret_options import output_index

    tasks = {"name": "t", "spec": "tf-multitask", "task": "multitask-binary"}
    build = {**BUILD, "outputs": 3}
    names = tasks | {"class_names": ["B", "A", "C"]}
    named = load_run(save_untrained_run(tmp_path / "a", "cnn", build, names))
    assert [output_index(named, t) for t in (None, "1", "3", "A", "C")] == [0, 0, 2, 1, 2]
    for bad, says in (("0", "counting from 1 (1-3)"), ("4", "(1-3)"), ("a", "name (B, A, C)")):
        with pytest.raises(KeyError, match=r"--target .* is not an output of this run") as e:
            output_index(named, bad)
        assert says in str(e.value)
    unnamed = load_run(save_untrained_run(tmp_path / "b", "cnn", build, tasks))
    assert [output_index(unnamed, t) for t in ("1", "task2", "3")] == [0, 1, 2]
    # classes named by numbers are given by them: 1 is class 1, as p_1 and the pages say
    classes = {"name": "c", "spec": "x.csv", "task": "multiclass", "class_names": ["0", "1", "2"]}
    numbered = load_run(save_untrained_run(tmp_path / "c", "cnn", build, classes))
    assert [output_index(numbered, t) for t in ("0", "1", "2")] == [0, 1, 2]
    with pytest.raises(KeyError, match="this run's classes are 0, 1, 2; give one of them"):
        output_index(numbered, "3")
    one = load_run(save_untrained_run(tmp_path / "d", "cnn", BUILD, tasks))
    assert output_index(one, "1") == 0
    with pytest.raises(KeyError, match=r"one output, number 1 \(--target counts from 1\)"):
        output_index(one, "0")


def test_the_json_files_name_the_explained_output_counting_from_1(tmp_path):
    record = {"name": "tf-multitask", "spec": "tf-multitask", "task": "multitask-binary"}
    record |= {"class_names": ["JUND", "CTCF", "GATA1", "TAL1"]}
    build = {**BUILD, "seq_len": 200, "outputs": 4}
    run = save_untrained_run(tmp_path / "mt", "cnn", build, record)
    base = ["--run", str(run), "-n", "2", "--split", "all"]
    for target in ("3", "GATA1"):
        out = tmp_path / target
        assert main(["interpret", "ism", *base, "--target", target, "--out", str(out)]) == 0
        info = json.loads((out / "ism.json").read_text())
        assert (info["target"], info["target_name"]) == (3, "GATA1")
        assert "logit of GATA1)" in (out / "ism.html").read_text()


def test_positions_in_the_users_own_sequence_sit_beside_the_fitted_ones(tmp_path, capsys):
    """A 30 nt sequence padded to 40 read its base 1 at position 6, a 50 nt one trimmed to
    40 started at its base 6; the files gave only the fitted positions."""
    run, table = _table_run(tmp_path, lengths=(30, 50, 40))
    base = ["--run", str(run), "--split", "all", "-n", "3"]
    out = tmp_path / "sal"
    assert main(["interpret", "saliency", *base, "--n-shuffles", "1", "--out", str(out)]) == 0
    rows = pd.read_csv(out / "saliency.csv")
    assert list(rows.columns[:4]) == ["id", "position", "base", "contribution"]
    info = json.loads((out / "saliency.json").read_text())
    assert "position = sequence_position + shift" in info["positions"]
    shifts = {}
    for s in info["sequences"]:
        own = table.loc[s["id"], "sequence"]
        got = rows[rows.id == s["id"]]
        known = got.dropna(subset=["sequence_position"])
        at = known.sequence_position.astype(int)
        assert "".join(known.base) == "".join(own[p - 1] for p in at)  # the user's bases
        assert (known.position - at == s["shift"]).all() and s["sequence_length"] == len(own)
        assert set(got[got.sequence_position.isna()].base) <= {"N"}
        top = s["top_position"] - s["shift"]
        assert s["top_sequence_position"] == (top if 1 <= top <= len(own) else None)
        shifts[len(own)] = s["shift"]
    assert shifts == {30: 5, 50: -5, 40: 0}
    # the 30 nt one, padded with 5 N on the left
    index = next(i for i, s in enumerate(info["sequences"], 1) if s["sequence_length"] == 30)
    padded = info["sequences"][index - 1]["id"]
    for analysis in ("ism", "agreement"):
        out = tmp_path / analysis
        argv = ["interpret", analysis, *base, "--index", str(index), "--out", str(out)]
        assert main([*argv, *(["--n-shuffles", "1"] if analysis == "agreement" else [])]) == 0
        got = pd.read_csv(out / f"{analysis}.csv")
        assert got.sequence_position.head(5).isna().all(), analysis
        assert got.sequence_position.iloc[5:35].tolist() == list(range(1, 31)), analysis
        assert got.sequence_position.iloc[35:].isna().all(), analysis
        info = json.loads((out / f"{analysis}.json").read_text())
        assert (info["id"], info["shift"], info["sequence_length"]) == (padded, 5, 30)
        tops = info["top_positions"]
        tops = tops if analysis == "ism" else tops["ISM largest effect"]
        owns = info["top_sequence_positions"]
        owns = owns if analysis == "ism" else owns["ISM largest effect"]
        assert owns == [p - 5 for p in tops], analysis


def _fasta_run(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A run trained on a FASTA with a labels file: the run, the FASTA, the labels."""
    seqs = _sequences(20, (40,), seed=1)
    fasta = tmp_path / "r.fa"
    fasta.write_text("".join(f">r{i}\n{s}\n" for i, s in enumerate(seqs)))
    labels = tmp_path / "labels.csv"
    labels.write_text("id,label\n" + "".join(f"r{i},{i % 2}\n" for i in range(20)))
    record = {"name": "r.fa", "spec": str(fasta), "task": "binary"}
    record["load_options"] = {"labels": str(labels)}
    return save_untrained_run(tmp_path / "run", "cnn", BUILD, record), fasta, labels


def test_a_moved_labels_file_is_given_with_labels(tmp_path, capsys):
    """interpret had no --labels: once the labels file moved, the run could be explained
    only by editing its run.json."""
    run, fasta, labels = _fasta_run(tmp_path)
    moved = tmp_path / "moved.csv"
    labels.rename(moved)
    argv = ["interpret", "saliency", "--run", str(run), "-n", "2", "--n-shuffles", "1"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 2
    assert (
        f"{labels}: no such file; it is the labels file run trained with: if it moved, give "
        "its new place with --labels" in capsys.readouterr().err
    )
    assert main([*argv, "--labels", str(moved), "--out", str(tmp_path / "b")]) == 0
    assert "is not used" not in capsys.readouterr().err
    assert len(pd.read_csv(tmp_path / "b" / "saliency.csv")) == 2 * 40
    with_data = [*argv, "--data", str(fasta), "--labels", str(moved)]
    assert main([*with_data, "--out", str(tmp_path / "c")]) == 0
    assert main([*argv, "--data", str(fasta), "--out", str(tmp_path / "d")]) == 2
    assert "give a FASTA or GenBank file its labels with --labels" in capsys.readouterr().err


def test_a_moved_genome_is_given_with_genome_and_another_bed_reads_the_runs(tmp_path, capsys):
    rng = np.random.default_rng(0)
    genome = tmp_path / "g.fa"
    genome.write_text(">chr1\n" + "".join(rng.choice(list("ACGT"), 200)) + "\n")
    bed = tmp_path / "r.bed"
    bed.write_text("".join(f"chr1\t{i}\t{i + 40}\tp{i}\t{i // 4 % 2}\n" for i in range(0, 80, 4)))
    record = {"name": "r.bed", "spec": str(bed), "task": "binary"}
    record["load_options"] = {"genome": str(genome), "width": 40}
    run = save_untrained_run(tmp_path / "run", "cnn", BUILD, record)
    argv = ["interpret", "ism", "--run", str(run), "--split", "all", "-n", "2"]
    other = tmp_path / "other.bed"
    other.write_text("chr1\t100\t130\tq\t1\nchr1\t150\t180\tr\t0\n")
    assert main([*argv, "--data", str(other), "--out", str(tmp_path / "o")]) == 0
    assert f"--genome {genome}, as the run trained" in capsys.readouterr().err
    assert json.loads((tmp_path / "o" / "ism.json").read_text())["sequence_length"] == 40
    moved = tmp_path / "moved.fa"
    genome.rename(moved)
    assert main([*argv, "--out", str(tmp_path / "a")]) == 2
    assert "give its new place with --genome" in capsys.readouterr().err
    assert main([*argv, "--genome", str(moved), "--out", str(tmp_path / "b")]) == 0
    assert main([*argv, "--genome", str(moved), "--width", "30", "--out", str(tmp_path / "c")]) == 0
    info = json.loads((tmp_path / "c" / "ism.json").read_text())
    assert (info["sequence_length"], info["shift"]) == (30, 5)  # 30 bp windows, padded


def test_an_option_the_analysis_does_not_read_is_named(run_dir, tmp_path, capsys):  # noqa: F811
    """--pooling mean on a one-hot run, --method on agreement: accepted and ignored."""
    base = ["interpret", "--run", str(run_dir), "-n", "3"]
    assert main(["interpret", "agreement", *base[1:], "--out", str(tmp_path / "a"),
                 "--method", "deeplift"]) == 0  # fmt: skip
    assert "--method deeplift is not used: agreement reads Integrated Gradients" in (
        capsys.readouterr().err
    )
    args = ["interpret", "embeddings", *base[1:], "--out", str(tmp_path / "e"), "--sequences"]
    assert main([*args, "--pooling", "mean"]) == 0
    assert "--pooling mean is not used" in capsys.readouterr().err
    assert main(["interpret", "saliency", *base[1:], "--out", str(tmp_path / "s")]) == 0
    assert "is not used" not in capsys.readouterr().err  # defaults say nothing


def test_an_older_scripts_deeplift_shap_still_runs(run_dir, tmp_path):  # noqa: F811
    out = tmp_path / "sal"
    args = ["interpret", "saliency", "--run", str(run_dir), "--out", str(out), "-n", "2"]
    assert main([*args, "--method", "deeplift_shap", "--n-shuffles", "2"]) == 0
    assert json.loads((out / "saliency.json").read_text())["method"] == "deeplift"


@pytest.mark.parametrize(
    "given, said",
    [
        ("saliency --threshold 0.3", "--threshold 0.3 is not used: it is for filters, "
         "not saliency"),
        ("saliency --index 1", "--index 1 is not used: it is for ism, agreement and attention, "
         "not saliency"),
        ("ism --tax-group plants", "--tax-group plants is not used: it is for filters and "
         "attention, not ism"),
        ("ism --layers 1", "--layers 1 is not used: it is for attention, not ism"),
        ("ism --n-shuffles 3", "--n-shuffles 3 is not used: it is for saliency and agreement, "
         "not ism"),
        ("saliency --method saliency --n-shuffles 3", "--n-shuffles 3 is not used: Saliency "
         "(gradient) compares against no reference input"),
        ("saliency --baseline zeros --n-shuffles 3", "--n-shuffles 3 is not used: --baseline "
         "zeros is not a shuffle"),
        ("embeddings --sequences --mrr-genes 5", "--mrr-genes 5 is not used: it is for "
         "embeddings --mrr, not embeddings --sequences"),
        ("embeddings --sequences --genetic-code 2", "--genetic-code 2 is not used: it reads a "
         "codon-bert's token map, and this is a cnn run"),
    ],
)  # fmt: skip
def test_every_option_another_analysis_reads_is_named(run_dir, tmp_path, capsys, given, said):  # noqa: F811
    """A table says which analysis reads each option: one given to another says so."""
    argv = ["interpret", *given.split(), "--run", str(run_dir), "-n", "2", "--out", str(tmp_path)]
    assert main(argv) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "is not used" in line]
    assert notes == [f"genoviz: note: {said}"]


def test_the_options_an_analysis_reads_say_nothing(run_dir, tmp_path, capsys):  # noqa: F811
    base = ["--run", str(run_dir), "-n", "2", "--split", "test", "--target", "1"]
    assert main(["interpret", "ism", *base, "--index", "1", "--out", str(tmp_path / "i")]) == 0
    assert json.loads((tmp_path / "i" / "ism.json").read_text())["target"] == 1
    more = ["--n-shuffles", "2", "--baseline", "shuffle", "--out", str(tmp_path / "s")]
    assert main(["interpret", "saliency", *base, *more]) == 0
    assert "is not used" not in capsys.readouterr().err
