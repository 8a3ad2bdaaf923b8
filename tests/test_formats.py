"""DNABERT k-mer TSV, DeepChem DiskDataset, BED + FASTA, and FASTA + labels CSV."""

import joblib
import numpy as np
import pandas as pd
import pytest
from conftest import genbank_text

from genoviz.data import DataFormatError, load
from genoviz.data.deepchem import one_hot_to_sequences
from genoviz.data.table_import import kmers_to_sequence


def kmerize(seq, k):
    return " ".join(seq[i : i + k] for i in range(len(seq) - k + 1))


def test_dnabert_tsv_is_detected_and_k_remembered(tmp_path):
    seqs = ["ACGTACGTAC", "TTTTGGGGCC"]
    p = tmp_path / "dev.tsv"
    p.write_text(
        "sequence\tlabel\r\n" + "".join(f"{kmerize(s, 6)}\t{i}\r\n" for i, s in enumerate(seqs))
    )
    ds = load(p)
    assert ds.sequences == seqs and ds.meta.notes["kmer"] == 6 and ds.task == "binary"
    # a k past DNABERT's 3-6 is rebuilt too, not glued end to end into a longer sequence
    long = ["ACGTACGTACGTTTGA" * 2, "TTTTGGGGCCAAATTG" * 2]
    nine = tmp_path / "nine.tsv"
    nine.write_text(
        "sequence\tlabel\n" + "".join(f"{kmerize(s, 9)}\t{i}\n" for i, s in enumerate(long))
    )
    ds = load(nine)
    assert ds.sequences == long and ds.meta.notes["kmer"] == 9
    # blocks of ten bases (GenBank style) do not overlap: plain bases
    blocks = tmp_path / "blocks.csv"
    blocks.write_text("sequence,label\nACGTACGTAC GGGGGCCCCC,1\nTTGACCAATT AAAAAAAAAA,0\n")
    assert load(blocks).sequences[0] == "ACGTACGTACGGGGGCCCCC"
    # codons written apart, as in a paper's table: bases with spaces, as in FASTA
    codons = tmp_path / "codons.csv"
    codons.write_text("sequence,label\nATG GCC AAA TTT GGG,1\nATG TGC AAA,0\n")
    assert load(codons).sequences == ["ATGGCCAAATTTGGG", "ATGTGCAAA"]
    codons.write_text("sequence,label\nAAA AAA AAA GCC,1\nATG TGC AAA,0\n")  # not 3-mers
    assert load(codons).sequences == ["AAAAAAAAAGCC", "ATGTGCAAA"]


def test_dnabert_tsv_with_broken_overlap_names_the_line(tmp_path):
    p = tmp_path / "bad.tsv"
    p.write_text("sequence\tlabel\nACG CGT GTA\t1\nACG CGT TTT\t0\n")
    with pytest.raises(DataFormatError, match=r"line 3: k-mer 3 \('TTT'\) does not overlap"):
        load(p)


def test_kmers_to_sequence_round_trip():
    s = "ACGTTGCAAN"
    assert kmers_to_sequence(kmerize(s, 3).split(), "x") == s


def write_disk_dataset(folder, x, y, w, ids):
    folder.mkdir()
    for name, arr in {"X": x, "y": y, "w": w, "ids": ids}.items():
        joblib.dump(arr, folder / f"shard-0-{name}.joblib")
    pd.DataFrame({k: [f"shard-0-{k}.joblib"] for k in ("ids", "X", "y", "w")}).to_csv(
        folder / "metadata.csv.gzip", index=False, compression="gzip"
    )


def test_disk_dataset_needs_trust_then_loads(tmp_path):
    seqs = ["ACGTN", "TTGCA"]
    x = np.zeros((2, 5, 4), np.int8)
    for i, s in enumerate(seqs):
        for j, c in enumerate(s):
            if c != "N":
                x[i, j, "ACGT".index(c)] = 1
    folder = tmp_path / "dd"
    write_disk_dataset(folder, x, np.array([[0.5], [0.25]]), np.ones((2, 1)), np.array(["a", "b"]))
    with pytest.raises(DataFormatError, match="pickles"):
        load(folder)
    ds = load(folder, trust=True)
    assert ds.sequences == seqs and ds.ids == ["a", "b"] and ds.task == "regression"


