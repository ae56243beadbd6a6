"""The numpy baseline of the global-fit benchmark (benchmarks/numpy_joint.py) equals the JAX −log L
of every model class it supports, alone, nested and inside a joint model (tiny synthetic models,
no physics templates: a few seconds, mostly the first eager JAX calls)."""

import importlib.util
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from nujax.detector import make_detector
from nujax.detector.components import make_component
from nujax.inference import BinnedModel, Observation, nll
from nujax.inference.parameters import check_uncertainties
from nujax.inference.background_model import BackgroundModel
from nujax.inference.joint import joint_model
from nujax.inference.onoff import OnOffData, onoff_model

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "numpy_joint.py"
_spec = importlib.util.spec_from_file_location("numpy_joint", _PATH)
numpy_joint = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(numpy_joint)

K = 8
T = np.linspace(0.012, 0.06, K + 1)
ENTRIES = ("mu_ee", "mu_mumu", "mu_emu")
RTOL = 1e-12                    # GUIDE §5 (bench_global.py asserts 1e-10 on the real case)


def _quad(background=20.0, bkg_sigma=0.1):
    """Two sources, K bins, counts a quadratic form in the entries with a linear (interference)
    term, as the density-matrix templates of :func:`~nujax.inference.quadratic_em_model` are
    (its BinnedModel built from given templates: no autodiff needed here)."""
    x = 0.5 * (T[1:] + T[:-1]) / 0.06
    weak = np.stack([100.0 * (1.2 - x), 60.0 * x])
    lin = np.asarray([[0.0, 3.0, 0.0], [1.0, 0.0, 0.0]])[:, :, None] * x        # (S, P, K)
    Q = np.asarray([[[4.0, 0.5, 1.0], [0.5, 2.0, 0.3], [1.0, 0.3, 3.0]],
                    [[1.0, 0.0, 0.2], [0.0, 5.0, 0.1], [0.2, 0.1, 2.0]]])[..., None] / x
    ns, es, bs, con = check_uncertainties((0.02, 0.05), 0.03, bkg_sigma, 2)
    z = jnp.zeros((2, K))
    return BinnedModel(jnp.asarray(weak), z, z, z, background=jnp.full(K, background),
                       norm_sigma=ns, eff_sigma=es, bkg_sigma=bs, bin_shape=(K,),
                       source_names=("a", "b"), bkg_constrained=con, em_lin=jnp.asarray(lin),
                       em_quad=jnp.asarray(Q), em_names=ENTRIES)


def _effective_moment():
    """A BinnedModel with μ, φ_B and Pe templates (Pe refitted, background free)."""
    rng = np.random.default_rng(3)
    w, m = (jnp.asarray(rng.uniform(1.0, 5.0, (2, K))) for _ in range(2))
    c, s = (jnp.asarray(rng.uniform(-0.5, 0.5, (2, K))) for _ in range(2))
    ns, es, bs, con = check_uncertainties((0.04, 0.0), 0.0, None, 2)
    return BinnedModel(w, m, c, s, jnp.full(K, 3.0), ns, es, bs, bin_shape=(K,),
                       source_names=("a", "b"), bkg_constrained=con, pe0=jnp.asarray(0.7),
                       pe_scalable=True)


def _components(model, float_shapes=()):
    """``model`` plus four flat components, one per kind of rate constraint (their templates
    given: the likelihood, not the folding, is compared here)."""
    comps = (make_component("flat", "flat", 300.0, lo=0.0, hi=0.1, constraint="gaussian",
                            sigma=0.1),
             make_component("expo", "flat", 200.0, lo=0.02, hi=0.05, constraint="lognormal",
                            sigma=0.3),
             make_component("peak", "flat", 80.0, lo=0.03, hi=0.035, constraint="free"),
             make_component("fixed", "flat", 50.0, lo=0.0, hi=0.1, constraint="fixed"))
    x = 0.5 * (T[1:] + T[:-1]) / 0.06
    templates = jnp.asarray(np.stack([30.0 * x, 20.0 * x ** 2, 8.0 / x, np.full(K, 5.0)]))
    return BackgroundModel(model, comps, make_detector("germanium"), jnp.asarray(T),
                           jnp.ones(()), templates, tuple(float_shapes))


def _models():
    off = np.linspace(40.0, 10.0, K)
    return {"binned": _quad(), "moment": _effective_moment(), "components": _components(_quad()),
            "onoff": onoff_model(_quad(background=0.0, bkg_sigma=0.0), off, 0.4),
            "onoff_components": onoff_model(_components(_quad(background=0.0, bkg_sigma=0.0)),
                                            off, 0.25)}


