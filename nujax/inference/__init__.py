"""Statistical inference: one model interface, fits, profile-likelihood limits, Fisher forecasts,
sensitivity scans and (lazily) NUTS posteriors.

Modules (private structure, public names re-exported here):

* :mod:`~nujax.inference.parameters` — parameter names, :class:`Observation`, defaults, Gaussian
  constraints and :func:`check_uncertainties`;
* :mod:`~nujax.inference.model` — the :class:`StatisticalModel` protocol and the generic
  :func:`nll`, :func:`log_likelihood`, :func:`expected`, :func:`check_data` …;
* :mod:`~nujax.inference.binned`, :mod:`~nujax.inference.unbinned`,
  :mod:`~nujax.inference.em_quadratic` — the models that implement it;
  :mod:`~nujax.inference.background_model` (background components on any binned model) and
  :mod:`~nujax.inference.onoff` (ON/OFF with a bin-by-bin OFF spectrum) wrap them;
* :mod:`~nujax.inference.optimize` (optax L-BFGS fits, q̃), :mod:`~nujax.inference.limits`
  (:func:`profile_upper_limit`, the bracket-and-refine engine, toys),
  :mod:`~nujax.inference.methods` (:func:`upper_limit` by method name: CLs, Bayesian, Δχ² …;
  :func:`coverage`), :mod:`~nujax.inference.fc` (Feldman–Cousins and other Neyman
  constructions with vmapped toys), :mod:`~nujax.inference.fisher`;
* :mod:`~nujax.inference.pyhf_export` (HistFactory JSON workspaces) and
  :mod:`~nujax.inference.export` (labelled xarray/netCDF results);
* :mod:`~nujax.inference.scan` (engine) and :mod:`~nujax.inference.scan_store` (result files);
* :mod:`~nujax.inference.nuts` — numpyro. Its names (:func:`run_nuts`, :class:`MuPrior`,
  :func:`credible_upper_limit`, :func:`save_netcdf`, …) are resolved lazily on first access, so
  ``import nujax.inference`` loads optax but not numpyro.

The scan driver function is ``nujax.inference.scan.scan`` (not re-exported: the submodule keeps
the name ``scan``).
"""

from nujax.errors import ConvergenceWarning
from nujax.inference.background_model import (BackgroundModel, build_background_model,
                                               fold_component, with_backgrounds)
from nujax.inference.binned import BinnedModel, asimov_data, build_model, toy_data
from nujax.inference.em_quadratic import density_matrix_em_model, quadratic_em_model
from nujax.inference.fisher import (exclusion_sensitivity, fisher_errors, fisher_matrix,
                                    parameter_errors, sensitivity_vs_exposure)
from nujax.inference.fc import feldman_cousins_upper_limit
from nujax.inference.limits import (Q90_ONE_SIDED, FitDiagnostics, UpperLimit,
                                    asymptotic_upper_limit, coverage_fraction, profile_upper_limit,
                                    toy_upper_limit)
from nujax.inference.methods import (METHODS, bayes_upper_limit, cls_upper_limit, coverage,
                                     delta_chi2_upper_limit, upper_limit)
from nujax.inference.pyhf_export import to_pyhf_spec, write_pyhf_workspace
from nujax.inference.model import (StatisticalModel, check_data, default_params, expected,
                                   log_likelihood, nll, parameter_names)
from nujax.inference.onoff import OnOffData, OnOffModel, onoff_model, onoff_toys, scalar_shortcut
from nujax.inference.optimize import FitResult, fit_mle, nll_and_grad, profile_nll, q_tilde
from nujax.inference.parameters import (AUX_NAMES, PARAMETER_NAMES, Observation, as_data,
                                        check_uncertainties)
from nujax.inference.scan import ScanResult, TemplateSpec
from nujax.inference.unbinned import (UnbinnedModel, build_unbinned_model, toy_events,
                                      unbinned_log_likelihood)

_NUTS = ("run_nuts", "MuPrior", "credible_upper_limit", "save_netcdf", "PosteriorResult",
         "numpyro_model")

__all__ = [
    "StatisticalModel", "BinnedModel", "UnbinnedModel", "PARAMETER_NAMES", "AUX_NAMES",
    "Observation", "check_uncertainties", "as_data",
    "build_model", "build_unbinned_model", "quadratic_em_model", "density_matrix_em_model",
    "BackgroundModel", "with_backgrounds", "build_background_model", "fold_component",
    "OnOffModel", "OnOffData", "onoff_model", "onoff_toys", "scalar_shortcut",
    "default_params", "parameter_names", "expected", "log_likelihood", "nll", "check_data",
    "asimov_data", "toy_data", "toy_events", "unbinned_log_likelihood",
    "ConvergenceWarning", "FitResult", "fit_mle", "profile_nll", "q_tilde", "nll_and_grad",
    "fisher_matrix", "fisher_errors", "parameter_errors", "exclusion_sensitivity",
    "sensitivity_vs_exposure",
    "Q90_ONE_SIDED", "UpperLimit", "asymptotic_upper_limit", "profile_upper_limit",
    "toy_upper_limit", "coverage_fraction", "FitDiagnostics", "METHODS", "upper_limit",
    "cls_upper_limit", "bayes_upper_limit", "delta_chi2_upper_limit",
    "feldman_cousins_upper_limit", "coverage", "to_pyhf_spec", "write_pyhf_workspace",
    "ScanResult", "TemplateSpec",
    *_NUTS,
]


def __getattr__(name):
    if name in _NUTS:      # numpyro loads only when the NUTS module is used
        from nujax.inference import nuts

        return getattr(nuts, name)
    raise AttributeError(f"module 'nujax.inference' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_NUTS))
