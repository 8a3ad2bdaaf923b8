"""AppTest smoke tests for the Interpret and Motifs pages: they load, their main widgets
exist, the analyses run from their buttons, and bad input shows a message."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import TF_BINDING, deep_link, save_untrained_run
from streamlit.testing.v1 import AppTest

from genoviz.autoencoder import PURPOSE as AE_PURPOSE
from genoviz.data import load_bundled
from genoviz.explain import EXPLANATIONS, PAGE_TOPICS
from genoviz.interpret.inputs import run_inputs
from genoviz.runs import load_run

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90
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


def save_run(runs: Path, name: str, build: dict, **dataset) -> Path:
    """An untrained ``name`` model saved as a run on tf-binding; ``dataset`` adds keys to
    its dataset record."""
    run = runs / f"20260101-000000-{name}-tf-binding"
    return save_untrained_run(run, name, build, TF_BINDING | dataset)


@pytest.fixture
def a_run(runs_dir: Path) -> Path:
    """A saved run of a small untrained ``cnn`` on tf-binding (no training needed to test
    the views: the analyses work on any weights)."""
    return save_run(runs_dir, "cnn", BUILD, extras_names=["accessibility"])


def app(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    return at


def frame_with(at: AppTest, column: str):
    """The first table on the page with this column (AppTest keeps no dataframe keys)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", ["pages/interpret.py", "pages/motifs.py"])
def test_pages_without_runs_explain(runs_dir, page: str):
    at = app(page)
    ok(at)
    assert "No trained runs" in at.info[0].value


def test_interpret_page_saliency_ism_and_variants(a_run):
    at = app("pages/interpret.py")
    ok(at)
    assert at.title[0].value == "Interpret"
    assert at.radio(key="interp_source").value == "Held-out sequences"
    assert [t.label for t in at.tabs] == ["Saliency", "Mutagenesis (ISM)", "Variants", "Agreement"]
    at.slider(key="interp_n").set_value(3).run()
    at.selectbox(key="sal_method").set_value("deeplift").run()
    at.button(key="sal_go").click().run()
    ok(at)
    assert "Convergence delta" in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="sal_pick").options and len(at.get("plotly_chart")) >= 2
    assert at.get("imgs") or at.get("image")  # the contribution logo
    at.button(key="ism_go").click().run()
    ok(at)
    assert len(at.get("plotly_chart")) >= 3
    # one variant is scored straight away
    assert frame_with(at, "delta_logit").shape[0] == 1
    # a wrong reference base is a message naming the variant, not a traceback
    at.radio(key="var_mode").set_value("A table").run()
    at.text_area(key="var_table").input("bad1,1,N,A").run()
    assert not at.exception
    assert any("variant bad1" in e.value for e in at.error)
    assert at.button(key="agr_go").label == "Compare IG and ISM"  # no attention in a cnn
    at.button(key="agr_go").click().run()
    assert not at.exception
    pairs = frame_with(at, "Spearman ρ")
    assert pairs.shape[0] == 1 and pairs.iloc[0]["compared with"] == "ISM largest effect"


def test_agreement_tab_of_a_kmer_bert_adds_attention(runs_dir):
    save_run(runs_dir, "kmer-bert", {"seq_len": 40, "outputs": 1, "k": 3, "size": "tiny"})
    at = app("pages/interpret.py")
    assert at.button(key="agr_go").label == "Compare IG, ISM and attention"
    at.button(key="agr_go").click().run()
    ok(at)
    assert frame_with(at, "Spearman ρ").shape[0] == 3  # IG-ISM, IG-attention, ISM-attention


def test_interpret_page_pasted_sequence(a_run):
    at = app("pages/interpret.py")
    at.radio(key="interp_source").set_value("Paste sequences").run()
    at.text_area(key="interp_paste").input(">s1\n" + "ACGT" * 10).run()
    ok(at)
    assert any("padded" in i.value or "average value" in i.value for i in at.info)
    at.button(key="ism_go").click().run()
    ok(at)


