"""Supernova neutrinos: pinched spectra per flavor with mean energies as differentiable parameters.

Each species has the "α-fit" (pinched, Gamma-distribution) spectrum of M. T. Keil, G. G. Raffelt
and H.-T. Janka, ApJ 590 (2003) 971, eq. (23):

    f(E) = (α + 1)^{α+1} / (⟨E⟩ Γ(α + 1)) · (E/⟨E⟩)^α · exp(−(α + 1) E/⟨E⟩),

normalized to 1 with mean ⟨E⟩ and ⟨E²⟩/⟨E⟩² = (α + 2)/(α + 1); α ≈ 2.30 reproduces a Fermi–Dirac
spectrum with zero chemical potential (KRJ 2003, §4), larger α is "pinched". Number flux (fluence
for a time-integrated energy) per species at distance d: Φ = 𝓔 / (⟨E⟩ 4π d²), with 𝓔 the energy
emitted in that species (10⁵² erg, or 10⁵² erg/s for a luminosity, then Φ is a flux).

Species: νe, ν̄e and the heavy flavors νx (νμ + ντ) and ν̄x (ν̄μ + ν̄τ), the two heavy species of
each kind sharing one spectrum (so their Spectrum carries twice the per-species flux and
flavor fractions (0, ½, ½)). Defaults (12, 15, 18 MeV; α = 2.3; 5·10⁵² erg per species, i.e.
3·10⁵³ erg in total; d = 10 kpc) are the conventional benchmark values (e.g. KRJ 2003 §1).

The density is tabulated on a fixed grid [0, ``e_max``] and normalized there (trapezoid), so the
tail above e_max is dropped consistently; gradients flow to ⟨E⟩, α and 𝓔 (E = 0 is guarded).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.sources.spectrum import Spectrum, continuum_spectrum

__all__ = ["MEV_PER_ERG", "CM_PER_KPC", "pinched_spectrum", "supernova_spectra", "SN_SPECIES"]

#: MeV per erg: 1e-7 J / 1.602176634e-13 J/MeV (exact SI).
MEV_PER_ERG: float = 1.0e-7 / 1.602176634e-13
#: Centimetres per kiloparsec (IAU 2015 B2: 1 pc = 648000/π au).
CM_PER_KPC: float = 1.0e3 * 648000.0 / np.pi * 1.495978707e13

#: Species returned by :func:`supernova_spectra`: (name, flavor fractions, antineutrino, multiplicity).
SN_SPECIES = (
    ("nu_e", (1.0, 0.0, 0.0), False, 1),
    ("nubar_e", (1.0, 0.0, 0.0), True, 1),
    ("nu_x", (0.0, 0.5, 0.5), False, 2),
    ("nubar_x", (0.0, 0.5, 0.5), True, 2),
)


def pinched_spectrum(enu, mean_energy, alpha):
    """Keil–Raffelt–Janka pinched spectrum f(E) [MeV⁻¹], normalized on [0, ∞).

    >>> round(float(pinched_spectrum(10.0, 10.0, 2.0)), 6)   # 27 e⁻³ / (2 · 10)
    0.067213
    """
    e = jnp.asarray(enu)
    m = jnp.asarray(mean_energy)
    a = jnp.asarray(alpha)
    pos = e > 0.0
    x = jnp.where(pos, e, 1.0) / m  # guard the input (GUIDE §4.6): log 0 never evaluated
    # KRJ 2003 eq. (23)
    logf = ((a + 1.0) * jnp.log(a + 1.0) - jnp.log(m) - jnp.asarray(_lgamma(a + 1.0))
            + a * jnp.log(x) - (a + 1.0) * x)
    return jnp.where(pos, jnp.exp(logf), 0.0)


def _lgamma(x):
    from jax.scipy.special import gammaln

    return gammaln(x)


def _broadcast3(name, v):
    arr = jnp.asarray(v, dtype=float)
    if arr.ndim == 0:
        arr = jnp.broadcast_to(arr, (4,))
    if arr.shape == (3,):  # (νe, ν̄e, νx) → ν̄x shares the νx value
        arr = jnp.concatenate([arr, arr[2:3]])
    if arr.shape != (4,):
        raise ValueError(f"{name} must be a scalar or 3 (νe, ν̄e, νx) or 4 (νe, ν̄e, νx, ν̄x) values")
    return arr


def supernova_spectra(mean_energies=(12.0, 15.0, 18.0), alphas=2.3, energies_1e52_erg=5.0,
                      distance_kpc=10.0, *, luminosity: bool = False, e_max: float = 100.0,
                      n_grid: int = 401) -> tuple[Spectrum, ...]:
    """Supernova spectra (νe, ν̄e, νx, ν̄x) at Earth.

    Parameters
    ----------
    mean_energies : array of 3 or 4
        ⟨E⟩ per species [MeV] (νe, ν̄e, νx[, ν̄x]); ν̄x defaults to the νx value.
    alphas : float or array
        Pinching parameters α (> −1).
    energies_1e52_erg : float or array
        Energy per species [10⁵² erg] (fluence) or luminosity per species [10⁵² erg/s] (flux);
        scaled to O(1) so float32 never overflows (GUIDE §3).
    distance_kpc : float
        Distance [kpc], > 0.
    luminosity : bool
        ``energies_1e52_erg`` are luminosities [10⁵² erg/s] and the spectra carry fluxes; by default
        they are emitted energies and the spectra carry fluences (``Spectrum.fluence``), which the
        rates never multiply by a live time.
    e_max : float
        Upper end of the grid [MeV] (static).
    n_grid : int
        Grid points (static).

    Returns
    -------
    tuple of Spectrum
        ``flux`` = fluence [cm⁻²] (or flux [cm⁻² s⁻¹] for luminosities) per entry.

    >>> s = supernova_spectra()
    >>> round(float(s[0].mean_energy()), 4), f"{float(s[0].flux):.4e}"
    (12.0, '2.1735e+11')
    """
    means = _broadcast3("mean_energies", mean_energies)
    al = _broadcast3("alphas", alphas)
    en = _broadcast3("energies_1e52_erg", energies_1e52_erg)
    if is_concrete((means, al, en, distance_kpc)):
        checks = (("mean energies", means, True), ("energies", en, False), ("distance", distance_kpc, True))
        for label, v, strict in checks:
            vv = np.asarray(v, dtype=float)
            if not np.all(np.isfinite(vv)) or np.any(vv < 0) or (strict and np.any(vv == 0)):
                raise ValueError(f"supernova {label} must be finite and positive, got {v!r}")
        if np.any(np.asarray(al) <= -1.0):
            raise ValueError(f"pinching α must be > −1, got {alphas!r}")
    grid = jnp.linspace(0.0, e_max, n_grid)
    # 10⁵² erg in MeV over 4π (1 kpc)² in cm², a float64 constant of order 5e13
    scale = 1.0e52 * MEV_PER_ERG / (4.0 * np.pi * CM_PER_KPC**2)
    d2 = jnp.asarray(distance_kpc) ** 2
    out = []
    for i, (name, ff, anti, mult) in enumerate(SN_SPECIES):
        dens = pinched_spectrum(grid, means[i], al[i])
        # KRJ 2003: number of neutrinos = energy / mean energy
        flux = mult * scale * en[i] / means[i] / d2
        out.append(continuum_spectrum(grid, dens, flux=flux, flavor_fractions=ff, antineutrino=anti,
                                      name=f"supernova {name}", fluence=not luminosity))
    return tuple(out)