def test_disk_dataset_with_wrong_x_shape(tmp_path):
    folder = tmp_path / "dd"
    write_disk_dataset(folder, np.zeros((2, 4, 5)), np.zeros((2, 1)), np.ones((2, 1)), np.arange(2))
    with pytest.raises(DataFormatError, match=r"expected one-hot \(n, length, 4\)"):
        load(folder, trust=True)


def test_plain_folder_is_not_a_dataset(tmp_path):
    with pytest.raises(DataFormatError, match="not a DeepChem DiskDataset"):
        load(tmp_path)


def test_real_deepchem_folder_matches_the_csv(shared_data):
    disk = load(shared_data / "deepchem_disk" / "train_siRNA", trust=True)
    csv = load(shared_data / "sirna_huesken_train.csv.gz")
    assert disk.sequences == csv.sequences
    np.testing.assert_allclose(disk.labels, csv.labels, atol=1e-6)


def test_one_hot_to_sequences_marks_empty_rows_as_n():
    x = np.zeros((1, 3, 4))
    x[0, 0, 2] = 1
    assert one_hot_to_sequences(x) == ["GNN"]


def test_one_hot_to_sequences_reads_equal_values_as_n_and_refuses_other_soft_rows():
    """argmax had read 0.25 each (the usual N) as 'A', and [0.5, 0.5, 0, 0] as 'A'."""
    x = np.zeros((2, 3, 4))
    x[:, 0, 2] = 1
    x[0, 1] = 0.25
    assert one_hot_to_sequences(x) == ["GNN", "GNN"]
    x[1, 2] = [0.5, 0.5, 0, 0]
    with pytest.raises(DataFormatError) as e:
        one_hot_to_sequences(x, "X shard s.joblib", np.array(["a", "b"]))
    assert str(e.value) == (
        "X shard s.joblib: sequence 2 (id 'b'), position 3 holds [0.5, 0.5, 0, 0] for A, C, "
        "G, T, which is neither one base (a single 1 and three 0s) nor N (four equal "
        "values); genoviz reads bases and N only"
    )


def test_disk_dataset_soft_one_hot_names_the_shard_row_and_position(tmp_path):
    x = np.zeros((2, 5, 4), np.float32)
    x[:, :, 3] = 1  # TTTTT
    x[0, 1] = 0.25  # N as Basset/Selene write it
    folder = tmp_path / "dd"
    ids = np.array(["a", "b"])
    write_disk_dataset(folder, x, np.array([[0.5], [0.25]]), np.ones((2, 1)), ids)
    assert load(folder, trust=True).sequences == ["TNTTT", "TTTTT"]
    x[1, 4] = [0, 0.9, 0, 0.1]
    folder = tmp_path / "dd2"
    write_disk_dataset(folder, x, np.array([[0.5], [0.25]]), np.ones((2, 1)), ids)
    with pytest.raises(DataFormatError) as e:
        load(folder, trust=True)
    assert "metadata.csv.gzip, line 2: X shard shard-0-X.joblib: sequence 2 (id 'b'), " in str(
        e.value
    )
    assert "position 5 holds [0, 0.9, 0, 0.1] for A, C, G, T" in str(e.value)


@pytest.fixture
def genome(tmp_path):
    fa = tmp_path / "g.fa"
    fa.write_text(">chr1\n" + "ACGT" * 25 + "\n>chr2\n" + "GGGGCCCCAA\n")
    return fa


