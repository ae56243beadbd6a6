"""Neutrino millicharge q_ν (the ``millicharge`` leaf of EMProperties) on electrons and nuclei.

The charge form factor f_Q(q²) = q_ν + q²⟨r²⟩/6 enters the photon exchange as f_Q/q², so q_ν acts
as ⟨r²⟩/6 → ⟨r²⟩/6 − q_ν/Q² (Q² = 2mT) in seed 002's Q^L (nujax.em). Checked here: the q → 0
limit, the textbook ν e and CEνNS formulas with the shifted vector coupling, the pure photon
exchange (the point-charge QED cross section, leading term 2πα²q_ν²/(m_e T²), Giunti & Studenikin,
RMP 87 (2015) 531), the interference sign, transitions adding incoherently, ν̄, basis invariance,
gradients and float32.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import kinematics as kin
from nujax.constants import ALPHA, G_F, M_E
from nujax.em import MILLICHARGE_SCALE, EMProperties, pmns, to_mass_basis
from nujax.nuclei import get_nucleus
from nujax.state import SpinFlavorState, state_to_mass_basis
from nujax.xsec.electron_density_matrix import (electron_density_matrix_parts,
                                                numpy_electron_density_matrix_parts)
from nujax.xsec.nucleus import nucleus_form_factors, nucleus_parts, numpy_nucleus_parts

S2W = 0.23867
E_E = 1.0                                     # ν e: Eν [MeV]
T_E = np.array([1e-4, 1e-3, 1e-2, 0.1, 0.5])  # electron recoil [MeV]
E_N = 30.0                                    # CEνNS: π-DAR-like Eν [MeV]
AR = get_nucleus("Ar40")
T_N = np.array([1e-3, 5e-3, 2e-2, 4e-2])      # argon recoil [MeV] (T_max ≈ 48 keV)


def _q1(q):
    return EMProperties.create(millicharge=[[q]], n=1)


def _electron_numu(q, T=T_E, enu=E_E):
    s = SpinFlavorState.left_handed("numu", n=1)
    return electron_density_matrix_parts(_q1(q), s, enu, T, sin2w=S2W, flavor="numu").A * 2 * np.pi


def _argon(q, T=T_N, enu=E_N, state=None, anti=False):
    s = SpinFlavorState.left_handed("nue", n=1) if state is None else state
    return nucleus_parts(_q1(q), s, enu, T, nucleus="Ar40", sin2w=S2W, antineutrino=anti,
                         weak_charges="tree").A * 2 * np.pi


def test_q_to_zero_limit_and_default_leaf():
    """q = 0 is the old three-matrix EMProperties exactly; the change is linear in q near 0."""
    rng = np.random.default_rng(3)
    mu = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    mu = 50.0 * (mu + mu.conj().T)
    r2 = rng.normal(size=(3, 3))
    r2 = r2 + r2.T
    p_old = EMProperties(jnp.asarray(mu), jnp.asarray(r2), jnp.zeros((3, 3)))
    assert p_old.millicharge.shape == (3, 3) and not np.any(np.asarray(p_old.millicharge))
    s = SpinFlavorState.transverse("nue", n=3, phi_B=0.4)
    base_e = electron_density_matrix_parts(p_old, s, E_E, T_E, sin2w=S2W)
    base_n = nucleus_parts(p_old, s, E_N, T_N, nucleus="Ar40")
    qdir = np.diag([1.0, -0.5, 0.2])

    def slopes(eps):
        p = EMProperties.create(mu=mu, r2=r2, millicharge=eps * qdir)
        new_e = electron_density_matrix_parts(p, s, E_E, T_E, sin2w=S2W)
        new_n = nucleus_parts(p, s, E_N, T_N, nucleus="Ar40")
        return [(np.asarray(a) - np.asarray(b)) / eps for a, b in zip((*new_e, *new_n), (*base_e, *base_n))]

    s1, s2 = slopes(1e-4), slopes(1e-5)
    assert np.all(s2[0] != 0.0) and np.all(s2[3] != 0.0)             # Ã moves on e and on Ar
    for d1, d2, b in zip(s1, s2, (*base_e, *base_n)):             # atol: round-off of the parts
        np.testing.assert_allclose(d1, d2, rtol=2e-2, atol=1e-10 * float(np.max(np.abs(b))) / 1e-5)
    p0 = EMProperties.create(mu=mu, r2=r2, millicharge=np.zeros((3, 3)))
    for a, b in zip(nucleus_parts(p0, s, E_N, T_N, nucleus="Ar40"), base_n):
        np.testing.assert_array_equal(a, b)


def _nu_e_reference(q_e, T, enu, gV, gA):
    """Textbook ν e dσ/dT = G_F²m_e/(2π)[(g_V+g_A)² + (g_V−g_A)²(1−y)² + (g_A²−g_V²)m_eT/Eν²]
    (seed 001 eq. (1) in g_V, g_A; P. Vogel and J. Engel, PRD 39 (1989) 3378) with the millicharge
    in the vector coupling, g_V → g_V − √2πα q_ν/(G_F m_e T) (derived: f_Q/q² with q² = −2m_eT)."""
    gv = gV - math.sqrt(2.0) * math.pi * ALPHA * q_e / (G_F * M_E * T)
    y = T / enu
    return G_F ** 2 * M_E / (2 * math.pi) * ((gv + gA) ** 2 + (gv - gA) ** 2 * (1 - y) ** 2
                                             + (gA ** 2 - gv ** 2) * M_E * T / enu ** 2)


@pytest.mark.parametrize("q", [1.0, -3.0, 30.0])
def test_electron_published_formula_diagonal_q(q):
    """ν_μ e with only a diagonal millicharge: the SM formula with the shifted g_V, to 1e-12."""
    ref = _nu_e_reference(q * MILLICHARGE_SCALE, T_E, E_E, -0.5 + 2 * S2W, -0.5)
    np.testing.assert_allclose(_electron_numu(q), ref, rtol=1e-12)


def test_electron_pure_photon_exchange_is_the_point_charge_qed_formula():
    """The q² part alone (half the sum of ±q minus SM) is single-photon exchange of a massless
    charge q_ν e on a point electron: 2πα²q²/(m_eT²)[1 − y + y²/2 − m_eT/(2Eν²)], whose T ≪ Eν
    limit is Giunti & Studenikin's (dσ/dT)_q = 2πα² q_ν²/(m_e T²)."""
    q = 5.0
    quad = 0.5 * (_electron_numu(q) + _electron_numu(-q)) - _electron_numu(0.0)
    qe = q * MILLICHARGE_SCALE
    y = T_E / E_E
    full = 2 * np.pi * ALPHA ** 2 * qe ** 2 / (M_E * T_E ** 2) * (1 - y + y * y / 2 - M_E * T_E / (2 * E_E ** 2))
    np.testing.assert_allclose(quad, full, rtol=1e-9)
    lead = 2 * np.pi * ALPHA ** 2 * qe ** 2 / (M_E * T_E[0] ** 2)
    assert quad[0] / lead == pytest.approx(1.0, abs=2e-4)             # T/Eν = 1e-4


