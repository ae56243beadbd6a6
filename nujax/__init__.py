"""nujax — differentiable low-energy neutrino scattering with neutrino electromagnetic properties.

nujax never changes JAX's global configuration on import; call :func:`enable_x64` for float64
(the library default precision for physics work; float32 is supported with looser tolerances).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

import jax

from nujax import (constants, couplings, detector, em, inference, kinematics, nuclei,
                   propagation, rates, rates_dm, scenarios, solar_profile, sources, state, study)
from nujax.scenarios import Scenario, build_scenario, load_config, run_fit
from nujax.detector import Detector, get_material, make_detector, preset
from nujax.rates import (
    Templates,
    asymmetry_vs_mu,
    azimuthal_coefficients,
    binned_templates,
    combine,
    d2N_dT_dcostheta,
    dN_dcostheta,
    dN_dphi,
    dN_dT,
    differential_asymmetry,
    expected_counts,
    integrated_asymmetry,
    iso_ratio,
    max_asymmetry,
    mu_at_max_asymmetry,
    region_integrals,
)
from nujax.rates_dm import binned_parts_dm, d2N_dT_dphi_dm, dN_dT_dm, expected_counts_dm
from nujax.couplings import Flavor, electron_couplings
from nujax.em import EMProperties, pmns
from nujax.propagation import RSFPParams, lz_conversion_probability, pe_lz, solve_rsfp, solve_rsfp4
from nujax.state import SpinFlavorState
from nujax.xsec.common import AzimuthalParts
from nujax.nuclei import get_nucleus
from nujax.sources import Spectrum, fold, get_source
from nujax.xsec import radiative
from nujax.xsec.radiative import (APPENDIX_CORRECTIONS, RadiativeParts, appendix_eq40_43,
                                  d3sigma_dT_dEg_dcostheta, d3sigma_dx_dy_dw, radiative_couplings)
from nujax.xsec.radiative_integrals import d2sigma_dx_dnu, sigma_region, spectrum_average
from nujax.xsec.electron_general import electron_dm_domega_parts, electron_dm_parts
from nujax.xsec.form_factors import helm_form_factor, nucleon_form_factors
from nujax.xsec.nucleon import nucleon_dsigma_domega, nucleon_parts
from nujax.xsec.nucleus import nucleus_dsigma_domega, nucleus_parts
from nujax.xsec.electron import (
    XsecParts,
    d2sigma_dcostheta_dphi,
    d2sigma_dT_dphi,
    d2sigma_dT_dphi_amplitudes,
    dsigma_dcostheta,
    dsigma_dT,
)

try:
    __version__ = _version("nujax")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"


def enable_x64(enable: bool = True) -> None:
    """Switch JAX to float64 (``True``) or back to float32 (``False``).

    nujax's physics is validated in float64; float32 works (GPU) with documented tolerances.
    """
    jax.config.update("jax_enable_x64", bool(enable))


__all__ = [
    "__version__",
    "enable_x64",
    "constants",
    "couplings",
    "kinematics",
    "Flavor",
    "electron_couplings",
    "XsecParts",
    "d2sigma_dT_dphi",
    "d2sigma_dT_dphi_amplitudes",
    "dsigma_dT",
    "dsigma_dcostheta",
    "d2sigma_dcostheta_dphi",
    "em",
    "state",
    "propagation",
    "solar_profile",
    "EMProperties",
    "pmns",
    "SpinFlavorState",
    "AzimuthalParts",
    "electron_dm_parts",
    "electron_dm_domega_parts",
    "RSFPParams",
    "lz_conversion_probability",
    "pe_lz",
    "solve_rsfp",
    "solve_rsfp4",
    "nuclei",
    "get_nucleus",
    "nucleon_parts",
    "nucleon_dsigma_domega",
    "nucleus_parts",
    "nucleus_dsigma_domega",
    "helm_form_factor",
    "nucleon_form_factors",
    "sources",
    "Spectrum",
    "fold",
    "get_source",
    "radiative",
    "RadiativeParts",
    "radiative_couplings",
    "appendix_eq40_43",
    "APPENDIX_CORRECTIONS",
    "d3sigma_dx_dy_dw",
    "d3sigma_dT_dEg_dcostheta",
    "d2sigma_dx_dnu",
    "sigma_region",
    "spectrum_average",
    "detector",
    "rates",
    "inference",
    "Detector",
    "get_material",
    "make_detector",
    "preset",
    "Templates",
    "binned_templates",
    "combine",
    "expected_counts",
    "dN_dT",
    "dN_dcostheta",
    "d2N_dT_dcostheta",
    "azimuthal_coefficients",
    "dN_dphi",
    "differential_asymmetry",
    "integrated_asymmetry",
    "max_asymmetry",
    "asymmetry_vs_mu",
    "mu_at_max_asymmetry",
    "iso_ratio",
    "region_integrals",
    "rates_dm",
    "expected_counts_dm",
    "binned_parts_dm",
    "d2N_dT_dphi_dm",
    "dN_dT_dm",
    "scenarios",
    "Scenario",
    "load_config",
    "build_scenario",
    "run_fit",
    "study",
]
