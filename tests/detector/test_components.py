"""Background components (shapes, β spectra, constraints), tabulated responses and Birks quenching."""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax._numerics import mapped_nodes
from nujax.detector import make_detector
from nujax.detector.birks import birks_visible_energy, electron_stopping_power, quenching_factor
from nujax.detector.components import (component_constraint, component_density,
                                       component_support, make_component, read_shape_table)
from nujax.detector.response_tables import (make_response_table, read_response_table,
                                            table_efficiency, table_sigma)
from nujax.inference.background_model import fold_component


def _mean(comp, n=64, panels=16):
    lo, hi = component_support(comp)
    E, w = mapped_nodes(lo, hi, n, panels)
    f = component_density(comp, E)
    return float(jnp.sum(w * f * E) / jnp.sum(w * f))


SHAPES = [
    ("flat", dict(lo=0.1, hi=0.5)),
    ("polynomial", dict(degree=2, lo=0.0, hi=1.0, c1=1.0, c2=-0.5)),
    ("exponential", dict(lo=0.1, hi=2.0, slope=3.0)),
    ("gaussian", dict(mean=1.0, width=0.003)),
    ("beta", dict(isotope="C14")),
    ("beta", dict(isotope="Bi210")),
    ("double_beta", dict(isotope="Xe136")),
]


def test_each_shape_integrates_to_its_rate():
    # bins covering the support, ε = 1: Σ counts = R · M · t (to the quadrature's accuracy)
    det = make_detector("xenon", mass_t=2.0, live_time_yr=0.5)
    edges = np.linspace(0.0, 3.2, 161)
    for shape, kw in SHAPES:
        c = make_component("x", shape, 10.0, **kw)
        assert float(jnp.sum(fold_component(c, det, edges))) == pytest.approx(10.0, rel=1e-6), shape


def test_smeared_shapes_keep_their_rate():
    # with a 1 %/√E resolution the counts smeared below the 0 edge are lost: < 0.1 % for ¹⁴C
    det = make_detector("xenon", mass_t=2.0, live_time_yr=0.5, res_stoch=0.01, smearing=True)
    edges = np.linspace(0.0, 3.2, 81)
    for shape, kw in (SHAPES[2], SHAPES[4]):
        c = make_component("x", shape, 10.0, **kw)
        assert float(jnp.sum(fold_component(c, det, edges))) == pytest.approx(10.0, rel=1e-3), shape


def test_shapes_against_analytic_bin_integrals():
    det = make_detector("xenon", mass_t=1.0, live_time_yr=1.0)
    edges = np.array([0.1, 0.4, 0.9, 2.0])
    c = make_component("e", "exponential", 1.0, lo=0.1, hi=2.0, slope=3.0)
    cdf = lambda x: -np.exp(-3.0 * (x - 0.1)) / 3.0
    want = np.diff(cdf(edges)) / (cdf(2.0) - cdf(0.1))
    np.testing.assert_allclose(fold_component(c, det, edges), want, rtol=1e-10)
    g = make_component("g", "gaussian", 1.0, mean=1.0, width=0.05)
    from scipy.stats import norm
    e2 = np.array([0.8, 0.97, 1.0, 1.06, 1.3])
    np.testing.assert_allclose(fold_component(g, det, e2), np.diff(norm.cdf(e2, 1.0, 0.05)),
                               rtol=1e-6, atol=1e-9)


def test_beta_mean_energies_against_evaluated_values():
    # NNDC NuDat mean β energies: ¹⁴C 49.47 keV (allowed); ²¹⁰Bi 389 keV (evaluated with the
    # allowed shape); ⁸⁵Kr 251 keV (first-forbidden unique; our λ₂ = 1 approximation, see
    # nujax.sources.beta, gives 2.3 % more, so the tolerance is 3 %)
    assert _mean(make_component("c", "beta", 1.0, isotope="C14")) * 1e3 == pytest.approx(49.47, rel=5e-3)
    bi_allowed = make_component("b", "beta", 1.0, isotope="Bi210", shape_factor=False)
    assert _mean(bi_allowed) * 1e3 == pytest.approx(389.0, rel=5e-3)
    assert _mean(make_component("k", "beta", 1.0, isotope="Kr85")) * 1e3 == pytest.approx(251.0, rel=0.03)
    # the measured ²¹⁰Bi shape factor (Alekseev et al.) softens the spectrum
    assert _mean(make_component("b", "beta", 1.0, isotope="Bi210")) < 0.85 * _mean(bi_allowed)


