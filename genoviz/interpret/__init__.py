"""Look inside a trained model: one analysis per module.

- :mod:`~genoviz.interpret.attribution`: captum saliency maps (IG, DeepLift, ...);
- :mod:`~genoviz.interpret.attribution_methods`: the attribution methods, each run on one strand;
- :mod:`~genoviz.interpret.references`: attribution baselines (zeros, uniform, shuffles);
- :mod:`~genoviz.interpret.ism`: in-silico saturation mutagenesis;
- :mod:`~genoviz.interpret.variants`: effects of named variants;
- :mod:`~genoviz.interpret.filters`: first-layer filters as motifs;
- :mod:`~genoviz.interpret.learned_motifs`: a motif-net's own V and mask, matched to JASPAR;
- :mod:`~genoviz.interpret.matching`: motifs matched against JASPAR (TOMTOM);
- :mod:`~genoviz.interpret.truth`: planted-motif recovery on simulated sets;
- :mod:`~genoviz.interpret.logos`: logo panels rendered once and cached;
- :mod:`~genoviz.interpret.embeddings`: codon and amino-acid embedding similarity, MRR;
- :mod:`~genoviz.interpret.sequence_embeddings`: per-sequence embeddings, PCA by label;
- :mod:`~genoviz.interpret.attention`: kmer-bert attention maps, [CLS] on bases, motifs;
- :mod:`~genoviz.interpret.kmer_attribution`: kmer-bert layer integrated gradients.
"""
