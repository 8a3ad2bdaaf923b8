"""Plain-language "What am I seeing?" texts, one per figure kind.

Pages show them in an expander right next to the figure they explain; keeping the words
here makes them testable and lets every page (and the HTML report) reuse them. Each text
is short Markdown written for a biologist who has never trained a network.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    """One explanation: ``title`` is the expander label, ``body`` Markdown."""

    key: str
    title: str
    body: str


_TEXTS: tuple[tuple[str, str, str], ...] = (
    (
        "one_hot",
        "What am I seeing? One-hot encoding",
        "A network cannot read letters, only numbers. **One-hot encoding** turns each base "
        "into four numbers, one per letter in the order A, C, G, T: a 1 for the base that "
        "is there and 0 for the other three. `ACGT` becomes four columns, each with a single "
        "1. An unknown base (`N`) is all zeros, so it counts as *nothing known*. The result "
        "is a 4 × length grid, like an image with 4 colour channels and one row of pixels. "
        'Nothing is lost or assumed: no base is "closer" to another.',
    ),
    (
        "conv_filter",
        "What am I seeing? A convolution filter",
        "A **convolution filter** is a small table of weights, 4 rows (A, C, G, T) by a few "
        "positions, a *learned motif*. It slides along the one-hot sequence one base at a "
        "time; at each position it multiplies its weights by the bases under it and adds "
        "them up. That sum is the **activation**: high where the sequence looks like the "
        "filter, low elsewhere. An activation track (the Lesson's scan step draws one) is "
        "that score at every position. The first layer of a CNN has many filters, each "
        "free to become a different motif; the network keeps the ones that help it "
        "predict the label. A logo of a filter shows, per position, which bases raise its "
        "score.",
    ),
    (
        "roc_pr",
        "What am I seeing? ROC AUC and PR AUC (and the 99%-accuracy trap)",
        "The model gives every sequence a score. The **ROC curve** sweeps a threshold over "
        "that score and plots the share of positives caught (true-positive rate) against "
        "the share of negatives wrongly flagged (false-positive rate). **ROC AUC** is the "
        "chance that a random positive scores above a random negative: 0.5 is guessing, 1 "
        "is perfect.\n\n"
        "**The 99%-accuracy trap.** When only 1–2% of sequences are bound, a model that "
        "says *never bound* is 98–99% accurate and useless. ROC AUC is not fooled, but it "
        "can still look flattering, because there are so many negatives that even many "
        "false alarms are a small *rate*. **PR AUC** (precision–recall) asks the question "
        "an experimentalist cares about: of the sequences I flag, how many are really "
        "bound? Its chance level is the share of positives (e.g. 0.02), not 0.5, so read "
        "it against that baseline. On imbalanced data, report both.",
    ),
    (
        "calibration",
        "What am I seeing? Calibration",
        "ROC AUC asks whether positives score above negatives; **calibration** asks "
        "whether a score of 0.3 means that 30% of such sequences are positive. The test "
        "sequences are binned by predicted probability, and each dot is one bin: its mean "
        "prediction across, the share of positives in it up. A model whose probabilities "
        "can be taken at their word sits on the diagonal. Dots below it mean the model "
        "predicts too high there, dots above it too low; a curve flatter than the "
        "diagonal means over-confidence (too close to 0 and 1), a steeper one "
        "under-confidence. The **Brier score** is the mean squared gap between prediction "
        "and outcome (0 is perfect), and the **expected calibration error** is the "
        "gap between a bin's dot and the diagonal, averaged with each bin counted by its "
        "sequences.\n\n"
        "Training that weights sequences unequally, as tf-binding's weight column does to "
        "balance its rare positives, mainly shifts every probability upward (in the ideal "
        "case by a constant in the logit, which keeps the ranking and so ROC AUC): rank "
        "sequences with such a model, and do not read its scores as the chance of being "
        "positive.",
    ),
    (
        "pearson",
        "What am I seeing? Pearson correlation",
        "For a measured number (an efficacy, an expression level) the model predicts a "
        "number too. Each dot is one held-out sequence: measured value across, prediction "
        "up. **Pearson r** measures how well a straight line fits the dots: 1 is a perfect "
        "rising line, 0 no linear relation. r² is the share of the spread the line "
        "explains (r = 0.7 explains about half). **Spearman ρ** only compares the ranks, so "
        "it forgives a curved relation and a few outliers. A high r with dots far from the "
        "dashed y = x line means the model ranks well but is off in scale.",
    ),
    (
        "overfitting",
        "What am I seeing? Training curves and overfitting",
        "Each point is one **epoch**, one pass over the training sequences. The **train** "
        "curve is measured on the sequences the model learns from, the **valid** curve on "
        "held-out ones it never trains on. Early on both improve. When train keeps "
        "improving but valid stalls or gets worse, the model is **overfitting**: it is "
        "memorising the training sequences (their noise included) instead of learning the "
        "rule. genoviz keeps the weights of the latest epoch whose validation score is "
        "within one standard error of the best so far (for a binary or regression task: "
        "a later epoch that is as good, given the noise, is preferred; other tasks keep "
        "the best-scoring epoch), and stops early when validation stops improving. "
        "Validation reads a moving average of the weights, while the train curve is "
        "averaged over the epoch with dropout on, so early on valid can sit below train. "
        "The final numbers come from a third, **test** split, untouched until the end.",
    ),
    (
        "saliency",
        "What am I seeing? Saliency and attribution maps",
        "**Saliency** (integrated gradients, DeepLIFT, gradients) gives every base of one "
        "sequence a score. For integrated gradients and DeepLIFT it is the base's share of "
        "the difference between the prediction for this sequence and for a reference (a "
        "shuffle of it, by default). Integrated gradients' scores add up to that difference "
        "(up to a small integration error); DeepLIFT's add up exactly only for models made "
        "of convolutions, dense layers and ReLUs, not for LSTMs (bilstm, DanQ), where it is "
        "an approximation and the page says how far off the sum is. The plain "
        "gradient says how fast the prediction changes with that base (Input×Gradient "
        "multiplies it by the base; GradientShap averages integrated-gradient-like draws "
        "between the sequence and its references; Occlusion hides a window of bases and "
        "measures the change). Positive bars "
        "raise the prediction, negative ones lower it; letters drawn tall are the ones the "
        "model leans on.\n\n"
        "*It can tell you* which positions drive this prediction, and whether the model "
        "found the planted motif or a shortcut (a GC bias, an edge effect).\n\n"
        "*It cannot tell you* that those bases are causal in the cell: it explains the "
        "model, not the biology. Gradients are local and can be noisy or saturated; a "
        "motif present twice may get credit only once. Check against ISM and ground truth.",
    ),
    (
        "ism",
        "What am I seeing? In-silico mutagenesis (ISM)",
        "**ISM** mutates every position to each other base, one at a time, and records how "
        "the prediction changes. A strongly negative cell means that mutation destroys what "
        "the model relies on.\n\n"
        "*It can tell you* the model's exact response to each single change, with no "
        "approximation, which makes it the reference for attribution maps.\n\n"
        "*It cannot tell you* about combinations: two redundant sites each look unimportant "
        "because the other one covers for it. It is still the model's view, not a "
        "measured mutation effect, and it costs 3 × length predictions per sequence.",
    ),
    (
        "attention",
        "What am I seeing? Attention maps",
        "A transformer (like DNABERT) mixes information between tokens; **attention** "
        "weights say how much each token looked at each other token in one layer and head.\n\n"
        "*It can tell you* which tokens a head links (e.g. a head that always looks at the "
        "next token, or at a motif).\n\n"
        "*It cannot tell you* which bases matter for the prediction: high attention is not "
        "high importance, values are mixed again in later layers, and different heads "
        "disagree. Use saliency or ISM to ask what matters; use attention to ask how the "
        "model routes information.",
    ),
    (
        "motifs",
        "What am I seeing? Learned motifs next to the planted truth",
        "For each first-layer filter, genoviz collects the stretches of sequence where it "
        "fires strongly (above a share of its maximum, half by default) and stacks them "
        "into a **logo**: letter height is how often that base sits at that position (on "
        "the Motifs page scaled by the column's information, in bits). The planted motif "
        "the simulator used is shown beside it (Lesson) or in the Planted truth tab "
        "(Motifs), so you can check whether the network rediscovered it. "
        "A filter may match the motif's reverse complement (the other strand), only part "
        "of it, or a shifted copy; several filters often share one motif. Filters that "
        "look like nothing may be unused or encode a background bias.",
    ),
    (
        "variants",
        "What am I seeing? Variant effects",
        "Each bar is one named variant: the sequence with the reference base replaced by "
        "the alternative one, scored by the model. **Δlogit** is the change in the model's "
        "raw score (alternative minus reference); **Δprobability** the same change on the "
        "0-1 scale, which flattens near 0 and 1. For a model that picks one of several "
        "classes (e.g. splice sites) the bar is **Δlog-probability** of the chosen class: "
        "its raw score could rise while its probability falls, if another class's rose "
        "more. For a regression model (e.g. siRNA efficacy) the bar is **Δvalue**, the "
        "change in the predicted value itself. Bars below zero mean the variant lowers "
        "the prediction.\n\n"
        "*It can tell you* which variants the model thinks matter, and by how much, e.g. "
        "a SNP that breaks a binding site.\n\n"
        "*It cannot tell you* the effect in a cell: it is the model's opinion, good only "
        "as far as the model is, and each variant is scored alone.",
    ),
    (
        "agreement",
        "What am I seeing? Do the explanations agree?",
        "The same sequence explained several ways, each scaled to its own maximum: "
        "integrated gradients (a smooth path from a reference to the sequence), ISM's "
        "largest effect per position (real single-base changes) and, for a BERT, the "
        "attention from [CLS] in its last layer mapped to bases (where the model looks, "
        "not what a base does to the prediction). **Spearman ρ** compares each pair's "
        "rankings of the positions: near 1 they agree. Where one method lights up and the "
        "other does not, look closer: redundant sites, saturation or a noisy gradient.",
    ),
    (
        "jaspar",
        "What am I seeing? Matching a learned motif to JASPAR",
        "JASPAR is a curated database of transcription-factor motifs. Each learned motif is "
        "slid along every JASPAR matrix, on both strands and at every offset with enough "
        "columns overlapping, and compared column by column (TOMTOM). The **p-value** is "
        "for one comparison; each motif is compared with about a thousand matrices, so "
        "read the **E-value** (p × the number of matrices): how many matrices would match "
        "this well by chance. Even then a filter logo, built from real sequence, often "
        "finds an E below 0.05 in an untrained network, so a match is a lead to check, "
        "not evidence on its own. "
        "**Similarity** (up to 1) is the mean correlation of the aligned columns. A match names "
        "a candidate factor, not a proof: many factors share similar motifs (the AP-1 "
        "family, for example), so read the top few matches, not only the first.",
    ),
    (
        "truth_recovery",
        "What am I seeing? Did the model find the planted motifs?",
        "On simulated data the answer key is known: the motifs planted in the positive "
        "sequences. For each planted motif this table names the learned motif (filter) "
        "that ranks the planted JASPAR matrix highest among its matches (ties: the most "
        "similar), how similar they are (up to 1), that rank and its E-value. A JASPAR "
        "motif counts as **recovered** when it is among the filter's top 3 matches at E < "
        "0.05, or matches at E < 0.05 with similarity 0.9 or more (JASPAR holds "
        "near-copies of one family, such as JUND, JUNB and JDP2, that can rank above the "
        "planted matrix itself); a motif that is not in JASPAR (the splice-site "
        "matrices) when a filter's similarity reaches 0.75. Even random filters, read "
        "from these sequences, look like a strong planted site, so the same network is "
        "also read **untrained** "
        "(`untrained_similarity`): the trained filter must close at least half the gap "
        "from that control to a perfect match. A high test score without recovery means "
        "the model found another way to separate the classes: a shortcut worth "
        "understanding.",
    ),
    (
        "motif_net",
        "What am I seeing? A motif-net's own motifs",
        "A **motif-net** does not need its motifs read back from data: each one is a "
        "learnable table of scores (log-odds, in bits) over A, C, G, T, drawn here as a "
        "logo. Under each logo, the grey bars are its **position mask**, a number from 0 "
        "to 1 per column: the model can turn columns off (bars near 0) and so choose its "
        "motif's length. Only the span from the first to the last column the mask keeps "
        "(above 0.5) is matched to JASPAR. A motif started from a JASPAR matrix shows how "
        "far training moved it.",
    ),
    (
        "embeddings",
        "What am I seeing? Embeddings",
        "An **embedding** is the list of numbers a model uses internally for a token (a "
        "k-mer, a codon, an amino acid). Each cell of the heatmap is the **cosine "
        "similarity** of two tokens' embeddings: 1 when they point the same way, near 0 "
        "when unrelated, negative when opposed (k-mers are clustered so that similar ones "
        "sit side by side; codons are grouped by their amino acid). For a codon-bert, the "
        "**mean reciprocal rank** (MRR) asks whether each codon's nearest amino acid is "
        "the one it codes for (1 = always first; the gain over chance is shown beside "
        "it), and the PCA tab squeezes the embeddings into two directions, the ones along "
        "which they differ most (the axis titles say how much each keeps). "
        "It shows what the model groups together, not why.",
    ),
    (
        "sequence_embeddings",
        "What am I seeing? Sequence embeddings",
        "Each dot is one sequence. The model turns it into a list of numbers, its "
        "**embedding**: for a BERT the last layer's `[CLS]` vector (the summary token its "
        "classifier reads) or the **mean** of its token vectors; for a one-hot model the "
        "numbers its final layer turns into the prediction, which also carry any extra "
        "input it reads beside the sequence (such as accessibility), so the map can follow "
        "that input more than the bases. **PCA** keeps the two "
        "directions along which these vectors vary most; the axis titles say how much of "
        "the variation each holds. The colours are the labels, which the map itself never "
        "uses. Colours that sit apart mean the model's representation separates the "
        "classes (or orders the values); a trained model should separate them better "
        "than an untrained one.\n\n"
        "**What it can tell you:** whether the model groups sequences by label, and which "
        "sequences it places among the other class. **What it cannot tell you:** why, "
        "which bases drive it (use saliency or ISM for that); and colours that overlap in "
        "two dimensions may still be apart in the dimensions PCA left out.",
    ),
    (
        "confusion",
        "What am I seeing? The confusion matrix",
        "Rows are the true classes, columns the predicted ones; each cell counts sequences "
        "and shows their share of the row. A perfect model fills only the diagonal. "
        "Off-diagonal cells show which classes the model mixes up. With unequal class "
        "sizes, read the row shares, not the raw counts.",
    ),
    (
        "composition",
        "What am I seeing? Composition and k-mer spectra",
        "These plots describe the data before any model: how often each base or short word "
        "(k-mer) occurs, per class and per position. A difference between classes that a "
        "model could use without learning the motif (e.g. higher GC in positives) is a "
        "**shortcut**; spotting it here tells you what a high score might really mean.",
    ),
    (
        "ground_truth",
        "What am I seeing? The planted ground truth",
        "Simulated sets are made by planting known motifs (from JASPAR, or built into the "
        "simulator) into background sequence and labelling sequences by rules. Because the "
        "truth is known, you can check whether a model learned the real rule: compare its "
        "learned logos and attribution maps with the planted motifs and positions shown "
        "here. Measured data has no such answer key.",
    ),
    (
        "predictions",
        "What am I seeing? Predictions",
        "Each new sequence gets the model's score: a probability for bound/unbound or "
        "class labels, a number for a measured quantity. A probability of 0.9 means the "
        "model is confident, not that it is right; it only knows sequences like the ones "
        "it was trained on, so predictions on very different sequences (another length, "
        "organism or assay) deserve caution.",
    ),
    (
        "autoencoder",
        "What am I seeing? An autoencoder and its latent map",
        "An **autoencoder** squeezes each one-hot sequence through a small bottleneck "
        "(the *code*) and rebuilds it; no label is used. **Reconstruction accuracy** is the "
        "share of bases rebuilt correctly: 0.25 is guessing, and valid far below train "
        "means it memorised the training sequences. The **latent map** places each held-out "
        "sequence by the first two principal components of its code and colours it by its "
        "label.\n\n*It can tell you* whether what distinguishes the labels is among the "
        "strongest patterns in the sequences themselves.\n\n*It cannot tell you* that "
        "labels which do not separate here are unlearnable: a supervised model looks for "
        "them on purpose, and two components show only part of the code.",
    ),
    (
        "extras_gain",
        "What am I seeing? With and without the extra inputs",
        "The same model is trained twice on the same split and seed: once from the sequence "
        "alone, once with the extra numbers each sequence carries (for JUND binding, "
        "chromatin accessibility) joined after the convolutions, as the DeepChem book does. "
        "The bars are each arm's test score.\n\n*It can tell you* whether the extra input "
        "adds information the sequence does not hold, on this data.\n\n*It cannot tell "
        "you* that a small gap is real: one seed differs from the next by a few hundredths, "
        "so repeat with other seeds before trusting a gap that small. Nor is a large gap "
        "the extra input's doing when one arm did not learn at all (the page says so when "
        "shuffled labels match its score): then the gap measures that failed training.",
    ),
    (
        "runs",
        "What am I seeing? Comparing runs",
        "Each run is one training: its settings, its per-epoch curves and its final test "
        "metrics. Overlaying runs shows whether a change (another seed, learning rate or "
        "model) really helps, or only moves the curve within seed-to-seed noise. Compare "
        "runs on the same dataset and split; a difference smaller than the spread between "
        "seeds is not a difference.",
    ),
)

EXPLANATIONS: dict[str, Explanation] = {k: Explanation(k, t, b) for k, t, b in _TEXTS}

#: Which explanations go with which page, in the order the figures appear. Pages that
#: other branches add (interpret, motifs, attention, embeddings) are listed for the lead.
PAGE_TOPICS: dict[str, tuple[str, ...]] = {
    "home": ("one_hot", "conv_filter"),
    "data": ("ground_truth", "composition", "one_hot"),
    "train": ("overfitting", "roc_pr", "calibration", "pearson", "confusion"),
    "predict": ("predictions",),
    "lesson": ("ground_truth", "one_hot", "conv_filter", "overfitting", "motifs"),
    "runs": ("runs", "overfitting"),
    "interpret": ("saliency", "ism", "variants", "agreement"),
    "motifs": ("conv_filter", "motifs", "jaspar", "truth_recovery", "motif_net"),
    "attention": ("attention",),
    "embeddings": ("embeddings", "sequence_embeddings"),
    "zoo": ("autoencoder", "extras_gain"),
}

#: The explanation for a test metric or figure, by task.
TASK_TOPIC: dict[str, str] = {
    "binary": "roc_pr",
    "multitask-binary": "roc_pr",
    "regression": "pearson",
    "multiclass": "confusion",
}


def explain(key: str) -> Explanation:
    """The explanation for ``key`` (see :data:`EXPLANATIONS`).

    Raises:
        KeyError: with the known keys, for a key nobody wrote.
    """
    try:
        return EXPLANATIONS[key]
    except KeyError:
        raise KeyError(f"no explanation {key!r}; known: {', '.join(EXPLANATIONS)}") from None


def for_page(page: str) -> list[Explanation]:
    """The explanations a page shows, in figure order."""
    return [EXPLANATIONS[k] for k in PAGE_TOPICS.get(page, ())]
