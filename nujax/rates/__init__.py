"""Event rates: one folding engine for every target (electrons, nuclei, the radiative channel).

Binned templates and expected counts, differential spectra (dN/dT, dN/dcosθ, d²N/dTdcosθ),
azimuthal distributions and asymmetries, iso-ratio regions, and the density-matrix path.
"""

from nujax.rates.engine import (EVENT_SCALE, Templates, asymmetry_vs_mu, azimuthal_coefficients,
                                binned_templates, combine, d2N_dT_dcostheta, density_per_radian,
                                differential_asymmetry, dN_dcostheta, dN_dphi, dN_dT,
                                expected_counts, integrated_asymmetry, max_asymmetry,
                                mu_at_max_asymmetry)
from nujax.rates.iso_ratio import iso_ratio, region_integrals
from nujax.rates.density_matrix import (binned_parts_density_matrix, d2N_dT_dphi_density_matrix,
                                        dN_dT_density_matrix,
                                        expected_counts_density_matrix)

__all__ = [
    "Templates", "EVENT_SCALE", "binned_templates", "combine", "expected_counts", "dN_dT",
    "density_per_radian", "dN_dcostheta", "d2N_dT_dcostheta", "azimuthal_coefficients", "dN_dphi",
    "differential_asymmetry", "integrated_asymmetry", "max_asymmetry", "asymmetry_vs_mu",
    "mu_at_max_asymmetry", "iso_ratio", "region_integrals", "binned_parts_density_matrix",
    "expected_counts_density_matrix", "d2N_dT_dphi_density_matrix", "dN_dT_density_matrix",
]
