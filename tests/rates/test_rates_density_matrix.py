"""Density-matrix (seed 002) event rates: reduction to seed 000, gradients in the EM pytree and the
state, positivity, validation and retracing of nujax.rates.density_matrix."""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import rates
from nujax.rates import density_matrix as rates_dm
from nujax.detector import make_detector, preset
from nujax.em import EMProperties
from nujax.sources.solar import solar_component
from nujax.sources.spectrum import continuum_spectrum
from nujax.state import SpinFlavorState

PP = solar_component("pp")
BE7 = solar_component("7Be")
SPECS = (PP, BE7)
HELLAZ = preset("hellaz")
T_EDGES = jnp.linspace(0.1, 0.7, 13)
PHI_EDGES = jnp.linspace(0.0, 2 * math.pi, 13)
COS_EDGES = jnp.linspace(-1.0, 1.0, 6)
S2 = 0.23


def _dm(props, state, **kw):
    return rates_dm.expected_counts_density_matrix(SPECS, HELLAZ, T_EDGES, PHI_EDGES, props, state, sin2w=S2, **kw)


def _three_flavor(r2=-0.4, ana=0.07, mu=3.0):
    """N = 3 Dirac moments with a charge radius and an anapole, and a partly transverse ν_e beam."""
    r2m = jnp.diag(jnp.array([r2, -0.24, -0.15]))
    am = jnp.diag(jnp.array([ana, 0.04, 0.02]))
    props = EMProperties.create(mu=jnp.diag(jnp.array([mu, 1.0, 0.5])).astype(complex), r2=r2m,
                                anapole=am)
    pure = SpinFlavorState.from_pe_dirac(0.35, 0.6, flavor="nue", n=3).rho
    return props, SpinFlavorState.create(0.8 * pure + 0.2 * jnp.eye(6) / 6)   # mixed: room for FD


@pytest.mark.parametrize("cos_edges,smear", [(None, False), (COS_EDGES, False), (COS_EDGES, True)])
def test_reduces_to_seed000_counts(cos_edges, smear):
    mu, pe, phb = 3.0, 0.4, 0.7
    old = rates.expected_counts(SPECS, HELLAZ, T_EDGES, PHI_EDGES, mu, pe, phb, sin2w=S2,
                                cos_edges=cos_edges, polar_smearing=smear)
    new = _dm(EMProperties.from_effective(mu, n=1), SpinFlavorState.from_pe_dirac(pe, phb, n=1),
              cos_edges=cos_edges, polar_smearing=smear)
    assert new.shape == old.shape
    np.testing.assert_allclose(new, old, rtol=1e-10, atol=1e-12 * float(old.max()))


def test_reduces_to_seed000_majorana_and_dN_dT():
    # Majorana transition ν_e → ν̄_μ (seed 000 eqs. (7)–(10)) with its three-flavor state
    # (the imaginary CP-conserving μ_eμ turns the asymmetry axis by 90°: seed-000 φ_B = arg κ − π/2)
    mu, pe, phb = 2.0, 0.3, 1.1
    old = rates.expected_counts(SPECS, HELLAZ, T_EDGES, PHI_EDGES, mu, pe, phb - math.pi / 2,
                                sin2w=S2, kind="majorana")
    new = _dm(EMProperties.majorana_transition(mu), SpinFlavorState.from_pe_majorana(pe, phb))
    np.testing.assert_allclose(new, old, rtol=1e-10, atol=1e-12 * float(old.max()))
    T = jnp.linspace(0.05, 0.7, 41)
    a = rates.dN_dT(SPECS, HELLAZ, T, 3.0, 0.4, sin2w=S2)
    b = rates_dm.dN_dT_density_matrix(SPECS, HELLAZ, T, EMProperties.from_effective(3.0, n=1),
                          SpinFlavorState.from_pe_dirac(0.4, 0.7, n=1), sin2w=S2)
    np.testing.assert_allclose(b, a.weak + a.em, rtol=1e-10, atol=1e-12 * float(b.max()))


def test_phi_sum_and_parts():
    props, state = _three_flavor()
    N = _dm(props, state)
    parts = rates_dm.binned_parts_density_matrix(SPECS, HELLAZ, T_EDGES, props, state, sin2w=S2)
    np.testing.assert_allclose(N.sum(axis=1), 2 * math.pi * parts.A, rtol=1e-12)
    # the transverse part of this state is at φ_B = 0.6: cos(φ − φ_B) ⇒ Bs/Bc = tan 0.6
    np.testing.assert_allclose(parts.Bs / parts.Bc, math.tan(0.6), rtol=1e-9)


