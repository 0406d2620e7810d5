"""ganboost: do synthetic rows help ordinary classifiers on a small tabular dataset?

The public API is listed in ``__all__``; heavy modules (TensorFlow) are imported only when
a name that needs them is used.
"""

from ganboost.encoding import TableEncoder
from ganboost.schema import ColumnSpec, SchemaError, TableSchema, infer_schema
from ganboost.synthesizers import (
    BaseSynthesizer,
    NotFittedError,
    available_kinds,
    load_synthesizer,
    make_synthesizer,
)
from ganboost.synthesizers.gan import GANSynthesizer, TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "BaseSynthesizer",
    "ColumnSpec",
    "GANSynthesizer",
    "NotFittedError",
    "SchemaError",
    "TableEncoder",
    "TableSchema",
    "TrainingDivergedError",
    "available_kinds",
    "infer_schema",
    "load_synthesizer",
    "make_synthesizer",
]
