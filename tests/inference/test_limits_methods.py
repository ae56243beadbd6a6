"""The statistical methods for upper limits: each against an independent reference, its coverage
measured with toys (binomial tolerances stated), and the robustness of the limit engine."""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special, stats

from nujax.inference import (METHODS, BinnedModel, FitDiagnostics, UpperLimit,
                             check_uncertainties, coverage, exclusion_sensitivity,
                             profile_upper_limit, toy_data, upper_limit)
from nujax.inference.limits import ScaledPOI, poi_scale
from nujax.inference.methods import cls_from_q


def _model(n_bins=6, background=200.0, bkg_sigma=0.1, em_unit=1.0):
    """Synthetic binned model: falling weak spectrum, magnetic template ×``em_unit``, flat bkg."""
    w = jnp.linspace(300.0, 100.0, n_bins)[None]
    m = em_unit * jnp.linspace(4.0, 1.0, n_bins)[None]
    z = jnp.zeros_like(w)
    ns, es, bs, con = check_uncertainties(0.0, 0.0, bkg_sigma, 1)
    return BinnedModel(w, m, z, z, background=jnp.full(n_bins, background), norm_sigma=ns,
                       eff_sigma=es, bkg_sigma=bs, bin_shape=(n_bins,), source_names=("toy",),
                       bkg_constrained=con)


def _counting(b=3.0):
    """One bin, known background ``b``, signal s = μ² (weak 0): the textbook Poisson counter."""
    one = jnp.ones((1, 1))
    ns, es, bs, con = check_uncertainties(0.0, 0.0, None, 1)
    return BinnedModel(0.0 * one, one, 0.0 * one, 0.0 * one, background=jnp.full(1, b),
                       norm_sigma=ns, eff_sigma=es, bkg_sigma=bs, bin_shape=(1,),
                       source_names=("s",), bkg_constrained=con)


@pytest.fixture(scope="module")
def model():
    return _model()


@pytest.fixture(scope="module")
def observed(model):
    return toy_data(jax.random.PRNGKey(1), model, {"mu_1e11": 0.0})


# --- each method against an independent reference ------------------------------------------
def test_delta_chi2_and_profile_thresholds(model, observed):
    """Without nuisances: q̃(μ_up) = Φ⁻¹(0.9)² = 1.642 (profile), Δχ²(μ_up) = 2.706 (χ²₁ 90 %),
    checked on the likelihood directly."""
    lims = {m: upper_limit(model, observed, method=m, nuisances=(), mu_max=20.0)
            for m in ("profile", "delta_chi2")}
    from nujax.inference import nll
    mu_hat = lims["profile"].mu_hat
    nll0 = float(nll(model, {"mu_1e11": mu_hat}, observed))
    for m, thr in (("profile", stats.norm.ppf(0.9) ** 2), ("delta_chi2", stats.chi2.ppf(0.9, 1))):
        res = lims[m]
        assert isinstance(res, UpperLimit) and res.method == m and res.cl == 0.9 and res.converged
        d = 2.0 * (float(nll(model, {"mu_1e11": res.limit}, observed)) - nll0)
        assert d == pytest.approx(thr, rel=1e-5)
    assert lims["delta_chi2"].limit > lims["profile"].limit


def test_bayes_flat_mu2_is_the_poisson_credible_limit():
    """Flat prior in μ² = flat in the signal s of a counter with known b: the credible limit
    solves Q(n+1, b+s)/Q(n+1, b) = 1 − cl (Q the regularised upper incomplete gamma; the
    classic Bayesian Poisson upper limit, e.g. PDG Statistics review, Sec. 40.4.1)."""
    m, b = _counting(3.0), 3.0
    for n in (0, 4):
        res = upper_limit(m, jnp.asarray([float(n)]), method="bayes_flat_mu2", nuisances=(),
                          mu_max=3.0)
        s_up = res.limit ** 2
        ratio = special.gammaincc(n + 1, b + s_up) / special.gammaincc(n + 1, b)
        assert ratio == pytest.approx(0.1, abs=2e-4), (n, s_up)


def test_bayes_flat_mu_against_scipy_quad():
    """Flat prior in |μ| on the same counter: ∫₀^μup L dμ / ∫₀^∞ L dμ = 0.9 with scipy quad."""
    m, b, n = _counting(3.0), 3.0, 2.0
    res = upper_limit(m, jnp.asarray([n]), method="bayes_flat_mu", nuisances=(), mu_max=3.0)
    like = lambda mu: stats.poisson.pmf(n, b + mu * mu)     # noqa: E731
    tot = integrate.quad(like, 0.0, np.inf)[0]
    assert integrate.quad(like, 0.0, res.limit)[0] / tot == pytest.approx(0.9, abs=3e-4)


