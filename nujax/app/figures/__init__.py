"""Reproductions of the seed papers' figures, one module per seed (``seed000`` … ``seed004``).

Each module exposes ``figure_data(...)`` functions returning the plotted arrays (tested against
the library), ``all_figure_data()`` (all of them, keyed by file stem) and
``make_figures(out_dir, data=None)`` plotting that data into PNGs. This package adds the registry
used by ``nujax figures``: which seeds are reproduced (:data:`SEEDS`), the file stem of every
figure (:data:`FIGURES`), the data behind each figure (:func:`figure_data`, exactly what
``make_figures`` plots, computed once) and an ``.npz`` format for that data
(:func:`save_data`, :func:`load_data`), so that the numbers behind every PNG can be checked.

>>> FIGURES["002"]
('seed002_fig1', 'seed002_fig2', 'seed002_fig3')
>>> sorted(flatten_data({"a": {("dirac", 0.1): [1.0, 2.0]}, "b": 3.0}))
['a/dirac,0.1', 'b']
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np

__all__ = ["SEEDS", "FIGURES", "seed_key", "module", "make_figures", "figure_data", "flatten_data",
           "save_data", "load_data"]

#: The seeds whose figures are reproduced.
SEEDS = ("000", "001", "002", "004")

#: File stems (``<stem>.png``, ``<stem>.npz``) of the figures of each seed, as written by
#: the seed module's ``make_figures``.
FIGURES = {
    "000": tuple(f"seed000_fig{i}" for i in (2, 3, 4, 5)),
    "001": tuple(f"seed001_fig{i}" for i in range(2, 10)),
    "002": tuple(f"seed002_fig{i}" for i in (1, 2, 3)),
    "004": tuple(f"seed004_fig{i}" for i in range(2, 9)),
}


def seed_key(seed) -> str:
    """The registry key ("000" …) of ``seed`` ("000", "seed000", 0 …); ValueError if not reproduced."""
    key = str(seed).strip().removeprefix("seed").zfill(3)
    if key not in FIGURES:
        raise ValueError(f"unknown seed {seed!r}; reproduced seeds: {', '.join(SEEDS)}")
    return key


def module(seed):
    """The figure module of ``seed`` ("000", "001", "002" or "004"; "seed000" and 0 work too)."""
    return importlib.import_module(f"nujax.app.figures.seed{seed_key(seed)}")


def make_figures(seed, out_dir, data=None) -> list[Path]:
    """Write the PNGs of ``seed`` into ``out_dir`` (the module's ``make_figures``); their paths.

    ``data``: :func:`figure_data` of ``seed`` when already computed (it is then not recomputed).

    ``RuntimeError`` if the module wrote other figures than :data:`FIGURES` lists.
    """
    key = seed_key(seed)
    paths = [Path(p) for p in module(key).make_figures(out_dir, data=data)]
    if tuple(p.stem for p in paths) != FIGURES[key]:
        raise RuntimeError(f"seed {key} wrote {[p.name for p in paths]}, the registry lists "
                           f"{list(FIGURES[key])}")
    return paths




def figure_data(seed) -> dict:
    """The plotted data of every figure of ``seed``: {figure stem: data dict}.

    Computed by the seed module's ``all_figure_data``, which its ``make_figures`` plots.
    """
    key = seed_key(seed)
    out = module(key).all_figure_data()
    if tuple(out) != FIGURES[key]:
        raise RuntimeError(f"figure data of seed {key} ({tuple(out)}) does not match the registry")
    return out


def _key(k) -> str:
    return ",".join(map(str, k)) if isinstance(k, tuple) else str(k)


def flatten_data(data: dict, prefix: str = "") -> dict:
    """Flatten nested figure data into {"a/b": numpy array}; tuple keys join with ","."""
    out = {}
    for k, v in data.items():
        name = prefix + _key(k)
        if isinstance(v, dict):
            out.update(flatten_data(v, name + "/"))
            continue
        arr = np.asarray(v)
        if arr.dtype == object:
            raise TypeError(f"figure data entry {name!r} is not a numeric array")
        out[name] = arr
    return out


def save_data(data: dict, path: str | os.PathLike) -> Path:
    """Write figure data (nested dict) as a compressed ``.npz`` atomically; returns the path."""
    from nujax._io import atomic_path

    arrays = flatten_data(data)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return Path(path)


def load_data(path: str | os.PathLike) -> dict:
    """Read a file written by :func:`save_data`: {flattened key: numpy array}."""
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
