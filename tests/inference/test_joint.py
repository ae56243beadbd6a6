"""The joint (global) likelihood over several experiments sharing EM entries.

Synthetic quadratic models (exact by construction) keep these tests cheap; the physics-built
models are exercised in tests/app/test_global_fit.py.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax.inference import asimov_data, build_model, profile_upper_limit, quadratic_em_model
from nujax.inference.joint import (entry_limits, forecast_limits, joint_asimov, joint_mle,
                                   joint_model, run_joint_nuts)

K = 6
_T = np.linspace(1.0, 2.0, K)


def _quad(coef_lin, coef_quad, weak=200.0, bkg=50.0):
    """λ(θ) = weak·f(T) + Σ lin_p θ_p g(T) + Σ quad_pq θ_p θ_q h(T): one source, K bins."""
    lin = jnp.asarray(coef_lin, float)
    Q = jnp.asarray(coef_quad, float)

    def counts(th):
        return (weak / _T + (lin @ th) * _T + (th @ Q @ th) / _T ** 2)[None, :]

    return quadratic_em_model(counts, ("a", "b"), jnp.full(K, bkg), norm_sigma=0.05,
                              bkg_sigma=0.1)


@pytest.fixture(scope="module")
def joint():
    # experiment 1 sees a (even) and a·b; experiment 2 sees b with a linear (interference) term
    m1 = _quad([0.0, 0.0], [[3.0, 0.5], [0.5, 0.0]])
    m2 = _quad([0.0, 4.0], [[0.0, 0.0], [0.0, 2.0]], weak=500.0)
    return joint_model({"one": m1, "two": m2}, ("a", "b"))


FREE = ("a", "b", "one/norm", "one/bkg_scale", "two/norm", "two/bkg_scale")


def test_names_and_split(joint):
    assert joint.parameter_names()[:2] == ("a", "b")
    assert "one/norm" in joint.parameter_names() and "two/bkg_scale" in joint.parameter_names()
    p1, p2 = joint.split({"a": 1.5, "two/norm": 1.1})
    assert float(p1["a"]) == 1.5 and float(p2["a"]) == 1.5 and float(p2["norm"]) == 1.1
    with pytest.raises(ValueError, match="unknown joint parameter"):
        joint.split({"norm": 1.0})
    with pytest.raises(ValueError, match="tuple of 2 data sets"):
        joint.log_likelihood({}, (np.ones(K),))
    with pytest.raises(ValueError, match="in no experiment"):
        joint_model({"one": joint.models[0]}, ("c",))


def test_log_likelihood_is_the_sum(joint):
    data = joint_asimov(joint, {"a": 0.3})
    p = {"a": 0.7, "b": -0.2, "two/norm": 1.02}
    q1, q2 = joint.split(p)
    want = (joint.models[0].log_likelihood(q1, data[0])
            + joint.models[1].log_likelihood(q2, data[1]))
    assert float(joint.log_likelihood(p, data)) == pytest.approx(float(want), rel=1e-14)


def test_recovers_injected_entries(joint):
    truth = {"a": 1.3, "b": -0.6}
    data = joint_asimov(joint, truth)
    p, _, ok = joint_mle(joint, data, FREE, init={"a": 1.0, "b": -0.3})
    assert ok
    # Asimov data: the MLE is the truth (up to the optimiser's tolerance); a's sign is free
    assert abs(float(p["a"])) == pytest.approx(1.3, abs=1e-5)
    assert float(p["b"]) == pytest.approx(-0.6, abs=1e-5)
    for k in FREE[2:]:
        assert np.ravel(p[k]) == pytest.approx(1.0, abs=1e-5)


def test_single_experiment_equals_its_own_limit():
    """The global machinery on one experiment reproduces profile_upper_limit on the same
    experiment written as a μ² model (em template = ½ ∂²λ/∂a²)."""
    m = _quad([0.0, 0.0], [[3.0, 0.0], [0.0, 0.0]])
    data = asimov_data(m, {})
    g = joint_model({"one": m}, ("a",))
    lim = entry_limits(g, (data,), ("a", "one/norm", "one/bkg_scale"), mu_max=10.0, n_grid=9)["a"]
    # the same experiment in the effective-moment form of build_model's templates
    from nujax.inference.binned import BinnedModel

    own = BinnedModel(m.weak, 0.5 * m.em_quad[:, 0, 0], m.int_cos, m.int_sin,
                      background=m.background, norm_sigma=m.norm_sigma, eff_sigma=m.eff_sigma,
                      bkg_sigma=m.bkg_sigma, bin_shape=m.bin_shape, source_names=m.source_names,
                      directional=False, bkg_constrained=True)
    up = profile_upper_limit(own, data, nuisances=("norm", "bkg_scale"), mu_max=10.0, n_grid=9)
    assert lim.upper == pytest.approx(float(up.limit), rel=1e-6)
    assert lim.lower == pytest.approx(-float(up.limit), rel=1e-6)      # even in a: mirror image


def test_odd_entry_has_asymmetric_sides(joint):
    data = joint_asimov(joint, {})
    lims = entry_limits(joint, data, FREE, entries=("b",), mu_max=5.0, n_grid=9)
    b = lims["b"]
    assert b.lower < 0 < b.upper
    # b enters with +4 b T (linear) + 2 b² / T²: the negative side cancels the linear term, so
    # |lower| > upper
    assert -b.lower > b.upper * 1.01


def test_entry_above_the_grid_ceiling_is_reported_unbounded(joint):
    """An entry whose q̃ stays below the threshold up to mu_max × 4^max_extensions gets ±inf and
    a note naming the ceiling, not the grid edge; the other side is still a finite limit."""
    data = joint_asimov(joint, {})
    lim = entry_limits(joint, data, FREE, entries=("b",), mu_max=0.05, n_grid=5,
                       max_extensions=1)["b"]
    assert math.isinf(lim.upper) and math.isinf(lim.lower) and lim.lower < 0
    assert "not constrained below the grid ceiling 0.2" in lim.side_upper.note
    finite = entry_limits(joint, data, FREE, entries=("b",), mu_max=5.0, n_grid=9)["b"]
    assert math.isfinite(finite.upper) and finite.upper > 0.2


def test_preconditioned_fit_matches_the_plain_one(joint):
    """diagonal_scales is 1/√(∂²nll/∂x²) (1 for the listed entries), and L-BFGS in scaled
    coordinates reaches the same minimum as in the plain ones."""
    from nujax.inference.joint import _start
    from nujax.inference.optimize import diagonal_scales, lbfgs_minimize
    from nujax.inference.parameters import as_data

    data = as_data(tuple(joint_asimov(joint, {"a": 1.0, "b": 0.5})))
    x0, fx = _start(joint, FREE, {"a": 0.8, "b": 0.3})
    s = diagonal_scales(joint, data, x0, fx, unit=("a",))
    h = jax.hessian(lambda p: -joint.log_likelihood({**fx, **p}, data))(x0)
    assert float(s["a"]) == 1.0
    h_norm = float(np.ravel(h["one/norm"]["one/norm"])[0])
    assert float(np.ravel(s["one/norm"])[0]) == pytest.approx(h_norm ** -0.5, rel=1e-10)
    plain = lbfgs_minimize(joint, data, x0, fx, 1e-8, max_iter=500)
    scaled = lbfgs_minimize(joint, data, x0, fx, 1e-8, max_iter=500, scale=s)
    assert bool(plain[4]) and bool(scaled[4])
    assert float(scaled[1]) == pytest.approx(float(plain[1]), abs=1e-9)
    for k in FREE:
        np.testing.assert_allclose(scaled[0][k], plain[0][k], atol=1e-5)


def test_global_limit_not_looser_than_a_single_experiment():
    """Adding an experiment adds information: the joint interval on an entry lies inside the
    single-experiment interval on it (Asimov data at 0, every nuisance profiled)."""
    m1 = _quad([0.0, 0.0], [[3.0, 0.0], [0.0, 1.0]])
    m2 = _quad([0.0, 0.0], [[2.0, 0.0], [0.0, 0.0]], weak=500.0)
    both = joint_model({"one": m1, "two": m2}, ("a", "b"))
    kw = dict(entries=("a",), mu_max=5.0, n_grid=7)
    lim = entry_limits(both, joint_asimov(both), FREE, **kw)["a"]
    # experiment one alone, b profiled with it: the joint fit adds experiment two
    one = entry_limits(joint_model({"one": m1}, ("a", "b")), (asimov_data(m1, {}),),
                       ("a", "b", "one/norm", "one/bkg_scale"), **kw)["a"]
    assert lim.upper < one.upper and lim.lower == pytest.approx(-lim.upper, rel=1e-6)


def test_nuts_centres_on_the_truth(joint):
    truth = {"a": 1.3, "b": -0.6}
    data = joint_asimov(joint, truth)
    p, _, _ = joint_mle(joint, data, FREE, init={"a": 1.0, "b": -0.3})
    post = run_joint_nuts(jax.random.PRNGKey(0), joint, data, FREE, init=p, num_warmup=150,
                          num_samples=150, num_chains=2)
    assert post.samples["b"].shape == (2, 150)
    # statistical tolerance: 300 correlated draws, the posterior mean within 4 of its own
    # standard errors (σ/√ESS) of the Asimov truth
    sd = float(np.std(post.samples["b"]))
    err = sd / np.sqrt(max(post.ess_min, 20.0))
    assert abs(float(np.mean(post.samples["b"])) + 0.6) < 4 * err + 0.05 * sd
    assert post.r_hat_max < 1.1
    assert "b" in post.idata.posterior


def test_forecast_equals_the_explicit_joint_model_and_tightens():
    """The forecast with a second, identical experiment (independent data, own nuisances)
    equals the Asimov limit of the explicit two-experiment joint model, and is tighter."""
    m = _quad([0.0, 0.0], [[3.0, 0.0], [0.0, 0.0]])
    one = joint_model({"one": m}, ("a",))
    free = ("a", "one/norm", "one/bkg_scale")
    kw = dict(mu_max=10.0, n_grid=9)
    fc = forecast_limits(one, free, {"two": m}, ("two/norm", "two/bkg_scale"), **kw)["a"]
    both = joint_model({"one": m, "two": m}, ("a",))
    ref = entry_limits(both, joint_asimov(both), free + ("two/norm", "two/bkg_scale"), **kw)["a"]
    assert fc["after"]["upper"] == pytest.approx(ref.upper, rel=1e-9)
    assert fc["after"]["upper"] < fc["before"]["upper"]
    assert fc["improvement"] > 1.05
    with pytest.raises(ValueError, match="already in the joint model"):
        forecast_limits(one, free, {"one": m})


def _one_bin(lin, quad, weak=200.0, bkg=50.0, bkg_sigma=0.2):
    """One bin, one entry a, one constrained nuisance (bkg_scale): λ = w + L a + Q a² + β b."""
    return quadratic_em_model(lambda th: (weak + lin * th[0] + quad * th[0] ** 2)[None, None],
                              ("a",), jnp.full(1, bkg), bkg_sigma=bkg_sigma)


def _first_root_analytic(lin, quad, c, side):
    """First u > 0 with |side L u + Q u²| = c (c = Φ⁻¹(cl) √V): the analytic single-bin limit."""
    if quad == 0:
        return c / lin
    if side > 0 or lin * lin < 4 * quad * c:          # no dip below −c on the negative side
        return (-side * lin + np.sqrt(lin * lin + 4 * quad * c)) / (2 * quad)
    return (lin - np.sqrt(lin * lin - 4 * quad * c)) / (2 * quad)


@pytest.mark.parametrize("lin, quad", [(0.0, 3.0), (4.0, 0.0), (4.0, 0.01), (4.0, 0.5)])
def test_fisher_limits_equal_the_analytic_single_bin_answer(lin, quad):
    """One bin, λ = w + L a + Q a² + β b with β constrained to σ_β. Profiling β in the Fisher
    matrix over (t, s, β) = (a, a², β) leaves G = v vᵀ/V with v = (L, Q) and
    V = λ₀ + (σ_β b)², so q̃(a) = (L a + Q a²)²/V and each side's limit is the first |a| where
    |L a + Q a²| = Φ⁻¹(cl) √V: √(Φ⁻¹(cl)√V/Q) for L = 0, Φ⁻¹(cl)√V/L for Q = 0, and the roots
    of the quadratic otherwise (on the negative side the counts first dip below λ₀; with
    (L, Q) = (4, 0.5) the dip stays above −Φ⁻¹(cl)√V and the limit lies beyond it)."""
    from scipy.stats import norm

    from nujax.inference.joint import fisher_entry_limits

    w, b, sb, cl = 200.0, 50.0, 0.2, 0.9
    g = joint_model({"one": _one_bin(lin, quad, w, b, sb)}, ("a",))
    got = fisher_entry_limits(g, ("a", "one/bkg_scale"), cl=cl)["a"]
    V = w + b + (sb * b) ** 2
    assert np.asarray(got.curvature) == pytest.approx([lin * lin / V, lin * quad / V,
                                                      quad * quad / V], rel=1e-10, abs=1e-15)
    c = norm.ppf(cl) * np.sqrt(V)
    assert got.upper == pytest.approx(_first_root_analytic(lin, quad, c, 1.0), rel=1e-9)
    assert -got.lower == pytest.approx(_first_root_analytic(lin, quad, c, -1.0), rel=1e-9)


def test_fisher_forecast_approaches_the_asimov_profile():
    """Both forecasts are equal in the Wald limit of background-dominated counts. With 2·10⁴
    weak and 5·10³ background counts per bin the Fisher limits of an entry with a linear and a
    larger quadratic term (b: asymmetric sides) are 0.975 / 0.976 of the Asimov-profile ones
    (measured; an even entry, 0.976); with 100× the counts 0.990 (the signal at the limit,
    relative to the counts, falls as N^{-1/2}). One entry only: each entry compiles its own
    profile fits."""
    from nujax.inference.joint import fisher_entry_limits

    nuis = ("one/norm", "one/bkg_scale")
    for scale, tol in ((1.0, 0.03), (100.0, 0.012)):
        m = _quad([0.0, 4.0], [[3.0, 0.0], [0.0, 2.0]], weak=2e4 * scale, bkg=5e3 * scale)
        g = joint_model({"one": m}, ("a", "b"))
        fis = fisher_entry_limits(g, ("b",) + nuis)["b"]
        prof = entry_limits(g, joint_asimov(g), ("b",) + nuis, mu_max=5.0, n_grid=9)["b"]
        assert fis.upper == pytest.approx(prof.upper, rel=tol)
        assert fis.lower == pytest.approx(prof.lower, rel=tol)
        if scale == 1.0:                            # asymmetric sides: the quadratic term
            assert abs(fis.upper + fis.lower) > 0.1 * fis.upper
    free = ("a", "b") + nuis
    fc = forecast_limits(g, free, {"two": m}, ("two/norm", "two/bkg_scale"), method="fisher")
    both = fisher_entry_limits(joint_model({"one": m, "two": m}, ("a", "b")),
                               free + ("two/norm", "two/bkg_scale"))
    assert fc["b"]["after"]["upper"] == pytest.approx(both["b"].upper, rel=1e-12)
    assert fc["b"]["after"]["upper"] < fc["b"]["before"]["upper"]
    with pytest.raises(ValueError, match="not a free shared entry"):
        fisher_entry_limits(g, free[1:], entries=("a",))
    with pytest.raises(ValueError, match="method must be"):
        forecast_limits(g, free, {"x": m}, method="wald")