def test_cls_formula_and_ordering(model, observed):
    """cls_from_q: Cowan et al. eqs. (57), (59), (62); CLs is more conservative than q̃ alone."""
    cls, clsb, clb = cls_from_q([0.0, 1.0, 9.0, 0.0], [0.0, 4.0, 4.0, 4.0])
    assert cls[0] == 1.0
    assert clsb[1] == pytest.approx(stats.norm.sf(1.0)) and clb[1] == pytest.approx(stats.norm.cdf(1.0))
    assert clsb[2] == pytest.approx(stats.norm.sf(13.0 / 4.0))      # q̃ > q_A branch
    assert clb[2] == pytest.approx(stats.norm.sf(5.0 / 4.0))
    assert cls[3] == pytest.approx(0.5 / stats.norm.cdf(2.0))
    res = upper_limit(model, observed, method="cls", nuisances=(), mu_max=20.0)
    prof = upper_limit(model, observed, method="profile", nuisances=(), mu_max=20.0)
    assert res.method == "cls" and res.converged and res.limit > prof.limit
    i = np.searchsorted(res.grid, res.limit)
    assert res.q[i - 1] > 0.1 >= res.q[i]                        # CLs crosses 1 − cl there


def _fc_exact_upper(n_obs, b, cl=0.9):
    """Exact Feldman–Cousins upper limit for a Poisson counter (numpy/scipy, the reference):
    for each s the acceptance region collects n by decreasing R = P(n|s)/P(n|max(0, n − b) + b)
    until its probability reaches cl."""
    n = np.arange(0, 200)
    acc = []
    s_grid = np.arange(0.0, 8.0, 0.0025)
    for s in s_grid:
        p = stats.poisson.pmf(n, s + b)
        r = p / stats.poisson.pmf(n, np.maximum(n - b, 0.0) + b)
        order = np.argsort(-r, kind="stable")
        k = np.searchsorted(np.cumsum(p[order]), cl) + 1
        acc.append(n_obs in order[:k])
    return s_grid[np.nonzero(acc)[0][-1]]


def test_feldman_cousins_matches_the_exact_poisson_construction():
    """Toy FC (2000 toys per μ) vs the exact construction on a counter with b = 3: the upper
    limit on s = μ² agrees within 5 % (Monte Carlo error of the toy quantiles)."""
    m, b = _counting(3.0), 3.0
    for n_obs in (0.0, 5.0):
        res = upper_limit(m, jnp.asarray([n_obs]), method="feldman_cousins", nuisances=(),
                          n_toys=2000, mu_max=4.0, n_grid=17, key=jax.random.PRNGKey(4))
        assert res.method == "feldman_cousins"
        assert res.limit ** 2 == pytest.approx(_fc_exact_upper(int(n_obs), b), rel=0.05)


# --- coverage ----------------------------------------------------------------------------
# 200 toys at μ_true = 5 (magnetic signal ≈ 6.6σ from 0: the asymptotic regime), auxiliary
# measurements fluctuating (the full frequentist ensemble). Binomial tolerance: 3σ =
# 3 √(p(1 − p)/200) = 0.064 for p = 0.9, 0.046 for p = 0.95.
_N = 200


def _tol(p):
    return 3.0 * math.sqrt(p * (1 - p) / _N)


@pytest.mark.parametrize("method,expected", [
    ("profile", 0.90), ("delta_chi2", 0.95), ("cls", 0.90), ("bayes_flat_mu2", 0.90)])
def test_coverage(model, method, expected):
    frac, sig, n = coverage(jax.random.PRNGKey(11), model, {"mu_1e11": 5.0}, method=method,
                            n_toys=_N, nuisances=("bkg_scale",), randomize_aux=True)
    assert n == _N and sig == pytest.approx(math.sqrt(0.09 / _N))
    assert abs(frac - expected) <= _tol(expected), (method, frac)


@pytest.mark.parametrize("method", ["feldman_cousins", "profile_toys"])
def test_coverage_of_the_toy_constructions(method):
    """Neyman constructions on the Poisson counter (b = 3, s_true = 4): coverage ≥ 0.9 by
    construction, more where the discreteness of the counts forces it (Feldman and Cousins,
    PRD 57 (1998) 3873); tolerance 3σ below (200 toys, critical value from 2000 toys)."""
    frac, _, n = coverage(jax.random.PRNGKey(12), _counting(3.0), {"mu_1e11": 2.0},
                          method=method, n_toys=_N, n_cal_toys=2000, nuisances=())
    assert n == _N and 0.9 - _tol(0.9) <= frac <= 1.0


