"""Quadratic EM models: derivatives from points equal the autodiff ones; the two-sided profile
interval of one EM entry against a brute-force profile scan."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.stats import norm

from nujax.inference import asimov_data, nll, quadratic_em_model
from nujax.inference.em_quadratic import em_profile_interval

#: a cheap exactly quadratic counts function: 2 sources × 5 bins in 2 parameters (a, b)
_L0 = np.array([[50.0, 40.0, 30.0, 20.0, 10.0], [5.0, 8.0, 11.0, 14.0, 17.0]])
_LIN = np.stack([np.linspace(1.0, -1.0, 5), np.linspace(0.2, 0.6, 5)])          # (P, K)
_Q = np.array([[0.05, 0.01], [0.01, 0.02]])


def counts(th):
    lin = jnp.einsum("p,pk->k", th, _LIN)
    return jnp.asarray(_L0) * (1.0 + 0.02 * lin)[None] + 0.5 * th @ jnp.asarray(_Q) @ th


def _model(derivatives):
    return quadratic_em_model(counts, ("a", "b"), np.full(5, 3.0), norm_sigma=0.05,
                              derivatives=derivatives)


def test_points_derivatives_equal_autodiff():
    auto, pts = _model("autodiff"), _model("points")
    np.testing.assert_allclose(pts.weak, auto.weak, rtol=1e-12)
    np.testing.assert_allclose(pts.em_lin, auto.em_lin, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(pts.em_quad, auto.em_quad, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="derivatives"):
        _model("finite")
    with pytest.raises(ValueError, match="not quadratic"):       # the check still applies
        quadratic_em_model(lambda th: counts(th) * (1 + 0.1 * th[0] ** 3), ("a", "b"),
                           np.zeros(5), derivatives="points")


def test_profile_interval_matches_a_brute_force_scan():
    model = _model("points")
    truth = {"a": 4.0, "b": -2.0}
    data = asimov_data(model, truth)
    data = np.asarray(data) + np.array([3.0, -2.0, 4.0, -1.0, 2.0])   # not at the truth
    iv = em_profile_interval(model, data, "a", nuisances=("b", "norm"), cl=0.9, init=truth)
    assert iv.converged and iv.lower < iv.best < iv.upper
    # brute force: Δnll(a) with b, norm profiled on a fine grid by the same fitter
    from nujax.inference import fit_mle

    best = fit_mle(model, data, free=("a", "b", "norm"), init=truth, tol=1e-10)
    target = 0.5 * norm.ppf(0.95) ** 2
    for end in (iv.lower, iv.upper):
        r = fit_mle(model, data, free=("b", "norm"), fixed={"a": end}, init=truth, tol=1e-10)
        d = float(nll(model, r.params, data) - nll(model, best.params, data))
        assert d == pytest.approx(target, rel=1e-4)
    assert iv.best == pytest.approx(float(best.params["a"]), abs=1e-5)
    with pytest.raises(ValueError, match="EM parameters"):
        em_profile_interval(model, data, "mu_1e11")
