"""ISM and variant effects on a model that reads k-mer tokens (kmer-bert), through the
one-hot adapter: the effects must equal running the model on each mutant directly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import models
from genoviz.interpret.adapters import as_onehot_model, onehot_to_strings
from genoviz.interpret.ism import saturation_mutagenesis
from genoviz.interpret.variants import Variant, variant_effects
from genoviz.onehot import one_hot

SEQ = "ACGTTGACTCAGGCATNCAGT"


@pytest.fixture(scope="module")
def bert() -> torch.nn.Module:
    torch.manual_seed(0)
    return models.get("kmer-bert", seq_len=len(SEQ), k=3, size="tiny").eval()


def direct(model, seqs: list[str]) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(model.encode(seqs)))[:, 0].numpy()


def test_one_hot_round_trips_to_the_sequence_with_n():
    assert onehot_to_strings(torch.from_numpy(one_hot([SEQ]))) == [SEQ]
    cnn = models.get("cnn", seq_len=10)
    assert as_onehot_model(cnn) is cnn


def test_ism_on_kmer_bert_equals_scoring_each_mutant(bert):
    result = saturation_mutagenesis(bert, SEQ)
    assert result.effects.shape == (4, len(SEQ))
    ref = direct(bert, [SEQ])[0]
    assert result.reference_output == pytest.approx(ref, abs=1e-5)
    for pos, base in [(0, "T"), (7, "G"), (20, "A")]:
        mutant = SEQ[:pos] + base + SEQ[pos + 1 :]
        expected = direct(bert, [mutant])[0] - ref
        assert result.effects["ACGT".index(base), pos] == pytest.approx(expected, abs=1e-5)
    assert np.isnan(result.effects[:, SEQ.index("N")]).all()  # nothing there to substitute
    assert not bert.training  # the adapter leaves the model in the mode it found it


def test_variant_effects_on_kmer_bert(bert):
    table = variant_effects(bert, SEQ, [Variant("v1", 5, "T", "C")])
    mutant = SEQ[:4] + "C" + SEQ[5:]
    ref, alt = direct(bert, [SEQ, mutant])
    assert table.loc[0, "delta_logit"] == pytest.approx(alt - ref, abs=1e-5)


def test_autoencoder_is_no_token_model_ism_and_variants_run_on_it():
    """The autoencoder has an ``encode`` (one-hot to its latent map) but reads one-hot: the
    adapter must leave it alone, or its convolutions get a list of strings (TypeError)."""
    torch.manual_seed(0)
    ae = models.get("autoencoder", seq_len=len(SEQ)).eval()
    assert as_onehot_model(ae) is ae
    assert as_onehot_model(models.get("kmer-bert", seq_len=21, k=3, size="tiny")) is not ae
    result = saturation_mutagenesis(ae, SEQ)
    with torch.no_grad():
        ref = ae(torch.from_numpy(one_hot([SEQ])))[0, 0].item()
        mutant = SEQ[:4] + "C" + SEQ[5:]
        alt = ae(torch.from_numpy(one_hot([mutant])))[0, 0].item()
    assert result.reference_output == pytest.approx(ref, abs=1e-5)
    assert result.effects[1, 4] == pytest.approx(alt - ref, abs=1e-5)
    table = variant_effects(ae, SEQ, [Variant("v1", 5, "T", "C")])
    assert table.loc[0, "delta_logit"] == pytest.approx(alt - ref, abs=1e-5)
