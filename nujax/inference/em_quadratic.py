"""Binned models in the full set of electromagnetic parameters (moments, charge radii, anapoles,
millicharges).

The cross section of seed 002 (eqs. (11), (25)) is a quadratic form in the entries of the μ, ⟨r²⟩,
a and q_ν matrices for a fixed spin-flavor state: every amplitude is linear in them (plus the weak
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

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from nujax.detector import background_counts
from nujax.em import EMProperties
from nujax.inference.binned import BinnedModel
from nujax.inference.parameters import PARAMETER_NAMES, check_uncertainties
from nujax.rates import expected_counts_density_matrix
from nujax.sources import as_spectra

__all__ = ["quadratic_em_model", "density_matrix_em_model"]


def _move(a, n_lead, n_par):
    """(S, *bins, P[, P]) → (S, P[, P], *bins)."""
    nb = a.ndim - 1 - n_par
    return jnp.moveaxis(a, tuple(range(1 + nb, a.ndim)), tuple(range(1, 1 + n_par)))


def quadratic_em_model(counts_fn, em_names, background, *, source_names=None, norm_sigma=0.0,
                       eff_sigma=0.0, bkg_sigma=None, directional=False, check=True,
                       rtol=1e-8, seed=0) -> BinnedModel:
    """A :class:`~nujax.inference.BinnedModel` whose parameters are EM entries.

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
        As in :func:`~nujax.inference.build_model`.
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
    ns, es, bs, constrained = check_uncertainties(norm_sigma, eff_sigma, bkg_sigma, S)
    zeros = jnp.zeros_like(c0)
    src = tuple(source_names) if source_names is not None else tuple(f"source{i}" for i in range(S))
    if len(src) != S:
        raise ValueError(f"{len(src)} source names for {S} sources")
    return BinnedModel(c0, zeros, zeros, zeros, background=bkg, norm_sigma=ns, eff_sigma=es,
                       bkg_sigma=bs, bin_shape=tuple(bkg.shape), source_names=src,
                       directional=bool(directional), bkg_constrained=constrained, em_lin=lin,
                       em_quad=quad,
                       em_names=names)


_MATRICES = ("mu", "r2", "anapole", "millicharge")


def _antisymmetric(matrix, majorana):
    """Majorana μ and q_ν are antisymmetric (transition entries only; nujax.em)."""
    return majorana and matrix in ("mu", "millicharge")


def _unit(matrix, i, j, n, majorana, dtype):
    """The direction in matrix space that one real parameter moves (seed 002 constraints).

    Dirac μ and q_ν, and every ⟨r²⟩ and a, are Hermitian: a real symmetric unit on (i, j) and
    (j, i). Majorana μ and q_ν are antisymmetric and (CP-conserving) purely imaginary:
    i(E_ij − E_ji)."""
    E = np.zeros((n, n), complex)
    if _antisymmetric(matrix, majorana):
        if i == j:
            raise ValueError(f"a Majorana {matrix} matrix is antisymmetric: no diagonal entries")
        E[i, j], E[j, i] = 1j, -1j
    else:
        E[i, j] = E[j, i] = 1.0
    return jnp.asarray(E if jnp.issubdtype(dtype, jnp.complexfloating) else E.real, dtype)


