"""Storage of scan results: chunked, resumable, deterministic result files.

Chunked, resumable scan output: one atomic ``.npy`` per chunk, then one deterministic ``.npz``.

Layout for a result file ``out.npz``:

``out.npz.parts/manifest.json``
    fingerprint of the scan's content (configuration, grid, quantity), chunk size and number of
    chunks (a resumed run keeps them);
``out.npz.parts/chunk_000000.npy`` …
    the values of each finished chunk, each written atomically (temporary file + rename), so a
    killed run leaves only complete chunks behind;
``out.npz``
    written atomically once every chunk is present: ``values`` (grid shape), ``axis__<name>`` per
    axis and ``meta`` (a JSON string: configuration, quantity, nujax version, device). The archive
    members carry a fixed time stamp, so the same scan gives the same bytes whether or not it was
    interrupted and resumed. The ``.parts`` folder is removed afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np

from nujax._io import atomic_path

__all__ = ["ChunkStore", "write_npz_deterministic", "load_scan_file", "fingerprint"]

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _json(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=_json_default, separators=(",", ":"))


def _json_default(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, Path):
        return str(x)
    return repr(x)


def fingerprint(obj) -> str:
    """SHA-256 of the canonical JSON of ``obj`` (what identifies a scan for resuming)."""
    return hashlib.sha256(_json(obj).encode()).hexdigest()


def write_npz_deterministic(path, arrays: dict) -> Path:
    """Write ``arrays`` as an uncompressed ``.npz`` atomically, with fixed member time stamps.

    Parameters
    ----------
    path : path-like
        Destination file.
    arrays : dict of str -> array_like
        Members (written in sorted order; no pickled objects).
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for name in sorted(arrays):
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
                info.external_attr = 0o644 << 16
                zf.writestr(info, buf.getvalue())
    return path


def load_scan_file(path):
    """Read a scan result file: (values, axes dict, meta dict)."""
    with np.load(Path(path), allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        axes = {name: np.asarray(z[f"axis__{name}"]) for name in meta["axis_names"]}
        values = np.asarray(z["values"])
    return values, axes, meta


class ChunkStore:
    """The on-disk state of one chunked scan (see the module docstring).

    Parameters
    ----------
    path : path-like
        Final result file (``.npz``).
    key : dict
        Everything that identifies the scan: its content, not how it is chunked nor where its
        configuration file lies (a resumed run must match it exactly).
    force : bool
        Discard an existing result or partial run instead of refusing (result) or resuming (parts).

    ``chunk_size`` is the chunking of a partial run found on disk (None for a new scan); call
    :meth:`start` with the chunking before storing chunks.
    """

    def __init__(self, path, key: dict, *, force: bool = False):
        self.path = Path(path)
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.fp = fingerprint(key)
        self.chunk_size = self.n_chunks = None
        if force:
            self.path.unlink(missing_ok=True)
            shutil.rmtree(self.parts, ignore_errors=True)
        if self.path.exists():
            raise FileExistsError(f"{self.path} exists (a finished scan); pass force=True to redo it")
        manifest = self.parts / "manifest.json"
        if manifest.exists():
            old = json.loads(manifest.read_text())
            if old.get("fingerprint") != self.fp:
                raise ValueError(f"{self.parts} holds a partial run of a different scan; "
                                 "pass force=True to discard it")
            self.chunk_size, self.n_chunks = int(old["chunk_size"]), int(old["n_chunks"])

    def start(self, chunk_size: int, n_chunks: int) -> None:
        """Record the chunking of a new scan (a resumed one keeps the chunking on disk)."""
        if self.chunk_size is not None:
            return
        self.chunk_size, self.n_chunks = int(chunk_size), int(n_chunks)
        with atomic_path(self.parts / "manifest.json") as tmp:
            tmp.write_text(json.dumps({"fingerprint": self.fp, "chunk_size": self.chunk_size,
                                       "n_chunks": self.n_chunks}, indent=1) + "\n")

    def _chunk(self, i: int) -> Path:
        return self.parts / f"chunk_{i:06d}.npy"

    def done(self) -> set:
        """Indices of the chunks already stored."""
        return {i for i in range(self.n_chunks) if self._chunk(i).exists()}

    def save(self, i: int, values) -> None:
        """Store chunk ``i`` atomically."""
        with atomic_path(self._chunk(i)) as tmp, open(tmp, "wb") as fh:
            np.save(fh, np.asarray(values), allow_pickle=False)

    def load(self, i: int) -> np.ndarray:
        return np.load(self._chunk(i), allow_pickle=False)

    def finish(self, values, axes: dict, meta: dict) -> Path:
        """Write the final file from the assembled ``values`` and remove the parts folder."""
        arrays = {"values": values, "meta": np.asarray(_json(meta))}
        arrays.update({f"axis__{k}": np.asarray(v) for k, v in axes.items()})
        write_npz_deterministic(self.path, arrays)
        shutil.rmtree(self.parts, ignore_errors=True)
        return self.path