@pytest.mark.training
def test_motifs_page_finds_matches_and_scores_truth(a_run):
    at = app("pages/motifs.py")
    ok(at)
    assert at.selectbox(key="motifs_release").value
    assert at.selectbox(key="motifs_group").value == "vertebrates"
    at.number_input(key="motifs_n").set_value(300).run()
    at.button(key="motifs_go").click().run()
    ok(at)
    assert [t.label for t in at.tabs] == ["Filter logos", "JASPAR matches", "Planted truth"]
    table = frame_with(at, "best_match_id")
    assert table.shape[0] == 16
    assert frame_with(at, "match_id").shape[0] == 3
    truth = frame_with(at, "recovered")
    assert set(truth["motif_name"]) == {"JUND"}
    # filters are numbered from 1 (as in the run report and the Lesson), and the picker,
    # the table and the truth table give a filter the same number
    assert list(table["filter"]) == list(range(1, 17))
    for label in at.selectbox(key="motifs_filter").options:
        number, consensus = re.fullmatch(r"filter (\d+) \((\w+), \d+ sites\)", label).groups()
        assert table.loc[table["filter"] == int(number), "consensus"].item() == consensus
    assert set(truth["best_filter"].dropna()) <= set(table.loc[table["n_sites"] > 0, "filter"])
    # the learned-versus-planted logos download like every figure (as PNG and their bits)
    keys = [b.key for b in at.get("download_button")]
    assert any("truth-logos" in str(k) for k in keys), keys
    # and as SVG, drawn on click (they were PNG only)
    assert {"dl_svg_truth-logos", "dl_svg_filters-1", "dl_png_filters-1"} <= set(keys), keys
    labels = [e.label for e in at.expander]
    for key in PAGE_TOPICS["motifs"]:
        if key != "motif_net":  # only for a motif-net run
            assert EXPLANATIONS[key].title in labels, key
    # a second view is served from the stored report and the logo cache
    at.selectbox(key="motifs_filter").set_value(at.selectbox(key="motifs_filter").options[1])
    at.run()
    ok(at)
    # a matching-only setting re-matches the same filter sites, with no new scan to press
    before = frame_with(at, "best_match_id")["n_sites"].tolist()
    at.selectbox(key="motifs_group").set_value("all").run()
    ok(at)
    assert frame_with(at, "best_match_id")["n_sites"].tolist() == before
    assert not any("Press **Find filter motifs**" in c.value for c in at.caption)
    at.slider(key="motifs_threshold").set_value(0.7).run()  # a new scan: asked for again
    assert any("Press **Find filter motifs**" in c.value for c in at.caption)