def test_cevns_published_formula_diagonal_q():
    """CEνNS on ⁴⁰Ar with a diagonal q_ν: dσ/dT = G_F²M/π (1 − T/Eν − MT/2Eν²) ×
    [Z(g_V^p + √2πα q_ν/(G_F M T)) F_p + N g_V^n F_n]² (seed 002 eqs. (15)–(16) with f_Q/q²; the form
    of M. Cadeddu et al., PRD 102 (2020) 015030, g_V^p → g_V^p + 2√2πα q_ν/(G_F |q|²), |q|² ≈ 2MT)."""
    q = 2.0e4                                                        # 2·10⁻⁸ e
    got = _argon(q)
    M = AR.mass
    FQ, F1 = nucleus_form_factors(AR, T_N, sin2w=S2W, weak_charges="tree", xp=np)
    fp = FQ / AR.Z
    shift = math.sqrt(2) * math.pi * ALPHA * q * MILLICHARGE_SCALE / (G_F * M * T_N)
    coup = F1 + AR.Z * shift * fp
    ref = G_F ** 2 * M / math.pi * (1 - T_N / E_N - M * T_N / (2 * E_N ** 2)) * coup ** 2
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_interference_sign():
    """A positive q_ν is Coulomb-repelled by nuclei and attracted by electrons. Z exchange is
    attractive for ν on neutron-rich nuclei (weak charge ≈ −N/2) and for ν_μ on electrons
    (g_L < 0 dominates), so at small T the linear (interference) term lowers CEνNS and raises ν_μ e."""
    q = 1.0e3
    lin_n = _argon(q) - _argon(-q)
    assert np.all(lin_n < 0)
    lin_e = _electron_numu(0.01) - _electron_numu(-0.01)
    assert np.all(lin_e[:3] > 0)


