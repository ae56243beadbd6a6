"""Frequentist upper limits on |μ_ν|: the robust bracket-and-refine engine, asymptotic profile
likelihood and toys.

Test statistic q̃_μ for upper limits on a parameter bounded below by 0 (Cowan, Cranmer, Gross,
Vitells, EPJC 71 (2011) 1554, eq. (16)). Asymptotically (Wald), p_μ = 1 − Φ(√q̃_μ) (ibid. Sec. 3.7),
so the 90 % CL upper limit solves q̃(μ_up) = Φ⁻¹(0.90)² = 1.6424 — the one-sided threshold, not the
two-sided 2.706. The asymptotics assume counts linear in the parameter of interest and large
samples; near the boundary μ_ν = 0 with few events they fail and :func:`toy_upper_limit` builds
the q̃ distribution from Poisson toys (Neyman construction with nuisances at their nominal values).
:func:`profile_upper_limit` is the one asymptotic profile-likelihood limit of nujax (the demo
study, ``nujax fit`` and the library use it); the other methods (CLs, Feldman–Cousins, Bayesian,
Δχ²) are in :mod:`nujax.inference.methods` and share the engine of this module.

Robustness. Every limit is found in two steps: a vmapped grid of profile fits brackets the
crossing (the grid grows ×4 when it does not reach it), then Brent's method
(``scipy.optimize.brentq``)
refines it with one profile fit per step. A grid point whose fit did not converge or returned a
non-finite value is left out of the bracketing and listed in :attr:`UpperLimit.failed` with its
diagnostics (:class:`FitDiagnostics`); no single point makes a limit raise. The parameter of
interest is fitted in units of :func:`poi_scale` (the μ at which the magnetic counts are a 1σ
fluctuation of the μ = 0 counts), so a large ``mu_max`` does not stall the optimiser (the
gradient with respect to μ at the start value scales as the magnetic template, which is tiny
in 10⁻¹¹ μ_B units for nuclear targets).
Coverage: the limit covers μ_true exactly when q̃(μ_true) ≤ threshold, so a toy ensemble checks
it with two fits per toy (:func:`coverage_fraction`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm as _norm

from nujax.errors import ConvergenceWarning
from nujax.inference.background_model import constraint_log_likelihood
from nujax.inference.binned import BinnedModel, toy_data
from nujax.inference.model import StatisticalModel, check_data, nll
from nujax.inference.optimize import diagonal_scales, lbfgs_minimize, q_tilde, split_free
from nujax.inference.parameters import Observation, as_data

__all__ = ["Q90_ONE_SIDED", "UpperLimit", "FitDiagnostics", "ScaledPOI", "poi_scale",
           "asymptotic_upper_limit", "profile_upper_limit", "toy_q_tilde", "toy_upper_limit",
           "coverage_fraction"]

#: q̃ threshold of a one-sided 90 % CL upper limit, Φ⁻¹(0.9)² (Cowan et al. 2011, Sec. 3.7).
Q90_ONE_SIDED: float = float(_norm.ppf(0.9) ** 2)


def asymptotic_upper_limit(sigma, mu_hat=0.0, cl=0.9):
    """μ_up = μ̂ + σ Φ⁻¹(cl) (Cowan et al. 2011, Sec. 4.3) for a POI linear in the counts, μ̂ ≥ 0."""
    return jnp.maximum(jnp.asarray(mu_hat), 0.0) + jnp.asarray(sigma) * float(_norm.ppf(cl))


class FitDiagnostics(NamedTuple):
    """One profile fit that failed: tested ``mu`` [10⁻¹¹ μ_B], ``nll`` reached, ``grad_norm``
    (‖∇ nll‖ over the profiled nuisances, POI in :func:`poi_scale` units) and ``n_iter``."""

    mu: float
    nll: float
    grad_norm: float
    n_iter: int


_NO_FAILURES: tuple = ()


class UpperLimit(NamedTuple):
    """Result of every upper-limit method of nujax (:func:`profile_upper_limit`,
    :func:`nujax.inference.upper_limit`).

    Attributes
    ----------
    limit : float
        Upper limit on |μ_ν| [10⁻¹¹ μ_B] at the confidence (or credibility) level ``cl``; the
        limit on μ² is ``limit**2`` [(10⁻¹¹ μ_B)²].
    mu_hat : float
        Best-fit |μ̂| [10⁻¹¹ μ_B].
    grid : numpy array (n_grid,)
        Tested μ values [10⁻¹¹ μ_B] of the final bracketing grid (from 0 to the possibly extended
        ``mu_max``), for plotting.
    q : numpy array (n_grid,)
        The method's statistic on ``grid``: q̃ (``profile``), Δχ² (``delta_chi2``), CLs
        (``cls``), the posterior cumulative probability (Bayesian methods), the toy p-value
        (``profile_toys``) or the Feldman–Cousins ratio t_μ − t_c(μ) (``feldman_cousins``).
    converged : bool
        Every fit used for the limit reached ``tol``.
    note : str
        Empty, or what went wrong (fits stopped at ``max_iter``, failed points, range extended).
    method : str
        The method that produced the limit (:data:`nujax.inference.METHODS`).
    cl : float
        Confidence or credibility level.
    failed : tuple of FitDiagnostics
        Grid points left out of the bracketing (fit not converged or not finite).
    """

    limit: float
    mu_hat: float
    grid: np.ndarray
    q: np.ndarray
    converged: bool
    note: str
    method: str = "profile"
    cl: float = 0.9
    failed: tuple = _NO_FAILURES


# ----------------------------------------------------------------------- POI scaling
@functools.partial(jax.tree_util.register_dataclass, data_fields=["inner", "scale"],
                   meta_fields=[])
@dataclasses.dataclass(frozen=True)
class ScaledPOI:
    """A statistical model whose ``mu_1e11`` is μ_ν / ``scale`` (``mu2``: μ² / ``scale²``).

    Implements :class:`~nujax.inference.StatisticalModel` by delegation to ``inner``; fitting
    in these units keeps the parameter of interest O(1) near the limit, whatever the units of
    the physics (:func:`poi_scale`).
    """

    inner: StatisticalModel
    scale: jax.Array

    def __getattr__(self, name):          # protocol attributes (n_sources, bin_shape …)
        if name in ("inner", "scale"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _physical(self, params):
        p = dict(params or {})
        if "mu_1e11" in p:
            p["mu_1e11"] = p["mu_1e11"] * self.scale
        if "mu2" in p:
            p["mu2"] = p["mu2"] * self.scale ** 2
        return p

    def default_params(self) -> dict:
        return self.inner.default_params()

    def parameter_names(self) -> tuple:
        return self.inner.parameter_names()

    def expected(self, params=None):
        return self.inner.expected(self._physical(params))

    def check_data(self, data):
        return self.inner.check_data(data)

    def log_likelihood(self, params, data, *, constraints=True):
        return self.inner.log_likelihood(self._physical(params), data, constraints=constraints)

    def constraint_log_likelihood(self, params, aux=None):
        return constraint_log_likelihood(self.inner, self._physical(params), aux)


def poi_scale(model: StatisticalModel) -> float:
    """μ [10⁻¹¹ μ_B] at which the magnetic counts equal √N₀ (N₀: expected counts at μ = 0).

    The magnetic part is the even part of the counts in μ, (N(1) + N(−1))/2 − N(0), exactly the
    μ² template for models quadratic in μ (seed 000 eq. (12)). Near the limit of a
    background-dominated analysis μ/scale is O(1). Returns 1 when the model has no magnetic
    counts.
    """
    def even_part(a):
        n = [float(jnp.sum(model.expected({"mu_1e11": m}))) for m in (0.0, a, -a)]
        return (0.5 * (n[1] + n[2]) - n[0]) / (a * a), n[0]

    em, n0 = even_part(1.0)
    if not (em > 0 and math.isfinite(em)):
        return 1.0
    a = math.sqrt(math.sqrt(max(n0, 1.0)) / em)
    em2, _ = even_part(a)           # again at μ ≈ scale: no cancellation for tiny templates
    em = em2 if em2 > 0 and math.isfinite(em2) else em
    return float(math.sqrt(math.sqrt(max(n0, 1.0)) / em))


# ----------------------------------------------------------------------- profile fits
@functools.partial(jax.jit, static_argnames=("free", "max_iter"))
def profile_fits(model, data, mu_values, x0, fixed, tol, free, max_iter, scale=None):
    """nll(μ, θ̂̂(μ)), ‖∇‖, iterations and a finite-and-converged flag per μ (vmapped fits;
    ``scale``: the nuisances' typical sizes, :func:`~nujax.inference.optimize.lbfgs_minimize`)."""
    def one(mu):
        fx = {**fixed, "mu_1e11": mu}
        if free:
            _, val, gn, it, ok = lbfgs_minimize(model, data, x0, fx, tol, max_iter=max_iter,
                                                scale=scale)
        else:
            val = nll(model, fx, data)
            gn, it, ok = jnp.zeros_like(val), jnp.zeros((), jnp.int32), jnp.asarray(True)
        return val, gn, it, ok & jnp.isfinite(val)
    return jax.vmap(one)(mu_values)


class ProfileCurve:
    """The profile likelihood of one data set, in physical μ [10⁻¹¹ μ_B] (POI fitted in
    :func:`poi_scale` units).

    Parameters
    ----------
    model, data : the statistical model and its data
    nuisances : tuple of str
        Profiled parameters (empty: all others fixed).
    fixed : dict, optional
        Values of parameters neither tested nor profiled.
    tol, max_iter : float, int
        L-BFGS tolerance on ‖∇ nll‖ and iteration cap of every fit.
    scale : float, optional
        POI unit (default :func:`poi_scale`).
    """

    def __init__(self, model, data, *, nuisances=("norm", "bkg_scale"), fixed=None, tol=1e-6,
                 max_iter=500, scale=None):
        check_data(model, data)
        self.nuisances = tuple(x for x in nuisances if x != "mu_1e11")
        if len(self.nuisances) != len(tuple(nuisances)):
            raise ValueError("'mu_1e11' is the parameter of interest, not a nuisance")
        self.scale = float(poi_scale(model) if scale is None else scale)
        if not (self.scale > 0 and math.isfinite(self.scale)):
            raise ValueError(f"scale must be finite and > 0, got {scale!r}")
        self.model = ScaledPOI(model, jnp.asarray(self.scale))
        self.data = as_data(data)
        self.fixed, self.tol, self.max_iter = fixed, float(tol), int(max_iter)
        if self.tol <= 0 or self.max_iter < 1:
            raise ValueError(f"tol must be > 0 and max_iter >= 1, got {tol!r}, {max_iter!r}")
        self.x0, self.fx = split_free(model, self.nuisances, None, fixed)
        self.fx.pop("mu_1e11", None)
        self._min, self.lowered = None, False
        # each nuisance stepped in units of its Fisher error at μ = 0: curvatures spanning
        # orders of magnitude (a 0.6 % flux prior next to a free background rate) otherwise
        # leave L-BFGS at max_iter short of the minimum
        self.x_scale = (diagonal_scales(self.model, self.data, self.x0,
                                        {**self.fx, "mu_1e11": jnp.asarray(0.0)})
                        if self.nuisances else None)

    def __call__(self, mu_values):
        """(nll, grad_norm, n_iter, ok) numpy arrays at the μ values [10⁻¹¹ μ_B]."""
        u = jnp.atleast_1d(jnp.asarray(mu_values, dtype=float)) / self.scale
        out = profile_fits(self.model, self.data, u, self.x0, self.fx, self.tol,
                            free=self.nuisances, max_iter=self.max_iter, scale=self.x_scale)
        return tuple(np.asarray(x) for x in out)

    def minimum(self):
        """(μ̂ [10⁻¹¹ μ_B], nll_min, global fit converged): the global fit, done once, lowered by
        :meth:`scan` when a converged profile point lies below it (a global fit stuck short of
        the minimum cannot spoil a limit)."""
        if self._min is None:
            self._min = list(self.global_fit())
        return tuple(self._min)

    def scan(self, mu):
        """:meth:`__call__` at the μ values, updating :meth:`minimum` with them."""
        self.minimum()
        vals, gn, it, ok = self(mu)
        good = ok & np.isfinite(vals)
        if good.any() and vals[good].min() < self._min[1] - 1e-9:
            j = np.nonzero(good)[0][np.argmin(vals[good])]
            self._min[:2] = float(np.atleast_1d(mu)[j]), float(vals[j])
            self.lowered = True
        return vals, gn, it, ok

    def global_fit(self):
        """(μ̂ [10⁻¹¹ μ_B], nll at the minimum, converged) with μ and the nuisances free."""
        free = ("mu_1e11",) + self.nuisances
        x0, fx = split_free(self.model, free, {"mu_1e11": 0.1}, self.fixed)
        sc = None if self.x_scale is None else {"mu_1e11": jnp.asarray(1.0), **self.x_scale}
        x, val, _, _, ok = lbfgs_minimize(self.model, self.data, x0, fx, self.tol,
                                          max_iter=self.max_iter, scale=sc)
        ok = bool(ok) and bool(np.isfinite(val))
        return abs(float(x["mu_1e11"])) * self.scale, float(val), ok

    def diagnostics(self, mu, vals, gn, it, ok) -> tuple:
        """:class:`FitDiagnostics` of the points that failed (``ok`` False)."""
        return tuple(FitDiagnostics(float(m), float(v), float(g), int(k))
                     for m, v, g, k, o in zip(np.atleast_1d(mu), vals, gn, it, ok) if not o)


class _PointFailed(Exception):
    pass


class LimitAboveRange(ValueError):
    """The statistic stays below its threshold up to the grid ceiling ``top`` (the parameter
    is not constrained below it)."""

    def __init__(self, msg, top):
        super().__init__(msg)
        self.top = float(top)


def bracket_and_refine(stat: Callable, target: float, *, mu_max: float, n_grid: int,
                       max_extensions: int, xtol: float = 1e-7):
    """Solve z(μ) = ``target`` for an increasing statistic z on μ ≥ 0: bracket, then Brent.

    ``stat(mu_array)`` returns (z, ok, failed) with ``failed`` a tuple of
    :class:`FitDiagnostics`. Points with ``ok`` False are skipped when bracketing (unless only
    such points bracket the target; non-finite points always are); the grid on
    [0, top] grows ×4 up to ``max_extensions`` times. The bracket [μ_a, μ_b] (last good point
    below the target, first good point at or above it) is refined by ``scipy.optimize.brentq``
    to ``xtol`` × top; if a fit inside fails, the limit falls back to linear interpolation of z
    across the bracket.

    Returns (limit, grid, z, failed, notes). Raises ``LimitAboveRange`` (a ``ValueError``)
    when the target is not reached below ``mu_max`` × 4^``max_extensions`` or no grid point
    is usable.
    """
    top, notes, failed = float(mu_max), [], ()
    for k in range(int(max_extensions) + 1):
        grid = np.linspace(0.0, top, int(n_grid))
        z, ok, failed = stat(grid)
        z = np.asarray(z, float)
        finite = np.isfinite(z)
        # converged points first; fits capped at max_iter only if nothing else brackets
        for good in (np.asarray(ok, bool) & finite, finite):
            above = np.nonzero(good & (z >= target))[0]
            if above.size:
                break
        if above.size:
            break
        if k == int(max_extensions):
            last = z[good][-1] if good.any() else float("nan")
            raise LimitAboveRange(f"upper limit above mu_max = {top:g} (statistic {last:.3g} "
                                  f"< {target:.3g} there, {int((~good).sum())} failed points); "
                                  "increase mu_max or max_extensions", top)
        top *= 4.0
    if top > mu_max:
        notes.append(f"range extended to mu_max = {top:g}")
    if failed:
        notes.append(f"{len(failed)} of {len(grid)} grid fits failed and were skipped")
    i = int(above[0])
    below = np.nonzero(good[:i] & (z[:i] < target))[0]
    if below.size == 0:
        return float(grid[i]), grid, z, failed, notes
    a, b = float(grid[below[-1]]), float(grid[i])
    za, zb = float(z[below[-1]]), float(z[i])

    def f(m):
        zz, _, _ = stat(np.asarray([m]))
        if not np.isfinite(np.asarray(zz)[0]):
            raise _PointFailed
        return float(np.asarray(zz)[0]) - target

    try:
        lim = brentq(f, a, b, xtol=xtol * top, rtol=1e-10, maxiter=100)
    except (_PointFailed, ValueError):
        notes.append("refinement fit failed; limit interpolated across the bracket")
        lim = a + (target - za) * (b - a) / (zb - za)
    return float(lim), grid, z, failed, notes


def finish_note(notes, ok, max_iter, tol) -> str:
    """The ``note`` of an :class:`UpperLimit`: ``notes`` joined, led by (and warned as a
    :class:`~nujax.errors.ConvergenceWarning`) the iteration-cap message when not ``ok``."""
    if not ok:
        msg = (f"some likelihood fits stopped at max_iter = {max_iter} with |grad nll| >= "
               f"tol = {tol:g} or were not finite; the limit may be inaccurate")
        notes.insert(0, msg)
        warnings.warn(msg, ConvergenceWarning, stacklevel=3)
    return "; ".join(notes)


def likelihood_ratio_limit(curve: ProfileCurve, *, target: float, one_sided: bool, mu_max=50.0,
                           n_grid=49, max_extensions=4):
    """Limit where z(μ) = sign(μ − μ̂) √(2[nll(μ) − nll_min]) reaches ``target`` (μ > μ̂).

    ``one_sided`` sets z = 0 for μ ≤ μ̂ (q̃ of Cowan et al. eq. (16)); otherwise z is the signed
    root of Δχ². nll_min is the global fit, or the lowest converged grid point if that is lower
    (a global fit stuck short of the minimum cannot spoil the limit). Returns
    (limit, μ̂, grid, z², failed, notes, all-converged).
    """
    state = {"all_ok": curve.minimum()[2]}

    def stat(mu):
        vals, gn, it, ok = curve.scan(mu)
        mu_hat, best, _ = curve.minimum()
        state["all_ok"] &= bool(np.all(ok))
        d = np.maximum(2.0 * (vals - best), 0.0)
        z = np.sqrt(d) * np.where(np.asarray(mu) >= mu_hat, 1.0, 0.0 if one_sided else -1.0)
        return z, ok, curve.diagnostics(mu, vals, gn, it, ok)

    lim, grid, z, failed, notes = bracket_and_refine(stat, target, mu_max=mu_max, n_grid=n_grid,
                                                     max_extensions=max_extensions)
    if curve.lowered:
        notes.append("the grid found a lower nll than the global fit; its minimum was used")
    return lim, curve.minimum()[0], grid, np.sign(z) * z * z, failed, notes, state["all_ok"]


def profile_upper_limit(model: StatisticalModel, data, *, nuisances=("norm", "bkg_scale"),
                        cl=0.9, mu_max=50.0, n_grid=49, tol=1e-6, max_iter=500, fixed=None,
                        max_extensions=4, scale=None) -> UpperLimit:
    """Asymptotic profile-likelihood upper limit on |μ_ν|: q̃(μ_up) = Φ⁻¹(cl)².

    q̃ is the statistic of Cowan et al., EPJC 71 (2011) 1554, eq. (16); the one-sided threshold
    Φ⁻¹(cl)² is ibid. Sec. 3.7. Algorithm (:func:`bracket_and_refine`): one global fit; q̃ on a
    grid of ``n_grid`` points on [0, ``mu_max``] by vmapped profile fits (one compilation); if
    q̃ never reaches the threshold the range grows ×4 (at most ``max_extensions`` times); then
    Brent's method on √q̃ − Φ⁻¹(cl) inside the bracketing cell.

    Parameters
    ----------
    model : StatisticalModel
        Binned, unbinned or quadratic EM model with the ``mu_1e11`` parameter.
    data : counts, Observation or event azimuths
    nuisances : tuple of str
        Profiled parameters (empty: all others fixed).
    cl : float
        Confidence level (0.9: threshold 1.6424).
    mu_max : float
        Initial top of the grid [10⁻¹¹ μ_B].
    n_grid : int
        Points of the bracketing grid.
    tol, max_iter : float, int
        L-BFGS tolerance on ‖∇ nll‖ and iteration cap of every fit.
    fixed : dict, optional
        Values of parameters neither tested nor profiled (e.g. ``{"phi_B": 0.4}``).
    max_extensions : int
        How many times the range may grow ×4 before giving up.
    scale : float, optional
        Unit of the POI inside the fits [10⁻¹¹ μ_B] (default :func:`poi_scale`).

    Returns
    -------
    UpperLimit
        Fits stopped at ``max_iter`` or non-finite do not raise: ``converged`` is False,
        ``note`` says so, ``failed`` lists them and a :class:`~nujax.errors.ConvergenceWarning`
        is issued.

    Raises
    ------
    ValueError
        The limit lies above ``mu_max`` × 4^``max_extensions``, or bad arguments.
    """
    check_limit_args(cl, mu_max, n_grid)
    curve = ProfileCurve(model, data, nuisances=nuisances, fixed=fixed, tol=tol,
                         max_iter=max_iter, scale=scale)
    lim, mu_hat, grid, q, failed, notes, ok = likelihood_ratio_limit(
        curve, target=float(_norm.ppf(cl)), one_sided=True, mu_max=mu_max, n_grid=n_grid,
        max_extensions=max_extensions)                                # Cowan et al. Sec. 3.7
    note = finish_note(notes, ok, max_iter, tol)
    return UpperLimit(lim, mu_hat, grid, q, ok, note, "profile", float(cl), failed)


def check_limit_args(cl, mu_max, n_grid):
    """``ValueError`` unless 0 < ``cl`` < 1, ``mu_max`` finite and > 0, ``n_grid`` ≥ 3."""
    if not 0.0 < cl < 1.0:
        raise ValueError(f"cl must lie in (0, 1), got {cl!r}")
    if not (mu_max > 0 and math.isfinite(mu_max)) or int(n_grid) < 3:
        raise ValueError("mu_max must be finite and > 0 and n_grid >= 3")


@functools.partial(jax.jit, static_argnames=("free", "max_iter", "one_sided"))
def q_tilde_batch(model, toys, mu_test, x0, fx, tol, free, max_iter, one_sided=True):
    """q̃(μ_test) for a batch of data sets (vmapped global and constrained fits); with
    ``one_sided`` False the two-sided t̃_μ = 2[nll(μ) − nll(μ̂ ≥ 0)] (the profile likelihood
    ratio of Cowan et al. with μ̂ bounded at 0: the likelihood-ratio ordering of Feldman and
    Cousins, PRD 57 (1998) 3873)."""
    def one(d):
        g0 = {**x0, "mu_1e11": jnp.maximum(mu_test, 0.1)}
        g, gval, _, _, gok = lbfgs_minimize(model, d, g0, fx, tol, max_iter=max_iter)
        fxm = {**fx, "mu_1e11": mu_test}
        if len(free):
            _, pval, _, _, pok = lbfgs_minimize(model, d, x0, fxm, tol, max_iter=max_iter)
        else:
            pval, pok = nll(model, fxm, d), True
        q = jnp.maximum(2.0 * (pval - gval), 0.0)                 # Cowan et al. eq. (16)
        if one_sided:
            q = jnp.where(jnp.abs(g["mu_1e11"]) > mu_test, 0.0, q)
        return q, gok & pok & jnp.isfinite(q)
    return jax.vmap(one)(toys)


def toy_q_tilde(model: StatisticalModel, toys, mu_test, *, nuisances=("norm", "bkg_scale"),
                tol=1e-6, max_iter=200):
    """q̃(μ_test) for each data set in ``toys`` (shape (n, *bin_shape)); returns (q̃, converged)."""
    toys = as_data(toys)
    shape = (toys.counts if isinstance(toys, Observation) else toys).shape
    if shape[1:] != tuple(model.bin_shape):
        raise ValueError(f"toys must have shape (n, {model.bin_shape}), got {shape}")
    x0, fx = split_free(model, tuple(nuisances), None, None)
    fx.pop("mu_1e11", None)
    return q_tilde_batch(model, toys, jnp.asarray(mu_test, dtype=float), x0, fx, tol,
                    free=tuple(nuisances), max_iter=int(max_iter))


def coverage_fraction(key, model: BinnedModel, truth: dict, n_toys=200, *,
                      nuisances=("norm", "bkg_scale"), cl=0.9, randomize_aux=False):
    """Fraction of toys (drawn at ``truth``) whose asymptotic ``cl`` upper limit covers μ_true.

    With ``randomize_aux`` the auxiliary (constraint) measurements fluctuate from toy to toy as
    well (:func:`~nujax.inference.toy_data`). Returns (fraction, binomial standard
    error √(cl(1 − cl)/n)).
    """
    toys = toy_data(key, model, truth, n_toys, randomize_aux=randomize_aux)
    q, ok = toy_q_tilde(model, toys, truth["mu_1e11"], nuisances=nuisances)
    if not bool(jnp.all(ok)):
        raise RuntimeError(f"{int(jnp.sum(~ok))} toy fits did not converge")
    thr = float(_norm.ppf(cl) ** 2)
    return float(jnp.mean(q <= thr)), float(np.sqrt(cl * (1 - cl) / n_toys))


def toy_upper_limit(key, model: BinnedModel, data, mu_grid, n_toys=200, *,
                    nuisances=("norm", "bkg_scale"), cl=0.9, randomize_aux=False):
    """Upper limit from toys (Neyman construction on q̃, nuisances nominal in the toys).

    For each μ in ``mu_grid`` the p-value p(μ) = P(q̃ ≥ q̃_obs | μ) is estimated from ``n_toys``
    Poisson toys; the limit is where p crosses 1 − ``cl`` (linear interpolation). Valid near the
    boundary μ = 0 where the asymptotic formula fails. ``randomize_aux`` also fluctuates the
    auxiliary measurements in the toys. Returns (μ_up, p-values).
    """
    check_data(model, data)
    grid = np.asarray(mu_grid, float)
    q_obs, _, _ = q_tilde(model, data, jnp.asarray(grid), nuisances=nuisances)
    pvals = []
    for i, mu in enumerate(grid):
        toys = toy_data(jax.random.fold_in(key, i), model, {"mu_1e11": mu}, n_toys,
                        randomize_aux=randomize_aux)
        q, _ = toy_q_tilde(model, toys, mu, nuisances=nuisances)
        pvals.append(float(jnp.mean(q >= q_obs[i] - 1e-9)))
    p = np.asarray(pvals)
    alpha = 1.0 - cl
    idx = np.nonzero(p < alpha)[0]
    if idx.size == 0:
        raise ValueError("p-value never drops below 1 - cl on mu_grid; extend the grid")
    j = idx[0]
    if j == 0:
        return float(grid[0]), p
    x0, x1, p0, p1 = grid[j - 1], grid[j], p[j - 1], p[j]
    return float(x0 + (p0 - alpha) * (x1 - x0) / (p0 - p1)), p
