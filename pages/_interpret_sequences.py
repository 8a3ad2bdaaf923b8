"""Interpret page: the sequences to explain (held-out or pasted, fitted to the run's
length) and the picker the tabs share, kept on the selected sequence."""

from __future__ import annotations

import numpy as np
import streamlit as st

from genoviz.interpret.inputs import run_inputs
from genoviz.predict import average_extras, fitted_length
from genoviz.runs import Run
from genoviz.sequence_parsing import parse_sequences
from genoviz.sequences import fitted_shift, pad_or_trim
from pages._common import choose
from pages._interpret_common import dataset_of

SOURCES = ("Held-out sequences", "Paste sequences")
MAX_SEQUENCES = 50
#: The selected sequence (its dataset row), shared by the tabs' pickers and the link.
SEQ_ROW = "interp_seq_row"
#: A row from a link, still to be brought into the held-out list.
LINK_ROW = "interp_link_row"


class Chosen:
    """Sequences to explain, padded or trimmed to the run's length where its model needs
    it (a BERT reads them as they are), with ids, labels and extras; ``rows`` are their
    dataset rows (None for pasted sequences), ``pasted`` the pasted sequences' own lengths
    (a variant table counts positions along them)."""

    def __init__(self, ids, seqs, labels, extras, notes, rows=None, pasted=None):
        self.ids, self.seqs, self.labels, self.extras, self.notes = ids, seqs, labels, extras, notes
        self.rows = rows
        self.pasted = pasted

    def shift(self, i: int) -> int:
        """How far pasted sequence ``i``'s bases moved when fitted to the run's length."""
        return 0 if self.pasted is None else fitted_shift(self.pasted[i], len(self.seqs[i]))


def _picked(key: str, rows: list[int] | None) -> None:
    # Another run's old label comes back as a string (see choose): nothing to follow.
    i = st.session_state[key]
    if rows is not None and isinstance(i, int) and 0 <= i < len(rows):
        st.session_state[SEQ_ROW] = rows[i]


def pick_sequence(chosen: Chosen, label: str, key: str, n: int | None = None) -> int:
    """A select box of the first ``n`` sequences, kept on the selected one (shared by
    the tabs and restored from a link)."""
    n = len(chosen.seqs) if n is None else n
    row = st.session_state.get(SEQ_ROW)
    if chosen.rows is not None and row in chosen.rows[:n]:
        st.session_state[key] = chosen.rows.index(row)
    return choose(
        label,
        range(n),
        format_func=lambda k: chosen.ids[k],
        key=key,
        on_change=_picked,
        args=(key, chosen.rows),
    )


def bring_linked_row(run: Run, ds) -> None:
    """A link's sequence row: show enough held-out sequences to include it."""
    row = st.session_state.pop(LINK_ROW, None)
    if row is None:
        return
    got = run_inputs(run, ds, "test", MAX_SEQUENCES, positives_first=ds.task == "binary")
    rows = [int(i) for i in got.indices]
    if row not in rows:
        st.warning(
            f"The link's sequence (row {row}) is not among the first {MAX_SEQUENCES} held-out "
            "sequences of this run; showing the first ones."
        )
        st.session_state.pop(SEQ_ROW, None)
        return
    st.session_state["interp_n"] = max(int(st.session_state["interp_n"]), rows.index(row) + 1)


def choose_sequences(run: Run) -> Chosen | None:
    ds = dataset_of(run)
    build = run.info["model"]["build"]
    seq_len, n_extras = int(build["seq_len"]), int(build.get("extras", 0))
    if ds is None:  # pasting is the only choice; the user's own choice stays for other runs
        source = st.radio(
            "Sequences",
            SOURCES[1:],
            horizontal=True,
            key="interp_source_paste_only",
            help="This run's training data is not loaded in this session (load the same "
            "file on the Data page to explain its held-out sequences), so paste sequences.",
        )
    else:
        source = st.radio("Sequences", SOURCES, horizontal=True, key="interp_source")
    notes: list[str] = []
    rows = None
    if source == SOURCES[0]:
        st.session_state.setdefault("interp_n", 5)  # set here: a link may raise it
        bring_linked_row(run, ds)
        label = "How many (positives first)" if ds.task == "binary" else "How many"
        n = st.slider(label, 1, MAX_SEQUENCES, key="interp_n")
        got = run_inputs(run, ds, "test", n, positives_first=ds.task == "binary")
        seqs, ids, extras = got.sequences, got.ids, got.extras
        # every task's label: the one shown is the explained output's (a multi-task
        # figure of CTCF showed JUND's label)
        labels = [np.asarray(v, dtype=float).reshape(-1) for v in got.labels]
        rows = [int(i) for i in got.indices]
        notes += got.notes  # what fitting them to the run took (padding, average extras)
    else:
        text = st.text_area(
            "Sequences (FASTA, GenBank or one per line)",
            key="interp_paste",
            height=120,
            placeholder=">my_seq\nACGT…",
        )
        if not text.strip():
            st.info("Paste one or more sequences, then press Ctrl+Enter.")
            return None
        records = parse_sequences(text)[:MAX_SEQUENCES]
        seqs, ids = [r.sequence for r in records], [r.id for r in records]
        labels = [None] * len(seqs)
        extras = None
        if n_extras:  # the run's training average; older runs: the set's, or 0
            extras = average_extras(run, len(seqs))
            if extras is None:
                mean = ds.extras.mean(axis=0) if ds is not None and ds.extras is not None else 0.0
                extras = np.broadcast_to(np.asarray(mean, np.float32), (len(seqs), n_extras))
                extras = extras.copy()
            names = ", ".join(run.info["dataset"].get("extras_names") or ["its extra input"])
            notes.append(f"The model also reads {names}; pasted sequences get the average value.")
    # As Predict reads them (fitted_length): at the run's length when its model reads only
    # that or it trained with a chosen length; else each as it is (a BERT masks [PAD]).
    pasted = None if source == SOURCES[0] else [len(s) for s in seqs]
    if fitted_length(run) and any(len(s) != seq_len for s in seqs):
        note = f"Sequences were padded with N or trimmed (centred) to {seq_len} bp"
        if pasted is not None:
            moved = [(ids[k], fitted_shift(n, seq_len)) for k, n in enumerate(pasted)]
            first = next((m for m in moved if m[1]), None)
            if first is not None:
                name, shift = first
                where = (
                    f"your base 1 is position {1 + shift}"
                    if shift > 0
                    else f"position 1 is your base {1 - shift}, after {-shift} trimmed off"
                )
                note += (
                    ": positions in the maps and their tables count along the fitted "
                    f"sequence (in {name}, {where}); variant tables give both"
                )
        notes.append(note + ".")
        seqs = pad_or_trim(seqs, seq_len)
    elif len({len(s) for s in seqs}) > 1:
        notes.append(
            "Sequences of different lengths: each is read as it is (no N padding, as in "
            "Predict), so each map ends at the sequence's last base."
        )
    return Chosen(ids, seqs, labels, extras, notes, rows, pasted)
