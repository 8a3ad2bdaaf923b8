"""A convolutional autoencoder on one-hot sequences (the unsupervised example).

Trained on its own by :func:`genoviz.autoencoder.fit_autoencoder` (encoder and decoder,
reconstruction loss, no labels). Through the registry it is the *encoder* with a dense head,
so a trained autoencoder run can initialise a classifier (``--init RUN_DIR``): the encoder
tensors match by name and shape, the head starts fresh.
"""

from __future__ import annotations

import torch
from torch import nn

from models.cnn import SequenceModel
from models.layers import ConvBlock, DenseHead


def bottleneck_length(seq_len: int, pool: int) -> int:
    """Positions left after two ``pool``-fold max pools (ceil mode)."""
    once = -(-seq_len // pool)
    return -(-once // pool)


class ConvAutoencoder(SequenceModel):
    """Encoder: ConvBlock -> MaxPool -> ConvBlock -> MaxPool -> 1x1 conv to ``latent``
    channels (linear bottleneck). Decoder: 2 x (transposed conv x ``pool``, ReLU) -> conv to 4
    base logits, cropped to ``L``.

    Shapes: ``encode`` ``(n, 4, L) -> (n, latent, ceil(L / pool^2))``; ``reconstruct``
    ``(n, 4, L) -> (n, 4, L)`` logits; ``forward`` (encoder + head) ``-> (n, outputs)``.
    Fixed ``L``. The decoder exists only with ``decoder=True`` (autoencoder training); the
    registry builds the encoder and head alone, ready to take an autoencoder run's encoder.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        filters: int = 32,
        kernel: int = 9,
        pool: int = 2,
        latent: int = 4,
        hidden: int = 32,
        dropout: float = 0.2,
        decoder: bool = False,
    ) -> None:
        super().__init__()
        self.seq_len = seq_len
        self.encoder = nn.Sequential(
            ConvBlock(4, filters, kernel),
            nn.MaxPool1d(pool, pool, ceil_mode=True),
            ConvBlock(filters, filters, kernel),
            nn.MaxPool1d(pool, pool, ceil_mode=True),
            nn.Conv1d(filters, latent, 1),
        )
        self.decoder = (
            nn.Sequential(
                nn.ConvTranspose1d(latent, filters, pool, stride=pool),
                nn.ReLU(),
                nn.ConvTranspose1d(filters, filters, pool, stride=pool),
                nn.ReLU(),
                nn.Conv1d(filters, 4, kernel, padding="same"),
            )
            if decoder
            else None
        )
        self.latent_size = latent * bottleneck_length(seq_len, pool)
        self.flatten = nn.Flatten()
        self.drop = nn.Dropout(dropout)
        self.head = DenseHead(self.latent_size, outputs, extras, hidden=hidden, dropout=dropout)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Per-position base logits, ``(n, 4, L)``."""
        if self.decoder is None:
            raise AttributeError("this autoencoder was built without its decoder")
        return self.decoder(self.encoder(x))[:, :, : x.shape[2]]

    def forward_strand(self, x: torch.Tensor, extras: torch.Tensor | None) -> torch.Tensor:
        return self.head(self.drop(self.flatten(self.encoder(x))), extras)
