"""Effective magnetic moment μ_eff² (nujax.effective_moment): limits, basis independence, gradients,
and agreement with the density-matrix rates."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import nujax
from nujax.effective_moment import effective_moment_squared
from nujax.em import EMProperties, pmns, to_mass_basis

nujax.enable_x64()

RNG = np.random.default_rng(13)
A = RNG.normal(size=(3, 3)) + 1j * RNG.normal(size=(3, 3))
DIRAC = A + A.conj().T                                   # Hermitian
B = RNG.normal(size=(3, 3))
MAJ = 1j * (B - B.T)                                     # imaginary antisymmetric (flavor basis)


def _props(majorana):
    return EMProperties.create(mu=MAJ if majorana else DIRAC, majorana=majorana)


def test_pure_flavor_diagonal_reproduces_the_entry():
    for fl, k in (("nue", 0), ("numu", 1), ("nutau", 2)):
        p = EMProperties.from_effective(2.5, fl)
        assert float(effective_moment_squared(p, flavor=fl)) == pytest.approx(6.25, rel=1e-12)
        other = ("numu" if fl == "nue" else "nue")
        assert float(effective_moment_squared(p, flavor=other)) == pytest.approx(0.0, abs=1e-14)
    p1 = EMProperties.from_effective(3.0, n=1)                      # N = 1: seed 000/001 effective μ
    assert float(effective_moment_squared(p1, flavor="nue")) == pytest.approx(9.0)


@pytest.mark.parametrize("majorana", [False, True])
def test_flavor_and_mass_basis_agree(majorana):
    pf = _props(majorana)
    pm = to_mass_basis(pf)
    P = jnp.asarray([0.55, 0.43, 0.02])
    E = jnp.linspace(1.0, 8.0, 9)
    for kw in (dict(mass_probabilities=P), dict(flavor="nue"), dict(flavor="numubar"),
               dict(baseline_m=52500.0, enu=E), dict(baseline_m=300.0, enu=E, flavor="numu")):
        a, b = effective_moment_squared(pf, **kw), effective_moment_squared(pm, **kw)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("majorana", [False, True])
def test_reactor_short_baseline_and_incoherent_limits(majorana):
    pf = _props(majorana)
    mu = np.asarray(pf.mu)
    want = np.sum(np.abs(mu[0, :]) ** 2)                           # Σ_k |μ_ek|², flavor basis
    got = effective_moment_squared(pf, baseline_m=0.0, enu=jnp.asarray([0.5, 3.0]))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10)
    assert float(effective_moment_squared(pf, flavor="nuebar")) == pytest.approx(want, rel=1e-10)
    # an incoherent mixture with P_i = |U_ei|² equals the L → ∞ average of the coherent value
    U = np.asarray(pmns())
    inc = float(effective_moment_squared(pf, mass_probabilities=jnp.asarray(np.abs(U[0]) ** 2)))
    E = jnp.linspace(2.0, 2.5, 20001)
    coh = float(jnp.mean(effective_moment_squared(pf, baseline_m=1.0e7, enu=E)))
    assert coh == pytest.approx(inc, rel=2e-2)


def test_gradients_match_finite_differences():
    pf = _props(False)
    E = jnp.asarray([1.5, 4.0])

    def f(mu):
        p = EMProperties(mu, pf.r2, pf.anapole, majorana=False)
        return jnp.sum(effective_moment_squared(p, baseline_m=52500.0, enu=E)
                       + effective_moment_squared(p, mass_probabilities=jnp.asarray([0.5, 0.4, 0.1])))

    mu0 = jnp.asarray(pf.mu)
    g = jax.grad(f)(mu0)
    h = 1e-6
    for i in range(3):
        for j in range(3):
            for d in (1.0, 1j):
                e = jnp.zeros((3, 3), complex).at[i, j].set(d)
                fd = (f(mu0 + h * e) - f(mu0 - h * e)) / (2 * h)
                # directional derivative along e: Re(g·e) (JAX returns ∂f/∂Re μ − i ∂f/∂Im μ for real f)
                an = float(jnp.real(jnp.sum(g * e)))
                assert an == pytest.approx(float(fd), rel=1e-6, abs=1e-8)


def test_density_matrix_rate_equals_compact_rate_times_mu_eff2():
    from nujax.detector import preset
    from nujax.rates import binned_templates, expected_counts_density_matrix
    from nujax.sources.solar import solar_component
    from nujax.state import SpinFlavorState

    src, det = solar_component("7Be"), preset("hellaz")
    T = jnp.asarray([0.05, 0.2, 0.4, 0.6])
    phi = jnp.linspace(0.0, 2 * np.pi, 5)
    pf = EMProperties.create(mu=DIRAC)
    state = SpinFlavorState.left_handed("nue", n=3)
    n_mu = expected_counts_density_matrix(src, det, T, phi, pf, state, sin2w=0.23)
    n_0 = expected_counts_density_matrix(src, det, T, phi, EMProperties.zero(3), state, sin2w=0.23)
    magnetic = np.asarray(jnp.sum(n_mu - n_0, axis=-1))
    tpl = binned_templates(src, det, T, sin2w=0.23, flavor="nue")
    compact = 2 * np.pi * np.asarray(tpl.em) * float(effective_moment_squared(pf, flavor="nue"))
    np.testing.assert_allclose(magnetic, compact, rtol=1e-6)