@pytest.mark.parametrize("page", ["pages/interpret.py", "pages/motifs.py"])
def test_page_runs_on_its_own(runs_dir, page: str):
    """Each page file also runs alone (through app.py's navigation)."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT).run()
    ok(at)
    assert at.title


def linked(path: str, **params: str) -> AppTest:
    """A page opened from a shared link (a deep link with query parameters)."""
    return deep_link(path, TIMEOUT, **params)


def test_interpret_link_restores_run_method_baseline_and_sequence(a_run: Path):
    newer = a_run.parent / "20260202-000000-cnn-tf-binding"  # the default choice
    shutil.copytree(a_run, newer)
    rows = run_inputs(load_run(a_run), load_bundled("tf-binding"), "test", 10, True).indices
    row = int(rows[7])  # beyond the 5 shown by default
    at = linked(
        "pages/interpret.py", run=a_run.name, method="deeplift", baseline="zeros", seq=str(row)
    )
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.selectbox(key="interp_run").value == str(a_run)
    assert at.selectbox(key="sal_method").value == "deeplift"
    assert at.selectbox(key="sal_baseline").value == "zeros"
    assert at.slider(key="interp_n").value == 8
    assert at.selectbox(key="ism_pick").value == 7 and at.selectbox(key="var_pick").value == 7
    labels = [e.label for e in at.expander]
    for key in PAGE_TOPICS["interpret"]:
        assert EXPLANATIONS[key].title in labels, key
    # the address bar follows the page, and one pick moves every tab to that sequence
    assert dict(at.query_params) == {
        "seq": str(row), "run": a_run.name, "method": "deeplift", "baseline": "zeros"
    }  # fmt: skip
    at.selectbox(key="ism_pick").set_value(2).run()
    ok(at)
    assert at.selectbox(key="agr_pick").value == 2 and at.query_params["seq"] == str(rows[2])
    at.selectbox(key="sal_method").set_value("saliency").run()
    assert "baseline" not in at.query_params  # the gradient needs no reference
    assert any(f"run={a_run.name}" in c.value and "method=saliency" in c.value for c in at.code)


def test_interpret_bad_link_is_a_warning_and_the_newest_run_is_shown(a_run: Path):
    at = linked("pages/interpret.py", run="../../etc/passwd", method="gradcam")
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "not a run name" in warnings and "not a method" in warnings
    at = linked("pages/interpret.py", run="20990101-000000-gone", seq="9999999")
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "is not saved here" in warnings and "not among the first" in warnings
    assert at.selectbox(key="interp_run").value == str(a_run)


@pytest.fixture
def motif_net_run(runs_dir: Path) -> Path:
    """A saved motif-net started from the JUND matrices (untrained: its motifs are JASPAR's)."""
    build = {"seq_len": 101, "outputs": 1, "extras": 1, "motifs": 4, "width": 15}
    build |= {"init": "jaspar", "jaspar": ["JUND"]}
    return save_run(runs_dir, "motif-net", build)


def test_motifs_page_shows_a_motif_nets_own_motifs_and_masks(motif_net_run: Path):
    at = app("pages/motifs.py")
    ok(at)
    assert "motif-net" in at.info[0].value
    assert not [s for s in at.slider if s.key == "motifs_threshold"]  # no data to scan
    assert [t.label for t in at.tabs] == ["Learned motifs", "JASPAR matches", "Planted truth"]
    table = frame_with(at, "columns_kept")
    assert len(table) == 4 and list(table["name"][:2].str.split().str[1]) == ["JUND", "JUND"]
    assert list(table["best_match_id"][:2]) == [n.split()[0] for n in table["name"][:2]]
    assert at.get("imgs") or at.get("image")  # the logo panels
    assert frame_with(at, "match_id").shape[0] == 3
    truth = frame_with(at, "recovered")
    # started from the JUND matrices and never trained: its untrained control holds them
    # too, so nothing counts as recovered
    assert set(truth["motif_name"]) == {"JUND"} and not truth["recovered"].any()
    assert (truth["untrained_similarity"] > 0.999).all()
    assert set(truth["best_motif"]) <= {1, 2} and (truth["jaspar_rank"] == 1).all()
    # the planted matrices are drawn lined up on the learned motifs' strand and shift
    assert any("on the strand and at the shift" in c.value for c in at.caption)
    labels = [e.label for e in at.expander]
    for key in ("motif_net", "jaspar", "truth_recovery"):
        assert EXPLANATIONS[key].title in labels, key
    at.selectbox(key="motifs_learned_pick").set_value(1).run()
    ok(at)
    assert frame_with(at, "match_id")["match_id"].iloc[0] == table["best_match_id"].iloc[1]


def test_saliency_of_a_codon_bert_offers_integrated_gradients_only(runs_dir):
    """A codon-bert run on codon-species: the method list holds IG alone (a BERT reads
    tokens), and saliency is computed on the held-out CDS without an error."""
    record = {"name": "codon-species", "spec": "codon-species", "task": "multiclass"}
    build = {"seq_len": 150, "outputs": 9, "size": "tiny"}
    run = runs_dir / "20260101-000000-codon-bert-codon"
    save_untrained_run(run, "codon-bert", build, record)
    # A link asking for DeepLift says why it gets IG, and the link keeps no baseline.
    at = linked("pages/interpret.py", run=run.name, method="deeplift", baseline="zeros")
    ok(at)
    assert "DeepLift does not apply to a BERT" in " ".join(i.value for i in at.info)
    assert at.query_params["method"] == "integrated_gradients"
    assert "baseline" not in at.query_params
    method = at.selectbox(key="sal_method")
    assert method.options == ["Integrated Gradients"]
    assert at.selectbox(key="sal_baseline").disabled
    assert "token embeddings" in " ".join(c.value for c in at.caption)
    at.slider(key="interp_n").set_value(2).run()
    at.button(key="sal_go").click().run()
    ok(at)
    assert "Convergence delta" in " ".join(c.value for c in at.caption)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    track = next(c for c in charts if "Integrated Gradients" in c["layout"]["title"]["text"])
    ys = np.concatenate([_values(t["y"]) for t in track["data"] if "y" in t])
    assert len(ys) >= 150 and np.any(ys != 0)


def _values(y) -> np.ndarray:
    """A plotly array from a figure's JSON: a list, or a typed array (dtype + base64 bdata)."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float)
    return np.asarray(y, dtype=float)


SIRNA = {"name": "sirna", "spec": "sirna", "task": "regression"}
AE_BUILD = {"seq_len": 21, "outputs": 1, "extras": 0, "filters": 8, "kernel": 9, "hidden": 8}


def test_an_autoencoder_run_is_explained_and_its_pretraining_run_is_not_offered(runs_dir):
    """The autoencoder has an ``encode`` method, yet reads one-hot: ISM, variants and
    agreement run on it (they raised a TypeError). Its untrained pretraining run is not
    offered, as on Predict; alone, it gets a hint."""
    pre = runs_dir / "20260101-000000-sirna-autoencoder-pretraining"
    save_untrained_run(pre, "autoencoder", AE_BUILD, SIRNA)
    info = json.loads((pre / "run.json").read_text())
    (pre / "run.json").write_text(json.dumps(info | {"purpose": AE_PURPOSE}))
    at = app("pages/interpret.py")
    ok(at)
    assert "all pretraining runs" in at.info[0].value and not at.tabs
    linked_at = linked("pages/interpret.py", run=pre.name)
    assert any("is a pretraining run" in w.value for w in linked_at.warning)

    tuned = save_untrained_run(
        runs_dir / "20260102-000000-autoencoder-sirna", "autoencoder", AE_BUILD, SIRNA
    )
    at = app("pages/interpret.py")
    ok(at)
    pick = at.selectbox(key="interp_run")
    assert pick.options == [pick.format_func(str(tuned))] and pick.value == str(tuned)
    at.slider(key="interp_n").set_value(2).run()
    at.button(key="sal_go").click().run()
    ok(at)
    at.button(key="ism_go").click().run()
    ok(at)
    assert frame_with(at, "delta_value").shape[0] == 1  # sirna: a regression run
    at.button(key="agr_go").click().run()
    ok(at)
    assert frame_with(at, "Spearman ρ").shape[0] == 1


def test_a_sequence_that_cannot_be_shuffled_says_so_and_the_zero_reference_works(a_run):
    at = app("pages/interpret.py")
    at.radio(key="interp_source").set_value("Paste sequences").run()
    at.text_area(key="interp_paste").input(">x\n" + "ACGT" * 5).run()
    at.button(key="sal_go").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Sequence x cannot be dinucleotide-shuffled" in errors
    assert "all-zeros or uniform 0.25 reference" in errors and "Something went wrong" not in errors
    at.button(key="agr_go").click().run()  # IG there uses the Saliency tab's reference
    assert not at.exception
    assert any("uniform 0.25 reference on the Saliency tab" in e.value for e in at.error)
    at.selectbox(key="sal_baseline").set_value("zeros").run()
    at.button(key="sal_go").click().run()
    ok(at)
    at.button(key="agr_go").click().run()
    ok(at)


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_a_binary_run_titles_say_the_probability_not_the_logit(a_run):
    """As on Predict: P(label 1), the sigmoid of the logit the saliency explains."""
    from genoviz.predict import predict_sequences

    at = app("pages/interpret.py")
    at.slider(key="interp_n").set_value(2).run()
    at.button(key="sal_go").click().run()
    at.button(key="ism_go").click().run()
    ok(at)
    run = load_run(a_run)
    got = run_inputs(run, load_bundled("tf-binding"), "test", 2, positives_first=True)
    p = predict_sequences(run, got.sequences[:1], got.extras[:1]).values[0]
    titles = chart_titles(at)
    track = next(t for t in titles if t.startswith(f"{got.ids[0]}: Integrated Gradients"))
    assert track.endswith(f"(label {got.labels[0]:g} · P(label 1) {p:.3g})")
    ism = next(t for t in titles if "every substitution" in t)
    assert f"P(label 1) {p:.3g}; effects on the logit" in ism


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("kmer-bert", {"seq_len": 40, "outputs": 1, "k": 3, "size": "tiny"}),
        ("cnn", BUILD | {"extras": 0, "seq_len": 40}),  # reads any length, as in Predict
    ],
)
def test_pasted_sequences_of_different_lengths_are_read_without_n_padding(runs_dir, name, build):
    save_run(runs_dir, name, build)
    at = app("pages/interpret.py")
    at.radio(key="interp_source").set_value("Paste sequences").run()
    short, long_ = "ACGTTGACTCAGGCATCCAG", "TTTTGACTCATTGCAGCAGAGGCATCCAGT"
    at.text_area(key="interp_paste").input(f">a\n{short}\n>b\n{long_}").run()
    ok(at)
    assert any("no N padding" in i.value for i in at.info)
    assert not any("padded with N" in i.value for i in at.info)
    at.button(key="sal_go").click().run()
    ok(at)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    track = next(c for c in charts if c["layout"]["title"]["text"].startswith("a: "))
    assert "N" not in [t["name"] for t in track["data"]]
    xs = np.concatenate([_values(t["x"]) for t in track["data"]])
    assert sorted(xs) == list(range(1, len(short) + 1))
    at.button(key="ism_go").click().run()
    ok(at)


def test_a_run_without_bundled_data_does_not_take_away_held_out_sequences(runs_dir: Path):
    """Pasting is the only choice for a run on the user's own file; going back to a
    bundled run offers its held-out sequences again (it once stayed on pasting)."""
    bundled = save_run(runs_dir, "cnn", BUILD, extras_names=["accessibility"])
    own = runs_dir / "20260102-000000-cnn-mine"
    record = {"name": "mine.csv", "spec": "/nowhere/mine.csv", "task": "binary"}
    save_untrained_run(own, "cnn", BUILD | {"extras": 0}, record)
    at = app("pages/interpret.py")
    ok(at)
    at.selectbox(key="interp_run").set_value(str(own)).run()
    ok(at)
    assert at.radio(key="interp_source_paste_only").value == "Paste sequences"
    at.selectbox(key="interp_run").set_value(str(bundled)).run()
    ok(at)
    assert at.radio(key="interp_source").value == "Held-out sequences"


def test_motif_tables_show_no_match_as_a_dash_not_none():
    import pandas as pd

    from pages._motif_views import motif_table

    table = pd.DataFrame(
        {"motif": [1, 2], "best_match_name": ["CTCF", None], "p_value": [2e-15, None]}
    )
    shown = motif_table(table)
    assert shown["best_match_name"].tolist() == ["CTCF", "–"]
    assert shown["p_value"].dtype == float and np.isnan(shown["p_value"][1])
    assert table["best_match_name"].isna()[1]  # the report's own table is left as it is


def test_titles_name_the_output_explained_when_there_are_several(tmp_path):
    from conftest import save_untrained_run

    from genoviz.runs import load_run
    from pages._interpret_common import of_output

    splice = {"name": "splice-sites", "spec": "splice-sites", "task": "multiclass"}
    build = {"seq_len": 40, "outputs": 3, "extras": 0, "members": 1, "filters": 4}
    run = load_run(save_untrained_run(tmp_path / "mc", "cnn", build, splice))
    assert of_output(run, 1) == " of donor" and of_output(run, 2, " (", ")") == " (acceptor)"
    single = load_run(save_untrained_run(tmp_path / "one", "cnn", build | {"outputs": 1}))
    assert of_output(single, 0) == ""


def test_variants_start_on_the_first_known_base_of_a_padded_sequence(runs_dir: Path):
    """A pasted sequence padded with N to the run's length failed at once: the default
    position 1 was padding ('reference base N is not one of A, C, G, T')."""
    fixed = BUILD | {"positional": True, "pool": 3, "strand_average": False}
    save_run(runs_dir, "cnn", fixed, extras_names=["accessibility"])
    at = app("pages/interpret.py")
    at.radio(key="interp_source").set_value("Paste sequences").run()
    at.text_area(key="interp_paste").input(">mine\n" + "ACGT" * 20).run()  # 80 of 101 bp
    ok(at)
    pos = at.number_input(key="var_pos")
    assert pos.value == 11  # 10 Ns, then the sequence (centred)
    assert frame_with(at, "delta_logit")["ref"].tolist() == ["A"]
    pos.set_value(3).run()
    ok(at)
    assert any("Position 3 is N" in i.value and "from 11 to 90" in i.value for i in at.info)


def test_a_variant_table_counts_along_the_pasted_sequence_not_its_padding(runs_dir: Path):
    """Pasted into a 101 bp run, an 80 bp sequence is read with 10 N in front: the table's
    'G2T' was checked against fitted base 2 (an N, 'check the position') and one in four
    such variants scored another base."""
    fixed = BUILD | {"positional": True, "pool": 3, "strand_average": False}
    save_run(runs_dir, "cnn", fixed, extras_names=["accessibility"])
    at = app("pages/interpret.py")
    at.radio(key="interp_source").set_value("Paste sequences").run()
    at.text_area(key="interp_paste").input(">mine\n" + "AGCT" * 20).run()  # 80 of 101 bp
    shown = [e.value for e in [*at.caption, *at.info, *at.warning]]
    assert any("your base 1 is position 11" in t for t in shown), shown
    one = frame_with(at, "delta_logit")  # one variant, picked along the fitted sequence
    assert one["fitted_pos"].tolist() == [11] and one["pos"].tolist() == [1]
    assert one["id"][0].startswith("A1")  # named along the sequence as pasted
    at.selectbox(key="sal_baseline").set_value("zeros").run()  # AGCT repeats: no shuffles
    at.button(key="agr_go").click().run()  # agreement: over the 80 bases, not the padding
    ok(at)
    assert frame_with(at, "Spearman ρ")["bases compared"].tolist() == [80]
    assert any("the 21 N positions" in c.value for c in at.caption)
    at.radio(key="var_mode").set_value("A table").run()
    at.text_area(key="var_table").input("v1,2,G,T\nv2,80,T,A\n").run()
    ok(at)
    table = frame_with(at, "delta_logit")
    assert table["pos"].tolist() == [2, 80] and table["fitted_pos"].tolist() == [12, 90]
    assert table["ref"].tolist() == ["G", "T"]
    at.text_area(key="var_table").input("v3,81,A,C\n").run()
    assert any("position 81 is outside the sequence (1 to 80)" in e.value for e in at.error)
    at.text_area(key="interp_paste").input(">long\n" + "AGCT" * 30).run()  # 120: 9 cut
    shown = [e.value for e in [*at.caption, *at.info, *at.warning]]
    assert any("position 1 is your base 10, after 9 trimmed off" in t for t in shown), shown


def test_variants_are_moved_onto_a_trimmed_sequence_or_named_as_trimmed_off():
    from genoviz.interpret.variants import Variant, VariantError, onto_fitted
    from genoviz.sequences import pad_or_trim

    seq = "".join("ACGT"[i % 4] for i in range(110))  # trimmed to 101: 4 off the left
    fitted = pad_or_trim([seq], 101)[0]
    moved, shift = onto_fitted([Variant("a", 10, seq[9], "T")], 110, 101)
    assert shift == -4 and fitted[moved[0].pos - 1] == seq[9]
    with pytest.raises(VariantError, match=r"position 3 is trimmed off.*bases 5 to 105 of the 110"):
        onto_fitted([Variant("b", 3, seq[2], "T")], 110, 101)


def test_deeplift_on_an_lstm_is_said_to_be_approximate(runs_dir: Path):
    """captum cannot apply DeepLift's rules inside an LSTM: the caption showed only the
    largest absolute delta (it looked negligible) while the sums missed by 60-80%."""
    save_untrained_run(runs_dir / "20260101-000000-bilstm", "bilstm", {"seq_len": 101})
    at = app("pages/interpret.py")
    at.selectbox(key="sal_method").set_value("deeplift").run()
    at.slider(key="interp_n").set_value(2).run()
    at.button(key="sal_go").click().run()
    ok(at)
    assert "overall the sums miss the output change by" in " ".join(c.value for c in at.caption)
    assert any("DeepLift is approximate on this model" in w.value for w in at.warning)


def test_a_multiclass_saliency_map_names_its_class(runs_dir: Path):
    """The ISM title said 'of donor' but the saliency track and heatmap named no class."""
    from conftest import save_untrained_run

    splice = {"name": "splice-sites", "spec": "splice-sites", "task": "multiclass"}
    build = {"seq_len": 400, "outputs": 3, "extras": 0, "members": 1, "filters": 4}
    save_untrained_run(runs_dir / "20260101-000000-cnn-splice", "cnn", build, splice)
    at = app("pages/interpret.py")
    at.slider(key="interp_n").set_value(2).run()
    at.button(key="sal_go").click().run()
    ok(at)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    target = at.selectbox(key="interp_target").value
    name = ["neither", "donor", "acceptor"][target] if isinstance(target, int) else str(target)
    assert any(f"of {name}" in t and "Integrated" in t for t in titles), titles
    assert any(t.startswith(f"Contribution per base of {name}") for t in titles), titles


def test_held_out_sequences_fitted_to_the_run_say_so(runs_dir: Path):
    """run_inputs' note (trimmed to the run's length) was dropped on the page."""
    fixed = BUILD | {"seq_len": 90, "positional": True, "pool": 3, "strand_average": False}
    save_run(runs_dir, "cnn", fixed, extras_names=["accessibility"])
    at = app("pages/interpret.py")
    ok(at)
    assert any("trimmed (centred) to the run's 90 bp" in i.value for i in at.info), [
        i.value for i in at.info
    ]


def test_each_session_explains_its_own_copy_of_the_model(a_run):
    """Analyses add hooks to the model they get (DeepLift, the embedding probe): on one
    model shared by every session, one student's DeepLift broke another's saliency map."""
    from pages._interpret_common import MODEL_MEMO, run_model

    first, second = app("pages/interpret.py"), app("pages/interpret.py")
    for at in (first, second):
        at.button(key="sal_go").click().run()
        ok(at)
    a, b = first.session_state[MODEL_MEMO][1], second.session_state[MODEL_MEMO][1]
    shared = run_model(*first.session_state[MODEL_MEMO][0])
    assert a is not b and shared not in (a, b)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), shared.parameters(), strict=True))


def test_a_multitask_map_shows_the_explained_tasks_label(runs_dir: Path):
    """Explaining CTCF showed JUND's label (the first column) beside P(CTCF)."""
    from conftest import save_untrained_run

    from genoviz.data import load_bundled
    from genoviz.interpret.inputs import run_inputs
    from genoviz.runs import load_run

    multi = {"name": "tf-multitask", "spec": "tf-multitask", "task": "multitask-binary"}
    build = {"seq_len": 200, "outputs": 4, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(runs_dir / "20260101-000000-cnn-multi", "cnn", build, multi)
    ds = load_bundled("tf-multitask")
    got = run_inputs(load_run(run), ds, "test", 8)
    # a sequence whose task labels differ, so the wrong column would show
    row = next(i for i, y in enumerate(got.labels) if y[0] != y[1])
    at = app("pages/interpret.py")
    at.slider(key="interp_n").set_value(8).run()
    at.selectbox(key="interp_target").set_value(1).run()
    at.button(key="sal_go").click().run()
    at.selectbox(key="sal_pick").set_value(at.selectbox(key="sal_pick").options[row]).run()
    ok(at)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    track = next(t for t in titles if "label" in t)
    assert f"label {got.labels[row][1]:.4g}" in track, track


def test_a_run_on_this_sessions_own_file_is_scanned_and_explained(runs_dir: Path):
    """A run trained on a file loaded on the Data page: in the session that still holds
    the file, Motifs scans it and Interpret offers its held-out sequences. Before, Motifs
    drew every setting, then sent the browser user to the command line."""
    from conftest import planted_dataset

    own = planted_dataset(300)
    own.meta.name = "own.csv"
    record = {"name": "own.csv", "spec": "own.csv", "task": "binary", "n": 300}
    save_untrained_run(
        runs_dir / "20260101-000000-own", "cnn", BUILD | {"seq_len": 40, "extras": 0}, record
    )
    at = app("pages/motifs.py")
    ok(at)
    (warning,) = [w.value for w in at.warning]
    assert "not loaded in this browser session" in warning and "Data page" in warning
    assert "motifs_release" not in [s.key for s in at.selectbox]  # no dead settings
    at.session_state["user_dataset"] = own
    at.run()
    ok(at)
    assert not at.warning
    at.number_input(key="motifs_n").set_value(100).run()
    at.button(key="motifs_go").click().run()
    ok(at)
    assert [t.label for t in at.tabs] == ["Filter logos", "JASPAR matches", "Planted truth"]
    at.switch_page("pages/interpret.py").run()
    ok(at)
    assert at.radio(key="interp_source").options == ["Held-out sequences", "Paste sequences"]
