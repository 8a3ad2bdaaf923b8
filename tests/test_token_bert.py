"""TokenBert, through a tiny kmer-bert: padding, extras, attention maps, windows, the MLM
head's masked logits."""

from __future__ import annotations

import pytest
import torch

import models
from models.bert_lengths import window_note

TINY = {"size": "tiny"}


def test_padding_does_not_change_a_sequence_logits():
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=30, k=3, **TINY).eval()
    alone = net(torch.from_numpy(net.encode(["ACGTACGTAC"])))
    padded = net(torch.from_numpy(net.encode(["ACGTACGTAC", "ACGT" * 10])))[:1]
    torch.testing.assert_close(alone, padded, atol=1e-5, rtol=1e-4)


def test_extras_enter_the_logits():
    net = models.get("kmer-bert", seq_len=20, extras=2, k=3, **TINY).eval()
    ids = torch.from_numpy(net.encode(["ACGTACGTACGTACGTACGT"]))
    with pytest.raises(ValueError, match="extra"):
        net(ids)
    # untrained, the extras count for nothing either way (a random sign read
    # accessibility backwards); once their weights move, they enter the logits
    a = net(ids, torch.zeros(1, 2))
    torch.testing.assert_close(net(ids, torch.ones(1, 2)), a)
    with torch.no_grad():
        net.extras_head.weight.fill_(0.5)
    b = net(ids, torch.ones(1, 2))
    torch.testing.assert_close(b - a, torch.ones_like(a))


def test_attentions_switch_to_eager_and_back():
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=20, k=3, **TINY).train()
    ids = torch.from_numpy(net.encode(["ACGTACGTACGTACGTACGT"]))
    maps = net.attentions(ids[0])
    assert len(maps) == 2 and maps[0].shape == (4, 20, 20)
    torch.testing.assert_close(maps[1].sum(-1), torch.ones(4, 20))
    assert net.hf.config._attn_implementation == "sdpa" and net.training
    batch = net.attentions(torch.cat([ids, ids]))
    assert batch[0].shape == (2, 4, 20, 20)
    # Eager and SDPA give the same logits.
    net.eval()
    sdpa = net(ids)
    net.hf.set_attn_implementation("eager")
    torch.testing.assert_close(net(ids), sdpa, atol=1e-5, rtol=1e-4)


def test_long_sequences_are_averaged_over_windows():
    torch.manual_seed(0)
    net = models.get(
        "kmer-bert", seq_len=40, k=3, **TINY, bert_config={"max_position_embeddings": 12}
    )
    net.eval()
    seq = "ACGGTCATTGACCATGCAGT"  # 18 tokens > 10 per window
    ids = torch.from_numpy(net.encode([seq]))
    out = net(ids)
    # Windows of 10 tokens, 5 apart, covering all 18: starts 0, 5 and 8.
    body = ids[0, 1:-1]
    wins = []
    for s in (0, 5, 8):
        w = torch.cat([torch.tensor([2]), body[s : s + 10], torch.tensor([3])])[None]
        wins.append(net(w))
    torch.testing.assert_close(out, torch.stack(wins).mean(0), atol=1e-5, rtol=1e-4)
    assert window_note(0) is None and "averaged" in window_note(3)


def test_masked_logits_match_the_full_mlm_output():
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=20, k=3, head="mlm", **TINY).eval()
    ids = torch.from_numpy(net.encode(["ACGTACGTACGTACGTACGT", "GGGCCCATAT"]))
    where = torch.zeros_like(ids, dtype=torch.bool)
    where[0, [3, 7]] = where[1, 2] = True
    torch.testing.assert_close(net.masked_logits(ids, where), net(ids)[where])
