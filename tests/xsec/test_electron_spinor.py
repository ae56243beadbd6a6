"""Independent check of seed 000 eqs. (1)–(10) (as implemented in ``nujax.xsec.electron``) by an
explicit-spinor evaluation of the tree amplitudes (``spinor_reference.py``).

What is established here (numbers in the assertions):

* Normalization: d²σ/dT dφ = ⟨|M|²⟩/(64π² m_e Eν²) reproduces the textbook weak and magnetic dσ/dT
  after ∫dφ = 2π, so the per-azimuth weak term is G_F² m_e/π² [g_L² + g_R²(1 − T/Eν)² −
  g_L g_R m_eT/Eν²] — seed 000 eq. (2) exactly; a weak term half as large (Barbieri–Fiorentini
  eq. (11a) as quoted in seed 000) is wrong by a factor 2.
* Interference magnitude: |coefficient of cos(φ − φ_B)| = αG_F/(2√2 π m_e T) κ p⊥ |ξ⊥|
  [g_L + g_R(1 − T/Eν)] with |ξ⊥| = 2√(Pe(1 − Pe)) — seed 000 eq. (4)–(6) exactly (ratio 1, not 2,
  not ½); an interference twice as large (Vogel–Engel eq. (A9) as quoted) is wrong by a factor 2.
  Majorana: eqs. (7)–(9) exactly, the bracket of eq. (9) being 2[D(ν_eL) + D(ν̄_μR)].
* Sign convention: with μ > 0 parallel to the spin of the particle the Lagrangian describes (the
  neutrino) and φ_B the azimuth of the spin polarization ξ⊥, the spinor calculation gives
  +|…| cos(φ − φ_B) for neutrinos and −|…| cos(φ − φ_B) for antineutrinos (whose physical moment is
  −μ). nujax uses exactly this convention (one ``mu_1e11``, the moment of the neutrino field, for ν
  and ν̄), so nujax = reference for every Dirac flavor; seed 000's printed minus in eq. (4) would
  correspond to ξ⊥ along φ_B + π. For Majorana pairs the overall sign (and a π/2 shift for an
  electric-type transition) is a rephasing convention; magnitude and structure are not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import spinor_reference as ref
from nujax.constants import ALPHA, G_F, M_E
from nujax.xsec import electron as el

RTOL = 1e-10
DIRAC_FLAVORS = ["nue", "numu", "nuebar", "numubar"]
MAJORANA_PAIRS = [("nue", "numubar"), ("numu", "nuebar"), ("nuebar", "numu"), ("numubar", "nue")]
N_POINTS = 50


def _points(seed, n=N_POINTS):
    """Random physical points: Eν log-uniform in [0.1, 20] MeV, 0 < T < T_max, φ, φ_B, Pe, μ."""
    rng = np.random.default_rng(seed)
    enu = np.exp(rng.uniform(math.log(0.1), math.log(20.0), n))
    tmax = 2.0 * enu**2 / (M_E + 2.0 * enu)
    T = tmax * rng.uniform(0.005, 0.995, n)
    phi = rng.uniform(-math.pi, math.pi, n)
    phi_B = rng.uniform(-math.pi, math.pi, n)
    pe = rng.uniform(0.03, 0.97, n)
    mu_1e11 = np.exp(rng.uniform(math.log(0.3), math.log(300.0), n))
    return enu, T, phi, phi_B, pe, mu_1e11


def _assert_close(got, want, scale):
    """|got − want| ≤ RTOL (|want| + scale), pointwise (scale: amplitude of a term ∝ cos)."""
    err = np.abs(got - want)
    bound = RTOL * (np.abs(want) + scale)
    assert np.all(err <= bound), f"max excess {np.max(err / bound):.3g} × tolerance"


def _p_perp(enu, T):
    """|p⃗₂| sinθ straight from the reference's four-momenta (independent of nujax.kinematics)."""
    _, _, _, p2 = ref.kinematics(enu, T, 0.0)
    return np.hypot(p2[:, 1], p2[:, 2])


