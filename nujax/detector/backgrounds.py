"""Background registry: every background shape gives counts per bin and a density in energy.

A background enters every model the same way, so it is defined once here and used by every
model builder (binned, unbinned, density-matrix and EM-quadratic models):

* :func:`background_counts` — expected counts in (T[, cosθ][, φ]) bins [counts];
* :func:`background_density` — dN/dT at measured energies [counts/MeV], φ- and cosθ-integrated.

Shapes are isotropic in the recoil direction (cosθ and φ bins share the counts in proportion
Δcosθ/2 · Δφ/2π). The registry maps a name to a pair (counts per T bin, density at T) of pure
functions of the detector; the first entry is the flat background b [counts/(t yr MeV)] of
:class:`~nujax.detector.core.Detector`, counted above the detector threshold:

    N_k = b · M · t · |[a_k, b_k] ∩ [T_th, ∞)|,     dN/dT = b · M · t · Θ(T − T_th).

:func:`register_background` adds a shape; :data:`BACKGROUNDS` lists the known ones.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import jax.numpy as jnp

__all__ = ["BackgroundShape", "BACKGROUNDS", "register_background", "background_counts",
           "background_density"]


class BackgroundShape(NamedTuple):
    """A registered background: ``counts(detector, T_edges) -> (K,)`` counts per measured-energy
    bin and ``density(detector, T) -> dN/dT`` [counts/MeV], both pure and differentiable."""

    counts: Callable
    density: Callable
    doc: str = ""


def _flat_counts(detector, T_edges):
    T = jnp.maximum(T_edges, detector.threshold)                      # measured T ≥ T_th
    return detector.background * detector.mass_t * detector.live_time_yr * (T[1:] - T[:-1])


def _flat_density(detector, T):
    rate = detector.background * detector.mass_t * detector.live_time_yr
    return jnp.where(T >= detector.threshold, rate, 0.0) * jnp.ones_like(T)


#: Registered background shapes (name → :class:`BackgroundShape`).
BACKGROUNDS: dict = {
    "flat": BackgroundShape(_flat_counts, _flat_density,
                            "flat in measured energy above threshold, rate Detector.background "
                            "[counts/(t yr MeV)]"),
}


def register_background(name: str, counts: Callable, density: Callable, doc: str = "") -> None:
    """Add a background shape to :data:`BACKGROUNDS` (``ValueError`` if the name is taken)."""
    if name in BACKGROUNDS:
        raise ValueError(f"background shape {name!r} is already registered")
    BACKGROUNDS[str(name)] = BackgroundShape(counts, density, doc)


def _shape(name):
    if name not in BACKGROUNDS:
        raise ValueError(f"unknown background shape {name!r}; known: {', '.join(BACKGROUNDS)}")
    return BACKGROUNDS[name]


def background_counts(detector, T_edges, phi_edges=None, cos_edges=None, *, shape="flat"):
    """Expected background counts per (T[, cosθ][, φ]) bin [counts].

    Parameters
    ----------
    detector : Detector
    T_edges : array (K+1,)
        Measured-energy bin edges [MeV] (clipped at the threshold by the shape).
    phi_edges : array (n_φ+1,), optional
        Azimuth bin edges [rad]; the counts are shared as Δφ/2π (isotropic).
    cos_edges : array (J+1,), optional
        cosθ bin edges; the counts are shared as Δcosθ/2 (isotropic).
    shape : str
        Name in :data:`BACKGROUNDS`.

    Returns
    -------
    array (K,), (K, J), (K, n_φ) or (K, J, n_φ).
    """
    dt = jnp.result_type(float)
    out = _shape(shape).counts(detector, jnp.asarray(T_edges, dt))
    if cos_edges is not None:
        ce = jnp.asarray(cos_edges, dt)
        out = out[:, None] * (0.5 * (ce[1:] - ce[:-1]))[None, :]
    if phi_edges is not None:
        pe = jnp.asarray(phi_edges, dt)
        out = out[..., None] * ((pe[1:] - pe[:-1]) / (2.0 * math.pi))
    return out


def background_density(detector, T, *, shape="flat"):
    """dN/dT of the background at measured energies ``T`` [counts/MeV] (all directions)."""
    return _shape(shape).density(detector, jnp.asarray(T, jnp.result_type(float)))
