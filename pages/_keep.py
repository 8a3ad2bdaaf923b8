"""Widget values that survive a visit to another page.

Streamlit drops the state of every widget a run does not draw, so leaving the Train page
reset its epochs and seed, and leaving Predict emptied the pasted sequences. Writing a
value back to its own key marks it as set by the app, which Streamlit keeps; ``app.py``
does that for the keys below before every page runs (the documented way for
``st.navigation`` apps).

Only value widgets may be listed (buttons, uploads and downloads cannot be set this way).
``tests/test_keep_widgets.py`` checks that every value widget on the pages is either kept
here or listed in :data:`TRANSIENT`, so a new widget is a deliberate choice.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

#: What the user typed or chose and expects to find again.
KEPT = frozenset(
    {
        # Train (the dataset itself follows the shared active dataset instead)
        "train_model",
        "train_seed",
        "train_extras",
        "train_seq_len",
        "train_species",
        "train_bert_embed_init",
        "train_motifs",
        "train_motif_attention",
        "train_motif_jaspar",
        "train_motif_names",
        "train_motif_freeze",
        "train_init_from",
        "train_freeze_trunk",
        "train_init_bert",
        # Data
        "data_source",
        "data_paste",
        "data_bundled",
        "data_task",
        "data_paste_task",
        "data_disk_path",
        # Predict (the run too: pasted sequences kept under another model would be scored
        # by it without a word)
        "predict_run",
        "predict_input",
        "predict_paste",
        # Interpret
        "interp_source",
        "interp_paste",
        "interp_n",
        "sal_method",
        "sal_baseline",
        "sal_shuffles",
        "var_mode",
        "var_table",
        # Lesson (the step itself is plain state, not a widget)
        "lesson_dataset",
        "lesson_seq",
        "lesson_own",
        "lesson_window",
        "lesson_filter",
        "lesson_word",
        "lesson_pos",
        "lesson_seed",
        "lesson_epochs",
        # Attention, Embeddings, Motifs, Zoo, Runs
        "attention_paste",
        "attention_seq",
        "attention_source",
        "attention_record",
        "attention_layers",
        "attention_heads",
        "att_n",
        "att_width",
        "seqemb_n",
        "seqemb_split",
        "seqemb_pooling",
        "motifs_n",
        "motifs_group",
        "motifs_overlap",
        "motifs_threshold",
        "motifs_release",
        "zoo_dataset",
        "zoo_ae_epochs",
        "zoo_ae_seed",
        "zoo_ae_seq_len",
        "zoo_ae_lr",
        "zoo_gain_epochs",
        "zoo_gain_pair",
        "runs_curve",
        # the run each analysis page looks at
        "interp_run",
        "interp_target",
        "emb_run",
        "motifs_run",
        "attention_run",
    }
)
#: Keys made per model or task (``train_epochs_lm_kmer-bert``, ``train_lr_cnn``, ...).
KEPT_PREFIXES = (
    "train_epochs",
    "train_lr",
    "train_batch",
    "train_bert_size_",
    "train_bert_k",  # train_bert_k, and train_bert_k3 for a DNABERT 3-mer file
)

#: Value widgets deliberately left to reset: they follow other state (the active dataset,
#: the newest run, the chosen sequence) or confirm one action.
TRANSIENT = frozenset(
    {
        "train_dataset",
        "interp_source_paste_only",
        "var_pos",
        "var_alt",
        "emb_code",
        "seqemb_task",
        "motifs_page",
        "motifs_filter",
        "motifs_learned_page",
        "motifs_learned_pick",
        "zoo_ae_colour",
        "runs_pick",
        "runs_overlay",
        "data_kmer_by_class",
        "data_kmer_order",
        "data_kmer_k",
        "data_logo_mode",
        "data_disk_trust",
        "runs_jobs_sure",  # a confirmation, asked again on each visit
    }
)
TRANSIENT_PREFIXES = (
    "runs_new_name_",
    "runs_confirm_",
    "runs_damaged_confirm_",
    "runs_stop_sure_",
    "data_logo_group:",
    "data_logo_range:",
)


def is_kept(key: str) -> bool:
    return key in KEPT or key.startswith(KEPT_PREFIXES)


#: Plain copies of the kept values, under keys no widget has. Streamlit files a value
#: written to a widget's key under the widget's id at the next rerun; a fragment rerun (the
#: Train page's live panel polls every second) never runs ``app.py`` to write it back, and
#: the page-switch cleanup, which runs before ``app.py``, then drops it: leaving Train
#: while it trained reset the model to cnn, the epochs to 20 and emptied Predict's paste.
SHADOW = "_kept:"


def keep_widget_values(state: MutableMapping[str, Any]) -> None:
    """Write every kept widget value back to its key, so Streamlit keeps it while its page
    is not shown, and to its shadow key; put back any kept value Streamlit dropped anyway.
    Call once per run, before the page. Remove a kept value with :func:`forget`."""
    shadowed = [k[len(SHADOW) :] for k in state if isinstance(k, str) and k.startswith(SHADOW)]
    for key in [k for k in state if isinstance(k, str) and is_kept(k)]:
        value = state[key]
        state[key] = value
        state[SHADOW + key] = value
    for key in shadowed:
        if key not in state and is_kept(key):
            state[key] = state[SHADOW + key]


#: Kept keys whose value is a run folder's path (the run each page looks at).
RUN_KEYS = ("predict_run", "interp_run", "emb_run", "motifs_run", "attention_run")


def renamed(state: MutableMapping[str, Any], old: str, new: str) -> None:
    """A run folder moved from ``old`` to ``new``: pages that had chosen it keep it."""
    for key in RUN_KEYS:
        for k in (key, SHADOW + key):
            if state.get(k) == old:
                state[k] = new


def forget(state: MutableMapping[str, Any], key: str) -> None:
    """Remove a widget value on purpose (its widget starts from its default again), with
    the copy :func:`keep_widget_values` would otherwise put back."""
    state.pop(key, None)
    state.pop(SHADOW + key, None)
