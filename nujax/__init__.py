"""nujax — differentiable low-energy neutrino scattering with neutrino electromagnetic properties.

The top level is a curated, lazily imported surface: ``import nujax`` loads nothing heavy (no
optax, numpyro or matplotlib until inference or the application layer is used). The layers
(GUIDE §2), imports pointing down only:

* physics — :mod:`nujax.xsec` (per-point cross sections), :mod:`nujax.em`, :mod:`nujax.state`,
  :mod:`nujax.couplings`, :mod:`nujax.kinematics`, :mod:`nujax.sources`, :mod:`nujax.propagation`,
  :mod:`nujax.nuclei`, :mod:`nujax.constants`, :mod:`nujax.errors`;
* :mod:`nujax.targets` — what the neutrinos scatter on (electrons, nuclei, ν e → ν e γ);
* :mod:`nujax.detector` — detector pytree, presets, background registry;
* :mod:`nujax.rates` — the one folding engine: templates, counts, spectra, asymmetries;
* :mod:`nujax.inference` — likelihoods, fits, limits, Fisher forecasts, NUTS, scans;
* :mod:`nujax.app` — configurations, scenarios, the demo study, plots; :mod:`nujax.cli` on top.

nujax never changes JAX's global configuration on import; call :func:`enable_x64` for float64
(the library default precision for physics work; float32 is supported with looser tolerances).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("nujax")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

#: Submodules reachable as attributes (imported on first use).
_SUBMODULES = ("constants", "couplings", "kinematics", "em", "state", "nuclei", "propagation",
               "solar_profile", "sources", "xsec", "targets", "detector", "rates", "inference",
               "errors", "app")

#: Public names → the module that defines them (imported on first use).
_API = {
    # physics
    "Flavor": "nujax.couplings", "electron_couplings": "nujax.couplings",
    "EMProperties": "nujax.em", "pmns": "nujax.em",
    "SpinFlavorState": "nujax.state",
    "get_nucleus": "nujax.nuclei",
    "Spectrum": "nujax.sources", "get_source": "nujax.sources", "fold": "nujax.sources",
    "RSFPParams": "nujax.propagation", "lz_conversion_probability": "nujax.propagation",
    "pe_lz": "nujax.propagation", "solve_rsfp": "nujax.propagation",
    "solve_rsfp4": "nujax.propagation",
    "ConfigError": "nujax.errors", "ConvergenceWarning": "nujax.errors",
    # cross sections
    "XsecParts": "nujax.xsec.electron", "dsigma_dT": "nujax.xsec.electron",
    "d2sigma_dT_dphi": "nujax.xsec.electron", "dsigma_dcostheta": "nujax.xsec.electron",
    "d2sigma_dT_dphi_amplitudes": "nujax.xsec.electron",
    "d2sigma_dcostheta_dphi": "nujax.xsec.electron",
    "AzimuthalParts": "nujax.xsec.common",
    "electron_density_matrix_parts": "nujax.xsec.electron_density_matrix",
    "nucleon_parts": "nujax.xsec.nucleon", "nucleus_parts": "nujax.xsec.nucleus",
    "helm_form_factor": "nujax.xsec.form_factors",
    "RadiativeParts": "nujax.xsec.radiative", "d3sigma_dx_dy_dw": "nujax.xsec.radiative",
    "sigma_region": "nujax.xsec.radiative_integrals",
    # targets and detectors
    "Target": "nujax.targets", "get_target": "nujax.targets",
    "Detector": "nujax.detector", "make_detector": "nujax.detector", "preset": "nujax.detector",
    "get_material": "nujax.detector",
    # rates
    "Templates": "nujax.rates", "binned_templates": "nujax.rates", "combine": "nujax.rates",
    "expected_counts": "nujax.rates", "dN_dT": "nujax.rates", "dN_dcostheta": "nujax.rates",
    "d2N_dT_dcostheta": "nujax.rates", "dN_dphi": "nujax.rates",
    "azimuthal_coefficients": "nujax.rates", "max_asymmetry": "nujax.rates",
    "asymmetry_vs_mu": "nujax.rates", "mu_at_max_asymmetry": "nujax.rates",
    "expected_counts_density_matrix": "nujax.rates", "dN_dT_density_matrix": "nujax.rates",
}

__all__ = ["__version__", "enable_x64", *_SUBMODULES, *_API]


def enable_x64(enable: bool = True) -> None:
    """Switch JAX to float64 (``True``) or back to float32 (``False``).

    nujax's physics is validated in float64; float32 works (GPU) with documented tolerances.
    """
    import jax

    jax.config.update("jax_enable_x64", bool(enable))


def __getattr__(name):
    if name in _SUBMODULES:
        mod = importlib.import_module(f"nujax.{name}")
    elif name in _API:
        mod = getattr(importlib.import_module(_API[name]), name)
    else:
        raise AttributeError(f"module 'nujax' has no attribute {name!r}")
    globals()[name] = mod
    return mod


def __dir__():
    return sorted(set(globals()) | set(__all__))
