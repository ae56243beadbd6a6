"""Benchmark cases: 3-flavor density-matrix ν e cross section (seed 002 eqs. (25)–(26)).

Collected by ``bench_xsec.py`` (``cases() -> list[dict]``). Two cases:

* fixed state and EM matrices, n points (Eν, T): the flavor traces are computed once per call,
  the per-point work is the T-dependent closed form;
* one 6×6 density matrix per point (a beam whose spin-flavor state varies point by point, e.g.
  after propagation): the traces are batched over points (numpy: the same batched matmuls).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax.constants import M_E, SIN2_THETA_W
from nujax.em import EMProperties
from nujax.state import SpinFlavorState
from nujax.xsec import electron_density_matrix as eg


def _props():
    p = EMProperties.sm_charge_radii(mu=np.array([[1.5, 0.3 - 0.2j, 0.0], [0.3 + 0.2j, 2.3, 0.1],
                                                   [0.0, 0.1, 2.1]]))
    return p


def _inputs(n: int, dtype, seed: int = 1):
    rng = np.random.default_rng(seed)
    enu = rng.uniform(0.1, 15.0, n)
    T = rng.uniform(1e-3, 1.0, n) * kin.t_max(enu, M_E, xp=np)
    return tuple(a.astype(dtype) for a in (enu, T))


def _random_states(n: int, dtype, seed: int = 2):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(n, 6, 6)) + 1j * rng.normal(size=(n, 6, 6))
    rho = g @ np.swapaxes(g.conj(), -1, -2)
    rho /= np.trace(rho, axis1=-2, axis2=-1)[:, None, None]
    cdt = np.complex64 if np.dtype(dtype) == np.float32 else np.complex128
    return rho.astype(cdt)


def _state_inputs(n: int, dtype):
    return _inputs(n, dtype) + (_random_states(n, dtype),)


def _cast(tree, dtype):
    cdt = jnp.complex64 if jnp.dtype(dtype) == jnp.float32 else jnp.complex128
    return jax.tree_util.tree_map(
        lambda x: jnp.asarray(x, cdt if jnp.iscomplexobj(x) else dtype), tree)


def _mats(props, sin2w):
    return eg.electron_coupling_matrices(props.mu, props.r2, props.anapole, majorana=props.majorana,
                                         basis=props.basis, sin2w=sin2w, n=3)


def cases() -> list[dict]:
    props = _props()
    state = SpinFlavorState.transverse(None, n=3, phi_B=0.3)

    @jax.jit
    def fixed(enu, T):
        p, s = _cast((props, state), enu.dtype)
        mats = _mats(p, SIN2_THETA_W)
        r = s.rho
        co = eg.electron_trace_coefficients(*mats, r[3:, 3:], r[:3, :3], r[3:, :3])
        return eg.electron_density_matrix_terms(co, enu, T)

    def fixed_np(enu, T):
        mats = eg.electron_coupling_matrices(np.asarray(props.mu), np.asarray(props.r2),
                                             np.asarray(props.anapole), majorana=False,
                                             basis="flavor", sin2w=SIN2_THETA_W, n=3, xp=np)
        r = np.asarray(state.rho)
        co = eg.electron_trace_coefficients(*mats, r[3:, 3:], r[:3, :3], r[3:, :3], xp=np)
        return eg.electron_density_matrix_terms(co, enu, T, xp=np)

    @jax.jit
    def per_point(enu, T, rho):
        p = _cast(props, enu.dtype)
        mats = _mats(p, SIN2_THETA_W)
        co = eg.electron_trace_coefficients(*mats, rho[:, 3:, 3:], rho[:, :3, :3], rho[:, 3:, :3])
        return eg.electron_density_matrix_terms(co, enu, T)

    def per_point_np(enu, T, rho):
        mats = eg.electron_coupling_matrices(np.asarray(props.mu), np.asarray(props.r2),
                                             np.asarray(props.anapole), majorana=False,
                                             basis="flavor", sin2w=SIN2_THETA_W, n=3, xp=np)
        co = eg.electron_trace_coefficients(*mats, rho[:, 3:, 3:], rho[:, :3, :3], rho[:, 3:, :3],
                                            xp=np)
        return eg.electron_density_matrix_terms(co, enu, T, xp=np)

    def grad_fixed(enu, T):
        def total(p):
            mats = _mats(p, SIN2_THETA_W)
            r = state.rho.astype(p.mu.dtype)
            co = eg.electron_trace_coefficients(*mats, r[3:, 3:], r[:3, :3], r[3:, :3])
            A, Bs, Bc = eg.electron_density_matrix_terms(co, enu, T)
            return jnp.sum(A + Bs + Bc) * 1e20
        return jax.grad(total)(_cast(props, enu.dtype))

    return [
        dict(name="3-flavor ν e density matrix, fixed state (A, Bs, Bc)", jax_fn=fixed,
             numpy_fn=fixed_np, make_inputs=_inputs, grad_fn=jax.jit(grad_fixed)),
        dict(name="3-flavor ν e density matrix, one 6×6 ρ per point", jax_fn=per_point,
             numpy_fn=per_point_np, make_inputs=_state_inputs, n=100_000),
    ]
