"""ON/OFF likelihood (bin-by-bin OFF spectrum, analytic profile) and background-component models."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax.detector import make_detector
from nujax.detector.components import make_component
from nujax.inference import BinnedModel, fit_mle, nll, profile_nll
from nujax.inference.background_model import with_backgrounds
from nujax.inference.onoff import (OnOffData, onoff_model, onoff_toys, profiled_off_background,
                                   scalar_shortcut)
from nujax.inference.optimize import lbfgs_minimize

K = 12


def _on_model(signal=40.0):
    """A small ON model: weak counts falling with energy, magnetic counts ∝ 1/T, no background."""
    T = np.linspace(0.012, 0.06, K + 1)
    c = 0.5 * (T[1:] + T[:-1])
    weak = signal * np.ones(K) / K
    em = 0.8 * signal * (0.02 / c) / K                       # per (10⁻¹¹ μ_B)²
    z = jnp.zeros((1, K))
    return BinnedModel(jnp.asarray(weak)[None], jnp.asarray(em)[None], z, z, jnp.zeros(K),
                       jnp.zeros(1), jnp.asarray(0.0), jnp.asarray(0.0), bin_shape=(K,),
                       source_names=("reactor",), bkg_constrained=False), T


def test_profiled_background_is_the_maximum():
    s, n, m, a = jnp.array([3.0, 0.0, 5.0, 2.0]), jnp.array([10.0, 4.0, 0.0, 0.0]), \
        jnp.array([7.0, 9.0, 3.0, 0.0]), 0.4
    b = profiled_off_background(s, n, m, a)
    ll = lambda beta: n * jnp.log(s + a * beta) - a * beta + jnp.where(m > 0, m * jnp.log(beta), 0.0) - beta
    g = jax.vmap(jax.grad(lambda bb, i: ll(jnp.full(4, bb))[i]), (0, 0))(b, jnp.arange(4))
    inner = np.asarray(b) > 0
    np.testing.assert_allclose(np.asarray(g)[inner], 0.0, atol=1e-10)
    assert float(b[3]) == 0.0                                  # no OFF, no ON excess: β̂ = 0
    assert float(b[1]) == pytest.approx((4 + 9) / 1.4)         # s = 0: (n + m)/(1 + α)
    # gradient finite at the degenerate corner (m = 0, B = 0)
    gs = jax.grad(lambda x: jnp.sum(profiled_off_background(x, n, m, a)))(s)
    assert np.all(np.isfinite(np.asarray(gs)))


def test_large_off_exposure_agrees_with_scalar_shortcut():
    on, _ = _on_model()
    b_on = np.full(K, 30.0)
    mu = jnp.linspace(0.0, 3.0, 7)
    curves = {}
    for alpha in (1e-3, 10.0):
        m = b_on / alpha
        oo, sc = onoff_model(on, m, alpha), scalar_shortcut(on, m, alpha)
        n = np.asarray(sc.expected())
        p1, _ = profile_nll(oo, OnOffData(n, m), mu, nuisances=())
        p2, ok = profile_nll(sc, n, mu, nuisances=("bkg_scale",))
        assert bool(jnp.all(ok))
        curves[alpha] = (np.asarray(p1 - p1[0]), np.asarray(p2 - p2[0]))
    d1, d2 = curves[1e-3]
    np.testing.assert_allclose(d1, d2, rtol=5e-3, atol=1e-6)    # OFF exposure 1000× ON
    e1, e2 = curves[10.0]                       # OFF exposure 10× smaller: 3 events a bin
    assert abs(e1[-1] - e2[-1]) > 0.02 * e2[-1]


def test_toy_onoff_study_recovers_mu():
    # 40 toys at μ = 2 (10⁻¹¹ μ_B), OFF exposure 3× ON. Tolerance: the toy mean of μ̂ within
    # 3 standard errors of the truth (σ(μ̂)/√40 from the same toys)
    on, _ = _on_model(signal=400.0)
    b = np.full(K, 20.0 / 0.3333)
    model = onoff_model(on, b, 1.0 / 3.0)
    toys = onoff_toys(jax.random.PRNGKey(7), model, {"mu_1e11": 2.0}, n_toys=40)
    fixed = {k: v for k, v in model.default_params().items() if k != "mu_1e11"}
    fit = jax.vmap(lambda d: lbfgs_minimize(model, d, {"mu_1e11": jnp.asarray(1.0)}, fixed, 1e-8,
                                            max_iter=100))
    x, _, _, _, ok = fit(toys)
    mu_hat = np.abs(np.asarray(x["mu_1e11"]))
    assert bool(jnp.all(ok))
    assert abs(mu_hat.mean() - 2.0) < 3.0 * mu_hat.std(ddof=1) / np.sqrt(40)
    assert mu_hat.std() > 0


def test_onoff_input_checks():
    on, _ = _on_model()
    with pytest.raises(ValueError, match="alpha"):
        onoff_model(on, np.ones(K), 0.0)
    with pytest.raises(ValueError, match="OFF counts"):
        onoff_model(on, np.ones(K + 1), 1.0)
    with pytest.raises(ValueError, match="OFF counts"):
        onoff_model(on, -np.ones(K), 1.0)



def test_onoff_templates_background_and_exposure_scaling():
    """The attributes the fit driver reads: templates of the ON model, the nominal background
    α m, and ``scaled`` multiplying ON and OFF exposure (α fixed, every count × f)."""
    on, _ = _on_model()
    off = np.linspace(30.0, 10.0, K)
    model = onoff_model(on, off, 0.25)
    np.testing.assert_array_equal(model.weak, on.weak)
    np.testing.assert_array_equal(model.em, on.em)
    np.testing.assert_allclose(model.background, 0.25 * off, rtol=1e-15)
    two = model.scaled(2.0)
    assert float(two.alpha) == 0.25
    p = {"mu_1e11": 2.0}
    np.testing.assert_allclose(two.expected(p), 2.0 * np.asarray(model.expected(p)), rtol=1e-14)
    np.testing.assert_allclose(two.off_counts, 2.0 * off, rtol=1e-15)



def test_background_only_asimov_of_wrapped_models():
    """The CLs background-only Asimov data (``method="cls"``) of the wrapping models: the ON/OFF
    model gives ON = s(μ = 0) + α β̂ and OFF = β̂, β̂ profiled on the data, which tends to the
    scalar shortcut's Asimov counts for an OFF exposure 1000× ON; a model with background
    components gives its expected counts at μ = 0."""
    from nujax.inference.methods import background_only_asimov
    from nujax.inference.onoff import OnOffData

    on, T = _on_model()
    b_on = np.full(K, 30.0)
    oo, sc = onoff_model(on, b_on / 1e-3, 1e-3), scalar_shortcut(on, b_on / 1e-3, 1e-3)
    n = np.round(np.asarray(sc.expected({"mu_1e11": 1.0})))
    a = background_only_asimov(oo, n, nuisances=())
    assert isinstance(a, OnOffData)
    beta = profiled_off_background(on.expected({"mu_1e11": 0.0}), n, oo.off_counts, 1e-3)
    np.testing.assert_allclose(a.off, beta, rtol=1e-12)
    np.testing.assert_allclose(a.on.counts, on.expected({"mu_1e11": 0.0}) + 1e-3 * beta,
                               rtol=1e-12)
    ref = background_only_asimov(sc, n, nuisances=())
    np.testing.assert_allclose(a.on.counts, ref.counts, rtol=2e-3)
    # the Asimov data are the maximum of the ON/OFF likelihood at μ = 0: β̂ of them is OFF
    np.testing.assert_allclose(profiled_off_background(on.expected({"mu_1e11": 0.0}), a.on.counts,
                                                       a.off, 1e-3), a.off, rtol=1e-9)
    det = make_detector("germanium", mass_t=1.0, live_time_yr=1.0)
    comp = make_component("flat", "flat", 300.0, lo=0.0, hi=0.1, constraint="gaussian", sigma=0.1)
    bm = with_backgrounds(on, det, T, [comp])
    b = background_only_asimov(bm, n, nuisances=())
    np.testing.assert_allclose(b.counts, bm.expected({"mu_1e11": 0.0}), rtol=1e-12)


# ------------------------------------------------------------------------- background components
def test_components_add_differentiable_nuisances():
    on, T = _on_model()
    det = make_detector("germanium", mass_t=1.0, live_time_yr=1.0)
    comps = [make_component("flat", "flat", 100.0, lo=0.0, hi=0.1, constraint="gaussian", sigma=0.1),
             make_component("expo", "exponential", 50.0, lo=0.01, hi=0.07, slope=40.0),
             make_component("xray", "gaussian", 20.0, mean=0.0103 * 3, width=0.0005,
                            constraint="lognormal", sigma=0.3)]
    m = with_backgrounds(on, det, T, comps, float_shapes=("expo:slope",))
    assert m.parameter_names()[-4:] == ("bkg_flat", "bkg_expo", "bkg_expo_slope", "bkg_xray")
    np.testing.assert_allclose(m.expected(), on.expected() + m.templates.sum(0), rtol=1e-12)
    # floating shape at its nominal value reproduces the template
    np.testing.assert_allclose(m.component_counts()[1], m.templates[1], rtol=1e-12)
    truth = {"mu_1e11": 2.0, "bkg_expo": 1.2, "bkg_expo_slope": 30.0}
    data = m.expected(truth)
    g = jax.grad(lambda s: nll(m, {**truth, "bkg_expo_slope": s}, data))(33.0)
    h = 1e-4
    fd = (nll(m, {**truth, "bkg_expo_slope": 33.0 + h}, data)
          - nll(m, {**truth, "bkg_expo_slope": 33.0 - h}, data)) / (2 * h)
    assert float(g) == pytest.approx(float(fd), rel=1e-5)
    r = fit_mle(m, data, free=("mu_1e11", "bkg_expo", "bkg_expo_slope", "bkg_flat"),
                init={"mu_1e11": 1.5, "bkg_expo_slope": 35.0}, tol=1e-7)
    assert bool(r.converged)
    for k, v in truth.items():
        assert float(r.params[k]) == pytest.approx(v, rel=1e-3), k
    # the constraints: log-normal at s ≤ 0 is impossible, gaussian pulls towards 1
    assert float(m.log_likelihood({"bkg_xray": -0.5}, data)) == -np.inf
    with pytest.raises(ValueError, match="float_shapes"):
        with_backgrounds(on, det, T, comps, float_shapes=("nope",))
    with pytest.raises(ValueError, match="unique"):
        with_backgrounds(on, det, T, comps + comps[:1])


def test_float32_profiled_background(float32_matches):
    # float32 budget: 1e-5 relative (one quadratic root per bin, no cancellation)
    float32_matches(lambda: profiled_off_background(jnp.array([3.0, 0.5, 5.0]),
                                                    jnp.array([10.0, 4.0, 1.0]),
                                                    jnp.array([7.0, 9.0, 3.0]), 0.4), rtol=1e-5)


def test_onoff_keeps_the_constraints_of_the_components_it_wraps():
    """An ON model with constrained background components keeps their rate constraints under
    ON/OFF (they used to be dropped: a Gaussian σ = 0.1 rate at 2 cost nothing), also through
    the POI-scaling wrapper of the limits."""
    from nujax.inference.background_model import constraint_log_likelihood
    from nujax.inference.limits import ScaledPOI

    on, T = _on_model()
    det = make_detector("germanium", mass_t=1.0, live_time_yr=1.0)
    comps = [make_component("flat", "flat", 100.0, lo=0.0, hi=0.1, constraint="gaussian", sigma=0.1),
             make_component("xray", "flat", 20.0, lo=0.02, hi=0.03, constraint="lognormal",
                            sigma=0.3)]
    bm = with_backgrounds(on, det, T, comps)
    oo = onoff_model(bm, np.full(K, 25.0), 0.5)
    p = {"mu_1e11": 1.0, "bkg_flat": 2.0, "bkg_xray": 0.7}
    data = OnOffData(np.asarray(oo.expected(p)), np.full(K, 25.0))
    want = float(bm.log_likelihood(p, data.on) - bm.log_likelihood(p, data.on, constraints=False))
    assert want == pytest.approx(-0.5 * (1.0 / 0.1) ** 2 - 0.5 * (np.log(0.7) / 0.3) ** 2, rel=1e-3)
    got = float(oo.log_likelihood(p, data) - oo.log_likelihood(p, data, constraints=False))
    assert got == pytest.approx(want, rel=1e-12)
    assert float(constraint_log_likelihood(oo, p)) == pytest.approx(want, rel=1e-12)
    sp = ScaledPOI(bm, jnp.asarray(2.0))
    assert float(constraint_log_likelihood(sp, {**p, "mu_1e11": 0.5})) == pytest.approx(want, rel=1e-12)
