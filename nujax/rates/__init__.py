"""Event rates: one folding engine for every target (electrons, nuclei, the radiative channel).

* :mod:`nujax.rates.engine` — the folding engine (quadrature, detector response, scaling);
* :mod:`nujax.rates.binned` — binned templates, :func:`combine`, :func:`expected_counts`;
* :mod:`nujax.rates.differential` — dN/dT (in the measured energy), d²N/dT dφ, dN/dcosθ …;
* :mod:`nujax.rates.asymmetry` — dN/dφ and the azimuthal asymmetries of seed 000;
* :mod:`nujax.rates.iso_ratio` — iso-ratio curves and regions of seed 001;
* :mod:`nujax.rates.density_matrix` — the same for a spin-flavor state and EM matrices (seed 002);
* :mod:`nujax.rates.timing` — energy × time templates of pulsed sources (π-DAR), steady-state
  background.

Every function takes ``target=`` ("electron" by default, "nucleus", "radiative" or a
:mod:`nujax.targets` object) where it makes sense for that target.
"""

from nujax.rates.engine import BIG_T, EVENT_SCALE, Templates
from nujax.rates.binned import binned_templates, combine, expected_counts
from nujax.rates.differential import d2N_dT_dcostheta, density_per_radian, dN_dcostheta, dN_dT
from nujax.rates.asymmetry import (asymmetry_vs_mu, azimuthal_coefficients, differential_asymmetry,
                                   dN_dphi, integrated_asymmetry, max_asymmetry,
                                   mu_at_max_asymmetry)
from nujax.rates.iso_ratio import iso_ratio, region_integrals
from nujax.rates.timing import binned_templates_timed, steady_state_background
from nujax.rates.density_matrix import (binned_parts_density_matrix, d2N_dT_dphi_density_matrix,
                                        dN_dT_density_matrix, expected_counts_density_matrix)

__all__ = [
    "Templates", "EVENT_SCALE", "BIG_T", "binned_templates", "combine", "expected_counts", "dN_dT",
    "density_per_radian", "dN_dcostheta", "d2N_dT_dcostheta", "azimuthal_coefficients", "dN_dphi",
    "differential_asymmetry", "integrated_asymmetry", "max_asymmetry", "asymmetry_vs_mu",
    "mu_at_max_asymmetry", "iso_ratio", "region_integrals", "binned_parts_density_matrix",
    "expected_counts_density_matrix", "d2N_dT_dphi_density_matrix", "dN_dT_density_matrix",
    "binned_templates_timed", "steady_state_background",
]
