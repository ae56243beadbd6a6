"""Scintillator quenching of electrons: Birks' law and the non-linear energy scale it gives.

Birks' law (J. B. Birks, Proc. Phys. Soc. A 64 (1951) 874) for the light yield per path length,
dL/dx = L₀ (dE/dx)/(1 + k_B dE/dx), integrated along the track of an electron of kinetic energy E
that stops in the scintillator, gives the visible (electron-equivalent) energy

    E_vis(E) = ∫₀^E dE' / (1 + k_B S(E')),        Q(E) = E_vis/E ≤ 1,

with S the electron collision stopping power [MeV/cm]. With k_B → 0, E_vis = E (a linear scale).
S is the Bethe formula for electrons (Rohrlich & Carlson, Phys. Rev. 93 (1954) 38; ICRU Report 37
(1984) eq. (2.5)), density effect neglected (below a few MeV in a liquid it is < 1 %):

    S = 2π r_e² m_e n_e / β² [ln(τ²(τ + 2)/(2 (I/m_e)²)) + 1 − β² + (τ²/8 − (2τ + 1) ln 2)/(τ + 1)²],

τ = E/m_e, n_e the electron density, I the mean excitation energy. Below 1 keV the formula fails
(atomic binding); S is held at its 1 keV value there (the integrand is then ≲ 0.5 and the
interval contributes < 1 keV). The integral runs on a logarithmic Gauss–Legendre map from 1 eV
to E, differentiable in E, k_B, the density and I.

Defaults are a Borexino-like pseudocumene scintillator: k_B = 0.0115 cm/MeV (the Birks parameter
of the Borexino Phase-I energy response, Bellini et al., PRD 89 (2014) 112007, arXiv:1308.0443;
value quoted from that analysis, not re-verified here), density 0.876 g/cm³ (pseudocumene,
Alimonti et al., NIM A 600 (2009) 568; approximate) and I = 60 eV (typical of aromatic
hydrocarbons; an assumption, not a measured value for pseudocumene).
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from nujax._numerics import mapped_nodes
from nujax.constants import ALPHA, HBARC_MEV_CM, M_E
from nujax.detector.materials import get_material

__all__ = ["BIRKS_KB_BOREXINO", "electron_stopping_power", "birks_visible_energy",
           "quenching_factor"]

#: Birks parameter of a Borexino-like pseudocumene scintillator [cm/MeV] (module docstring).
BIRKS_KB_BOREXINO: float = 0.0115
_R_E_CM = ALPHA * HBARC_MEV_CM / M_E          # classical electron radius [cm]
_E_FLOOR = 1.0e-3                             # MeV: Bethe's formula held below 1 keV


def electron_stopping_power(E, *, material="pseudocumene", density_g_cm3=0.876,
                            mean_excitation_eV=60.0):
    """Collision stopping power S(E) of electrons [MeV/cm] (Rohrlich–Carlson; module docstring).

    Parameters
    ----------
    E : array
        Electron kinetic energy [MeV] (held at 1 keV below 1 keV).
    material : str or Material
        Sets the electrons per tonne.
    density_g_cm3 : float
        Density [g/cm³].
    mean_excitation_eV : float
        Mean excitation energy I [eV].
    """
    n_e = get_material(material).electrons_per_tonne * density_g_cm3 * 1.0e-6   # [cm⁻³]
    tau = jnp.maximum(jnp.asarray(E), _E_FLOOR) / M_E
    beta2 = tau * (tau + 2.0) / (tau + 1.0) ** 2
    i_rel = mean_excitation_eV * 1.0e-6 / M_E
    # ICRU 37 eq. (2.5), electrons, δ = 0
    bracket = (jnp.log(tau * tau * (tau + 2.0) / (2.0 * i_rel * i_rel)) + 1.0 - beta2
               + (tau * tau / 8.0 - (2.0 * tau + 1.0) * math.log(2.0)) / (tau + 1.0) ** 2)
    return 2.0 * math.pi * _R_E_CM ** 2 * M_E * n_e / beta2 * bracket


def birks_visible_energy(E, *, kB_cm_per_MeV=BIRKS_KB_BOREXINO, n_nodes=24, n_panels=4,
                         **stopping):
    """Visible energy E_vis(E) = ∫₀^E dE'/(1 + k_B S(E')) [MeV] of an electron (Birks 1951).

    Parameters
    ----------
    E : array
        Electron kinetic energy [MeV].
    kB_cm_per_MeV : float
        Birks parameter [cm/MeV]; 0 gives E_vis = E.
    n_nodes, n_panels : int
        Gauss–Legendre nodes per panel and panels of the logarithmic map from 1 eV to E.
    **stopping
        Passed to :func:`electron_stopping_power` (material, density, I).

    >>> round(float(birks_visible_energy(1.0, kB_cm_per_MeV=0.0)), 6)
    1.0
    """
    E = jnp.asarray(E, jnp.result_type(float))
    lo = jnp.minimum(1.0e-6, E)
    x, w = mapped_nodes(lo, E, n_nodes, n_panels, log=True)
    integrand = 1.0 / (1.0 + kB_cm_per_MeV * electron_stopping_power(x, **stopping))
    return lo + jnp.sum(w * integrand, axis=-1)       # Birks 1951, [0, 1 eV] counted as linear


def quenching_factor(E, **kw):
    """Q(E) = E_vis(E)/E (≤ 1), the non-linear energy scale of electrons (E > 0 MeV)."""
    E = jnp.asarray(E, jnp.result_type(float))
    ok = E > 0
    Es = jnp.where(ok, E, 1.0)
    return jnp.where(ok, birks_visible_energy(Es, **kw) / Es, 1.0)
