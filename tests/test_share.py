"""URL query parameters <-> setups: round trip, validation, defaults."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from genoviz.share import (
    PARAMS,
    Setup,
    decode_setup,
    encode_setup,
    share_url,
    train_config,
)
from genoviz.training import TrainConfig

FULL = Setup(
    dataset="promoters",
    model="deepchem-tf",
    epochs=7,
    lr=3e-4,
    batch=64,
    seed=42,
    seq=12,
    step=3,
    filter=5,
    pos=17,
    run="20260101-120000-cnn-tf-binding",
    method="deeplift",
    baseline="uniform",
)


def test_round_trip_through_a_url():
    url = share_url("http://host:8501/train?old=1#x", FULL)
    parts = urlsplit(url)
    assert parts.path == "/train" and not parts.fragment
    params = {k: v for k, v in parse_qs(parts.query).items()}
    assert "old" not in params
    decoded = decode_setup(params)
    assert decoded.problems == []
    assert decoded.setup == FULL


def test_encode_writes_set_values_only_and_floats_compactly():
    assert encode_setup(Setup()) == {}
    assert encode_setup(Setup(lr=0.001, seed=0)) == {"lr": "0.001", "seed": "0"}
    assert share_url("http://h/lesson", Setup()) == "http://h/lesson"


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("dataset", "../etc/passwd", "not a bundled dataset"),
        ("model", "resnet9000", "not a model"),
        ("epochs", "0", "between 1 and 500"),
        ("epochs", "ten", "not a number"),
        ("lr", "0.5", "one of"),
        ("batch", "100", "one of"),
        ("seed", "-1", "between"),
        ("step", "6", "between 1 and 5"),
        ("seq", "1e3", "not a number"),
        ("run", "../../etc", "not a run name"),
        ("run", "/tmp/runs/x", "not a run name"),
        ("run", "a/../b", "not a run name"),
        ("run", "x..y", "not a run name"),
        ("run", ".hidden", "not a run name"),
        ("method", "gradcam", "not a method"),
        ("baseline", "ones", "not a baseline"),
    ],
)
def test_bad_values_are_dropped_with_a_message(name: str, value: str, reason: str):
    decoded = decode_setup({name: value, "seed": "3"} if name != "seed" else {name: value})
    assert getattr(decoded.setup, name) is None
    assert len(decoded.problems) == 1
    assert decoded.problems[0].startswith(f"Ignored {name}=") and reason in decoded.problems[0]
    if name != "seed":
        assert decoded.setup.seed == 3  # the good ones survive


def test_lr_matches_the_offered_choice_and_lists_use_the_last_value():
    d = decode_setup({"lr": "3e-3", "batch": ["32", "256"], "unknown": "x", "seq": ""})
    assert d.setup.lr == 3e-3 and d.setup.batch == 256 and d.setup.seq is None
    assert d.problems == []


def test_train_config_takes_the_set_values_and_keeps_the_rest():
    base = TrainConfig(epochs=20, patience=2)
    cfg = train_config(Setup(epochs=3, seed=9), base)
    assert (cfg.epochs, cfg.seed, cfg.patience, cfg.lr) == (3, 9, 2, base.lr)
    assert train_config(Setup()) == TrainConfig()


def test_setup_merge_and_param_descriptions():
    merged = Setup(dataset="sirna", seed=1).merged(Setup(seed=2, step=4))
    assert merged == Setup(dataset="sirna", seed=2, step=4)
    assert set(PARAMS) == set(Setup().as_dict())
    assert all(desc for _, desc in PARAMS.values())


def test_interpret_setup_round_trips_through_a_url():
    s = Setup(run="20260101-000000-cnn-tf-binding", method="integrated_gradients", seq=3)
    url = share_url("http://h/interpret", s)
    assert url == (
        "http://h/interpret?seq=3&run=20260101-000000-cnn-tf-binding&method=integrated_gradients"
    )
    assert decode_setup(parse_qs(urlsplit(url).query)).setup == s
    assert decode_setup({"run": "x" * 129}).problems  # too long for a folder name


def test_a_train_link_names_the_settings_it_cannot_carry():
    from genoviz.training import TrainConfig
    from pages.train import link_leaves_out

    assert link_leaves_out(TrainConfig()) == []  # the defaults travel whole
    bert = TrainConfig(hparams={"size": "small", "k": 4, "embed_init": "tied"}, seq_len=300)
    assert link_leaves_out(bert) == [
        "the model settings (size small, k 4, embed_init tied)",
        "the sequence length (300 bp)",
    ]
    started = TrainConfig(init_from="runs/x", use_extras=False, mlm={"species": "e_coli"})
    assert "training without the extra inputs" not in link_leaves_out(started, has_extras=False)
    assert link_leaves_out(started) == [
        "training without the extra inputs",
        "the species (e_coli)",
        "the starting weights",
    ]