def density_matrix_em_model(spectra, detector, T_edges, phi_edges, state, entries, *,
                            majorana=False, basis="flavor", base=None, norm_sigma=0.0,
                            eff_sigma=0.0, bkg_sigma=None, **rate_kw) -> BinnedModel:
    """A quadratic EM model whose parameters are entries of the μ, ⟨r²⟩ and a matrices.

    The counts come from :func:`nujax.rates.expected_counts_density_matrix` (seed 002 cross sections for
    the spin-flavor ``state``), one source at a time; the model is then exact for any values of
    the entries (module docstring).

    Parameters
    ----------
    spectra : Spectrum or tuple of Spectrum
    detector : Detector
    T_edges, phi_edges : arrays
        Bin edges [MeV], [rad] (``phi_edges`` None: one azimuth bin over 2π, dropped).
    state : SpinFlavorState or None
        The incoming beam (fixed; its ζ⊥ sets the azimuth of the modulation). None: each
        spectrum scatters as its own incoherent content (solar mass eigenstates, reactor ν̄_e,
        π-DAR flavors; :mod:`nujax.rates.density_matrix`), three flavors.
    entries : dict
        name → (matrix, i, j) with matrix "mu" [10⁻¹¹ μ_B], "r2" or "anapole" [10⁻³² cm²] or
        "millicharge" [10⁻¹² e], e.g. ``{"mu_ee": ("mu", 0, 0), "r2_ee": ("r2", 0, 0),
        "q_ee": ("millicharge", 0, 0)}``; each parameter moves the Hermitian (Majorana μ and q_ν:
        imaginary antisymmetric) pair of entries (i, j), (j, i).
    majorana, basis : static
        As in :class:`nujax.em.EMProperties`.
    base : EMProperties, optional
        Values the parameters are added to (default: all zero), e.g. the Standard-Model charge
        radii of :meth:`nujax.em.EMProperties.sm_charge_radii`.
    norm_sigma, eff_sigma, bkg_sigma : as in :func:`nujax.inference.build_model`.
    **rate_kw
        Passed to :func:`~nujax.rates.expected_counts_density_matrix` (cos_edges, sin2w, pmns, flavor …).
    """
    spectra = as_spectra(spectra)
    n = 3 if state is None else state.n_flavors
    if not entries:
        raise ValueError("entries must name at least one matrix entry")
    dirs = []
    for name, spec in entries.items():
        try:
            matrix, i, j = spec
        except (TypeError, ValueError):
            raise ValueError(f"entry {name!r}: expected (matrix, i, j), got {spec!r}") from None
        if matrix not in _MATRICES:
            raise ValueError(f"entry {name!r}: matrix must be one of {_MATRICES}, got {matrix!r}")
        if not (0 <= int(i) < n and 0 <= int(j) < n):
            raise ValueError(f"entry {name!r}: indices ({i}, {j}) outside a {n}×{n} matrix")
        dirs.append((matrix, int(i), int(j)))
    if base is None:
        base = EMProperties.zero(n=n, majorana=majorana, basis=basis)
    cdt = base.mu.dtype
    mats0 = {"mu": base.mu, "r2": base.r2, "anapole": base.anapole, "millicharge": base.millicharge}
    for matrix, i, j in dirs:                                        # imaginary units need complex
        if _antisymmetric(matrix, base.majorana):
            mats0[matrix] = mats0[matrix].astype(cdt)
    units = [(matrix, _unit(matrix, i, j, n, base.majorana, mats0[matrix].dtype))
             for matrix, i, j in dirs]
    quiet = dataclasses.replace(detector, background=jnp.zeros_like(detector.background))
    directional = phi_edges is not None
    phi_e = jnp.asarray(phi_edges if directional else [0.0, 2 * np.pi], dtype=float)

    def counts_fn(theta):
        mats = dict(mats0)
        for t, (matrix, U) in zip(theta, units):
            mats[matrix] = mats[matrix] + t * U
        props = EMProperties(mats["mu"], mats["r2"], mats["anapole"], mats["millicharge"],
                             majorana=base.majorana, basis=base.basis)
        out = jnp.stack([expected_counts_density_matrix(s, quiet, T_edges, phi_e, props, state, **rate_kw)
                         for s in spectra])
        return out if directional else out[..., 0]

    ce = rate_kw.get("cos_edges")
    bkg = background_counts(detector, jnp.asarray(T_edges, float), phi_e,
                      None if ce is None else jnp.asarray(ce, float))
    if not directional:
        bkg = bkg[..., 0]
    names = tuple(getattr(s, "name", "") or f"source{k}" for k, s in enumerate(spectra))
    return quadratic_em_model(counts_fn, tuple(entries), bkg, source_names=names,
                              norm_sigma=norm_sigma, eff_sigma=eff_sigma, bkg_sigma=bkg_sigma,
                              directional=directional)
