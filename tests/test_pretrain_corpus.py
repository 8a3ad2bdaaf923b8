"""Pretraining corpora: files, bundled sets and one species as corpora; the chunks cut from them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import planted_dataset

from genoviz.data import DataFormatError, Dataset, DatasetMeta
from genoviz.pretrain_corpus import as_corpus, load_corpus
from genoviz.pretrain_masking import MaskConfig
from genoviz.sequences import SequenceError


def test_corpora(tmp_path):
    fasta = tmp_path / "mine.fa"
    fasta.write_text(">a\nACGTACGTAA\n>b\nTTTTGGGGCCCCAAAA\n")
    ds = load_corpus(fasta)
    assert ds.task == "lm" and ds.sequences == ["ACGTACGTAA", "TTTTGGGGCCCCAAAA"]
    labelled = Dataset(["ACGT", "GGGG"], np.array([0, 1]), "binary", DatasetMeta("x"))
    assert as_corpus(labelled).task == "lm"
    assert load_corpus("sirna").task == "lm"


def test_a_labelled_table_is_a_corpus_of_its_sequences(tmp_path):
    """A training CSV, or DNABERT's k-mer TSV, pretrains on its sequences (labels ignored);
    it once failed on its header line ("illegal character 'I'")."""
    table = tmp_path / "train.csv"
    table.write_text("id,sequence,label\na,ACGTACGTAA,1\nb,ttttgggg,0\n")
    ds = load_corpus(table)
    assert (ds.task, ds.sequences, ds.ids) == ("lm", ["ACGTACGTAA", "TTTTGGGG"], ["a", "b"])
    kmers = tmp_path / "train.tsv"
    kmers.write_text("sequence\tlabel\nACGTAC CGTACG GTACGT\t1\n")
    assert load_corpus(kmers).sequences == ["ACGTACGT"]
    bad = tmp_path / "bad.csv"
    bad.write_text("sequence,label\nACGXA,1\n")
    with pytest.raises(DataFormatError, match=r"bad.csv, line 2: illegal character 'X'"):
        load_corpus(bad)


def test_parallel_chunks_pair_codons_with_their_residues():
    import models
    from genoviz.data.codon_corpus import build_codon_corpus
    from genoviz.pretrain_corpus import chunk_texts, encode_texts

    ds = build_codon_corpus(seed=0, n_per_species=1)
    net = models.get("codon-bert", seq_len=60, size="tiny", head="mlm")
    opts = MaskConfig(max_tokens=32, view="parallel")
    texts, source = chunk_texts(ds, net, opts)
    cds, protein = texts[0]
    assert len(cds) == 3 * 15 and protein == ds.meta.ground_truth["proteins"][0][:15]
    ids = encode_texts(net, texts[:1], 34)
    tokens = [net.vocab[i] for i in ids[0] if i]
    assert tokens[0] == "[CLS]" and tokens[1] == "ATG" and tokens[16] == "[SEP]"
    assert tokens[17] == "M" and tokens[-1] == "[SEP]"
    assert source[0] == 0


def test_frame_shift_views_read_the_cds_one_or_two_bases_late():
    import models
    from genoviz.data.codon_corpus import build_codon_corpus
    from genoviz.pretrain_corpus import chunk_texts

    ds = build_codon_corpus(seed=0, n_per_species=1)
    net = models.get("codon-bert", seq_len=60, size="tiny", head="mlm")
    gene, protein = ds.sequences[0], ds.meta.ground_truth["proteins"][0]
    codons, _ = chunk_texts(ds, net, MaskConfig(max_tokens=32, view="codon-frame2"))
    assert codons[0] == gene[2 : 2 + 3 * 30]
    pairs, _ = chunk_texts(ds, net, MaskConfig(max_tokens=32, view="parallel-frame1"))
    assert pairs[0] == (gene[1 : 1 + 3 * 15], protein[:15])
    with pytest.raises(SequenceError, match="unknown view"):
        chunk_texts(ds, net, MaskConfig(view="parallel-frame3"))


def test_one_species_of_the_codon_corpus_keeps_its_proteins_aligned():
    from genoviz.data.codon_corpus import build_codon_corpus
    from genoviz.pretrain_corpus import species_corpus

    ds = build_codon_corpus(seed=0, n_per_species=3)
    names = ds.meta.notes["species"]
    part = species_corpus(ds, names[2])
    rows = np.flatnonzero(ds.labels == 2)
    assert len(part) == 3 and (part.labels == 2).all()
    assert part.sequences == [ds.sequences[i] for i in rows]
    proteins = ds.meta.ground_truth["proteins"]
    assert part.meta.ground_truth["proteins"] == [proteins[i] for i in rows]
    assert len(ds.meta.ground_truth["proteins"]) == len(ds)  # the pooled corpus is untouched
    with pytest.raises(SequenceError, match=r"no species 'martian'.*e_coli"):
        species_corpus(ds, "martian")
    with pytest.raises(SequenceError, match="no species to choose from"):
        species_corpus(planted_dataset(n=20), "e_coli")


@pytest.mark.parametrize(
    ("length", "step", "starts"),
    [(10, 4, [0, 4, 6]), (8, 4, [0, 4]), (3, 4, [0]), (4, 4, [0]), (0, 4, [0])],
)
def test_chunks_cover_every_base_the_last_flush_with_the_end(length, step, starts):
    from genoviz.pretrain_corpus import chunk_starts

    assert chunk_starts(length, step) == starts


@pytest.mark.parametrize("view", ["codon", "parallel", "codon-frame1"])
def test_every_coding_sequence_reaches_pretraining_with_its_stop_codon(view):
    # Cutting only whole chunks from the start dropped each sequence's end: 153 of 1,800
    # stop codons reached codon-bert's pretraining, 29 in the parallel view.
    import models
    from genoviz.data.codon_corpus import build_codon_corpus
    from genoviz.pretrain_corpus import chunk_texts

    ds = build_codon_corpus(seed=0, n_per_species=2)
    net = models.get("codon-bert", seq_len=60, size="tiny", head="mlm")
    texts, source = chunk_texts(ds, net, MaskConfig(max_tokens=32, view=view))
    frame = 1 if view.endswith("frame1") else 0
    for i, gene in enumerate(ds.sequences):
        own = [
            t[0] if isinstance(t, tuple) else t
            for t, j in zip(texts, source, strict=True)
            if j == i
        ]
        assert all(len(t) % 3 == 0 for t in own)  # whole codons: the frame is kept
        read = gene[frame:]
        usable = read[: len(read) - len(read) % 3]
        covered = np.zeros(len(usable), bool)
        for t in own:  # each chunk is in frame, where it sits in the gene
            at = [a for a in range(0, len(usable) - len(t) + 1, 3) if usable[a : a + len(t)] == t]
            covered[at[0] : at[0] + len(t)] = True
        assert covered.all()
        if not frame:
            assert own[-1].endswith(gene[-3:]) and gene[-3:] in ("TAA", "TAG", "TGA")
            if view == "parallel":
                protein = ds.meta.ground_truth["proteins"][i]  # no "*" for the stop
                assert texts[np.flatnonzero(source == i)[-1]][1].endswith(protein[-5:])


def test_kmer_chunks_cover_each_sequence_to_its_end():
    import models
    from genoviz.pretrain_corpus import chunk_texts

    net = models.get("kmer-bert", seq_len=300, size="tiny", head="mlm", k=3)
    ds = Dataset(["ACGT" * 50 + "GGGCCC", "TTTT" * 10], np.zeros(2), "lm", DatasetMeta("two"))
    texts, source = chunk_texts(ds, net, MaskConfig(max_tokens=66, view="codon"))
    assert source.tolist() == [0, 0, 0, 0, 1]
    assert texts[-2].endswith("GGGCCC") and all(len(t) == 66 for t in texts[:4])
    assert texts[-1] == "TTTT" * 10
