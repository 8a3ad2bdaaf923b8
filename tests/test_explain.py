"""The plain-language explanations: every page topic exists, texts say what they promise."""

from __future__ import annotations

import pytest

from genoviz.explain import EXPLANATIONS, PAGE_TOPICS, TASK_TOPIC, explain, for_page


def test_every_page_topic_and_task_topic_is_written():
    for page, keys in PAGE_TOPICS.items():
        assert keys, page
        for key in keys:
            assert key in EXPLANATIONS, (page, key)
    assert set(TASK_TOPIC.values()) <= set(EXPLANATIONS)


@pytest.mark.parametrize(
    ("key", "must_say"),
    [
        ("one_hot", ["A, C, G, T", "N"]),
        ("conv_filter", ["activation", "slides"]),
        ("roc_pr", ["99%", "PR AUC", "share of positives"]),
        ("pearson", ["Pearson r", "Spearman"]),
        ("calibration", ["diagonal", "Brier score", "calibration error", "ROC AUC"]),
        ("overfitting", ["train", "valid", "overfitting"]),
        ("saliency", ["can tell you", "cannot tell you", "exactly only", "not for LSTMs"]),
        ("ism", ["can tell you", "cannot tell you"]),
        ("attention", ["can tell you", "cannot tell you"]),
        ("variants", ["Δlogit", "Δprobability", "cannot tell you"]),
        ("agreement", ["Spearman", "ISM", "attention"]),
        ("jaspar", ["both strands", "p-value", "Similarity"]),
        ("truth_recovery", ["planted", "recovered", "top 3"]),
        ("motif_net", ["position mask", "0.5", "JASPAR"]),
        ("autoencoder", ["no label", "0.25", "latent map", "cannot tell you"]),
        ("extras_gain", ["twice", "accessibility", "seed", "cannot tell", "did not learn"]),
    ],
)
def test_texts_cover_what_the_issue_asks(key: str, must_say: list[str]):
    e = explain(key)
    assert e.title.startswith("What am I seeing?")
    for phrase in must_say:
        assert phrase in e.body, (key, phrase)
    assert 150 < len(e.body) < 1500  # short, not a wall of text


def test_unknown_key_names_the_known_ones():
    with pytest.raises(KeyError, match="one_hot"):
        explain("nope")


def test_for_page_keeps_figure_order_and_unknown_pages_are_empty():
    assert [e.key for e in for_page("train")] == list(PAGE_TOPICS["train"])
    assert for_page("no-such-page") == []
