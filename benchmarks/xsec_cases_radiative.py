"""Benchmark cases for ν e → ν e γ (seed 004), collected by bench_xsec.py.

``cases()``: the triple-differential kernel d³σ/dx dy dω (JAX jitted vs the same formula through
numpy). ``integrated_cases()``: time per integrated σ_M, σ_W of the seed-004 headline region.
"""

from __future__ import annotations

import functools

import jax
import numpy as np

from nujax.constants import SIN2_THETA_W_SEED
from nujax.xsec.radiative import omega_limits, radiative_couplings, radiative_terms, y_max
from nujax.xsec.radiative_integrals import sigma_region

ENU = 1.0
GV, GA = (float(g) for g in radiative_couplings("nuebar", SIN2_THETA_W_SEED))


def _inputs(n, dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.01, 0.99, n)
    y = rng.uniform(0.01, 0.99, n) * y_max(x, ENU, xp=np)
    wm, wp = omega_limits(x, y, ENU, xp=np)
    w = wm + rng.uniform(0.01, 0.99, n) * (wp - wm)
    return tuple(a.astype(dtype) for a in (x, y, w))


@jax.jit
def _jax_fn(x, y, w):
    r = radiative_terms(x, y, w, ENU, GV, GA, 1e-10)
    return r.weak + r.magnetic


def _numpy_fn(x, y, w):
    r = radiative_terms(x, y, w, ENU, GV, GA, 1e-10, xp=np)
    return r.weak + r.magnetic


def cases() -> list[dict]:
    return [dict(name="radiative_d3sigma_dxdydw", jax_fn=_jax_fn, numpy_fn=_numpy_fn, make_inputs=_inputs)]


def integrated_cases() -> list[dict]:
    """Headline σ_M, σ_W (x < 0.5, ν < 0.5 MeV, Eν = 1 MeV, 32 × 32 × 48 nodes); no numpy twin."""
    fn = functools.partial(sigma_region, 1.0, 10.0, x_range=(0.0, 0.5), nu_range=(0.0, 0.5),
                           flavor="nuebar", sin2w=SIN2_THETA_W_SEED)
    return [dict(name="radiative_sigma_headline", fn=fn, evaluations=32 * 32 * 48)]
