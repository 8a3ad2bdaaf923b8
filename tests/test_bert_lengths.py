"""BERT's positions: how many sequences give more tokens than it has."""

from __future__ import annotations


def test_count_long_follows_k_and_codons():
    from models.bert_lengths import count_long

    assert count_long("kmer-bert", [515, 516], k=6) == 1  # 512 and 513 tokens
    assert count_long("kmer-bert", [512, 513], k=3) == 1
    assert count_long("codon-bert", [1530, 1533]) == 1  # 512 and 513 tokens
