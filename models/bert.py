"""``kmer-bert`` and ``codon-bert``: BERT (Hugging Face ``transformers``) over sequence tokens.

``kmer-bert`` reads overlapping k-mers with DNABERT's vocabulary (k = 3-6), so a DNABERT
checkpoint folder (``config.json``, ``vocab.txt``, ``model.safetensors`` or DNABERT's own
``pytorch_model.bin``, read without running code) loads unchanged.
``codon-bert`` reads in-frame codons with the joint codon + amino-acid vocabulary.

Both are a :class:`models.token_bert.TokenBert`: token ids ``(n, T)`` in, logits
``(n, outputs)`` (or ``(n, T, vocab)`` with the MLM head) out, in windows past BERT's 512
positions (:mod:`models.bert_lengths`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from genoviz.tokens import (
    CLS_ID,
    PAD_ID,
    SEP_ID,
    SPECIAL_TOKENS,
    UNK_ID,
    codon_tokens,
    codon_vocab,
    kmer_tokenize,
    kmer_vocab,
)
from models.bert_lengths import codon_token_count, kmer_token_count
from models.layers import BaseSumEmbedding
from models.token_bert import TokenBert

#: ``kmer-bert`` k-mer embeddings: ``bases`` start as the sum of per-position base vectors,
#: then each k-mer's row learns freely; ``random`` start independent (DNABERT's);
#: ``tied`` stay that sum while training (:class:`BaseSumEmbedding`).
EMBED_INITS = ("bases", "random", "tied")
#: Tokens below this id are the specials [PAD] [UNK] [CLS] [SEP] [MASK].
N_SPECIAL = len(SPECIAL_TOKENS)


class KmerBert(TokenBert):
    """DNABERT-style BERT over overlapping k-mers (k = 3-6).

    Input ids ``(n, T)`` with ``T = L - k + 3`` for ``L`` bases; output ``(n, outputs)``.

    Args:
        embed_init: ``bases`` (default) starts each k-mer's embedding as the sum of its
            bases' per-position vectors; ``random`` starts them independent, as DNABERT
            does. A loaded checkpoint replaces either. ``tied`` keeps every k-mer's
            embedding that sum while training (:class:`BaseSumEmbedding`): 4k vectors
            instead of 4**k, so the model cannot learn single training k-mers by heart.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        *,
        k: int = 6,
        size: str = "small",
        head: str = "classify",
        bert_config: dict[str, Any] | None = None,
        embed_init: str = "bases",
    ) -> None:
        if embed_init not in EMBED_INITS:
            raise ValueError(f"embed_init must be {' or '.join(EMBED_INITS)}, not {embed_init!r}")
        self.k = k
        super().__init__(
            seq_len,
            outputs,
            extras,
            vocab=kmer_vocab(k),
            size=size,
            head=head,
            bert_config=bert_config,
        )
        if embed_init != "random":
            self._init_from_bases(tied=embed_init == "tied")

    @torch.no_grad()
    def _init_from_bases(self, tied: bool = False) -> None:
        """Start every k-mer's input (and, for the MLM head, output) embedding as the sum of
        one random vector per (position, base): k-mers that share bases in place start
        alike, and guessing a masked k-mer starts out as guessing its bases. DNABERT starts
        from independent random vectors, which need far more steps to learn the same.
        ``tied`` keeps the input embeddings that sum for good."""
        hidden = self.hf.config.hidden_size
        std = 2 * self.hf.config.initializer_range / self.k**0.5
        parts = torch.randn(self.k, 4, hidden) * std
        embeddings = self.hf.get_input_embeddings()
        tied_table = BaseSumEmbedding(embeddings.weight[:N_SPECIAL], parts, self.vocab[N_SPECIAL:])
        table = tied_table.weight[N_SPECIAL:]
        if tied:
            self.hf.set_input_embeddings(tied_table)
        else:
            embeddings.weight[N_SPECIAL:] = table
        if self.head == "mlm":
            self.hf.get_output_embeddings().weight[N_SPECIAL:] = table

    def encode(self, sequences: Sequence[str]) -> np.ndarray:
        return kmer_tokenize(sequences, self.k)[0]

    def n_tokens(self, length: int) -> int:
        return kmer_token_count(length, self.k)


class CodonBert(TokenBert):
    """BERT over in-frame codons, vocabulary: specials, 64 codons, 20 amino acids and ``*``.

    Input ids ``(n, T)`` with ``T = L // 3 + 2``; output ``(n, outputs)``.
    """

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        *,
        size: str = "small",
        head: str = "classify",
        bert_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            seq_len,
            outputs,
            extras,
            vocab=codon_vocab(),
            size=size,
            head=head,
            bert_config=bert_config,
        )

    def encode(self, sequences: Sequence[str]) -> np.ndarray:
        return encode_token_lists([codon_tokens(s) for s in sequences], self.vocab)

    def n_tokens(self, length: int) -> int:
        return codon_token_count(length)


def encode_token_lists(rows: Sequence[Sequence[str]], vocab: list[str]) -> np.ndarray:
    """``[CLS] tokens [SEP]`` ids ``(n, T)`` int64, padded with ``[PAD]``; unknown -> ``[UNK]``."""
    index = {t: i for i, t in enumerate(vocab)}
    width = max((len(r) for r in rows), default=0) + 2
    out = np.full((len(rows), width), PAD_ID, dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r) + 2] = [CLS_ID, *(index.get(t, UNK_ID) for t in r), SEP_ID]
    return out
