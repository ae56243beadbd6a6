"""Matplotlib helpers shared by the seed-figure modules (Agg backend, atomic PNG writes)."""

from __future__ import annotations

import os
from pathlib import Path

from nujax._io import atomic_path

import matplotlib

matplotlib.use("Agg")  # figures are files; never needs a display
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["new_figure", "save_figure", "atomic_write_bytes"]


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 6.0, height: float = 4.2, **kw):
    """A (fig, axes) pair with the house style (constrained layout, readable fonts)."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             layout="constrained", **kw)
    return fig, axes


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def save_figure(fig, path: str | os.PathLike, *, dpi: int = 120) -> Path:
    """Save ``fig`` as PNG at ``path`` atomically and close it; returns the path."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())
