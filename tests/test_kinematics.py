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
