"""``python -m genoviz pretrain`` (masked-token pretraining of a BERT) and
``python -m genoviz autoencode`` (the convolutional autoencoder): the two commands that
learn without labels."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

import models
from genoviz import run_lock, run_predictions, runs
from genoviz.cli_inputs import check_output, load_data
from genoviz.cli_options import bert_hparams
from genoviz.cli_progress import finite
from genoviz.data.errors import UnlabelledError
from genoviz.training import TrainConfig, fit


def cmd_autoencode(args: argparse.Namespace) -> int:
    from genoviz.autoencoder import AutoencoderConfig, fit_autoencoder
    from genoviz.pretrain_corpus import load_corpus

    try:
        dataset = load_data(args)
    except UnlabelledError:  # it learns without labels: plain sequences will do
        dataset = load_corpus(args.data, seed=args.seed)
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        raise runs.RunError(f"{out} already exists and is not empty; choose a new --out")
    latent_csv = check_output(args.latent_csv, args) if args.latent_csv else None
    from genoviz.train_setup import select_device

    select_device(args.device)  # an unavailable device is refused before --out is made
    config = AutoencoderConfig(
        epochs=args.epochs, seed=args.seed, device=args.device, lr=args.lr, seq_len=args.seq_len
    )

    def show(rec: dict) -> None:
        if not args.quiet:
            print(
                f"epoch {rec['epoch']:3d}  train_loss={rec['train_loss']:.4f}  "
                f"valid_accuracy={rec['valid_accuracy']:.4f}{'  *' if rec['best'] else ''}",
                flush=True,
            )

    out.mkdir(parents=True, exist_ok=True)
    with run_lock.RunLock(out):  # so the run reads as running, not interrupted, meanwhile
        result = fit_autoencoder(dataset, config, on_epoch=show, run_dir=out)
    if args.latent_csv:
        lat = result.latent
        table = {"id": lat.ids, "pc1": lat.coords[:, 0], "pc2": lat.coords[:, 1]}
        if dataset.task != "lm":  # plain sequences have no label to write
            # as test_predictions.csv names them: label, label_<task>, a class by its name
            table |= run_predictions.label_columns(
                lat.labels, list(dataset.class_names), dataset.task == "multiclass"
            )
        latent_csv.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(table).to_csv(latent_csv, index=False, float_format="%.6g")
    final = {
        "run": str(out),
        "model": "autoencoder",
        "dataset": dataset.name,
        "status": result.status,
        "test": {
            "reconstruction_accuracy": result.test_accuracy,
            "commonest_base_accuracy": result.test_floor,
        },
        "latent_explained_variance": [float(v) for v in result.latent.explained],
    }
    print(json.dumps(finite(final)))
    return 0


def cmd_pretrain(args: argparse.Namespace) -> int:
    from genoviz.pretrain_corpus import load_corpus

    if args.model != "codon-bert" and args.view != "codon":
        raise models.ModelError(
            f"--view {args.view} is for codon-bert; {args.model} reads DNA as k-mers"
        )
    corpus = load_corpus(args.data, seed=args.seed)
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        raise runs.RunError(f"{out} already exists and is not empty; choose a new --out")
    mlm = {
        "max_tokens": args.max_tokens,
        "span": not args.no_span,
        "view": args.view,
        "chunks_per_epoch": args.chunks_per_epoch or None,
        "species": args.species,
    }
    config = TrainConfig(
        epochs=args.epochs,
        seed=args.seed,
        device=args.device,
        batch_size=args.batch_size,
        lr=args.lr,
        save=False,
        hparams=bert_hparams(args, args.model),
        init_bert=args.init_bert,
        mlm=mlm,
    )

    def show(rec: dict) -> None:
        if not args.quiet:
            print(
                f"epoch {rec['epoch']:3d}  mask={rec['mask_rate']:.2f}  "
                f"train_loss={rec['train_loss']:.4f}  valid_loss={rec['valid_loss']:.4f}  "
                f"masked_acc={rec['valid_masked_acc']:.4f}  "
                f"baseline={rec['baseline_masked_acc']:.4f}{'  *' if rec['best'] else ''}",
                flush=True,
            )

    result = fit(corpus, args.model, config, on_epoch=show, run_dir=out)
    final = {
        "run": str(out),
        "model": args.model,
        "dataset": corpus.name,
        "task": "lm",
        "status": result.status,
        "best_epoch": result.best_epoch,
        "valid": result.valid_metrics,
        "test": result.test_metrics,
    }
    print(json.dumps(finite(final)))
    return 0
