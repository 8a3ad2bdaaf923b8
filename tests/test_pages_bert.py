"""AppTest smoke tests for the Attention and Embeddings pages, on tiny BERT runs written
here (untrained: the views work on any weights)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import save_untrained_run
from streamlit.testing.v1 import AppTest

import models
from genoviz.explain import EXPLANATIONS

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90


def save_run(runs: Path, name: str, build: dict, spec: str, task: str) -> Path:
    record = {"name": spec, "spec": spec, "task": task}
    return save_untrained_run(runs / f"20260101-000000-{name}-{spec}", name, build, record)


@pytest.fixture
def kmer_run(runs_dir: Path) -> Path:
    build = {"seq_len": 101, "outputs": 1, "k": 3, "size": "tiny"}
    return save_run(runs_dir, "kmer-bert", build, "tf-binding", "binary")


@pytest.fixture
def codon_run(runs_dir: Path) -> Path:
    build = {"seq_len": 90, "outputs": 1, "size": "tiny"}
    return save_run(runs_dir, "codon-bert", build, "codon-corpus", "lm")


def app(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_attention_page_without_a_bert_run_says_how_to_make_one(runs_dir):
    at = app("pages/attention.py")
    ok(at)
    text = at.info[0].value
    assert text.startswith("No ") and "kmer-bert run yet" in text
    assert "Train page" in text and "genoviz pretrain" in text


def test_embeddings_page_without_runs_says_to_train_one(runs_dir):
    at = app("pages/embeddings.py")
    ok(at)
    assert at.info[0].value.startswith("No trained runs")


def test_attention_page_grid_head_track_and_filters(kmer_run):
    at = app("pages/attention.py")
    ok(at)
    assert at.title[0].value == "Attention"
    assert [t.label for t in at.tabs] == [
        "Layer x head grid",
        "One head",
        "[CLS] on bases",
        "Motifs",
    ]
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # grid, one head, [CLS] track
    grid = json.loads(charts[0].proto.spec)
    assert len(grid["data"]) == 2 * 4  # tiny: 2 layers x 4 heads
    labels = [e.label for e in at.expander]
    assert EXPLANATIONS["attention"].title in labels
    assert any(b.label == "Data (CSV)" for b in at.get("download_button"))
    at.multiselect(key="attention_heads").set_value([1, 3]).run()
    ok(at)
    grid = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(grid["data"]) == 2 * 2
    # Motifs run from their button.
    at.number_input(key="att_n").set_value(100)
    at.button(key="att_go").click().run()
    ok(at)
    assert any("high-attention regions" in m.value for m in at.markdown)
    # Clearing every head empties the three map tabs but keeps Motifs, which reads them all
    # (it once hid all four tabs).
    at.multiselect(key="attention_heads").set_value([]).run()
    ok(at)
    assert [t.label for t in at.tabs][-1] == "Motifs"
    assert [w.value for w in at.warning] == ["Choose at least one layer and one head."] * 3
    assert not at.get("plotly_chart")
    assert any("high-attention regions" in m.value for m in at.markdown)


def test_attention_page_pasted_sequence_and_a_bad_one(kmer_run):
    at = app("pages/attention.py")
    at.radio(key="attention_source").set_value("Paste a sequence").run()
    at.text_area(key="attention_paste").set_value(">mine\nACGTACGTTGACTCAGGCA").run()
    ok(at)
    grid = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert grid["data"][0]["x"][1] == "1:ACG"
    at.text_area(key="attention_paste").set_value("ACGTXX").run()
    assert not at.exception and "X" in at.error[0].value


def test_attention_page_lets_the_user_pick_one_of_several_pasted_records(kmer_run):
    """Before, only the first of two pasted records was shown, and nothing said so."""
    at = app("pages/attention.py")
    at.radio(key="attention_source").set_value("Paste a sequence").run()
    at.text_area(key="attention_paste").set_value(">a\nACGTACGTTGACTCA\n>b\nTTGACTCAGG").run()
    ok(at)
    pick = at.selectbox(key="attention_record")
    assert "2 pasted" in pick.label
    assert pick.options == ["1. a · 15 bp", "2. b · 10 bp"] and pick.value == 0
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"] == (
        "Attention of a"
    )
    pick.set_value(1).run()
    ok(at)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert charts[0]["layout"]["title"]["text"] == "Attention of b"
    assert charts[1]["data"][0]["x"][1] == "1:TTG"  # b's first 3-mer, not a's
    at.text_area(key="attention_paste").set_value(">only\nACGTACGTAC").run()
    ok(at)
    assert not [s for s in at.selectbox if s.key == "attention_record"]


def test_embeddings_page_codon_bert(codon_run):
    at = app("pages/embeddings.py")
    ok(at)
    assert at.metric[0].label == "MRR"
    charts = at.get("plotly_chart")
    assert len(charts) == 3
    heat = json.loads(charts[0].proto.spec)
    assert len(heat["data"][0]["y"]) == 64 and len(heat["data"][0]["x"]) == 21
    bars = json.loads(charts[1].proto.spec)
    assert bars["data"][0]["x"] == ["code 1, 11", "code 4"]  # one bar per codon table
    assert [t.label for t in at.tabs] == [
        "Tokens",
        "Codons against amino acids",
        "PCA map",
        "Sequences",
    ]
    pca = json.loads(charts[2].proto.spec)
    assert sum(len(t["hovertext"]) for t in pca["data"]) == 64 + 21
    at.selectbox(key="emb_code").set_value(4).run()
    ok(at)
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "TGA (W)" in heat["data"][0]["y"]


def test_embeddings_page_kmer_bert(kmer_run):
    at = app("pages/embeddings.py")
    ok(at)
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(heat["data"][0]["x"]) == 64


def test_embeddings_page_maps_the_sequences_of_a_kmer_bert(kmer_run):
    at = app("pages/embeddings.py")
    ok(at)
    assert [t.label for t in at.tabs] == ["Tokens", "Sequences"]
    assert at.radio(key="seqemb_pooling").options == ["[CLS]", "mean of tokens"]
    at.radio(key="seqemb_pooling").set_value("mean")
    at.number_input(key="seqemb_n").set_value(40)
    at.button(key="seqemb_go").click().run()
    ok(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the k-mer map and the sequence map
    seq_map = json.loads(charts[1].proto.spec)
    assert [t["name"] for t in seq_map["data"]] == ["0 (negative)", "1 (positive)"]
    assert "mean token vectors" in seq_map["layout"]["title"]["text"]
    assert sum(len(t["hovertext"]) for t in seq_map["data"]) == 40
    assert len(at.dataframe[-1].value) == 40
    assert EXPLANATIONS["sequence_embeddings"].title in [e.label for e in at.expander]


def test_embeddings_page_maps_a_one_hot_run_by_its_head_inputs(runs_dir):
    build = {**models.spec("cnn").defaults, "seq_len": 101, "outputs": 1, "extras": 0}
    save_run(runs_dir, "cnn", build | {"members": 1, "filters": 4}, "tf-binding", "binary")
    at = app("pages/embeddings.py")
    ok(at)
    assert not at.tabs and not at.radio  # no token views, no pooling choice
    at.number_input(key="seqemb_n").set_value(30)
    at.button(key="seqemb_go").click().run()
    ok(at)
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    assert "head inputs" in spec["layout"]["title"]["text"]
    assert sum(len(t["hovertext"]) for t in spec["data"]) == 30


@pytest.mark.parametrize("page", ["pages/attention.py", "pages/embeddings.py"])
def test_page_runs_on_its_own(runs_dir, page: str):
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT).run()
    ok(at)
    assert at.title


def test_train_page_fine_tunes_from_a_checkpoint_folder(runs_dir, tmp_path):
    """A downloaded DNABERT folder typed into the Train page: a wrong path is refused with the
    reason before training; a good one is summarised and the run starts from it."""
    from conftest import planted_dataset
    from test_checkpoints import dnabert_checkpoint

    ckpt = tmp_path / "DNA_bert_3"
    mlm = dnabert_checkpoint(ckpt)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["user_dataset"] = planted_dataset(n=60, length=20)
    at.session_state["active_dataset"] = "__user__"
    at.run()
    at.switch_page("pages/train.py").run()
    ok(at)
    assert not [t for t in at.text_input if t.key == "train_init_bert"]  # cnn: no BERT folder
    at.selectbox(key="train_model").select("kmer-bert").run()
    assert "or a BERT checkpoint" in " ".join(e.label for e in at.expander)
    folder = at.text_input(key="train_init_bert")
    folder.input(str(tmp_path / "nowhere")).run()
    assert not at.exception
    assert "cannot be used" in at.error[0].value and "no config.json" in at.error[0].value
    at.text_input(key="train_init_bert").input(str(ckpt)).run()
    ok(at)
    said = " ".join(s.value for s in at.success)
    assert "k = 3, 1 layer, hidden size 32, 2 heads; weights from model.safetensors" in said
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    assert job.config.init_bert == str(ckpt)
    assert job.wait(120) == "finished", job.message
    net = job.result.model
    assert net.k == 3 and net.hf.config.hidden_size == 32
    word = "embeddings.word_embeddings.weight"
    assert torch.allclose(net.hf.bert.state_dict()[word], mlm.bert.state_dict()[word], atol=0.05)


def test_motifs_page_says_a_bert_has_no_filters_before_any_button(kmer_run: Path):
    at = app("pages/motifs.py")
    assert not at.exception
    assert "`kmer-bert` has no convolution, so it has no filters" in at.info[0].value
    assert "Attention page" in at.info[0].value
    assert not [b for b in at.button if b.key == "motifs_go"]  # nothing to press


def test_motifs_page_sends_a_codon_bert_to_embeddings_not_attention(codon_run: Path):
    at = app("pages/motifs.py")
    assert not at.exception
    assert "`codon-bert` has no convolution" in at.info[0].value
    assert "Embeddings page" in at.info[0].value and "Attention" not in at.info[0].value


def test_attention_page_names_a_pretraining_corpus_unlabelled(runs_dir: Path):
    """A corpus's placeholder label 0 read as 'Label 0' under each sequence."""
    build = {"seq_len": 101, "outputs": 1, "k": 3, "size": "tiny"}
    save_run(runs_dir, "kmer-bert", build, "dna-corpus", "lm")
    at = app("pages/attention.py")
    ok(at)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Unlabelled (pretraining corpus) · ") for c in captions), captions
    assert not any(c.startswith("Label ") for c in captions)


