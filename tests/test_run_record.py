def test_a_species_run_records_the_seed_its_corpus_was_loaded_with():
    """Trained at seed 7 on codon-species loaded at 0: run.json said data_seed 7, and the
    corpus rebuilt at 7 is another one."""
    import torch

    from genoviz.data import load_bundled
    from genoviz.pretrain_corpus import species_corpus
    from genoviz.run_record import run_info
    from genoviz.train_setup import TrainConfig

    loaded = load_bundled("codon-species", seed=0)
    part = species_corpus(loaded, loaded.class_names[0])
    part.ensure_splits(7)
    build = {"extras": 0}
    info = run_info(part, "codon-bert", build, TrainConfig(seed=7), torch.device("cpu"))
    assert info["dataset"]["data_seed"] == 0
