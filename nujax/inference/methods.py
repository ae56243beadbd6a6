"""The statistical methods of nujax for upper limits on |μ_ν|, selectable by name.

:func:`upper_limit` dispatches on ``method`` (:data:`METHODS`); every method returns one
:class:`~nujax.inference.UpperLimit` recording ``method`` and ``cl``:

* ``profile``: asymptotic profile likelihood, q̃(μ_up) = Φ⁻¹(cl)² (Cowan, Cranmer, Gross,
  Vitells, EPJC 71 (2011) 1554, eq. (16) and Sec. 3.7;
  :func:`~nujax.inference.profile_upper_limit`);
* ``profile_toys``: q̃ with critical values from Poisson toys (Neyman construction,
  :func:`~nujax.inference.fc.neyman_upper_limit`);
* ``cls``: asymptotic CLs = CL_{s+b}/CL_b (Read, J. Phys. G 28 (2002) 2693) with q̃ and
  the Asimov data set of the background-only fit (Cowan et al. eqs. (57),
  (59), (62)), the convention of pyhf's asymptotic calculator
  (:func:`cls_upper_limit`);
* ``feldman_cousins``: Neyman construction with the likelihood-ratio ordering (Feldman and
  Cousins, PRD 57 (1998) 3873), vmapped toys
  (:func:`~nujax.inference.fc.feldman_cousins_upper_limit`);
* ``bayes_flat_mu``: Bayesian credible limit, prior flat in |μ| (:func:`bayes_upper_limit`);
* ``bayes_flat_mu2``: the same with a prior flat in μ² (flat in the magnetic signal counts);
* ``delta_chi2``: Δχ²(μ_up) = χ²₁ quantile at ``cl`` (2.706 at cl = 0.9) above the best fit,
  the convention of older reactor analyses (:func:`delta_chi2_upper_limit`).
  2.706 = Φ⁻¹(0.95)²: read as a one-sided limit it has 95 % coverage for a
  Gaussian estimator away from the boundary (measured by
  :func:`coverage`), so it is conservative at the nominal 90 %.

The Bayesian methods integrate the profile likelihood L_p(μ) = max_θ L(μ, θ) over μ by 1D
quadrature (composite Simpson on a dense grid of vmapped profile fits reaching 2Δnll = 36,
where the posterior density is e⁻¹⁸ of its peak): deterministic, with no Monte Carlo error and
one jitted batch of fits; nuisances are profiled, not marginalised, which for Gaussian
constraints of a few per cent differs from marginalisation at second order in their widths
(Laplace). The fully marginal posterior is :func:`~nujax.inference.run_nuts` (numpyro NUTS).

:func:`coverage` measures the frequentist coverage of each method with toys drawn at the truth:
a limit covers μ_true exactly when its statistic at μ_true is on the accepted side, so each toy
needs the fits at μ_true only (the Bayesian methods need the dense posterior per toy), all
vmapped.
"""

from __future__ import annotations

import functools
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import cumulative_simpson
from scipy.stats import chi2 as _chi2
from scipy.stats import norm as _norm

from nujax.errors import ConvergenceWarning
from nujax.inference.background_model import WrappedModel
from nujax.inference.binned import BinnedModel, toy_data
from nujax.inference.fc import neyman_upper_limit, toy_statistic
from nujax.inference.limits import (ProfileCurve, ScaledPOI, UpperLimit, bracket_and_refine,
                                    check_limit_args, finish_note, likelihood_ratio_limit,
                                    poi_scale, profile_fits, profile_upper_limit, q_tilde_batch)
from nujax.inference.model import StatisticalModel
from nujax.inference.optimize import fit_mle, lbfgs_minimize, split_free
from nujax.inference.parameters import AUX_NAMES, Observation

__all__ = ["METHODS", "TOY_METHODS", "upper_limit", "cls_upper_limit", "bayes_upper_limit",
           "delta_chi2_upper_limit", "background_only_asimov", "cls_from_q", "coverage"]

#: Names of the upper-limit methods (``[fit] method`` in a scenario).
METHODS = ("profile", "profile_toys", "cls", "feldman_cousins", "bayes_flat_mu",
           "bayes_flat_mu2", "delta_chi2")

#: The methods of :data:`METHODS` that calibrate their statistic with toys (``key``, ``n_toys``).
TOY_METHODS = ("profile_toys", "feldman_cousins")
_BAYES_RANGE = 6.0            # √(2Δnll) at the top of the Bayesian integration range