def test_embeddings_page_does_not_map_an_untrained_head(runs_dir):
    """A pretraining run's head never trained (the autoencoder's): its 'head inputs' were
    a random layer's output, shown as what the model predicts from. The page says so."""
    build = {**models.spec("cnn").defaults, "seq_len": 101, "outputs": 1, "extras": 0}
    run = save_run(runs_dir, "cnn", build | {"members": 1, "filters": 4}, "tf-binding", "binary")
    info = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps(info | {"purpose": "pretraining (autoencoder)"}))
    at = app("pages/embeddings.py")
    ok(at)
    assert not at.button and not at.get("plotly_chart")
    assert any("is a pretraining run" in i.value for i in at.info), [i.value for i in at.info]


def test_attention_tables_are_built_only_when_their_download_is_clicked(kmer_run, monkeypatch):
    """The grid's CSV table (11.5 M rows and 7.7 s for a 1,200 bp paste) was built on every
    rerun; it is now a function the download button calls."""
    from genoviz.interpret.attention import SequenceAttention

    built = []
    frame = SequenceAttention.frame
    monkeypatch.setattr(
        SequenceAttention, "frame", lambda self, *a: built.append(a) or frame(self, *a)
    )
    at = app("pages/attention.py")
    ok(at)
    assert len(at.get("plotly_chart")) == 3 and built == []


