"""``python -m genoviz interpret attention|embeddings`` on tiny hand-saved BERT runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import save_untrained_run

from genoviz.cli import main


@pytest.fixture
def kmer_run(tmp_path: Path) -> Path:
    return _kmer_run(tmp_path, k=3)


def _kmer_run(tmp_path: Path, k: int) -> Path:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(24):
        s = "".join(rng.choice(list("ACGT"), 30))
        if i % 2:
            s = s[:10] + "TGACTCA" + s[17:]
        rows.append({"id": f"s{i}", "sequence": s, "label": i % 2})
    data = tmp_path / "planted.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    build = {"seq_len": 30, "outputs": 1, "k": k, "size": "tiny"}
    spec = {"name": "planted", "spec": str(data), "task": "binary"}
    return save_untrained_run(tmp_path / "runs" / "kmer-bert", "kmer-bert", build, spec)


def test_attention_writes_maps_track_motifs_and_figures(kmer_run, tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["interpret", "attention", "--run", str(kmer_run), "--out", str(out)]
    rc = main([*argv, "--split", "all", "--index", "2", "--layers", "2", "--heads", "1,3"])
    assert rc == 0
    printed = capsys.readouterr().out.split()
    for name in ("attention.csv", "attention_cls.csv", "attention.json", "attention_grid.html"):
        assert str(out / name) in printed
    table = pd.read_csv(out / "attention.csv")
    # Layer 2, heads 1 and 3, 30 - 3 + 3 = 30 tokens.
    assert set(table["layer"]) == {2} and set(table["head"]) == {1, 3}
    assert len(table) == 2 * 30 * 30
    sums = table.groupby(["head", "from"])["weight"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-4)
    track = pd.read_csv(out / "attention_cls.csv")
    assert list(track.columns) == ["position", "base", "cls_attention", "sequence_position"]
    assert len(track) == 30 and track.sequence_position.tolist() == list(range(1, 31))
    info = json.loads((out / "attention.json").read_text())
    # --index counts from 1: the second sequence of the split, in its order
    assert info["id"] == "s1" and info["index"] == 2
    assert info["layers"] == [2] and info["heads"] == [1, 3]
    assert info["n_windows"] == 1 and info["k"] == 3
    assert info["motifs"]["n_positives"] == 12 and info["motifs"]["n_negatives"] == 12
    assert (out / "attention_motifs.csv").exists()
    assert "attention_head.html" in " ".join(printed)


def test_attention_refuses_bad_heads_and_other_models(kmer_run, tmp_path, capsys):
    argv = ["interpret", "attention", "--run", str(kmer_run), "--out", str(tmp_path / "o")]
    assert main([*argv, "--split", "all", "--heads", "9"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "heads 1-4" in err and "head 9" in err
    assert main([*argv, "--split", "all", "-n", "5", "--index", "0"]) == 2
    assert "--index counts from 1, as saliency_1.html… do, so give 1-5" in capsys.readouterr().err


def test_embeddings_of_codon_bert_print_mrr_per_species_last(tmp_path, capsys):
    build = {"seq_len": 30, "outputs": 1, "size": "tiny"}
    spec = {"name": "codon-corpus", "spec": "codon-corpus", "task": "lm"}
    run = save_untrained_run(tmp_path / "runs" / "codon-bert", "codon-bert", build, spec)
    info = json.loads((run / "run.json").read_text())
    info["pretraining"] = {"mask": {"view": "parallel", "max_tokens": 64}}
    (run / "run.json").write_text(json.dumps(info))
    out = tmp_path / "emb"
    argv = ["interpret", "embeddings", "--run", str(run), "--out", str(out), "--mrr"]
    assert main([*argv, "--mrr-genes", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    mrr = json.loads(lines[-1])
    assert len(mrr) == 9 and 0 < mrr["h_sapiens"]["token"] <= 1
    assert mrr["mycoplasma_like"]["genetic_code"] == 4
    views = mrr["h_sapiens"]["views"]
    assert set(views) == {"codon", "codon-frame1", "codon-frame2", "parallel"}
    assert all(0 < v["contextual"]["mrr"] <= 1 for v in views.values())
    # Token MRR belongs to the view the run was pretrained on; proteins carry no '*',
    # so the contextual ranking has 20 candidates.
    assert set(views["parallel"]) == {"token", "contextual"} and set(views["codon"]) == {
        "contextual"
    }
    assert views["parallel"]["token"]["mrr"] == pytest.approx(mrr["h_sapiens"]["token"])
    assert views["codon"]["contextual"]["chance_mrr"] == pytest.approx(
        np.mean(1 / np.arange(1, 21))
    )
    table = pd.read_csv(out / "embedding_mrr_views.csv")
    assert len(table) == 9 * 4 + 9 and set(table["method"]) == {"token", "contextual"}
    sim = pd.read_csv(out / "embedding_similarity.csv", index_col=0)
    assert sim.shape == (64, 21) and sim.index[0] in ("GCT", "GCC", "GCA", "GCG")
    info = json.loads((out / "embeddings.json").read_text())
    assert info["chance_mrr"] == pytest.approx(np.mean(1 / np.arange(1, 22)))
    assert (out / "embedding_mrr.html").exists()


def test_embeddings_of_kmer_bert_are_a_clustered_kmer_map(kmer_run, tmp_path, capsys):
    out = tmp_path / "emb"
    assert main(["interpret", "embeddings", "--run", str(kmer_run), "--out", str(out)]) == 0
    sim = pd.read_csv(out / "embedding_similarity.csv", index_col=0)
    assert sim.shape == (64, 64) and list(sim.index) == list(sim.columns)
    argv = ["interpret", "embeddings", "--run", str(kmer_run), "--out", str(out), "--mrr"]
    assert main(argv) == 2
    assert "codon-bert" in capsys.readouterr().err


def test_sequence_embeddings_of_kmer_bert_come_with_its_token_map(kmer_run, tmp_path, capsys):
    out = tmp_path / "emb"
    argv = ["interpret", "embeddings", "--run", str(kmer_run), "--out", str(out), "--sequences"]
    assert main([*argv, "--pooling", "mean", "--split", "all"]) == 0
    printed = capsys.readouterr().out.split()
    assert str(out / "embedding_similarity.csv") in printed
    assert str(out / "sequence_pca.csv") in printed
    points = pd.read_csv(out / "sequence_pca.csv")
    assert len(points) == 24 and list(points["id"]) == [f"s{i}" for i in range(24)]
    assert (points["label"] == "1 (positive)").sum() == 12
    info = json.loads((out / "sequence_pca.json").read_text())
    assert info["pooling"] == "mean" and info["dimensions"] == 64 and info["note"] is None


def test_sequence_embeddings_of_a_6mer_bert_skip_the_token_map_it_cannot_draw(tmp_path, capsys):
    """The README's example (the default k = 6): the sequence map is written and the
    4096 x 4096 token heatmap is skipped with a note, instead of failing the command."""
    run = _kmer_run(tmp_path, k=6)
    out = tmp_path / "emb"
    argv = ["interpret", "embeddings", "--run", str(run), "--out", str(out)]
    assert main([*argv, "--sequences", "--pooling", "mean", "--split", "all"]) == 0
    captured = capsys.readouterr()
    assert "token map skipped: a 4096 x 4096 heatmap" in captured.err
    assert (out / "sequence_pca.csv").exists() and not (out / "embedding_similarity.csv").exists()
    assert main(argv) == 2  # asked for the token map alone: still refused, with the reason
    assert "too large to draw" in capsys.readouterr().err


def test_mrr_on_a_run_without_codons_is_refused_before_anything_is_written(tmp_path, capsys):
    """An earlier codon-bert's embeddings.json in --out was printed as this run's MRR."""
    build = {"seq_len": 30, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    run = save_untrained_run(tmp_path / "cnn", "cnn", build)
    out = tmp_path / "out"
    out.mkdir()
    (out / "embeddings.json").write_text('{"mrr_by_species": {"e_coli": {"token": 0.15}}}')
    argv = ["interpret", "embeddings", "--run", str(run), "--sequences", "--mrr", "--out", str(out)]
    assert main(argv) == 2
    assert "--mrr needs a codon-bert run" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["embeddings.json"]  # nothing new
