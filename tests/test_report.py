"""The one-file HTML report of a run, from a real (tiny) trained run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import planted_dataset

from genoviz.data import Dataset, DatasetMeta
from genoviz.onehot import one_hot
from genoviz.report import (
    MOTIF_SEQUENCES,
    curve_figures,
    metric_rows,
    run_report_html,
    top_motifs,
)
from genoviz.runs import load_run
from genoviz.training import TrainConfig, fit

MOTIF = "TGACTCA"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    ds = planted_dataset(n=400, length=30, motif=MOTIF)
    cfg = TrainConfig(
        epochs=8,
        lr=1e-2,
        seed=0,
        device="cpu",
        runs_dir=str(tmp_path_factory.mktemp("runs")),
        hparams={"members": 1, "filters": 8, "kernel": 7},
    )
    result = fit(ds, "cnn", cfg)
    return ds, load_run(result.run_dir)


def test_report_has_card_curves_metrics_and_motifs(trained):
    ds, run = trained
    positives = [s for s, y in zip(ds.sequences, ds.labels, strict=True) if y > 0.5]
    planted = {"AP-1 site": one_hot(MOTIF)[0].astype(float) * 0.96 + 0.01}
    motifs = top_motifs(run, positives, planted, k=2)
    assert len(motifs) == 2 and motifs[0].score >= motifs[1].score
    assert motifs[0].planted.startswith("AP-1 site") and motifs[0].score > 0.5  # found it
    for m in motifs:  # a filter that matched the other strand says so, as the Lesson does
        assert m.pfm.shape == m.planted_pfm.shape  # padded to line up, column for column
        shown = m.planted_pfm[:, m.planted_pfm.sum(axis=0) > 0]  # without the padding
        rc = np.allclose(shown, planted["AP-1 site"][::-1, ::-1])
        assert m.planted.endswith(", rev. comp.") == (
            rc and not np.allclose(shown, planted["AP-1 site"])
        )
    best = motifs[0]  # its columns sit under those of the site they match
    r = [
        np.corrcoef(a, b)[0, 1]
        for a, b in zip(best.pfm.T, best.planted_pfm.T, strict=True)
        if a.sum() > 0 and b.sum() > 0
    ]
    assert np.mean(r) == pytest.approx(best.score, abs=1e-6)
    page = run_report_html(run, motifs)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert run.name in page and "Run card" in page and ">cnn<" in page
    assert page.count("Plotly.newPlot") == 4  # loss and metric curves, test ROC, calibration
    assert "ROC curve, test split" in page and "Calibration, test split" in page
    assert re.search(r"<p>Brier score \d\.\d{3}, expected calibration error", page)
    assert page.count('<script type="text/javascript">/**') <= 1  # plotly.js inlined once
    assert (
        len(re.findall(r'<img alt=[^>]*src="data:image/png;base64,', page)) == 4
    )  # 2 filters + 2 planted
    test_auc = run.info["final_metrics"]["test"]["roc_auc"]
    assert f"{test_auc:.4g}" in page
    # The explanations' markdown is rendered, not shown as asterisks.
    assert "**epoch**" not in page and "<strong>overfitting</strong>" in page


def test_the_run_keeps_its_test_predictions_and_the_report_reads_them(trained, tmp_path):
    """test_predictions.csv holds the kept model's test-split scores; they give the ROC AUC
    in run.json, and an export zip carries them."""
    from genoviz.metrics import binary_metrics
    from genoviz.report import test_figures
    from genoviz.runs_archive import export_zip, import_zip

    ds, run = trained
    table = run.test_predictions()
    assert list(table.columns) == ["id", "label", "prediction"] and len(table) == 40
    assert set(table["id"]) <= set(ds.ids) and table["label"].isin([0, 1]).all()
    auc = binary_metrics(table["label"].to_numpy(), table["prediction"].to_numpy())["roc_auc"]
    assert auc == pytest.approx(run.info["final_metrics"]["test"]["roc_auc"])
    copy = load_run(import_zip(export_zip(run.path), tmp_path))
    assert copy.test_predictions().equals(table)
    # A damaged file (an imported zip can hold anything) leaves the section, not the report.
    (copy.path / "test_predictions.csv").write_text("id,label,prediction\na,2,0.5\n")
    assert test_figures(copy) == ([], "The saved test predictions could not be read.")
    assert "could not be read" in run_report_html(copy)


def test_without_planted_motifs_the_most_informative_filters_are_shown(trained):
    ds, run = trained
    motifs = top_motifs(run, ds.sequences[:100], None, k=3)
    assert [m.planted for m in motifs] == [None] * 3
    assert all(m.pfm.shape == (4, 7) for m in motifs)
    np.testing.assert_allclose(motifs[0].pfm.sum(axis=0), 1.0)


def test_the_report_and_the_motifs_page_give_a_filter_one_number(trained):
    """The report called a filter 'filter 41' (1-based) where the Motifs page, its tables
    and the CLI's files called the same matrix 'filter 40' (0-based): their 'filter 41'
    was another filter. The number in the report now finds the same matrix in the table."""
    import torch

    from genoviz.interpret.motif_report import filter_report
    from genoviz.motifs import information_content

    ds, run = trained
    positives = [s for s, y in zip(ds.sequences, ds.labels, strict=True) if y > 0.5]
    motifs = top_motifs(run, positives, None, k=3)
    page = run_report_html(run, motifs)
    numbers = [int(n) for n in re.findall(r'<img alt="filter (\d+)"', page)]
    assert len(numbers) == 3
    x = torch.from_numpy(one_hot(positives[:MOTIF_SEQUENCES]))
    table = filter_report(run.load_model("cpu"), x).table().set_index("filter")
    assert list(table.index) == list(range(1, 9))  # filters are numbered from 1 everywhere
    for n, m in zip(numbers, motifs, strict=True):
        consensus = "".join("ACGT"[i] for i in m.pfm.argmax(axis=0))
        assert table.loc[n, "consensus"] == consensus
        assert table.loc[n, "information_bits"] == pytest.approx(information_content(m.pfm).sum())


def test_report_of_a_run_without_history_or_metrics(tmp_path: Path):
    from genoviz.runs import write_run_json

    write_run_json(tmp_path, {"status": "running", "model": {"name": "cnn", "build": {}}})
    page = run_report_html(load_run(tmp_path))
    assert "did not finish" in page and "No epoch was recorded" in page
    assert "Plotly.newPlot" not in page


def test_overlay_has_one_line_per_run_with_the_key():
    from genoviz.metrics import curve_label
    from genoviz.report import history_keys, overlay_figure

    a = [{"epoch": 1, "valid_roc_auc": 0.6, "train_loss": 0.7}, {"epoch": 2, "valid_roc_auc": 0.8}]
    b = [{"epoch": 1, "valid_roc_auc": 0.5, "valid_confusion": [[1]]}]
    fig = overlay_figure({"a": a, "b": b, "empty": []}, "valid_roc_auc", "ROC AUC")
    assert [t.name for t in fig.data] == ["a", "b"]
    assert list(fig.data[0].y) == [0.6, 0.8] and list(fig.data[1].x) == [1]
    assert fig.layout.yaxis.title.text == "valid ROC AUC" == curve_label("valid_roc_auc")
    assert fig.layout.xaxis.dtick == 1  # whole epochs
    assert history_keys([a, b]) == ["train_loss", "valid_roc_auc"]


def test_a_pretraining_run_reports_its_masked_token_metrics_and_curves(tmp_path):
    """A finished BERT pretraining run is not 'did not finish': its masked-token metrics
    are in the table and its curves show accuracy against the commonest-token baseline."""
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 24)) for _ in range(120)]
    corpus = Dataset(seqs, np.zeros(len(seqs)), "lm", DatasetMeta("random"))
    cfg = TrainConfig(
        epochs=2,
        batch_size=32,
        runs_dir=str(tmp_path),
        hparams={"k": 3, "size": "tiny"},
        mlm={"chunks_per_epoch": 8},
    )
    run = load_run(fit(corpus, "kmer-bert", cfg).run_dir)
    assert run.status == "finished"
    rows = {name: (v, t) for name, v, t in metric_rows(run)}
    assert {"masked-token accuracy", "baseline accuracy (commonest token)"} <= set(rows)
    test_acc = run.info["final_metrics"]["test"]["masked_acc"]
    assert rows["masked-token accuracy"][1] == f"{test_acc:.4g}"
    page = run_report_html(run)
    assert "did not finish" not in page and page.count("Plotly.newPlot") == 2
    assert "Top motifs" not in page  # a BERT has no first-layer filters
    # The Runs page asks for a BERT run's motifs too: none, rather than a FilterError.
    assert top_motifs(run, seqs[:10]) == []
    loss, acc = curve_figures(run)
    assert loss.layout.title.text == "Masked-token loss"
    assert acc.layout.title.text == "Masked-token accuracy"
    assert [t.name for t in acc.data] == ["train", "valid", "baseline: commonest token"]
    assert acc.layout.yaxis.range[0] == 0


def test_test_predictions_layout_for_several_outputs(tmp_path: Path):
    from genoviz.run_predictions import write_test_predictions

    write_test_predictions(tmp_path, ["s1", "s2"], np.array([[1, 0], [0, 1]]),
                           np.array([[0.9, 0.2], [0.1, 0.7]]), ["JUND", "CTCF"])  # fmt: skip
    text = (tmp_path / "test_predictions.csv").read_text().splitlines()
    assert text[0] == "id,label_JUND,label_CTCF,p_JUND,p_CTCF" and text[1].startswith("s1,1")
    write_test_predictions(tmp_path, ["s1"], np.array([2]), np.array([[0.1, 0.2, 0.7]]),
                           ["neither", "donor", "acceptor"])  # fmt: skip
    text = (tmp_path / "test_predictions.csv").read_text().splitlines()
    assert text[0] == "id,label,p_neither,p_donor,p_acceptor,predicted_class"
    assert text[1] == "s1,acceptor,0.1,0.2,0.7,acceptor"  # class names, as predict writes


def test_a_model_without_convolutions_gets_a_report_without_motifs(tmp_path: Path):
    """An MLP's report failed (no filters to show) and the Runs page's button did nothing."""
    from conftest import save_untrained_run

    run = load_run(save_untrained_run(tmp_path / "mlp", "mlp", {"seq_len": 20, "outputs": 1}))
    assert top_motifs(run, ["ACGT" * 5] * 3) == []
    assert "Run card" in run_report_html(run, [])
