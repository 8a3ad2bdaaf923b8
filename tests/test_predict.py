import numpy as np
import pytest
from conftest import genbank_text, planted_dataset

from genoviz.predict import predict_sequences
from genoviz.runs import load_run
from genoviz.sequences import SequenceError
from genoviz.training import TrainConfig, fit


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    ds = planted_dataset(n=400)
    r = fit(ds, "deepchem-tf", TrainConfig(epochs=2, save=True, runs_dir=str(root), lr=3e-3))
    return load_run(r.run_dir)


def test_predictions_are_probabilities_for_binary_runs(toy_run):
    p = predict_sequences(toy_run, ["A" * 40, "TGACTCA" + "A" * 33])
    assert p.kind == "probability" and p.values.shape == (2,)
    assert ((p.values > 0) & (p.values < 1)).all() and p.notes == []


def test_other_lengths_are_padded_and_the_user_is_told(toy_run):
    p = predict_sequences(toy_run, ["ACGT" * 5, "A" * 60])
    assert p.values.shape == (2,)
    assert "padded with N or trimmed" in p.notes[0] and "40 bp" in p.notes[0]


def test_a_run_trained_with_unequal_weights_says_its_probabilities_shift(tmp_path):
    """Weights that balance rare positives push every probability up (the Train page's
    calibration plot showed 45% predicted where 2% were positive): Predict says so."""
    ds = planted_dataset(n=200)
    ds.weights = np.where(ds.labels > 0.5, 3.0, 1.0).astype(np.float32)
    r = fit(ds, "mlp", TrainConfig(epochs=1, save=True, runs_dir=str(tmp_path)))
    run = load_run(r.run_dir)
    assert run.info["dataset"]["weighted"] is True
    note = predict_sequences(run, ["A" * 40]).notes[-1]
    assert "trained with unequal weights" in note and "the chance of being positive" in note
    ds.weights = None  # equal weights: no note
    r = fit(ds, "mlp", TrainConfig(epochs=1, save=True, runs_dir=str(tmp_path)))
    assert load_run(r.run_dir).info["dataset"]["weighted"] is False
    assert predict_sequences(load_run(r.run_dir), ["A" * 40]).notes == []


def test_no_sequences_is_a_clear_error(toy_run):
    with pytest.raises(SequenceError, match="no sequences"):
        predict_sequences(toy_run, [])


def test_run_trained_with_extras_asks_for_them(tmp_path):
    ds = planted_dataset(n=200)
    ds.extras = np.random.default_rng(0).normal(size=(200, 1)).astype(np.float32)
    ds.meta.extras_names = ["accessibility"]
    r = fit(ds, "cnn", TrainConfig(epochs=1, save=True, runs_dir=str(tmp_path)))
    run = load_run(r.run_dir)
    with pytest.raises(SequenceError, match="accessibility"):
        predict_sequences(run, ["A" * 40])
    assert predict_sequences(run, ["A" * 40], extras=np.array([[0.3]])).values.shape == (1,)


def test_output_names_fall_back_for_runs_saved_without_them(tmp_path):
    import json

    from genoviz.predict import output_names
    from genoviz.runs import load_run

    def run_with(task, outputs, names=None):
        d = tmp_path / f"{task}-{outputs}-{len(names or [])}"
        d.mkdir()
        dataset = {"task": task, **({"class_names": names} if names is not None else {})}
        info = {"status": "finished", "model": {"name": "cnn", "build": {"outputs": outputs}}}
        (d / "run.json").write_text(json.dumps(info | {"dataset": dataset}))
        return load_run(d)

    assert output_names(run_with("multiclass", 3, ["donor", "acceptor", "neither"])) == [
        "donor",
        "acceptor",
        "neither",
    ]
    assert output_names(run_with("multiclass", 3)) == ["class1", "class2", "class3"]
    assert output_names(run_with("multitask-binary", 2)) == ["task1", "task2"]
    assert output_names(run_with("multiclass", 3, ["a", "b"])) == ["class1", "class2", "class3"]