def _dirac_reference(flavor, enu, T, phi, phi_B, pe, mu_1e11, sin2w, *, kappa_sign=1.0):
    bar = flavor.endswith("bar")
    gL, gR = ref.chiral_couplings(flavor, sin2w)
    rho = ref.density_matrix(ref.polarization(pe, phi_B, active_left=not bar))
    return ref.d2sigma_parts(enu, T, phi, kappa_sign * mu_1e11 * 1e-11, rho,
                             species="nubar" if bar else "nu", gL=gL, gR=gR)


def _nujax_convention_sign(flavor):
    """Map nujax's μ onto the reference's Lagrangian μ: κ_ref = κ for ν and ν̄ (see module doc)."""
    del flavor
    return 1.0


# --- the reference itself ---------------------------------------------------------------------

def test_spinor_completeness_and_dirac_algebra():
    """Σ u ū = p̸ + m, Σ v v̄ = k̸ (massless), {γ^μ, γ^ν} = 2g^{μν}: the spinors are what they claim."""
    k1, p1, k2, p2 = ref.kinematics(np.array([0.7, 5.0]), np.array([0.2, 3.0]), np.array([0.3, -2.0]))
    for p4, m, make, sign in [(p2, M_E, ref.u_spinors, 1.0), (k2, 0.0, ref.v_spinors, -1.0),
                              (k2, 0.0, ref.u_spinors, 1.0), (p1, M_E, ref.u_spinors, 1.0)]:
        w = make(p4, m)
        outer = np.einsum("nsi,nsj->nij", w, ref.bar(w))
        slash = np.einsum("nm,mij->nij", p4 * ref.METRIC, ref.GAMMA)
        np.testing.assert_allclose(outer, slash + sign * m * np.eye(4), atol=1e-12)
    anti = np.einsum("aij,bjk->abik", ref.GAMMA, ref.GAMMA)
    anti = anti + anti.transpose(1, 0, 2, 3)
    np.testing.assert_allclose(anti, 2 * np.einsum("ab,ij->abij", np.diag(ref.METRIC), np.eye(4)),
                               atol=1e-14)


def test_antineutrino_v_spinors_equal_charge_conjugate_field():
    """ν̄ from v-spinors == particles of ν^c (u-spinors) with L → +(G_F/√2)[ν̄^cγ(1+γ⁵)ν^c][…], μ → −μ."""
    enu, T, phi, phi_B, pe, mu = _points(7, 20)
    for flavor in ("nuebar", "numubar"):
        gL, gR = ref.chiral_couplings(flavor, 0.23)
        rho = ref.density_matrix(ref.polarization(pe, phi_B, active_left=False))
        a = ref.d2sigma_parts(enu, T, phi, mu * 1e-11, rho, species="nubar", gL=gL, gR=gR)
        b = ref.d2sigma_parts(enu, T, phi, -mu * 1e-11, rho, species="majorana", gL=0.0, gR=0.0,
                              gLp=gL, gRp=gR)
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12 * np.max(np.abs(y)))


@pytest.mark.parametrize("flavor", DIRAC_FLAVORS)
def test_normalization_against_textbook_dsigma_dT(flavor):
    """2π × spinor d²σ/dTdφ = (2G_F²m_e/π)[…] and (πα²κ²/m_e²)(1/T − 1/Eν): fixes 1/(64π² m_e Eν²)."""
    enu, T, phi, _, _, mu = _points(11)
    s2 = 0.23
    # effective couplings written out here (textbook): ν_e g_L = ½ + s², ν_μ g_L = −½ + s², g_R = s²,
    # antineutrinos exchange them
    gL = (0.5 if flavor.startswith("nue") else -0.5) + s2
    gR = s2
    if flavor.endswith("bar"):
        gL, gR = gR, gL
    w, e, _ = _dirac_reference(flavor, enu, T, phi, 0.0, 1.0, mu, s2)
    np.testing.assert_allclose(2 * math.pi * w, ref.textbook_dsigma_dT_weak(enu, T, gL, gR), rtol=RTOL)
    np.testing.assert_allclose(2 * math.pi * e, ref.textbook_dsigma_dT_mag(enu, T, mu * 1e-11),
                               rtol=RTOL)
    # per unit azimuth: seed 000 eq. (2) prefactor G_F² m_e/π², not half of it (Barbieri–Fiorentini)
    bracket = gL**2 + gR**2 * (1 - T / enu) ** 2 - gL * gR * M_E * T / enu**2
    np.testing.assert_allclose(w / (G_F**2 * M_E / math.pi**2 * bracket), 1.0, rtol=RTOL)