def test_bed_windows_with_score_labels_and_fixed_width(tmp_path, genome):
    bed = tmp_path / "r.bed"
    bed.write_text(
        "track name=x\nchr1\t0\t8\tpeak1\t1\nchr1\t10\t14\tpeak2\t0\nchr2\t2\t6\tp3\t1\n"
    )
    ds = load(bed, genome=genome)
    assert ds.sequences == ["ACGTACGT", "GTAC", "GGCC"] and ds.task == "binary"
    assert ds.ids[1] == "chr1:10-14"
    wide = load(bed, genome=genome, width=6)
    assert {len(s) for s in wide.sequences} == {6}


def test_bed_minus_strand_regions_read_the_reverse_complement(tmp_path, genome):
    """A TSS or splice window on the minus strand was read as plus-strand sequence."""
    from genoviz.train_build import strand_symmetric

    bed = tmp_path / "s.bed"
    bed.write_text("chr2\t0\t6\ta\t1\t-\nchr2\t0\t6\tb\t0\t+\nchr2\t4\t10\tc\t1\t.\n")
    ds = load(bed, genome=genome)
    assert ds.sequences == ["GGCCCC", "GGGGCC", "CCCCAA"]  # chr2 is GGGGCCCCAA
    assert ds.ids == ["chr2:0-6(-)", "chr2:0-6", "chr2:4-10"]
    # a file that gives strands is strand-specific, whatever its window length
    wide = tmp_path / "w.bed"
    wide.write_text("".join(f"chr1\t{i}\t{i + 70}\tp\t{i % 2}\t+\n" for i in range(6)))
    assert not strand_symmetric(load(wide, genome=genome))
    wide.write_text("".join(f"chr1\t{i}\t{i + 70}\tp\t{i % 2}\n" for i in range(6)))
    assert strand_symmetric(load(wide, genome=genome))  # no strands: peaks, both alike
    bed.write_text("chr2\t0\t6\ta\t1\tminus\n")
    with pytest.raises(DataFormatError, match=r"line 1: the strand \(column 6\) is 'minus'"):
        load(bed, genome=genome)


def test_bed_errors_name_the_line(tmp_path, genome):
    bed = tmp_path / "bad.bed"
    bed.write_text("chr1\t0\t8\tp\t1\nchrX\t0\t8\tp\t1\n")
    with pytest.raises(DataFormatError, match=r"line 2: chromosome 'chrX'"):
        load(bed, genome=genome)
    bed.write_text("chr2\t5\t50\tp\t1\n")
    with pytest.raises(DataFormatError, match="line 1: window chr2:5-50 runs off"):
        load(bed, genome=genome)
    bed.write_text("chr1\t0\tx\tp\t1\n")
    with pytest.raises(DataFormatError, match="line 1: start/end must be integers"):
        load(bed, genome=genome)
    with pytest.raises(DataFormatError, match="needs a genome"):
        load(bed)
    ragged = tmp_path / "ragged.fa"  # lines of unequal length cannot be indexed
    ragged.write_text(">chr1\nACGTACGT\nACG\nACGTACGT\n")
    bed.write_text("chr1\t0\t4\tp\t1\n")
    with pytest.raises(DataFormatError, match="cannot open as an indexed FASTA"):
        load(bed, genome=ragged)


def test_a_bad_base_in_the_genome_names_the_bed_line_and_window_once(tmp_path):
    fa = tmp_path / "g.fa"
    fa.write_text(">chr1\nACGTACGTAC\n")
    fa.write_bytes(fa.read_bytes().replace(b"ACGTACGTAC", b"ACGTAC-TAC"))
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t0\t4\tp\t1\nchr1\t2\t9\tq\t0\n")
    with pytest.raises(DataFormatError) as err:
        load(bed, genome=fa)
    said = str(err.value)
    assert "r.bed, line 2 (chr1:2-9)" in said and "'-' at position 5" in said
    assert said.count("line 2") == 1


