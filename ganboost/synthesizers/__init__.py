"""Synthesizers: the thesis GANs, their conditional variants, and simple baselines."""

from ganboost.synthesizers.base import (
    BaseSynthesizer,
    NotFittedError,
    available_kinds,
    load_synthesizer,
    make_synthesizer,
)

__all__ = [
    "BaseSynthesizer",
    "NotFittedError",
    "available_kinds",
    "load_synthesizer",
    "make_synthesizer",
]
