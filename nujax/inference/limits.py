"""Frequentist 90 % CL upper limits on |μ_ν|: asymptotic profile likelihood and toys.

Test statistic q̃_μ for upper limits on a parameter bounded below by 0 (Cowan, Cranmer, Gross,
Vitells, EPJC 71 (2011) 1554, eq. (16)). Asymptotically (Wald), p_μ = 1 − Φ(√q̃_μ) (ibid. Sec. 3.7),
so the 90 % CL upper limit solves q̃(μ_up) = Φ⁻¹(0.90)² = 1.6424 — the one-sided threshold, not the
two-sided 2.706. The asymptotics assume counts linear in the parameter of interest and large
samples; near the boundary μ_ν = 0 with few events they fail and :func:`toy_upper_limit` builds
the q̃ distribution from Poisson toys (Neyman construction with nuisances at their nominal values).
:func:`profile_upper_limit` is the one asymptotic profile-likelihood limit of nujax (the demo
study, ``nujax fit`` and the library use it).
Coverage: the limit covers μ_true exactly when q̃(μ_true) ≤ threshold, so a toy ensemble checks
it with two fits per toy (:func:`coverage_fraction`).
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import norm as _norm

from nujax.errors import ConvergenceWarning
from nujax.inference.binned import BinnedModel, toy_data
from nujax.inference.model import StatisticalModel, check_data, nll
from nujax.inference.optimize import fit_mle, lbfgs_minimize, q_tilde, split_free
from nujax.inference.parameters import Observation, as_data

__all__ = ["Q90_ONE_SIDED", "UpperLimit", "asymptotic_upper_limit", "profile_upper_limit",
           "toy_q_tilde", "toy_upper_limit", "coverage_fraction"]

#: q̃ threshold of a one-sided 90 % CL upper limit, Φ⁻¹(0.9)² (Cowan et al. 2011, Sec. 3.7).
Q90_ONE_SIDED: float = float(_norm.ppf(0.9) ** 2)


def asymptotic_upper_limit(sigma, mu_hat=0.0, cl=0.9):
    """μ_up = μ̂ + σ Φ⁻¹(cl) (Cowan et al. 2011, Sec. 4.3) for a POI linear in the counts, μ̂ ≥ 0."""
    return jnp.maximum(jnp.asarray(mu_hat), 0.0) + jnp.asarray(sigma) * float(_norm.ppf(cl))


class UpperLimit(NamedTuple):
    """Result of :func:`profile_upper_limit`.

    Attributes
    ----------
    limit : float
        Upper limit on |μ_ν| [10⁻¹¹ μ_B] at the requested confidence level.
    mu_hat : float
        Best-fit |μ̂| [10⁻¹¹ μ_B].
    grid : numpy array (n_grid,)
        Tested μ values [10⁻¹¹ μ_B] of the final coarse grid (from 0 to the possibly extended
        ``mu_max``), for plotting q̃(μ).
    q : numpy array (n_grid,)
        q̃ on ``grid``.
    converged : bool
        Every fit (global and profile) reached ``tol``.
    note : str
        Empty, or what went wrong (fits stopped at ``max_iter``, range extended).
    """

    limit: float
    mu_hat: float
    grid: np.ndarray
    q: np.ndarray
    converged: bool
    note: str


def profile_upper_limit(model: StatisticalModel, data, *, nuisances=("norm", "bkg_scale"),
                        cl=0.9, mu_max=50.0, n_grid=49, tol=1e-6, max_iter=500, fixed=None,
                        max_extensions=4) -> UpperLimit:
    """Asymptotic profile-likelihood upper limit on |μ_ν|: q̃(μ_up) = Φ⁻¹(cl)².

    q̃ is the statistic of Cowan et al., EPJC 71 (2011) 1554, eq. (16) (:func:`q_tilde`); the
    one-sided threshold Φ⁻¹(cl)² is ibid. Sec. 3.7. Algorithm: one global fit; q̃ on a grid of
    ``n_grid`` points on [0, ``mu_max``] by vmapped profile fits (one compilation); if q̃ never
    reaches the threshold the range grows ×4 (at most ``max_extensions`` times); then a second
    grid of the same size inside the bracketing cell, and linear interpolation in √q̃ (linear in
    μ asymptotically, ibid. eq. (12)).

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
        Points per grid (the fine grid has as many).
    tol, max_iter : float, int
        L-BFGS tolerance on ‖∇ nll‖ and iteration cap of every fit.
    fixed : dict, optional
        Values of parameters neither tested nor profiled (e.g. ``{"phi_B": 0.4}``).
    max_extensions : int
        How many times the range may grow ×4 before giving up.

    Returns
    -------
    UpperLimit
        A fit stopped at ``max_iter`` does not raise: ``converged`` is False, ``note`` says so
        and a :class:`~nujax.errors.ConvergenceWarning` is issued.

    Raises
    ------
    ValueError
        The limit lies above ``mu_max`` × 4^``max_extensions``, or bad arguments.
    """
    if not 0.0 < cl < 1.0:
        raise ValueError(f"cl must lie in (0, 1), got {cl!r}")
    if not (mu_max > 0 and math.isfinite(mu_max)) or int(n_grid) < 3:
        raise ValueError("mu_max must be finite and > 0 and n_grid >= 3")
    check_data(model, data)
    nuisances = tuple(nuisances)
    n = int(n_grid)
    thr = float(_norm.ppf(cl) ** 2)                             # Cowan et al. Sec. 3.7
    free = ("mu_1e11",) + tuple(x for x in nuisances if x != "mu_1e11")
    with warnings.catch_warnings():     # reported once below, with the profile fits
        warnings.simplefilter("ignore", ConvergenceWarning)
        best = fit_mle(model, data, free=free, fixed=fixed, tol=tol, max_iter=max_iter)
    kw = dict(nuisances=nuisances, fixed=fixed, tol=tol, max_iter=max_iter, best=best)
    mu_hat = float(best.params["mu_1e11"])
    notes, ok = [], bool(best.converged)
    top = float(mu_max)
    for k in range(int(max_extensions) + 1):
        grid = np.linspace(0.0, top, n)
        q, _, ok_g = q_tilde(model, data, grid, **kw)
        q = np.asarray(q)
        above = np.nonzero(q >= thr)[0]
        if above.size:
            break
        if k == int(max_extensions):
            raise ValueError(f"upper limit above mu_max = {top:g} (q̃ = {q[-1]:.3g} < {thr:.3g} "
                             "there); increase mu_max or max_extensions")
        top *= 4.0
    ok = ok and ok_g
    if top > mu_max:
        notes.append(f"range extended to mu_max = {top:g}")
    i = int(above[0])
    fine = np.linspace(grid[max(i - 1, 0)], grid[i], n)
    qf, _, ok_f = q_tilde(model, data, fine, **kw)
    qf = np.asarray(qf)
    ok = ok and ok_f
    j = max(int(np.nonzero(qf >= thr)[0][0]), 1)
    r0, r1 = math.sqrt(qf[j - 1]), math.sqrt(qf[j])
    # √q̃ is linear in μ asymptotically (Wald), Cowan et al. eq. (12)
    lim = fine[j - 1] + (math.sqrt(thr) - r0) * (fine[j] - fine[j - 1]) / (r1 - r0)
    if not ok:
        msg = (f"some likelihood fits stopped at max_iter = {max_iter} with |grad nll| >= "
               f"tol = {tol:g}; the limit may be inaccurate")
        notes.insert(0, msg)
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
    return UpperLimit(float(lim), mu_hat, grid, q, bool(ok), "; ".join(notes))


@functools.partial(jax.jit, static_argnames=("free", "max_iter"))
def _q_batch(model, toys, mu_test, x0, fx, tol, free, max_iter):
    """q̃(μ_test) for a batch of data sets (vmapped global and constrained fits)."""
    def one(d):
        g0 = {**x0, "mu_1e11": jnp.maximum(mu_test, 0.1)}
        g, gval, _, _, gok = lbfgs_minimize(model, d, g0, fx, tol, max_iter=max_iter)
        fxm = {**fx, "mu_1e11": mu_test}
        if len(free):
            _, pval, _, _, pok = lbfgs_minimize(model, d, x0, fxm, tol, max_iter=max_iter)
        else:
            pval, pok = nll(model, fxm, d), True
        q = jnp.maximum(2.0 * (pval - gval), 0.0)                 # Cowan et al. eq. (16)
        return jnp.where(jnp.abs(g["mu_1e11"]) > mu_test, 0.0, q), gok & pok
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
    return _q_batch(model, toys, jnp.asarray(mu_test, dtype=float), x0, fx, tol,
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
