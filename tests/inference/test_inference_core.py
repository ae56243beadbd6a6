"""Binned likelihood, optax fits, Fisher forecasts and frequentist limits (nujax.inference)."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax.inference import (ConvergenceWarning, Q90_ONE_SIDED, asimov_data, build_model,
                             coverage_fraction, exclusion_sensitivity, expected, fisher_matrix,
                             fit_mle, nll_and_grad, parameter_errors, profile_upper_limit,
                             toy_data)
from nujax.inference.nuts import MuPrior
from nujax.rates import binned_templates, combine

T_EDGES = np.linspace(0.1, 0.26, 4)
PHI_EDGES = np.linspace(0.0, 2 * np.pi, 7)
FREE = ("mu_1e11", "phi_B", "norm", "bkg_scale")


@pytest.fixture(scope="module")
def dmodel(pp, det):
    return build_model(pp, det, T_EDGES, PHI_EDGES, pe=0.5, norm_sigma=0.01, bkg_sigma=0.1)


@pytest.fixture(scope="module")
def tmodel(pp, det):
    """Azimuth not measured, large exposure: the Gaussian, μ²-linear regime."""
    return build_model(pp, det, T_EDGES, pe=0.5).scaled(50.0)


def test_model_matches_rates_combine(pp, det, dmodel):
    tpl = binned_templates(pp, det, T_EDGES, pe=0.5)
    ref = combine(tpl, det, T_EDGES, PHI_EDGES, 2.5, 0.7)
    got = expected(dmodel, {"mu_1e11": 2.5, "phi_B": 0.7})
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_injection_recovery_mle(dmodel):
    # nuisances at nominal: the auxiliary (constraint) measurements are centred there
    truth = {"mu_1e11": 3.0, "phi_B": 1.0}
    res = fit_mle(dmodel, asimov_data(dmodel, truth), free=FREE, tol=1e-8)
    assert bool(res.converged)
    assert abs(float(res.params["mu_1e11"]) - 3.0) < 1e-6
    assert abs(float(res.params["phi_B"]) - 1.0) < 1e-6


def test_gradients_equal_finite_differences(dmodel):
    data = toy_data(jax.random.PRNGKey(1), dmodel, {"mu_1e11": 3.0, "phi_B": 1.0})
    p = {"mu_1e11": 2.0, "phi_B": 0.5, "norm": jnp.array([1.01]), "bkg_scale": 0.9,
         "eff_scale": 1.02}
    _, g = nll_and_grad(dmodel, data, p)
    h = 1e-6
    for k in p:
        up = {**p, k: jnp.asarray(p[k]) + h}
        dn = {**p, k: jnp.asarray(p[k]) - h}
        fd = (nll_and_grad(dmodel, data, up)[0] - nll_and_grad(dmodel, data, dn)[0]) / (2 * h)
        np.testing.assert_allclose(np.sum(g[k]), fd, rtol=1e-6, atol=1e-7)


def test_bad_inputs(dmodel):
    good = asimov_data(dmodel)
    with pytest.raises(ValueError, match="shape"):
        fit_mle(dmodel, good[:, :3])
    with pytest.raises(ValueError, match="non-negative"):
        fit_mle(dmodel, good.at[0, 0].set(-1.0))
    with pytest.raises(ValueError, match="unknown parameter"):
        expected(dmodel, {"mu": 1.0})
    with pytest.raises(ValueError, match="unknown parameter"):
        fit_mle(dmodel, good, free=("mu_1e11", "anapole"))
    with pytest.raises(ValueError, match="excludes"):
        MuPrior("loguniform", low=0.1, high=10.0).check_truth(30.0)
    with pytest.raises(ValueError, match="unknown prior"):
        MuPrior("flat").distribution()


def test_nonconvergence_is_reported(dmodel):
    data = asimov_data(dmodel, {"mu_1e11": 3.0, "phi_B": 1.0})
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        res = fit_mle(dmodel, data, free=FREE, max_iter=1)
    assert not bool(res.converged)
    with pytest.raises(RuntimeError, match="did not converge"):
        fit_mle(dmodel, data, free=FREE, max_iter=1, strict=True)


def test_phi_scrambling_kills_phiB_information(dmodel, tmodel, pp, det):
    truth = {"mu_1e11": 3.0, "phi_B": 1.0}
    F, lab = fisher_matrix(dmodel, truth, ("mu_1e11", "phi_B"))
    sig_phi = float(parameter_errors(F)[lab.index("phi_B")])
    assert sig_phi < 0.5                                          # directional: φ_B measured
    # summing the azimuth bins: the counts no longer depend on φ_B at all
    lam = lambda phi: jnp.sum(expected(dmodel, {**truth, "phi_B": phi}), axis=-1)
    assert float(jnp.max(jnp.abs(jax.jacfwd(lam)(1.0)))) < 1e-9 * float(jnp.max(lam(1.0)))
    flat = build_model(pp, det, T_EDGES, pe=0.5, bkg_sigma=0.1, norm_sigma=0.01)
    np.testing.assert_allclose(jnp.sum(expected(dmodel, truth), -1), expected(flat, truth),
                               rtol=1e-12)
    Fs, _ = fisher_matrix(flat, truth, ("mu_1e11", "phi_B"))
    assert abs(float(Fs[1, 1])) < 1e-12 * float(F[1, 1])


def test_fisher_scaling_seed003(tmodel):
    """μ_ν ∝ N_ν^{-1/2} (B/(M t))^{1/4} in the background-dominated regime (seed 003)."""
    bd = dataclasses.replace(tmodel, background=1e4 * tmodel.background)
    s0 = float(exclusion_sensitivity(bd))
    assert float(exclusion_sensitivity(bd.scaled(16.0))) / s0 == pytest.approx(0.5, rel=0.02)
    hb = dataclasses.replace(bd, background=16.0 * bd.background)
    assert float(exclusion_sensitivity(hb)) / s0 == pytest.approx(2.0, rel=0.02)
    sig4 = dataclasses.replace(bd, weak=4 * bd.weak, em=4 * bd.em)   # N_ν × 4
    assert float(exclusion_sensitivity(sig4)) / s0 == pytest.approx(0.5, rel=0.02)


def test_profile_limit_matches_asymptotic_formula(tmodel):
    data = asimov_data(tmodel, {"mu_1e11": 0.0})
    mu_up, mu_hat = profile_upper_limit(tmodel, data, nuisances=(), mu_max=30.0)[:2]
    assert float(mu_hat) ** 2 < 1e-3 * mu_up ** 2              # μ̂ ≈ 0 (μ² flat at 0)
    assert mu_up == pytest.approx(float(exclusion_sensitivity(tmodel)), rel=0.03)


def test_toy_coverage_of_90pc_limit(tmodel):
    sig_s = float(exclusion_sensitivity(tmodel)) ** 2 / 1.2815515655446004
    mu_true = float(np.sqrt(4.0 * sig_s))                       # 4σ away from the boundary
    n = 300
    frac, se = coverage_fraction(jax.random.PRNGKey(7), tmodel, {"mu_1e11": mu_true}, n,
                                 nuisances=())
    assert se == pytest.approx(np.sqrt(0.09 / n))
    assert abs(frac - 0.90) < 3.0 * se                          # 3σ binomial margin (±0.052)
    assert Q90_ONE_SIDED == pytest.approx(1.6424, abs=1e-4)
