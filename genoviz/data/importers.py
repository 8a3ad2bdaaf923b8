"""Load a user's file into a labelled :class:`Dataset`: decode, sniff the format, dispatch.

CSV/TSV contract (DESIGN.md): a ``sequence`` column and a ``label`` column (or several
``label*`` columns), optional ``id`` and ``weight``; any other numeric column is an extra
input (:mod:`genoviz.data.table_import`, :mod:`genoviz.data.extra_inputs`). FASTA labels
come from a ``label=`` token in the header (:mod:`genoviz.data.fasta_import`).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from genoviz.data.dataset import Dataset
from genoviz.data.errors import DataFormatError, UnlabelledError
from genoviz.data.fasta_import import from_fasta
from genoviz.data.table_import import Progress, from_table
from genoviz.data.tables import table_header
from genoviz.sequence_parsing import is_genbank, parse_sequences
from genoviz.sequences import in_file

_FASTA_EXT = (".fa", ".fasta", ".fna", ".ffn", ".fas")
_GENBANK_EXT = (".gb", ".gbk", ".gbff", ".genbank")
#: What the upload boxes take (Predict adds ``bed``).
UPLOAD_TYPES = ["csv", "tsv", "txt", *(e[1:] for e in _FASTA_EXT + _GENBANK_EXT), "gz"]


def read_text(path: str | Path) -> str:
    """Read a (possibly gzipped) text file, with a clear error for binary content."""
    return decode_bytes(Path(path).read_bytes(), str(path))


def decode_bytes(raw: bytes, name: str, max_bytes: int | None = None) -> str:
    """Bytes of a text file (gzipped or not) to text.

    Raises:
        DataFormatError: binary content, bad gzip, non-UTF-8 text (naming the line), or
            more than ``max_bytes`` once unpacked.
    """
    if raw[:2] == b"\x1f\x8b":
        try:
            if max_bytes is None:
                raw = gzip.decompress(raw)
            else:  # stop unpacking just past the limit: a tiny .gz can unpack to gigabytes
                unpacker = zlib.decompressobj(wbits=31)
                raw = unpacker.decompress(raw, max_bytes + 1)
                if not unpacker.eof and len(raw) <= max_bytes:
                    raise EOFError("the file ends before the end of the compressed stream")
        except (OSError, EOFError, zlib.error) as e:
            raise DataFormatError(f"{name}: damaged gzip file ({e})") from None
    if max_bytes is not None and len(raw) > max_bytes:
        raise DataFormatError(
            f"{name} unpacks to more than {max_bytes / 2**20:.3g} MB of text, the most "
            "genoviz reads here (GENOVIZ_MAX_UPLOAD_MB sets it)"
        )
    if b"\x00" in raw[:65536]:
        raise DataFormatError(f"{name}: this looks like a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataFormatError(f"{name}, line {line}: not UTF-8 text ({e.reason})") from None


def sniff_format(name: str, text: str) -> str:
    """``fasta`` (records with headers: FASTA or GenBank) or ``table``, from the name's
    extension first, then the content."""
    stem = name.lower().removesuffix(".gz")
    headed = text.lstrip().startswith(">") or is_genbank(text)
    if stem.endswith(_FASTA_EXT + _GENBANK_EXT) or headed:
        return "fasta"
    return "table"


def load_file(
    path: str | Path,
    task: str | None = None,
    labels: str | Path | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Load a CSV/TSV (plain or DNABERT k-mer), FASTA or GenBank file (``.gz`` allowed).

    Args:
        task: override the task inferred from the labels.
        labels: for FASTA or GenBank, a CSV/TSV with ``id`` and ``label*`` columns joined
            on the record ids (instead of ``label=`` tokens in FASTA headers).
        progress: called with the fraction of rows read so far (for large files).
    """
    path = Path(path)
    if not path.exists():
        raise DataFormatError(f"no such file: {path}")
    if path.is_dir():
        raise DataFormatError(f"{path} is a folder; expected a CSV, TSV or FASTA file")
    label_text = read_text(labels) if labels is not None else None
    return load_text(
        read_text(path), path.name, task=task, labels_text=label_text, progress=progress
    )


def load_text(
    text: str,
    name: str,
    task: str | None = None,
    labels_text: str | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Parse file content already in memory (an upload, or a paste with labels)."""
    if not text.strip():
        raise DataFormatError(f"{name}: the file is empty")
    if sniff_format(name, text) == "fasta":
        with in_file(name):
            return from_fasta(text, name, task, labels_text)
    if problem := bed_problem(text, name, "train"):
        raise DataFormatError(problem)
    if labels_text is not None:  # it would be ignored: a table has its own label column
        raise DataFormatError(
            f"{name}: a labels file joins labels to a FASTA's record ids; this is a table, "
            "so give its labels as a 'label' column instead"
        )
    if table_header(text) is None:  # one sequence per line
        with in_file(name):
            parse_sequences(text, mode="lines")  # a bad character: name its line
        raise UnlabelledError(
            f"{name}: one sequence per line, without labels; to train, give a table whose "
            "first line is 'sequence,label', or a FASTA with headers like '>seq1 label=1'"
        )
    return from_table(text, name, task, progress)


def bed_problem(text: str, name: str, command: str) -> str | None:
    """What to say when ``text`` reads as BED regions (chromosome, start, end, ...), which
    need a genome FASTA to become sequences; None for anything else. ``command`` is the
    CLI command that reads them (``train`` or ``predict``)."""
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t") if "\t" in line else line.split()
        if len(f) < 3 or not (f[1].strip().isdigit() and f[2].strip().isdigit()):
            return None
        if set(f[0].strip().upper()) <= set("ACGTUN") or int(f[1]) > int(f[2]):
            return None  # a sequence with two numbers, not a chromosome and its interval
        extra = " --out predictions.csv" if command == "predict" else " --out runs/mine"
        return (
            f"{name} looks like BED regions (chromosome, start, end: {line.strip()[:40]!r}); "
            "their bases come from a genome FASTA, which the dashboard does not read. Run "
            f"python -m genoviz {command} --data regions.bed --genome genome.fa{extra}, "
            "or give the sequences themselves (FASTA, or a table with a 'sequence' column)."
        )
    return None
