import pytest
import torch

import models
from models.layers import reverse_complement


@pytest.mark.parametrize(
    "name", [n for n, s in models.REGISTRY.items() if s.input_kind not in models.TOKEN_KINDS]
)
@pytest.mark.parametrize("extras", [0, 2])
def test_every_model_maps_batch_to_outputs(name, extras):
    torch.manual_seed(0)
    net = models.get(name, seq_len=21, outputs=3, extras=extras)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (5, 21)), 4).float().transpose(1, 2)
    e = torch.randn(5, extras) if extras else None
    out = net(x, e)
    assert out.shape == (5, 3)
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters() if p.requires_grad)
    assert net.first_layer_filters().shape[1] == 4


def test_model_with_extras_refuses_to_run_without_them():
    net = models.get("cnn", seq_len=21, extras=1)
    with pytest.raises(ValueError, match="needs 1 extra"):
        net(torch.zeros(2, 4, 21))


def test_deepchem_sirna_outputs_are_squashed_to_unit_interval():
    net = models.get("deepchem-sirna", seq_len=21).eval()
    out = net(torch.randn(8, 4, 21) * 10)
    assert ((out > 0) & (out < 1)).all()


def test_deepchem_tf_matches_the_book_architecture():
    net = models.get("deepchem-tf", seq_len=101)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv1d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size[0]) for c in convs] == [
        (4, 15, 10),
        (15, 15, 10),
        (15, 15, 10),
    ]
    drops = [m.p for m in net.modules() if isinstance(m, torch.nn.Dropout)]
    assert drops == [0.5, 0.5, 0.5]


def test_strand_averaged_cnn_is_reverse_complement_invariant_in_eval():
    torch.manual_seed(0)
    net = models.get("cnn", seq_len=50, strand_average=True).eval()
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (6, 50)), 4).float().transpose(1, 2)
    torch.testing.assert_close(net(x), net(reverse_complement(x)))
    plain = models.get("cnn", seq_len=50, strand_average=False).eval()
    assert not torch.allclose(plain(x), plain(reverse_complement(x)))


def test_each_nonlinearity_is_its_own_module():
    net = models.get("cnn", seq_len=30)
    relus = [m for m in net.modules() if isinstance(m, torch.nn.ReLU)]
    assert len(relus) == len({id(m) for m in relus}) >= 1


def test_registry_lists_fitting_models_recommended_first():
    binary = [s.name for s in models.available("binary")]
    regression = [s.name for s in models.available("regression")]
    assert binary[0] == models.recommended("binary")
    assert regression[0] == models.recommended("regression")
    assert "deepchem-sirna" in regression and "deepchem-sirna" not in binary
    assert [s.name for s in models.available("binary", "kmer")] == ["kmer-bert"]


def test_unknown_model_and_bad_hparams_raise_model_error():
    with pytest.raises(models.ModelError, match="unknown model"):
        models.get("nope", seq_len=10)
    with pytest.raises(models.ModelError, match=r"has no hyperparameter 'wings'; it takes"):
        models.get("cnn", seq_len=10, wings=3)


ONE_HOT_PREDICTORS = [n for n, s in models.REGISTRY.items() if s.input_kind.startswith("onehot")]


@pytest.mark.parametrize("name", ONE_HOT_PREDICTORS)
def test_every_one_hot_model_averages_strands_where_the_data_says_so(name):
    """Only cnn averaged: motif-net, trained on both strands, scored a sequence and its
    reverse complement up to 0.26 apart in logit, and a variant on either strand could
    change sign."""
    torch.manual_seed(0)
    hp = models.data_hparams(name, strand_symmetric=True, seq_len=50)
    assert hp["strand_average"] is True
    net = models.get(name, seq_len=50, extras=1, **hp).eval()
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (6, 50)), 4).float().transpose(1, 2)
    e = torch.randn(6, 1)
    torch.testing.assert_close(net(x, e), net(reverse_complement(x), e))
    stranded = models.data_hparams(name, strand_symmetric=False, seq_len=50)
    assert not stranded.get("strand_average", False)
    plain = models.get(name, seq_len=50, extras=1, **stranded).eval()
    assert not torch.allclose(plain(x, e), plain(reverse_complement(x), e))


