"""Two-body kinematics: inverses, limits and Jacobians (seed 001 eqs. (4)–(7), seed 002 eqs. (10), (12))."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nujax import kinematics as kin
from nujax.constants import M_E, M_P

MASSES = [M_E, M_P, 37_000.0]  # electron, proton, an Ar-like nucleus [MeV]


@pytest.mark.parametrize("m", MASSES)
def test_tmax_and_enu_min_are_inverse(m):
    enu = np.geomspace(0.01, 100.0, 50)
    tm = kin.t_max(enu, m)
    np.testing.assert_allclose(kin.enu_min(tm, m), enu, rtol=1e-12)


@given(st.floats(0.05, 50.0), st.floats(0.01, 0.999), st.sampled_from(MASSES))
@settings(max_examples=40, deadline=None)
def test_cos_theta_inverse_and_range(enu, frac, m):
    T = frac * float(kin.t_max(enu, m))
    c = float(kin.cos_theta(T, enu, m))
    assert 0.0 < c <= 1.0 + 1e-12
    assert float(kin.enu_from_T_costheta(T, c, m)) == pytest.approx(enu, rel=1e-9)
    assert float(kin.T_from_costheta(c, enu, m)) == pytest.approx(T, rel=1e-9)
    # seed 000 eq. (6): |p| sinθ from the angle agrees with √(2mT(1 − T/Tmax))
    p = float(kin.p_recoil(T, m))
    assert float(kin.p_sin_theta(T, enu, m)) == pytest.approx(p * np.sqrt(max(0.0, 1 - c * c)), rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("m", MASSES)
def test_forward_recoil_at_tmax(m):
    enu = 3.0
    assert float(kin.cos_theta(kin.t_max(enu, m), enu, m)) == pytest.approx(1.0, abs=1e-12)
    assert float(kin.p_sin_theta(kin.t_max(enu, m), enu, m)) == 0.0


@pytest.mark.parametrize("m", MASSES)
def test_dT_dcostheta_is_the_derivative(m):
    enu = 2.0
    T = 0.37 * float(kin.t_max(enu, m))
    c = float(kin.cos_theta(T, enu, m))
    # seed 002 eq. (12) vs autodiff of T(cosθ) at fixed Eν
    dTdc = jax.grad(lambda cc: kin.T_from_costheta(cc, enu, m))(c)
    assert float(kin.dT_dcostheta(T, enu, m)) == pytest.approx(float(dTdc), rel=1e-10)


@pytest.mark.parametrize("m", MASSES)
def test_dEnu_dcostheta_is_the_derivative(m):
    enu = 2.0
    T = 0.3 * float(kin.t_max(enu, m))
    c = float(kin.cos_theta(T, enu, m))
    # seed 001 eqs. (6)–(7): |dEν/dcosθ| at fixed T
    d = jax.grad(lambda cc: kin.enu_from_T_costheta(T, cc, m))(c)
    assert float(kin.dEnu_dcostheta(T, c, m)) == pytest.approx(abs(float(d)), rel=1e-10)


def test_unphysical_is_zero_with_finite_gradients():
    m = M_E
    f = lambda T: kin.p_sin_theta(T, 1.0, m) + kin.cos_theta(T, 1.0, m) + kin.dT_dcostheta(T, 1.0, m)
    for T in (0.0, float(kin.t_max(1.0, m)), 5.0):
        g = jax.grad(f)(T)
        assert np.isfinite(float(g))
    assert float(kin.enu_from_T_costheta(0.1, 0.0, m)) == 0.0
    assert float(kin.T_from_costheta(-0.5, 1.0, m)) == 0.0
    assert float(kin.T_from_costheta(1.5, 1.0, m)) == 0.0


def test_numpy_namespace_matches_jax():
    T = np.linspace(0.01, 0.5, 7)
    for fn in (kin.cos_theta, kin.p_sin_theta, kin.dT_dcostheta):
        np.testing.assert_allclose(fn(T, 1.0, M_E, xp=np), np.asarray(fn(jnp.asarray(T), 1.0, M_E)), rtol=1e-13)


# ---- the forward edge cosθ = 1 (inverse kinematics at fixed T) -------------------------------

@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("m", MASSES)
def test_forward_edge_enu_is_physical(dt, m):
    """At cosθ = 1 Eν(T, θ) is Eν_min(T) = (p + T)/2 and every point is inside the physical region.

    Before the cancellation-free form and the ulp correction, a third of these points (float32 and
    float64 alike) came out with t_max(Eν) < T and were judged unphysical. Tolerance: the
    correction moves Eν by at most 63 ulp (kinematics.enu_from_T_costheta), so Eν agrees with
    Eν_min to 64 ulp; |dEν/dcosθ| at cosθ = 1 is (p + T)(p + T + 2m)/(4m) (seed 001 eq. (7) with
    p² − T² = 2mT) to 16 ulp.
    """
    rng = np.random.default_rng(1)
    T = np.concatenate([rng.uniform(1e-3, 2.0, 2000), np.geomspace(1e-12, 10.0, 500)]).astype(dt)
    one, mm = dt(1.0), dt(m)
    c_in = np.nextafter(one, dt(0))                                  # just inside the edge

    @jax.jit
    def edge(t):
        e, e_in = kin.enu_from_T_costheta(t, one, mm), kin.enu_from_T_costheta(t, c_in, mm)
        g = jax.vmap(jax.grad(lambda tt, c: kin.enu_from_T_costheta(tt, c, mm), argnums=1),
                     (0, None))(t, one)
        return (e, kin.is_physical(e, t, mm), kin.dEnu_dcostheta(t, one, mm),
                kin.is_physical(e_in, t, mm), g)

    e, phys, jac, phys_in, g = (np.asarray(x) for x in edge(jnp.asarray(T)))
    assert e.dtype == dt
    assert np.all(phys) and np.all(phys_in)
    T64 = T.astype(np.float64)
    p = np.sqrt(T64 * (T64 + 2 * m))
    eps = np.finfo(dt).eps
    np.testing.assert_allclose(e, 0.5 * (p + T64), rtol=64 * eps)
    np.testing.assert_allclose(jac, (p + T64) * (p + T64 + 2 * m) / (4 * m), rtol=16 * eps)
    np.testing.assert_allclose(np.abs(g), jac, rtol=16 * eps)      # the Jacobian is the derivative


@pytest.mark.parametrize("m", MASSES)
def test_forward_edge_float32_matches_float64(m):
    """Eν(T, θ) and |dEν/dcosθ| at cosθ ∈ {1, 1 − 1e-7, 0.9}: float32 within 1e-5 relative of
    float64 at every point, and the same points reachable. Budget: the ulp correction that keeps
    Eν inside the region (≤ 63 float32 ulp = 7.5e-6) plus a few ulp of rounding; nothing cancels."""
    T = np.geomspace(1e-6, 5.0, 40).astype(np.float32).astype(float)  # float32-representable
    c = np.array([1.0, float(np.float32(1 - 1e-7)), 0.9])

    def run(dt):
        t, cc = jnp.asarray(T, dt)[:, None], jnp.asarray(c, dt)[None, :]
        return np.stack([np.asarray(kin.enu_from_T_costheta(t, cc, dt(m))),
                         np.asarray(kin.dEnu_dcostheta(t, cc, dt(m)))])

    got, ref = run(np.float32), run(np.float64)
    assert got.dtype == np.float32 and np.all(ref[:, :, :2] > 0)   # forward: all reachable
    np.testing.assert_array_equal(got > 0, ref > 0)                  # same region at cosθ = 0.9
    np.testing.assert_allclose(got, ref, rtol=1e-5)


def _angular_cases():
    """(name, dσ/dcosθ-like function of (Eν, cosθ) → array, mass, Eν, dσ/dT at (Eν, T) → array)."""
    from nujax.constants import M_P
    from nujax.em import EMProperties
    from nujax.nuclei import get_nucleus
    from nujax.state import SpinFlavorState
    from nujax.xsec import electron as ex
    from nujax.xsec.nucleon import nucleon_dsigma_domega, nucleon_parts
    from nujax.xsec.nucleus import nucleus_dsigma_domega, nucleus_parts

    def em():
        return EMProperties.create(mu=3.0 * jnp.eye(3), n=3)

    st = lambda: SpinFlavorState.unpolarized(3)
    return [
        ("electron", lambda e, c: jnp.stack(ex.dsigma_dcostheta(e, c, 3.0)[:2]), M_E, 0.862,
         lambda e, T: jnp.stack(ex.dsigma_dT(e, T, 3.0)[:2])),
        ("nucleon", lambda e, c: nucleon_dsigma_domega(em(), st(), e, c).A, M_P, 30.0,
         lambda e, T: nucleon_parts(em(), st(), e, T).A),
        ("nucleus", lambda e, c: nucleus_dsigma_domega(em(), st(), e, c, nucleus="Ar40").A,
         get_nucleus("Ar40").mass, 30.0, lambda e, T: nucleus_parts(em(), st(), e, T, nucleus="Ar40").A),
    ]


@pytest.mark.parametrize("case", range(3), ids=["electron", "nucleon", "nucleus"])
def test_angular_spectra_at_the_forward_edge(case, float32_matches):
    """dσ/dcosθ (electron, seed 001 eq. (5)) and dσ/dΩ (nucleon, nucleus, seed 002 eq. (12)) at
    cosθ = 1 equal dσ/dT(Eν, T_max) |dT/dcosθ|(T_max) with the Jacobian written out (seed 002
    eq. (12)), to 1e-12; they are continuous there (the linear extrapolation from cosθ = 1 − 1e-6
    and 1 − 2e-6 meets the value at 1 within 1e-6 of the neighbours: the second-order term is
    ~1e-12; the nuclear weak term vanishes linearly at T_max, so the curve is steep), and float32 agrees with float64 at cosθ ∈ {1, 1 − 1e-7, 0.9} within 1e-4 (the
    documented float32 budget of the cross sections)."""
    name, f, m, enu, dT = _angular_cases()[case]
    tm = 2 * enu**2 / (m + 2 * enu)                                   # seed 000 below eq. (6)
    jac = enu * np.sqrt(tm * (tm + 2 * m) ** 3) / (m * (enu + m))     # seed 002 eq. (12)
    fwd = np.asarray(f(enu, 1.0))
    assert np.all(fwd != 0)
    np.testing.assert_allclose(fwd, np.asarray(dT(enu, tm)) * jac, rtol=1e-12)
    f1, f2 = np.asarray(f(enu, 1 - 1e-6)), np.asarray(f(enu, 1 - 2e-6))
    np.testing.assert_allclose(2 * f1 - f2, fwd, rtol=0, atol=1e-6 * np.abs(f1).max())
    c = jnp.asarray([1.0, float(np.float32(1 - 1e-7)), 0.9])
    float32_matches(lambda: f(jnp.asarray(enu, c.dtype if jax.config.jax_enable_x64 else jnp.float32),
                              c.astype(jnp.float64 if jax.config.jax_enable_x64 else jnp.float32)),
                    rtol=1e-4)
