"""Frequentist 90 % CL upper limits on |μ_ν|: asymptotic profile likelihood and toys.

Test statistic q̃_μ for upper limits on a parameter bounded below by 0 (Cowan, Cranmer, Gross,
Vitells, EPJC 71 (2011) 1554, eq. (16)). Asymptotically (Wald), p_μ = 1 − Φ(√q̃_μ) (ibid. Sec. 3.7),
so the 90 % CL upper limit solves q̃(μ_up) = Φ⁻¹(0.90)² = 1.6424 — the one-sided threshold, not the
two-sided 2.706. The asymptotics assume counts linear in the parameter of interest and large
samples; near the boundary μ_ν = 0 with few events they fail and :func:`toy_upper_limit` builds
the q̃ distribution from Poisson toys (Neyman construction with nuisances at their nominal values).
Coverage: the limit covers μ_true exactly when q̃(μ_true) ≤ threshold, so a toy ensemble checks
it with two fits per toy (:func:`coverage_fraction`).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import norm as _norm

from nujax.inference.likelihood import (BinnedModel, Observation, as_data, check_data, nll,
                                        toy_data)
from nujax.inference.optimize import _lbfgs, _split, q_tilde

__all__ = ["Q90_ONE_SIDED", "asymptotic_upper_limit", "profile_upper_limit", "toy_q_tilde",
           "toy_upper_limit", "coverage_fraction"]

#: q̃ threshold of a one-sided 90 % CL upper limit, Φ⁻¹(0.9)² (Cowan et al. 2011, Sec. 3.7).
Q90_ONE_SIDED: float = float(_norm.ppf(0.9) ** 2)


def asymptotic_upper_limit(sigma, mu_hat=0.0, cl=0.9):
    """μ_up = μ̂ + σ Φ⁻¹(cl) (Cowan et al. 2011, Sec. 4.3) for a POI linear in the counts, μ̂ ≥ 0."""
    return jnp.maximum(jnp.asarray(mu_hat), 0.0) + jnp.asarray(sigma) * float(_norm.ppf(cl))


def profile_upper_limit(model: BinnedModel, data, *, nuisances=("norm", "bkg_scale"), cl=0.9,
                        mu_max=50.0, n_grid=64, n_bisect=40, fixed=None):
    """90 % CL (``cl``) upper limit on |μ_ν| from q̃(μ_up) = Φ⁻¹(cl)² (asymptotic formula).

    Grid scan of q̃ on [0, ``mu_max``] then bisection; ``ValueError`` if the limit lies above
    ``mu_max``. Returns (μ_up, μ̂).
    """
    thr = float(_norm.ppf(cl) ** 2)
    grid = jnp.linspace(0.0, mu_max, n_grid)
    q, mu_hat, ok = q_tilde(model, data, grid, nuisances=nuisances, fixed=fixed)
    if not ok:
        raise RuntimeError("profile fits for the upper limit did not converge")
    qn = np.asarray(q)
    above = np.nonzero((qn >= thr) & (np.asarray(grid) >= float(mu_hat)))[0]
    if above.size == 0:
        raise ValueError(f"upper limit above mu_max = {mu_max}; increase mu_max")
    hi = float(grid[above[0]])
    lo = float(grid[above[0] - 1]) if above[0] > 0 else 0.0
    for _ in range(n_bisect):
        mid = 0.5 * (lo + hi)
        qm, _, _ = q_tilde(model, data, jnp.asarray([mid]), nuisances=nuisances, fixed=fixed)
        if float(qm[0]) >= thr:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-9 * max(hi, 1.0):
            break
    return 0.5 * (lo + hi), mu_hat


@functools.partial(jax.jit, static_argnames=("free", "max_iter"))
def _q_batch(model, toys, mu_test, x0, fx, tol, free, max_iter):
    """q̃(μ_test) for a batch of data sets (vmapped global and constrained fits)."""
    def one(d):
        g0 = {**x0, "mu_1e11": jnp.maximum(mu_test, 0.1)}
        g, gval, _, _, gok = _lbfgs(model, d, g0, fx, tol, max_iter=max_iter)
        fxm = {**fx, "mu_1e11": mu_test}
        if len(free):
            _, pval, _, _, pok = _lbfgs(model, d, x0, fxm, tol, max_iter=max_iter)
        else:
            pval, pok = nll(model, fxm, d), True
        q = jnp.maximum(2.0 * (pval - gval), 0.0)                 # Cowan et al. eq. (16)
        return jnp.where(jnp.abs(g["mu_1e11"]) > mu_test, 0.0, q), gok & pok
    return jax.vmap(one)(toys)


def toy_q_tilde(model: BinnedModel, toys, mu_test, *, nuisances=("norm", "bkg_scale"), tol=1e-6,
                max_iter=200):
    """q̃(μ_test) for each data set in ``toys`` (shape (n, *bin_shape)); returns (q̃, converged)."""
    toys = as_data(toys)
    shape = (toys.counts if isinstance(toys, Observation) else toys).shape
    if shape[1:] != tuple(model.bin_shape):
        raise ValueError(f"toys must have shape (n, {model.bin_shape}), got {shape}")
    x0, fx = _split(model, tuple(nuisances), None, None)
    fx.pop("mu_1e11", None)
    return _q_batch(model, toys, jnp.asarray(mu_test, dtype=float), x0, fx, tol,
                    free=tuple(nuisances), max_iter=int(max_iter))


def coverage_fraction(key, model: BinnedModel, truth: dict, n_toys=200, *,
                      nuisances=("norm", "bkg_scale"), cl=0.9, randomize_aux=False):
    """Fraction of toys (drawn at ``truth``) whose asymptotic ``cl`` upper limit covers μ_true.

    With ``randomize_aux`` the auxiliary (constraint) measurements fluctuate from toy to toy as
    well (:func:`~nujax.inference.likelihood.toy_data`). Returns (fraction, binomial standard
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