# ----------------------------------------------------------------------------- Δχ²
def delta_chi2_upper_limit(model: StatisticalModel, data, *, nuisances=("norm", "bkg_scale"),
                           cl=0.9, mu_max=50.0, n_grid=49, tol=1e-6, max_iter=500, fixed=None,
                           max_extensions=4, scale=None) -> UpperLimit:
    """Δχ² upper limit: 2[nll(μ_up) − nll(μ̂)] = χ²₁⁻¹(cl) (2.706 at cl = 0.9), μ_up > μ̂ ≥ 0.

    Parameters as in :func:`~nujax.inference.profile_upper_limit`; ``q`` holds the signed Δχ²
    (negative below μ̂).
    """
    check_limit_args(cl, mu_max, n_grid)
    curve = ProfileCurve(model, data, nuisances=nuisances, fixed=fixed, tol=tol,
                         max_iter=max_iter, scale=scale)
    target = math.sqrt(float(_chi2.ppf(cl, 1)))                    # χ²₁ quantile, Wilks
    lim, mu_hat, grid, q, failed, notes, ok = likelihood_ratio_limit(
        curve, target=target, one_sided=False, mu_max=mu_max, n_grid=n_grid,
        max_extensions=max_extensions)
    return UpperLimit(lim, mu_hat, grid, q, ok, finish_note(notes, ok, max_iter, tol), "delta_chi2",
                      float(cl), failed)


# ----------------------------------------------------------------------------- CLs
def background_only_asimov(model: BinnedModel, data, *, nuisances=("norm", "bkg_scale"),
                           fixed=None, tol=1e-6, max_iter=500) -> Observation:
    """Asimov data of the background-only hypothesis: the expected counts and auxiliary values
    at the nuisances fitted to ``data`` with μ = 0 (Cowan et al. Sec. 3.8; pyhf's
    ``generate_asimov_data``). Binned models and the models that wrap them (background
    components, ON/OFF); a model with an ``asimov_observation(params, data, aux)`` method (the
    ON/OFF model: ON and OFF counts at the profiled OFF background) builds its own. The
    constraints of background components (:mod:`nujax.detector.components`) have no auxiliary
    measurement: they stay centred on their nominal rates, where pyhf would move the auxiliary
    value to the fitted one."""
    return _bkg_only_asimov(model, data, nuisances, fixed, tol, max_iter)[0]


def _bkg_only_asimov(model, data, nuisances, fixed, tol, max_iter):
    """(Asimov Observation, fit converged) — the convergence goes into the limit's flag."""
    if not isinstance(model, (BinnedModel, WrappedModel)):
        raise TypeError("Asimov data need a binned model (BinnedModel or a model wrapping "
                        f"one), got {type(model).__name__}")
    fx = {**(fixed or {}), "mu_1e11": 0.0}
    p, ok = dict(fx), True
    if nuisances:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            r = fit_mle(model, data, free=tuple(nuisances), fixed=fx, tol=tol, max_iter=max_iter)
        p, ok = r.params, bool(r.converged)
    full = {**model.default_params(), **p}
    aux = {k: jnp.asarray(full[k], dtype=float) for k in AUX_NAMES}
    own = getattr(model, "asimov_observation", None)
    if own is not None:
        return own(full, data, aux), ok
    return Observation(model.expected(full), aux), ok


def cls_from_q(q_obs, q_asimov):
    """(CLs, CL_{s+b}, CL_b) from q̃_μ of the data and of the background-only Asimov data.

    Cowan et al. eqs. (57), (59) with √q_{μ,A} = μ/σ (eq. (29)) and the q̃ branch of eq. (62):
    for √q̃ ≤ √q_A, CL_{s+b} = 1 − Φ(√q̃) and CL_b = Φ(√q_A − √q̃); above,
    CL_{s+b} = 1 − Φ((q̃ + q_A)/(2√q_A)) and CL_b = 1 − Φ((q̃ − q_A)/(2√q_A)). CLs = 1 where
    q_A = 0 (μ = 0).
    """
    q = np.maximum(np.asarray(q_obs, float), 0.0)
    qa = np.maximum(np.asarray(q_asimov, float), 0.0)
    sq, sa = np.sqrt(q), np.sqrt(qa)
    safe = np.where(sa > 0, sa, 1.0)
    low = sq <= sa
    t = np.where(low, sq - sa, (q - qa) / (2.0 * safe))     # pyhf's q̃ test statistic shift
    clsb = _norm.sf(t + sa)
    clb = _norm.sf(t)
    cls = np.where(sa > 0, clsb / np.where(clb > 0, clb, 1.0), 1.0)
    return np.minimum(cls, 1.0), clsb, clb


