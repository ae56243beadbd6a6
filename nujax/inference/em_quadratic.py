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
import functools
import typing

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import norm as _norm

from nujax.detector import background_counts
from nujax.em import MAJORANA_ANTISYMMETRIC, EMProperties, majorana_diagonal_error
from nujax.inference.background_model import constraint_log_likelihood
from nujax.inference.binned import BinnedModel
from nujax.inference.parameters import PARAMETER_NAMES, check_uncertainties
from nujax.rates import expected_counts_density_matrix
from nujax.sources import as_spectra

__all__ = ["quadratic_em_model", "density_matrix_em_model", "em_profile_interval", "EMInterval"]


def _move(a, n_lead, n_par):
    """(S, *bins, P[, P]) → (S, P[, P], *bins)."""
    nb = a.ndim - 1 - n_par
    return jnp.moveaxis(a, tuple(range(1 + nb, a.ndim)), tuple(range(1, 1 + n_par)))


def quadratic_em_model(counts_fn, em_names, background, *, source_names=None, norm_sigma=0.0,
                       eff_sigma=0.0, bkg_sigma=None, directional=False, check=True,
                       rtol=None, seed=0, derivatives="autodiff", step=10.0) -> BinnedModel:
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
        ``counts_fn`` to ``rtol`` of the counts' scale (default 1e-8 in float64, 1e-4 in
        float32); ``ValueError`` otherwise.
    derivatives : {"autodiff", "points"}
        How the gradient and Hessian at 0 are obtained: ``jax.jacfwd`` / ``jax.hessian``
        (default), or from the counts at the 1 + 2P + P(P−1)/2 points 0, ±h e_p, h(e_p + e_q) in
        one ``jax.vmap`` — exact for a quadratic form (central differences, h = ``step``), up to
        rounding of relative size ε λ(0)/(h² ∂²λ), and several times cheaper to compile for
        heavy counts functions. The random-point check applies to both.
    step : float
        h of ``derivatives="points"`` [parameter units].

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
    th = np.random.default_rng(seed).uniform(-2.0, 2.0, P)           # the check point
    if derivatives == "autodiff":
        c0 = jnp.asarray(counts_fn(zero))
        if c0.ndim < 1:
            raise ValueError("counts_fn must return counts of shape (S, *bin_shape)")
        lin = _move(jax.jacfwd(counts_fn)(zero), 1, 1)
        quad = _move(jax.hessian(counts_fn)(zero), 1, 2)
        ref = np.asarray(counts_fn(jnp.asarray(th, c0.dtype))) if check else None
    elif derivatives == "points":                  # the check point rides in the same vmap
        c0, lin, quad, ref = _derivatives_from_points(counts_fn, P, float(step), th)
        ref = np.asarray(ref)
    else:
        raise ValueError(f"derivatives must be 'autodiff' or 'points', got {derivatives!r}")
    bkg = jnp.asarray(background, c0.dtype)
    if bkg.shape != c0.shape[1:]:
        raise ValueError(f"background has shape {bkg.shape}, the counts' bins are {c0.shape[1:]}")
    if check:
        th = jnp.asarray(th, c0.dtype)
        got = np.asarray(c0 + jnp.einsum("p,sp...->s...", th, lin)
                         + 0.5 * jnp.einsum("p,q,spq...->s...", th, th, quad))
        if rtol is None:
            rtol = 1e-8 if c0.dtype == jnp.float64 else 1e-4
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


def _derivatives_from_points(counts_fn, P, h, extra):
    """(λ(0), ∂λ, ∂²λ, λ(``extra``)) of a quadratic ``counts_fn`` from its values at 0, ±h e_p
    and h(e_p + e_q) (p < q), all in one ``jax.vmap`` with the point ``extra``:
    ∂_p = [λ(he_p) − λ(−he_p)]/2h, ∂_pp = [λ(he_p) + λ(−he_p) − 2λ(0)]/h²,
    ∂_pq = [λ(h(e_p + e_q)) − λ(he_p) − λ(he_q) + λ(0)]/h²."""
    if not (h > 0 and np.isfinite(h)):
        raise ValueError(f"step must be finite and > 0, got {h!r}")
    E = np.eye(P)
    pairs = [(p, q) for p in range(P) for q in range(p + 1, P)]
    pts = np.concatenate([np.zeros((1, P)), h * E, -h * E]
                         + [h * (E[[p]] + E[[q]]) for p, q in pairs] + [np.reshape(extra, (1, P))])
    vals = jax.vmap(counts_fn)(jnp.asarray(pts, jnp.result_type(float)))
    if vals.ndim < 2:
        raise ValueError("counts_fn must return counts of shape (S, *bin_shape)")
    c0, plus, minus = vals[0], vals[1:1 + P], vals[1 + P:1 + 2 * P]
    lin = jnp.moveaxis((plus - minus) / (2.0 * h), 0, 1)                       # (S, P, …)
    diag = (plus + minus - 2.0 * c0) / (h * h)
    quad = jnp.zeros((P, P) + c0.shape, c0.dtype)
    quad = quad.at[jnp.arange(P), jnp.arange(P)].set(diag)
    for k, (p, q) in enumerate(pairs):
        off = (vals[1 + 2 * P + k] - plus[p] - plus[q] + c0) / (h * h)
        quad = quad.at[p, q].set(off).at[q, p].set(off)
    return c0, lin, jnp.moveaxis(quad, (0, 1), (1, 2)), vals[-1]               # (S, P, P, …)