POINTS = {                       # away from the nominal values, so every term contributes
    "binned": {"mu_ee": 0.8, "mu_mumu": -0.6, "mu_emu": 0.4, "norm": jnp.asarray([1.03, 0.96]),
               "eff_scale": 0.97, "bkg_scale": 1.2},
    "moment": {"mu_1e11": 1.3, "phi_B": 0.7, "pe": 0.55, "norm": jnp.asarray([1.05, 0.98]),
               "eff_scale": 1.02, "bkg_scale": 0.8},
    "components": {"mu_ee": 0.5, "mu_emu": -0.3, "bkg_flat": 1.1, "bkg_expo": 0.9,
                   "bkg_peak": 1.4, "norm": jnp.asarray([0.99, 1.04])},
    "onoff": {"mu_mumu": 0.9, "norm": jnp.asarray([1.01, 0.97]), "eff_scale": 1.05},
    "onoff_components": {"mu_ee": 0.6, "mu_mumu": 0.2, "bkg_expo": 1.2, "bkg_flat": 0.95},
}


def _data(name, m, rng):
    """Poisson data (some bins of the OFF spectrum empty) with auxiliary measurements."""
    n = rng.poisson(np.asarray(m.expected({})) * 1.1).astype(float)
    if name.startswith("onoff"):
        off = rng.poisson(np.asarray(m.off_counts)).astype(float)
        off[:2] = 0.0
        return OnOffData(Observation(jnp.asarray(n), {"norm": jnp.asarray([1.02, 0.99])}),
                         jnp.asarray(off))
    aux = {"eff_scale": jnp.asarray(1.01), "bkg_scale": jnp.asarray(0.97)}
    return Observation(jnp.asarray(n), aux)


@pytest.fixture(scope="module")
def models():
    return _models()


@pytest.mark.parametrize("name", list(POINTS))
def test_numpy_model_equals_jax(models, name):
    m = models[name]
    data = _data(name, m, np.random.default_rng(len(name)))
    p = {**m.default_params(), **POINTS[name]}
    p_np = {k: np.asarray(v, float) for k, v in p.items()}
    ref = float(m.log_likelihood(POINTS[name], data))
    got = numpy_joint.numpy_model(m).log_likelihood(p_np, data)
    assert np.isfinite(ref) and got == pytest.approx(ref, rel=RTOL, abs=0.0)
    np.testing.assert_allclose(numpy_joint.numpy_model(m).expected(p_np),
                               m.expected(POINTS[name]), rtol=RTOL)


def test_joint_numpy_nll_equals_jax(models):
    """Every class in one joint model sharing the entries, data with auxiliary values and an OFF
    spectrum; some parameters fixed away from nominal, the others passed as free values."""
    joint = joint_model(models, ENTRIES)
    rng = np.random.default_rng(0)
    data = tuple(_data(n, m, rng) for n, m in models.items())
    p = {"mu_ee": 0.7, "mu_mumu": -0.4, "mu_emu": 0.3, "binned/norm": np.array([1.02, 0.97]),
         "moment/pe": 0.6, "moment/mu_1e11": 0.9, "moment/phi_B": 1.1,
         "components/bkg_peak": 1.3, "onoff/eff_scale": 1.04, "onoff_components/bkg_expo": 0.8}
    fixed = {"components/bkg_flat": 1.1, "binned/bkg_scale": 0.9}
    ref = float(nll(joint, {**fixed, **{k: jnp.asarray(v) for k, v in p.items()}}, data))
    got = numpy_joint.numpy_nll_factory(joint, fixed)(p, data)
    assert np.isfinite(ref) and got == pytest.approx(ref, rel=RTOL, abs=0.0)
    # a wrong entry value is seen: the comparison can fail
    assert numpy_joint.numpy_nll_factory(joint, fixed)({**p, "mu_emu": 0.31}, data) != \
        pytest.approx(ref, rel=RTOL, abs=0.0)


def test_impossible_points_agree(models):
    """λ = 0 with counts, and a log-normal scale ≤ 0, are −∞ in both."""
    m = models["components"]
    data = _data("components", m, np.random.default_rng(1))
    p = {**m.default_params(), "bkg_expo": -0.5}
    assert float(m.log_likelihood({"bkg_expo": -0.5}, data)) == -np.inf
    assert numpy_joint.numpy_model(m).log_likelihood(
        {k: np.asarray(v, float) for k, v in p.items()}, data) == -np.inf


def test_unsupported_models_are_refused():
    with pytest.raises(ValueError, match=r"\['expo'\] float their shape"):
        numpy_joint.numpy_model(_components(_quad(), float_shapes=("expo:hi",)))
    with pytest.raises(TypeError, match="no numpy counterpart of dict"):
        numpy_joint.numpy_model({})