def test_figure_downloads_builds_a_deferred_table_on_click(monkeypatch):
    import pandas as pd
    import plotly.graph_objects as go

    import pages._figures as figures

    files = {}
    monkeypatch.setattr(
        figures,
        "download_row",
        lambda name, row, **kw: files.update({ext: data for _, data, ext, *_ in row}),
    )
    calls = []

    def table():
        calls.append(1)
        return pd.DataFrame({"a": [1, 2]})

    figures.figure_downloads(go.Figure(), "f", table)
    assert calls == []
    assert files["csv"]() == "a\n1\n2\n" and calls == [1]


def test_attention_choices_survive_a_visit_to_another_page(kmer_run):
    """The sequence, layers and heads reset on every page switch; they are kept now, and a
    kept head the run does not have starts the choice again from every head."""
    at = app("pages/attention.py")
    ok(at)
    second = at.selectbox(key="attention_seq").options[1]
    at.selectbox(key="attention_seq").select_index(1).run()
    at.multiselect(key="attention_heads").set_value([1, 3]).run()
    at.switch_page("pages/predict.py").run()
    at.switch_page("pages/attention.py").run()
    ok(at)
    assert at.selectbox(key="attention_seq").value == second
    assert at.multiselect(key="attention_heads").value == [1, 3]
    at.session_state["attention_heads"] = [9]  # a head of another run, bigger
    at.run()
    ok(at)
    assert at.multiselect(key="attention_heads").value == [0, 1, 2, 3]
