"""Train page: each model's own settings (BERT size, k and k-mer embeddings; motif-net's
JASPAR start) reach the training config, and a bad JASPAR name stops the start."""

from __future__ import annotations

from pathlib import Path

from conftest import planted_dataset
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def train_page(model: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user_dataset"] = planted_dataset(n=80, length=24)
    at.session_state["active_dataset"] = "__user__"
    at.run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="train_model").select(model).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def start(at: AppTest):
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["train_job"]


def test_kmer_bert_size_k_and_embeddings_reach_the_model(runs_dir):
    at = train_page("kmer-bert")
    assert "Model settings" in [e.label for e in at.expander]
    from genoviz.training import select_device

    # the registry's small on a GPU; tiny on a CPU, where small takes minutes an epoch
    expected = "tiny" if select_device("auto").type == "cpu" else "small"
    assert at.radio(key="train_bert_size_kmer-bert").value == expected
    at.radio(key="train_bert_size_kmer-bert").set_value("tiny").run()
    at.selectbox(key="train_bert_k").select(3).run()
    at.selectbox(key="train_bert_embed_init").select("tied").run()
    job = start(at)
    assert job.config.hparams == {"size": "tiny", "k": 3, "embed_init": "tied"}
    assert job.wait(120) == "finished", job.message
    net = job.result.model
    assert net.k == 3 and net.hf.config.hidden_size == 64 and net.tied


def test_cnn_has_no_model_settings(runs_dir):
    at = train_page("cnn")
    assert "Model settings" not in [e.label for e in at.expander]


def test_motif_net_starts_from_jaspar_and_refuses_an_unknown_name(runs_dir):
    at = train_page("motif-net")
    at.checkbox(key="train_motif_jaspar").check().run()
    at.text_input(key="train_motif_names").input("JUND, NOTAFACTOR").run()
    assert "NOTAFACTOR" in at.error[0].value
    assert at.button(key="train_start").disabled
    at.text_input(key="train_motif_names").input("JUND").run()
    assert not at.error and not at.button(key="train_start").disabled
    assert "MA0491" in " ".join(c.value for c in at.caption)
    at.number_input(key="train_motifs").set_value(1).run()
    assert "raise Motifs to at least" in at.error[0].value  # JUND has two CORE matrices
    at.number_input(key="train_motifs").set_value(4).run()
    at.checkbox(key="train_motif_freeze").check().run()
    freeze = at.checkbox(key="train_motif_freeze")
    assert "thresholds still learn" in freeze.help  # only the matrices stay fixed
    job = start(at)
    hp = job.config.hparams
    assert hp["init"] == "jaspar" and hp["jaspar"] == ["JUND"] and hp["freeze_motifs"]
    assert hp["jaspar_tax_group"] == "auto"
    assert job.wait(120) == "finished", job.message
    assert job.result.model.scan.fixed == 2  # JUND's two matrices, kept as published


def caption(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption if c.value.startswith("Starts from"))


def test_motif_net_caption_gives_species_what_was_left_out_and_cut_columns(runs_dir):
    """GATA1 and CTCF also name plant and fly matrices: the page starts from the human
    ones, says which it left out, and says when a matrix wider than 15 is cut."""
    at = train_page("motif-net")
    at.checkbox(key="train_motif_jaspar").check().run()
    at.text_input(key="train_motif_names").input("GATA1, MA0138.3").run()
    assert not at.error, [e.value for e in at.error]
    text = caption(at)
    assert "GATA1 (Homo sapiens, vertebrates)" in text
    assert "MA0138.3 REST (Homo sapiens, vertebrates; centre 15 of 20 columns)" in text
    assert "Left out" in text and "MA2388.1 GATA1 (Arabidopsis thaliana, plants)" in text
    assert text.count("GATA1 (") == 2  # the human one used, the plant one left out
    at.text_input(key="train_motif_names").input("MA2388.1").run()  # an id is taken
    assert "MA2388.1 GATA1 (Arabidopsis thaliana, plants)" in caption(at)
    assert "Left out" not in caption(at)
    at.text_input(key="train_motif_names").input("SMZ").run()  # UNVALIDATED only
    assert "UN0875.1 SMZ" in at.error[0].value and "spelling" not in at.error[0].value
    at.text_input(key="train_motif_names").input("CTCF").run()
    assert "MA0531.2 CTCF (Drosophila melanogaster, insects)" in caption(at)
    job = start(at)
    assert job.wait(120) == "finished", job.message
    names = job.result.model.names
    assert [n.split()[1] for n in names[:3]] == ["CTCF"] * 3 and names[3] == "motif 4"


def test_train_page_says_when_bert_inputs_need_windows(runs_dir):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user_dataset"] = planted_dataset(n=40, length=600)
    at.session_state["active_dataset"] = "__user__"
    at.run()
    at.switch_page("pages/train.py").run()
    assert not [i for i in at.info if "windows" in i.value]  # the cnn needs none
    at.selectbox(key="train_model").select("kmer-bert").run()
    note = [i.value for i in at.info if "windows" in i.value]
    assert note and note[0].startswith("40 sequence(s) give more than 510 tokens")


def test_a_dnabert_kmer_file_starts_kmer_bert_at_its_own_k(runs_dir):
    """A 3-mer file trained a 6-mer BERT unless k was changed by hand; its k is now the
    default, under a key of its own, so the k chosen for other data stays as it was."""
    ds = planted_dataset(n=80, length=24)
    ds.meta.notes["kmer"] = 3
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user_dataset"] = ds
    at.session_state["active_dataset"] = "__user__"
    at.run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="train_model").select("kmer-bert").run()
    assert not at.exception, [e.value for e in at.exception]
    k = at.selectbox(key="train_bert_k3")
    assert k.value == 3 and "3-mer format" in k.help
