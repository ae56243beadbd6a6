"""Maximum-likelihood and profile-likelihood fits with optax (L-BFGS, exact gradients, jitted).

The whole fit — L-BFGS steps (optax.lbfgs with its zoom line search) inside a ``lax.while_loop``
— is one jitted function of (model, data, initial values, fixed values); the parameter names are
static. Gradients are exact (``jax.grad`` through the templates' linear combination). A fit that
stops on the iteration cap with a gradient norm above tolerance is flagged ``converged=False``
and warns with :class:`ConvergenceWarning` (or raises with ``strict=True``): no silent result.
"""

from __future__ import annotations

import functools
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from nujax.errors import ConvergenceWarning
from nujax.inference.model import StatisticalModel, check_data, nll
from nujax.inference.parameters import as_data, merge_params

__all__ = ["ConvergenceWarning", "FitResult", "fit_mle", "profile_nll", "q_tilde",
           "nll_and_grad", "split_free", "lbfgs_minimize", "diagonal_scales"]


class FitResult(NamedTuple):
    """Result of :func:`fit_mle`: best-fit ``params`` (dict, all parameters), ``nll`` at the
    minimum, ``grad_norm`` (‖∇ nll‖ over the free parameters), ``n_iter`` and ``converged``."""

    params: dict
    nll: jax.Array
    grad_norm: jax.Array
    n_iter: jax.Array
    converged: jax.Array


def split_free(model: StatisticalModel, free, init=None, fixed=None):
    """(free starting values, fixed values): the merged parameters split by the names ``free``.

    Raises ``ValueError`` for unknown names or names both free and fixed.
    """
    p = merge_params(model, {**(init or {}), **(fixed or {})})
    known = model.parameter_names()
    bad = [k for k in free if k not in known]
    if bad:
        raise ValueError(f"unknown parameter name(s) {bad}; known: {', '.join(known)}")
    if fixed and set(free) & set(fixed):
        raise ValueError(f"parameters both free and fixed: {sorted(set(free) & set(fixed))}")
    x0 = {k: jnp.asarray(p[k], dtype=float) for k in free}
    fx = {k: jnp.asarray(v, dtype=float) for k, v in p.items() if k not in free}
    return x0, fx


@functools.partial(jax.jit, static_argnames=("max_iter",))
def lbfgs_minimize(model: StatisticalModel, data, x0: dict, fixed: dict, tol, max_iter: int,
                   scale=None):
    """Minimise nll over ``x0``'s parameters with optax L-BFGS in one ``lax.while_loop`` (jitted).

    Stops when ‖∇ nll‖ < ``tol`` or after ``max_iter`` iterations (static). ``scale`` (a pytree
    like ``x0``, positive; default 1) is each parameter's typical size, e.g. its Fisher error
    (:func:`diagonal_scales`): L-BFGS steps in x / scale, so nuisances whose curvatures differ by
    orders of magnitude look alike to it (a diagonal preconditioner, Nocedal & Wright,
    *Numerical Optimization*, 2nd ed., Sec. 7.2); the stopping rule stays on ‖∇ nll‖ in the
    parameters' own units. Returns (best free values, nll, gradient norm, iterations, converged
    flag).
    """
    flat0, unravel = ravel_pytree(x0)
    s = jnp.ones_like(flat0) if scale is None else ravel_pytree(scale)[0].astype(flat0.dtype)

    def f(u):
        return nll(model, {**fixed, **unravel(u * s)}, data)

    opt = optax.lbfgs()
    vg = optax.value_and_grad_from_state(f)

    def body(carry):
        u, state = carry
        value, grad = vg(u, state=state)
        upd, state = opt.update(grad, state, u, value=value, grad=grad, value_fn=f)
        return optax.apply_updates(u, upd), state

    def cond(carry):
        _, state = carry
        k = optax.tree_utils.tree_get(state, "count")
        g = optax.tree_utils.tree_get(state, "grad")
        return (k == 0) | ((k < max_iter) & (jnp.linalg.norm(g / s) >= tol))

    u, state = jax.lax.while_loop(cond, body, (flat0 / s, opt.init(flat0)))
    val, g = jax.value_and_grad(f)(u)
    gn = jnp.linalg.norm(g / s)                  # ∂nll/∂x = (∂nll/∂u) / scale
    return unravel(u * s), val, gn, optax.tree_utils.tree_get(state, "count"), gn < tol