_MATRICES = ("mu", "r2", "anapole", "millicharge")


def _antisymmetric(matrix, majorana):
    """Majorana μ, q_ν and ⟨r²⟩ are antisymmetric (transition entries only; the vector form
    factors of a Majorana neutrino, :data:`nujax.em.MAJORANA_ANTISYMMETRIC`); a Majorana anapole
    is symmetric."""
    return majorana and matrix in MAJORANA_ANTISYMMETRIC


def _unit(matrix, i, j, n, majorana, dtype):
    """The direction in matrix space that one real parameter moves (seed 002 constraints).

    Dirac μ, q_ν and ⟨r²⟩, and every a, are Hermitian: a real symmetric unit on (i, j) and
    (j, i) (the Majorana anapole is real symmetric). Majorana μ, q_ν and ⟨r²⟩ are antisymmetric
    and (CP-conserving) purely imaginary: i(E_ij − E_ji)."""
    E = np.zeros((n, n), complex)
    if _antisymmetric(matrix, majorana):
        msg = majorana_diagonal_error(matrix, i, j, majorana)
        if msg:
            raise ValueError(msg)
        E[i, j], E[j, i] = 1j, -1j
    else:
        E[i, j] = E[j, i] = 1.0
    return jnp.asarray(E if jnp.issubdtype(dtype, jnp.complexfloating) else E.real, dtype)


def density_matrix_em_model(spectra, detector, T_edges, phi_edges, state, entries, *,
                            majorana=False, basis="flavor", base=None, norm_sigma=0.0,
                            eff_sigma=0.0, bkg_sigma=None, derivatives="autodiff",
                            **rate_kw) -> BinnedModel:
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
        spectrum scatters as its own incoherent content as left-handed states (solar mass
        eigenstates, reactor ν̄_e, the prompt ν_μ and delayed ν_e, ν̄_μ of π-DAR;
        :func:`nujax.rates.expected_counts_density_matrix`), N = 3.
    entries : dict
        name → (matrix, i, j) with matrix "mu" [10⁻¹¹ μ_B], "r2" or "anapole" [10⁻³² cm²] or
        "millicharge" [10⁻¹² e], e.g. ``{"mu_ee": ("mu", 0, 0), "r2_ee": ("r2", 0, 0),
        "q_ee": ("millicharge", 0, 0)}``; each parameter moves the Hermitian (Majorana μ, q_ν and
        ⟨r²⟩: imaginary antisymmetric, no diagonal) pair of entries (i, j), (j, i).
    majorana, basis : static
        As in :class:`nujax.em.EMProperties`.
    base : EMProperties, optional
        Values the parameters are added to (default: all zero), e.g. the Standard-Model charge
        radii of :meth:`nujax.em.EMProperties.sm_charge_radii` (``majorana=True`` for Majorana:
        anapole only); its ``majorana`` and ``basis`` must be the ones given.
    norm_sigma, eff_sigma, bkg_sigma : as in :func:`nujax.inference.build_model`.
    derivatives : {"autodiff", "points"}
        As in :func:`quadratic_em_model`.
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
    elif (base.majorana, base.basis) != (bool(majorana), basis):
        raise ValueError(f"base is {'Majorana' if base.majorana else 'Dirac'} in the {base.basis} "
                         f"basis but majorana={majorana}, basis={basis!r}: pass matching values "
                         "(e.g. EMProperties.sm_charge_radii(majorana=True))")
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
                              directional=directional, derivatives=derivatives)


# ----------------------------------------------------------------------------------------------
# profile-likelihood intervals of one EM parameter
# ----------------------------------------------------------------------------------------------
#: Name the model's own effective moment ``mu_1e11`` takes inside :class:`_EMOffsetPOI`.
MU_EFF = "mu_eff_1e11"


@functools.partial(jax.tree_util.register_dataclass, data_fields=["inner", "center", "sign"],
                   meta_fields=["name"])
