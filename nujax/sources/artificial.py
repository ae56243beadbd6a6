"""Artificial neutrino sources of seed 001: EC line sources and the ⁹⁰Sr–⁹⁰Y ν̄e source.

Line sources (electron capture; Eν = Q_EC − E_level − B_shell, nuclear recoil neglected):

* ⁵¹Cr → ⁵¹V: lines 0.7465 (81.63 %), 0.7514 (8.49 %), 0.4265 (8.95 %), 0.4314 MeV (0.93 %): K/L
  capture to the ground state and to the 320 keV level (J. N. Bahcall, Phys. Rev. C 56 (1997) 3391,
  Table II). Seed 001 quotes "746 keV … 81 % of the flux", in agreement.
* ³⁷Ar → ³⁷Cl: 0.8112 MeV (90.2 %) and 0.8137 MeV (9.8 %), K and L capture to the ground state
  (Bahcall 1997, Table II).
* ⁴⁹V → ⁴⁹Ti: 0.602 MeV and ¹⁴⁵Sm: 0.554 MeV, single lines as given by seed 001 (its ref. [12]);
  the K/L splitting (≈ 5 keV for ⁴⁹V) is not resolved there and is not modeled here.

⁹⁰Sr–⁹⁰Y (seed 001, Fig. 1; built from β-decay theory as the seed README asks): two first-forbidden
unique β⁻ branches, ⁹⁰Sr → ⁹⁰Y (Q = 0.546 MeV, Z = 39) and ⁹⁰Y → ⁹⁰Zr (Q = 2.28 MeV, Z = 40),
with the shape factor p² + q² (:mod:`nujax.sources.beta`). In secular equilibrium both activities
are equal, so the source emits 2 ν̄e per ⁹⁰Sr decay, half in each branch (the 0.02 % ⁹⁰Y branch to
the 1.76 MeV ⁹⁰Zr level is neglected).

Activity → flux: Φ = n_ν A / (4π L²) for an isotropic point source (A in Bq, L in cm;
1 MCi = 3.7·10¹⁶ Bq). Half-lives (NNDC/ENSDF) are given for time-averaging by the caller.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from nujax.sources.beta import beta_grid, beta_shape_jit
from nujax.sources.spectrum import Spectrum, continuum_spectrum, line_spectrum

__all__ = [
    "LINE_SOURCES",
    "HALF_LIVES_DAYS",
    "SRY_ENDPOINTS",
    "BQ_PER_MCI",
    "flux_at_distance",
    "line_source",
    "sr90_y90_spectra",
    "ARTIFICIAL_SOURCES",
]

#: Becquerel per mega-curie (1 Ci = 3.7·10¹⁰ Bq exactly).
BQ_PER_MCI: float = 3.7e16

#: EC line sources: name → ((energy [MeV], branching), ...). See module docstring for sources.
LINE_SOURCES: dict[str, tuple[tuple[float, float], ...]] = {
    "51Cr": ((0.7465, 0.8163), (0.7514, 0.0849), (0.4265, 0.0895), (0.4314, 0.0093)),  # Bahcall 1997
    "37Ar": ((0.8112, 0.902), (0.8137, 0.098)),  # Bahcall 1997
    "49V": ((0.602, 1.0),),  # seed 001 §2
    "145Sm": ((0.554, 1.0),),  # seed 001 §2
}

#: Half-lives [days] (ENSDF): ⁵¹Cr 27.704 d, ³⁷Ar 35.04 d, ⁴⁹V 330 d, ¹⁴⁵Sm 340 d, ⁹⁰Sr 28.79 y.
HALF_LIVES_DAYS: dict[str, float] = {
    "51Cr": 27.704, "37Ar": 35.04, "49V": 330.0, "145Sm": 340.0, "90Sr-90Y": 28.79 * 365.25,
}

#: ⁹⁰Sr and ⁹⁰Y branches: (Q [MeV], daughter Z, A) — seed 001 §2 (Q = 0.546 and 2.28 MeV).
SRY_ENDPOINTS: tuple[tuple[float, int, int], ...] = ((0.546, 39, 90), (2.28, 40, 90))

#: All names handled here.
ARTIFICIAL_SOURCES: tuple[str, ...] = ("51Cr", "37Ar", "49V", "145Sm", "90Sr-90Y")


def flux_at_distance(activity_bq, distance_cm, nu_per_decay=1.0):
    """Neutrino flux of an isotropic point source, Φ = n_ν A / (4π L²) [cm⁻² s⁻¹].

    Parameters
    ----------
    activity_bq : float
        Activity [Bq] (decays per second), ≥ 0.
    distance_cm : float
        Distance from the source [cm], > 0.
    nu_per_decay : float
        Neutrinos per decay (2 for ⁹⁰Sr–⁹⁰Y in equilibrium per ⁹⁰Sr decay).

    >>> f"{float(flux_at_distance(BQ_PER_MCI, 100.0)):.4e}"
    '2.9444e+11'
    """
    for label, v in (("activity", activity_bq), ("distance", distance_cm)):
        if isinstance(v, (int, float)) and (not math.isfinite(v) or v < 0):
            raise ValueError(f"{label} must be a finite non-negative number, got {v!r}")
    if isinstance(distance_cm, (int, float)) and distance_cm == 0:
        raise ValueError("distance must be > 0 cm")
    return nu_per_decay * jnp.asarray(activity_bq) / (4.0 * math.pi * jnp.asarray(distance_cm) ** 2)


def _activity_bq(activity_bq, activity_mci):
    if activity_mci is not None:
        if activity_bq is not None:
            raise ValueError("give the activity either in Bq or in MCi, not both")
        act = activity_mci * BQ_PER_MCI
    else:
        act = 1.0 if activity_bq is None else activity_bq
    if isinstance(act, (int, float)) and (not math.isfinite(act) or act < 0):
        raise ValueError(f"activity must be a finite non-negative number, got {act!r}")
    return act


def line_source(name: str, *, activity_bq=None, activity_mci=None, distance_cm=None) -> Spectrum:
    """An EC line source (⁵¹Cr, ³⁷Ar, ⁴⁹V, ¹⁴⁵Sm) as a :class:`Spectrum`.

    The flux is n_ν A/(4πL²) when ``distance_cm`` is given, else the activity itself (ν per second,
    1 Bq by default).

    >>> s = line_source("51Cr", activity_mci=1.0, distance_cm=100.0)
    >>> round(float(s.line_weights[0]), 4), f"{float(s.flux):.3e}"
    (0.8163, '2.944e+11')
    """
    if name not in LINE_SOURCES:
        raise ValueError(f"unknown line source {name!r}; known: {', '.join(LINE_SOURCES)}")
    lines = LINE_SOURCES[name]
    act = _activity_bq(activity_bq, activity_mci)
    flux = flux_at_distance(act, distance_cm) if distance_cm is not None else jnp.asarray(act)
    return line_spectrum([e for e, _ in lines], [b for _, b in lines], flux=flux, name=name)


def sr90_y90_spectra(*, activity_bq=None, activity_mci=None, distance_cm=None,
                     n_grid: int = 401) -> tuple[Spectrum, Spectrum]:
    """⁹⁰Sr–⁹⁰Y ν̄e source in secular equilibrium: (⁹⁰Sr branch, ⁹⁰Y branch) spectra.

    Two first-forbidden unique β⁻ shapes (Q = 0.546 and 2.28 MeV). ``activity`` is the ⁹⁰Sr
    activity; in equilibrium the ⁹⁰Y activity is equal, so each branch carries A/(4πL²) (or A
    without a distance) and the source emits 2 ν̄e per ⁹⁰Sr decay. The branches are separate
    Spectrum objects because a β⁻ spectrum ends with a finite jump at Eν = Q (the Coulomb-attracted
    electron at rest): kept apart, every jump sits at a grid end and the quadrature of :func:`fold`
    converges; summed on one grid it would not.

    >>> sr, y = sr90_y90_spectra()
    >>> round(float(sr.mean_energy()), 3), round(float(y.mean_energy()), 3)
    (0.345, 1.335)
    """
    act = _activity_bq(activity_bq, activity_mci)
    flux = flux_at_distance(act, distance_cm) if distance_cm is not None else jnp.asarray(act)
    out = []
    for (q, z, a), label in zip(SRY_ENDPOINTS, ("90Sr", "90Y")):
        grid = beta_grid(q, n_grid)
        dens = beta_shape_jit(jnp.asarray(grid), q, z, a, unique_forbidden=True)
        out.append(continuum_spectrum(grid, dens, flux=flux, antineutrino=True, name=f"90Sr-90Y {label}"))
    return tuple(out)