def test_any_length_models_score_other_lengths_as_they_are_and_say_so(tmp_path):
    """A cnn (any length) trained on 40 bp scores a 10 bp or 60 bp batch unchanged, but
    says how many sequences differ from the trained length and that this is less reliable."""
    from conftest import save_untrained_run

    from genoviz.onehot import one_hot
    from genoviz.predict import predict_arrays

    build = {"seq_len": 40, "outputs": 1, "extras": 0, "members": 1, "filters": 3, "kernel": 5}
    run = load_run(save_untrained_run(tmp_path / "cnn-run", "cnn", build))
    model = run.load_model()
    assert predict_sequences(run, ["ACGT" * 10], model=model).notes == []
    for seqs, told in (
        (["ACGTACGTAC"], "1 shorter (down to 10 bp)"),
        (["A" * 60, "C" * 60], "2 longer (up to 60 bp)"),
    ):
        p = predict_sequences(run, seqs, model=model)
        assert len(p.notes) == 1 and told in p.notes[0], p.notes
        assert f"{len(seqs)} of {len(seqs)} sequence(s) are not 40 bp long" in p.notes[0]
        assert "less reliable" in p.notes[0]
        expected = 1 / (1 + np.exp(-predict_arrays(model, one_hot(seqs))))
        np.testing.assert_allclose(p.values, expected, rtol=1e-5)  # numbers unchanged


def test_length_note_counts_shorter_and_longer():
    from genoviz.predict import length_note

    assert length_note([101, 101], 101) is None
    note = length_note([10, 101, 400, 200], 101)
    assert note.startswith("3 of 4 sequence(s) are not 101 bp long")
    assert "1 shorter (down to 10 bp) and 2 longer (up to 400 bp)" in note
    # A model trained on a range of lengths: only those outside it are noted.
    assert length_note([60, 90, 101], 50, 101) is None
    ranged = length_note([40, 60, 120], 50, 101)
    assert ranged.startswith("2 of 3 sequence(s) are not 50-101 bp long, the lengths")
    assert "1 shorter (down to 40 bp) and 1 longer (up to 120 bp)" in ranged
    # counts in a table of thousands read with separators
    many = length_note([90] * 1500 + [101] * 10 + [2500], 101)
    assert many.startswith("1,501 of 1,511 sequence(s) are not 101 bp long")
    assert "1,500 shorter (down to 90 bp) and 1 longer (up to 2,500 bp)" in many


def _cnn_run(tmp_path, **build):
    from conftest import save_untrained_run

    base = {"seq_len": 30, "outputs": 1, "extras": 0, "members": 1, "filters": 4, "kernel": 5}
    return load_run(save_untrained_run(tmp_path / "cnn", "cnn", base | build))


def test_a_positional_cnn_pads_even_a_single_odd_length(tmp_path):
    # Its head sees where each match lies, in blocks of the training length: a lone 10 bp
    # sequence crashed it ("mat1 and mat2 shapes cannot be multiplied") before.
    run = _cnn_run(tmp_path, positional=True, per_base=True, pool=3)
    p = predict_sequences(run, ["ACGTACGTAC"])
    assert p.values.shape == (1,) and "padded with N" in p.notes[0]


def test_an_any_length_model_scores_a_sequence_alike_whatever_it_is_pasted_with(tmp_path):
    run = _cnn_run(tmp_path)
    short, other = "ACGTTGACTCAGG", "GGGACGTACGTTTTACGATGACTCATTAGCATCGA"
    alone = predict_sequences(run, [short]).values
    mixed = predict_sequences(run, [other, short, other[:20]])
    np.testing.assert_allclose(mixed.values[1], alone[0], rtol=1e-6)
    assert "padded" not in " ".join(mixed.notes)  # scored as they are, with a length note
    assert "not 30 bp" in mixed.notes[0]


def test_needs_training_length_follows_the_build():
    import models

    assert models.needs_training_length("deepchem-tf", {})
    assert models.needs_training_length("cnn", {"positional": True})
    assert models.needs_training_length("cnn", {"per_base": True})
    assert not models.needs_training_length("cnn", {"positional": False, "per_base": False})
    assert not models.needs_training_length("motif-net", {})


