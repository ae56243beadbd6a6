"""The statistical-model interface that every likelihood of nujax implements.

A statistical model is a frozen pytree (the templates or per-event densities are its array
leaves, the static choices its meta fields) with the methods of :class:`StatisticalModel`. The
binned Poisson model (:class:`~nujax.inference.BinnedModel`, also what the quadratic EM builders
return) and the extended unbinned model (:class:`~nujax.inference.UnbinnedModel`) implement it;
the fitters, limits, Fisher forecasts and samplers use only this interface, so a new kind of
model is one new class and no change elsewhere.

The module-level functions below (:func:`nll`, :func:`log_likelihood`, …) call the model's
method: they exist so that ``jax.grad(lambda p: nll(model, p, data))`` reads as a pure function
(the house style), with no dispatch on the model type.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import jax

__all__ = ["StatisticalModel", "expected", "log_likelihood", "nll", "check_data",
           "default_params", "parameter_names"]


@runtime_checkable
class StatisticalModel(Protocol):
    """What the fitters need from a model (structural type: no base class to inherit).

    Attributes
    ----------
    n_sources : int
        Number of sources S (one flux normalisation each).
    source_names : tuple of str
    directional : bool
        True if the data resolve the azimuth (then ``phi_B`` matters and ``mu2`` is refused).
    pe_scalable : bool
        True if ``pe`` may be fitted.
    em_names : tuple of str
        Extra (EM) parameter names of a quadratic model; empty otherwise.
    bin_shape : tuple
        Shape of one data set (bins, or ``(n_events,)`` for unbinned data).
    norm_sigma : array (S,)
        Relative flux-normalisation widths (0: no constraint).
    eff_sigma, bkg_sigma : arrays ()
        Relative efficiency and background widths (0: no constraint).
    bkg_constrained : bool
        False: the background scale is free (no constraint term).
    """

    n_sources: int
    source_names: tuple
    directional: bool
    pe_scalable: bool
    em_names: tuple
    bin_shape: tuple
    norm_sigma: jax.Array
    eff_sigma: jax.Array
    bkg_sigma: jax.Array
    bkg_constrained: bool

    def default_params(self) -> dict:
        """Nominal values of every parameter."""

    def parameter_names(self) -> tuple:
        """All parameter names the model accepts."""

    def expected(self, params=None) -> jax.Array:
        """Expected counts: per bin (binned) or the expected number of events (unbinned)."""

    def check_data(self, data):
        """Validate concrete data (shape, finite …); return it unchanged."""

    def log_likelihood(self, params, data, *, constraints=True) -> jax.Array:
        """log L of ``data`` at ``params`` (missing ones nominal), Gaussian constraints included
        unless ``constraints`` is False."""


def expected(model: StatisticalModel, params=None):
    """Expected counts of ``model`` at ``params`` (see :meth:`StatisticalModel.expected`)."""
    return model.expected(params)


def log_likelihood(model: StatisticalModel, params, data, *, constraints=True):
    """log L of ``data`` (see :meth:`StatisticalModel.log_likelihood`)."""
    return model.log_likelihood(params, data, constraints=constraints)


def nll(model: StatisticalModel, params, data):
    """−log L with the constraint terms (what the fitters minimise)."""
    return -model.log_likelihood(params, data)


def check_data(model: StatisticalModel, data):
    """Validate ``data`` for ``model``; returns it unchanged."""
    return model.check_data(data)


def default_params(model: StatisticalModel) -> dict:
    """Nominal parameters of ``model``."""
    return model.default_params()


def parameter_names(model: StatisticalModel) -> tuple:
    """All parameter names ``model`` accepts."""
    return model.parameter_names()