def test_fasta_plus_labels_csv_joined_on_id(tmp_path):
    fa = tmp_path / "s.fa"
    fa.write_text(">b\nACGT\n>a\nTTTT\n")
    lab = tmp_path / "labels.csv"
    lab.write_text("id,label\na,1\nb,0\n")
    ds = load(fa, labels=lab)
    assert ds.ids == ["b", "a"]
    np.testing.assert_array_equal(ds.labels, [0, 1])
    lab.write_text("id,label\na,1\n")
    with pytest.raises(DataFormatError, match="record 'b' has no row in the labels file"):
        load(fa, labels=lab)
    lab.write_text("id,label\na,1\nb,0\na,1\n")  # the same label twice is harmless
    assert load(fa, labels=lab).labels.tolist() == [0, 1]
    lab.write_text("id,label\na,1\nb,0\na,0\n")  # the last row silently won
    with pytest.raises(DataFormatError, match=r"line 4: id 'a' is listed again \(first on line 2"):
        load(fa, labels=lab)
    lab.write_text("id,label\na,1\nb,0\n")
    fa.write_text(">b\nACGT\n>a\nTTTT\n>b\nGGGG\n")  # both b's got b's label
    with pytest.raises(DataFormatError, match=r"two records are named 'b' \(lines 1 and 5\)"):
        load(fa, labels=lab)


def test_multitask_disk_dataset_refuses_missing_labels_and_keeps_shared_weights(tmp_path):
    """DeepChem marks a missing label with weight 0: training on it as a 0 would be
    wrong, so such a folder is refused, naming the tasks; per-task balancing weights are
    dropped (genoviz balances each task itself) and shared row weights kept."""
    x = np.zeros((6, 5, 4), np.int8)
    x[:, :, 0] = 1
    y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 1]])
    w = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0, 0, 1]])
    write_disk_dataset(tmp_path / "gaps", x, y, w, np.arange(6))
    with pytest.raises(
        DataFormatError,
        match=r"6 labels are marked missing .*task 1: 2, "
        r"task 2: 3, task 3: 1",
    ):
        load(tmp_path / "gaps", trust=True)
    balanced = np.where(y == 1, 2.0, 0.5)  # each task weighs its own positives
    write_disk_dataset(tmp_path / "per_task", x, y, balanced, np.arange(6))
    ds = load(tmp_path / "per_task", trust=True)
    assert ds.task == "multitask-binary" and ds.weights is None
    shared = np.repeat([[1.0], [2.0], [1.0], [2.0], [1.0], [2.0]], 3, axis=1)
    write_disk_dataset(tmp_path / "shared", x, y, shared, np.arange(6))
    np.testing.assert_array_equal(load(tmp_path / "shared", trust=True).weights, shared[:, 0])


def test_task_binary_is_checked_for_bed_and_deepchem_folders_too(tmp_path, genome):
    """Asked for 'binary', labels like 1000 or 0.62 are refused wherever they come from,
    as a table's are (they trained binary cross-entropy on them)."""
    bed = tmp_path / "scores.bed"
    bed.write_text("chr1\t0\t8\tp1\t1000\nchr1\t10\t14\tp2\t0\n")
    with pytest.raises(DataFormatError, match=r"needs labels 0 or 1, but chr1:0-8 has 1000"):
        load(bed, genome=genome, task="binary")
    assert load(bed, genome=genome).task == "regression"
    x = np.zeros((2, 5, 4), np.int8)
    x[:, :, 0] = 1
    write_disk_dataset(
        tmp_path / "dd", x, np.array([[0.62], [1.0]]), np.ones((2, 1)), np.array(["a", "b"])
    )
    with pytest.raises(DataFormatError, match=r"needs labels 0 or 1, but a has 0.62"):
        load(tmp_path / "dd", trust=True, task="binary")


