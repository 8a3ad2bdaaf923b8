"""``TokenBert``: BERT (Hugging Face ``transformers``) over sequence tokens, with a
classification/regression or a masked-LM head; ``kmer-bert`` and ``codon-bert``
(:mod:`models.bert`) are built on it.

Input: token ids ``(n, T)`` int64 as :meth:`TokenBert.encode` makes them (``[CLS] ... [SEP]``,
``[PAD]`` = 0 after). Output: logits ``(n, outputs)`` (``head="classify"``) or
``(n, T, vocab)`` (``head="mlm"``). Sequences of more than 512 tokens are cut into
overlapping windows of 510 tokens whose logits are averaged
(:func:`models.bert_lengths.window_note`).
Training uses SDPA attention; :meth:`TokenBert.attentions` switches to eager attention,
the only kind that returns the weights, and back. The sizes (:data:`SIZES`) and the
pretrained weights (``save_hf``, ``load_pretrained``) are here too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification

from genoviz.tokens import CLS_ID, PAD_ID, SEP_ID
from models.bert_lengths import MAX_POSITIONS
from models.checkpoints import CheckpointError, check_vocab, hf_dir, read_checkpoint_weights
from models.layers import BaseSumEmbedding, ExtrasScale

#: Laptop-CPU sizes. ``small`` is the issue's 4 layers, hidden 256, 4 heads.
SIZES: dict[str, dict[str, int]] = {
    "tiny": {
        "num_hidden_layers": 2,
        "hidden_size": 64,
        "num_attention_heads": 4,
        "intermediate_size": 256,
    },
    "small": {
        "num_hidden_layers": 4,
        "hidden_size": 256,
        "num_attention_heads": 4,
        "intermediate_size": 1024,
    },
}
#: The ``size`` recorded for a BERT shaped by a checkpoint's ``bert_config`` that matches
#: none of :data:`SIZES` (DNA_bert_6 is 12 layers of 768).
CHECKPOINT_SIZE = "checkpoint"


def size_of(arch: dict[str, Any]) -> str:
    """The :data:`SIZES` name whose every key ``arch`` matches, else :data:`CHECKPOINT_SIZE`."""
    for name, keys in SIZES.items():
        if all(arch.get(k) == v for k, v in keys.items()):
            return name
    return CHECKPOINT_SIZE


class TokenBert(nn.Module):
    """BERT over a token vocabulary, with a classification/regression or a masked-LM head.

    Args:
        seq_len: training length in bases (kept for the registry; BERT does not need it).
        outputs: logits per sequence (classify head).
        extras: per-sequence numbers added to the logits through a linear map, shape ``(n, e)``.
        vocab: the tokens, ids in list order.
        size: ``tiny`` or ``small`` (:data:`SIZES`); ``bert_config`` overrides its keys.
        head: ``classify`` (``BertForSequenceClassification``) or ``mlm``
            (``BertForMaskedLM``).
    """

    kind = "token"

    def __init__(
        self,
        seq_len: int,
        outputs: int = 1,
        extras: int = 0,
        *,
        vocab: list[str],
        size: str = "small",
        head: str = "classify",
        bert_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if size not in SIZES and not (size == CHECKPOINT_SIZE and bert_config):
            raise ValueError(f"unknown BERT size {size!r}; choose {' or '.join(SIZES)}")
        if head not in ("classify", "mlm"):
            raise ValueError(f"head must be 'classify' or 'mlm', not {head!r}")
        self.seq_len, self.outputs, self.n_extras, self.head = seq_len, outputs, extras, head
        self.vocab = list(vocab)
        arch = {
            "max_position_embeddings": MAX_POSITIONS,
            **SIZES.get(size, {}),
            **(bert_config or {}),
        }
        config = BertConfig(
            vocab_size=len(self.vocab),
            pad_token_id=PAD_ID,
            num_labels=outputs,
            # Untied, so the state dict has no shared tensors and saves as plain safetensors.
            tie_word_embeddings=False,
            attn_implementation="sdpa",
            **arch,
        )
        cls = BertForMaskedLM if head == "mlm" else BertForSequenceClassification
        self.hf = cls(config)
        self.extras_head = nn.Linear(extras, outputs) if extras and head == "classify" else None
        self.extras_scale = ExtrasScale(extras) if self.extras_head is not None else None
        if self.extras_head is not None:
            # start neutral: a random sign read tf-binding's accessibility backwards (test
            # ROC AUC 0.30), and at BERT's small learning rate it took epochs to turn round
            nn.init.zeros_(self.extras_head.weight)
            nn.init.zeros_(self.extras_head.bias)

    @property
    def max_positions(self) -> int:
        return int(self.hf.config.max_position_embeddings)

    @property
    def tied(self) -> bool:
        """True when the k-mer embeddings are tied to their bases (``embed_init="tied"``)."""
        return isinstance(self.hf.get_input_embeddings(), BaseSumEmbedding)

    # --- tokens ---------------------------------------------------------------------
    def encode(self, sequences: Sequence[str]) -> np.ndarray:
        """Token ids ``(n, T)`` int64, ``[CLS] ... [SEP]`` then ``[PAD]``."""
        raise NotImplementedError

    def n_tokens(self, length: int) -> int:
        """Tokens (with [CLS] and [SEP]) a sequence of ``length`` bases gives."""
        raise NotImplementedError

    # --- forward --------------------------------------------------------------------
    def forward(self, x: torch.Tensor, extras: torch.Tensor | None = None) -> torch.Tensor:
        """``x``: ids ``(n, T)``. Returns ``(n, outputs)`` or, for the MLM head, ``(n, T, V)``."""
        if self.extras_head is not None and extras is None:
            raise ValueError(f"this model needs {self.n_extras} extra value(s) per sequence")
        x = x.long()
        if self.head == "mlm":
            if x.shape[1] > self.max_positions:
                raise ValueError(f"MLM input has {x.shape[1]} tokens, over {self.max_positions}")
            return self.hf(input_ids=x, attention_mask=(x != PAD_ID).long()).logits
        if x.shape[1] > self.max_positions:
            logits = self._windowed(x)
        else:
            logits = self.hf(input_ids=x, attention_mask=(x != PAD_ID).long()).logits
        if self.extras_head is not None:
            logits = logits + self.extras_head(self.extras_scale(extras))
        return logits

    def masked_logits(self, x: torch.Tensor, where: torch.Tensor) -> torch.Tensor:
        """MLM head: vocabulary logits ``(m, V)`` at the ``m`` positions where ``where``
        ``(n, T)`` is True. Cheaper than :meth:`forward`, which decodes every position."""
        if self.head != "mlm":
            raise ValueError("masked_logits needs the MLM head (head='mlm')")
        x = x.long()
        hidden = self.hf.bert(input_ids=x, attention_mask=(x != PAD_ID).long()).last_hidden_state
        return self.hf.cls(hidden[where])

    def _windowed(self, x: torch.Tensor) -> torch.Tensor:
        """Average logits over the overlapping windows of :meth:`windows`."""
        return self.windowed_mean(
            x, lambda ids: self.hf(input_ids=ids, attention_mask=(ids != PAD_ID).long()).logits
        )

    def windowed_mean(
        self,
        x: torch.Tensor,
        per_window: Callable[[torch.Tensor], torch.Tensor],
        batch: int | None = None,
    ) -> torch.Tensor:
        """``per_window`` ``(m, d)`` of the overlapping windows of ids ``x`` (:meth:`windows`),
        averaged over each row's windows: ``(n, d)`` float32. ``batch``: at most this many
        windows per call (None = all at once)."""
        ids, who = self.windows(x)
        parts = ids.split(batch) if batch else (ids,)
        out = torch.cat([per_window(w) for w in parts]).float()
        acc = torch.zeros(len(x), out.shape[1], device=x.device).index_add_(0, who, out)
        count = torch.bincount(who, minlength=len(x)).clamp(min=1)[:, None]
        return acc / count

    def windows(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Cut ids ``(n, T)`` into overlapping windows of ``max_positions - 2`` content
        tokens (half a window apart, the last one flush with the sequence's end), each
        ``[CLS] ... [SEP]``.

        Returns:
            window ids ``(m, max_positions)`` and the row of ``x`` each came from ``(m,)``.
        """
        width = self.max_positions - 2
        stride = width // 2
        body = x[:, 1:]
        lengths = ((body != PAD_ID) & (body != SEP_ID)).sum(1).tolist()
        windows, owner = [], []
        for i, n in enumerate(lengths):
            starts = list(range(0, max(n - width, 0) + 1, stride))
            if starts[-1] + width < n:
                starts.append(n - width)
            for a in starts:
                chunk = body[i, a : min(a + width, n)]
                ids = torch.full((width + 2,), PAD_ID, dtype=x.dtype, device=x.device)
                ids[0], ids[1 : len(chunk) + 1], ids[len(chunk) + 1] = CLS_ID, chunk, SEP_ID
                windows.append(ids)
                owner.append(i)
        return torch.stack(windows), torch.tensor(owner, device=x.device)

    # --- interpretation -------------------------------------------------------------
    @torch.no_grad()
    def attentions(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Attention weights per layer: ``(heads, T, T)`` for ids ``(T,)`` or ``(1, T)``,
        ``(n, heads, T, T)`` for a batch ``(n, T)`` (at most ``max_positions`` tokens).

        Switches to eager attention (SDPA cannot return weights) and eval mode, and
        restores both.
        """
        single = x.dim() == 1 or len(x) == 1
        x = x.reshape(-1, x.shape[-1]).long()
        bert = self.hf.bert
        was_training, impl = self.training, self.hf.config._attn_implementation
        self.eval()
        try:
            self.hf.set_attn_implementation("eager")
            out = bert(input_ids=x, attention_mask=(x != PAD_ID).long(), output_attentions=True)
            maps = [a.float().cpu() for a in out.attentions]
        finally:
            self.hf.set_attn_implementation(impl)
            self.train(was_training)
        return [a[0] for a in maps] if single else maps

    @torch.no_grad()
    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """Last-layer hidden states ``(n, T, hidden)`` for ids ``(n, T)`` (at most
        ``max_positions`` tokens), in eval mode (restored after)."""
        x = x.long()
        was_training = self.training
        self.eval()
        try:
            mask = (x != PAD_ID).long()
            return self.hf.bert(input_ids=x, attention_mask=mask).last_hidden_state.float()
        finally:
            self.train(was_training)

    def token_embeddings(self) -> torch.Tensor:
        """Input token embeddings ``(vocab, hidden)``, rows in :attr:`vocab` order."""
        return self.hf.bert.embeddings.word_embeddings.weight.detach().cpu().clone()

    # --- pretrained weights ---------------------------------------------------------
    def save_hf(self, path: str | Path) -> None:
        """Write a ``save_pretrained`` folder (safetensors) plus DNABERT's ``vocab.txt``."""
        from transformers.utils import logging as hf_logging

        path = Path(path)
        hf_logging.disable_progress_bar()
        embeddings = self.hf.get_input_embeddings()
        if self.tied:  # written as the plain table DNABERT has
            table = nn.Embedding(*embeddings.weight.shape, padding_idx=PAD_ID)
            table.weight.data.copy_(embeddings.weight.detach())
            self.hf.set_input_embeddings(table)
        try:
            self.hf.save_pretrained(path)
        finally:
            self.hf.set_input_embeddings(embeddings)
        (path / "vocab.txt").write_text("\n".join(self.vocab) + "\n")

    def load_pretrained(self, path: str | Path) -> list[str]:
        """Copy the encoder (and the MLM head when this model has one) from a checkpoint
        folder; the classification head stays freshly initialised.

        Returns:
            the names of the weights left at their initial values (e.g. the pooler).

        Raises:
            CheckpointError: the vocabulary or the architecture does not match.
        """
        path = hf_dir(path)
        check_vocab(path, self.vocab)
        if self.tied:
            raise CheckpointError(
                f"{path}: a checkpoint brings a k-mer embedding table, which a model with "
                "embeddings tied to their bases (embed_init='tied') cannot hold; build it "
                "with embed_init='bases'"
            )
        state = read_checkpoint_weights(path)
        # DNABERT (transformers 2.x) and current BertFor* both prefix the encoder "bert.".
        mine = self.hf.state_dict()
        take = {k: v for k, v in state.items() if k in mine and k.split(".")[0] == "bert"}
        if self.head == "mlm":
            take |= {k: v for k, v in state.items() if k in mine and k.startswith("cls.")}
            dec = "cls.predictions.decoder.weight"
            if dec not in take:  # tied in the checkpoint, so saved once
                take[dec] = state["bert.embeddings.word_embeddings.weight"]
        for k, v in take.items():
            if tuple(v.shape) != tuple(mine[k].shape):
                raise CheckpointError(
                    f"{path}: weight {k} has shape {tuple(v.shape)}, the model expects "
                    f"{tuple(mine[k].shape)}"
                )
        if not any(k.startswith("bert.encoder.") for k in take):
            raise CheckpointError(f"{path}: no BERT encoder weights (bert.encoder.*) found")
        trunk = ("bert.encoder.", "bert.embeddings.")
        lacking = [
            k for k, _ in self.hf.named_parameters() if k.startswith(trunk) and k not in take
        ]
        if lacking:
            raise CheckpointError(
                f"{path}: {len(lacking)} of the encoder's weights are not in the checkpoint "
                f"(e.g. {lacking[0]}): a partial download, or a different architecture"
            )
        self.hf.load_state_dict(take, strict=False)
        return sorted(k for k in mine if k not in take)
