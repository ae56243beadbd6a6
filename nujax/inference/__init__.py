"""Statistical inference: binned likelihoods, optax fits, Fisher forecasts, limits, numpyro models."""

from nujax.inference.fisher import (exclusion_sensitivity, fisher_matrix, parameter_errors,
                                    sensitivity_vs_exposure)
from nujax.inference.em_model import density_matrix_em_model, quadratic_em_model
from nujax.inference.likelihood import (AUX_NAMES, PARAMETER_NAMES, BinnedModel, Observation,
                                        asimov_data, build_model, check_data, default_params,
                                        expected, log_likelihood, nll, parameter_names, toy_data)
from nujax.inference.limits import (Q90_ONE_SIDED, asymptotic_upper_limit, coverage_fraction,
                                    profile_upper_limit, toy_upper_limit)
from nujax.inference.scan import (ScanResult, TemplateSpec, plot_scan, run_scan_config,
                                  validate_scan_section)
from nujax.inference.unbinned import (UnbinnedModel, build_unbinned_model, toy_events,
                                      unbinned_log_likelihood)
from nujax.inference.optimize import (ConvergenceWarning, FitResult, fit_mle, nll_and_grad,
                                      profile_nll, q_tilde)

__all__ = [
    "BinnedModel", "PARAMETER_NAMES", "build_model", "default_params", "expected",
    "log_likelihood", "nll", "asimov_data", "toy_data", "check_data", "Observation", "AUX_NAMES",
    "parameter_names", "quadratic_em_model", "density_matrix_em_model",
    "ConvergenceWarning", "FitResult", "fit_mle", "profile_nll", "q_tilde", "nll_and_grad",
    "fisher_matrix", "parameter_errors", "exclusion_sensitivity", "sensitivity_vs_exposure",
    "Q90_ONE_SIDED", "asymptotic_upper_limit", "profile_upper_limit", "toy_upper_limit",
    "coverage_fraction",
    "ScanResult", "TemplateSpec", "plot_scan", "run_scan_config", "validate_scan_section",
    "UnbinnedModel", "build_unbinned_model", "unbinned_log_likelihood", "toy_events",
]
