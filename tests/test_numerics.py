"""Shared numerics: the vectorised float64 sine/cosine pair and the interval search of the grid
interpolation (both speed-ups must leave the numbers unchanged)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax._numerics import interp_on_grid, sincos


@pytest.mark.parametrize("lim", [1.0, 30.0, 1e5])
def test_sincos_within_two_ulp_of_numpy(lim):
    x = np.random.default_rng(0).uniform(-lim, lim, 20_000)
    s, c = jax.jit(sincos)(jnp.asarray(x))
    for got, ref in ((s, np.sin(x)), (c, np.cos(x))):
        ulp = np.abs(np.asarray(got) - ref) / np.spacing(np.maximum(np.abs(ref), 1e-300))
        assert np.max(ulp) <= 2.0


def test_sincos_exact_points_derivatives_and_other_dtypes():
    s, c = sincos(jnp.asarray([0.0, 1e-300, -np.pi]))
    assert float(s[0]) == 0.0 and float(s[1]) == 1e-300 and float(c[0]) == 1.0
    assert float(c[2]) == -1.0 and abs(float(s[2])) < 1e-15
    x = jnp.asarray([0.3, 2.0, 100.0, -7.5])
    g = jax.grad(lambda x: jnp.sum(2.0 * sincos(x)[0] + sincos(x)[1]))(x)
    np.testing.assert_allclose(g, 2 * np.cos(x) - np.sin(x), rtol=1e-15, atol=1e-15)
    s32, c32 = sincos(jnp.asarray([0.5, 3.0], jnp.float32))             # float32: jnp.sin/cos
    assert s32.dtype == jnp.float32 and float(c32[1]) == pytest.approx(np.cos(3.0), rel=1e-6)
    s_np, _ = sincos(np.array([0.5]), xp=np)
    assert isinstance(s_np, np.ndarray) and s_np[0] == np.sin(0.5)


@pytest.mark.parametrize("kind", ["near-uniform", "log", "large"])
def test_interp_on_grid_equals_jnp_interp(kind):
    """Every interval search (O(1) on nearly uniform grids, two-level, ``jnp.interp`` above 1025
    points) gives the same numbers at the grid points, between them and outside, also under
    grad/vmap; ``jnp.interp`` agrees to rounding (its formula rounds differently)."""
    rng = np.random.default_rng(1)
    if kind == "near-uniform":                      # spacings within ±3 % (like the ⁸B grid)
        g = np.cumsum(0.016 * (1.0 + 0.03 * rng.uniform(-1, 1, 999))) + 0.1
    elif kind == "log":
        g = np.geomspace(1e-3, 0.42, 401)                # the pp-like grid: two-level
    else:
        g = np.linspace(0.0, 20.0, 2001) + 1e-4 * rng.uniform(size=2001)
        g.sort()
    g = np.concatenate([[g[0] - 1e-3], g])
    d = rng.uniform(0.0, 2.0, g.size)
    x = np.concatenate([rng.uniform(g[0] - 1.0, g[-1] + 1.0, 5000), g, np.nextafter(g, 0.0),
                        np.nextafter(g, np.inf)])
    gj, dj, xj = jnp.asarray(g), jnp.asarray(d), jnp.asarray(x)

    def run(interp):                  # values, values under vmap, gradient in the grid values
        return (interp(xj, gj, dj), jax.vmap(lambda v: interp(v, gj, dj))(xj[:500]),
                jax.grad(lambda dd: jnp.sum(interp(xj[:500], gj, dd)))(dj))

    got = jax.jit(lambda: run(interp_on_grid))()
    two_level = jax.jit(lambda: run(lambda v, a, b: interp_on_grid(v, a, b, chunk=32)))()
    ref = jax.jit(lambda: run(lambda v, a, b: jnp.interp(v, a, b, left=0.0, right=0.0)))()
    for a, b, r in zip(got, two_level, ref):
        np.testing.assert_array_equal(a, b)                  # the same interval, the same numbers
        np.testing.assert_allclose(a, r, rtol=1e-15, atol=1e-15)     # jnp.interp rounds otherwise
    x32, g32, d32 = (jnp.asarray(v, jnp.float32) for v in (x[:3000], g, d))
    np.testing.assert_array_equal(jax.jit(interp_on_grid)(x32, g32, d32),
                                  jnp.interp(x32, g32, d32, left=0.0, right=0.0))
