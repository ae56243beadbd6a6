"""Density-matrix ν e cross section (seed 002 eqs. (20)–(21), (25)–(26)) against seed 000 and spinors."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spinor_reference as sr
from nujax import kinematics as kin
from nujax.constants import ALPHA, G_F, HBARC2_MEV2_CM2, M_E
from nujax.em import EMProperties
from nujax.state import SpinFlavorState
from nujax.xsec import electron as ex
from nujax.xsec import electron_density_matrix as eg

S2 = 0.23
ENU = 0.8
T = np.array([0.02, 0.1, 0.3, float(kin.t_max(ENU, M_E, xp=np))])


def _raw(props, state, enu, T, sin2w=S2, flavor="nue"):
    """Unvalidated jitted call (for finite differences off the symmetric manifold)."""
    return eg._parts_jit(props, state, enu, T, sin2w, None, flavor=flavor, domega=False)


# --- reduction to seed 000 -------------------------------------------------------------------
@pytest.mark.parametrize("flavor", ["nue", "numu"])
def test_dirac_reduction_to_seed000(flavor):
    mu, pe, phb = 3.0, 0.3, 0.7
    p = EMProperties.from_effective(mu, flavor, n=1)
    s = SpinFlavorState.from_pe_dirac(pe, phb, flavor=flavor, n=1)
    new = eg.electron_density_matrix_parts(p, s, ENU, T, sin2w=S2, flavor=flavor)
    old = ex.d2sigma_dT_dphi_amplitudes(ENU, T, mu, pe, flavor=flavor, sin2w=S2)
    # Ã = weak (seed 000 eq. (2), weight Pe) + magnetic (eq. (3)): no factor between the papers
    np.testing.assert_allclose(new.A, old.weak + old.em, rtol=1e-12)
    # interference: B = seed 000 eq. (4) exactly, in nujax's sign convention (+cos(φ − φ_B) for a
    # positive Dirac μ; seed 000 prints −, seed 002 and the spinor calculation give +)
    for phi in (0.0, 1.1, 2.9):
        np.testing.assert_allclose(new.at(phi) - new.A, old.interference * np.cos(phi - phb),
                                   rtol=1e-11, atol=1e-40)
    assert float(new.Bc[-1]) == 0.0 and float(new.Bs[-1]) == 0.0      # |p| sinθ = 0 at T_max


def test_sign_decided_by_spinor_calculation():
    """Explicit spinors (tests/xsec/spinor_reference.py; ξ⊥ = rest-frame spin, μ > 0 along the spin)
    give seed 002's sign, +|B| cos(φ − φ_B) for ν_e and a positive Dirac μ."""
    mu, pe, phb = 3.0, 0.3, 0.7
    parts = eg.electron_density_matrix_parts(EMProperties.from_effective(mu, n=1),
                                 SpinFlavorState.from_pe_dirac(pe, phb, n=1), ENU, T[:3], sin2w=S2)
    gL, gR = sr.chiral_couplings("nue", S2)
    rho = sr.density_matrix(sr.polarization(pe, phb, active_left=True))
    for phi in (0.0, 1.0, 2.5):
        w, e, i = sr.d2sigma_parts(ENU, T[:3], phi, mu * 1e-11, rho, species="nu", gL=gL, gR=gR)
        np.testing.assert_allclose(parts.at(phi), w + e + i, rtol=1e-10)


@pytest.mark.parametrize("dipole, mu_b", [("magnetic", 3e-11), ("electric", 3e-11j)])
def test_helicity_block_structure_vs_spinors(dipole, mu_b):
    """Both helicity blocks with independent vector/axial couplings (the Majorana field
    N = ν_eL + (ν_μL)^c of the spinor reference) — checks the R-block rule of the module docstring."""
    gL, gR, gLp, gRp = 0.73, 0.23, -0.21, 0.4
    pe, phb = 0.3, 0.7
    k = np.sqrt(pe * (1 - pe)) * np.exp(1j * phb)

    def m(x):
        return np.array([[x]], complex)

    co = eg.electron_trace_coefficients(m(gL + gR), m(gL - gR), m(gLp + gRp), m(gRp - gLp), m(mu_b),
                                        m(pe), m(1 - pe), m(k), xp=np)
    A, Bs, Bc = eg.electron_density_matrix_terms(co, ENU, T[:3], xp=np)
    rho = sr.density_matrix(sr.polarization(pe, phb, active_left=True))
    for phi in (0.0, 1.0, 2.5):
        w, e, i = sr.d2sigma_parts(ENU, T[:3], phi, 3e-11, rho, species="majorana", gL=gL, gR=gR,
                                   gLp=gLp, gRp=gRp, dipole=dipole)
        np.testing.assert_allclose(A, w + e, rtol=1e-10)
        np.testing.assert_allclose(Bs * np.sin(phi) + Bc * np.cos(phi), i, rtol=1e-9, atol=1e-40)


