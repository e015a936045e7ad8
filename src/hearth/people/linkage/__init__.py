"""Identity matching in pure Python (no Django): normalising, blocking keys, a trained
Fellegi–Sunter scorer with calibrated probabilities, and batch dedupe/link of CSV files.

The product uses it through ``hearth.people.matching`` (database side); anyone can run it
on files with ``python -m hearth.people.linkage`` (see ``__main__.py``).
"""

from .blocking import keys_of
from .index_keys import index_keys
from .model import (
    DEFAULT_THRESHOLD,
    LINK,
    LINK_THRESHOLD,
    NO_LINK,
    REVIEW,
    REVIEW_THRESHOLD,
    Comparison,
    Model,
    band_of,
    shipped_model,
)
from .records import Prepared, Record, prepare

__all__ = [
    "DEFAULT_THRESHOLD", "LINK", "LINK_THRESHOLD", "NO_LINK", "REVIEW", "REVIEW_THRESHOLD", "Comparison", "Model",
    "Prepared", "Record", "band_of", "blocking_keys", "keys_of", "prepare", "shipped_model",
]


def blocking_keys(record: Record) -> set[str]:
    """The blocking keys of one record (what the product stores, hashed, in its index): the
    batch's narrow keys and their forms under a mistyped given name's known name (``index_keys``)."""
    return index_keys(prepare(record))