def cls_upper_limit(model: BinnedModel, data, *, nuisances=("norm", "bkg_scale"), cl=0.9,
                    mu_max=50.0, n_grid=49, tol=1e-6, max_iter=500, fixed=None,
                    max_extensions=4, scale=None) -> UpperLimit:
    """Asymptotic CLs upper limit: CLs(μ_up) = 1 − ``cl`` (:func:`cls_from_q`).

    q̃_μ of the data and q_{μ,A} of :func:`background_only_asimov` come from profile fits; the
    limit is bracketed and refined on z = Φ⁻¹(1 − CLs) (:func:`bracket_and_refine`), close to
    linear in μ. ``q`` holds CLs on ``grid``. Parameters as in
    :func:`~nujax.inference.profile_upper_limit`.
    """
    check_limit_args(cl, mu_max, n_grid)
    opts = dict(nuisances=nuisances, fixed=fixed, tol=tol, max_iter=max_iter)
    obs = ProfileCurve(model, data, scale=scale, **opts)
    a_data, ok_a = _bkg_only_asimov(model, data, tuple(nuisances), fixed, tol, max_iter)
    asimov = ProfileCurve(model, a_data, scale=obs.scale, **opts)
    a0, _, _, _ = asimov(np.asarray([0.0]))
    state = {"ok": obs.minimum()[2] and ok_a, "best_a": float(a0[0])}

    def stat(mu):
        vals, gn, it, ok = obs.scan(mu)
        va, _, _, oka = asimov(mu)
        mu_hat, best, _ = obs.minimum()
        q = np.where(mu < mu_hat, 0.0, 2.0 * (vals - best))          # Cowan et al. eq. (16)
        qa = 2.0 * (va - min(state["best_a"], float(np.nanmin(va))))
        cls, _, _ = cls_from_q(q, qa)
        state["ok"] &= bool(np.all(ok & oka))
        z = _norm.isf(np.clip(cls, 1e-300, 1.0 - 1e-16))
        return z, ok & oka, obs.diagnostics(mu, vals, gn, it, ok & oka)

    lim, grid, z, failed, notes = bracket_and_refine(stat, float(_norm.ppf(cl)), mu_max=mu_max,
                                                     n_grid=n_grid, max_extensions=max_extensions)
    return UpperLimit(lim, obs.minimum()[0], grid, _norm.sf(z), state["ok"],
                      finish_note(notes, state["ok"], max_iter, tol), "cls", float(cl), failed)


# ----------------------------------------------------------------------------- Bayes
def _posterior_cdf(mu, nll_values, prior):
    """Normalised cumulative posterior on the grid ``mu`` (composite Simpson)."""
    dens = np.exp(-(nll_values - np.min(nll_values)))
    if prior == "mu2":
        dens = dens * mu                       # flat in μ²: dμ² = 2μ dμ
    cdf = cumulative_simpson(dens, x=mu, initial=0.0)
    return np.maximum.accumulate(cdf / cdf[-1])


def bayes_upper_limit(model: StatisticalModel, data, *, prior="mu", nuisances=("norm", "bkg_scale"),
                      cl=0.9, mu_max=50.0, n_grid=49, n_dense=257, tol=1e-6, max_iter=500,
                      fixed=None, max_extensions=4, scale=None) -> UpperLimit:
    """Bayesian ``cl`` credible upper limit with a prior flat in |μ| (``prior="mu"``) or in μ²
    (``"mu2"``) on the profile likelihood (see the module docstring).

    The integration range [0, μ_top] ends where 2[nll(μ) − nll(μ̂)] = 36 (found by the
    bracket-and-refine engine); ``n_dense`` vmapped profile fits on it feed a composite Simpson
    cumulative integral; failed points are interpolated from their neighbours and listed in
    ``failed``. ``grid`` is the dense grid and ``q`` the posterior cumulative probability on it.
    """
    if prior not in ("mu", "mu2"):
        raise ValueError(f"prior must be 'mu' or 'mu2', got {prior!r}")
    check_limit_args(cl, mu_max, n_grid)
    if int(n_dense) < 33 or int(n_dense) % 2 == 0:
        raise ValueError(f"n_dense must be odd and >= 33, got {n_dense!r}")
    curve = ProfileCurve(model, data, nuisances=nuisances, fixed=fixed, tol=tol,
                         max_iter=max_iter, scale=scale)
    top, mu_hat, _, _, failed0, notes, ok = likelihood_ratio_limit(
        curve, target=_BAYES_RANGE, one_sided=False, mu_max=mu_max, n_grid=n_grid,
        max_extensions=max_extensions)
    grid = np.linspace(0.0, top, int(n_dense))
    vals, gn, it, okd = curve(grid)
    good = okd & np.isfinite(vals)
    if good.sum() < 3:
        raise ValueError("fewer than 3 profile fits of the Bayesian integration grid succeeded")
    failed = curve.diagnostics(grid, vals, gn, it, okd)
    if failed:
        notes.append(f"{len(failed)} of {grid.size} integration points failed and were "
                     "interpolated")
        vals = np.interp(grid, grid[good], vals[good])
    cdf = _posterior_cdf(grid, vals, prior)
    lim = float(np.interp(cl, cdf, grid))
    ok = ok and bool(np.all(okd))
    return UpperLimit(lim, mu_hat, grid, cdf, ok, finish_note(notes, ok, max_iter, tol),
                      f"bayes_flat_{prior}", float(cl), tuple(failed0) + tuple(failed))


