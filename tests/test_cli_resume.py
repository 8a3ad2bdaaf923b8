"""``train --resume`` on the command line: it honours --epochs (a new total above the epochs
done) and --device, and refuses an option that would make another run than the one it goes
on with, naming the option and the run's own value."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import planted_dataset

import genoviz.cli as cli
from genoviz import runs
from genoviz.training import TrainConfig


class Killed(BaseException):
    """Stands in for kill -9 after an epoch (fit then marks the run failed, which resumes)."""


@pytest.fixture(scope="module")
def killed_run(tmp_path_factory) -> Path:
    """A cnn (4 filters, lr 0.01) planned for 4 epochs on a CSV, killed after epoch 2."""
    root = tmp_path_factory.mktemp("resume")
    ds = planted_dataset(120, 30)
    pairs = zip(ds.sequences, ds.labels, strict=True)
    data = root / "toy.csv"
    data.write_text(
        "id,sequence,label\n" + "".join(f"r{i},{s},{y}\n" for i, (s, y) in enumerate(pairs))
    )

    def die_after_two(quiet: bool):
        def on_epoch(record: dict) -> None:
            if record["epoch"] == 2:
                raise Killed

        return on_epoch

    patch = pytest.MonkeyPatch()
    patch.setattr(cli, "epoch_printer", die_after_two)
    argv = ["train", "--data", str(data), "--model", "cnn", "--epochs", "4", "--lr", "0.01"]
    try:
        with pytest.raises(Killed):
            cli.main(
                [
                    *argv,
                    "--hparams",
                    '{"filters": 4}',
                    "--device",
                    "cpu",
                    "--out",
                    str(root / "run"),
                ]
            )
    finally:
        patch.undo()
    return root / "run"


@pytest.fixture
def run(killed_run, tmp_path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(killed_run, copy)
    return copy


def epochs_done(run: Path) -> int:
    return len(runs.read_history(run))


def test_the_killed_run_kept_the_defaults_of_the_options_left_out(run):
    config = json.loads((run / "run.json").read_text())["config"]
    assert (config["seed"], config["batch_size"]) == (0, TrainConfig.batch_size)
    assert runs.load_run(run).status == "failed" and epochs_done(run) == 2


def test_options_that_differ_from_the_run_are_refused_by_name(run, capsys):
    argv = ["train", "--resume", str(run), "--model", "mlp", "--lr", "0.5", "--seed", "3"]
    assert cli.main([*argv, "--hparams", '{"filters": 16, "kernels": 3}', "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("genoviz: error:")
    for said in (
        "--model mlp (the run's: cnn)",
        "--lr 0.5 (the run's: 0.01)",
        "--seed 3 (the run's: 0)",
        "--hparams filters=16 (the run's: 4)",
        "--hparams kernels=3 (the run's model has no kernels)",
    ):
        assert said in err
    assert epochs_done(run) == 2 and runs.load_run(run).status == "failed"  # untouched


@pytest.mark.parametrize(
    "option, said",
    [
        (["--batch-size", "16"], f"--batch-size 16 (the run's: {TrainConfig.batch_size})"),
        (["--seq-len", "40"], "--seq-len 40 (the run's: none)"),
        (["--task", "regression"], "--task regression (the run's: binary)"),
        (["--out", "elsewhere"], "--out elsewhere (the run's: "),
        (["--freeze-trunk"], "--freeze-trunk (the run trained its trunk)"),
    ],
)
def test_each_option_that_made_the_run_is_checked(run, option, said, capsys):
    assert cli.main(["train", "--resume", str(run), *option]) == 2
    assert said in capsys.readouterr().err
    assert epochs_done(run) == 2


def test_the_runs_own_values_and_the_honoured_options_go_on(run, capsys):
    argv = ["train", "--resume", str(run), "--model", "cnn", "--lr", "0.01", "--seed", "0"]
    same = ["--hparams", '{"filters": 4, "kernel": 9}', "--out", str(run), "--device", "cpu"]
    assert cli.main([*argv, *same, "--epochs", "3", "--quiet"]) == 0
    final = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert final["status"] == "finished" and epochs_done(run) == 3


@pytest.mark.parametrize("epochs", [1, 2])
def test_epochs_at_or_below_those_done_are_refused(run, epochs, capsys):
    assert cli.main(["train", "--resume", str(run), "--epochs", str(epochs)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"genoviz: error: --epochs {epochs} is not more than the 2 epoch(s) {run} has already "
        "done: --epochs sets the new total, so give 3 or more (left out, the run ends at the 4 "
        "it planned)"
    )
    assert epochs_done(run) == 2 and runs.load_run(run).status == "failed"


def test_epochs_count_from_the_checkpoint_when_a_metrics_line_got_past_it(run, capsys):
    """Killed after epoch 3's metrics line but before its checkpoint: the run has done 2
    epochs, so --epochs 3 is a new total it can go on to (epoch 3 is trained again)."""
    runs.append_metrics(run, {"epoch": 3, "train_loss": -1.0, "best": False})
    assert cli.main(["train", "--resume", str(run), "--epochs", "3", "--quiet"]) == 0
    assert f"resuming {run} after epoch 2 of 3" in capsys.readouterr().err
    history = runs.read_history(run)
    assert [r["epoch"] for r in history] == [1, 2, 3] and history[-1]["train_loss"] > 0


def toy_rows(run: Path) -> list[str]:
    """The rows of the CSV the killed run trained on (its header first)."""
    spec = json.loads((run / "run.json").read_text())["dataset"]["spec"]
    return Path(spec).read_text().splitlines()


def test_the_same_size_of_other_rows_is_refused(run, tmp_path, capsys):
    """The splits are drawn by row number and depend on the labels alone: a file whose rows
    were re-sorted among those of the same label kept n, the split sizes and the split
    digest, and the run went on with test sequences it had trained on (on real siRNA
    data, 179 of 218; its test Pearson read 0.906 where the honest one is about 0.6)."""
    header, *rows = toy_rows(run)
    by_label: dict[str, list[str]] = {}
    for row in rows:
        by_label.setdefault(row.rsplit(",", 1)[1], []).append(row)
    resorted = {y: iter(sorted(rs, key=lambda r: r.split(",")[1])) for y, rs in by_label.items()}
    moved = [next(resorted[row.rsplit(",", 1)[1]]) for row in rows]  # each label in its place
    data = tmp_path / "resorted.csv"
    data.write_text("\n".join([header, *moved]) + "\n")
    assert cli.main(["train", "--resume", str(run), "--data", str(data), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("genoviz: error:") and len(err.splitlines()) == 1
    assert "began on other data" in err and "re-sorted or edited since" in err
    assert "train a new run" in err
    assert epochs_done(run) == 2 and runs.load_run(run).status == "failed"  # untouched


def test_the_same_rows_at_a_new_path_go_on_and_run_json_names_it(run, tmp_path, capsys):
    data = tmp_path / "moved" / "toy_moved.csv"
    data.parent.mkdir()
    data.write_text("\n".join(toy_rows(run)) + "\n")
    digest = json.loads((run / "run.json").read_text())["dataset"]["content_digest"]
    assert cli.main(["train", "--resume", str(run), "--data", str(data), "--quiet"]) == 0
    record = json.loads((run / "run.json").read_text())["dataset"]
    assert record["spec"] == str(data) and record["name"] == "toy_moved.csv"
    assert record["content_digest"] == digest and epochs_done(run) == 4


def test_a_run_saved_before_the_data_digest_goes_on_and_gets_one(run, capsys):
    info = json.loads((run / "run.json").read_text())
    digest = info["dataset"].pop("content_digest")
    (run / "run.json").write_text(json.dumps(info))
    assert cli.main(["train", "--resume", str(run), "--quiet"]) == 0
    assert json.loads((run / "run.json").read_text())["dataset"]["content_digest"] == digest


def test_a_diverged_run_is_not_resumed(tmp_path, capsys):
    """Its learning rate cannot change on resume, so it diverged again."""
    data = tmp_path / "toy.csv"
    ds = planted_dataset(120, 30)
    rows = "".join(f"{s},{y}\n" for s, y in zip(ds.sequences, ds.labels, strict=True))
    data.write_text("sequence,label\n" + rows)
    out = tmp_path / "run"
    argv = ["train", "--data", str(data), "--model", "cnn", "--lr", "1e30", "--quiet"]
    assert cli.main([*argv, "--epochs", "3", "--device", "cpu", "--out", str(out)]) == 2
    assert "training diverged" in capsys.readouterr().err
    assert json.loads((out / "run.json").read_text())["failed_diverged"] is True
    assert cli.main(["train", "--resume", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "training diverged" in err and "lower learning rate (--lr)" in err
    assert len(err.splitlines()) == 1
    # a run saved before the flag says so in its message alone
    info = json.loads((out / "run.json").read_text())
    del info["failed_diverged"]
    (out / "run.json").write_text(json.dumps(info))
    assert cli.main(["train", "--resume", str(out), "--quiet"]) == 2
    assert "lower learning rate" in capsys.readouterr().err