def diagonal_scales(model: StatisticalModel, data, x0: dict, fixed: dict, *, unit=()) -> dict:
    """Typical size of each parameter of ``x0``: 1/√(∂²nll/∂x²) at ``x0`` (its Fisher error at
    an Asimov point, Cowan et al., EPJC 71 (2011) 1554, eq. (18)), for the ``scale`` of
    :func:`lbfgs_minimize`.

    Names in ``unit``, and parameters without positive finite curvature at ``x0`` (an EM entry
    at 0, where the counts are quadratic in it), keep scale 1: such parameters are fitted in
    units where they are O(1) already (10⁻¹¹ μ_B, 10⁻³² cm²).
    """
    flat, unravel = ravel_pytree(x0)

    def f(v):
        return nll(model, {**fixed, **unravel(v)}, data)

    n = flat.size
    # one Hessian-vector product per parameter: the diagonal, never the whole dense Hessian
    h = jax.vmap(lambda e: jnp.vdot(e, jax.jvp(jax.grad(f), (flat,), (e,))[1]))(
        jnp.eye(n, dtype=flat.dtype))
    ok = (h > 0) & jnp.isfinite(h)
    s = unravel(jnp.where(ok, 1.0 / jnp.sqrt(jnp.where(ok, h, 1.0)), 1.0))
    return {k: (jnp.ones_like(v) if k in unit else v) for k, v in s.items()}


def fit_mle(model: StatisticalModel, data, *, free=("mu_1e11",), init=None, fixed=None, tol=1e-6,
            max_iter=500, strict=False) -> FitResult:
    """Maximum-likelihood fit of the ``free`` parameters (others at ``fixed`` or nominal values).

    Parameters
    ----------
    model : StatisticalModel
        Binned, unbinned or quadratic EM model.
    data : array ``model.bin_shape`` or Observation
        Observed (or Asimov) counts, optionally with measured auxiliary values (unbinned: the
        events' azimuths).
    free : tuple of str
        Names to fit (see :data:`~nujax.inference.PARAMETER_NAMES`).
    init, fixed : dict, optional
        Starting values of free parameters; values of fixed ones.
    tol : float
        Convergence criterion on ‖∇ nll‖ (nll is in natural-log units).
    max_iter : int
        L-BFGS iteration cap.
    strict : bool
        Raise ``RuntimeError`` instead of warning when the fit does not converge.

    Notes
    -----
    ``mu_1e11`` is fitted unconstrained; the likelihood is symmetric under μ → −μ (with
    φ_B → φ_B + π), so the reported μ is |μ̂| and φ_B is shifted accordingly, wrapped to (−π, π].
    """
    check_data(model, data)
    free = tuple(free)
    x0, fx = split_free(model, free, init, fixed)
    if "mu_1e11" in x0 and float(np.asarray(x0["mu_1e11"])) == 0.0:
        x0["mu_1e11"] = jnp.asarray(0.1, dtype=float)  # μ = 0 is a stationary point of μ² models
    x, val, gn, it, ok = lbfgs_minimize(model, as_data(data), x0, fx, tol,
                                max_iter=int(max_iter))
    p = {**fx, **x}
    if "mu_1e11" in p:
        neg = p["mu_1e11"] < 0
        p["mu_1e11"] = jnp.abs(p["mu_1e11"])
        phi = p["phi_B"] + jnp.where(neg & model.directional, jnp.pi, 0.0)
        p["phi_B"] = jnp.pi - jnp.mod(jnp.pi - phi, 2 * jnp.pi)
    res = FitResult(p, val, gn, it, ok)
    if not bool(ok):
        msg = (f"MLE fit did not converge: |grad nll| = {float(gn):.3g} ≥ tol {tol:g} after "
               f"{int(it)} L-BFGS iterations (free: {free})")
        if strict:
            raise RuntimeError(msg)
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
    return res


