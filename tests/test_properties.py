"""Property tests: every parser and importer either parses correctly or raises a named error.

Inputs: random Unicode text, binary junk, near-valid text built from the formats' own
characters, huge lines, empty files and CRLF line ends. The allowed outcomes are a parse
that meets the Dataset contract, or ``SequenceError`` / ``DataFormatError`` (nothing else:
no IndexError from a short row, no pandas error leaking through, no hang). Each property
runs fast by default and with 10,000 examples under the ``slow`` marker.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume
from hypothesis import strategies as st

from genoviz.data import DataFormatError, Dataset, load, load_text
from genoviz.data.bed import load_bed
from genoviz.data.importers import decode_bytes
from genoviz.data.table_import import kmers_to_sequence
from genoviz.sequence_parsing import parse_sequences
from genoviz.sequences import SequenceError
from tests._hypothesis import DEPTHS, check

NAMED = (SequenceError, DataFormatError)
CLEAN = re.compile(r"[ACGTN]+")

# --- strategies -------------------------------------------------------------------------

#: Characters the formats themselves use, so random text reaches the deep code paths.
FORMAT_CHARS = "ACGTNUacgtnuX>;|=,.-_ \t\r\n0123456789labelsequenceidweight\"'#\x00é→"
near_valid = st.text(alphabet=FORMAT_CHARS, max_size=300)
any_text = st.text(max_size=300)  # all of Unicode but surrogates
junk_bytes = st.binary(max_size=400)
huge_line = st.builds(
    lambda c, n, tail: c * n + tail,
    st.sampled_from(["A", "acgt", "X", ">", ",", "\t", "é", "A,1\n"]),
    st.integers(1_000, 60_000),
    near_valid,
)
texts = st.one_of(near_valid, any_text, huge_line, st.just(""), st.just("\r\n\r\n"))
bases = st.text(alphabet="ACGTN", min_size=1, max_size=60)
ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_.:-]{0,11}", fullmatch=True)


def crlf(text: str, use: bool) -> str:
    return text.replace("\n", "\r\n") if use else text


def assert_dataset(ds: Dataset) -> None:
    """The Dataset contract for anything an importer returns."""
    assert isinstance(ds, Dataset)
    n = len(ds.sequences)
    assert n > 0 and len(ds.labels) == n and len(ds.ids) == n
    assert all(CLEAN.fullmatch(s) for s in ds.sequences)
    assert ds.labels.dtype == np.float32 and np.isfinite(ds.labels).all()
    if ds.task == "binary":
        assert np.isin(ds.labels, (0.0, 1.0)).all()


# --- sequences / FASTA --------------------------------------------------------------------


@DEPTHS
@pytest.mark.parametrize("mode", ["auto", "fasta", "lines", "raw"])
def test_parse_sequences_parses_or_raises_sequence_error(thorough: bool, mode: str):
    def prop(text: str) -> None:
        try:
            records = parse_sequences(text, mode=mode)
        except SequenceError:
            return
        assert records and all(CLEAN.fullmatch(r.sequence) for r in records)

    check(thorough, prop, texts)


@DEPTHS
def test_parse_sequences_on_decoded_binary_junk(thorough: bool):
    def prop(raw: bytes) -> None:
        try:
            records = parse_sequences(raw.decode("latin-1"))
        except SequenceError:
            return
        assert all(CLEAN.fullmatch(r.sequence) for r in records)

    check(thorough, prop, junk_bytes)


@DEPTHS
def test_fasta_round_trip_with_wrapping_case_rna_and_crlf(thorough: bool):
    def prop(records, width, lower, rna, use_crlf) -> None:
        lines = []
        for i, (rid, seq) in enumerate(records):
            rid = f"{rid}_{i}"  # unique ids
            shown = seq.lower() if lower else seq
            shown = shown.replace("T", "U").replace("t", "u") if rna else shown
            lines.append(f">{rid} some description")
            lines += [shown[j : j + width] for j in range(0, len(shown), width)]
        parsed = parse_sequences(crlf("\n".join(lines) + "\n", use_crlf))
        assert [(r.id, r.sequence) for r in parsed] == [
            (f"{rid}_{i}", seq) for i, (rid, seq) in enumerate(records)
        ]

    check(
        thorough,
        prop,
        st.lists(st.tuples(ids, bases), min_size=1, max_size=6),
        st.integers(1, 70),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    )


@DEPTHS
def test_illegal_character_is_named_with_its_position(thorough: bool):
    def prop(left: str, bad: str, right: str) -> None:
        assume(not set(bad.upper()) & set("ACGTNU") and not re.match(r"[\s0-9]", bad))
        with pytest.raises(SequenceError) as info:
            parse_sequences(left + bad + right, mode="raw")
        assert info.value.position == len(left) + 1
        assert info.value.char == bad.upper()[0]

    check(thorough, prop, bases, st.characters(codec="utf-8"), bases)


# --- CSV / TSV, DNABERT TSV, FASTA with labels ------------------------------------------------


@DEPTHS
@pytest.mark.parametrize("name", ["data.csv", "data.tsv", "data.fa", "data.txt"])
def test_load_text_parses_or_raises_a_named_error(thorough: bool, name: str):
    def prop(text: str) -> None:
        try:
            ds = load_text(text, name)
        except NAMED:
            return
        assert_dataset(ds)

    check(thorough, prop, texts)


@DEPTHS
def test_table_with_a_random_cell_parses_or_raises_a_named_error(thorough: bool):
    """A valid table with one cell replaced by junk: reaches the column checks."""

    def prop(rows, sep, cell, row, col, use_crlf) -> None:
        table = [["sequence", "label", "id", "extra"]]
        table += [[s, str(y), f"r{i}", str(i / 2)] for i, (s, y) in enumerate(rows)]
        r = row % len(table)
        table[r][col] = cell
        text = crlf("\n".join(sep.join(cells) for cells in table) + "\n", use_crlf)
        try:
            ds = load_text(text, "cells.csv")
        except NAMED:
            return
        assert_dataset(ds)

    check(
        thorough,
        prop,
        st.lists(st.tuples(bases, st.sampled_from([0, 1])), min_size=1, max_size=8),
        st.sampled_from([",", "\t"]),
        st.one_of(near_valid, any_text, st.sampled_from(["nan", "inf", "1e39", "", "-0"])),
        st.integers(0, 20),
        st.integers(0, 3),
        st.booleans(),
    )


@DEPTHS
def test_csv_round_trip(thorough: bool):
    def prop(rows, sep, use_crlf) -> None:
        text = "id,sequence,label\n".replace(",", sep) + "".join(
            f"s{i}{sep}{s.lower()}{sep}{y}\n" for i, (s, y) in enumerate(rows)
        )
        ds = load_text(crlf(text, use_crlf), "t.tsv" if sep == "\t" else "t.csv")
        assert ds.sequences == [s for s, _ in rows]
        np.testing.assert_allclose(ds.labels, [y for _, y in rows], rtol=1e-6)
        assert ds.ids == [f"s{i}" for i in range(len(rows))]

    values = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))
    check(
        thorough,
        prop,
        st.lists(st.tuples(bases, values), min_size=1, max_size=10),
        st.sampled_from([",", "\t"]),
        st.booleans(),
    )


@DEPTHS
def test_dnabert_tsv_round_trip(thorough: bool):
    def prop(k, seqs, use_crlf) -> None:
        seqs = [s + "ACGTACGT"[:k] for s in seqs]  # at least k + 1 bases: two k-mers
        rows = [" ".join(s[i : i + k] for i in range(len(s) - k + 1)) for s in seqs]
        text = "sequence\tlabel\n" + "".join(f"{r}\t{i % 2}\n" for i, r in enumerate(rows))
        ds = load_text(crlf(text, use_crlf), "dev.tsv")
        assert ds.sequences == seqs and ds.meta.notes["kmer"] == k

    check(
        thorough,
        prop,
        st.integers(3, 6),
        st.lists(st.text(alphabet="ACGT", min_size=1, max_size=40), min_size=1, max_size=6),
        st.booleans(),
    )


@DEPTHS
def test_dnabert_kmers_junk_tokens(thorough: bool):
    def prop(tokens: list[str]) -> None:
        try:
            seq = kmers_to_sequence(tokens, "row")
        except DataFormatError:
            return
        assert len(seq) == len(tokens[0]) + len(tokens) - 1

    check(thorough, prop, st.lists(st.text(max_size=8), min_size=1, max_size=10))


@DEPTHS
def test_fasta_with_labels_file(thorough: bool):
    def prop(records, labels_text, use_crlf) -> None:
        fasta = "".join(f">{rid}_{i}\n{s}\n" for i, (rid, s) in enumerate(records))
        try:
            ds = load_text(crlf(fasta, use_crlf), "s.fa", labels_text=labels_text)
        except NAMED:
            return
        assert_dataset(ds)

    valid_labels = st.lists(st.sampled_from([0, 1]), min_size=6, max_size=6).map(
        lambda ys: (
            "id,label\n"
            + "".join(
                f"{rid}_{i},{y}\n"
                for i, (rid, y) in enumerate(zip(["a", "b", "c", "d", "e", "f"], ys, strict=True))
            )
        )
    )
    check(
        thorough,
        prop,
        st.lists(st.tuples(st.sampled_from("abcdef"), bases), min_size=1, max_size=6),
        st.one_of(texts, valid_labels),
        st.booleans(),
    )


@DEPTHS
def test_fasta_label_tokens(thorough: bool):
    def prop(records, use_crlf) -> None:
        fasta = "".join(f">r{i} label={y}\n{s}\n" for i, (s, y) in enumerate(records))
        try:
            ds = load_text(crlf(fasta, use_crlf), "s.fasta")
        except NAMED:
            return
        assert_dataset(ds)
        assert ds.sequences == [s for s, _ in records]

    label = st.one_of(st.sampled_from(["0", "1", "nan", "inf", "-inf", "2.5", "x"]), any_text)
    check(thorough, prop, st.lists(st.tuples(bases, label), min_size=1, max_size=6), st.booleans())


# --- gzip and bytes ---------------------------------------------------------------------


@DEPTHS
@pytest.mark.parametrize("max_bytes", [None, 200])
def test_decode_bytes_on_junk_and_damaged_gzip(thorough: bool, max_bytes: int | None):
    def prop(raw: bytes, as_gzip: bool, cut: int) -> None:
        if as_gzip:
            packed = gzip.compress(raw)
            raw = packed[: max(2, len(packed) - cut)]  # cut > 0 truncates the stream
        try:
            text = decode_bytes(raw, "upload", max_bytes=max_bytes)
        except DataFormatError:
            return
        assert isinstance(text, str)
        assert not (as_gzip and cut > 0), "a truncated gzip stream decoded silently"

    check(thorough, prop, junk_bytes, st.booleans(), st.integers(-5, 30))


@DEPTHS
def test_decode_bytes_gzip_round_trip_and_cap(thorough: bool):
    def prop(text: str, use_crlf: bool) -> None:
        text = crlf(text, use_crlf)
        assume("\x00" not in text)
        packed = gzip.compress(text.encode())
        assert decode_bytes(packed, "x.gz") == text.removeprefix("\ufeff")
        size = len(text.encode())
        if size > 1:
            with pytest.raises(DataFormatError, match="unpacks to more than"):
                decode_bytes(packed, "x.gz", max_bytes=size - 1)

    check(thorough, prop, st.one_of(any_text, huge_line), st.booleans())


def test_gzip_bomb_stops_at_the_cap():
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    packed = bomb.compress(b"A" * 50_000_000) + bomb.flush()  # 50 MB from ~50 kB
    with pytest.raises(DataFormatError, match="unpacks to more than"):
        decode_bytes(packed, "bomb.gz", max_bytes=1_000_000)


# --- files on disk: load(), BED, DiskDataset folders -------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("props")
    (root / "g.fa").write_text(">chr1\n" + "ACGT" * 25 + "\n>chr2\nGGGGCCCCAANNacgt\n")
    return root


@DEPTHS
@pytest.mark.parametrize("name", ["f.csv", "f.tsv.gz", "f.fa.gz", "f.bin"])
def test_load_file_on_random_bytes(thorough: bool, name: str, workdir: Path):
    path = workdir / name

    def prop(raw: bytes, as_gzip: bool) -> None:
        path.write_bytes(gzip.compress(raw) if as_gzip else raw)
        try:
            ds = load(path)
        except NAMED:
            return
        assert_dataset(ds)

    text_bytes = st.one_of(near_valid, any_text).map(str.encode)
    check(thorough, prop, st.one_of(junk_bytes, text_bytes), st.booleans())


@DEPTHS
def test_bed_parses_or_raises_a_named_error(thorough: bool, workdir: Path):
    bed = workdir / "r.bed"
    genome = workdir / "g.fa"
    field = st.one_of(
        st.sampled_from(["chr1", "chr2", "chrX", "0", "4", "8", "12", "-3", "1e3", "nan", "٣"]),
        st.integers(-10, 120).map(str),
        st.text(alphabet="chr0123456789.-+ é\x00", max_size=6),
    )
    line = st.lists(field, min_size=0, max_size=7).map("\t".join)

    def prop(lines, junk, width, use_crlf) -> None:
        bed.write_text(crlf("\n".join([*lines, junk]) + "\n", use_crlf), errors="surrogatepass")
        try:
            ds = load_bed(bed, genome, width=width)
        except NAMED:
            return
        assert_dataset(ds)
        if width is not None:
            assert {len(s) for s in ds.sequences} == {width}

    check(
        thorough,
        prop,
        st.lists(line, max_size=6),
        st.one_of(st.just(""), near_valid),
        st.one_of(st.none(), st.integers(1, 30)),
        st.booleans(),
    )


@DEPTHS
def test_disk_dataset_folder_detection_and_junk(thorough: bool, workdir: Path):
    """Random folders are either refused as 'not a DiskDataset', refused for lack of
    trust, or (trusted) read or refused with a DataFormatError: never another error."""
    counter = iter(range(10**9))

    def prop(files: dict[str, bytes], meta: bytes | None, meta_gz: bool, trust: bool) -> None:
        folder = workdir / f"dd{next(counter)}"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        if meta is not None:
            (folder / "metadata.csv.gzip").write_bytes(gzip.compress(meta) if meta_gz else meta)
        try:
            ds = load(folder, trust=trust)
        except DataFormatError as e:
            if meta is None:
                assert "not a DeepChem DiskDataset" in str(e)
            elif not trust:
                assert "pickle" in str(e)
            return
        assert trust and meta is not None
        assert_dataset(ds)

    names = st.from_regex(r"[a-z][a-z0-9_-]{0,8}(\.joblib)?", fullmatch=True)
    shard_names = st.sampled_from(["s.joblib", "../g.fa", "/etc/hostname", "", "nan", "a", "t"])
    meta_csv = st.lists(st.tuples(shard_names, shard_names), max_size=3).map(
        lambda rows: ("X,y\n" + "".join(f"{a},{b}\n" for a, b in rows)).encode()
    )
    # Junk to unpickle, but never with the opcodes that name a callable (GLOBAL c,
    # STACK_GLOBAL \x93, INST i): random bytes must not be able to run anything.
    safe_junk = junk_bytes.filter(lambda b: not {0x63, 0x93, 0x69} & set(b))
    arrays = st.sampled_from(
        [np.zeros((2, 5, 4), np.int8), np.ones((2, 1)), np.zeros((3, 5, 4)), np.array(["a", "b"])]
    ).map(_joblib_bytes)
    check(
        thorough,
        prop,
        st.dictionaries(
            st.one_of(names, st.just("s.joblib")), st.one_of(safe_junk, arrays), max_size=3
        ),
        st.one_of(st.none(), junk_bytes, meta_csv),
        st.booleans(),
        st.booleans(),
    )


def _joblib_bytes(a: np.ndarray) -> bytes:
    import io

    import joblib

    buf = io.BytesIO()
    joblib.dump(a, buf)
    return buf.getvalue()


def test_disk_dataset_shard_outside_the_folder_is_refused(tmp_path: Path):
    """A metadata row naming ``../x`` or an absolute path never reads outside the folder."""
    import joblib

    outside = tmp_path / "outside.joblib"
    joblib.dump(np.zeros((1, 4, 4)), outside)
    folder = tmp_path / "dd"
    folder.mkdir()
    for shard in ("../outside.joblib", str(outside)):
        pd.DataFrame({"X": [shard], "y": [shard]}).to_csv(
            folder / "metadata.csv.gzip", index=False, compression="gzip"
        )
        with pytest.raises(DataFormatError, match="outside the dataset folder"):
            load(folder, trust=True)


def test_a_very_wide_header_is_refused_quickly():
    """60,000 commas in a header made pandas build 60,001 columns for ~20 s."""
    import time

    t0 = time.perf_counter()
    with pytest.raises(DataFormatError, match="columns; genoviz reads tables of up to"):
        load_text("," * 60_000 + "\nACGT\n", "wide.csv")
    assert time.perf_counter() - t0 < 2.0


def test_a_sequence_cell_of_digits_only_is_refused():
    """Found by the 10k run: '0' is not empty, but has no bases once digits are dropped."""
    with pytest.raises(DataFormatError, match="line 3: the sequence '12 0' has no bases"):
        load_text("sequence,label\nACGT,1\n12 0,0\n", "d.csv")
