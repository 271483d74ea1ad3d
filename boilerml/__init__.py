"""boilerml: remove boilerplate from web pages and text dumps with a trained line classifier."""

import logging

from .batch import clean_many
from .decode import BinaryInputError, Decoded, decode
from .lines import LABELS, Explanation, LabelledLine, Line, Reason
from .model import Model, ModelError, default_model, load_model
from .pipeline import classify, clean
from .segment import TooManyLinesError
from .warc import ArchivedPage, ArchiveError, read_archive

__version__ = "0.1.0"
__all__ = [
    "LABELS",
    "ArchiveError",
    "ArchivedPage",
    "BinaryInputError",
    "Decoded",
    "Explanation",
    "LabelledLine",
    "Line",
    "Model",
    "ModelError",
    "Reason",
    "TooManyLinesError",
    "__version__",
    "classify",
    "clean",
    "clean_many",
    "decode",
    "default_model",
    "load_model",
    "read_archive",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