def test_strand_average_is_refused_where_it_cannot_apply():
    with pytest.raises(models.ModelError, match="cannot average strands"):
        models.get("kmer-bert", seq_len=50, strand_average=True)
    with pytest.raises(models.ModelError, match="must be true or false"):
        models.get("mlp", seq_len=50, strand_average="yes")
    assert models.data_hparams("kmer-bert", strand_symmetric=True, seq_len=50) == {}


def test_data_hparams_follow_strandedness():
    assert models.data_hparams("cnn", strand_symmetric=True, seq_len=101)["strand_average"]
    assert not models.data_hparams("cnn", strand_symmetric=False, seq_len=21)["strand_average"]


def test_a_corpus_recommends_the_bert_that_reads_it():
    assert models.recommended("lm") == "kmer-bert"
    assert models.recommended("lm", "codon") == "codon-bert"
    assert models.recommended("binary") == "cnn"


@pytest.mark.parametrize("name", list(models.REGISTRY))
def test_every_model_round_trips_through_a_saved_run(name, tmp_path):
    """Weights perturbed away from their start, saved as a run, rebuilt: same outputs."""
    from conftest import save_untrained_run

    from genoviz.runs import load_run, save_weights

    token = models.spec(name).input_kind in models.TOKEN_KINDS
    build = {"seq_len": 21, "outputs": 2, "extras": 1} | ({"size": "tiny"} if token else {})
    run = save_untrained_run(tmp_path / "run", name, build)
    torch.manual_seed(1)
    net = models.get(name, **build)
    with torch.no_grad():  # not what a fresh build would give, so loading must work
        for p in net.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    save_weights(run, net)
    if token:
        x = torch.from_numpy(net.encode(["ACGTACGTAGCATGCATGCAA", "TTTGGGCCCAAATTTGGGCCC"]))
    else:
        x = torch.nn.functional.one_hot(torch.randint(0, 4, (2, 21)), 4).float().transpose(1, 2)
    e = torch.randn(2, 1)
    loaded = load_run(run).load_model()
    torch.testing.assert_close(loaded.eval()(x, e), net.eval()(x, e), rtol=0, atol=0)


@pytest.mark.parametrize(
    ("name", "hparams", "message"),
    [
        ("cnn", {"fliters": 8}, "no hyperparameter 'fliters' (did you mean 'filters'?)"),
        ("cnn", {"filters": "8"}, "filters must be a number, not '8'"),
        ("cnn", {"filters": -3}, "filters must be a whole number of at least 1, not -3"),
        ("motif-net", {"motifs": 0}, "motifs must be a whole number of at least 1, not 0"),
        ("motif-net", {"jaspar": "JUND"}, "jaspar must be a list, such as ['JUND']"),
        ("cnn", {"mean_pool": "no"}, "mean_pool must be true or false, not 'no'"),  # truthy
        ("cnn", {"strand_average": 1}, "strand_average must be true or false, not 1"),
        ("cnn", {"dropout": float("nan")}, "dropout must be a finite number, not nan"),
        ("deepchem-tf", {"dropout": 1.5}, "dropout is a share, from 0 up to 1, not 1.5"),
    ],
)
def test_bad_hyperparameters_are_named_before_torch_sees_them(name, hparams, message):
    with pytest.raises(models.ModelError) as e:
        models.get(name, seq_len=40, **hparams)
    assert message in str(e.value)


def test_whole_number_floats_from_json_build_the_model():
    net = models.get("cnn", seq_len=40, filters=8.0, members=1)
    assert net.first_layer_filters().shape[0] == 8
