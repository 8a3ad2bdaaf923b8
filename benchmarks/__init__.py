"""Speed benchmarks: ``python -m benchmarks`` (a few minutes; not part of the test suite).

Every row prints a number measured now next to a reference measured in the same run on the
same machine, and their ratio, so the numbers mean something on any computer.

Rows:

``demo wall time``
    Loading ``tf-binding`` and training the default model (``models.recommended``) for
    20 epochs with ``TrainConfig(save=True)`` into a temporary runs folder: what the
    Train page's demo costs. Reference: the 60 s target.
``first live point``
    Seconds from ``TrainingJob(...).start()`` to the first record in ``job.history``, the
    first point of the live curves. Reference: one bare PyTorch epoch (the row below), the
    least a first point can cost; the target is 5 s.
``trainer epoch``
    The trainer's wall time per epoch (median of epochs 2-6, ``save=False``), everything
    from the first batch to the epoch's record. Reference: a bare PyTorch loop over the
    same train-split tensors with the same model, batch size and AdamW settings: index a
    batch, forward, loss, backward, step, and nothing else. The two alternate epoch by
    epoch, so a busy spell on the machine slows both alike. On top of the bare loop the
    trainer does random reverse-complement augmentation (strand-symmetric data), keeps the
    moving average of the weights, collects the training predictions for the epoch's
    train metrics, validates (both strands for strand-symmetric data), copies the kept
    weights, and polls the stop flag and progress callback every batch. Target ratio: at
    most 1.10.

``python -m benchmarks.realdata`` is a separate, slower quality benchmark on the real
files in ``../shared/data`` (see that module).
"""