@functools.partial(jax.jit, static_argnames=("free", "max_iter"))
def _profile(model, data, mu_values, x0, fixed, tol, free, max_iter):
    def one(mu):
        fx = {**fixed, "mu_1e11": mu}
        x, val, gn, it, ok = lbfgs_minimize(model, data, x0, fx, tol, max_iter=max_iter)
        return val, ok
    return jax.vmap(one)(mu_values)


def profile_nll(model: StatisticalModel, data, mu_values, *, nuisances=("norm", "bkg_scale"),
                fixed=None, tol=1e-6, max_iter=200):
    """Profile −log L(μ) minimised over ``nuisances`` at each μ in ``mu_values`` (vmapped fits).

    Returns (nll values, converged flags), arrays shaped like ``mu_values``. With an empty
    ``nuisances`` tuple the plain nll is returned.
    """
    check_data(model, data)
    mu = jnp.atleast_1d(jnp.asarray(mu_values, dtype=float))
    data = as_data(data)
    if not nuisances:
        p = merge_params(model, fixed)
        p.pop("mu_1e11", None)
        return jax.vmap(lambda m: nll(model, {**p, "mu_1e11": m}, data))(mu), jnp.ones(mu.shape, bool)
    if "mu_1e11" in nuisances:
        raise ValueError("'mu_1e11' is the parameter of interest, not a nuisance")
    x0, fx = split_free(model, tuple(nuisances), None, fixed)
    fx.pop("mu_1e11", None)
    return _profile(model, data, mu, x0, fx, tol, free=tuple(nuisances), max_iter=int(max_iter))


def q_tilde(model: StatisticalModel, data, mu_values, *, nuisances=("norm", "bkg_scale"),
            fixed=None, tol=1e-6, max_iter=500, best=None):
    """Profile-likelihood-ratio statistic for upper limits, q̃_μ (Cowan et al., EPJC 71 (2011) 1554, eq. (16)).

    q̃_μ = 2[nll(μ, θ̂̂) − nll(μ̂, θ̂)] for μ̂ ≤ μ and 0 for μ̂ > μ, with μ̂ ≥ 0 (|μ_ν| is bounded
    below by 0: the likelihood is even in μ, so the unconstrained fit is the bounded one).

    Parameters
    ----------
    model, data : the statistical model and its data
    mu_values : array
        Tested moments [10⁻¹¹ μ_B].
    nuisances : tuple of str
        Profiled parameters.
    fixed : dict, optional
        Values of the other parameters.
    tol, max_iter : float, int
        L-BFGS tolerance on ‖∇ nll‖ and iteration cap of every fit.
    best : FitResult, optional
        The global fit (μ and ``nuisances`` free) when already done; otherwise :func:`fit_mle`.

    Returns
    -------
    (q̃ array, μ̂, all-fits-converged flag)
    """
    if best is None:
        free = ("mu_1e11",) + tuple(x for x in nuisances if x != "mu_1e11")
        best = fit_mle(model, data, free=free, fixed=fixed, tol=tol, max_iter=max_iter)
    prof, ok = profile_nll(model, data, mu_values, nuisances=nuisances, fixed=fixed, tol=tol,
                           max_iter=max_iter)
    mu = jnp.atleast_1d(jnp.asarray(mu_values, dtype=float))
    q = jnp.maximum(2.0 * (prof - best.nll), 0.0)                 # Cowan et al. eq. (16)
    q = jnp.where(best.params["mu_1e11"] > mu, 0.0, q)
    return q, best.params["mu_1e11"], bool(jnp.all(ok)) and bool(best.converged)


def nll_and_grad(model: StatisticalModel, data, params: dict):
    """(−log L, ∂(−log L)/∂params) — the exact gradients the optimisers and NUTS use."""
    check_data(model, data)
    merge_params(model, params)
    data = as_data(data)
    return jax.value_and_grad(lambda p: nll(model, p, data))(
        {k: jnp.asarray(v, dtype=float) for k, v in params.items()})
