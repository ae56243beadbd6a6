"""Eager input checks: clear errors for concrete bad input, no-ops under tracing (GUIDE §4.10).

Every check names the argument it rejects (``ValueError`` for a bad value, ``TypeError`` for
something that is not a number at all), so a caller — or the command line — can print one line.
"""

from __future__ import annotations

import numpy as np
import jax


def is_concrete(x) -> bool:
    """True when ``x`` holds values now (not a tracer inside jit/grad/vmap)."""
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(x))


def values(name: str, x):
    """``x`` as a float numpy array when concrete (None under tracing).

    Raises ``TypeError`` naming ``name`` when ``x`` is not numeric (a string, a dict …).
    """
    if not is_concrete(x):
        return None
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {_short(x)}") from None


def _short(x) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def _range_text(v) -> str:
    fin = v[np.isfinite(v)]
    if fin.size == 1:
        return repr(float(fin[0]))
    return f"values in [{float(fin.min())!r}, {float(fin.max())!r}]"


def check_finite(name: str, x):
    """Raise ``ValueError`` if a concrete parameter is NaN or infinite."""
    v = values(name, x)
    if v is not None and not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite value")


def check_energy(name: str, x, *, allow_zero: bool = True):
    """Raise ``ValueError`` if a concrete energy is NaN, infinite or negative (or zero if not allowed)."""
    v = values(name, x)
    if v is None:
        return
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite value")
    if np.any(v < 0) or (not allow_zero and np.any(v == 0)):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound} MeV, got minimum {float(v.min())!r}")


def check_range(name: str, x, lo: float, hi: float, what: str = "lie in"):
    """Raise ``ValueError`` unless every concrete value is finite and in [lo, hi]."""
    v = values(name, x)
    if v is None:
        return
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite value")
    if np.any(v < lo) or np.any(v > hi):
        raise ValueError(f"{name} must {what} [{lo:g}, {hi:g}], got {_range_text(v)}")


def check_probability(name: str, x):
    """Raise ``ValueError`` if a concrete probability is outside [0, 1] or NaN."""
    check_range(name, x, 0.0, 1.0)


def check_nonnegative(name: str, x):
    """Raise ``ValueError`` if a concrete value is NaN, infinite or negative."""
    v = values(name, x)
    if v is None:
        return
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite value")
    if np.any(v < 0):
        raise ValueError(f"{name} must be ≥ 0, got minimum {float(v.min())!r}")


def check_edges(name: str, edges, *, lo: float | None = None, hi: float | None = None,
                unit: str = ""):
    """Raise ``ValueError`` unless concrete bin edges are 1-D, ≥ 2, finite, strictly increasing
    and (when given) within [lo, hi]."""
    v = values(name, edges)
    if v is None:
        return
    u = f" [{unit}]" if unit else ""
    if v.ndim != 1 or v.size < 2:
        raise ValueError(f"{name} must be a 1-D array of ≥ 2 bin edges{u}, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite edge")
    if np.any(np.diff(v) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {_short(v.tolist())}")
    if (lo is not None and v[0] < lo) or (hi is not None and v[-1] > hi):
        raise ValueError(f"{name} must lie within [{lo if lo is not None else '-inf'}, "
                         f"{hi if hi is not None else 'inf'}]{u}, got [{float(v[0])!r}, {float(v[-1])!r}]")


#: How :func:`check_args` checks an argument, by its conventional name.
_RULES = {
    **{k: check_energy for k in ("enu", "T", "T_max", "T_min", "eg_min", "threshold")},
    **{k: check_finite for k in ("mu_1e11", "phi", "phi_B", "x", "y", "w", "nu")},
    **{k: check_probability for k in ("pe", "sin2w")},
    "costheta": lambda name, v: check_range(name, v, -1.0, 1.0),
}


def check_args(**kwargs):
    """Check each concrete keyword argument by the rule of its name (``None`` values are skipped).

    energies (``enu``, ``T``, ``T_max``, ``T_min``, ``eg_min``, ``threshold``): finite and ≥ 0;
    ``mu_1e11``, angles and the radiative variables ``x``, ``y``, ``w``, ``nu``: finite;
    ``pe``, ``sin2w``: in [0, 1]; ``costheta``: in [−1, 1].

    >>> check_args(enu=1.0, pe=0.5)
    >>> check_args(pe=float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: pe must be finite, got a NaN or infinite value
    """
    for name, v in kwargs.items():
        if v is not None:
            _RULES[name](name, v)