@pytest.mark.parametrize("flavor", DIRAC_FLAVORS)
def test_interference_magnitude_is_seed000_eq4(flavor):
    """|cos(φ − φ_B) coefficient| / [αG_F/(2√2π m_e T) κ p⊥ |ξ⊥| D] = 1 exactly (the factor-2 question)."""
    enu, T, _, phi_B, pe, mu = _points(13)
    s2 = 0.2387
    bar = flavor.endswith("bar")
    gL, gR = ref.chiral_couplings(flavor, s2)
    if bar:
        gL, gR = gR, gL                                     # effective couplings (g_L ↔ g_R)
    D = gL + gR * (1 - T / enu)                               # seed 000 eq. (5)
    xi = 2 * np.sqrt(pe * (1 - pe))                           # seed 000 below eq. (5)
    seed_eq4 = ALPHA * G_F / (2 * math.sqrt(2) * math.pi * M_E * T) * mu * 1e-11 * _p_perp(enu, T) * xi * D
    _, _, at_max = _dirac_reference(flavor, enu, T, phi_B, phi_B, pe, mu, s2)
    _, _, at_node = _dirac_reference(flavor, enu, T, phi_B + 0.5 * math.pi, phi_B, pe, mu, s2)
    ratio = at_max / seed_eq4
    # Lagrangian μ > 0 parallel to the neutrino spin, φ_B = azimuth of ξ⊥: + for ν, − for ν̄
    np.testing.assert_allclose(ratio, -1.0 if bar else 1.0, rtol=RTOL)
    assert np.all(np.abs(at_node) <= 1e-12 * np.abs(at_max))   # pure cos(φ − φ_B)


def test_rotation_covariance_and_cauchy_schwarz():
    """Rotating φ and φ_B together changes nothing; |interference| ≤ 2√(weak · em) at every φ."""
    enu, T, phi, phi_B, pe, mu = _points(17)
    for flavor in DIRAC_FLAVORS:
        a = _dirac_reference(flavor, enu, T, phi, phi_B, pe, mu, 0.23)
        b = _dirac_reference(flavor, enu, T, phi + 1.234, phi_B + 1.234, pe, mu, 0.23)
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-14 * np.max(np.abs(y)))
        w, e, i = a
        assert np.all(np.abs(i) <= 2 * np.sqrt(w * e) * (1 + 1e-12))


# --- nujax against the reference ----------------------------------------------------------------

@pytest.mark.parametrize("flavor", DIRAC_FLAVORS)
@pytest.mark.parametrize("sin2w", [0.23, 0.23867])
def test_dirac_amplitudes_match_spinors(flavor, sin2w):
    """weak, em and the cos(φ − φ_B) amplitude of nujax == explicit spinors (relative 1e-10)."""
    enu, T, _, phi_B, pe, mu = _points(100 * DIRAC_FLAVORS.index(flavor) + int(1e5 * sin2w))
    got = el.d2sigma_dT_dphi_amplitudes(enu, T, mu, pe, flavor=flavor, sin2w=sin2w)
    s = _nujax_convention_sign(flavor)
    w, e, i = _dirac_reference(flavor, enu, T, phi_B, phi_B, pe, mu, sin2w, kappa_sign=s)
    np.testing.assert_allclose(np.asarray(got.weak), w, rtol=RTOL)
    np.testing.assert_allclose(np.asarray(got.em), e, rtol=RTOL)
    np.testing.assert_allclose(np.asarray(got.interference), i, rtol=RTOL)


