"""DNABERT span masking: the spans, the share masked, the 80/10/10 replacement, the late rate."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genoviz.pretrain_masking import MaskConfig, centre_probability, mask_tokens, span_offsets
from genoviz.tokens import CLS_ID, MASK_ID, PAD_ID, SEP_ID


def test_span_offsets_follow_dnabert():
    assert list(span_offsets(6)) == [-2, -1, 0, 1, 2, 3]
    assert list(span_offsets(3)) == [-1, 0, 1]
    assert all(len(span_offsets(k)) == k for k in range(3, 7))


def test_centre_probability_gives_the_masked_share():
    assert centre_probability(0.15, 1) == pytest.approx(0.15)
    p = centre_probability(0.15, 6)
    assert 1 - (1 - p) ** 6 == pytest.approx(0.15)
    assert 0.02 < p < 0.03  # DNABERT's script uses 0.025 for k = 6


def _ids(n=400, t=80, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 69, (n, t), generator=g)
    ids[:, 0], ids[:, -1] = CLS_ID, SEP_ID
    ids[:5, -10:] = PAD_ID
    return ids


def test_span_masking_masks_contiguous_runs_and_spares_specials():
    ids = _ids()
    m = mask_tokens(ids, 0.15, span_offsets(6), 69, torch.Generator().manual_seed(1))
    masked = m.labels != -100
    assert not masked[ids < 5].any()  # [CLS], [SEP], [PAD] never masked
    assert (m.labels[masked] == ids[masked]).all()
    assert masked.float().mean() == pytest.approx(0.15 * 78 / 80, abs=0.02)
    # Away from the ends, every masked run is at least one span (6 tokens) long.
    runs = []
    for row in masked[:, 8:-8].int().numpy():
        edges = np.flatnonzero(np.diff(np.r_[0, row, 0]))
        runs += list(np.diff(edges)[::2])
    interior = [r for r in runs if r]
    assert min(interior) >= 1 and np.mean(np.array(interior) >= 6) > 0.7
    # 80/10/10: most masked positions show [MASK], about a tenth keep their token.
    shown = m.inputs[masked]
    assert (shown == MASK_ID).float().mean() == pytest.approx(0.8, abs=0.04)
    assert (shown == ids[masked]).float().mean() == pytest.approx(0.1 + 0.1 / 64, abs=0.03)


def test_single_token_masking_when_span_is_one():
    ids = _ids()
    m = mask_tokens(ids, 0.15, [0], 69, torch.Generator().manual_seed(1))
    masked = (m.labels != -100).float()
    assert masked.mean() == pytest.approx(0.15 * 78 / 80, abs=0.01)


def test_mask_rate_switches_late_in_the_schedule():
    opts = MaskConfig()
    assert [opts.rate_at(e, 10) for e in range(1, 11)] == [0.15] * 8 + [0.20] * 2
    # a short run switches only where an epoch starts in the last 20% of it
    for epochs, late in ((1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (7, 1), (12, 2)):
        rates = [opts.rate_at(e, epochs) for e in range(1, epochs + 1)]
        assert rates == [0.15] * (epochs - late) + [0.20] * late, epochs