def test_coverage_bayes_flat_mu(model):
    """A prior flat in |μ| is ∝ s^(−1/2) in s = μ²: for a Gaussian likelihood in s of width σ_s it
    lowers the limit by ≈ σ_s²/(2 s), so the coverage is Φ(1.2816 − σ_s/(2 s)) < 0.9."""
    sigma_s = float(exclusion_sensitivity(model, nuisances=("bkg_scale",))) ** 2 / stats.norm.ppf(0.9)
    expected = stats.norm.cdf(stats.norm.ppf(0.9) - sigma_s / (2 * 25.0))
    frac, _, _ = coverage(jax.random.PRNGKey(11), model, {"mu_1e11": 5.0}, method="bayes_flat_mu",
                          n_toys=_N, nuisances=("bkg_scale",), randomize_aux=True)
    assert expected < 0.9 and abs(frac - expected) <= _tol(expected)


# --- robustness --------------------------------------------------------------------------
def _holed(model, lo, hi):
    """``model`` whose likelihood is NaN for lo < |μ| < hi (fits there cannot succeed)."""
    @functools.partial(jax.tree_util.register_dataclass, data_fields=["inner", "scale"],
                       meta_fields=[])
    @dataclasses.dataclass(frozen=True)
    class Holed(ScaledPOI):
        def log_likelihood(self, params, data, *, constraints=True):
            ll = self.inner.log_likelihood(params, data, constraints=constraints)
            mu = jnp.abs(jnp.asarray(params.get("mu_1e11", 0.0)))
            return jnp.where((mu > lo) & (mu < hi), jnp.nan, ll)
    return Holed(model, jnp.asarray(1.0))


def test_a_failed_grid_point_does_not_raise(model, observed):
    """A NaN likelihood at one grid point (μ = 7.5 of 49 points on [0, 20]) is skipped and
    reported; the limit is unchanged."""
    ref = profile_upper_limit(model, observed, nuisances=(), mu_max=20.0)
    with pytest.warns(Warning, match="not finite"):
        res = profile_upper_limit(_holed(model, 7.4, 7.6), observed, nuisances=(), mu_max=20.0)
    assert res.limit == pytest.approx(ref.limit, rel=1e-6) and not res.converged
    assert len(res.failed) == 1 and isinstance(res.failed[0], FitDiagnostics)
    assert res.failed[0].mu == pytest.approx(7.5) and math.isnan(res.failed[0].nll)
    assert "1 of 49 grid fits failed" in res.note


def test_a_hole_at_the_crossing_falls_back_to_interpolation(model, observed):
    ref = profile_upper_limit(model, observed, nuisances=(), mu_max=20.0).limit
    with pytest.warns(Warning):
        res = profile_upper_limit(_holed(model, ref - 0.3, ref + 0.3), observed, nuisances=(),
                                  mu_max=20.0)
    assert res.limit == pytest.approx(ref, rel=0.05) and "interpolated" in res.note
    assert all(ref - 0.3 < f.mu < ref + 0.3 for f in res.failed) and len(res.failed) >= 1


def test_large_mu_max_converges_with_poi_scaling(model):
    """Magnetic template ×10⁻⁸ (μ in units 10⁴ times smaller, as for nuclear targets): the limit
    is exactly 10⁴ × that of the O(1) model, with signal in the data and mu_max = 10⁶."""
    big = _model(em_unit=1e-8)
    assert poi_scale(big) == pytest.approx(1e4 * poi_scale(model), rel=1e-9)
    data = toy_data(jax.random.PRNGKey(2), model, {"mu_1e11": 4.0})
    small = profile_upper_limit(model, data, nuisances=("bkg_scale",), mu_max=20.0)
    res = profile_upper_limit(big, data, nuisances=("bkg_scale",), mu_max=1e6)
    assert res.converged and res.limit == pytest.approx(1e4 * small.limit, rel=1e-5)
    assert res.mu_hat == pytest.approx(1e4 * small.mu_hat, rel=1e-4)


def test_tolerance_and_iteration_caps_reach_the_methods(model, observed):
    with pytest.warns(Warning, match="max_iter = 3"):
        res = upper_limit(model, observed, method="delta_chi2", nuisances=("bkg_scale",),
                          mu_max=20.0, tol=1e-300, max_iter=3)
    assert not res.converged and np.isfinite(res.limit)


def test_method_names_are_checked(model, observed):
    assert set(METHODS) == {"profile", "profile_toys", "cls", "feldman_cousins", "bayes_flat_mu",
                            "bayes_flat_mu2", "delta_chi2"}
    with pytest.raises(ValueError, match="method must be one of"):
        upper_limit(model, observed, method="frequentist")
    with pytest.raises(ValueError, match="cl must lie"):
        upper_limit(model, observed, method="profile", cl=1.5)