def test_majorana_reduction_to_seed000_eqs7_10():
    mu, pe, phb = 2.0, 0.4, 0.5
    p = EMProperties.majorana_transition(mu)                            # μ_eμ = −μ_μe = iμ
    s = SpinFlavorState.from_pe_majorana(pe, phb)                       # ν_eL → ν̄_μR
    new = eg.electron_density_matrix_parts(p, s, ENU, T, sin2w=S2)
    old = ex.d2sigma_dT_dphi_amplitudes(ENU, T, mu, pe, kind="majorana", sin2w=S2)
    np.testing.assert_allclose(new.A, old.weak + old.em, rtol=1e-12)    # eq. (7) + magnetic
    np.testing.assert_allclose(np.hypot(new.Bs, new.Bc), np.abs(old.interference), rtol=1e-11)
    # the imaginary (CP-conserving) μ_eμ turns the asymmetry axis by 90°: maximum at φ_B − π/2
    np.testing.assert_allclose(new.at(phb - np.pi / 2) - new.A, np.abs(old.interference), rtol=1e-11)


# --- limits ----------------------------------------------------------------------------------
def _random_dirac(rng, scale=3.0):
    h = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    r = rng.normal(size=(3, 3))
    a = rng.normal(size=(3, 3))
    return EMProperties.create(mu=scale * (h + h.conj().T), r2=20 * (r + r.T), anapole=20 * (a + a.T))


def test_no_transverse_polarization_no_azimuth():
    p = _random_dirac(np.random.default_rng(3))
    for s in (SpinFlavorState.left_handed("nue"), SpinFlavorState.unpolarized(3),
              SpinFlavorState.right_handed("numubar")):
        parts = eg.electron_density_matrix_parts(p, s, ENU, T)
        assert float(jnp.max(jnp.abs(parts.Bs))) == 0.0 and float(jnp.max(jnp.abs(parts.Bc))) == 0.0


def test_zero_moment_no_azimuth():
    p = EMProperties.sm_charge_radii()
    parts = eg.electron_density_matrix_parts(p, SpinFlavorState.transverse(None, n=3, phi_B=0.3), ENU, T)
    assert float(jnp.max(jnp.abs(parts.Bs))) == 0.0 and float(jnp.max(jnp.abs(parts.Bc))) == 0.0


def test_charge_radius_only_shifts_gV():
    """Q^L adds to g_V (seed 002 eqs. (14), (21)): equal to sin²θ_W → sin²θ_W + Q^L/2."""
    r2 = -4.0                                                           # 10⁻³² cm², a = 0
    qL = 2 * math.sqrt(2) * math.pi * ALPHA / G_F * (r2 * 1e-32 / HBARC2_MEV2_CM2) / 6
    s = SpinFlavorState.left_handed("numu", n=1)
    with_r = eg.electron_density_matrix_parts(EMProperties.create(r2=[[r2]], n=1), s, ENU, T, sin2w=S2, flavor="numu")
    shifted = eg.electron_density_matrix_parts(EMProperties.zero(n=1), s, ENU, T, sin2w=S2 + qL / 2, flavor="numu")
    np.testing.assert_allclose(with_r.A, shifted.A, rtol=1e-12)
    # transverse beam with diagonal μ, ⟨r²⟩: the charge radius drops out of B (seed 002 eq. (25))
    st_ = SpinFlavorState.transverse(None, n=3, phi_B=0.2)
    base = EMProperties.create(mu=np.diag([1.0, 2.0, 3.0]))
    a = eg.electron_density_matrix_parts(base, st_, ENU, T)
    b = eg.electron_density_matrix_parts(EMProperties.create(mu=np.diag([1.0, 2.0, 3.0]), r2=np.diag([5.0, -3.0, 1.0])),
                             st_, ENU, T)
    np.testing.assert_allclose(b.Bc, a.Bc, rtol=1e-12)
    np.testing.assert_allclose(b.Bs, a.Bs, rtol=1e-12, atol=1e-40)


