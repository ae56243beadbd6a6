"""Inference beyond the single effective moment: Pe as a fit parameter, randomized auxiliary
measurements, quadratic EM-parameter models (charge radius, anapole), toy limits, NUTS diagnostics."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax.em import EMProperties
from nujax.inference import (ConvergenceWarning, Observation, asimov_data, build_model,
                             coverage_fraction, expected, fisher_matrix, fit_mle, log_likelihood,
                             nll_and_grad, parameter_errors, profile_upper_limit,
                             quadratic_em_model, toy_data, toy_upper_limit)
from nujax.inference.nuts import run_nuts
from nujax.sources import gauss_legendre
from nujax.state import SpinFlavorState
from nujax.xsec.electron_density_matrix import electron_density_matrix_parts

T_EDGES = np.linspace(0.1, 0.26, 4)
PHI_EDGES = np.linspace(0.0, 2 * np.pi, 7)


@pytest.fixture(scope="module")
def m05(pp, det):
    return build_model(pp, det, T_EDGES, PHI_EDGES, pe=0.5, norm_sigma=0.05, bkg_sigma=0.1)


# --- Pe -------------------------------------------------------------------------------------
def test_pe_rescaling_equals_rebuilt_templates(pp, det, m05):
    """weak ∝ Pe and interference ∝ 2√(Pe(1−Pe)) (seed 000 eqs. (2), (5)): rescaled == rebuilt."""
    assert m05.pe_scalable
    m03 = build_model(pp, det, T_EDGES, PHI_EDGES, pe=0.3, norm_sigma=0.05, bkg_sigma=0.1)
    p = {"mu_1e11": 4.0, "phi_B": 0.7}
    np.testing.assert_allclose(expected(m05, {**p, "pe": 0.3}), expected(m03, p), rtol=1e-10)


def test_pe_fit_and_gradient(m05):
    truth = {"mu_1e11": 30.0, "phi_B": 0.4, "pe": 0.35}
    data = asimov_data(m05.scaled(100.0), truth)
    res = fit_mle(m05.scaled(100.0), data, free=("mu_1e11", "phi_B", "pe"), tol=1e-7,
                  init={"pe": 0.5, "mu_1e11": 20.0})
    assert bool(res.converged)
    assert abs(float(res.params["pe"]) - 0.35) < 1e-5
    assert abs(float(res.params["mu_1e11"]) - 30.0) < 1e-3
    d = asimov_data(m05, truth)
    _, g = nll_and_grad(m05, d, {"mu_1e11": 3.0, "pe": 0.4})
    h = 1e-6
    f = lambda pe: float(nll_and_grad(m05, d, {"mu_1e11": 3.0, "pe": pe})[0])  # noqa: E731
    assert float(g["pe"]) == pytest.approx((f(0.4 + h) - f(0.4 - h)) / (2 * h), rel=1e-5)
    # finite gradients at the ends of the physical range Pe ∈ {0, 1} (|ξ⊥| guarded)
    for pe in (0.0, 1.0):
        _, g = nll_and_grad(m05, d, {"mu_1e11": 3.0, "pe": pe})
        assert all(np.all(np.isfinite(np.asarray(v))) for v in g.values())


def test_pe_refused_where_not_exact(pp, det):
    m1 = build_model(pp, det, T_EDGES, PHI_EDGES, pe=1.0)
    assert not m1.pe_scalable          # no interference template at Pe = 1
    with pytest.raises(ValueError, match="cannot refit 'pe'"):
        expected(m1, {"pe": 0.5})
    mm = build_model(pp, det, T_EDGES, PHI_EDGES, pe=0.5, kind="majorana")
    assert not mm.pe_scalable          # Majorana: the converted ν̄ scatters weakly too (eq. (7))
    m05 = build_model(pp, det, T_EDGES, PHI_EDGES, pe=0.5)
    with pytest.raises(ValueError, match="probability"):
        expected(m05, {"pe": 1.5})


# --- auxiliary measurements --------------------------------------------------------------
def test_randomized_auxiliary_measurements(m05):
    truth = {"mu_1e11": 2.0, "phi_B": 0.3, "norm": jnp.asarray([1.02]), "bkg_scale": 0.9}
    obs = toy_data(jax.random.PRNGKey(1), m05, truth, 4000, randomize_aux=True)
    assert isinstance(obs, Observation)
    assert obs.counts.shape == (4000,) + m05.bin_shape
    nrm = np.asarray(obs.aux["norm"])[:, 0]
    assert abs(nrm.mean() - 1.02) < 4 * 0.05 / np.sqrt(4000)
    assert nrm.std() == pytest.approx(0.05, rel=0.05)
    assert np.asarray(obs.aux["bkg_scale"]).std() == pytest.approx(0.1, rel=0.05)
    # a measured auxiliary value moves the constraint's centre
    one = Observation(obs.counts[0], {"norm": jnp.asarray([1.1])})
    p = {"mu_1e11": 2.0, "norm": jnp.asarray([1.1])}
    assert float(log_likelihood(m05, p, one)) > float(log_likelihood(m05, p, obs.counts[0]))
    with pytest.raises(ValueError, match="unknown auxiliary"):
        log_likelihood(m05, p, Observation(obs.counts[0], {"flux": 1.0}))


def test_fit_on_observation_recovers_measured_aux(m05):
    """Asimov counts at nominal flux but an auxiliary flux measurement of 1.04: the fitted
    normalisation is pulled between them; with the measurement at 1 it stays at 1."""
    d = asimov_data(m05, {"mu_1e11": 3.0, "phi_B": 0.5})
    free = ("mu_1e11", "phi_B", "norm", "bkg_scale")
    r1 = fit_mle(m05, Observation(d, {"norm": jnp.asarray([1.0])}), free=free, tol=1e-8)
    r2 = fit_mle(m05, Observation(d, {"norm": jnp.asarray([1.04])}), free=free, tol=1e-8)
    assert abs(float(r1.params["norm"][0]) - 1.0) < 1e-6
    assert 1.0 < float(r2.params["norm"][0]) < 1.04


def test_coverage_with_randomized_aux(pp, det):
    model = build_model(pp, det, T_EDGES, pe=0.5, norm_sigma=0.05, bkg_sigma=0.1).scaled(50.0)
    n = 300
    frac, se = coverage_fraction(jax.random.PRNGKey(7), model, {"mu_1e11": 6.0},
                                 n_toys=n, randomize_aux=True)
    assert abs(frac - 0.9) < 3.5 * se, (frac, se)


# --- toy limits ----------------------------------------------------------------------------
def test_toy_limit_matches_asymptotic_in_large_sample(pp, det):
    """With many events and μ away from 0 the Neyman toy limit equals the asymptotic one
    (Cowan et al. 2011) within the toys' Monte-Carlo error."""
    model = build_model(pp, det, T_EDGES, pe=0.5, norm_sigma=0.01, bkg_sigma=0.1).scaled(200.0)
    data = asimov_data(model, {"mu_1e11": 8.0})
    up_asym, mu_hat = profile_upper_limit(model, data)[:2]
    grid = np.linspace(float(mu_hat), float(mu_hat) + 2.0 * (up_asym - float(mu_hat)), 6)
    up_toy, p = toy_upper_limit(jax.random.PRNGKey(3), model, data, grid, n_toys=200)
    assert np.all(np.diff(p) <= 0.12)             # p-values fall along the grid (MC noise allowed)
    assert up_toy == pytest.approx(up_asym, rel=0.08)
    with pytest.raises(ValueError, match="extend the grid"):
        toy_upper_limit(jax.random.PRNGKey(3), model, data, grid[:2], n_toys=50)