def test_gradients_in_em_pytree_and_state_vs_finite_differences():
    props, state = _three_flavor()
    w = jnp.asarray(np.random.default_rng(1).uniform(size=(12, 12)))

    def loss(p, s):
        return jnp.sum(w * _dm(p, s))

    gp, gs = jax.grad(loss, argnums=(0, 1))(props, state)
    assert isinstance(gp, EMProperties) and isinstance(gs, SpinFlavorState)
    h = 1e-4

    def fd(field, i, j):
        def at(x):
            m = getattr(props, field).at[i, j].add(x)
            return loss(dataclasses.replace(props, **{field: m}), state)
        return (at(h) - at(-h)) / (2 * h)

    for field, (i, j) in (("r2", (0, 0)), ("anapole", (0, 0))):
        g = float(getattr(gp, field)[i, j])
        assert g != 0.0
        assert g == pytest.approx(float(fd(field, i, j)), rel=1e-6), field
    assert float(jnp.real(gp.mu[0, 0])) == pytest.approx(float(fd("mu", 0, 0)), rel=1e-6)
    # state: directional derivative along a Hermitian, traceless direction D (rotating κ)
    D = jnp.zeros((6, 6), complex).at[3, 0].set(1j).at[0, 3].set(-1j)
    fdd = (loss(props, SpinFlavorState(state.rho + h * D)) - loss(props, SpinFlavorState(state.rho - h * D))) / (2 * h)
    assert float(jnp.real(jnp.sum(gs.rho * D))) == pytest.approx(float(fdd), rel=1e-6)


def test_gradient_through_state_constructor():
    props = EMProperties.from_effective(3.0, n=1)

    def f(pe, phb):
        s = SpinFlavorState.from_pe_dirac(pe, phb, n=1)
        return jnp.sum(jnp.sin(jnp.arange(144.0)).reshape(12, 12) * _dm(props, s))

    g = jax.grad(f, argnums=(0, 1))(0.4, 0.7)
    h = 1e-5
    assert float(g[0]) == pytest.approx(float((f(0.4 + h, 0.7) - f(0.4 - h, 0.7)) / (2 * h)), rel=1e-5)
    assert float(g[1]) == pytest.approx(float((f(0.4, 0.7 + h) - f(0.4, 0.7 - h)) / (2 * h)), rel=1e-5)