@dataclasses.dataclass(frozen=True)
class _EMOffsetPOI:
    """``inner`` with the EM parameter ``name`` = ``center`` + ``sign`` · u exposed as the
    parameter of interest ``mu_1e11`` = u ≥ 0 of the profile machinery
    (:class:`nujax.inference.limits.ProfileCurve`); the inner effective moment is
    :data:`MU_EFF`."""

    inner: object
    center: jax.Array
    sign: jax.Array
    name: str

    def __getattr__(self, attr):               # protocol attributes (n_sources, bin_shape …)
        if attr in ("inner", "center", "sign", "name"):
            raise AttributeError(attr)
        return getattr(self.inner, attr)

    def _inner(self, params):
        p = dict(params or {})
        mu_eff = p.pop(MU_EFF, None)
        if "mu_1e11" in p:
            p[self.name] = self.center + self.sign * p.pop("mu_1e11")
        else:
            p[self.name] = self.center
        if mu_eff is not None:
            p["mu_1e11"] = mu_eff
        return p

    def default_params(self) -> dict:
        d = dict(self.inner.default_params())
        d[MU_EFF] = d.pop("mu_1e11")
        d.pop(self.name)
        d["mu_1e11"] = 0.0
        return d

    def parameter_names(self) -> tuple:
        return ("mu_1e11", MU_EFF) + tuple(n for n in self.inner.parameter_names()
                                           if n not in ("mu_1e11", "mu2", self.name))

    def expected(self, params=None):
        return self.inner.expected(self._inner(params))

    def check_data(self, data):
        return self.inner.check_data(data)

    def log_likelihood(self, params, data, *, constraints=True):
        return self.inner.log_likelihood(self._inner(params), data, constraints=constraints)

    def constraint_log_likelihood(self, params, aux=None):
        return constraint_log_likelihood(self.inner, self._inner(params), aux)


class EMInterval(typing.NamedTuple):
    """Two-sided profile-likelihood interval of one EM parameter (its own units)."""

    name: str
    best: float
    lower: float
    upper: float
    cl: float
    converged: bool
    note: str


def em_profile_interval(model, data, name, *, nuisances=(), cl=0.9, init=None, scale=None,
                        n_grid=25, tol=1e-6, max_iter=500) -> EMInterval:
    """The ``cl`` two-sided profile-likelihood interval of the EM parameter ``name``.

    Wilks: 2[nll(θ, θ̂̂) − nll_min] = Φ⁻¹((1 + cl)/2)² at each end (Cowan et al., EPJC 71
    (2011) 1554, eq. (8) and Sec. 3.1, the two-sided t_μ). Each end is one upper limit of the
    existing profile machinery (:func:`nujax.inference.limits.likelihood_ratio_limit`) in
    u = ±(θ − θ̂) ≥ 0 with θ̂ the global fit; no second profile implementation.

    Parameters
    ----------
    model : BinnedModel
        A model with ``name`` in ``model.em_names`` (:func:`quadratic_em_model`).
    data : counts or Observation
    name : str
        The parameter of interest.
    nuisances : tuple of str
        Profiled parameters (inner names: ``mu_1e11`` is the model's effective moment, other EM
        entries, norm …); ``name`` itself is ignored here.
    cl : float
        Confidence level of the interval.
    init : dict, optional
        Starting point of the global fit (e.g. an MLE).
    scale : float, optional
        Unit of u inside the fits, in the units of ``name`` (default: the Fisher error of
        ``name`` at the global fit).
    n_grid, tol, max_iter : as in :func:`nujax.inference.profile_upper_limit`.

    Raises
    ------
    ValueError
        ``name`` is not an EM parameter of the model, or ``cl`` outside (0, 1).
    """
    from nujax.inference.fisher import fisher_errors
    from nujax.inference.limits import ProfileCurve, finish_note, likelihood_ratio_limit
    from nujax.inference.optimize import fit_mle

    if name not in tuple(getattr(model, "em_names", ())):
        raise ValueError(f"name must be one of the model's EM parameters "
                         f"{tuple(getattr(model, 'em_names', ()))}, got {name!r}")
    if not 0.0 < float(cl) < 1.0:
        raise ValueError(f"cl must lie in (0, 1), got {cl!r}")
    nuis = tuple(dict.fromkeys(n for n in nuisances if n != name))
    fit = fit_mle(model, data, free=(name, *nuis), init=init, tol=tol)
    best = float(fit.params[name])
    if scale is None:
        scale = fisher_errors(model, fit.params, (name,) + tuple(n for n in nuis if n != "phi_B")
                              ).get(name) or 1.0
    outer = tuple(MU_EFF if n == "mu_1e11" else n for n in nuis)
    fixed = {MU_EFF if k == "mu_1e11" else k: v for k, v in fit.params.items()
             if k not in nuis and k != name and k != "mu2"}
    target = float(_norm.ppf(0.5 * (1.0 + float(cl))))
    ends, notes, ok_all = [], [], bool(fit.converged)
    for sign in (-1.0, 1.0):
        poi = _EMOffsetPOI(model, jnp.asarray(best), jnp.asarray(sign), name)
        curve = ProfileCurve(poi, data, nuisances=outer, fixed=fixed, tol=tol, max_iter=max_iter,
                             scale=float(scale))
        lim, _, _, _, _, note, ok = likelihood_ratio_limit(
            curve, target=target, one_sided=True, mu_max=3.0 * float(scale), n_grid=n_grid)
        ends.append(best + sign * lim)
        notes += note
        ok_all &= bool(ok)
    return EMInterval(name, best, ends[0], ends[1], float(cl), ok_all,
                      finish_note(notes, ok_all, max_iter, tol))