@pytest.mark.parametrize("shape,iso,q", [("beta", "C14", 0.156476), ("beta", "Kr85", 0.687),
                                         ("beta", "Pb214", 1.019), ("double_beta", "Xe136", 2.45783)])
def test_beta_endpoints(shape, iso, q):
    c = make_component("x", shape, 1.0, isotope=iso)
    assert float(component_support(c)[1]) == q
    f = component_density(c, jnp.array([-0.01, 0.5 * q, 0.999 * q, q * 1.001]))
    assert f[0] == 0 and f[1] > 0 and 0 <= f[2] < 0.01 * f[1] and f[3] == 0


def test_shape_parameter_gradients_match_finite_differences():
    det = make_detector("xenon", mass_t=1.0, live_time_yr=1.0, res_stoch=0.02, smearing=True)
    edges = jnp.linspace(0.05, 2.0, 21)
    c = make_component("e", "exponential", 5.0, lo=0.1, hi=2.0, slope=1.5)
    g = make_component("g", "gaussian", 5.0, mean=0.8, width=0.05)
    for comp, key, x0 in ((c, "slope", 1.5), (g, "mean", 0.8), (g, "width", 0.05)):
        f = jax.jit(lambda x: jnp.sum(jnp.sin(jnp.arange(20.0))
                                      * fold_component(comp, det, edges, {key: x})))
        h = 1e-5 * x0
        fd = float((f(x0 + h) - f(x0 - h)) / (2 * h))
        assert float(jax.grad(f)(x0)) == pytest.approx(fd, rel=1e-5), key


def test_constraints():
    gc = make_component("a", "flat", 1.0, constraint="gaussian", sigma=0.1, hi=2.0)
    lc = make_component("b", "flat", 1.0, constraint="lognormal", sigma=0.2, hi=2.0)
    fc = make_component("c", "flat", 1.0, hi=2.0)
    assert float(component_constraint(gc, 1.2)) == pytest.approx(-2.0)
    assert float(component_constraint(lc, math.e ** 0.2)) == pytest.approx(-0.5)
    assert float(component_constraint(fc, 7.0)) == 0.0
    assert float(component_constraint(lc, -1.0)) == -math.inf
    assert math.isfinite(float(jax.grad(lambda s: component_constraint(lc, s))(1.0)))


@pytest.mark.parametrize("kw,match", [
    (dict(shape="nope"), "shape"), (dict(rate=-1.0), "rate"),
    (dict(constraint="gaussian"), "sigma"), (dict(constraint="maybe"), "constraint"),
    (dict(shape="beta", isotope="U238"), "isotope"), (dict(lo=2.0, hi=1.0), "hi must exceed"),
    (dict(slope=1.0), "unknown parameter"), (dict(name="a b"), "name"),
])
def test_bad_components_raise(kw, match):
    args = dict(name="x", shape="flat", rate=1.0) | kw
    with pytest.raises(ValueError, match=match):
        make_component(args.pop("name"), args.pop("shape"), args.pop("rate"), **args)


def test_tabulated_shape_from_file(tmp_path):
    p = tmp_path / "shape.csv"
    p.write_text("E_keV,density\n100,0\n200,2\n300,2\n400,0\n")
    grid, dens = read_shape_table(p)
    np.testing.assert_allclose(grid, [0.1, 0.2, 0.3, 0.4])
    c = make_component("t", "table", 3.0, table=(grid, dens))
    det = make_detector("xenon", mass_t=1.0, live_time_yr=1.0)
    n = fold_component(c, det, [0.1, 0.2, 0.3, 0.4])
    # trapezoid areas 1 : 2 : 1; the normalisation runs on panels not aligned with the kinks (2e-5)
    np.testing.assert_allclose(n, [0.75, 1.5, 0.75], rtol=1e-4)


# ------------------------------------------------------------------------- response tables
def _table(tmp_path):
    p = tmp_path / "resp.csv"
    p.write_text("E_keV,efficiency,sigma_keV\n1,0.1,0.3\n2,0.5,0.4\n4,0.8,0.55\n8,0.95,0.8\n")
    return read_response_table(p)


@pytest.mark.parametrize("method", ["linear", "monotonic", "cubic2"])
def test_response_table_reproduces_its_points(tmp_path, method):
    t = _table(tmp_path)
    t = make_response_table(t.energy, t.efficiency, t.sigma, method=method)
    np.testing.assert_allclose(table_efficiency(t, t.energy), [0.1, 0.5, 0.8, 0.95], rtol=1e-12)
    np.testing.assert_allclose(table_sigma(t, t.energy), [3e-4, 4e-4, 5.5e-4, 8e-4], rtol=1e-12)
    # outside the table: the end values
    assert float(table_efficiency(t, 0.1)) == pytest.approx(0.95)
    assert float(table_efficiency(t, 1e-4)) == pytest.approx(0.1)


