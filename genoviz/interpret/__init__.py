"""Interpretation: what trained models learned (one analysis per module)."""