@pytest.mark.parametrize("model", ["cnn", "kmer-bert"])
def test_a_run_trained_at_a_chosen_length_predicts_at_it(tmp_path, model):
    """--seq-len fitted every training sequence to it, but predict scored new ones at
    their own length: the same test sequence got another score than test_predictions.csv
    kept."""
    import pandas as pd

    from genoviz.cli import main

    rng = np.random.default_rng(0)
    rows = ["".join(rng.choice(list("ACGT"), int(n))) for n in rng.integers(40, 70, 120)]
    data = tmp_path / "mixed.csv"
    pd.DataFrame({"id": [f"s{i}" for i in range(120)], "sequence": rows,
                  "label": rng.random(120)}).to_csv(data, index=False)  # fmt: skip
    run, out = tmp_path / "run", tmp_path / "p.csv"
    # a cnn that reads any length (not positional, as a strand-specific set makes it)
    hp = {"kmer-bert": ["--bert-size", "tiny", "--k", "3"]}.get(
        model, ["--hparams", '{"positional": false}']
    )
    args = ["train", "--data", str(data), "--model", model, *hp, "--seq-len", "30"]
    assert main([*args, "--out", str(run), "--epochs", "1", "--quiet"]) == 0
    assert main(["predict", "--run", str(run), "--data", str(data), "--out", str(out)]) == 0
    kept = pd.read_csv(run / "test_predictions.csv").set_index("id")["prediction"]
    got = pd.read_csv(out).set_index("id").loc[kept.index, "prediction"]
    np.testing.assert_allclose(got.to_numpy(), kept.to_numpy(), rtol=1e-4, atol=1e-6)


def test_a_genbank_upload_is_scored_record_by_record(toy_run):
    """A .gbk file (no labels) is scored by its accessions, as a FASTA would be."""
    from genoviz.predict_inputs import text_scoring

    text = genbank_text([("G0.1", "ACGT" * 10, "one"), ("G1.1", "TTGCA" * 8, "two")])
    scoring = text_scoring(toy_run, text, "genes.gbk")
    assert scoring.inputs.ids == ["G0.1", "G1.1"] and scoring.labels is None
    assert scoring.inputs.seqs == ["ACGT" * 10, "TTGCA" * 8]
    assert predict_sequences(toy_run, scoring.inputs.seqs).values.shape == (2,)


def test_the_model_is_loaded_where_the_device_choice_says(toy_run, monkeypatch):
    """``device="auto"`` (the default) loads the run's model through select_device, so a
    GPU is used when there is one; a given model is run where it already is."""
    import torch

    from genoviz import predict

    asked = []

    def choose(choice: str = "auto") -> torch.device:
        asked.append(choice)
        return torch.device("cpu")

    monkeypatch.setattr(predict, "select_device", choose)
    seqs = ["A" * 40, "TGACTCA" + "A" * 33]
    auto = predict_sequences(toy_run, seqs)
    assert asked == ["auto"]
    given = predict_sequences(toy_run, seqs, model=toy_run.load_model("cpu"), device="cuda")
    assert asked == ["auto"]  # a loaded model is not moved, whatever device says
    np.testing.assert_allclose(given.values, auto.values, rtol=1e-6)


def test_predict_on_a_missing_gpu_is_one_clear_line(toy_run, tmp_path, monkeypatch, capsys):
    import torch

    from genoviz.cli import main

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    fasta = tmp_path / "s.fa"
    fasta.write_text(">a\n" + "ACGT" * 10 + "\n")
    args = ["predict", "--run", str(toy_run.path), "--data", str(fasta)]
    assert main([*args, "--out", str(tmp_path / "p.csv"), "--device", "cuda"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "genoviz: error: device 'cuda' was requested but no CUDA GPU is available"
    assert main([*args, "--out", str(tmp_path / "p.csv"), "--device", "cpu"]) == 0
    assert (tmp_path / "p.csv").read_text().startswith("id,")


def test_sequences_all_or_mostly_n_are_named(toy_run):
    """21 N scored 0.25 on a siRNA model without a word; now the note names it."""
    seqs = ["N" * 40, "ACGT" * 10, "NNNNNNNNNNNNNNNNNNNNNNNNNACGTACGTACGTACG", "ACGTN" * 8]
    p = predict_sequences(toy_run, seqs, ids=["gap", "ok", "masked", "few"])
    (note,) = [n for n in p.notes if "N" in n]
    assert "'gap' has no known base (all N)" in note
    assert "'masked' is mostly N" in note
    assert "'ok'" not in note and "'few'" not in note  # 20% N is not named
    assert predict_sequences(toy_run, ["ACGT" * 10]).notes == []
