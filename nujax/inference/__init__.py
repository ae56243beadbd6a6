"""Statistical inference: binned likelihoods, optax fits, Fisher forecasts, limits, numpyro models."""

from nujax.inference.fisher import (exclusion_sensitivity, fisher_matrix, parameter_errors,
                                    sensitivity_vs_exposure)
from nujax.inference.likelihood import (PARAMETER_NAMES, BinnedModel, asimov_data, build_model,
                                        check_data, default_params, expected, log_likelihood, nll,
                                        toy_data)
from nujax.inference.limits import (Q90_ONE_SIDED, asymptotic_upper_limit, coverage_fraction,
                                    profile_upper_limit, toy_upper_limit)
from nujax.inference.optimize import (ConvergenceWarning, FitResult, fit_mle, nll_and_grad,
                                      profile_nll, q_tilde)

__all__ = [
    "BinnedModel", "PARAMETER_NAMES", "build_model", "default_params", "expected",
    "log_likelihood", "nll", "asimov_data", "toy_data", "check_data",
    "ConvergenceWarning", "FitResult", "fit_mle", "profile_nll", "q_tilde", "nll_and_grad",
    "fisher_matrix", "parameter_errors", "exclusion_sensitivity", "sensitivity_vs_exposure",
    "Q90_ONE_SIDED", "asymptotic_upper_limit", "profile_upper_limit", "toy_upper_limit",
    "coverage_fraction",
]
