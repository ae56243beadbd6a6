"""The Spectrum pytree and its split quadrature (GUIDE §4.7–4.8)."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax.sources import continuum_spectrum, fold, gauss_legendre, line_spectrum

Q = 0.42


def beta_like(n=400):
    g = np.linspace(0.0, Q, n)
    return continuum_spectrum(g, g**2 * (Q - g) ** 2, lines=[0.862, 0.384], line_weights=[0.09, 0.01],
                              flux=5e10, name="test")


def test_normalized_lines_plus_continuum():
    s = beta_like()
    assert float(s.continuum_weight + jnp.sum(s.line_weights)) == pytest.approx(1.0, abs=1e-12)
    assert float(fold(s, lambda e: jnp.ones_like(e))) == pytest.approx(1.0, rel=1e-6)


def test_fold_matches_analytic_moments():
    """⟨E⟩ of the continuum x²(Q−x)² is Q/2; lines add their energies."""
    s = beta_like(4000)
    mean = 0.9 * Q / 2 + 0.09 * 0.862 + 0.01 * 0.384
    assert float(s.mean_energy()) == pytest.approx(mean, rel=1e-6)


def test_quadrature_converges_when_nodes_double():
    s = beta_like()
    f = lambda e: jnp.sqrt(e) * jnp.exp(-e)
    a = fold(s, f, 0.1, n_nodes=24, n_panels=4)
    b = fold(s, f, 0.1, n_nodes=48, n_panels=8)
    assert abs(float(a / b) - 1.0) < 1e-4


def test_moving_lower_limit_derivative():
    """d/dE_min ∫_{E_min} ρ f = −ρ(E_min) f(E_min) for the continuum (no line in between)."""
    s = beta_like()
    f = lambda e: e**2
    e0 = 0.2
    g = jax.grad(lambda e: fold(s, f, e))(e0)
    # exact for exact integration; the quadrature (piecewise-linear density) is good to ~1e-5
    assert float(g) == pytest.approx(-float(s.pdf(e0)) * e0**2, rel=1e-4)


def test_lines_switch_off_below_threshold():
    s = line_spectrum([0.746, 0.426], [0.9, 0.1], name="lines")
    assert float(fold(s, lambda e: e, 0.5)) == pytest.approx(0.9 * 0.746)
    assert float(fold(s, lambda e: e, 0.8)) == 0.0


def test_gradient_pytree_is_not_validated_and_flux_gradient_flows():
    s = beta_like()
    grads = jax.grad(lambda sp: sp.flux * fold(sp, lambda e: -e))(s)   # negative cotangents are fine
    assert float(grads.flux) == pytest.approx(-float(s.mean_energy()), rel=1e-6)
    assert jax.jit(lambda sp: fold(sp, jnp.sqrt))(s).shape == ()


def test_gauss_legendre_integrates_polynomials_exactly():
    x, w = gauss_legendre(8, 3)
    assert float(np.sum(w * x**7)) == pytest.approx(1 / 8, rel=1e-13)


@pytest.mark.parametrize(
    "grid, dens, match",
    [
        ([0.0, 0.2, 0.1], [1.0, 1.0, 1.0], "strictly increasing"),
        ([0.0, 0.1, 0.2], [1.0, -1.0, 1.0], "non-negative"),
        ([0.0, 0.1, 0.2], [1.0, np.nan, 1.0], "NaN"),
        ([0.0, 0.1, 0.2], [0.0, 0.0, 0.0], "integrates to zero"),
        ([0.0], [1.0], "equal length ≥ 2"),
    ],
)
def test_malformed_tables_raise(grid, dens, match):
    with pytest.raises(ValueError, match=match):
        continuum_spectrum(np.array(grid), np.array(dens), name="bad")


def test_validate_catches_bad_fields():
    s = beta_like()
    with pytest.raises(ValueError, match="flux must be non-negative"):
        dataclasses.replace(s, flux=jnp.asarray(-1.0)).validate()
    with pytest.raises(ValueError, match="normalized"):
        dataclasses.replace(s, density=2 * s.density).validate()
    with pytest.raises(ValueError, match="flavor_fractions"):
        dataclasses.replace(s, flavor_fractions=jnp.array([0.5, 0.2, 0.1])).validate()
    with pytest.raises(ValueError, match="weights must be"):
        line_spectrum([1.0, 2.0], [1.0], name="l")


def test_breaks_split_the_quadrature_at_density_steps():
    """A summed β spectrum steps down at its branch endpoints (Spectrum.breaks): the continuum rule
    splits there, so a coarse rule matches a very fine unsplit one; breaks outside the grid raise."""
    import dataclasses

    import pytest

    from nujax.sources import continuum_spectrum, fold, reactor_spectrum

    r = reactor_spectrum()
    assert len(r.breaks) == 6 and all(0.3 < b < 1.3 for b in r.breaks)
    fine = float(fold(dataclasses.replace(r, breaks=()), lambda e: e, n_nodes=400, n_panels=40))
    coarse_split = float(fold(r, lambda e: e, n_nodes=8, n_panels=5))
    coarse_plain = float(fold(dataclasses.replace(r, breaks=()), lambda e: e, n_nodes=8, n_panels=5))
    assert coarse_split == pytest.approx(fine, rel=5e-4)         # 2 % without the split
    assert abs(coarse_plain / fine - 1) > 5 * abs(coarse_split / fine - 1)
    # a moving lower limit above some breaks: the segments below it are empty, no NaN
    above = float(fold(r, lambda e: e, 1.25, n_nodes=8, n_panels=5))
    ref = float(fold(dataclasses.replace(r, breaks=()), lambda e: e, 1.25, n_nodes=400, n_panels=40))
    assert np.isfinite(above) and above == pytest.approx(ref, rel=1e-3)   # 8 × 5 nodes above 1.25 MeV
    g = np.linspace(0.0, 2.0, 21)
    with pytest.raises(ValueError, match="breaks"):
        continuum_spectrum(g, g * (2.0 - g), breaks=(2.5,))