def test_predict_reads_bed_regions_as_training_did(tmp_path, genome):
    """A BED's tab-separated columns looked like a table, so predict asked it for a
    'sequence' column and never read the regions."""
    import pandas as pd

    from genoviz.cli import main

    # A genome without repeats: windows of ACGT repeats are copies of each other, which
    # splits keep together.
    rng = np.random.default_rng(0)
    genome.write_text(">chr1\n" + "".join(rng.choice(list("ACGT"), 100)) + "\n")
    bed = tmp_path / "r.bed"
    rows = [f"chr1\t{i}\t{i + 20}\tp{i}\t{i // 2 % 2}\n" for i in range(0, 60, 2)]
    bed.write_text("".join(rows))
    run, out = tmp_path / "run", tmp_path / "p.csv"
    common = ["--data", str(bed), "--genome", str(genome)]
    args = ["train", *common, "--width", "16", "--out", str(run), "--epochs", "1", "--quiet"]
    assert main(args) == 0
    assert main(["predict", "--run", str(run), *common, "--out", str(out)]) == 0
    got = pd.read_csv(out)
    # the run's width, 16 bp around each region's centre, not the 20 bp given
    assert len(got) == 30 and got["id"].iloc[1] == "chr1:4-20" and set(got["label"]) == {0, 1}
    # regions without a score (no column, or BED6's '.') are regions to score, read from
    # the run's genome at its width
    plain = tmp_path / "plain.bed"
    lines = [f"chr1\t{i}\t{i + 20}\n" for i in range(0, 10, 2)]
    plain.write_text("".join(lines) + "chr1\t30\t50\tr\t.\t+\n")
    assert main(["predict", "--run", str(run), "--data", str(plain), "--out", str(out)]) == 0
    got = pd.read_csv(out)
    assert len(got) == 6 and "label" not in got and got["id"].iloc[0] == "chr1:2-18"


def test_predict_reads_bed_regions_at_the_length_a_table_trained_on(tmp_path, genome, capsys):
    """A run trained on 16 bp sequences from a table scores BED regions as 16 bp windows
    around their centres, as the README says (a 20 bp region was read at 20 bp), and says
    so; --width still overrides it."""
    import pandas as pd

    from genoviz.cli import main

    rng = np.random.default_rng(0)
    seqs = [("".join(rng.choice(list("ACGT"), 16)), i % 2) for i in range(12)]
    table = tmp_path / "t.csv"
    table.write_text("sequence,label\n" + "".join(f"{s},{y}\n" for s, y in seqs))
    run, out = tmp_path / "run", tmp_path / "p.csv"
    assert main(["train", "--data", str(table), "--epochs", "1", "--out", str(run), "--quiet"]) == 0
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t2\t22\n")
    capsys.readouterr()
    common = ["predict", "--run", str(run), "--data", str(bed), "--genome", str(genome)]
    assert main([*common, "--out", str(out)]) == 0
    assert "--width 16, the length of every sequence the run trained on" in capsys.readouterr().err
    assert pd.read_csv(out)["id"].tolist() == ["chr1:4-20"]
    assert main([*common, "--width", "10", "--out", str(out)]) == 0
    assert pd.read_csv(out)["id"].tolist() == ["chr1:7-17"]


def test_bed_text_given_where_sequences_are_read_names_the_command():
    """BED pasted or uploaded as a table says it needs a genome and the CLI; a headerless
    file of sequences with numbers beside them is not taken for BED."""
    from genoviz.data.importers import bed_problem, load_text

    with pytest.raises(DataFormatError, match=r"looks like BED regions.*genoviz train --data"):
        load_text("track name=x\nchr2\t10\t30\tpeak\t1\n", "peaks.txt")
    assert bed_problem("ACGTACGT\t1\t5\n", "x", "predict") is None
    assert bed_problem("chr1\t50\t10\n", "x", "predict") is None  # end before start
    assert bed_problem("id,sequence\na,ACGT\n", "x", "predict") is None
    assert "genoviz predict" in bed_problem("chrX 5 9\n", "x", "predict")


