"""Neyman constructions with toys: Feldman–Cousins and the toy-calibrated profile likelihood.

For each tested μ the distribution of the test statistic is built from Poisson toys drawn at μ
(nuisances at their nominal values; with ``randomize_aux`` the auxiliary measurements fluctuate
too), and μ is accepted when the observed statistic lies below the ``cl`` quantile t_c(μ) of its
toys. Two statistics:

* ``"t"`` — t̃_μ = 2[nll(μ, θ̂̂) − nll(μ̂, θ̂)] with μ̂ ≥ 0 (the profile likelihood ratio
  with the physical boundary): the likelihood-ratio ordering of Feldman and Cousins, PRD 57
  (1998) 3873, whose acceptance region switches by itself from an upper limit to a two-sided
  interval; :func:`feldman_cousins_upper_limit` returns the upper end of that interval;
* ``"q_tilde"`` — q̃_μ (Cowan et al., EPJC 71 (2011) 1554, eq. (16)), one-sided: the toy
  version of :func:`~nujax.inference.profile_upper_limit` (method ``profile_toys``).

All toys of all tested μ values are fitted by one jitted function: ``jax.lax.map`` over the μ
values and ``jax.vmap`` over the toys, each toy a global and a conditional optax L-BFGS fit
(:func:`~nujax.inference.optimize.lbfgs_minimize`). The POI is fitted in
:func:`~nujax.inference.limits.poi_scale` units. Toys whose fits fail are dropped from the
quantile and counted in the result's note.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from nujax.inference.binned import toy_data
from nujax.inference.limits import (ProfileCurve, ScaledPOI, UpperLimit, bracket_and_refine,
                                    check_limit_args, finish_note, poi_scale, q_tilde_batch)
from nujax.inference.model import StatisticalModel
from nujax.inference.optimize import split_free

__all__ = ["STATISTICS", "toy_statistic", "neyman_upper_limit", "feldman_cousins_upper_limit"]

#: Test statistics of the Neyman constructions.
STATISTICS = ("t", "q_tilde")
_ACCEPT_TOL = 1e-6          # t_obs − t_c below this counts as accepted (fits reach ~1e-10)
#: Brent tolerance of the toy limits, × the grid top: far below the toys' Monte Carlo error
#: (~1 % for 400 toys); each Brent step costs a set of toy fits (TEXONO 2007: 23 → ~10 steps)
_TOY_XTOL = 1e-5


@functools.partial(jax.jit, static_argnames=("n_toys", "free", "max_iter", "one_sided",
                                             "randomize_aux"))
def _toys_and_statistic(model, key, u_values, x0, fx, tol, n_toys, free, max_iter, one_sided,
                        randomize_aux):
    """Statistic of ``n_toys`` toys at each μ/scale in ``u_values``: arrays (n_μ, n_toys)."""
    def at(args):
        i, u = args
        toys = toy_data(jax.random.fold_in(key, i), model, {**fx, **x0, "mu_1e11": u}, n_toys,
                        randomize_aux=randomize_aux)
        return q_tilde_batch(model, toys, u, x0, fx, tol, free=free, max_iter=max_iter,
                        one_sided=one_sided)
    idx = jnp.arange(u_values.shape[0])
    return jax.lax.map(at, (idx, u_values))


def _setup(model, nuisances, fixed, scale):
    nuisances = tuple(nuisances)
    if "mu_1e11" in nuisances:
        raise ValueError("'mu_1e11' is the parameter of interest, not a nuisance")
    s = float(poi_scale(model) if scale is None else scale)
    sm = ScaledPOI(model, jnp.asarray(s))
    x0, fx = split_free(model, nuisances, None, fixed)
    fx.pop("mu_1e11", None)
    return sm, s, x0, fx, nuisances


def toy_statistic(key, model: StatisticalModel, mu_values, n_toys=1000, *, statistic="t",
                  nuisances=("norm", "bkg_scale"), fixed=None, tol=1e-6, max_iter=200,
                  randomize_aux=False, scale=None):
    """The test statistic of ``n_toys`` Poisson toys drawn at each μ in ``mu_values``.

    Parameters
    ----------
    key : jax PRNG key
    model : StatisticalModel
        A binned model (toys are drawn with :func:`~nujax.inference.toy_data`).
    mu_values : array (n,)
        Tested moments [10⁻¹¹ μ_B], ≥ 0.
    n_toys : int
        Toys per μ.
    statistic : {"t", "q_tilde"}
        Two-sided t̃_μ (Feldman–Cousins ordering) or one-sided q̃_μ.
    nuisances, fixed, tol, max_iter : as in :func:`~nujax.inference.profile_upper_limit`
    randomize_aux : bool
        Also fluctuate the auxiliary measurements of the constrained nuisances.
    scale : float, optional
        POI unit inside the fits (default :func:`~nujax.inference.limits.poi_scale`).

    Returns
    -------
    (statistic, ok) : numpy arrays (n, n_toys); ``ok`` False where a fit failed.
    """
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}")
    mu = np.atleast_1d(np.asarray(mu_values, float))
    if np.any(mu < 0) or not np.all(np.isfinite(mu)):
        raise ValueError("mu_values must be finite and >= 0")
    if int(n_toys) < 1:
        raise ValueError(f"n_toys must be >= 1, got {n_toys!r}")
    sm, s, x0, fx, nuis = _setup(model, nuisances, fixed, scale)
    t, ok = _toys_and_statistic(sm, key, jnp.asarray(mu / s), x0, fx, float(tol),
                                n_toys=int(n_toys), free=nuis, max_iter=int(max_iter),
                                one_sided=statistic == "q_tilde",
                                randomize_aux=bool(randomize_aux))
    return np.asarray(t), np.asarray(ok)


def _critical(t, ok, cl):
    """The ``cl`` quantile of the converged toys per row (the smallest c with F(c) ≥ cl)."""
    out = np.empty(t.shape[0])
    for i in range(t.shape[0]):
        good = t[i][ok[i]]
        out[i] = np.quantile(good, cl, method="inverted_cdf") if good.size else np.nan
    return out


def neyman_upper_limit(key, model: StatisticalModel, data, *, statistic="t", cl=0.9,
                       n_toys=1000, nuisances=("norm", "bkg_scale"), fixed=None, mu_max=50.0,
                       n_grid=25, max_extensions=4, tol=1e-6, max_iter=200,
                       randomize_aux=False, scale=None) -> UpperLimit:
    """Upper end of the ``cl`` Neyman confidence interval of |μ_ν| with toy critical values.

    μ is accepted when t_obs(μ) ≤ t_c(μ), the ``cl`` quantile of :func:`toy_statistic`; the
    limit is the largest accepted μ above μ̂: z(μ) = t_obs(μ) − t_c(μ) is bracketed on a grid
    and refined by Brent's method (:func:`~nujax.inference.limits.bracket_and_refine`), with
    the same toy seed at every refinement step (common random numbers, so z is smooth enough
    for the root finder) to 10⁻⁵ × the grid top. The Monte Carlo error of t_c is that of a
    quantile from ``n_toys`` draws; where it makes z(μ) cross zero more than once, the crossing
    found depends on the grid (within that error).

    Parameters
    ----------
    statistic : {"t", "q_tilde"}
        ``"t"``: Feldman–Cousins; ``"q_tilde"``: toy-calibrated profile likelihood.
    n_toys : int
        Toys per tested μ.
    mu_max, n_grid, max_extensions : bracketing grid (see :func:`bracket_and_refine`).
    Other parameters as in :func:`toy_statistic`.

    Returns
    -------
    UpperLimit
        ``method`` "feldman_cousins" or "profile_toys"; ``q`` holds t_obs − t_c on ``grid``.
    """
    check_limit_args(cl, mu_max, n_grid)
    curve = ProfileCurve(model, data, nuisances=nuisances, fixed=fixed, tol=tol,
                         max_iter=max_iter, scale=scale)
    state = {"ok": curve.minimum()[2], "dropped": 0}
    kw = dict(statistic=statistic, nuisances=nuisances, fixed=fixed, tol=tol, max_iter=max_iter,
              randomize_aux=randomize_aux, scale=curve.scale)

    def stat(mu):
        vals, gn, it, ok = curve.scan(mu)
        mu_hat, best, _ = curve.minimum()
        t_obs = np.maximum(2.0 * (vals - best), 0.0)
        if statistic == "q_tilde":
            t_obs = np.where(mu < mu_hat, 0.0, t_obs)                 # Cowan et al. eq. (16)
        t, tok = toy_statistic(key, model, mu, n_toys, **kw)
        state["dropped"] += int((~tok).sum())
        t_c = _critical(t, tok, cl)
        z = np.where(np.asarray(mu) >= mu_hat, t_obs - t_c, -np.abs(t_obs - t_c) - 1.0)
        state["ok"] &= bool(np.all(ok))
        return z, ok & np.isfinite(t_c), curve.diagnostics(mu, vals, gn, it, ok)

    # accepted when t_obs ≤ t_c: with discrete counts the observed value is often the quantile
    # itself, equal up to the fits' precision, hence the small positive target
    lim, grid, z, failed, notes = bracket_and_refine(stat, _ACCEPT_TOL, mu_max=mu_max,
                                                     n_grid=n_grid, max_extensions=max_extensions,
                                                     xtol=_TOY_XTOL)
    if state["dropped"]:
        notes.append(f"{state['dropped']} toy fits failed and were dropped from the quantiles")
    note = finish_note(notes, state["ok"], max_iter, tol)
    method = "feldman_cousins" if statistic == "t" else "profile_toys"
    return UpperLimit(lim, curve.minimum()[0], grid, z, state["ok"], note, method, float(cl),
                      failed)


def feldman_cousins_upper_limit(key, model: StatisticalModel, data, **kw) -> UpperLimit:
    """Feldman–Cousins (PRD 57 (1998) 3873) upper limit: :func:`neyman_upper_limit` with the
    likelihood-ratio statistic ``"t"``."""
    return neyman_upper_limit(key, model, data, statistic="t", **kw)
