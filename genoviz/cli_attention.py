"""``python -m genoviz interpret attention|embeddings``: the BERT views of a saved run.

``attention`` (kmer-bert): the layer x head maps of one sequence (``--index``), its [CLS]
attention on bases, and, for binary datasets, DNABERT-style attention motifs matched to
JASPAR. ``embeddings`` (codon-bert or kmer-bert): cosine similarity of the token
embeddings and, for codon-bert, each codon's amino-acid MRR per species; with ``--mrr``
also per corpus view from contextual embeddings; with ``--sequences`` (any run) a PCA map
of per-sequence embeddings coloured by label.
Called from :mod:`genoviz.cli_interpret`, which handles the errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from genoviz.cli_interpret import PLOTLY_JS
from genoviz.cli_tracks import POSITIONS, chosen_index, placed, write_json


def parse_numbers(text: str | None, what: str, top: int) -> list[int] | None:
    """``"1,3"`` (1-based, as people count layers) -> ``[0, 2]``; None stays None."""
    from genoviz.interpret.attention import AttentionError

    if not text:
        return None
    try:
        out = [int(t) - 1 for t in text.replace(" ", "").split(",") if t]
    except ValueError:
        raise AttentionError(f"--{what}s takes numbers like 1,3, not {text!r}") from None
    bad = [str(i + 1) for i in out if not 0 <= i < top]
    if bad:
        raise AttentionError(f"the model has {what}s 1-{top}; there is no {what} {', '.join(bad)}")
    return out


def attention(args, run, model, inputs, dataset, out: Path) -> list[Path]:
    from genoviz.interpret.attention import base_track_frame, sequence_attention
    from genoviz.plots_attention import (
        attention_grid_figure,
        attention_head_figure,
        cls_attention_figure,
    )

    i = chosen_index(args.index, len(inputs.ids))
    seq, sid = inputs.sequences[i], inputs.ids[i]
    where = placed(dataset, inputs, i, len(seq))
    att = sequence_attention(model, seq)
    n_layers, n_heads = att.maps.shape[:2]
    layers = parse_numbers(args.layers, "layer", n_layers)
    heads = parse_numbers(args.heads, "head", n_heads)
    layers = list(range(n_layers)) if layers is None else layers
    heads = list(range(n_heads)) if heads is None else heads
    track = att.cls_to_bases(layers if args.layers else None, heads)
    paths = [out / "attention.csv", out / "attention_cls.csv", out / "attention.json"]
    att.frame(layers, heads).to_csv(paths[0], index=False)
    frame = base_track_frame(track, seq, "cls_attention")
    frame.assign(sequence_position=where.positions).to_csv(paths[1], index=False)
    top = (np.argsort(-track)[:10] + 1).tolist()
    info = {
        "id": sid,
        "index": args.index,
        "length": len(seq),
        "k": att.k,
        "n_tokens": len(att.tokens),
        "n_windows": att.n_windows,
        "layers": [i + 1 for i in layers],
        "heads": [h + 1 for h in heads],
        "top_positions": top,
        "top_sequence_positions": [where.own(p) for p in top],
        "sequence_length": where.length,
        "shift": where.shift,
        "positions": POSITIONS,
        "motifs": None,
    }
    grid = attention_grid_figure(att.select(layers, heads), layers, heads, f"Attention of {sid}")
    big_l, big_h = layers[-1], heads[0]
    head = attention_head_figure(
        att.maps[big_l, big_h], att.tokens, f"{sid}: layer {big_l + 1}, head {big_h + 1}"
    )
    cls = cls_attention_figure(track, seq, f"{sid}: attention from [CLS], mapped to bases")
    for name, fig in (("grid", grid), ("head", head), ("cls", cls)):
        paths.append(out / f"attention_{name}.html")
        fig.write_html(paths[-1], include_plotlyjs=PLOTLY_JS)
    labels = np.asarray(inputs.labels)
    if labels.ndim == 1 and set(np.unique(labels)) <= {0, 1} and len(set(labels)) == 2:
        paths += _motifs(args, model, inputs, labels, info, out)
    write_json(paths[2], info)
    return paths


def _motifs(args, model, inputs, labels, info, out: Path) -> list[Path]:
    from genoviz.interpret.attention import attention_motifs, cls_base_scores
    from genoviz.interpret.matching import match_jaspar, match_table

    pos = [s for s, y in zip(inputs.sequences, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(inputs.sequences, labels, strict=True) if y == 0]

    def say(frac: float) -> None:
        print(f"[{frac:4.0%}] attention of the positives", file=sys.stderr, flush=True)

    scores = cls_base_scores(model, pos, progress=say)
    found = attention_motifs(pos, scores, neg, width=args.motif_width, p_cutoff=args.p_cutoff)
    table = found.table.copy()
    table["best_match_id"] = None
    table["best_match_name"] = None
    table["similarity"] = np.nan
    if len(table):
        matches = match_jaspar(found.pfms, args.release, args.tax_group, args.min_overlap)
        top = match_table(matches, list(table["motif"]), found.pfms, n=1).set_index("query")
        table["best_match_id"] = [top.loc[m, "match_id"] for m in table["motif"]]
        table["best_match_name"] = [top.loc[m, "match_name"] for m in table["motif"]]
        table["similarity"] = [float(top.loc[m, "similarity"]) for m in table["motif"]]
    paths = [out / "attention_motifs.csv", out / "attention_motif_pfms.csv"]
    table.to_csv(paths[0], index=False)
    rows = [
        {"motif": m, "position": p + 1, **dict(zip("ACGT", pfm[:, p], strict=True))}
        for m, pfm in zip(table["motif"], found.pfms, strict=True)
        for p in range(pfm.shape[1])
    ]
    pd.DataFrame(rows, columns=["motif", "position", *"ACGT"]).to_csv(paths[1], index=False)
    info["motifs"] = {
        "n_positives": len(pos),
        "n_negatives": len(neg),
        "n_regions": len(found.regions),
        "records": table.to_dict(orient="records"),
    }
    return paths


def embeddings(args, run, model, out: Path) -> list[Path]:
    from genoviz.interpret.embeddings import (
        EmbeddingError,
        codon_amino_acid_similarity,
        codon_meanings,
        codons_by_amino_acid,
        kmer_similarity,
        mrr_by_genetic_code,
        mrr_by_species,
    )
    from genoviz.plots_embeddings import mrr_figure, similarity_heatmap_figure

    if not hasattr(model, "token_embeddings"):
        raise EmbeddingError(
            "token embeddings need a BERT run (codon-bert or kmer-bert); add --sequences "
            "for a map of this run's sequence embeddings"
        )
    emb, vocab = model.token_embeddings(), model.vocab
    paths: list[Path] = []
    info: dict = {"model": run.info["model"]["name"]}
    if hasattr(model, "k"):
        sim = kmer_similarity(emb, vocab, int(model.k))
        paths += [out / "embedding_similarity.csv", out / "embedding_similarity.html"]
        sim.to_csv(paths[0])
        fig = similarity_heatmap_figure(sim, f"Cosine similarity of {model.k}-mer embeddings")
        fig.write_html(paths[1], include_plotlyjs=PLOTLY_JS)
        info["k"] = int(model.k)
    else:
        res = codon_amino_acid_similarity(emb, vocab, args.genetic_code)
        sim = codons_by_amino_acid(res.similarity, args.genetic_code)
        meaning = codon_meanings(args.genetic_code)
        by_species = mrr_by_species(emb, vocab)
        paths += [
            out / "embedding_similarity.csv",
            out / "embedding_ranks.csv",
            out / "embedding_mrr.csv",
            out / "embedding_similarity.html",
            out / "embedding_mrr.html",
        ]
        sim.to_csv(paths[0])
        res.ranks.to_csv(paths[1], index_label="codon")
        by_species.to_csv(paths[2], index=False)
        fig = similarity_heatmap_figure(
            sim,
            f"Codons against amino acids (genetic code {args.genetic_code}), MRR {res.mrr:.3f}",
            row_labels=[f"{c} ({meaning[c]})" for c in sim.index],
            marks=[(c, meaning[c]) for c in sim.index],
        )
        fig.write_html(paths[3], include_plotlyjs=PLOTLY_JS)
        fig = mrr_figure(
            mrr_by_genetic_code(by_species), res.chance_mrr, label="genetic_code", hover="species"
        )
        fig.write_html(paths[4], include_plotlyjs=PLOTLY_JS)
        info |= {
            "genetic_code": args.genetic_code,
            "mrr": res.mrr,
            "chance_mrr": res.chance_mrr,
            "mrr_by_species": {
                r.species: {
                    "genetic_code": int(r.genetic_code),
                    "token": float(r.mrr),
                    "chance_mrr": float(r.chance_mrr),
                }
                for r in by_species.itertuples()
            },
        }
    if getattr(args, "mrr", False) and "mrr_by_species" not in info:
        raise EmbeddingError("--mrr needs a codon-bert run (codons and amino acids)")
    if getattr(args, "mrr", False):
        paths += _mrr_views(args, run, model, info, out)
    paths.append(out / "embeddings.json")
    write_json(paths[-1], info)
    return paths


def _mrr_views(args, run, model, info: dict, out: Path) -> list[Path]:
    """Contextual MRR on every corpus view (and token MRR under the run's own view) into
    ``info['mrr_by_species'][species]['views']``; needs a corpus with proteins."""
    from genoviz.interpret.embeddings import MRR_VIEWS, mrr_by_view

    dataset = _dataset(args, run)
    mask = run.info.get("pretraining", {}).get("mask", {})
    trained = mask.get("view")
    info["trained_view"] = trained
    if "proteins" not in dataset.meta.ground_truth:
        info["views_note"] = f"{dataset.name} has no proteins, so no MRR per view"
        return []
    views = MRR_VIEWS if trained in (*MRR_VIEWS, None) else (*MRR_VIEWS, trained)
    table = mrr_by_view(
        model, dataset, views, n_genes=args.mrr_genes, max_tokens=int(mask.get("max_tokens", 128))
    )
    # One model: its token MRR belongs to the view it was pretrained on, if any.
    table = table[(table["method"] == "contextual") | (table["view"] == trained)]
    path = out / "embedding_mrr_views.csv"
    table.to_csv(path, index=False)
    for r in table.itertuples():
        views = info["mrr_by_species"][r.species].setdefault("views", {})
        views.setdefault(r.view, {})[r.method] = {
            "mrr": float(r.mrr),
            "chance_mrr": float(r.chance_mrr),
            "n_codons": int(r.n_codons),
        }
    return [path]


def _dataset(args, run):
    """``--data``, or the run's own dataset, with any --labels, --genome and --width (see
    :func:`genoviz.cli_interpret.interpret_dataset`)."""
    from genoviz.cli_interpret import interpret_dataset

    return interpret_dataset(run, args)


def sequence_embeddings(args, run, model, out: Path) -> list[Path]:
    """``--sequences``: a PCA map of per-sequence embeddings coloured by label (any run)."""
    from genoviz.interpret import sequence_embeddings as se
    from genoviz.plots_embeddings import sequence_embedding_figure

    dataset = _dataset(args, run)
    split = args.split or "test"
    inputs = se.embedding_inputs(run, dataset, split, args.max_sequences or 500)
    if len(inputs.ids) == 0:
        from genoviz.cli_interpret import empty_split

        raise KeyError(empty_split(dataset, split))

    def say(frac: float) -> None:
        print(f"[{frac:4.0%}] embedding the sequences", file=sys.stderr, flush=True)

    emb = se.sequence_embeddings(
        model, inputs.sequences, args.pooling, on_progress=say, extras=inputs.extras
    )
    names = se.label_names(dataset)
    pca = se.sequence_pca(emb, inputs.labels, dataset.task, inputs.ids, names, args.target)
    pooling = args.pooling if se.is_token_model(model) else "head input"
    paths = [out / "sequence_pca.csv", out / "sequence_pca.html", out / "sequence_pca.json"]
    pca.points.to_csv(paths[0], index=False)
    title = f"{len(inputs.ids)} {split} sequences of {dataset.name}: PCA ({pooling}), by label"
    fig = sequence_embedding_figure(pca.points, pca.explained, title)
    fig.write_html(paths[1], include_plotlyjs=PLOTLY_JS)
    write_json(
        paths[2],
        {
            "model": run.info["model"]["name"],
            "dataset": dataset.name,
            "split": split,
            "pooling": pooling,
            "n_sequences": len(inputs.ids),
            "dimensions": int(emb.shape[1]),
            "explained": [float(v) for v in pca.explained],
            "note": se.long_sequence_note(model, inputs.sequences),
        },
    )
    return paths


def mrr_line(out: Path) -> str:
    """The ``--mrr`` line, one JSON object: per species its genetic code, token MRR and
    chance, and ``views``: per view and method (``token``, ``contextual``) the MRR, its
    chance line and the codons scored."""
    return json.dumps(json.loads((out / "embeddings.json").read_text())["mrr_by_species"])