def test_transition_millicharge_adds_incoherently():
    """A ν_e beam and only q_eμ: no interference with the weak amplitude, the cross section grows
    by the pure photon term, even in q_eμ (Cadeddu et al., PRD 98 (2018) 113010 for transition
    charge radii; the same trace structure)."""
    s = SpinFlavorState.left_handed("nue", n=3)

    def sig(q):
        p = EMProperties.create(millicharge=[[0, q, 0], [q, 0, 0], [0, 0, 0]])
        return np.asarray(nucleus_parts(p, s, E_N, T_N, nucleus="Ar40", sin2w=S2W).A)

    base, up, down = sig(0.0), sig(1e4), sig(-1e4)
    np.testing.assert_allclose(up, down, rtol=1e-12)
    assert np.all(up > base)
    pd = EMProperties.create(millicharge=np.diag([1e4, 0, 0]))
    diag = np.asarray(nucleus_parts(pd, s, E_N, T_N, nucleus="Ar40", sin2w=S2W).A)
    pm = EMProperties.create(millicharge=np.diag([-1e4, 0, 0]))
    diag_m = np.asarray(nucleus_parts(pm, s, E_N, T_N, nucleus="Ar40", sin2w=S2W).A)
    np.testing.assert_allclose(up - base, 0.5 * (diag + diag_m) - base, rtol=1e-9)


def test_antineutrino_and_mass_basis():
    """q_ν is C-odd like ⟨r²⟩: a Dirac ν̄ with the same q has the ν cross section on a spin-0 nucleus;
    the traces are basis invariant (props and state rotated together)."""
    sb = SpinFlavorState.right_handed("nuebar", n=1)
    np.testing.assert_allclose(_argon(3e3, state=sb, anti=True), _argon(3e3), rtol=1e-12)
    p = EMProperties.create(millicharge=[[1e3, 200.0, 0], [200.0, -500.0, 0], [0, 0, 0]],
                            mu=np.diag([3.0, 1.0, 0.0]))
    s = SpinFlavorState.transverse("nue", n=3, phi_B=0.3)
    U = pmns()
    pm, sm = to_mass_basis(p, U), state_to_mass_basis(s, U)
    for a, b in zip(nucleus_parts(p, s, E_N, T_N, nucleus="Ar40"),
                    nucleus_parts(pm, sm, E_N, T_N, nucleus="Ar40")):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14 * float(np.max(np.abs(b))))
    for a, b in zip(electron_density_matrix_parts(p, s, E_E, T_E),
                    electron_density_matrix_parts(pm, sm, E_E, T_E, pmns=U)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12 * float(np.max(np.abs(b))))


def test_numpy_baselines_agree():
    p = EMProperties.create(millicharge=[[2.0, 0.5, 0], [0.5, -1.0, 0], [0, 0, 0.3]],
                            mu=np.diag([3.0, 1.0, 0.0]), r2=np.diag([0.4, 0, 0]))
    s = SpinFlavorState.transverse("nue", n=3, phi_B=0.3)
    for a, b in zip(electron_density_matrix_parts(p, s, E_E, T_E),
                    numpy_electron_density_matrix_parts(p, s, E_E, T_E)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    p = EMProperties.create(millicharge=np.diag([2e3, 0, 0]), mu=np.diag([3.0, 1.0, 0.0]))
    for a, b in zip(nucleus_parts(p, s, E_N, T_N, nucleus="Xe"),
                    numpy_nucleus_parts(p, s, E_N, T_N, nucleus="Xe")):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14 * float(np.max(np.abs(b))))


def test_gradient_vs_finite_differences():
    """d(Ã, B̃c)/dq_ij on electrons and on argon against central differences (one diagonal and one
    transition entry, with a moment so that the interference depends on q)."""
    s = SpinFlavorState.transverse("nue", n=3, phi_B=0.0)
    mu = np.diag([3.0, 2.0, 0.0]) + 0j

    def f_e(q):
        p = EMProperties(jnp.asarray(mu), jnp.zeros((3, 3)), jnp.zeros((3, 3)), q)
        parts = electron_density_matrix_parts(p, s, E_E, T_E[1:4], sin2w=S2W)
        return jnp.sum(parts.A) + 30.0 * jnp.sum(parts.Bc)

    def f_n(q):
        p = EMProperties(jnp.asarray(mu), jnp.zeros((3, 3)), jnp.zeros((3, 3)), q)
        parts = nucleus_parts(p, s, E_N, T_N, nucleus="Ar40", sin2w=S2W)
        return jnp.sum(parts.A) + 1e3 * jnp.sum(parts.Bc)

    for f, q0, h in ((f_e, 2.0, 1e-3), (f_n, 3e3, 1.0)):
        q = jnp.asarray([[q0, 0.4 * q0, 0], [0.4 * q0, -0.5 * q0, 0], [0, 0, 0]])
        g = jax.grad(f)(q)
        for (i, j) in ((0, 0), (0, 1)):
            d = np.zeros((3, 3))
            d[i, j] = d[j, i] = h
            fd = (f(q + d) - f(q - d)) / (2 * h)
            an = g[i, j] + (g[j, i] if i != j else 0.0)
            assert float(an) == pytest.approx(float(fd), rel=1e-6)
        assert np.all(np.isfinite(np.asarray(g)))


