"""Masked-language-model pretraining of the BERT models, as DNABERT does it.

Overlapping k-mers leak: a masked k-mer is spelled out by its two neighbours. So DNABERT
masks **contiguous spans of k tokens** around each sampled centre (offsets -2...+3 for
k = 6, -1...+1 for k = 3), on about 15% of the tokens, 20% late in the schedule, with the
80/10/10 replacement ([MASK] / random token / unchanged). Codon tokens do not overlap, so
``codon-bert`` masks single tokens. :func:`fit_mlm` is what :func:`genoviz.training.fit`
runs for a task-``lm`` dataset, so a :class:`~genoviz.training.TrainingJob` shows it live.

Each epoch's record has ``train_loss`` / ``valid_loss`` (cross-entropy over masked tokens),
``train_masked_acc`` / ``valid_masked_acc`` and ``baseline_masked_acc``: the accuracy of
always guessing the training corpus's most frequent token.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

import models
from genoviz import run_folders, run_lock, run_outcome, runs
from genoviz.data import BUNDLED, Dataset, DatasetMeta, load_bundled
from genoviz.data.dna_corpus import DNA_CORPUS, dna_corpus
from genoviz.data.importers import read_text
from genoviz.predict_inputs import read_inputs
from genoviz.random_streams import TorchStream
from genoviz.sequences import Record, SequenceError
from genoviz.tokens import MASK_ID
from genoviz.train_setup import (
    StopRequested,
    TrainConfig,
    TrainingError,
    TrainResult,
    check_config,
    checkpoint_build,
    load_bert,
    run_info,
    select_device,
)
from models.bert import N_SPECIAL  # specials are never masked

#: Training settings pretraining starts from (Train page and CLI): about 20 steps of 32
#: chunks of 128 tokens per epoch, so the small kmer-bert draws a curve point every 15 s
#: and 20 epochs take about 5 minutes on a 2-core CPU. ``fit`` itself takes any.
DEFAULTS: dict[str, Any] = {"epochs": 20, "batch_size": 32, "lr": 1e-3}


@dataclass
class MaskConfig:
    """How tokens are masked; ``TrainConfig.mlm`` holds these keys.

    Attributes:
        rate: share of tokens masked (spans included), first part of the schedule.
        late_rate: share masked from ``late_after`` (fraction of the epochs) on.
        span: mask k contiguous tokens around each centre (DNABERT); False = single tokens
            (leaks for overlapping k-mers; kept for the demonstration).
        max_tokens: longest training chunk, [CLS] and [SEP] included.
        chunks_per_epoch: an epoch's sample of the training chunks, so a big corpus still
            gives a curve point every few seconds.
        view: ``codon-bert`` on ``codon-corpus``: ``codon`` sentences or ``parallel``
            (codons, [SEP], the protein's amino acids); ``-frame1`` / ``-frame2`` read the
            codons one or two bases late (the frame-shift control: the protein stays).
        species: pretrain on this species of a codon corpus only (one "language");
            None = every species pooled.
    """

    rate: float = 0.15
    late_rate: float = 0.20
    late_after: float = 0.8
    span: bool = True
    max_tokens: int = 128
    view: str = "codon"
    species: str | None = None
    #: Train chunks drawn (without replacement) per epoch; None = all of them.
    chunks_per_epoch: int | None = 512
    #: Validation and test each use at most this many chunks (a seeded sample).
    max_eval_chunks: int = 512

    def rate_at(self, epoch: int, epochs: int) -> float:
        """The masking rate of 1-based ``epoch``: ``late_rate`` for the epochs that start
        at or past ``late_after`` of the schedule, so never more than the last 20% of a
        run (a 1-epoch run masks 15% throughout; it had masked 20% throughout)."""
        return self.late_rate if epoch - 1 >= self.late_after * epochs - 1e-9 else self.rate


def span_offsets(k: int) -> range:
    """Token offsets masked around a centre: -2..+3 for k = 6, -1..+1 for k = 3."""
    return range(-((k - 1) // 2), k // 2 + 1)


def centre_probability(rate: float, span: int) -> float:
    """Per-token centre probability whose spans cover ``rate`` of the tokens on average
    (DNABERT's script passes it directly: 0.025 for k = 6, about 14% masked)."""
    return 1.0 - (1.0 - rate) ** (1.0 / span)


class Masked(NamedTuple):
    inputs: torch.Tensor  # (n, T) ids with masks applied
    labels: torch.Tensor  # (n, T) original ids at masked positions, -100 elsewhere


def mask_tokens(
    ids: torch.Tensor,
    rate: float,
    offsets: Sequence[int],
    vocab_size: int,
    generator: torch.Generator,
) -> Masked:
    """Mask spans (``offsets`` around sampled centres) over the non-special tokens.

    Args:
        ids: token ids ``(n, T)``; specials (id < 5) are never masked.
        offsets: ``span_offsets(k)`` for spans, ``[0]`` for single tokens.
    """
    maskable = ids >= N_SPECIAL
    p = centre_probability(rate, len(offsets))
    centres = (torch.rand(ids.shape, generator=generator) < p) & maskable
    masked = torch.zeros_like(centres)
    T = ids.shape[1]
    for o in offsets:  # shift the centres by each offset (no wrap-around)
        if o >= 0:
            masked[:, o:] |= centres[:, : T - o]
        else:
            masked[:, :o] |= centres[:, -o:]
    masked &= maskable
    labels = torch.where(masked, ids, torch.full_like(ids, -100))
    u = torch.rand(ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[masked & (u < 0.8)] = MASK_ID
    swap = masked & (u >= 0.8) & (u < 0.9)
    rand = torch.randint(N_SPECIAL, vocab_size, ids.shape, generator=generator)
    inputs[swap] = rand[swap]
    return Masked(inputs, labels)


# --- corpora ----------------------------------------------------------------------------


def as_corpus(dataset: Dataset, name: str | None = None) -> Dataset:
    """The same sequences as an unlabelled ``lm`` dataset (labels dropped)."""
    meta = copy.deepcopy(dataset.meta)
    meta.name = name or f"{dataset.name}-corpus"
    return Dataset(
        list(dataset.sequences), np.zeros(len(dataset), np.float32), "lm", meta, ids=dataset.ids
    )


def load_corpus(spec: str | Path, seed: int = 0) -> Dataset:
    """A pretraining corpus: ``dna-corpus``, any bundled set (labels dropped), or a file
    of the user's own sequences: FASTA, one per line, or a CSV/TSV with a ``sequence``
    column (plain or DNABERT k-mers; labels and other columns ignored)."""
    spec_s = str(spec)
    if spec_s == DNA_CORPUS:
        return dna_corpus(seed)
    if spec_s in BUNDLED:
        ds = load_bundled(spec_s, seed=seed)
        return ds if ds.task == "lm" else as_corpus(ds)
    path = Path(spec_s).expanduser()
    if not path.is_file():
        raise SequenceError(f"{spec_s!r} is not {DNA_CORPUS}, a bundled set or a file of sequences")
    inputs = read_inputs(read_text(path), path.name)
    corpus = corpus_from_records(
        [Record(i, s) for i, s in zip(inputs.ids, inputs.seqs, strict=True)], path.name
    )
    corpus.meta.notes["spec"] = str(path)
    return corpus


def corpus_from_records(records: Sequence[Record], name: str) -> Dataset:
    """The user's own sequences (FASTA or one per line, parsed) as a pretraining corpus."""
    meta = DatasetMeta(name=name, description="User sequences for pretraining")
    seqs = [r.sequence for r in records]
    return Dataset(seqs, np.zeros(len(seqs), np.float32), "lm", meta, ids=[r.id for r in records])


def species_corpus(dataset: Dataset, species: str) -> Dataset:
    """The sequences of one species of a codon corpus (named in ``meta.notes['species']``,
    labels are their indices), with their proteins."""
    names = list(dataset.meta.notes.get("species") or [])
    if not names:
        raise SequenceError(f"{dataset.name} has no species to choose from; pretrain on all of it")
    if species not in names:
        raise SequenceError(
            f"{dataset.name} has no species {species!r}; choose one of {', '.join(names)}"
        )
    rows = np.flatnonzero(dataset.labels == names.index(species))
    truth = dict(dataset.meta.ground_truth)
    if "proteins" in truth:  # row-aligned, so it is cut like the sequences
        truth["proteins"] = [truth["proteins"][i] for i in rows]
    part = dataset.subset(rows)
    part.meta = dataclasses.replace(part.meta, ground_truth=truth)
    return part


def chunk_starts(length: int, step: int) -> list[int]:
    """Starts of the ``step``-base chunks that cover ``length`` bases: every ``step``, then
    one flush with the end, overlapping the one before, so no base is left out (the end of
    a coding sequence holds its stop codon); one chunk when the sequence is shorter."""
    starts = list(range(0, max(length - step, 0) + 1, step))
    if starts[-1] + step < length:
        starts.append(length - step)
    return starts


def chunk_texts(
    dataset: Dataset, model: nn.Module, opts: MaskConfig
) -> tuple[list[str], np.ndarray]:
    """Cut the corpus into training texts that fit ``opts.max_tokens`` tokens.

    Returns:
        the texts and, for each, the index of the sequence it came from.
    """
    n_body = opts.max_tokens - 2
    base, _, shift = opts.view.partition("-frame")
    frame = int(shift or 0)
    if base not in ("codon", "parallel") or frame not in (0, 1, 2):
        raise SequenceError(
            f"unknown view {opts.view!r}; choose codon or parallel, optionally with -frame1 "
            "or -frame2"
        )
    codons = isinstance(model, models.bert.CodonBert)
    step = 3 * (n_body if base == "codon" else n_body // 2) if codons else n_body + model.k - 1
    proteins = dataset.meta.ground_truth.get("proteins") if base == "parallel" else None
    if base == "parallel" and proteins is None:
        raise SequenceError(f"the parallel view needs proteins; {dataset.name} has none")
    texts, source = [], []
    for i, s in enumerate(dataset.sequences):
        s = s[frame:]  # frame 1 or 2: every codon straddles two real ones
        # a codon text ends at the last whole codon, so every chunk keeps the frame
        for a in chunk_starts(len(s) - len(s) % 3 if codons else len(s), step):
            piece = s[a : a + step]
            if proteins is not None:  # the aligned residues follow as one-letter tokens
                piece = (piece, proteins[i][a // 3 : a // 3 + len(piece) // 3])
            texts.append(piece)
            source.append(i)
    return texts, np.array(source, dtype=np.int64)


def encode_texts(model: nn.Module, texts: list, width: int) -> torch.Tensor:
    """Token ids ``(n, width)`` for chunk texts (``(cds, protein)`` pairs: parallel view)."""
    if texts and isinstance(texts[0], tuple):
        from genoviz.tokens import codon_tokens
        from models.bert import encode_token_lists

        rows = [[*codon_tokens(c), "[SEP]", *p] for c, p in texts]
        ids = encode_token_lists(rows, model.vocab)
    else:
        ids = model.encode(texts)
    ids = ids[:, :width]
    if ids.shape[1] < width:
        ids = np.pad(ids, ((0, 0), (0, width - ids.shape[1])))
    return torch.from_numpy(ids)


# --- the loop ---------------------------------------------------------------------------


def fit_mlm(
    dataset: Dataset,
    model_name: str | None = None,
    config: Any = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
    run_dir: Path | None = None,
    on_run_dir: Callable[[Path], None] | None = None,
):
    """Pretrain a BERT model by masked-token modelling on ``dataset`` (any task; labels are
    ignored). Same arguments and :class:`~genoviz.training.TrainResult` as ``fit``; the
    kept epoch is the one with the lowest validation loss, and the run also gets ``hf/``
    (written at each new best epoch, so a run cut off later still fine-tunes).
    ``valid_metrics`` / ``test_metrics``: ``mlm_loss``, ``masked_acc``, ``baseline_masked_acc``.
    """

    config = config or TrainConfig()
    check_config(config)
    opts = MaskConfig(**config.mlm)
    model_name = model_name or "kmer-bert"
    spec = models.spec(model_name)
    if spec.input_kind not in models.TOKEN_KINDS:
        raise TrainingError(
            f"model {model_name!r} does not support task 'lm': masked-token pretraining "
            "needs a BERT model (kmer-bert or codon-bert)"
        )
    if opts.species is not None:
        dataset = species_corpus(dataset, opts.species)
    device = select_device(config.device)
    stream = TorchStream(config.seed, device)  # this run's draws, whatever else trains
    gen = torch.Generator().manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    dataset.ensure_splits(config.seed)

    build: dict[str, Any] = {"seq_len": opts.max_tokens, "outputs": 1, "extras": 0}
    build |= spec.defaults | config.hparams | {"head": "mlm"}
    if config.init_bert:
        build |= checkpoint_build(model_name, config.init_bert)
    with stream.active():
        model = models.get(model_name, **build)
        if config.init_bert:
            load_bert(model, config.init_bert)
    if opts.max_tokens > model.max_positions:
        raise TrainingError(f"max_tokens {opts.max_tokens} is over BERT's {model.max_positions}")
    offsets = span_offsets(model.k) if opts.span and hasattr(model, "k") else range(1)
    vocab_size = len(model.vocab)

    texts, source = chunk_texts(dataset, model, opts)
    ids = encode_texts(model, texts, opts.max_tokens)
    ids = ids[:, : int((ids != 0).sum(1).max())]  # drop all-pad columns
    part = {k: np.isin(source, v) for k, v in dataset.splits.items()}
    tr, va, te = (torch.from_numpy(np.flatnonzero(part[k])) for k in ("train", "valid", "test"))
    va, te = (
        t[np.sort(rng.permutation(len(t))[: opts.max_eval_chunks])] if len(t) else t
        for t in (va, te)
    )
    if len(tr) == 0 or len(va) == 0:
        raise TrainingError(f"too few sequences ({dataset.count_text()}) to pretrain and validate")
    x_tr = ids[tr]
    # Validation and test use the same masks every epoch (their own seeded generator).
    fixed = torch.Generator().manual_seed(config.seed + 1)
    valid = mask_tokens(ids[va], opts.rate, offsets, vocab_size, fixed)
    test = mask_tokens(ids[te], opts.rate, offsets, vocab_size, fixed) if len(te) else None
    body = x_tr[x_tr >= N_SPECIAL]
    for part_name, part_ids in (("training", x_tr), ("validation", ids[va])):
        if not (part_ids >= N_SPECIAL).any():
            unit = "k-mer" if hasattr(model, "k") else "codon"
            raise TrainingError(
                f"nothing to mask in {dataset.name}'s {part_name} part: no {unit} of A, C, G "
                "and T only (one with N or another ambiguous base becomes [UNK], which is "
                "never masked); pretrain on sequences with real bases"
            )
    # The k-mer-frequency guess: the training part's commonest token, scored on the same
    # masked positions as the model in each part (validation and test differ).
    top = int(torch.bincount(body, minlength=vocab_size).argmax())

    model = model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    per_epoch = min(opts.chunks_per_epoch or len(tr), len(tr))
    n_batches = max(1, math.ceil(per_epoch / config.batch_size))
    total = n_batches * config.epochs
    warm = max(1, min(total // 10, 200))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.1, 1 - (s - warm) / max(total - warm, 1)))
    )

    def evaluate(m: Masked) -> dict[str, float]:
        model.eval()
        loss_sum, correct, count = 0.0, 0.0, 0
        with torch.no_grad():
            for s in range(0, len(m.inputs), config.batch_size * 2):
                xb = m.inputs[s : s + config.batch_size * 2].to(device)
                yb = m.labels[s : s + config.batch_size * 2].to(device)
                sel = yb != -100
                if sel.any():
                    out = model.masked_logits(xb, sel).float()
                    loss_sum += float(nn.functional.cross_entropy(out, yb[sel], reduction="sum"))
                    correct += float((out.argmax(-1) == yb[sel]).sum())
                    count += int(sel.sum())
        masked = m.labels[m.labels != -100]
        return {
            "mlm_loss": loss_sum / count if count else math.nan,  # nothing masked: no loss
            "masked_acc": correct / count if count else math.nan,
            "baseline_masked_acc": float((masked == top).float().mean()) if count else math.nan,
        }

    info: dict[str, Any] = {}
    if run_dir is None and config.save:
        root = Path(config.runs_dir) if config.runs_dir else run_folders.default_runs_dir()
        run_dir = run_folders.new_run_dir(
            root, config.run_name or f"{dataset.name}-{model_name}-mlm"
        )
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
    # so the run reads as running, not interrupted
    lock = run_lock.RunLock(run_dir).acquire() if run_dir is not None else None
    history: list[dict[str, Any]] = []
    try:  # whatever fails, the run says so and its lock is released
        if run_dir is not None:
            if on_run_dir is not None:
                on_run_dir(run_dir)
            info = run_info(dataset, model_name, build, config, device)
            info["purpose"] = "masked-language-model pretraining"
            info["pretraining"] = {
                "objective": "masked tokens",
                "mask": vars(opts),
                "span_offsets": list(offsets),
                "chunks": {"train": len(tr), "valid": len(va), "test": len(te)},
                "tokens_per_chunk": int(ids.shape[1]),
            }
            runs.write_run_json(run_dir, info)

        best_loss, best_epoch, status = math.inf, 0, "finished"
        best_state = copy.deepcopy(model.state_dict())
        try:
            for epoch in range(1, config.epochs + 1):
                t0 = time.perf_counter()
                rate = opts.rate_at(epoch, config.epochs)
                model.train()
                perm = torch.from_numpy(rng.permutation(len(tr))[:per_epoch])
                loss_sum, correct, count, n_masked, n_tokens = 0.0, 0.0, 0, 0, 0
                for b in range(n_batches):
                    if should_stop is not None and should_stop():
                        raise StopRequested
                    xb = x_tr[perm[b * config.batch_size : (b + 1) * config.batch_size]]
                    m = mask_tokens(xb, rate, offsets, vocab_size, gen)
                    inputs, labels = m.inputs.to(device), m.labels.to(device)
                    sel = labels != -100
                    if not sel.any():
                        continue
                    with stream.active():  # dropout masks from the run's own stream
                        out = model.masked_logits(inputs, sel)
                    loss = nn.functional.cross_entropy(out.float(), labels[sel])
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    opt.step()
                    sched.step()
                    k = int(sel.sum())
                    loss_sum += float(loss.detach()) * k
                    correct += float((out.detach().argmax(-1) == labels[sel]).sum())
                    count += k
                    n_masked += k
                    n_tokens += int((xb >= N_SPECIAL).sum())
                    if on_progress is not None:
                        on_progress((b + 1) / n_batches)
                train_loss = loss_sum / max(count, 1)
                if not math.isfinite(train_loss):
                    raise TrainingError(
                        f"pretraining diverged at epoch {epoch}; try a lower learning rate"
                    )
                v = evaluate(valid)
                record = {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "valid_loss": v["mlm_loss"],
                    "train_masked_acc": correct / count if count else math.nan,
                    "valid_masked_acc": v["masked_acc"],
                    "baseline_masked_acc": v["baseline_masked_acc"],
                    "mask_rate": rate,
                    "masked_share": n_masked / max(n_tokens, 1),
                    "seconds": time.perf_counter() - t0,
                }
                # nothing masked in validation (an N-rich corpus) measures nothing: keep the
                # latest epoch rather than the untrained start
                unmeasured = math.isnan(v["mlm_loss"]) and not math.isfinite(best_loss)
                improved = v["mlm_loss"] < best_loss or unmeasured
                if improved:
                    best_loss, best_epoch = (math.inf if unmeasured else v["mlm_loss"]), epoch
                    best_state = {k: t.detach().clone() for k, t in model.state_dict().items()}
                    if run_dir is not None:
                        runs.save_weights(run_dir, model)
                        # hf/ too, so a run killed later still fine-tunes (--init-bert)
                        runs.save_hf(run_dir, model)
                record["best"] = improved
                history.append(record)
                if run_dir is not None:
                    runs.append_metrics(run_dir, record)
                if on_epoch is not None:
                    on_epoch(record)
                if epoch - best_epoch >= config.patience:
                    break
        except StopRequested:
            status = "stopped"

        model.load_state_dict(best_state)
        model.eval()
        valid_m = evaluate(valid)
        test_m = evaluate(test) if test is not None else {}
        if run_dir is not None:
            runs.save_weights(run_dir, model)
            runs.save_hf(run_dir, model)
            run_outcome.write_final(
                run_dir,
                info,
                status=status,
                best_epoch=best_epoch,
                epochs_done=len(history),
                metrics={"valid": valid_m, "test": test_m},
            )
        return TrainResult(
            model=model.cpu(),  # frees the GPU; interpretation runs on the CPU
            history=history,
            best_epoch=best_epoch,
            valid_metrics=valid_m,
            test_metrics=test_m,
            test_ids=[],
            test_labels=np.zeros(0, np.float32),
            test_predictions=np.zeros(0, np.float32),
            status=status,
            run_dir=run_dir,
            device=str(device),
        )
    except BaseException as e:
        run_outcome.write_failed(run_dir, info, e, history)
        raise
    finally:
        if lock is not None:
            lock.release()
