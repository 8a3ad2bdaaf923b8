"""Errors raised while reading a user's data file, with messages a biologist can act on."""

from __future__ import annotations


class DataFormatError(ValueError):
    """A file whose layout genoviz cannot read; the message names the line or column."""


class UnlabelledError(DataFormatError):
    """The sequences read, but none has a label (a FASTA without any ``label=``, a table
    without a ``label`` column): they can be looked at and scored, not trained on."""
