from __future__ import annotations

from pathlib import Path

from genoviz import runs


def test_init_from_a_pretraining_run_takes_its_shape_not_its_mlm_head(tmp_path: Path):
    from genoviz.train_build import source_architecture

    d = tmp_path / "pre"
    d.mkdir()
    build = {"seq_len": 300, "outputs": 1, "extras": 0, "k": 3, "size": "tiny", "head": "mlm"}
    runs.write_run_json(d, {"model": {"name": "kmer-bert", "build": build}})
    assert source_architecture("kmer-bert", str(d)) == {"k": 3, "size": "tiny"}
    assert source_architecture("codon-bert", str(d)) == {}  # another model: nothing