# --- quadratic EM models ------------------------------------------------------------------
ENU = 0.862          # ⁷Be line [MeV]
TB = np.linspace(0.05, 0.6, 7)


def _dm_counts(pe=0.5, phi_B=0.0):
    """Counts per T bin for a ⁷Be line on electrons through the seed-002 cross section, as a
    function of θ = (μ_ee [10⁻¹¹ μ_B], ⟨r²⟩_ee, a_ee [10⁻³² cm²]); scaled to ~2000 SM events."""
    u, w = gauss_legendre(8)
    T = (TB[:-1, None] + u[None, :] * np.diff(TB)[:, None])
    W = w[None, :] * np.diff(TB)[:, None]
    state = SpinFlavorState.from_pe_dirac(pe, phi_B, flavor="nue", n=1)

    def raw(th):
        props = EMProperties(jnp.eye(1) * th[0] + 0j, jnp.eye(1) * th[1], jnp.eye(1) * th[2],
                             majorana=False, basis="flavor")
        parts = electron_density_matrix_parts(props, state, ENU, jnp.asarray(T), flavor="nue")
        return (2 * np.pi * jnp.sum(W * parts.A, axis=1))[None, :]

    scale = 2000.0 / float(jnp.sum(raw(jnp.zeros(3))))
    return lambda th: scale * raw(th)


