"""Pion decay at rest (πDAR): the prompt νμ line and the delayed ν̄μ and νe Michel spectra.

π⁺ → μ⁺ νμ at rest gives a line at Eν = (m_π² − m_μ²)/(2 m_π) = 29.79 MeV (two-body kinematics,
computed from the PDG 2024 masses m_π± = 139.57039 MeV, m_μ = 105.6583755 MeV). The μ⁺ → e⁺ νe ν̄μ
decay at rest gives the Michel spectra (x = Eν/m_μ, 0 ≤ x ≤ ½, electron mass neglected; e.g.
C. Athanassopoulos et al. (LSND), NIM A 388 (1997) 149; Particle Data Group, "Muon decay
parameters"):

    ν̄μ: dN/dEν = (64/m_μ) x² (¾ − x),      νe: dN/dEν = (192/m_μ) x² (½ − x),

with ⟨E⟩ = 0.35 m_μ = 36.98 MeV and 0.30 m_μ = 31.70 MeV. Each decay chain yields one neutrino of
each flavor, so with r neutrinos per flavor per proton on target (e.g. 0.08 at the SNS, D. Akimov
et al. (COHERENT), Science 357 (2017) 1123) the flux at distance L is Φ = r · POT/s / (4π L²)
for each of the three components.

Agreement (tests/sources/test_sources.py): below m_μ/2 the mean energies of the Kavanagh CEvNS.py digitized
SNS spectra agree with these within 1 % and the shapes within 20 % on 7–51 MeV (digitization).
Note: in that data set the file labelled ``numub`` holds the νe shape (⟨E⟩ = 31.7 MeV = 0.30 m_μ)
and the one labelled ``nue`` the ν̄μ shape (⟨E⟩ = 36.7 MeV ≈ 0.35 m_μ): the labels are swapped.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from nujax.sources.spectrum import Spectrum, continuum_spectrum, line_spectrum

__all__ = ["M_PI_CHARGED", "M_MU", "E_NU_MU_PROMPT", "michel_numubar", "michel_nue", "pidar_spectra"]

#: Charged-pion mass [MeV], PDG 2024.
M_PI_CHARGED: float = 139.57039
#: Muon mass [MeV], PDG 2024.
M_MU: float = 105.6583755
#: Prompt νμ energy from π⁺ → μ⁺ νμ at rest [MeV] (two-body kinematics).
E_NU_MU_PROMPT: float = (M_PI_CHARGED**2 - M_MU**2) / (2.0 * M_PI_CHARGED)


def michel_numubar(enu):
    """ν̄μ spectrum from μ⁺ decay at rest [MeV⁻¹], normalized; 0 outside [0, m_μ/2]."""
    x = jnp.asarray(enu) / M_MU
    return jnp.where((x >= 0) & (x <= 0.5), 64.0 / M_MU * x * x * (0.75 - x), 0.0)  # Michel, ρ = 3/4


def michel_nue(enu):
    """νe spectrum from μ⁺ decay at rest [MeV⁻¹], normalized; 0 outside [0, m_μ/2]."""
    x = jnp.asarray(enu) / M_MU
    return jnp.where((x >= 0) & (x <= 0.5), 192.0 / M_MU * x * x * (0.5 - x), 0.0)  # Michel, ρ = 3/4


def pidar_spectra(pot_per_s=None, distance_cm=None, *, nu_per_flavor_per_pot: float = 0.08,
                  n_grid: int = 401) -> tuple[Spectrum, Spectrum, Spectrum]:
    """πDAR spectra (prompt νμ, delayed ν̄μ, delayed νe).

    Parameters
    ----------
    pot_per_s : float, optional
        Protons on target per second; without it the fluxes are per proton on target.
    distance_cm : float, optional
        Distance [cm]; without it the flux is the emission rate (ν per second, or per POT).
    nu_per_flavor_per_pot : float
        Neutrinos of each flavor per proton (0.08 at the SNS, COHERENT 2017).

    >>> nm, nmb, ne = pidar_spectra()
    >>> round(float(nm.line_energies[0]), 2), round(float(nmb.mean_energy()), 2), round(float(ne.mean_energy()), 2)
    (29.79, 36.98, 31.7)
    """
    for label, v in (("POT rate", pot_per_s), ("distance", distance_cm), ("yield", nu_per_flavor_per_pot)):
        if v is not None and isinstance(v, (int, float)) and (not math.isfinite(v) or v < 0):
            raise ValueError(f"{label} must be a finite non-negative number, got {v!r}")
    if isinstance(distance_cm, (int, float)) and distance_cm == 0:
        raise ValueError("distance must be > 0 cm")
    rate = nu_per_flavor_per_pot * (1.0 if pot_per_s is None else jnp.asarray(pot_per_s))
    flux = rate if distance_cm is None else rate / (4.0 * math.pi * jnp.asarray(distance_cm) ** 2)
    grid = np.linspace(0.0, 0.5 * M_MU, n_grid)
    g = jnp.asarray(grid)
    prompt = line_spectrum([E_NU_MU_PROMPT], [1.0], flux=flux, flavor_fractions=(0.0, 1.0, 0.0),
                           name="pidar nu_mu")
    numubar = continuum_spectrum(grid, michel_numubar(g), flux=flux, flavor_fractions=(0.0, 1.0, 0.0),
                                 antineutrino=True, name="pidar nubar_mu")
    nue = continuum_spectrum(grid, michel_nue(g), flux=flux, name="pidar nu_e")
    return prompt, numubar, nue
