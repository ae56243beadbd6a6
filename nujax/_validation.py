"""Eager input checks: clear errors for concrete bad input, no-ops under tracing (GUIDE §4.10)."""

from __future__ import annotations

import numpy as np
import jax


def is_concrete(x) -> bool:
    """True when ``x`` holds values now (not a tracer inside jit/grad/vmap)."""
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(x))


def _values(x):
    return np.asarray(x, dtype=float) if is_concrete(x) else None


def check_energy(name: str, x, *, allow_zero: bool = True):
    """Raise ``ValueError`` if a concrete energy is NaN, infinite or negative (or zero if not allowed)."""
    v = _values(x)
    if v is None:
        return
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite value")
    if np.any(v < 0) or (not allow_zero and np.any(v == 0)):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound} MeV, got minimum {v.min()!r}")


def check_probability(name: str, x):
    """Raise ``ValueError`` if a concrete probability is outside [0, 1] or NaN."""
    v = _values(x)
    if v is None:
        return
    if not np.all(np.isfinite(v)) or np.any(v < 0) or np.any(v > 1):
        raise ValueError(f"{name} must lie in [0, 1], got values in [{np.nanmin(v)!r}, {np.nanmax(v)!r}]")


def check_finite(name: str, x):
    """Raise ``ValueError`` if a concrete parameter is NaN or infinite."""
    v = _values(x)
    if v is None:
        return
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite value")