def test_leading_terms_eq20():
    """T → 0: √(m_eT) B̃c → (G_Fα/π)(Re K_Z g_V + Re K_W) − 4√2α² Re K_a (seed 002 eq. (20))."""
    p = EMProperties.create(mu=np.diag([2.0, 1.0, 1.5]), anapole=np.diag([30.0, 10.0, 5.0]))
    s = SpinFlavorState.transverse(None, n=3, phi_B=0.4)
    t = 1e-7
    parts = eg.electron_density_matrix_parts(p, s, 10.0, t, sin2w=S2)
    mu = np.asarray(p.mu) * 1e-11
    kd = np.asarray(s.kappa).conj().T
    a = np.asarray(p.anapole) * 1e-32 / HBARC2_MEV2_CM2
    kz, kw, ka = (np.trace(mu @ kd), np.trace(np.diag([1.0, 0, 0]) @ mu @ kd), np.trace(a @ mu @ kd))
    lead = G_F * ALPHA / math.pi * ((-0.5 + 2 * S2) * kz.real + kw.real) - 4 * math.sqrt(2) * ALPHA ** 2 * ka.real
    assert float(parts.Bc) * math.sqrt(M_E * t) == pytest.approx(lead, rel=1e-5)


# --- positivity (property test) --------------------------------------------------------------
def _herm(rng, n, scale):
    h = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return scale * (h + h.conj().T) / 2


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), majorana=st.booleans(), lmu=st.floats(-2, 2),
       lr=st.floats(-1, 3), enu=st.floats(0.05, 20.0))
def test_positive_for_any_physical_state(seed, majorana, lmu, lr, enu):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    if rng.uniform() < 0.5:                                         # pure states are the sharp case
        g[:, 1:] = 0
    rho = g @ g.conj().T
    state = SpinFlavorState.create(rho / np.trace(rho).real)
    if majorana:
        x = rng.normal(size=(3, 3))
        mu = 1j * 10 ** lmu * (x - x.T)
        r2 = np.zeros((3, 3))
        an = _herm(rng, 3, 10 ** lr).real
    else:
        mu = _herm(rng, 3, 10 ** lmu)
        r2, an = _herm(rng, 3, 10 ** lr), _herm(rng, 3, 10 ** lr)
    props = EMProperties.create(mu=mu, r2=r2, anapole=an, majorana=majorana)
    tm = float(kin.t_max(enu, M_E, xp=np))
    Tg = tm * np.array([1e-4, 0.01, 0.1, 0.3, 0.6, 0.9, 0.999, 1.0])
    parts = eg.electron_density_matrix_parts(props, state, enu, Tg)
    A, B = np.asarray(parts.A), np.hypot(parts.Bs, parts.Bc)
    assert np.all(A > 0)
    assert np.all(A - B >= -1e-10 * A)                                  # min over φ of d²σ/dTdφ


# --- gradients -------------------------------------------------------------------------------
def test_gradients_every_leaf_vs_finite_differences():
    rng = np.random.default_rng(7)
    props = EMProperties.create(mu=_herm(rng, 3, 2.0), r2=_herm(rng, 3, 30.0), anapole=_herm(rng, 3, 30.0))
    g = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    rho = g @ g.conj().T
    state = SpinFlavorState.create(rho / np.trace(rho).real)
    Tg = jnp.asarray(T)
    for part in ("A", "Bc"):
        def f(p, s, part=part):
            return jnp.sum(getattr(_raw(p, s, ENU, Tg), part)) * 1e24
        gp, gs = jax.grad(f, argnums=(0, 1))(props, state)
        for leaf in ("mu", "r2", "anapole"):
            x = getattr(props, leaf)
            d = _herm(rng, 3, 1.0).astype(x.dtype)
            h = 1e-4 * float(jnp.max(jnp.abs(x)))

            def fp(t, leaf=leaf, d=d):
                return f(props.__class__(**{**{k: getattr(props, k) for k in ("mu", "r2", "anapole")},
                                            leaf: getattr(props, leaf) + t * d}), state)
            fd = (fp(h) - fp(-h)) / (2 * h)
            an = float(jnp.sum(getattr(gp, leaf) * d).real)
            assert an == pytest.approx(float(fd), rel=1e-6, abs=1e-9 * abs(float(f(props, state))))
        d = _herm(rng, 6, 1.0)
        fd = (f(props, SpinFlavorState(state.rho + 1e-5 * d)) - f(props, SpinFlavorState(state.rho - 1e-5 * d))) / 2e-5
        assert float(jnp.sum(gs.rho * d).real) == pytest.approx(float(fd), rel=1e-6)
        for leaf in jax.tree_util.tree_leaves((gp, gs)):
            assert bool(jnp.all(jnp.isfinite(leaf)))                    # includes T = T_max


def test_grad_in_pe_and_sin2w_through_public_api():
    def f(pe, s2):
        s = SpinFlavorState.from_pe_dirac(pe, 0.0, n=1)
        return eg.electron_density_matrix_parts(EMProperties.from_effective(3.0, n=1), s, ENU, 0.1, sin2w=s2).at(0.3) * 1e24
    gpe, gs2 = jax.grad(f, argnums=(0, 1))(0.3, S2)
    h = 1e-6
    assert float(gpe) == pytest.approx(float((f(0.3 + h, S2) - f(0.3 - h, S2)) / (2 * h)), rel=1e-6)
    assert float(gs2) == pytest.approx(float((f(0.3, S2 + h) - f(0.3, S2 - h)) / (2 * h)), rel=1e-6)


