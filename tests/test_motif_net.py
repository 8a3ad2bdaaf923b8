"""motif-net: learnable masked PSSMs, JASPAR initialisation, freezing, attention, logos."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import models
from genoviz.motifs import MotifError, fetch_jaspar, log_odds
from genoviz.onehot import one_hot
from genoviz.training import TrainConfig, fit
from models.jaspar_init import resolve_jaspar
from models.layers import reverse_complement
from models.motif_net import MotifNet
from tests.conftest import planted_dataset


def random_onehot(n: int, length: int, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.from_numpy(one_hot(["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]))


def test_shapes_and_gradients_reach_scores_mask_and_bias():
    net = models.get("motif-net", seq_len=40, outputs=2, extras=1, motifs=5, width=9)
    x = random_onehot(3, 40)
    assert net.scan(x).shape == (3, 10, 32)  # both strands: 2 x 5 channels, 40 - 9 + 1
    out = net(x, torch.ones(3, 1))
    assert out.shape == (3, 2)
    out.sum().backward()
    for p in (net.scan.scores, net.scan.mask_logits, net.scan.bias):
        assert p.grad is not None and p.grad.abs().sum() > 0
    assert net.first_layer_filters().shape == (5, 4, 9)


def test_both_strands_scan_is_reverse_complement_symmetric():
    """The RC of a sequence, scanned, is the reverse-strand scan read backwards."""
    net = MotifNet(seq_len=30, motifs=4, width=7)
    x = random_onehot(2, 30)
    fwd, rev = net.scan(x), net.scan(reverse_complement(x))
    torch.testing.assert_close(rev[:, :4], fwd[:, 4:].flip(-1))
    torch.testing.assert_close(rev[:, 4:], fwd[:, :4].flip(-1))


def test_jaspar_init_reproduces_the_log_odds_scan():
    """Known answer: each offset's score is the sum of the matrix's log-odds (bits) at the
    bases it covers, computed here by hand."""
    motif = fetch_jaspar("MA0491.3")
    lo = log_odds(motif.pfm)  # (4, 9)
    width = 13  # the 9-column matrix sits centred, with 2 zero (uniform) columns each side
    net = MotifNet(
        seq_len=50, motifs=3, width=width, both_strands=False, init="jaspar", jaspar=["MA0491.3"]
    )
    assert net.names[0] == "MA0491.3 JUND"
    rng = np.random.default_rng(3)
    seqs = ["".join(rng.choice(list("ACGT"), 50)) for _ in range(4)]
    seqs[0] = seqs[0][:20] + motif.consensus() + seqs[0][29:]
    with torch.no_grad():
        got = net.scan(torch.from_numpy(one_hot(seqs)))[:, 0].numpy()
    code = {b: i for i, b in enumerate("ACGT")}
    want = np.array(
        [
            [sum(lo[code[s[i + 2 + j]], j] for j in range(9)) for i in range(50 - width + 1)]
            for s in seqs
        ]
    )
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)
    # the planted consensus scores the matrix's best possible score, at its position
    assert got[0].argmax() == 18 and got[0].max() == pytest.approx(lo.max(0).sum(), rel=1e-3)


def test_jaspar_by_name_and_logos_give_back_the_matrices():
    net = MotifNet(seq_len=40, motifs=4, width=15, init="jaspar", jaspar=["JUND", "MA0139.1"])
    found = resolve_jaspar(["JUND"])
    assert len(found) == 2 and {m.name for m in found} == {"JUND"}
    again = resolve_jaspar(["JUND", found[0].id, "jund"])  # each matrix once, first order
    assert [m.id for m in again] == [m.id for m in found]
    assert [n.split()[1] for n in net.names[:3]] == ["JUND", "JUND", "CTCF"]
    assert net.names[3] == "motif 4"
    logos = net.motif_logos()
    assert logos.pfms.shape == (4, 4, 15) and logos.mask.shape == (4, 15)
    np.testing.assert_allclose(logos.pfms.sum(axis=1), 1.0)
    ctcf = fetch_jaspar("MA0139.1").pfm  # 19 columns, centre 15 kept
    np.testing.assert_allclose(logos.pfms[2], ctcf[:, 2:17], atol=1e-3)
    assert (logos.mask[2] > 0.999).all()
    jund = found[0].pfm  # 0-padded columns read back as uniform, mask half open
    start = (15 - jund.shape[1]) // 2
    np.testing.assert_allclose(logos.pfms[0][:, :start], 0.25)
    np.testing.assert_allclose(logos.mask[0][:start], 0.5)


def test_jaspar_tax_group_narrows_a_name_and_names_say_the_group():
    """GATA1 also names an Arabidopsis matrix (MA2388.1): ``auto`` starts from the human
    one only, and a matrix from outside vertebrates carries its group in its name."""
    net = MotifNet(seq_len=40, motifs=3, init="jaspar", jaspar=["GATA1"], jaspar_tax_group="auto")
    assert net.names[0].startswith("MA0035") and net.names[1:] == ["motif 2", "motif 3"]
    assert net.jaspar_choice.left_out == ["MA2388.1 GATA1 (Arabidopsis thaliana, plants)"]
    plant = MotifNet(seq_len=40, motifs=2, init="jaspar", jaspar=["MA2388.1"])
    assert plant.names[0] == "MA2388.1 GATA1 (plants)"
    with pytest.raises(models.ModelError, match="not a JASPAR taxonomic group"):
        models.get("motif-net", seq_len=40, init="jaspar", jaspar=["JUND"], jaspar_tax_group="x")


def test_a_run_saved_before_jaspar_tax_group_builds_the_same_net():
    """Saved builds have no ``jaspar_tax_group``: they still take every matrix of a name,
    so a frozen GATA1 net keeps both its fixed rows and its weights load."""
    old = {"motifs": 3, "init": "jaspar", "jaspar": ["GATA1"], "freeze_motifs": True}
    net = models.get("motif-net", seq_len=40, **old)
    assert net.scan.fixed == 2
    assert net.names[:2] == ["MA0035.5 GATA1", "MA2388.1 GATA1 (plants)"]
    again = models.get("motif-net", seq_len=40, **old)
    again.load_state_dict(net.state_dict())  # the same tensors, the same shapes


def test_unknown_factor_is_a_clear_error():
    with pytest.raises(MotifError, match="no matrix for a factor named 'NOTATF'"):
        resolve_jaspar(["NOTATF"])
    with pytest.raises(models.ModelError, match="model 'motif-net': JASPAR has no matrix"):
        models.get("motif-net", seq_len=40, init="jaspar", jaspar=["NOTATF"])
    with pytest.raises(ValueError, match="needs TF names or matrix ids"):
        MotifNet(seq_len=40, init="jaspar")
    with pytest.raises(ValueError, match="at least the motif width"):
        MotifNet(seq_len=10, width=15)


def test_frozen_jaspar_motifs_stay_fixed_and_still_solve_the_task():
    """TGACTCA is the AP-1 site JUND binds: frozen JUND matrices only need a head."""
    hp = {"motifs": 4, "init": "jaspar", "jaspar": ["JUND"], "freeze_motifs": True}
    before = MotifNet(seq_len=40, **hp)
    cfg = TrainConfig(epochs=3, lr=1e-2, batch_size=64, save=False, hparams=hp)
    result = fit(planted_dataset(n=600, seed=4), "motif-net", cfg)
    after = result.model.scan
    assert after.fixed == 2 and after.scores.shape[0] == 2  # 2 JUND matrices + 2 free
    torch.testing.assert_close(after.fixed_scores.cpu(), before.scan.fixed_scores, rtol=0, atol=0)
    torch.testing.assert_close(
        after.fixed_mask_logits.cpu(), before.scan.fixed_mask_logits, rtol=0, atol=0
    )
    assert not torch.allclose(after.scores.cpu(), before.scan.scores)  # the free ones learn
    assert not torch.equal(after.bias.cpu(), before.scan.bias)  # the threshold still learns
    jaspar_auc = result.test_metrics["roc_auc"]
    cfg.hparams = {"motifs": 4}
    random_auc = fit(planted_dataset(n=600, seed=4), "motif-net", cfg).test_metrics["roc_auc"]
    assert jaspar_auc > 0.88 and jaspar_auc > random_auc + 0.15, (jaspar_auc, random_auc)


def test_unfrozen_jaspar_motifs_move():
    hp = {"motifs": 4, "init": "jaspar", "jaspar": ["JUND"]}
    before = MotifNet(seq_len=40, **hp).scan.all_scores().detach()
    cfg = TrainConfig(epochs=2, lr=1e-2, batch_size=64, save=False, hparams=hp)
    after = fit(planted_dataset(n=300, seed=4), "motif-net", cfg).model.scan.all_scores()
    assert not torch.allclose(after[:2].detach().cpu(), before[:2])  # JUND rows moved


def test_random_motif_net_learns_a_planted_motif():
    cfg = TrainConfig(epochs=8, lr=1e-2, batch_size=64, save=False)
    result = fit(planted_dataset(n=800, seed=5), "motif-net", cfg)
    assert result.test_metrics["roc_auc"] > 0.95


def test_attention_across_motif_channels():
    net = MotifNet(seq_len=40, motifs=3, width=7, attention_heads=2, attention_dim=8).eval()
    x = random_onehot(5, 40)
    w = net.motif_attention(x)
    assert w.shape == (5, 2, 6, 6)  # heads, channels x channels (both strands)
    torch.testing.assert_close(w.sum(-1), torch.ones(5, 2, 6))
    out = net(x)
    assert out.shape == (5, 1)
    torch.testing.assert_close(net(x[:2]), out[:2])  # batch-size invariant
    with pytest.raises(AttributeError, match="without attention"):
        MotifNet(seq_len=40).motif_attention(x)


def test_a_sequence_shorter_than_a_motif_is_scored_not_a_torch_error():
    """Predict scores variable-length models at each sequence's own length: 10 bp against
    15-wide motifs gave 'Kernel size can't be greater than actual input size'."""
    import models
    from genoviz.onehot import one_hot

    torch.manual_seed(0)
    net = models.get("motif-net", seq_len=40).eval()
    short = torch.from_numpy(one_hot(["ACGTACGTAC"]))
    padded = torch.from_numpy(one_hot(["NNACGTACGTACNNN"]))  # the same, centred among Ns
    torch.testing.assert_close(net(short), net(padded))
