"""Speed benchmarks: ``python -m benchmarks`` (a few minutes; not part of the test suite).

Every row prints a number measured now next to a reference measured in the same run on the
same machine, and their ratio, so the numbers mean something on any computer. A row and its
reference are timed in alternation (a few pairs, medians, unless said below), so a busy
spell on the machine slows both alike instead of skewing the ratio. Training rows run on
the device the trainer picks (a CUDA GPU when there is one, else the CPU), and every clock
read there waits for the GPU to finish.

``python -m benchmarks --list`` names the rows; ``--only TEXT`` runs just the rows whose
name contains TEXT (case-insensitive; repeat it for several). Rows:

``demo wall time``
    Loading ``tf-binding`` and training the default model (``models.recommended``) for
    20 epochs with ``TrainConfig(save=True)`` into a temporary runs folder: what the
    Train page's demo costs. Reference: the bare loop (see ``trainer epoch``) over the
    same number of epochs, one bare epoch run after each demo epoch (its time is taken
    out of the demo's). Target: at most 60 s of wall time, printed under the table with
    the demo run's epochs and ROC AUC.
``first live point``
    Seconds from ``TrainingJob(...).start()`` to the first record in ``job.history``, the
    first point of the live curves. Reference: one warm bare epoch, the least a first
    point can cost; three of each in alternation, medians. Target: at most 5 s.
``trainer epoch``
    The trainer's wall time per epoch (median of epochs 2-6, ``save=False``), everything
    from the first batch to the epoch's record. Reference: a bare PyTorch loop over the
    same train-split tensors with the same model, batch size and AdamW settings (on the
    same device, in bf16 autocast where the trainer uses it): index a batch, forward,
    loss, backward, step, and nothing else. The two alternate epoch by epoch. On top of
    the bare loop the trainer does random reverse-complement augmentation
    (strand-symmetric data), keeps the moving average of the weights, collects the
    training predictions for the epoch's train metrics, validates (both strands for
    strand-symmetric data), copies the kept weights, and polls the stop flag and progress
    callback every batch. Target ratio: at most 1.10.
``one-hot 1,000,000 x 101 bp``
    ``genoviz.onehot.one_hot``. Reference: one fancy-index through a lookup table, the
    least any encoder must do (:mod:`benchmarks.encoding`). Three of each in alternation.
    Target ratio: at most 3.
``IG 100 x 101 bp``
    Integrated Gradients of the default ``cnn`` on 100 windows of 101 bp through the fast
    path. Reference: bare autograd over the same interpolated inputs. Target: at most 2 s.
``IG, captum path``
    The same attributions through captum. Reference: the fast path (ratio: its speed-up).
``IG, 10 shuffles``
    The fast path with 10 dinucleotide-shuffled references. Reference: the fast path with
    one reference, timed the same way (about 10x expected).
``ISM 1 kb``
    All 3,000 substitutions of a 1,000 bp sequence. Reference: one bare forward pass over
    3,000 sequences of that length. Target: at most 1 s.
``logo panel (cached)``
    A 16-filter logo panel shown again. Reference: its first drawing (cache emptied
    before each). Target: at most 1 s.
``figure PNG export (kept browser)``
    A PNG download with the headless browser kept. Reference: a browser launched per
    image; two of each. Target: at most 1 s. Skipped where static export cannot work.

The interpretation rows run on the CPU, where the app runs them; three of each in
alternation (IG and ISM after one unrecorded turn of each), medians. Details in
:mod:`benchmarks.interpret`.

``kmer-bert small train tokens/s, SDPA``
    Training tokens per second with SDPA attention, on the trainer's device. Reference:
    eager attention, same weights and batch; chunks of 3 steps of each alternate, 5 of
    each, medians (:mod:`benchmarks.bert`). Ratio above 1 expected on a GPU, about 1 on a
    CPU.
``app cold start``
    ``streamlit run app.py`` until Home has rendered in Chromium. Reference: the same for
    a one-line Streamlit app, measured just before (once each; :mod:`benchmarks.startup`).
    Skipped without Playwright and ``/usr/bin/chromium``.

``python -m benchmarks.models [--list] [--only TEXT] [--pairs N]`` times each model's
epoch against the default ``cnn``'s on the same data, alternating epoch by epoch (see that
module). ``python -m benchmarks.realdata`` is a separate, slower quality benchmark on the
real files in ``../shared/data`` (see that module).
"""