def test_quadratic_em_model_is_exact_and_fits_a_charge_radius():
    fn = _dm_counts()
    bkg = jnp.full(len(TB) - 1, 20.0)
    m = quadratic_em_model(fn, ("mu_ee", "r2_ee", "a_ee"), bkg, norm_sigma=0.01)
    th = jnp.asarray([3.0, -1.5, 0.4])
    p = dict(zip(m.em_names, th))
    np.testing.assert_allclose(expected(m, p), fn(th)[0] + bkg, rtol=1e-10)
    data = asimov_data(m, {"r2_ee": 2.0})
    res = fit_mle(m, data, free=("r2_ee",), tol=1e-9)
    assert abs(float(res.params["r2_ee"]) - 2.0) < 1e-6
    # gradient fed to the fits vs central differences
    _, g = nll_and_grad(m, data, {"r2_ee": 1.0, "a_ee": 0.2})
    h = 1e-5
    f = lambda a: float(nll_and_grad(m, data, {"r2_ee": 1.0, "a_ee": a})[0])  # noqa: E731
    assert float(g["a_ee"]) == pytest.approx((f(0.2 + h) - f(0.2 - h)) / (2 * h), rel=1e-6)
    # a charge radius and an anapole enter ν_L e only via ⟨r²⟩/6 − a (seed 002 eq. (14)) at μ = 0:
    F, _ = fisher_matrix(m, {}, ("r2_ee", "a_ee"))
    corr = float(F[0, 1] / jnp.sqrt(F[0, 0] * F[1, 1]))
    assert abs(corr) > 0.9
    assert np.all(np.isfinite(np.asarray(parameter_errors(fisher_matrix(m, {}, ("r2_ee",))[0]))))


def test_quadratic_em_model_bad_input():
    fn = _dm_counts()
    bkg = jnp.zeros(len(TB) - 1)
    with pytest.raises(ValueError, match="not quadratic"):
        quadratic_em_model(lambda th: fn(th) * (1 + 0.1 * jnp.sin(th[0])), ("mu_ee", "r2_ee", "a_ee"), bkg)
    with pytest.raises(ValueError, match="clash"):
        quadratic_em_model(fn, ("mu_1e11", "r2_ee", "a_ee"), bkg)
    with pytest.raises(ValueError, match="background"):
        quadratic_em_model(fn, ("mu_ee", "r2_ee", "a_ee"), jnp.zeros(3))
    m = quadratic_em_model(fn, ("mu_ee", "r2_ee", "a_ee"), bkg)
    with pytest.raises(ValueError, match="unknown parameter"):
        expected(m, {"r2_mumu": 1.0})


# --- NUTS diagnostics ---------------------------------------------------------------------
def test_nuts_nonconvergence_is_reported(m05):
    data = toy_data(jax.random.PRNGKey(0), m05, {"mu_1e11": 3.0, "phi_B": 1.0})
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        post = run_nuts(jax.random.PRNGKey(1), m05, data, num_warmup=3, num_samples=6,
                        num_chains=2, to_arviz=False)
    assert not post.converged