def test_kmer_bert_trains_at_the_k_of_a_dnabert_file(tmp_path, capsys):
    """A 3-mer file trained a 6-mer BERT (run.json said k 6 while the card said 3-mer
    format); the file's k is now the default, and --k still chooses."""
    import json

    from genoviz.cli import main

    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 20)) for _ in range(24)]
    tsv = tmp_path / "k3.tsv"
    tsv.write_text(
        "sequence\tlabel\n" + "".join(f"{kmerize(s, 3)}\t{i % 2}\n" for i, s in enumerate(seqs))
    )
    common = ["train", "--data", str(tsv), "--model", "kmer-bert", "--bert-size", "tiny"]
    for extra, k in (([], 3), (["--k", "4"], 4)):
        out = tmp_path / f"run{k}"
        assert main([*common, *extra, "--epochs", "1", "--quiet", "--out", str(out)]) == 0
        assert json.loads((out / "run.json").read_text())["model"]["build"]["k"] == k
        said = capsys.readouterr().err
        assert ("k 3, the file's DNABERT k" in said) == (not extra)


def test_genbank_records_are_read_with_their_accessions_and_bases():
    from genoviz.sequence_parsing import parse_sequences

    rng = np.random.default_rng(0)
    bases = ["".join(rng.choice(list("ACGT"), n)) for n in (130, 61)]
    text = genbank_text([("U49845.1", bases[0], "yeast gene"), ("AB000001.2", bases[1], "x")])
    records = parse_sequences(text)
    assert [r.id for r in records] == ["U49845.1", "AB000001.2"]
    assert [r.sequence for r in records] == bases
    assert records[0].description == "yeast gene"
    lines = text.split("\n")
    assert [lines[r.line - 1].split()[:2] for r in records] == [
        ["LOCUS", "U49845"],
        ["LOCUS", "AB000001"],
    ]


def test_a_bad_genbank_base_names_the_record_and_its_origin_line():
    from genoviz.sequence_parsing import parse_sequences
    from genoviz.sequences import SequenceError

    text = genbank_text([("A1.1", "ACGT" * 10, "a"), ("B2.1", "ACGT" * 20, "b")])
    lines = text.split("\n")
    row = next(i for i, ln in enumerate(lines) if ln.strip().startswith("61 ") and i > 20)
    lines[row] = lines[row].replace("a", "e", 1)  # base 61 of B2.1 (60 per ORIGIN line)
    with pytest.raises(
        SequenceError, match=rf"record 'B2.1' \(line {row + 1}\).*'E' at position 61"
    ):
        parse_sequences("\n".join(lines))
    indented = "   " + genbank_text([("C3.1", "ACGT" * 10, "c")])  # copied from a web page
    assert [r.id for r in parse_sequences("\n" + indented)] == ["C3.1"]
    assert parse_sequences("\n" + indented)[0].line == 2
    no_bases = text.split("ORIGIN")[0] + "//\n"  # no ORIGIN block
    with pytest.raises(SequenceError, match="GenBank"):
        parse_sequences(no_bases)


def test_a_genbank_file_trains_with_a_labels_file(tmp_path):
    from genoviz.data.errors import UnlabelledError

    rng = np.random.default_rng(1)
    seqs = ["".join(rng.choice(list("ACGT"), 40)) for _ in range(12)]
    gb = tmp_path / "genes.gbk"
    gb.write_text(genbank_text([(f"G{i}.1", s, "gene") for i, s in enumerate(seqs)]))
    with pytest.raises(UnlabelledError, match=r"GenBank records carry no labels.*'G0.1'.*--labels"):
        load(str(gb))
    labels = tmp_path / "labels.csv"
    labels.write_text("id,label\n" + "".join(f"G{i}.1,{i % 2}\n" for i in range(12)))
    ds = load(str(gb), labels=str(labels))
    assert ds.sequences == seqs and ds.labels.tolist() == [i % 2 for i in range(12)]
    assert ds.ids == [f"G{i}.1" for i in range(12)] and ds.task == "binary"
