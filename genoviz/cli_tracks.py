"""``python -m genoviz interpret {saliency,ism,agreement}``: the per-base explanation files.

Saliency, ISM and agreement write one row per base (CSV) with the sequence's own positions
beside the model's (:func:`placed`), a JSON summary and HTML figures; ``cli_interpret``
parses the options and chooses the data. Errors raise; ``cli_interpret`` prints them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from genoviz.cli_interpret import PLOTLY_JS


def target_record(run, target: int, dataset=None) -> dict:
    """How the JSON files name the explained output: ``target``, its number counting from
    1, and ``target_name``, its class or task name (None for a run with one output)."""
    from genoviz.interpret.outcome import output_name

    return {"target": target + 1, "target_name": output_name(run, target, dataset)}


def chosen_index(index: int, n: int) -> int:
    """``--index`` (counting from 1, as ``saliency_1.html``… do) as a 0-based row of the
    ``n`` chosen sequences.

    Raises:
        KeyError: ``index`` is not 1 to ``n``.
    """
    if not 1 <= index <= n:
        raise KeyError(
            f"--index {index} is outside the {n} chosen sequences: --index counts from 1, "
            f"as saliency_1.html… do, so give 1-{n}"
        )
    return index - 1


def write_json(path: Path, obj) -> None:
    from genoviz.runs import json_clean, json_default

    path.write_text(json.dumps(json_clean(obj), indent=2, default=json_default, allow_nan=False))


#: What the position columns of the CSV files count, said in their JSON files.
POSITIONS = (
    "position counts along the sequence as the model read it: padded with N or trimmed, "
    "centred, to the run's length where the sequence had another; sequence_position along "
    "the sequence as given (empty in N padding); position = sequence_position + shift"
)


class Placed(NamedTuple):
    """Where one explained sequence sits in the one the model read: ``length`` bases of
    its own, ``shift`` added to each (:func:`~genoviz.sequences.fitted_shift`), in the
    ``fitted`` bases the model read."""

    length: int
    shift: int
    fitted: int

    def own(self, position: int) -> int | None:
        """The 1-based fitted ``position`` in the sequence as given; None in padding."""
        p = position - self.shift
        return p if 1 <= p <= self.length else None

    @property
    def positions(self) -> pd.arrays.IntegerArray:
        """Each fitted position's own, shape (fitted,): 1-based, NA in the padding."""
        return pd.array([self.own(p) for p in range(1, self.fitted + 1)], dtype="Int64")


def placed(dataset, inputs, i: int, fitted: int) -> Placed:
    """Sequence ``i`` of ``inputs``, read by the model as ``fitted`` bases, placed in its
    own sequence (the dataset row it came from)."""
    from genoviz.sequences import fitted_shift

    length = len(dataset.sequences[int(inputs.indices[i])])
    return Placed(length, fitted_shift(length, fitted), fitted)


def _said(model, inputs, dataset, target: int, rows: slice) -> list[str]:
    """What the run predicts for ``inputs`` rows, as the Predict page says it."""
    from genoviz.interpret.adapters import reads_tokens
    from genoviz.interpret.outcome import output_texts

    extras = None if inputs.extras is None else inputs.extras[rows]
    token = reads_tokens(model)  # a BERT reads token ids, not one-hot
    x = model.encode(inputs.sequences[rows]) if token else inputs.x[rows]
    return output_texts(model, x, dataset.task, target, extras, dataset.class_names)


