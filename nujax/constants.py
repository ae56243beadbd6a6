"""Physical constants and unit conversions.

Everything inside nujax is in natural units (ħ = c = 1) with energies in MeV, so lengths are
MeV⁻¹ and cross sections MeV⁻². Conversion to laboratory units (cm², seconds, tonne-years)
happens only at the edge, through the helpers below.

Sources
-------
* CODATA 2022: E. Tiesinga et al. / P. J. Mohr et al., "CODATA recommended values of the
  fundamental physical constants: 2022", Rev. Mod. Phys. 97 (2025) 025002;
  https://physics.nist.gov/cuu/Constants/ .
* PDG 2024: S. Navas et al. (Particle Data Group), Phys. Rev. D 110 (2024) 030001.
* AME2020: M. Wang et al., Chinese Phys. C 45 (2021) 030003 (atomic masses).
"""

from __future__ import annotations

import math

# --- fundamental constants -------------------------------------------------------------------
#: Fermi constant G_F/(ħc)³ [MeV⁻²]; PDG 2024 (1.1663788(6)·10⁻⁵ GeV⁻², muon lifetime).
G_F: float = 1.1663788e-11
#: Fine-structure constant α at q² = 0; CODATA 2022 (1/137.035999177).
ALPHA: float = 1.0 / 137.035999177
#: Electron mass m_e c² [MeV]; CODATA 2022.
M_E: float = 0.51099895069
#: Proton mass m_p c² [MeV]; CODATA 2022.
M_P: float = 938.27208943
#: Neutron mass m_n c² [MeV]; CODATA 2022.
M_N: float = 939.56542194
#: Atomic mass unit u c² [MeV]; CODATA 2022.
AMU: float = 931.49410372
#: Reduced Planck constant times c [MeV fm]; CODATA 2022 (exact SI definitions).
HBARC_MEV_FM: float = 197.3269804
#: ħc [MeV cm].
HBARC_MEV_CM: float = HBARC_MEV_FM * 1.0e-13
#: (ħc)² [MeV² cm²]: 1 MeV⁻² of cross section = this many cm²  (PDG 2024 table 1.1: 0.3893793721 GeV² mbarn).
HBARC2_MEV2_CM2: float = HBARC_MEV_CM**2
#: ħ [MeV s]; CODATA 2022 (6.582119569·10⁻²² MeV s).
HBAR_MEV_S: float = 6.582119569e-22
#: Speed of light [cm/s] (exact).
C_CM_S: float = 2.99792458e10
#: Avogadro constant [mol⁻¹] (exact SI).
N_A: float = 6.02214076e23
#: Bohr magneton in natural Heaviside–Lorentz units, μ_B = e/(2 m_e) with e = √(4πα) [MeV⁻¹].
MU_B: float = math.sqrt(4.0 * math.pi * ALPHA) / (2.0 * M_E)
#: Bohr magneton μ_B [MeV/T]; CODATA 2022 (5.7883818060·10⁻¹¹ MeV T⁻¹).
MU_B_MEV_PER_T: float = 5.7883818060e-11
#: Electron classical radius squared r_e² = (α ħc / m_e)² [cm²] (derived).
R_E2_CM2: float = (ALPHA * HBARC_MEV_CM / M_E) ** 2
#: Solar radius [cm]; IAU 2015 resolution B3 nominal value (6.957·10⁸ m).
R_SUN_CM: float = 6.957e10
#: Astronomical unit [cm] (IAU 2012, exact).
AU_CM: float = 1.495978707e13
#: Seconds per Julian year (365.25 d).
YEAR_S: float = 365.25 * 86400.0
#: Gauss in tesla.
GAUSS_T: float = 1.0e-4

# --- electroweak mixing angle --------------------------------------------------------------
#: Default sin²θ_W: the MS-bar value at zero momentum transfer, sin²θ̂_W(0) = 0.23867(16),
#: J. Erler and M. J. Ramsey-Musolf, Phys. Rev. D 72 (2005) 073003 (the running of the weak
#: mixing angle to low energy; the scale relevant for MeV neutrino–electron scattering).
SIN2_THETA_W: float = 0.23867
#: The value the seed papers use for their numbers (seeds 000–004: "sin²θ_W ≃ 0.23").
SIN2_THETA_W_SEED: float = 0.23

# --- unit conversion helpers ---------------------------------------------------------------
#: μ_ν scale used in fits: parameters called ``mu_1e11`` are μ_ν / (10⁻¹¹ μ_B).
MU_SCALE: float = 1.0e-11
#: Charge-radius / anapole scale used in fits: parameters in units of 10⁻³² cm².
R2_SCALE_CM2: float = 1.0e-32


def cm2_from_natural(x):
    """Convert an area from MeV⁻² to cm² (also MeV⁻³ → cm²/MeV): multiply by (ħc)².

    >>> round(cm2_from_natural(1.0) / 3.8937937e-22, 6)
    1.0
    """
    return x * HBARC2_MEV2_CM2


def natural_from_cm2(x):
    """Convert an area from cm² to MeV⁻² (inverse of :func:`cm2_from_natural`)."""
    return x / HBARC2_MEV2_CM2


def r2_natural_from_cm2(r2_cm2):
    """Convert a squared radius (charge radius, anapole) from cm² to MeV⁻²."""
    return r2_cm2 / HBARC2_MEV2_CM2


def targets_per_tonne(charge_per_molecule: float, molar_mass_g: float) -> float:
    """Number of scatterers per tonne of material.

    Parameters
    ----------
    charge_per_molecule : float
        Scatterers per molecule (e.g. electrons per molecule, Z·n for nuclei of one kind).
    molar_mass_g : float
        Molar mass of the molecule [g/mol].

    >>> f"{targets_per_tonne(10, 18.015):.4e}"   # electrons in a tonne of water
    '3.3428e+29'
    """
    return charge_per_molecule * N_A * 1.0e6 / molar_mass_g


def tonne_year_exposure(n_targets_per_tonne: float, tonnes: float = 1.0, years: float = 1.0) -> float:
    """Target-seconds for an exposure of ``tonnes`` × ``years``: N_targets · t [s]."""
    return n_targets_per_tonne * tonnes * years * YEAR_S


def events_per_tonne_year(sigma_cm2: float, flux_cm2_s: float, n_targets_per_tonne: float) -> float:
    """Events per tonne-year for a flux-averaged cross section σ [cm²] and a flux Φ [cm⁻² s⁻¹]."""
    return sigma_cm2 * flux_cm2_s * tonne_year_exposure(n_targets_per_tonne)
