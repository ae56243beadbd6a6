"""Benchmark cases: 3-flavor density-matrix CEνNS (⁴⁰Ar, spin-0, seed 002 eqs. (15)–(16)) and ν p.

Collected by ``bench_xsec.py`` (``cases() -> list[dict]``). Fixed EM matrices and state; n points
(Eν, T); the flavor traces are computed once per call, the per-point work is the Helm form factors
and the closed form. numpy runs the same kernels with ``xp=numpy``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax.constants import M_P, SIN2_THETA_W
from nujax.em import EMProperties, anapole_natural, mu_bohr, r2_natural
from nujax.nuclei import get_nucleus
from nujax.state import SpinFlavorState
from nujax.xsec import form_factors as ff
from nujax.xsec.nucleon import flavor_traces, nucleon_terms
from nujax.xsec.nucleus import nucleus_form_factors, nucleus_terms

AR = get_nucleus("Ar40")


def _props():
    return EMProperties.sm_charge_radii(mu=np.array([[1.5, 0.3 - 0.2j, 0.0], [0.3 + 0.2j, 2.3, 0.1],
                                                   [0.0, 0.1, 2.1]]))


def _inputs_for(m):
    def make_inputs(n: int, dtype, seed: int = 1):
        rng = np.random.default_rng(seed)
        enu = rng.uniform(1.0, 50.0, n)
        T = rng.uniform(1e-3, 1.0, n) * kin.t_max(enu, m, xp=np)
        return tuple(a.astype(dtype) for a in (enu, T))
    return make_inputs


def _cast(tree, dtype):
    cdt = jnp.complex64 if jnp.dtype(dtype) == jnp.float32 else jnp.complex128
    return jax.tree_util.tree_map(lambda x: jnp.asarray(x, cdt if jnp.iscomplexobj(x) else dtype), tree)


def cases() -> list[dict]:
    props = _props()
    state = SpinFlavorState.transverse(None, n=3, phi_B=0.3)
    mats = (mu_bohr(props), r2_natural(props), anapole_natural(props), state.rho)
    mats_np = tuple(np.asarray(x) for x in mats)

    @jax.jit
    def nucleus(enu, T):
        tr = flavor_traces(*_cast(mats, enu.dtype))
        FQ, F1 = nucleus_form_factors(AR, T, sin2w=SIN2_THETA_W)
        return nucleus_terms(enu, T, AR.mass, FQ, F1, tr, majorana=False)

    def nucleus_np(enu, T):
        tr = flavor_traces(*mats_np, xp=np)
        FQ, F1 = nucleus_form_factors(AR, T, sin2w=SIN2_THETA_W, xp=np)
        return nucleus_terms(enu, T, AR.mass, FQ, F1, tr, majorana=False, xp=np)

    @jax.jit
    def proton(enu, T):
        tr = flavor_traces(*_cast(mats, enu.dtype))
        f = ff.nucleon_form_factors(2.0 * M_P * T, "p", sin2w=SIN2_THETA_W)
        return nucleon_terms(enu, T, M_P, f, tr, majorana=False)

    def proton_np(enu, T):
        tr = flavor_traces(*mats_np, xp=np)
        f = ff.nucleon_form_factors(2.0 * M_P * T, "p", sin2w=SIN2_THETA_W, xp=np)
        return nucleon_terms(enu, T, M_P, f, tr, majorana=False, xp=np)

    return [
        dict(name="3-flavor CEvNS 40Ar density matrix (A, Bs, Bc)", jax_fn=nucleus, numpy_fn=nucleus_np,
             make_inputs=_inputs_for(AR.mass)),
        dict(name="3-flavor nu p density matrix (A, Bs, Bc)", jax_fn=proton, numpy_fn=proton_np,
             make_inputs=_inputs_for(M_P)),
    ]