def _saliency(args, run, model, inputs, dataset, out: Path) -> list[Path]:
    from genoviz.interpret.adapters import reads_tokens
    from genoviz.interpret.attribution import attribute
    from genoviz.interpret.attribution_methods import METHODS
    from genoviz.interpret.convergence import delta_warning, explained_change, relative_delta
    from genoviz.interpret.inputs import output_unit
    from genoviz.interpret.outcome import explained_label, of_output
    from genoviz.plots_interpret import saliency_heatmap_figure, saliency_track_figure
    from genoviz.sequences import pad_or_trim

    # a BERT reads each sequence as it is (its maps are NaN past a shorter one's end); a
    # one-hot model reads x, padded or trimmed to its training length
    token = reads_tokens(model)
    r = attribute(
        model,
        list(inputs.sequences) if token else inputs.x,
        method=args.method,
        target=args.target,
        baseline=args.baseline,
        n_shuffles=args.n_shuffles,
        extras=inputs.extras,
        softmax=dataset.task == "multiclass",
    )
    n, _, length = r.attributions.shape
    seqs = list(inputs.sequences) if token else pad_or_trim(inputs.sequences, length)
    where = [placed(dataset, inputs, i, len(s)) for i, s in enumerate(seqs)]
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "id": inputs.ids[i],
                    "position": np.arange(1, len(s) + 1),
                    "base": list(s),
                    "contribution": r.per_base[i, : len(s)],
                    **{
                        f"attribution_{b}": r.attributions[i, j, : len(s)]
                        for j, b in enumerate("ACGT")
                    },
                    "sequence_position": where[i].positions,
                }
            )
            for i, s in enumerate(seqs)
        ],
        ignore_index=True,
    )
    paths = [out / "saliency.csv", out / "saliency.json", out / "saliency_heatmap.html"]
    rows.to_csv(paths[0], index=False)
    change = explained_change(r)
    warning = delta_warning(r, model)
    if warning is not None:
        print(f"genoviz: note: {warning}", file=sys.stderr)
    write_json(
        paths[1],
        {
            "method": args.method,
            "baseline": r.baseline,
            **target_record(run, r.target, dataset),
            "output": "class logit minus the mean logit"
            if dataset.task == "multiclass"
            else output_unit(dataset.task),
            "n_sequences": n,
            "max_abs_delta": None if r.delta is None else float(np.abs(r.delta).max()),
            # sum |delta| / sum |f(x) - f(reference)|: 0.81 is a sum off by 81 % of the change
            "relative_delta": relative_delta(r),
            "delta_note": warning,
            "positions": POSITIONS,
            "sequences": [
                {
                    "id": inputs.ids[i],
                    "label": explained_label(run, inputs.labels[i], args.target),
                    "output": float(r.outputs[i]),
                    "delta": None if r.delta is None else float(r.delta[i]),
                    "change": None if change is None else float(change[i]),
                    "top_position": (top := int(np.nanargmax(np.abs(r.per_base[i])) + 1)),
                    "top_sequence_position": where[i].own(top),
                    "sequence_length": where[i].length,
                    "shift": where[i].shift,
                }
                for i in range(n)
            ],
        },
    )
    title = f"{METHODS[args.method]}: contribution per base{of_output(run, args.target)}"
    heat = saliency_heatmap_figure(r.per_base, inputs.ids, title)
    heat.write_html(paths[2], include_plotlyjs=PLOTLY_JS)
    shown = min(3, n)
    said = _said(model, inputs, dataset, args.target, slice(0, shown))
    for i in range(shown):
        fig = saliency_track_figure(
            r.per_base[i, : len(seqs[i])],
            seqs[i],
            f"{inputs.ids[i]}: {title}",
            explained_label(run, inputs.labels[i], args.target),
            said[i],  # the prediction as Predict says it, not the raw logit
        )
        path = out / f"saliency_{i + 1}.html"
        fig.write_html(path, include_plotlyjs=PLOTLY_JS)
        paths.append(path)
    return paths