def test_float32_within_tolerance():
    """float32 inputs stay float32 and agree with float64 to 1e-4 (relative, the documented float32
    tolerance of the density-matrix kernels)."""
    s64 = SpinFlavorState.transverse("nue", n=1, phi_B=0.2)
    p64 = EMProperties.create(mu=[[3.0]], millicharge=[[2.0]], n=1)
    s32 = SpinFlavorState(s64.rho.astype(jnp.complex64))
    p32 = EMProperties(p64.mu.astype(jnp.complex64), p64.r2.astype(jnp.float32),
                       p64.anapole.astype(jnp.float32), p64.millicharge.astype(jnp.float32))
    T32 = jnp.asarray(T_E[:4], jnp.float32)
    a64 = electron_density_matrix_parts(p64, s64, E_E, T_E[:4])
    a32 = electron_density_matrix_parts(p32, s32, jnp.float32(E_E), T32)
    assert a32.A.dtype == jnp.float32
    for x, y in zip(a32, a64):
        np.testing.assert_allclose(np.asarray(x, float), y, rtol=1e-4, atol=1e-4 * float(np.max(np.abs(y))))
    p32 = dataclass_replace(p32, millicharge=jnp.full((1, 1), 2e3, jnp.float32))
    p64 = dataclass_replace(p64, millicharge=jnp.full((1, 1), 2e3))
    n64 = nucleus_parts(p64, s64, E_N, T_N, nucleus="Ar40")
    n32 = nucleus_parts(p32, s32, jnp.float32(E_N), jnp.asarray(T_N, jnp.float32), nucleus="Ar40")
    assert n32.A.dtype == jnp.float32
    for x, y in zip(n32, n64):
        np.testing.assert_allclose(np.asarray(x, float), y, rtol=1e-4, atol=1e-4 * float(np.max(np.abs(y))))


def dataclass_replace(p, **kw):
    import dataclasses
    return dataclasses.replace(p, **kw)


def test_validation():
    with pytest.raises(ValueError, match="millicharge matrix must be Hermitian"):
        EMProperties.create(millicharge=[[0, 1.0, 0], [0, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="Majorana millicharge must be antisymmetric"):
        EMProperties.create(millicharge=np.diag([1.0, 0, 0]), majorana=True)
    with pytest.raises(ValueError, match="same size N"):
        EMProperties.create(mu=np.zeros((3, 3)), millicharge=[[1.0]])
    with pytest.raises(ValueError, match="finite"):
        EMProperties.create(millicharge=[[np.nan]], n=1)
    ok = EMProperties.create(millicharge=[[0, 1j, 0], [-1j, 0, 0], [0, 0, 0]], majorana=True)
    assert ok.millicharge.dtype.kind == "c"


@pytest.mark.parametrize("flavor, anti", [("nue", False), ("numu", False), ("nuebar", True)])
def test_compact_electron_path_equals_density_matrix(flavor, anti):
    """The compact ν e kernel (seed 000 parametrisation, ``millicharge_1e12``) equals the
    density-matrix cross section for a Dirac beam with active fraction Pe, ν and ν̄."""
    from nujax.xsec.electron import d2sigma_dT_dphi_amplitudes

    pe, mu, q = 0.3, 3.0, 2.0
    a = d2sigma_dT_dphi_amplitudes(E_E, T_E, mu, pe, flavor=flavor, millicharge_1e12=q)
    p = EMProperties.create(mu=[[mu]], millicharge=[[q]], n=1)
    s = SpinFlavorState.from_pe_dirac(pe, 0.0, flavor=flavor, n=1)
    d = electron_density_matrix_parts(p, s, E_E, T_E, flavor=flavor, antineutrino=anti)
    np.testing.assert_allclose(a.weak + a.em, d.A, rtol=1e-12)
    np.testing.assert_allclose(a.interference, d.Bc, rtol=1e-12)
    with pytest.raises(ValueError, match="Majorana"):
        d2sigma_dT_dphi_amplitudes(E_E, T_E, mu, pe, kind="majorana", millicharge_1e12=q)
