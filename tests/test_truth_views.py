"""The Data page's ground-truth view (pages/_truth_views.py): planted starts and their
histogram read 1-based, like every other position in genoviz."""

from __future__ import annotations

import json

from test_pages import data_set, dataframes

from genoviz.data import load


def _axis_titles(at) -> list[str]:
    return [
        json.loads(c.proto.spec)["layout"]["xaxis"]["title"]["text"] for c in at.get("plotly_chart")
    ]


def test_planted_starts_and_their_histogram_are_1_based():
    """The table and its CSV gave 0-based starts, the histogram said '0-based position',
    while saliency, ISM and variant positions are 1-based."""
    at = data_set("tf-binding", "Ground truth")
    planted = next(t for t in dataframes(at) if {"motif", "start", "strand"} <= set(t.columns))
    raw = load("tf-binding").meta.ground_truth
    i = raw["columns"].index("start")
    assert list(planted["start"][:20]) == [row[i] + 1 for row in raw["instances"][:20]]
    assert _axis_titles(at) == ["start (1-based position of the first base)"]
    stored = [c.value for c in at.caption if "as it is stored" in c.value]
    assert stored and "count from 0" in stored[0]  # the raw summary says it is 0-based


def test_a_splice_boundary_is_labelled_as_the_bases_before_it():
    at = data_set("splice-sites", "Ground truth")
    titles = _axis_titles(at)
    assert "boundary (bases before it in the sequence)" in titles
    assert "start (1-based position of the first base)" in titles  # the decoys


def test_a_splice_site_table_says_how_each_column_counts():
    """The splice table mixes a 0-based row (index), a boundary counted as the bases
    before it and a 1-based branch point; it showed them without a word."""
    at = data_set("splice-sites", "Ground truth")
    sites = next(t for t in dataframes(at) if {"boundary", "branch_point"} <= set(t.columns))
    assert {"index", "boundary", "branch_point"} <= set(sites.columns)
    notes = [c.value for c in at.caption if "boundary: the bases before it" in c.value]
    assert notes, [c.value for c in at.caption]
    assert "branch_point: 1-based" in notes[0] and "counted from 0" in notes[0]