# ----------------------------------------------------------------------------- dispatcher
def upper_limit(model: StatisticalModel, data, *, method="profile", cl=0.9,
                nuisances=("norm", "bkg_scale"), key=None, n_toys=1000, **kw) -> UpperLimit:
    """Upper limit on |μ_ν| [10⁻¹¹ μ_B] by the named ``method`` (:data:`METHODS`).

    Parameters
    ----------
    model, data : the statistical model and its data
    method : str
        One of :data:`METHODS`.
    cl : float
        Confidence (or credibility) level.
    nuisances : tuple of str
        Profiled parameters.
    key : jax PRNG key
        Seed of the toys (``profile_toys``, ``feldman_cousins``; default ``PRNGKey(0)``).
    n_toys : int
        Toys per tested μ for the toy methods.
    **kw
        Passed on: ``mu_max``, ``n_grid``, ``tol``, ``max_iter``, ``fixed``, ``max_extensions``,
        ``scale`` (all methods), ``n_dense`` (Bayesian), ``randomize_aux`` (toy methods).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    nuisances = tuple(nuisances)
    if method in TOY_METHODS:
        key = jax.random.PRNGKey(0) if key is None else key
        return neyman_upper_limit(key, model, data, statistic="t" if method == "feldman_cousins"
                                  else "q_tilde", cl=cl, n_toys=n_toys, nuisances=nuisances, **kw)
    if method.startswith("bayes"):
        return bayes_upper_limit(model, data, prior=method.rsplit("_", 1)[1], cl=cl,
                                 nuisances=nuisances, **kw)
    fn = {"profile": profile_upper_limit, "cls": cls_upper_limit,
          "delta_chi2": delta_chi2_upper_limit}[method]
    return fn(model, data, nuisances=nuisances, cl=cl, **kw)


# ----------------------------------------------------------------------------- coverage
@functools.partial(jax.jit, static_argnames=("free", "max_iter"))
def _cls_batch(model, toys, u, x0, fx, tol, free, max_iter):
    """Per toy: q̃(μ) of the toy and q_{μ,A} of its background-only Asimov data (vmapped)."""
    q, okq = q_tilde_batch(model, toys, u, x0, fx, tol, free=free, max_iter=max_iter)

    def asimov_q(d):
        f0 = {**fx, "mu_1e11": jnp.zeros_like(u)}
        if free:
            th, _, _, _, ok0 = lbfgs_minimize(model, d, x0, f0, tol, max_iter=max_iter)
        else:
            th, ok0 = {}, jnp.asarray(True)
        p = {**model.default_params(), **f0, **th}
        a = Observation(model.expected(p), {k: jnp.asarray(p[k], dtype=float) for k in AUX_NAMES})
        n0 = -model.log_likelihood(p, a)
        if free:
            _, n1, _, _, ok1 = lbfgs_minimize(model, a, x0, {**fx, "mu_1e11": u}, tol,
                                              max_iter=max_iter)
        else:
            n1, ok1 = -model.log_likelihood({**p, "mu_1e11": u}, a), jnp.asarray(True)
        return jnp.maximum(2.0 * (n1 - n0), 0.0), ok0 & ok1
    qa, oka = jax.vmap(asimov_q)(toys)
    return q, qa, okq & oka


@functools.partial(jax.jit, static_argnames=("free", "max_iter"))
def _profile_batch(model, toys, u_grid, x0, fx, tol, free, max_iter):
    """Profile nll on ``u_grid`` for every toy: arrays (n_toys, n_grid)."""
    return jax.vmap(lambda d: profile_fits(model, d, u_grid, x0, fx, tol, free=free,
                                            max_iter=max_iter))(toys)


def coverage(key, model: BinnedModel, truth: dict, *, method="profile", n_toys=200, cl=0.9,
             nuisances=("norm", "bkg_scale"), n_cal_toys=1000, n_dense=129,
             randomize_aux=False, tol=1e-6, max_iter=300):
    """Frequentist coverage of ``method``: the fraction of toys drawn at ``truth`` whose ``cl``
    limit (interval for ``feldman_cousins``) contains μ_true.

    A limit covers μ_true exactly when the method's statistic at μ_true lies on the accepted
    side: q̃(μ_true) ≤ Φ⁻¹(cl)² (``profile``), ≤ χ²₁⁻¹(cl) (``delta_chi2``), CLs(μ_true) >
    1 − cl (``cls``), the toy statistic ≤ its ``cl`` quantile from ``n_cal_toys`` calibration
    toys at μ_true (``profile_toys``, ``feldman_cousins``: the Feldman–Cousins interval, whose
    coverage is the construction's), posterior probability below μ_true ≤ cl (Bayesian methods,
    on a common grid of ``n_dense`` points reaching 2Δnll = 100 of the Asimov data at the
    truth). Other parameters are fixed at ``truth``.

    Returns
    -------
    (fraction, sigma, n_used)
        Covered fraction of the toys whose fits converged, the binomial standard error
        √(cl(1 − cl)/n_used) of an exact-coverage method, and n_used.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    nuisances = tuple(nuisances)
    mu_t = float(truth.get("mu_1e11", 0.0))
    fixed = {k: v for k, v in truth.items() if k not in nuisances and k != "mu_1e11"}
    s = poi_scale(model)
    sm = ScaledPOI(model, jnp.asarray(s))
    x0, fx = split_free(model, nuisances, None, fixed)
    fx.pop("mu_1e11", None)
    k_data, k_cal = jax.random.split(key)
    toys = toy_data(k_data, model, truth, int(n_toys), randomize_aux=randomize_aux)
    u = jnp.asarray(mu_t / s)
    args = dict(free=nuisances, max_iter=int(max_iter))
    if method in ("profile", "delta_chi2"):
        q, ok = map(np.asarray, q_tilde_batch(sm, toys, u, x0, fx, tol, **args))
        thr = float(_norm.ppf(cl) ** 2) if method == "profile" else float(_chi2.ppf(cl, 1))
        covered = q <= thr
    elif method == "cls":
        q, qa, ok = map(np.asarray, _cls_batch(sm, toys, u, x0, fx, tol, **args))
        covered = cls_from_q(q, qa)[0] > 1.0 - cl
    elif method in TOY_METHODS:
        stat = "t" if method == "feldman_cousins" else "q_tilde"
        t_cal, ok_cal = toy_statistic(k_cal, model, [mu_t], int(n_cal_toys), statistic=stat,
                                      nuisances=nuisances, fixed=fixed, tol=tol,
                                      max_iter=max_iter, randomize_aux=randomize_aux, scale=s)
        t_c = np.quantile(t_cal[0][ok_cal[0]], cl, method="inverted_cdf")
        q, ok = map(np.asarray, q_tilde_batch(sm, toys, u, x0, fx, tol, one_sided=stat == "q_tilde",
                                         **args))
        covered = q <= t_c + 1e-6
    else:
        asimov = model.expected({**fixed, "mu_1e11": mu_t})
        top = likelihood_ratio_limit(ProfileCurve(model, asimov, nuisances=nuisances,
                                                  fixed=fixed, scale=s),
                                     target=10.0, one_sided=False, mu_max=max(4 * mu_t, s))[0]
        grid = np.linspace(0.0, top, int(n_dense))
        vals, _, _, okg = map(np.asarray, _profile_batch(sm, toys, jnp.asarray(grid / s), x0, fx,
                                                          tol, **args))
        ok = np.all(okg, axis=1)
        prior = method.rsplit("_", 1)[1]
        cdf_at = np.array([np.interp(mu_t, grid, _posterior_cdf(grid, v, prior)) for v in vals])
        covered = cdf_at <= cl
    ok = np.asarray(ok, bool)
    n = int(ok.sum())
    if n == 0:
        raise RuntimeError(f"no toy fit converged ({method})")
    return float(np.mean(covered[ok])), float(math.sqrt(cl * (1 - cl) / n)), n
