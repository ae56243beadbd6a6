"""Dirac antineutrino beams in the density-matrix cross sections (issue 13 item 7).

The ν̄'s are the particles of the conjugate field ν^c (derivation:
:mod:`nujax.xsec.electron_density_matrix`, "Dirac antineutrino beams"): active ν̄_R in the R block,
sterile ν̄_L in the L block, couplings of the Majorana R block for ν̄_R, charge radius and anapole
only for ν̄_L, moment −μᵀ. What is established here:

* ν e: one flavor and a diagonal Dirac μ reproduce the compact seed-000 ν̄ formula
  (:func:`nujax.xsec.electron.d2sigma_dT_dphi` with ``flavor="nuebar"``/``"numubar"``: g_L ↔ g_R,
  interference sign flipped) to 1e-10 at random points, and the explicit v-spinor calculation of
  tests/xsec/spinor_reference.py for any 2×2 spin state.
* Charge radius: g_V → g_V + Q^L = g_V + √2πα⟨r²⟩/(3G_F) for ν̄ with the *same* sign as for ν
  (Vogel & Engel, Phys. Rev. D 39 (1989) 3378: ν̄ only flips g_A; Barranco, Miranda & Rashba,
  Phys. Lett. B 662 (2008) 431: one ⟨r²⟩ for ν_e e and ν̄_e e data), confirmed by explicit
  v-spinors with g_V → g_V + Q^L in the field Lagrangian; it drops out of the azimuthal terms.
  CEνNS: ν̄ and ν cross sections equal with ⟨r²⟩, interference opposite.
* Majorana props: ``antineutrino=True`` changes nothing (exact equality); for a pure R-block beam
  without moments the Dirac ν̄ equals the Majorana R block (same active ν̄_R couplings).
* Mass basis (W = diag(U*, U*)), numpy twins, positivity, gradients in μ, ⟨r²⟩, a vs finite
  differences.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import spinor_reference as sr
from nujax import kinematics as kin
from nujax.constants import ALPHA, G_F, HBARC2_MEV2_CM2, M_E
from nujax.couplings import electron_couplings
from nujax.em import EMProperties, majorana_radius_anapole, to_mass_basis
from nujax.nuclei import get_nucleus
from nujax.state import SpinFlavorState, state_to_mass_basis
from nujax.xsec import electron as ex
from nujax.xsec import electron_density_matrix as eg
from nujax.xsec import nucleon as nn
from nujax.xsec import nucleus as nc

S2 = 0.23
RTOL = 1e-10
ENU = 0.8
T = np.array([0.02, 0.1, 0.3, float(kin.t_max(ENU, M_E, xp=np))])
ANTI = ["nuebar", "numubar"]


def _points(seed, n):
    """Random physical points: Eν log-uniform in [0.1, 20] MeV, 0 < T < T_max, φ, φ_B, Pe, μ."""
    rng = np.random.default_rng(seed)
    enu = np.exp(rng.uniform(math.log(0.1), math.log(20.0), n))
    T = np.asarray(kin.t_max(enu, M_E, xp=np)) * rng.uniform(0.005, 0.995, n)
    return (enu, T, rng.uniform(-math.pi, math.pi, n), rng.uniform(-math.pi, math.pi, n),
            rng.uniform(0.03, 0.97, n), np.exp(rng.uniform(math.log(0.3), math.log(300.0), n)))


def _herm(rng, n, scale):
    h = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return scale * (h + h.conj().T) / 2


def _random_state(rng, n=3):
    g = rng.normal(size=(2 * n, 2 * n)) + 1j * rng.normal(size=(2 * n, 2 * n))
    rho = g @ g.conj().T
    return SpinFlavorState.create(rho / np.trace(rho).real)


def _random_dirac(rng, scale=3.0):
    return EMProperties.create(mu=_herm(rng, 3, scale), r2=_herm(rng, 3, 20.0),
                               anapole=_herm(rng, 3, 20.0))


def _assert_close(got, want, scale):
    """|got − want| ≤ RTOL (|want| + scale) pointwise (scale: amplitude of a cos-term)."""
    got, want = np.asarray(got), np.asarray(want)
    bound = RTOL * (np.abs(want) + scale)
    assert np.all(np.abs(got - want) <= bound), f"max excess {np.max(np.abs(got - want) / bound):.3g}"


# --- ν e against the compact seed-000 ν̄ formula -----------------------------------------------
@pytest.mark.parametrize("flavor", ANTI)
def test_dirac_antineutrino_equals_compact_formula(flavor):
    """weak, magnetic and cos-interference (with its sign) of a partly transverse ν̄ beam, N = 1."""
    for enu, t, phi, phb, pe, mu in zip(*_points(41, 20)):
        p = EMProperties.from_effective(mu, flavor, n=1)
        s = SpinFlavorState.from_pe_dirac(pe, phb, flavor=flavor, n=1)
        new = eg.electron_density_matrix_parts(p, s, enu, t, sin2w=S2, flavor=flavor, antineutrino=True)
        old = ex.d2sigma_dT_dphi(enu, t, phi, mu, pe, phb, flavor=flavor, sin2w=S2)
        amp = float(ex.d2sigma_dT_dphi_amplitudes(enu, t, mu, pe, flavor=flavor, sin2w=S2).interference)
        np.testing.assert_allclose(new.A, old.weak + old.em, rtol=RTOL)
        _assert_close(new.at(phi) - new.A, old.interference, abs(amp))
        gL, gR = electron_couplings(flavor, S2)                       # ν̄: g_L ↔ g_R already
        assert amp * (gL + gR * (1 - t / enu)) < 0                     # ν̄ carries −μ: sign flipped
        np.testing.assert_allclose(np.hypot(new.Bs, new.Bc), abs(amp), rtol=RTOL)


@pytest.mark.parametrize("flavor", ANTI)
def test_three_flavors_diagonal_mu_equals_compact(flavor):
    """N = 3, flavor basis, diagonal μ: the ν̄_ℓ beam scatters with μ_ℓℓ and its own couplings."""
    mus = np.array([2.0, -5.0, 7.0])
    i = 0 if flavor == "nuebar" else 1
    p = EMProperties.create(mu=np.diag(mus), r2=np.zeros((3, 3)))
    s = SpinFlavorState.from_pe_dirac(0.35, -0.4, flavor=flavor, n=3)
    new = eg.electron_density_matrix_parts(p, s, ENU, T, sin2w=S2, antineutrino=True)
    old = ex.d2sigma_dT_dphi_amplitudes(ENU, T, mus[i], 0.35, flavor=flavor, sin2w=S2)
    np.testing.assert_allclose(new.A, old.weak + old.em, rtol=RTOL)
    for phi in (0.0, 1.3, -2.2):
        _assert_close(new.at(phi) - new.A, old.interference * np.cos(phi + 0.4),
                      np.max(np.abs(old.interference)))


def test_domega_variant_antineutrino():
    p = EMProperties.from_effective(3.0, "nuebar", n=1)
    s = SpinFlavorState.from_pe_dirac(0.5, flavor="nuebar", n=1)
    c = np.array([0.3, 0.7, 0.95])
    om = eg.electron_density_matrix_domega_parts(p, s, ENU, c, sin2w=S2, flavor="nuebar",
                                                 antineutrino=True)
    old = ex.d2sigma_dcostheta_dphi(ENU, c, 0.0, 3.0, 0.5, flavor="nuebar", sin2w=S2)
    np.testing.assert_allclose(om.A, old.weak + old.em, rtol=RTOL)
    np.testing.assert_allclose(om.Bc, old.interference, rtol=RTOL)


@pytest.mark.parametrize("flavor", ANTI)
def test_antineutrino_vs_v_spinors_any_spin_state(flavor):
    """Explicit v-spinors (species 'nubar', Lagrangian μ) for random 2×2 spin states: the ν̄ density
    matrix in the basis (↑z, ↓z) is the DM state in (ν̄_R, ν̄_L) with no relabelling."""
    rng = np.random.default_rng(5)
    gL, gR = sr.chiral_couplings(flavor, S2)
    enu, t, phi, _, _, mu = _points(43, 12)
    for k in range(len(enu)):
        g = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
        rho = g @ g.conj().T
        rho = rho / np.trace(rho).real
        parts = eg.electron_density_matrix_parts(EMProperties.from_effective(mu[k], flavor, n=1),
                                                 SpinFlavorState.create(rho), enu[k], t[k], sin2w=S2,
                                                 flavor=flavor, antineutrino=True)
        w, e, i = sr.d2sigma_parts(enu[k], t[k], phi[k], mu[k] * 1e-11, rho[None], species="nubar",
                                   gL=gL, gR=gR)
        np.testing.assert_allclose(parts.A, w + e, rtol=RTOL)
        _assert_close(parts.at(phi[k]) - parts.A, i, float(np.hypot(parts.Bs, parts.Bc)))


# --- charge radius ---------------------------------------------------------------------------
def _q_l(r2_1e32):
    """Q^L = (2√2πα/G_F) ⟨r²⟩/6 = √2πα⟨r²⟩/(3G_F) (seed 002 eq. (14), a = 0)."""
    return 2 * math.sqrt(2) * math.pi * ALPHA / G_F * (r2_1e32 * 1e-32 / HBARC2_MEV2_CM2) / 6


@pytest.mark.parametrize("flavor", ANTI)
@pytest.mark.parametrize("r2", [-4.0, 6.0])
def test_charge_radius_shifts_gV_with_the_same_sign_for_antineutrinos(flavor, r2):
    """ν̄ e with ⟨r²⟩ = textbook ν̄ formula with g_V → g_V + Q^L (g_A unchanged, then g_L ↔ g_R):
    the same shift as for ν (Vogel–Engel 1989; Barranco–Miranda–Rashba 2008), not g_V − Q^L."""
    s = SpinFlavorState.right_handed(flavor, n=1)
    got = eg.electron_density_matrix_parts(EMProperties.create(r2=[[r2]], n=1), s, ENU, T[:3],
                                           sin2w=S2, flavor=flavor, antineutrino=True)
    cc = 1.0 if flavor == "nuebar" else 0.0
    gA = -0.5 + cc                                                    # seed 002 eq. (21)

    def nubar_weak(delta):
        gV = -0.5 + 2 * S2 + cc + delta                               # seed 002 eq. (21) + Q^L
        # ν̄: effective g_L = (g_V − g_A)/2, g_R = (g_V + g_A)/2 (seed 001 below eq. (1))
        return sr.textbook_dsigma_dT_weak(ENU, T[:3], (gV - gA) / 2, (gV + gA) / 2) / (2 * math.pi)

    np.testing.assert_allclose(got.A, nubar_weak(_q_l(r2)), rtol=RTOL)
    # independent: explicit v-spinors of the field Lagrangian with g_V → g_V + Q^L, pure ν̄_R (↑z)
    gL, gR = sr.chiral_couplings(flavor, S2)
    w, _, _ = sr.d2sigma_parts(ENU, T[:3], 0.0, 0.0, np.diag([1.0, 0.0])[None], species="nubar",
                               gL=gL + _q_l(r2) / 2, gR=gR + _q_l(r2) / 2)
    np.testing.assert_allclose(got.A, w, rtol=RTOL)
    assert np.all(np.abs(np.asarray(got.A) / nubar_weak(-_q_l(r2)) - 1) > 1e-3)   # sign is tested
    # the same statement for ν in the same convention (existing decision): the shifts agree
    nu = eg.electron_density_matrix_parts(EMProperties.create(r2=[[r2]], n=1),
                                          SpinFlavorState.left_handed(flavor[:-3], n=1), ENU, T[:3],
                                          sin2w=S2, flavor=flavor[:-3])
    shifted = ex.dsigma_dT(ENU, T[:3], flavor=flavor[:-3], sin2w=S2 + _q_l(r2) / 2)
    np.testing.assert_allclose(2 * math.pi * np.asarray(nu.A), shifted.weak, rtol=RTOL)
    shifted_bar = ex.dsigma_dT(ENU, T[:3], flavor=flavor, sin2w=S2 + _q_l(r2) / 2)
    np.testing.assert_allclose(2 * math.pi * np.asarray(got.A), shifted_bar.weak, rtol=RTOL)


def test_charge_radius_drops_out_of_azimuthal_terms_anapole_does_not():
    """Commuting diagonal μ, ⟨r²⟩: B̃ independent of ⟨r²⟩ for ν̄ (as for ν); the anapole enters B̃
    through V_L + V_R ⊃ (Q^L − Q^R)ᵀ = −2c aᵀ, with the sign it has for ν (relative to the ν̄'s
    flipped moment the interference is the CP image)."""
    mu = np.diag([1.0, 2.0, 3.0])
    s = SpinFlavorState.from_pe_dirac(0.4, 0.2, flavor="nuebar")
    a = eg.electron_density_matrix_parts(EMProperties.create(mu=mu), s, ENU, T, antineutrino=True)
    b = eg.electron_density_matrix_parts(EMProperties.create(mu=mu, r2=np.diag([5.0, -3.0, 1.0])),
                                         s, ENU, T, antineutrino=True)
    np.testing.assert_allclose(b.Bc, a.Bc, rtol=1e-12)
    np.testing.assert_allclose(b.Bs, a.Bs, rtol=1e-12, atol=1e-40)
    c = eg.electron_density_matrix_parts(EMProperties.create(mu=mu, anapole=np.diag([40.0, 0, 0])),
                                         s, ENU, T[:3], antineutrino=True)
    assert np.all(np.abs(np.asarray(c.Bc) / np.asarray(a.Bc)[:3] - 1) > 1e-3)
    # anapole piece: ν̄ (moment −μ, coupling −2c a) = ν (moment μ, coupling −2c a) × (−1)
    sn = SpinFlavorState.from_pe_dirac(0.4, 0.2, flavor="nue")
    cn = eg.electron_density_matrix_parts(EMProperties.create(mu=mu, anapole=np.diag([40.0, 0, 0])),
                                          sn, ENU, T[:3])
    an = eg.electron_density_matrix_parts(EMProperties.create(mu=mu), sn, ENU, T[:3])
    np.testing.assert_allclose(np.asarray(c.Bc) - np.asarray(a.Bc)[:3],
                               -(np.asarray(cn.Bc) - np.asarray(an.Bc)), rtol=1e-9)


# --- nucleus and nucleon ---------------------------------------------------------------------
TN = np.array([1e-4, 3e-3, 1e-2])                                     # nuclear recoil [MeV]


def test_nucleus_antineutrino_weak_charge_and_moment_sign():
    """CEνNS: ν̄ and ν have equal Ã (weak, ⟨r²⟩ and magnetic terms) and opposite B̃ (ν̄ has −μ)."""
    p = EMProperties.create(mu=[[50.0]], r2=[[30.0]], n=1)
    nu = nc.nucleus_parts(p, SpinFlavorState.from_pe_dirac(0.3, 0.5, n=1), 30.0, TN, nucleus="Xe132")
    nb = nc.nucleus_parts(p, SpinFlavorState.from_pe_dirac(0.3, 0.5, flavor="nuebar", n=1), 30.0, TN,
                          nucleus="Xe132", antineutrino=True)
    np.testing.assert_allclose(nb.A, nu.A, rtol=1e-12)
    np.testing.assert_allclose(nb.Bc, -np.asarray(nu.Bc), rtol=1e-12)
    np.testing.assert_allclose(nb.Bs, -np.asarray(nu.Bs), rtol=1e-12, atol=1e-40)
    # a pure active ν̄_R with ⟨r²⟩: the weak charge and the charge-radius term flip together
    nbr = nc.nucleus_parts(p, SpinFlavorState.right_handed("nuebar", n=1), 30.0, TN, nucleus="Xe132",
                           antineutrino=True)
    nul = nc.nucleus_parts(p, SpinFlavorState.left_handed("nue", n=1), 30.0, TN, nucleus="Xe132")
    np.testing.assert_allclose(nbr.A, nul.A, rtol=1e-12)
    flipped = nc.nucleus_parts(EMProperties.create(mu=[[50.0]], r2=[[-30.0]], n=1),
                               SpinFlavorState.left_handed("nue", n=1), 30.0, TN, nucleus="Xe132")
    assert np.all(np.abs(np.asarray(nbr.A) / np.asarray(flipped.A) - 1) > 1e-3)
    # without the switch a Dirac R-block beam is the sterile ν_R: no weak charge
    sterile = nc.nucleus_parts(EMProperties.zero(1), SpinFlavorState.right_handed("nuebar", n=1), 30.0,
                               TN, nucleus="Xe132")
    active = nc.nucleus_parts(EMProperties.zero(1), SpinFlavorState.right_handed("nuebar", n=1), 30.0,
                              TN, nucleus="Xe132", antineutrino=True)
    assert float(jnp.max(sterile.A)) == 0.0 and bool(jnp.all(active.A > 0))


def test_nucleon_antineutrino_equals_textbook_sign_of_axial_interference():
    """ν̄ p: with only the weak couplings the V·A interference term flips sign (ν ↔ ν̄), so
    A(ν) − A(ν̄) ∝ G_A F1 ≠ 0 while A(ν) + A(ν̄) is helicity-blind."""
    p = EMProperties.zero(1)
    nu = nn.nucleon_parts(p, SpinFlavorState.left_handed("nue", n=1), 50.0, np.array([1e-3, 1e-2]))
    nb = nn.nucleon_parts(p, SpinFlavorState.right_handed("nuebar", n=1), 50.0, np.array([1e-3, 1e-2]),
                          antineutrino=True)
    mj = nn.nucleon_parts(EMProperties.zero(3, majorana=True), SpinFlavorState.right_handed("nuebar"),
                          50.0, np.array([1e-3, 1e-2]))
    np.testing.assert_allclose(nb.A, mj.A, rtol=1e-12)                # = Majorana ν̄ block
    assert np.all(np.asarray(nu.A) > np.asarray(nb.A))                 # σ(ν p) > σ(ν̄ p)


@pytest.mark.parametrize("kind", ["electron", "nucleus", "nucleon"])
def test_pure_r_block_without_moments_equals_majorana(kind):
    """Active ν̄_R couplings are those of the Majorana R block with the same ν_L coupling
    Q^L = c(⟨r²⟩/6 − a) (any Hermitian ⟨r²⟩, a; μ = 0): both are −(Q^L)ᵀ. The Majorana matrices
    are the imaginary antisymmetric ⟨r²⟩ and real symmetric a of that Q^L (nujax.em)."""
    rng = np.random.default_rng(13)
    r2, an = _herm(rng, 3, 20.0), _herm(rng, 3, 20.0)
    psi = np.concatenate([rng.normal(size=3) + 1j * rng.normal(size=3), np.zeros(3)])
    s = SpinFlavorState.from_amplitude(psi)
    dirac = EMProperties.create(r2=r2, anapole=an)
    r2m, anm = (np.asarray(x) for x in majorana_radius_anapole(r2, an))
    assert np.max(np.abs(r2m - r2)) > 1.0 and np.max(np.abs(anm - an)) > 0.1   # a real re-split
    maj = EMProperties.create(r2=r2m, anapole=anm, majorana=True)
    a, b = _call(kind, dirac, s, True), _call(kind, maj, s, False)
    np.testing.assert_allclose(a.A, b.A, rtol=1e-12)


def _call(kind, props, state, anti):
    if kind == "electron":
        return eg.electron_density_matrix_parts(props, state, ENU, T, antineutrino=anti)
    if kind == "nucleus":
        return nc.nucleus_parts(props, state, 30.0, TN, nucleus="Ar40", antineutrino=anti)
    return nn.nucleon_parts(props, state, 50.0, TN, antineutrino=anti)


@pytest.mark.parametrize("kind", ["electron", "nucleus", "nucleon"])
def test_majorana_unchanged_by_the_switch(kind):
    rng = np.random.default_rng(17)
    x, y = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    props = EMProperties.create(mu=1j * 3 * (x - x.T), r2=1j * 10.0 * (y - y.T),
                                anapole=_herm(rng, 3, 10.0).real, majorana=True)
    s = _random_state(rng)
    a, b = _call(kind, props, s, True), _call(kind, props, s, False)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


# --- bases, numpy twins, positivity ----------------------------------------------------------
def test_mass_basis_equals_flavor_basis_for_antineutrinos():
    """W = diag(U*, U*) for the ν̄ state with U†XU for the props: the same physics, 1e-10."""
    rng = np.random.default_rng(19)
    props = _random_dirac(rng)
    s = _random_state(rng)
    sm = state_to_mass_basis(s, antineutrino=True)
    pm = to_mass_basis(props)
    f = eg.electron_density_matrix_parts(props, s, ENU, T, antineutrino=True)
    m = eg.electron_density_matrix_parts(pm, sm, ENU, T, antineutrino=True)
    for a, b in zip(m, f):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-10,
                                   atol=1e-10 * float(jnp.max(f.A)))
    fn = nc.nucleus_parts(props, s, 30.0, TN, antineutrino=True)
    mn = nc.nucleus_parts(pm, sm, 30.0, TN, antineutrino=True)
    for a, b in zip(mn, fn):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-10,
                                   atol=1e-10 * float(jnp.max(fn.A)))
    # the neutrino rule (W = diag(U, U)) would not do for a flavor-changing ν̄ beam
    wrong = eg.electron_density_matrix_parts(pm, state_to_mass_basis(s), ENU, T, antineutrino=True)
    assert float(jnp.max(jnp.abs(wrong.A - f.A) / f.A)) > 1e-6


def test_numpy_twins_antineutrino():
    rng = np.random.default_rng(23)
    props, s = _random_dirac(rng), _random_state(rng)
    pairs = [(eg.electron_density_matrix_parts(props, s, ENU, T, antineutrino=True),
              eg.numpy_electron_density_matrix_parts(props, s, ENU, T, antineutrino=True)),
             (nc.nucleus_parts(props, s, 30.0, TN, antineutrino=True),
              nc.numpy_nucleus_parts(props, s, 30.0, TN, antineutrino=True)),
             (nn.nucleon_parts(props, s, 50.0, TN, antineutrino=True),
              nn.numpy_nucleon_parts(props, s, 50.0, TN, antineutrino=True))]
    for j, n in pairs:
        for a, b in zip(j, n):
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-12, atol=1e-12 * float(np.max(n.A)))


@pytest.mark.parametrize("seed", range(6))
def test_positive_for_any_antineutrino_state(seed):
    """min over φ of d²σ/dTdφ ≥ 0 for random Dirac matrices and random ν̄ states (ν e and CEνNS)."""
    rng = np.random.default_rng(100 + seed)
    props = EMProperties.create(mu=_herm(rng, 3, 10 ** rng.uniform(-2, 2)),
                                r2=_herm(rng, 3, 10 ** rng.uniform(-1, 3)),
                                anapole=_herm(rng, 3, 10 ** rng.uniform(-1, 3)))
    s = _random_state(rng)
    for enu, Tg, f in [(2.0, float(kin.t_max(2.0, M_E, xp=np)) * np.array([1e-4, 0.1, 0.5, 0.99, 1.0]),
                        lambda T: eg.electron_density_matrix_parts(props, s, 2.0, T, antineutrino=True)),
                       (30.0, TN, lambda T: nc.nucleus_parts(props, s, 30.0, T, antineutrino=True))]:
        parts = f(Tg)
        A, B = np.asarray(parts.A), np.hypot(parts.Bs, parts.Bc)
        assert np.all(A > 0) and np.all(A - B >= -1e-10 * A)


# --- gradients -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["electron", "nucleus"])
def test_gradients_vs_finite_differences(kind):
    """d/dμ, d/d⟨r²⟩, d/da of the ν̄ cross section (Ã and B̃c) against central differences along
    random Hermitian directions; finite also at T = T_max."""
    rng = np.random.default_rng(29)
    props = EMProperties.create(mu=_herm(rng, 3, 2.0), r2=_herm(rng, 3, 30.0), anapole=_herm(rng, 3, 30.0))
    state = _random_state(rng)
    if kind == "electron":
        Tg = jnp.asarray(T)

        def raw(p):
            return eg._parts_jit(p, state, ENU, Tg, S2, None, flavor="nue", domega=False,
                                 antineutrino=True)
    else:
        Tg = jnp.asarray(np.append(TN, float(kin.t_max(30.0, get_nucleus("Ar40").mass, xp=np))))

        def raw(p):
            return nc._parts_jit(p, state, 30.0, Tg, S2, nucleus="Ar40", skin_fm=0.0, antineutrino=True)
    for part in ("A", "Bc"):
        scale = float(jnp.max(jnp.abs(getattr(raw(props), part))))

        def f(p, part=part, scale=scale):
            return jnp.sum(getattr(raw(p), part)) / scale
        gp = jax.grad(f)(props)
        for leaf in jax.tree_util.tree_leaves(gp):
            assert bool(jnp.all(jnp.isfinite(leaf)))
        for leaf in ("mu", "r2", "anapole"):
            x = getattr(props, leaf)
            d = _herm(rng, 3, 1.0).astype(x.dtype)
            h = 1e-4 * float(jnp.max(jnp.abs(x)))

            def fp(t, leaf=leaf, d=d):
                kw = {k: getattr(props, k) for k in ("mu", "r2", "anapole")}
                kw[leaf] = kw[leaf] + t * d
                return f(EMProperties(**kw))
            fd = (fp(h) - fp(-h)) / (2 * h)
            an = float(jnp.sum(getattr(gp, leaf) * d).real)
            assert an == pytest.approx(float(fd), rel=1e-6, abs=1e-9)


def test_gradient_in_pe_of_antineutrino_state():
    def f(pe):
        s = SpinFlavorState.from_pe_dirac(pe, 0.3, flavor="nuebar", n=1)
        return eg._parts_jit(EMProperties.from_effective(3.0, n=1), s, ENU, 0.1, S2, None, flavor="nuebar",
                             domega=False, antineutrino=True).at(0.1) * 1e24
    h = 1e-6
    assert float(jax.grad(f)(0.3)) == pytest.approx(float((f(0.3 + h) - f(0.3 - h)) / (2 * h)), rel=1e-6)


# --- state convention and errors -------------------------------------------------------------
def test_from_pe_dirac_antineutrino_layout():
    s = SpinFlavorState.from_pe_dirac(0.8, 0.5, flavor="numubar", n=3)
    r = np.asarray(s.rho)
    assert r[1, 1] == pytest.approx(0.8) and r[4, 4] == pytest.approx(0.2)     # ν̄_μR, ν̄_μL
    assert r[4, 1] == pytest.approx(0.4 * np.exp(0.5j))                        # κ = √(Pe(1−Pe)) e^{iφ_B}
    assert np.count_nonzero(np.abs(r) > 0) == 4


def test_flavor_and_switch_must_agree_for_one_flavor():
    p = EMProperties.from_effective(1.0, n=1)
    s = SpinFlavorState.unpolarized(1)
    with pytest.raises(ValueError, match="antineutrino=True"):
        eg.electron_density_matrix_parts(p, s, ENU, 0.1, flavor="nuebar")
    with pytest.raises(ValueError, match="antineutrino=False"):
        eg.electron_density_matrix_parts(p, s, ENU, 0.1, flavor="nue", antineutrino=True)
    with pytest.raises(TypeError, match="bool"):
        eg.electron_density_matrix_parts(p, s, ENU, 0.1, flavor="nuebar", antineutrino="yes")
    with pytest.raises(TypeError, match="bool"):
        nc.nucleus_parts(p, s, 30.0, 1e-3, antineutrino=1)
