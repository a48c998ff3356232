"""Safe (no pickle) serialisation of numpy arrays, sparse matrices and JSON metadata."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import scipy.sparse as sp


def pack(meta: dict[str, Any], arrays: dict[str, Any]) -> bytes:
    """One compressed ``.npz`` holding ``meta`` as JSON and each array or CSR matrix."""
    out: dict[str, np.ndarray] = {
        "__meta__": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
    for name, value in arrays.items():
        if sp.issparse(value):
            value = value.tocsr()
            out[f"{name}.data"] = value.data
            out[f"{name}.indices"] = value.indices
            out[f"{name}.indptr"] = value.indptr
            out[f"{name}.shape"] = np.asarray(value.shape, dtype=np.int64)
        elif isinstance(value, list | tuple) and (not value or isinstance(value[0], str)):
            out[f"{name}.strings"] = np.frombuffer(
                json.dumps(list(value)).encode("utf-8"), dtype=np.uint8)
        else:
            out[name] = np.asarray(value)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **out)
    return buffer.getvalue()


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Inverse of :func:`pack`; never unpickles anything."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        files = {name: npz[name] for name in npz.files}
    meta = json.loads(files.pop("__meta__").tobytes().decode("utf-8"))
    arrays: dict[str, Any] = {}
    for name in list(files):
        if name.endswith(".shape"):
            base = name[:-len(".shape")]
            arrays[base] = sp.csr_matrix(
                (files.pop(f"{base}.data"), files.pop(f"{base}.indices"),
                 files.pop(f"{base}.indptr")), shape=tuple(int(x) for x in files.pop(name)))
    for name in list(files):
        if name.endswith(".strings"):
            arrays[name[:-len(".strings")]] = json.loads(files.pop(name).tobytes().decode())
    arrays.update(files)
    return meta, arrays
