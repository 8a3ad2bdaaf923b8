"""Interpretation: what a trained model learned (filter logos, attributions, ISM, attention).

One analysis per module; pages ask these modules, never a model's internals.
"""
