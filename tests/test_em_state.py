"""EM-property and spin-flavor-state pytrees (seed 002 eqs. (7)–(8), (14), (17)–(19); seed 004 eq. (1))."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import em
from nujax.constants import HBARC2_MEV2_CM2, MU_B
from nujax.em import EMProperties
from nujax.state import SpinFlavorState, state_to_flavor_basis, state_to_mass_basis


# --- EMProperties ----------------------------------------------------------------------------
def test_sm_charge_radii_reproduce_seed002_eq18_19():
    # seed 002 eq. (18) (digits restored per the seeds README): −4.1, −2.4, −1.5 ×10⁻³³ cm²,
    # quoted to two digits; the Bernabéu et al. formula with PDG masses gives 4.14, 2.40, 1.48.
    p = EMProperties.sm_charge_radii()
    r2 = np.diag(np.asarray(p.r2)) * 1e-32
    np.testing.assert_allclose(r2, [-4.1e-33, -2.4e-33, -1.5e-33], atol=0.051e-33)
    np.testing.assert_allclose(np.asarray(p.anapole), -np.asarray(p.r2) / 6.0, rtol=1e-14)  # eq. (19)
    b = EMProperties.sm_charge_radii(sign_convention="bernabeu")
    np.testing.assert_allclose(np.asarray(b.r2), -np.asarray(p.r2))
    assert float(jnp.max(jnp.abs(EMProperties.sm_charge_radii(with_anapole=False).anapole))) == 0.0
    with pytest.raises(ValueError, match="sign_convention"):
        EMProperties.sm_charge_radii(sign_convention="pdg")


def test_sm_radius_plus_anapole_is_the_effective_radius_of_the_radiative_couplings():
    """The ν_L coupling Q^L = c(⟨r²⟩/6 − a) (seed 002 eq. (14)) of the SM radii with their eq. (19)
    anapoles equals c⟨r²⟩_eff/6 with ⟨r²⟩_eff = 2⟨r²⟩ = −G_F/(2√2π²)[3 − 2 ln(m²/M_W²)]; its ν_e − ν_μ
    difference is the flavor splitting of the radiatively corrected ν–proton couplings
    (g_V^p shifts by −Q^L; 0.0401 − 0.0318, nujax.nuclei.NUCLEON_COUPLINGS_RC) to 1 %."""
    import math

    from nujax.constants import ALPHA, G_F
    from nujax.nuclei import NUCLEON_COUPLINGS_RC
    p = EMProperties.sm_charge_radii()
    c = 2.0 * math.sqrt(2.0) * math.pi * ALPHA / G_F
    ql = c * (np.diag(np.asarray(em.r2_natural(p))) / 6 - np.diag(np.asarray(em.anapole_natural(p))))
    r2_eff = 6 * ql / c * HBARC2_MEV2_CM2                                     # cm²
    np.testing.assert_allclose(r2_eff, [-8.28e-33, -4.80e-33, -2.97e-33], atol=0.01e-33)
    gp = NUCLEON_COUPLINGS_RC["p"]
    assert -(ql[0] - ql[1]) == pytest.approx(gp["e"] - gp["mu"], rel=1e-2)
    no_a = EMProperties.sm_charge_radii(with_anapole=False)                   # half of the SM effect
    ql_half = c * np.diag(np.asarray(em.r2_natural(no_a))) / 6
    np.testing.assert_allclose(ql_half, ql / 2, rtol=1e-12)


def test_minimal_dirac_moment_seed004_eq1():
    p = EMProperties.minimal_dirac_moment([0.01, 0.02, 0.05])
    # seed 004 eq. (1): μ ≈ 3.2·10⁻¹⁹ μ_B (m_ν/eV)
    np.testing.assert_allclose(np.diag(np.asarray(p.mu)).real * 1e-11, 3.2e-19 * np.array([0.01, 0.02, 0.05]),
                               rtol=0.01)
    assert p.basis == "mass"


def test_from_effective_and_units():
    p = EMProperties.from_effective(2.5, "nutau")
    assert p.n_flavors == 3 and complex(p.mu[2, 2]) == 2.5 and float(jnp.abs(p.mu).sum()) == 2.5
    assert float(em.mu_bohr(p)[2, 2].real) == pytest.approx(2.5e-11)
    assert float(em.mu_natural(p)[2, 2].real) == pytest.approx(2.5e-11 * MU_B)
    q = EMProperties.create(r2=[[1.0]], anapole=[[2.0]], n=1)
    assert float(em.r2_natural(q)[0, 0]) == pytest.approx(1e-32 / HBARC2_MEV2_CM2)
    assert float(em.anapole_natural(q)[0, 0]) == pytest.approx(2e-32 / HBARC2_MEV2_CM2)
    with pytest.raises(ValueError, match="unknown neutrino flavor"):
        EMProperties.from_effective(1.0, "nux")


@pytest.mark.parametrize("kwargs, match", [
    (dict(mu=[[1.0, 1.0], [0.0, 1.0]]), "N×N matrix with N = 1 or 3"),
    (dict(mu=np.array([[1, 1j, 0], [1j, 1, 0], [0, 0, 1]])), "Dirac μ must be Hermitian"),
    (dict(mu=np.diag([1j, 0, 0]), majorana=True), "Majorana μ has a diagonal"),
    (dict(mu=np.array([[0, 1j, 0], [1j, 0, 0], [0, 0, 0]]), majorana=True), "antisymmetric"),
    (dict(mu=np.array([[0, 1, 0], [-1, 0, 0], [0, 0, 0]]), majorana=True), "purely imaginary"),
    (dict(r2=np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])), "r2 matrix must be Hermitian"),
    (dict(r2=np.diag([-0.4, 0, 0]), majorana=True), "Majorana r2 has a diagonal.*anapole"),
    (dict(r2=np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]]), majorana=True), "r2 must be antisymmetric"),
    (dict(anapole=np.array([[0, 1j, 0], [-1j, 0, 0], [0, 0, 0]]), majorana=True),
     "anapole must be symmetric"),
    (dict(mu=np.diag([np.nan, 0, 0])), "finite"),
    (dict(basis="helicity"), "basis must be"),
])
def test_em_validation_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EMProperties.create(**kwargs)


def test_majorana_real_antisymmetric_allowed_in_mass_basis():
    EMProperties.create(mu=np.array([[0, 1, 0], [-1, 0, 0], [0, 0, 0]]), majorana=True, basis="mass")


def test_majorana_radius_anapole_split_and_sm_preset():
    """Majorana ⟨r²⟩ = 6i Im(Q^L/c), a = −Re(Q^L/c): valid Majorana matrices with the same
    ⟨r²⟩/6 − a (nujax.em); the Majorana SM preset has ⟨r²⟩ = 0, a = a_D − ⟨r²⟩_D/6 = −⟨r²⟩_D/3."""
    rng = np.random.default_rng(3)
    h = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    r2, a = 2.0 * (h + h.conj().T), np.diag([0.3, -0.2, 0.1])
    r2m, am = em.majorana_radius_anapole(r2, a)
    np.testing.assert_allclose(np.asarray(r2m / 6 - am), r2 / 6 - a, atol=1e-14)
    EMProperties.create(r2=r2m, anapole=am, majorana=True)             # validates
    d, m = EMProperties.sm_charge_radii(), EMProperties.sm_charge_radii(majorana=True)
    assert m.majorana and float(jnp.max(jnp.abs(m.r2))) == 0.0
    np.testing.assert_allclose(np.asarray(m.anapole), np.asarray(d.anapole - d.r2 / 6), rtol=1e-15)
    np.testing.assert_allclose(np.diag(m.anapole), -np.diag(d.r2) / 3, rtol=1e-15)
    no_a = EMProperties.sm_charge_radii(with_anapole=False, majorana=True)
    np.testing.assert_allclose(np.diag(no_a.anapole), -np.diag(d.r2) / 6, rtol=1e-15)


def test_majorana_charge_matrices_stay_valid_in_the_mass_basis():
    """A complex U mixes the imaginary antisymmetric and real symmetric parts of U†Q^L U; the
    rotation splits again: valid mass-basis matrices, the same Q^L, and the exact way back."""
    maj = EMProperties.create(r2=[[0, 2j, 0], [-2j, 0, 0.5j], [0, -0.5j, 0]],
                              anapole=np.diag([1.0, 2.0, 3.0]) + 0.5, majorana=True)
    m = em.to_mass_basis(maj).validate()
    U = np.asarray(em.pmns())
    ql = np.asarray(maj.r2 / 6 - maj.anapole)
    np.testing.assert_allclose(np.asarray(m.r2 / 6 - m.anapole), U.conj().T @ ql @ U, atol=1e-13)
    plain = U.conj().T @ np.asarray(maj.r2) @ U                     # δ ≠ 0: not antisymmetric
    assert np.max(np.abs(plain + plain.T)) > 0.1
    back = em.to_flavor_basis(m)
    np.testing.assert_allclose(np.asarray(back.r2), np.asarray(maj.r2), atol=1e-13)
    np.testing.assert_allclose(np.asarray(back.anapole), np.asarray(maj.anapole), atol=1e-13)


def test_pmns_and_basis_round_trip():
    U = em.pmns()
    np.testing.assert_allclose(np.asarray(U @ U.conj().T), np.eye(3), atol=1e-12)
    assert abs(complex(U[0, 2])) ** 2 == pytest.approx(em.NUFIT60_NO["sin2_13"])
    rng = np.random.default_rng(0)
    h = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    dirac = EMProperties.create(mu=h + h.conj().T, r2=np.diag([1.0, 2.0, 3.0]))
    back = em.to_flavor_basis(em.to_mass_basis(dirac))
    np.testing.assert_allclose(np.asarray(back.mu), np.asarray(dirac.mu), atol=1e-12)
    maj = EMProperties.majorana_transition(2.0)
    m = em.to_mass_basis(maj)
    assert m.basis == "mass"
    m.validate()                                                    # still antisymmetric
    np.testing.assert_allclose(np.asarray(em.to_flavor_basis(m).mu), np.asarray(maj.mu), atol=1e-12)


def test_em_is_a_pytree_for_grad_and_jit():
    p = EMProperties.from_effective(2.0, n=1)

    def f(q):
        return jnp.sum(jnp.abs(q.mu) ** 2) + jnp.sum(q.r2)

    g = jax.grad(f)(p)
    assert isinstance(g, EMProperties) and g.majorana is False
    assert float(jax.jit(f)(p)) == pytest.approx(4.0)
    leaves, treedef = jax.tree_util.tree_flatten(p)
    assert len(leaves) == 4 and dataclasses.is_dataclass(jax.tree_util.tree_unflatten(treedef, leaves))


# --- SpinFlavorState -------------------------------------------------------------------------
def test_blocks_follow_seed002_eq8():
    rng = np.random.default_rng(1)
    g = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    rho = g @ g.conj().T
    s = SpinFlavorState.create(rho / np.trace(rho))
    # ρ = ½(ρ̃𝟙 + ζ·σ̂) block by block, basis (ν_R, ν_L)
    again = SpinFlavorState.from_components(s.rho_tilde, s.zeta_par, s.zeta_x, s.zeta_y)
    np.testing.assert_allclose(np.asarray(again.rho), np.asarray(s.rho), atol=1e-14)
    np.testing.assert_allclose(np.asarray(s.kappa), 0.5 * np.asarray(s.zeta_x + 1j * s.zeta_y), atol=1e-14)
    assert complex(jnp.trace(s.rho_tilde)) == pytest.approx(1.0)
    for z in (s.zeta_x, s.zeta_y, s.zeta_par):
        np.testing.assert_allclose(np.asarray(z), np.asarray(z).conj().T, atol=1e-14)


def test_constructors():
    lh = SpinFlavorState.left_handed("numu")
    assert complex(lh.zeta_par[1, 1]) == -1.0 and complex(lh.rho_tilde[1, 1]) == 1.0
    assert float(jnp.abs(lh.kappa).sum()) == 0.0
    un = SpinFlavorState.unpolarized(3).validate()
    np.testing.assert_allclose(np.asarray(un.rho_tilde), np.eye(3) / 3)
    for pe in (0.0, 0.2, 0.5, 1.0):
        s = SpinFlavorState.from_pe_dirac(pe, phi_B=0.4, n=1).validate()
        xi = complex(s.zeta_x[0, 0] + 1j * s.zeta_y[0, 0])
        assert abs(xi) == pytest.approx(2 * np.sqrt(pe * (1 - pe)), abs=1e-14)   # seed 000 |ξ⊥|
        if 0 < pe < 1:
            assert np.angle(xi) == pytest.approx(0.4)
        assert complex(s.rho_LL[0, 0]) == pytest.approx(pe)
    m = SpinFlavorState.from_pe_majorana(0.3, phi_B=0.0).validate()
    # ν_eL ↔ ν̄_μR: |ζ⊥^{eμ̄}| = 2√(Pe P_μ̄) (seed 000 eq. (10))
    assert abs(complex(2 * m.kappa[0, 1])) == pytest.approx(2 * np.sqrt(0.3 * 0.7))
    assert complex(m.rho_RR[1, 1]) == pytest.approx(0.7)
    t = SpinFlavorState.transverse(None, n=3, phi_B=1.0).validate()
    np.testing.assert_allclose(np.asarray(t.zeta_par), 0.0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(jnp.abs(t.zeta_x + 1j * t.zeta_y)), np.eye(3) / 3, atol=1e-15)
    a = SpinFlavorState.from_amplitude([0, 0, 1j, 0, 0, 1.0])          # ν_eR-ish + ν_τL superposition
    assert complex(jnp.trace(a.rho)) == pytest.approx(1.0)


def test_pe_gradient_is_finite():
    def f(pe):
        return jnp.abs(SpinFlavorState.from_pe_dirac(pe, n=1).kappa[0, 0])
    assert float(jax.grad(f)(0.3)) == pytest.approx((1 - 2 * 0.3) / (2 * np.sqrt(0.21)))
    assert np.isfinite(float(jax.grad(f)(1.0)))


def test_state_basis_round_trip():
    s = SpinFlavorState.from_pe_majorana(0.4, 0.3)
    for maj in (False, True):
        m = state_to_mass_basis(s, majorana=maj)
        m.validate()
        back = state_to_flavor_basis(m, majorana=maj)
        np.testing.assert_allclose(np.asarray(back.rho), np.asarray(s.rho), atol=1e-12)


@pytest.mark.parametrize("rho, match", [
    (np.array([[0.5, 0.3], [0.1, 0.5]]), "Hermitian"),
    (np.eye(2) * 0.6, "unit trace"),
    (np.array([[1.2, 0.0], [0.0, -0.2]]), "positive semidefinite"),
    (np.eye(4) / 4, "2N = "),
])
def test_state_validation_errors(rho, match):
    with pytest.raises(ValueError, match=match.replace("2N = ", "with N = 1 or 3")):
        SpinFlavorState.create(rho)


def test_state_flavor_errors():
    with pytest.raises(ValueError, match="unknown neutrino flavor"):
        SpinFlavorState.left_handed("nu_x")
    with pytest.raises(ValueError, match="neutrino flavor here"):
        SpinFlavorState.left_handed("nuebar")
    with pytest.raises(ValueError, match="another flavor"):
        SpinFlavorState.from_pe_majorana(0.5, partner="nuebar")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SpinFlavorState.from_pe_dirac(1.5)
