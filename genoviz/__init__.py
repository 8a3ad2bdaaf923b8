"""genoviz: deep learning on DNA, RNA and protein sequences, without a UI dependency."""

__version__ = "0.1.0"