# --- other API properties --------------------------------------------------------------------
def test_outside_physical_region_is_zero():
    p = EMProperties.from_effective(3.0, n=1)
    parts = eg.electron_density_matrix_parts(p, SpinFlavorState.from_pe_dirac(0.5, n=1), ENU, np.array([0.0, 0.7, 5.0]))
    assert np.all(np.asarray(parts.A) == 0) and np.all(np.isfinite(np.asarray(parts.A)))


def test_numpy_twin_and_mass_basis():
    rng = np.random.default_rng(11)
    props = _random_dirac(rng)
    state = SpinFlavorState.transverse(None, n=3, phi_B=0.9)
    j = eg.electron_density_matrix_parts(props, state, ENU, T)
    n = eg.numpy_electron_density_matrix_parts(props, state, ENU, T)
    for a, b in zip(j, n):
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-12, atol=1e-40)
    # the same physics in the mass basis (PMNS preset) gives the same cross section (Dirac)
    from nujax.em import to_mass_basis
    from nujax.state import state_to_mass_basis
    s = SpinFlavorState.from_pe_dirac(0.3, 0.4)
    m = eg.electron_density_matrix_parts(to_mass_basis(props), state_to_mass_basis(s), ENU, T)
    f = eg.electron_density_matrix_parts(props, s, ENU, T)
    for a, b in zip(m, f):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-10, atol=1e-38)


def test_domega_variant_eq12():
    p = EMProperties.from_effective(3.0, n=1)
    s = SpinFlavorState.from_pe_dirac(0.5, n=1)
    c = np.array([0.3, 0.7, 0.95])
    om = eg.electron_density_matrix_domega_parts(p, s, ENU, c, sin2w=S2)
    old = ex.d2sigma_dcostheta_dphi(ENU, c, 0.0, 3.0, 0.5, sin2w=S2)
    np.testing.assert_allclose(om.A, old.weak + old.em, rtol=1e-12)
    np.testing.assert_allclose(om.Bc, old.interference, rtol=1e-11)


def test_bad_input_errors():
    p = EMProperties.from_effective(1.0, n=1)
    with pytest.raises(ValueError, match="Hermitian"):
        eg.electron_density_matrix_parts(p, SpinFlavorState(jnp.array([[0.5, 0.2], [0.0, 0.5]])), ENU, 0.1)
    with pytest.raises(ValueError, match="unit trace"):
        eg.electron_density_matrix_parts(p, SpinFlavorState(jnp.eye(2) * 0.7), ENU, 0.1)
    bad = EMProperties(jnp.diag(jnp.array([1j, 0, 0])), jnp.zeros((3, 3)), jnp.zeros((3, 3)), majorana=True)
    with pytest.raises(ValueError, match="Majorana μ has a diagonal"):
        eg.electron_density_matrix_parts(bad, SpinFlavorState.unpolarized(3), ENU, 0.1)
    with pytest.raises(ValueError, match="unknown neutrino flavor"):
        eg.electron_density_matrix_parts(p, SpinFlavorState.unpolarized(1), ENU, 0.1, flavor="nux")
    with pytest.raises(ValueError, match="N = 3 flavors"):
        eg.electron_density_matrix_parts(p, SpinFlavorState.unpolarized(3), ENU, 0.1)
    with pytest.raises(ValueError, match="enu"):
        eg.electron_density_matrix_parts(p, SpinFlavorState.unpolarized(1), -1.0, 0.1)


def test_float32_and_no_retrace():
    """float32: relative agreement with float64 within 1e-4 (documented tolerance)."""
    rng = np.random.default_rng(5)
    props = _random_dirac(rng)
    state = SpinFlavorState.transverse(None, n=3, phi_B=0.9)
    ref = eg.electron_density_matrix_parts(props, state, ENU, T)
    p32 = EMProperties(props.mu.astype(jnp.complex64), props.r2.astype(jnp.float32),
                       props.anapole.astype(jnp.float32))
    s32 = SpinFlavorState(state.rho.astype(jnp.complex64))
    out = eg.electron_density_matrix_parts(p32, s32, np.float32(ENU), T.astype(np.float32), sin2w=np.float32(0.23867))
    for a, b in zip(out, ref):
        assert a.dtype == jnp.float32
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-4 * float(jnp.max(ref.A)))
    n0 = eg._parts_jit._cache_size()
    eg.electron_density_matrix_parts(_random_dirac(rng), SpinFlavorState.transverse(None, n=3, phi_B=0.1), ENU, T + 0.001)
    assert eg._parts_jit._cache_size() == n0
