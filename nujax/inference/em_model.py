"""Binned models in the full set of electromagnetic parameters (moments, charge radii, anapoles).

The cross section of seed 002 (eqs. (11), (25)) is a quadratic form in the entries of the μ, ⟨r²⟩
and a matrices for a fixed spin-flavor state: every amplitude is linear in them (plus the weak
amplitude), and d²σ/dTdφ is |amplitude|² traced with ρ. Folded with a spectrum and a detector the
expected counts per bin are therefore an exact quadratic polynomial

    λ_s(θ) = λ_s(0) + Σ_p θ_p ∂_pλ_s(0) + ½ Σ_pq θ_p θ_q ∂_p∂_qλ_s(0),

so the value, the gradient and the Hessian at θ = 0 (``jax.jacfwd`` / ``jax.hessian`` of any
differentiable counts function, e.g. nujax's rates through the density-matrix cross sections) are
exact templates: a fit, a NUTS chain or a scan then costs a few contractions per step, while the
counts function itself keeps the fully differentiable path. :func:`quadratic_em_model` checks the
quadratic form against the counts function at a random point, so a function that is not
quadratic in the chosen parameters (a Pe inside a square root, a form factor of a parameter) is
refused instead of silently mis-modelled.

Degeneracy note: for left-handed neutrinos on electrons the charge radius and the anapole enter
the vector coupling only through ⟨r²⟩/6 − a (seed 002 eq. (14)); fitting both from such data gives
a flat direction, which the posterior shows as a ridge.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from nujax.inference.likelihood import PARAMETER_NAMES, BinnedModel

__all__ = ["quadratic_em_model"]


def _move(a, n_lead, n_par):
    """(S, *bins, P[, P]) → (S, P[, P], *bins)."""
    nb = a.ndim - 1 - n_par
    return jnp.moveaxis(a, tuple(range(1 + nb, a.ndim)), tuple(range(1, 1 + n_par)))


def quadratic_em_model(counts_fn, em_names, background, *, source_names=None, norm_sigma=0.0,
                       eff_sigma=0.0, bkg_sigma=None, directional=False, check=True,
                       rtol=1e-8, seed=0) -> BinnedModel:
    """A :class:`~nujax.inference.likelihood.BinnedModel` whose parameters are EM entries.

    Parameters
    ----------
    counts_fn : callable
        ``counts_fn(theta)`` with ``theta`` a 1-D array (P,) of EM parameters (in the units the
        caller chose, e.g. 10⁻¹¹ μ_B for moments, 10⁻³² cm² for ⟨r²⟩ and a) returning the signal
        counts per source, shape (S, *bin_shape). Must be differentiable (JAX).
    em_names : sequence of str
        The P parameter names (e.g. ``("mu_ee", "r2_ee", "a_ee")``); they become likelihood
        parameters with nominal value 0.
    background : array bin_shape
        Nominal background counts.
    source_names : tuple of str, optional
    norm_sigma, eff_sigma, bkg_sigma : float
        As in :func:`~nujax.inference.likelihood.build_model`.
    directional : bool
        The bins resolve the azimuth (informational: the state, and with it φ_B, is fixed in
        ``counts_fn``).
    check : bool
        Verify at a random θ (components of O(1)) that the quadratic form reproduces
        ``counts_fn`` to ``rtol`` of the counts' scale; ``ValueError`` otherwise.

    Returns
    -------
    BinnedModel
        ``weak`` = λ(0); ``em``/interference templates 0; ``em_lin``, ``em_quad`` the exact
        gradient and Hessian; ``em_names`` static.
    """
    names = tuple(str(n) for n in em_names)
    if not names or len(set(names)) != len(names):
        raise ValueError(f"em_names must be a non-empty tuple of distinct names, got {em_names!r}")
    clash = [n for n in names if n in PARAMETER_NAMES]
    if clash:
        raise ValueError(f"EM parameter names {clash} clash with the built-in parameters")
    P = len(names)
    zero = jnp.zeros(P)
    c0 = jnp.asarray(counts_fn(zero))
    if c0.ndim < 1:
        raise ValueError("counts_fn must return counts of shape (S, *bin_shape)")
    lin = _move(jax.jacfwd(counts_fn)(zero), 1, 1)
    quad = _move(jax.hessian(counts_fn)(zero), 1, 2)
    bkg = jnp.asarray(background, c0.dtype)
    if bkg.shape != c0.shape[1:]:
        raise ValueError(f"background has shape {bkg.shape}, the counts' bins are {c0.shape[1:]}")
    if check:
        th = jnp.asarray(np.random.default_rng(seed).uniform(-2.0, 2.0, P), c0.dtype)
        ref = np.asarray(counts_fn(th))
        got = np.asarray(c0 + jnp.einsum("p,sp...->s...", th, lin)
                         + 0.5 * jnp.einsum("p,q,spq...->s...", th, th, quad))
        scale = max(float(np.max(np.abs(ref))), 1e-300)
        err = float(np.max(np.abs(got - ref))) / scale
        if not err <= rtol:
            raise ValueError(f"counts_fn is not quadratic in {names}: the exact quadratic form "
                             f"misses it by {err:.2e} (relative) at a test point")
    S = c0.shape[0]
    ns = np.broadcast_to(np.asarray(norm_sigma, float), (S,))
    if np.any(ns < 0) or eff_sigma < 0 or (bkg_sigma is not None and bkg_sigma < 0):
        raise ValueError("uncertainties (norm_sigma, eff_sigma, bkg_sigma) must be non-negative")
    zeros = jnp.zeros_like(c0)
    src = tuple(source_names) if source_names is not None else tuple(f"source{i}" for i in range(S))
    if len(src) != S:
        raise ValueError(f"{len(src)} source names for {S} sources")
    return BinnedModel(c0, zeros, zeros, zeros, background=bkg, norm_sigma=jnp.asarray(ns),
                       eff_sigma=jnp.asarray(float(eff_sigma)),
                       bkg_sigma=jnp.asarray(0.0 if bkg_sigma is None else float(bkg_sigma)),
                       bin_shape=tuple(bkg.shape), source_names=src, directional=bool(directional),
                       bkg_constrained=bkg_sigma is not None, em_lin=lin, em_quad=quad,
                       em_names=names)
