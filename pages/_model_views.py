"""Train page: the settings of the chosen model (BERT size and k, motif-net's JASPAR start).

UI glue only: the values become ``TrainConfig.hparams``, the same keys the CLI's
``--hparams`` takes; JASPAR names are checked with :func:`models.jaspar_init.choose_jaspar`.
"""

from __future__ import annotations

import re

import streamlit as st

import models
from genoviz.data import Dataset
from genoviz.motifs import MotifError
from genoviz.train_build import file_kmer
from genoviz.train_setup import select_device
from models.bert import EMBED_INITS
from models.jaspar_init import JasparGroupError, choose_jaspar
from models.token_bert import SIZES

SIZE_HELP = {
    "tiny": "2 layers, hidden 64: seconds per epoch on a laptop",
    "small": "4 layers, hidden 256, 4 heads: minutes per epoch on a laptop CPU",
}
EMBED_HELP = (
    "How each k-mer's embedding starts. bases: the sum of one vector per base and position, "
    "so k-mers sharing bases start alike (learns fastest). random: independent vectors, as "
    "DNABERT starts. tied: stays that sum while training, so the model cannot learn single "
    "k-mers by heart; it helps where negatives are made from the positives and costs where "
    "composition tells the classes apart."
)


#: How the page narrows a TF name's JASPAR matrices (see models.jaspar_init.choose_jaspar).
TAX_GROUP = "auto"


class SettingsError(ValueError):
    """A model setting that cannot be used; the page shows it and does not start."""


def model_settings(ds: Dataset, model: str, running: bool) -> dict:
    """Widgets for ``model``'s own settings, in an expander; returns its hyperparameters.

    Raises:
        SettingsError: JASPAR names that JASPAR does not have.
    """
    if model not in ("kmer-bert", "codon-bert", "motif-net"):
        return {}
    with st.expander("Model settings", icon=":material/tune:"):
        if model == "motif-net":
            return _motif_net(running)
        return _bert(ds, model, running)


def _bert(ds: Dataset, model: str, running: bool) -> dict:
    defaults = models.spec(model).defaults
    sizes = list(SIZES)
    # On a CPU the registry's small BERT takes minutes an epoch: start from tiny there.
    start = "tiny" if select_device("auto").type == "cpu" else defaults["size"]
    c1, c2, c3 = st.columns(3)
    size = c1.radio(
        "Size",
        sizes,
        index=sizes.index(start),
        format_func=str.capitalize,
        key=f"train_bert_size_{model}",
        disabled=running,
        horizontal=True,
    )
    c1.caption(SIZE_HELP[size])
    out = {"size": size}
    if model == "kmer-bert":
        # a DNABERT k-mer file starts at its own k, under a key of its own, so the k chosen
        # for other data is neither overwritten nor applied to it
        k = file_kmer(ds)
        out["k"] = c2.selectbox(
            "k (bases per token)",
            [3, 4, 5, 6],
            index=[3, 4, 5, 6].index(k or defaults["k"]),
            key=f"train_bert_k{k or ''}",
            disabled=running,
            help="DNABERT's vocabularies: 4^k k-mers plus five special tokens."
            + (f" This file is in DNABERT's {k}-mer format." if k else ""),
        )
        if ds.task != "lm":  # pretraining always starts from the base sums
            out["embed_init"] = c3.selectbox(
                "k-mer embeddings",
                EMBED_INITS,
                key="train_bert_embed_init",
                disabled=running,
                help=EMBED_HELP,
            )
    return out


def _motif_net(running: bool) -> dict:
    defaults = models.spec("motif-net").defaults
    c1, c2 = st.columns(2)
    motifs = c1.number_input(
        "Motifs", 1, 256, defaults["motifs"], key="train_motifs", disabled=running
    )
    heads = c2.selectbox(
        "Attention across motifs",
        [0, 1, 2, 4],
        format_func=lambda h: "off" if h == 0 else f"{h} head{'s' if h > 1 else ''}",
        key="train_motif_attention",
        disabled=running,
        help="Self-attention across the motif channels, for motif-motif interactions.",
    )
    out = {"motifs": int(motifs), "attention_heads": int(heads)}
    if not st.checkbox(
        "Start motifs from JASPAR matrices",
        key="train_motif_jaspar",
        disabled=running,
        help="Starts the first motifs from real JASPAR log-odds matrices; the rest start random.",
    ):
        return out
    text = st.text_input(
        "TF names or matrix ids, separated by commas or spaces",
        value="JUND",
        key="train_motif_names",
        disabled=running,
        placeholder="JUND, CTCF, MA0139.1",
        help="A name takes its JASPAR CORE matrices, only the vertebrate ones where it also "
        "names other groups' (CTCF names a Drosophila matrix too); an id is taken as given.",
    )
    keys = [k for k in re.split(r"[,\s]+", text) if k]
    if not keys:
        raise SettingsError("Name at least one TF or JASPAR matrix id to start from.")
    try:
        # a name's CORE matrices, and only the vertebrate ones where it also names other
        # groups' (GATA1 names an Arabidopsis matrix too); the caption says what was left out
        choice = choose_jaspar(keys, TAX_GROUP)
    except JasparGroupError as e:
        raise SettingsError(f"{e}.") from None
    except MotifError as e:
        raise SettingsError(
            f"{e}. Check the spelling (JASPAR uses names like JUND, CTCF)."
        ) from None
    n = len(choice.motifs)
    if n > motifs:
        raise SettingsError(
            f"{', '.join(keys)} give {n} JASPAR matrices; raise Motifs to at least {n}."
        )
    # a matrix wider than the motifs keeps its centre: its label says how many columns
    st.caption(f"Starts from {choice.described(defaults['width'])}")
    freeze = st.checkbox(
        "Keep the JASPAR motifs fixed while training",
        key="train_motif_freeze",
        disabled=running,
        help="The JASPAR matrices stay fixed (their thresholds still learn); the random "
        "motifs and the head learn as usual.",
    )
    return out | {
        "init": "jaspar",
        "jaspar": keys,
        "jaspar_tax_group": TAX_GROUP,
        "freeze_motifs": bool(freeze),
    }