def _ism(args, run, model, inputs, dataset, out: Path) -> list[Path]:
    from genoviz.interpret.adapters import reads_tokens
    from genoviz.interpret.agreement import top_positions
    from genoviz.interpret.inputs import output_unit
    from genoviz.interpret.ism import saturation_mutagenesis
    from genoviz.interpret.outcome import explained_label, of_output
    from genoviz.plots_interpret import ism_figure

    i = chosen_index(args.index, len(inputs.ids))
    extras = None if inputs.extras is None else inputs.extras[i]
    multiclass = dataset.task == "multiclass"
    # a BERT reads its sequence as run_inputs gives it, as saliency does: the one-hot x is
    # padded to the run's length, and its N would be [UNK] k-mers shifting every position
    seq = inputs.sequences[i] if reads_tokens(model) else inputs.x[i]
    r = saturation_mutagenesis(model, seq, target=args.target, extras=extras, softmax=multiclass)
    table = pd.DataFrame(r.effects.T, columns=list("ACGT"))
    table.insert(0, "ref", list(r.sequence))
    table.insert(0, "position", np.arange(1, len(r.sequence) + 1))
    table["max_effect"] = r.max_effect
    where = placed(dataset, inputs, i, len(r.sequence))
    table["sequence_position"] = where.positions
    paths = [out / "ism.csv", out / "ism.json", out / "ism.html"]
    table.to_csv(paths[0], index=False)
    top = top_positions(r.max_abs, r.sequence)
    write_json(
        paths[1],
        {
            "id": inputs.ids[i],
            "index": args.index,
            "label": explained_label(run, inputs.labels[i], args.target),
            "reference_output": r.reference_output,
            "output": output_unit(dataset.task),
            **target_record(run, r.target, dataset),
            "top_positions": top,
            "top_sequence_positions": [where.own(p) for p in top],
            "sequence_length": where.length,
            "shift": where.shift,
            "positions": POSITIONS,
        },
    )
    said = _said(model, inputs, dataset, args.target, slice(i, i + 1))[0]
    title = (
        f"In-silico mutagenesis of {inputs.ids[i]} ({said}; effects on the "
        f"{output_unit(dataset.task)}{of_output(run, args.target)})"
    )
    fig = ism_figure(r.effects, r.max_effect, r.sequence, title)
    fig.write_html(paths[2], include_plotlyjs=PLOTLY_JS)
    return paths


def _agreement(args, run, model, inputs, dataset, out: Path) -> list[Path]:
    """One sequence explained by IG, ISM and (kmer-bert) attention, and how they agree."""
    from genoviz.interpret.agreement import (
        agreement,
        explanation_tracks,
        scaled_tracks,
        top_positions,
        track_table,
    )
    from genoviz.interpret.outcome import explained_label, of_output
    from genoviz.plots_interpret import agreement_figure

    i = chosen_index(args.index, len(inputs.ids))
    seq = inputs.sequences[i]
    tracks = explanation_tracks(
        model,
        seq,
        target=args.target,
        extras=None if inputs.extras is None else inputs.extras[i],
        baseline=args.baseline,
        n_shuffles=args.n_shuffles,
        softmax=dataset.task == "multiclass",
    )
    scaled = scaled_tracks(tracks)
    paths = [out / "agreement.csv", out / "agreement.json", out / "agreement.html"]
    where = placed(dataset, inputs, i, len(seq))
    track_table(tracks, seq).assign(sequence_position=where.positions).to_csv(paths[0], index=False)
    tops = {n: top_positions(t, seq) for n, t in scaled.items()}
    write_json(
        paths[1],
        {
            "id": inputs.ids[i],
            "index": args.index,
            "label": explained_label(run, inputs.labels[i], args.target),
            **target_record(run, args.target, dataset),
            "length": len(seq),
            "tracks": list(tracks),
            # over the known bases: N carries no base (ISM leaves it empty)
            "spearman": agreement(scaled, seq).to_dict(orient="records"),
            "top_positions": tops,
            "top_sequence_positions": {n: [where.own(p) for p in t] for n, t in tops.items()},
            "sequence_length": where.length,
            "shift": where.shift,
            "positions": POSITIONS,
        },
    )
    of = of_output(run, args.target, " (", ")")
    title = f"Do the explanations of {inputs.ids[i]}{of} agree?"
    fig = agreement_figure(scaled, seq, title)
    fig.write_html(paths[2], include_plotlyjs=PLOTLY_JS)
    return paths


#: ``interpret`` analysis -> the function that writes its files.
ANALYSES = {"saliency": _saliency, "ism": _ism, "agreement": _agreement}