def test_nuts_samples_pe_and_em_parameters(m05):
    fn = _dm_counts()
    m = quadratic_em_model(fn, ("mu_ee", "r2_ee", "a_ee"), jnp.full(len(TB) - 1, 20.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # a short chain: only the sites matter
        post = run_nuts(jax.random.PRNGKey(2), m, asimov_data(m, {"r2_ee": 1.0}), num_warmup=50,
                        num_samples=50, num_chains=1, to_arviz=False)
        assert set(post.samples) >= {"mu_ee", "r2_ee", "a_ee"} and "mu_1e11" not in post.samples
        post = run_nuts(jax.random.PRNGKey(3), m05, asimov_data(m05, {"mu_1e11": 3.0}),
                        num_warmup=50, num_samples=50, num_chains=1, to_arviz=False, fit_pe=True)
        assert "pe" in post.samples and np.all((post.samples["pe"] >= 0) & (post.samples["pe"] <= 1))
    with pytest.raises(ValueError, match="pe_scalable"):
        run_nuts(jax.random.PRNGKey(3), m, asimov_data(m), fit_pe=True)


def test_dm_em_model_entries_of_the_moment_and_radius_matrices(pp, det):
    """Entries of the μ and ⟨r²⟩ matrices as fit parameters, counts from the seed-002 rates."""
    from nujax.inference import density_matrix_em_model
    from nujax.rates import expected_counts_density_matrix

    state = SpinFlavorState.from_pe_dirac(0.5, 0.4, flavor="nue", n=1)
    m = density_matrix_em_model(pp, det, T_EDGES, PHI_EDGES, state,
                    {"mu_ee": ("mu", 0, 0), "r2_ee": ("r2", 0, 0)}, norm_sigma=0.01)
    assert m.em_names == ("mu_ee", "r2_ee") and m.bin_shape == (3, 6)
    props = EMProperties.create(mu=[[4.0]], r2=[[-1.5]], n=1)
    ref = expected_counts_density_matrix(pp, det, T_EDGES, PHI_EDGES, props, state)
    np.testing.assert_allclose(expected(m, {"mu_ee": 4.0, "r2_ee": -1.5}), ref, rtol=1e-10)
    res = fit_mle(m, asimov_data(m, {"mu_ee": 4.0}), free=("mu_ee", "r2_ee"), tol=1e-8,
                  init={"mu_ee": 2.0})
    assert abs(float(res.params["mu_ee"]) - 4.0) < 1e-5
    # Majorana transition moments: imaginary antisymmetric entries only
    st3 = SpinFlavorState.from_pe_majorana(0.5, 0.0, flavor="nue", n=3)
    mm = density_matrix_em_model(pp, det, T_EDGES, None, st3, {"mu_emu": ("mu", 0, 1)}, majorana=True)
    assert float(jnp.sum(mm.em_quad)) > 0
    with pytest.raises(ValueError, match="antisymmetric"):
        density_matrix_em_model(pp, det, T_EDGES, None, st3, {"mu_ee": ("mu", 0, 0)}, majorana=True)
    with pytest.raises(ValueError, match="matrix must be"):
        density_matrix_em_model(pp, det, T_EDGES, None, state, {"x": ("charge", 0, 0)})


def test_dm_em_model_majorana_charge_radius_is_a_transition_entry(pp, det):
    """Majorana ⟨r²⟩ (nujax.em): an entry (i, j) moves i(E_ij − E_ji), the Dirac one the real
    E_ij + E_ji (the Majorana anapole stays real symmetric); a diagonal entry is refused with a
    pointer to the anapole; a Dirac ``base`` with ``majorana=True`` is refused. The direction is
    checked on the model's unit (building the counts would take ~8 s; that the counts of a unit
    are the rates of its matrix is the previous test)."""
    from nujax.inference import density_matrix_em_model
    from nujax.inference.em_quadratic import _unit

    want = np.zeros((3, 3), complex)
    want[0, 1], want[1, 0] = 1j, -1j
    np.testing.assert_array_equal(np.asarray(_unit("r2", 0, 1, 3, True, jnp.complex128)), want)
    np.testing.assert_array_equal(np.asarray(_unit("r2", 0, 1, 3, False, jnp.complex128)), np.abs(want))
    np.testing.assert_array_equal(np.asarray(_unit("anapole", 0, 1, 3, True, jnp.float64)), np.abs(want))
    st = SpinFlavorState.left_handed("nue")
    with pytest.raises(ValueError, match="no diagonal entries.*'anapole' entry"):
        density_matrix_em_model(pp, det, T_EDGES, None, st, {"r2_ee": ("r2", 0, 0)}, majorana=True)
    with pytest.raises(ValueError, match="base is Dirac.*sm_charge_radii"):       # not ignored
        density_matrix_em_model(pp, det, T_EDGES, None, st, {"r2_emu": ("r2", 0, 1)}, majorana=True,
                                base=EMProperties.sm_charge_radii())