@pytest.mark.parametrize("flavor", DIRAC_FLAVORS)
def test_dirac_value_at_phi_matches_spinors(flavor):
    """d2sigma_dT_dphi at random (φ, φ_B) == spinors; total included."""
    enu, T, phi, phi_B, pe, mu = _points(23)
    got = el.d2sigma_dT_dphi(enu, T, phi, mu, pe, phi_B, flavor=flavor, sin2w=0.23)
    w, e, i = _dirac_reference(flavor, enu, T, phi, phi_B, pe, mu, 0.23,
                               kappa_sign=_nujax_convention_sign(flavor))
    np.testing.assert_allclose(np.asarray(got.weak), w, rtol=RTOL)
    np.testing.assert_allclose(np.asarray(got.em), e, rtol=RTOL)
    # the interference passes through 0 with cos(φ − φ_B): compare on the scale of its amplitude
    amp = np.abs(np.asarray(el.d2sigma_dT_dphi_amplitudes(enu, T, mu, pe, flavor=flavor,
                                                          sin2w=0.23).interference))
    _assert_close(np.asarray(got.interference), i, amp)
    _assert_close(np.asarray(got.total), w + e + i, amp)


def test_one_mu_for_neutrinos_and_antineutrinos():
    """One Lagrangian μ for ν and ν̄: nujax's interference equals the reference for every Dirac flavor."""
    enu, T, _, phi_B, pe, mu = _points(29, 10)
    for flavor in DIRAC_FLAVORS:
        got = el.d2sigma_dT_dphi_amplitudes(enu, T, mu, pe, flavor=flavor, sin2w=0.23)
        _, _, i = _dirac_reference(flavor, enu, T, phi_B, phi_B, pe, mu, 0.23)
        expected = 1.0
        np.testing.assert_allclose(np.asarray(got.interference) / i, expected, rtol=RTOL)


@pytest.mark.parametrize("active,partner", MAJORANA_PAIRS)
@pytest.mark.parametrize("dipole", ["magnetic", "electric"])
def test_majorana_matches_spinors(active, partner, dipole):
    """seed 000 eqs. (7)–(10): weak, em and interference of the two-species beam == spinors.

    In N = ν_L + (ν'_L)^c the transition moment is a magnetic or an electric dipole of N depending
    on the relative CP parity; both give nujax's magnitude and bracket D + D' (eq. (9)), the
    interference peaking at φ_B (magnetic) or φ_B − π/2 (electric): a phase convention.
    """
    enu, T, phi, phi_B, pe, mu = _points(31)
    abar = active.endswith("bar")
    left, right = (partner, active) if abar else (active, partner)
    gL, gR = ref.chiral_couplings(left, 0.23)
    gLp, gRp = ref.chiral_couplings(right, 0.23)
    rho = ref.density_matrix(ref.polarization(pe, phi_B, active_left=not abar))
    shift = 0.0 if dipole == "magnetic" else -0.5 * math.pi
    got = el.d2sigma_dT_dphi(enu, T, phi - shift, mu, pe, phi_B, flavor=active, kind="majorana",
                             partner=partner, sin2w=0.23)
    w, e, i = ref.d2sigma_parts(enu, T, phi, mu * 1e-11, rho, species="majorana", gL=gL, gR=gR,
                                gLp=gLp, gRp=gRp, dipole=dipole)
    amp = el.d2sigma_dT_dphi_amplitudes(enu, T, mu, pe, flavor=active, kind="majorana",
                                        partner=partner, sin2w=0.23)
    np.testing.assert_allclose(np.asarray(got.weak), w, rtol=RTOL)
    np.testing.assert_allclose(np.asarray(got.em), e, rtol=RTOL)
    _assert_close(np.asarray(got.interference), i, np.abs(np.asarray(amp.interference)))
