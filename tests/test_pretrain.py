"""Masked-token pretraining, the loop: live metrics, the overlapping-k-mer leak, the pages
and the CLI, runs that fine-tune. Masking and corpora: test_pretrain_masking.py and
test_pretrain_corpus.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import planted_dataset

from genoviz.data import Dataset, DatasetMeta
from genoviz.pretrain import DEFAULTS as PRETRAIN_DEFAULTS
from genoviz.pretrain_corpus import as_corpus
from genoviz.training import TrainConfig, fit
from genoviz.training_job import TrainingJob


def test_pretraining_masks_more_late_in_the_schedule():
    """The loop applies rate_at: the share of tokens it really masked follows the switch."""
    mlm = {"rate": 0.15, "late_rate": 0.30, "late_after": 0.6, "max_tokens": 32}
    cfg = TrainConfig(
        epochs=5,
        batch_size=32,
        save=False,
        hparams={"size": "tiny", "k": 3},
        mlm=mlm | {"chunks_per_epoch": 64},
    )
    history = fit(_random_corpus(n=300, length=30), "kmer-bert", cfg).history
    assert [r["mask_rate"] for r in history] == [0.15] * 3 + [0.30] * 2
    share = [r["masked_share"] for r in history]
    assert all(0.10 < x < 0.20 for x in share[:3]) and all(0.24 < x < 0.36 for x in share[3:])


def _random_corpus(n=3600, length=18, seed=0) -> Dataset:
    rng = np.random.default_rng(seed)
    seqs = ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]
    return Dataset(seqs, np.zeros(n), "lm", DatasetMeta("random"))


@pytest.mark.training
def test_single_token_masking_leaks_and_span_masking_does_not():
    """Overlapping 3-mers: a lone masked token is spelled out by its neighbours, so naive
    masking reaches high masked accuracy on random DNA, where nothing else predicts a
    base. A 3-token span hides the base after its centre from every unmasked neighbour;
    only when one of its three tokens is left unchanged (10% each) does it show, so the
    ceiling is about 0.27 + 0.73 / 4 = 0.45 (measured: 0.85 single, 0.39 span)."""
    ds = _random_corpus(length=16)
    acc = {}
    for span in (False, True):
        cfg = TrainConfig(
            epochs=12,
            batch_size=32,
            lr=3e-3,
            save=False,
            patience=100,
            hparams={
                "k": 3,
                "size": "tiny",
                "bert_config": {"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0},
            },
            mlm={"span": span, "late_rate": 0.15, "chunks_per_epoch": None},  # every chunk
        )
        r = fit(ds, "kmer-bert", cfg)
        acc[span] = r.valid_metrics["masked_acc"]
    assert acc[False] > 0.7, acc
    assert acc[True] < 0.47, acc
    assert acc[False] > 1.8 * acc[True], acc


def test_pretraining_job_reports_live_mlm_metrics(tmp_path):
    ds = _random_corpus(n=300, length=40)
    cfg = TrainConfig(
        epochs=2,
        batch_size=32,
        lr=1e-3,
        runs_dir=str(tmp_path),
        hparams={"k": 4, "size": "tiny"},
    )
    job = TrainingJob(ds, "kmer-bert", cfg).start()
    assert job.wait(120) == "finished", job.message
    h = job.history
    assert len(h) == 2
    for key in ("train_loss", "valid_loss", "valid_masked_acc", "baseline_masked_acc"):
        assert np.isfinite(h[-1][key])
    # The baseline guesses the commonest 4-mer: on random DNA about 1/256.
    assert h[0]["baseline_masked_acc"] < 0.02
    run_dir = job.result.run_dir
    assert (run_dir / "hf" / "config.json").exists() and (run_dir / "hf" / "vocab.txt").exists()
    assert (run_dir / "model.safetensors").exists()
    from genoviz.runs import load_run

    model = load_run(run_dir).load_model()
    assert model.head == "mlm"
    assert model(torch.from_numpy(model.encode(["ACGTACGTAC"]))).shape == (1, 9, 5 + 4**4)
    # Not a predictor: CLI predict once wrote all 9 x 261 token scores into each CSV row.
    from genoviz.predict import predict_sequences
    from genoviz.runs import RunError

    with pytest.raises(RunError, match="is a pretraining run: its output layer never learned"):
        predict_sequences(load_run(run_dir), ["ACGTACGTAC"])


def test_train_page_shows_mlm_curves_with_the_baseline(tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(tmp_path))
    cfg = TrainConfig(
        epochs=2, batch_size=32, runs_dir=str(tmp_path), hparams={"k": 3, "size": "tiny"}
    )
    job = TrainingJob(_random_corpus(n=200, length=30), "kmer-bert", cfg).start()
    assert job.wait(120) == "finished", job.message
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.switch_page("pages/train.py")
    at.session_state["train_job"] = job
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert "Masked-token accuracy" in titles and "Masked-token loss" in titles
    acc = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "accuracy" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )
    names = [t["name"] for t in acc["data"]]
    assert "baseline: commonest token" in names
    assert [m.label for m in at.metric][:2] == [
        "masked-token accuracy",
        "baseline (commonest token)",
    ]


def test_train_page_offers_bert_pretraining_for_a_corpus(runs_dir):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="train_dataset").select("codon-corpus").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="train_model").options == ["kmer-bert", "codon-bert"]
    assert "Pretraining" in at.info[0].value
    # The pretraining defaults (the CLI's), not kmer-bert's fine-tuning rate 3e-4.
    assert at.select_slider(key="train_lr_lm_kmer-bert").value == PRETRAIN_DEFAULTS["lr"]
    assert at.selectbox(key="train_batch_lm_kmer-bert").value == PRETRAIN_DEFAULTS["batch_size"]
    assert at.number_input(key="train_epochs_lm_kmer-bert").value == PRETRAIN_DEFAULTS["epochs"]
    assert "train_species" not in [s.key for s in at.selectbox]  # DNA k-mers: no species
    # the corpus is cut into chunks, so there is no length to pad or trim to
    assert "train_seq_len" not in [n.key for n in at.number_input]
    at.selectbox(key="train_model").select("codon-bert").run()
    assert "single codons" in at.info[0].value  # not k-mer spans
    species = at.selectbox(key="train_species")
    assert species.value == "all species, pooled" and "e_coli" in species.options
    species.select("e_coli").run()
    at.radio(key="train_bert_size_codon-bert").set_value("tiny").run()
    at.number_input(key="train_epochs_lm_codon-bert").set_value(1).run()
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    assert job.config.mlm["species"] == "e_coli" and job.config.lr == PRETRAIN_DEFAULTS["lr"]
    assert job.wait(180) == "finished", job.message
    at.run()
    said = " ".join(m.value for m in at.markdown)
    assert "--model codon-bert --init-bert" in said  # the command that fine-tunes it


@pytest.mark.parametrize("view", ["codon", "parallel"])
def test_codon_bert_pretrains_on_codon_corpus_views(view):
    from genoviz.data.codon_corpus import build_codon_corpus
    from genoviz.interpret.embeddings import codon_amino_acid_similarity

    ds = build_codon_corpus(seed=0, n_per_species=4)
    cfg = TrainConfig(
        epochs=1,
        batch_size=16,
        save=False,
        hparams={"size": "tiny"},
        mlm={"max_tokens": 64, "view": view},
    )
    r = fit(ds, "codon-bert", cfg)
    assert np.isfinite(r.history[0]["valid_loss"]) and r.history[0]["baseline_masked_acc"] > 0
    res = codon_amino_acid_similarity(r.model.token_embeddings(), r.model.vocab)
    assert 0 < res.mrr <= 1


def test_cli_pretrains_codon_bert_on_one_species(tmp_path, capsys):
    from genoviz.cli import main

    out = tmp_path / "pre"
    args = ["pretrain", "--data", "codon-corpus", "--model", "codon-bert", "--species", "e_coli"]
    opts = ["--bert-size", "tiny", "--epochs", "1", "--chunks-per-epoch", "32", "--quiet"]
    assert main([*args, *opts, "--view", "parallel", "--out", str(out)]) == 0
    info = json.loads((out / "run.json").read_text())
    assert info["config"]["mlm"]["species"] == "e_coli"
    assert info["dataset"]["n"] == 200  # e_coli's genes only, of the corpus's 1,800
    assert main([*args[:-1], "dog", *opts, "--out", str(tmp_path / "x")]) == 2
    assert "no species 'dog'" in capsys.readouterr().err


def test_data_page_sends_unlabelled_sequences_to_pretraining(runs_dir):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    rng = np.random.default_rng(0)
    fasta = "".join(f">s{i}\n{''.join(rng.choice(list('ACGT'), 60))}\n" for i in range(60))
    at = AppTest.from_file(str(root / "app.py"), default_timeout=90).run()
    at.switch_page("pages/data.py").run()
    at.radio(key="data_source").set_value("Paste sequences").run()
    at.text_area(key="data_paste").input(fasta).run()
    at.button(key="data_use_corpus").click().run()
    assert not at.exception
    assert "as a pretraining corpus" in " ".join(s.value for s in at.success)
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="train_model").options == ["kmer-bert"]
    assert "Pretraining" in at.info[0].value
    at.radio(key="train_bert_size_kmer-bert").set_value("tiny").run()
    at.number_input(key="train_epochs_lm_kmer-bert").set_value(1).run()
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    assert job.wait(120) == "finished", job.message
    assert job.dataset.task == "lm" and len(job.dataset) == 60
    assert job.history[0]["valid_masked_acc"] >= 0
    at.switch_page("pages/data.py").run()  # back on Data, the corpus is still shown
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.radio(key="data_source").value == "Paste sequences"


def test_a_corpus_without_plain_kmers_is_refused_not_scored_nan(tmp_path):
    """Every k-mer with an N becomes [UNK], which is never masked: an all-N corpus once
    pretrained to a masked accuracy of NaN. It is refused, naming the part and why."""
    from genoviz.training import TrainingError

    corpus = as_corpus(
        Dataset(["N" * (40 + i) for i in range(30)], np.zeros(30), "binary", DatasetMeta("gaps"))
    )
    cfg = TrainConfig(epochs=1, save=False, hparams={"k": 4, "size": "tiny"})
    with pytest.raises(TrainingError, match=r"nothing to mask in gaps-corpus's training part"):
        fit(corpus, "kmer-bert", cfg)
    # Plain k-mers in training but none in validation: refused too, for that part.
    mixed = _random_corpus(n=30, length=40)
    mixed.ensure_splits(0)
    for i in mixed.splits["valid"]:
        mixed.sequences[i] = "N" * 40
    with pytest.raises(TrainingError, match=r"validation part: no k-mer of A, C, G and T only"):
        fit(mixed, "kmer-bert", cfg)


def test_each_part_scores_the_baseline_on_its_own_masked_tokens():
    """The test part's baseline was the validation part's: with a poly-A test part, where
    the commonest training token AAA is every masked token, it read 1/64-ish, not 1."""
    rng = np.random.default_rng(0)
    seqs = ["A" * 30 for _ in range(60)]  # train: mostly A, so AAA is the commonest 3-mer
    seqs += ["".join(rng.choice(list("CGT"), 30)) for _ in range(20)]  # valid: no A at all
    seqs += ["A" * 30 for _ in range(20)]  # test: poly-A
    ds = Dataset(seqs, np.zeros(100), "lm", DatasetMeta("parts"))
    ds.splits = {"train": np.arange(60), "valid": np.arange(60, 80), "test": np.arange(80, 100)}
    cfg = TrainConfig(epochs=1, batch_size=16, save=False, hparams={"k": 3, "size": "tiny"})
    r = fit(ds, "kmer-bert", cfg)
    assert r.valid_metrics["baseline_masked_acc"] == 0.0
    assert r.test_metrics["baseline_masked_acc"] == 1.0
    assert r.history[0]["baseline_masked_acc"] == 0.0


def test_a_pretraining_run_cut_off_after_a_best_epoch_still_fine_tunes(tmp_path):
    """hf/ was written only when the run ended, so a killed run could not --init-bert."""
    ds = _random_corpus(n=200, length=30)
    cfg = TrainConfig(epochs=3, batch_size=32, hparams={"k": 3, "size": "tiny"})

    def cut(record):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(ds, "kmer-bert", cfg, run_dir=tmp_path / "mlm", on_epoch=cut)
    assert (tmp_path / "mlm" / "hf" / "config.json").exists()
    labelled = planted_dataset(n=120, length=30)
    tuned = fit(
        labelled, "kmer-bert", TrainConfig(epochs=1, save=False, init_bert=str(tmp_path / "mlm"))
    )
    assert tuned.history and tuned.model.k == 3