def _random_physical(rng):
    a = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    rho = a @ a.conj().T
    m = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    r = rng.normal(size=(3, 3))
    return (EMProperties.create(mu=3 * (m + m.conj().T), r2=r + r.T, anapole=0.5 * (r - r.T) ** 2),
            SpinFlavorState.create(rho / np.trace(rho)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_nonnegative_for_physical_states(seed):
    props, state = _random_physical(np.random.default_rng(seed))
    fine_phi = jnp.linspace(0.0, 2 * math.pi, 73)
    N = rates_dm.expected_counts_density_matrix(SPECS, HELLAZ, T_EDGES, fine_phi, props, state, sin2w=S2,
                                    cos_edges=COS_EDGES)
    assert float(N.min()) >= 0.0 and float(N.sum()) > 0.0


def test_bad_state_and_inputs_raise():
    props = EMProperties.from_effective(3.0, n=1)
    good = SpinFlavorState.from_pe_dirac(0.5, n=1)
    with pytest.raises(ValueError, match="Hermitian"):
        _dm(props, SpinFlavorState(jnp.array([[0.5, 0.3], [0.1, 0.5]], complex)))
    with pytest.raises(ValueError, match="unit trace"):
        _dm(props, SpinFlavorState(jnp.array([[0.5, 0.0], [0.0, 0.7]], complex)))
    with pytest.raises(ValueError, match="positive"):
        _dm(props, SpinFlavorState(jnp.array([[1.5, 0.0], [0.0, -0.5]], complex)))
    with pytest.raises(ValueError, match="flavors"):
        _dm(EMProperties.from_effective(3.0), good)
    with pytest.raises(ValueError, match="Hermitian"):
        _dm(dataclasses.replace(EMProperties.from_effective(3.0), r2=jnp.zeros((3, 3)).at[0, 1].set(1.0)),
            SpinFlavorState.from_pe_dirac(0.5))
    with pytest.raises(TypeError, match="SpinFlavorState"):
        _dm(props, good.rho)
    with pytest.raises(ValueError, match="lepton of an N = 1 state"):
        rates_dm.expected_counts_density_matrix(SPECS, HELLAZ, T_EDGES, PHI_EDGES, props, good,
                                                flavor="nuebar")
    with pytest.raises(ValueError, match="phi_edges"):
        rates_dm.expected_counts_density_matrix(SPECS, HELLAZ, T_EDGES, PHI_EDGES[::-1], props, good)
    with pytest.raises(ValueError, match="T_edges"):
        rates_dm.expected_counts_density_matrix(SPECS, HELLAZ, T_EDGES[::-1], PHI_EDGES, props, good)


def test_no_retrace_on_new_values():
    props, state = _three_flavor()
    _dm(props, state)
    n0 = rates_dm._counts_jit._cache_size()
    p2, s2 = _three_flavor(r2=0.3, ana=-0.1, mu=1.5)
    _dm(p2, SpinFlavorState.from_pe_dirac(0.8, 2.0, n=3))
    _dm(p2, s2)
    rates_dm.expected_counts_density_matrix(SPECS, preset("hellaz", mass_t=3.0), T_EDGES, PHI_EDGES, p2, s2, sin2w=0.24)
    assert rates_dm._counts_jit._cache_size() == n0


def test_threshold_above_endpoint_zero_and_finite_gradient():
    det = make_detector("he_ch4", mass_t=6.0, threshold=5.0)
    props, state = _three_flavor()
    f = lambda p: jnp.sum(rates_dm.expected_counts_density_matrix(SPECS, det, T_EDGES, PHI_EDGES, p, state, sin2w=S2))
    assert float(f(props)) == 0.0
    g = jax.grad(f)(props)
    assert all(float(jnp.max(jnp.abs(x))) == 0.0 for x in jax.tree_util.tree_leaves(g))


def test_float32_agrees(float32_matches):
    def run():
        p = EMProperties.from_effective(3.0, n=1)
        s = SpinFlavorState.from_pe_dirac(0.4, 0.7, n=1)
        return np.asarray(rates_dm.expected_counts_density_matrix((solar_component("pp"), solar_component("7Be")),
                                                      preset("hellaz"), T_EDGES, PHI_EDGES, p, s, sin2w=S2))

    float32_matches(run, rtol=1e-4)


def test_incoherent_solar_state_equals_compact_rate_with_effective_moment():
    """Issue 13: with ``state=None`` a spectrum scatters as its own incoherent content; for an
    MSW-oscillated ⁷Be beam (mass eigenstates) the density-matrix counts equal the compact counts
    built from the arriving flavor content (P_ee) and μ_eff²(Eν) = Σ_i P_i Σ_j |μ_ji|² (mass basis,
    Giunti & Studenikin, Rev. Mod. Phys. 87 (2015) 531); flavor- and mass-basis descriptions of
    the same moments agree."""
    from nujax.em import to_mass_basis
    from nujax.sources import line_spectrum

    det = preset("xenon_tpc", smearing=False)
    be7 = solar_component("7Be", oscillation="msw")
    edges = np.linspace(0.01, 0.6, 6)
    mu = np.diag([2.0, 1.0, 0.5]).astype(complex)
    mu[0, 1] = mu[1, 0] = 0.7
    props = EMProperties.create(mu=mu, n=3)
    dm = rates.binned_parts_density_matrix(be7, det, edges, props, None)
    dm_mass = rates.binned_parts_density_matrix(be7, det, edges, to_mass_basis(props), None)
    np.testing.assert_allclose(dm_mass.A, dm.A, rtol=1e-10)
    m = np.asarray(to_mass_basis(props).mu)
    a = be7.arrival
    compact = 0.0
    for E, w in zip(np.asarray(be7.line_energies), np.asarray(be7.line_weights)):
        line = line_spectrum([E], [1.0], flux=float(be7.flux) * w).with_arrival(*a)
        P = [np.interp(E, np.asarray(a.energies), np.asarray(a.mass)[:, k]) for k in range(3)]
        mu_eff2 = sum(P[i] * np.sum(np.abs(m[:, i]) ** 2) for i in range(3))
        t = rates.binned_templates(line, det, edges)
        compact = compact + np.asarray(t.weak) + mu_eff2 * np.asarray(t.em)
    np.testing.assert_allclose(dm.A, compact, rtol=1e-10)
    np.testing.assert_allclose(dm.Bc, 0.0, atol=1e-12 * float(np.max(dm.A)))  # incoherent: no modulation


@pytest.mark.parametrize("pe, phi_B", [(1.0, 0.0), (0.6, 0.4)])
def test_reactor_antineutrinos_through_the_density_matrix(pe, phi_B):
    """Issue 13 item 7: a Dirac ν̄_e reactor spectrum through the density-matrix rates (the ν̄
    convention of nujax.xsec.electron_density_matrix) equals the compact ν̄ rates, including the
    sign of the interference; a reactor charge-radius model builds without a workaround."""
    from nujax.inference import density_matrix_em_model
    from nujax.sources import get_source

    re = get_source("reactor", power_gw=3.0, distance_cm=2800.0)[0]
    det = make_detector("germanium", mass_t=1e-3, live_time_yr=0.5, threshold=0.01)
    edges, phi = jnp.linspace(0.01, 0.1, 5), jnp.linspace(0.0, 2 * jnp.pi, 5)
    compact = rates.expected_counts(re, det, edges, phi, 10.0, pe, phi_B, flavor="nuebar")
    state = SpinFlavorState.from_pe_dirac(pe, phi_B, flavor="nuebar", n=1)
    dm = rates_dm.expected_counts_density_matrix(re, det, edges, phi,
                                                 EMProperties.from_effective(10.0, n=1), state)
    np.testing.assert_allclose(dm, compact, rtol=1e-12)
    if pe == 1.0:
        model = density_matrix_em_model(re, det, edges, None, state, {"r2_ee": ("r2", 0, 0)})
        assert model.em_names == ("r2_ee",) and float(jnp.max(jnp.abs(model.em_lin))) > 0