def test_response_table_scale_gradients_match_finite_differences(tmp_path):
    t = _table(tmp_path)
    E = jnp.array([1.5e-3, 3.0e-3, 5.0e-3])
    for fn, kw in ((table_efficiency, "energy_scale"), (table_efficiency, "eff_scale"),
                   (table_sigma, "energy_scale"), (table_sigma, "res_scale")):
        f = lambda a: jnp.sum(fn(t, E, **{kw: a}))
        fd = (f(1.0 + 1e-6) - f(1.0 - 1e-6)) / 2e-6
        assert float(jax.grad(f)(1.0)) == pytest.approx(float(fd), rel=1e-5), (fn, kw)


def test_detector_with_response_table(tmp_path):
    # a flat table (ε = 0.5, σ = 2 keV) is the parametric detector with ε₀ = 0.5, c = 2 keV
    flat = make_response_table([1e-3, 0.1, 1.0], [0.5, 0.5, 0.5], [0.002, 0.002, 0.002])
    d_tab = make_detector("xenon", smearing=True, response=flat)
    d_par = make_detector("xenon", smearing=True, eff_plateau=0.5, res_const=0.002)
    c = make_component("kr", "beta", 10.0, isotope="Kr85")
    edges = jnp.linspace(0.01, 0.7, 24)
    np.testing.assert_allclose(fold_component(c, d_tab, edges), fold_component(c, d_par, edges),
                               rtol=1e-12)
    # gradient of folded counts w.r.t. the table's energy scale (a detector leaf) vs FD
    det = make_detector("xenon", smearing=True, response=_table(tmp_path))
    w = jnp.sin(jnp.arange(23.0))
    f = jax.jit(lambda a: jnp.sum(w * fold_component(
        c, dataclasses.replace(det, response=dataclasses.replace(det.response, energy_scale=a)),
        jnp.linspace(0.0005, 0.012, 24))))
    fd = float((f(1.0 + 1e-6) - f(1.0 - 1e-6)) / 2e-6)
    assert float(jax.grad(f)(1.0)) == pytest.approx(fd, rel=1e-5)
    with pytest.raises(ValueError, match="response"):
        make_detector("xenon", response="table.csv")


def test_response_table_bad_values_raise(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("E_keV,efficiency,sigma_keV\n1,0.1,0.3\n2,1.5,0.4\n")
    with pytest.raises(ValueError, match="r.csv.*efficiency"):
        read_response_table(p)


# ------------------------------------------------------------------------------- Birks' law
def test_birks_linear_limit_and_quenching():
    E = jnp.array([0.01, 0.1, 1.0])
    np.testing.assert_allclose(birks_visible_energy(E, kB_cm_per_MeV=0.0), E, rtol=1e-12)
    q = quenching_factor(E)
    assert np.all(np.diff(np.asarray(q)) > 0) and np.all(np.asarray(q) < 1)
    # E_vis(E) increases with E: dE_vis/dE = 1/(1 + kB S(E)) by the fundamental theorem
    g = jax.grad(lambda e: birks_visible_energy(e))(0.5)
    want = 1.0 / (1.0 + 0.0115 * float(electron_stopping_power(0.5)))
    assert float(g) == pytest.approx(want, rel=1e-5)     # 24×4-node rule: ~1e-6


def test_stopping_power_minimum_ionising_scale():
    # minimum-ionising electrons lose ≈ 1.6–2 MeV cm²/g in hydrocarbons (PDG, Passage of
    # particles through matter, Fig. 34.2): here the collision part at 1–2 MeV
    s = float(electron_stopping_power(1.5)) / 0.876
    assert 1.6 < s < 2.0


def test_float32_folding_and_quenching(float32_matches):
    # float32 budget: 1e-4 relative (quadrature sums of O(100) terms, erf differences)
    def run():
        det = make_detector("xenon", mass_t=2.0, live_time_yr=0.5, res_stoch=0.01, smearing=True)
        c = make_component("x", "beta", 10.0, isotope="Kr85")
        return jnp.concatenate([fold_component(c, det, jnp.linspace(0.0, 0.8, 17)),
                                quenching_factor(jnp.array([0.01, 0.1, 1.0]))])
    float32_matches(run, rtol=1e-4)
