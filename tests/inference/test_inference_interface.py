"""The inference layer's interfaces: the StatisticalModel protocol, the one constraint-width check,
the one profile-likelihood limit, Fisher errors jitted at their boundary, and the layering
(nothing imports the application; numpyro only with the NUTS module)."""

import ast
import subprocess
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import nujax.inference as inf
from nujax.errors import ConvergenceWarning
from nujax.inference import (BinnedModel, StatisticalModel, UpperLimit, asimov_data, build_model,
                             build_unbinned_model, check_uncertainties, exclusion_sensitivity,
                             fisher_errors, fisher_matrix, nll, parameter_errors,
                             profile_upper_limit, sensitivity_vs_exposure)
from nujax.inference import fisher as fisher_mod

WIN = (0.1, 0.26)


def _toy_model(background=200.0, n_bins=6, bkg_sigma=0.1):
    """A synthetic binned model (no azimuth bins): counts ∝ a falling spectrum, flat background."""
    w = jnp.linspace(300.0, 100.0, n_bins)[None]
    m = jnp.linspace(4.0, 1.0, n_bins)[None]
    z = jnp.zeros_like(w)
    ns, es, bs, con = check_uncertainties(0.0, 0.0, bkg_sigma, 1)
    return BinnedModel(w, m, z, z, background=jnp.full(n_bins, background), norm_sigma=ns,
                       eff_sigma=es, bkg_sigma=bs, bin_shape=(n_bins,), source_names=("toy",),
                       bkg_constrained=con)


@pytest.fixture(scope="module")
def toy():
    return _toy_model()


# --- the protocol ------------------------------------------------------------------------
def test_binned_and_unbinned_models_implement_the_protocol(pp, det):
    bm = build_model(pp, det, np.asarray(WIN), pe=0.5)
    um = build_unbinned_model(pp, det, np.linspace(0.11, 0.25, 5), WIN, pe=0.5)
    for m in (bm, um, _toy_model()):
        assert isinstance(m, StatisticalModel)
        assert set(m.default_params()) <= set(m.parameter_names())
    p = {"mu_1e11": 4.0, "phi_B": 0.3}
    # one generic nll for both: −log L through the model's own method, no type dispatch
    phi = np.linspace(0.0, 6.0, 5)
    assert float(nll(um, p, phi)) == pytest.approx(-float(um.log_likelihood(p, phi)), rel=1e-14)
    n = asimov_data(bm, p)
    assert float(nll(bm, p, n)) == pytest.approx(-float(bm.log_likelihood(p, n)), rel=1e-14)
    # the unbinned expected number of events equals the one-bin binned model over the window
    assert float(um.expected(p)) == pytest.approx(float(jnp.sum(bm.expected(p))), rel=1e-10)


def test_check_uncertainties():
    ns, es, bs, con = check_uncertainties([0.01, 0.02], 0.05, 0.1, 2)
    np.testing.assert_array_equal(ns, [0.01, 0.02])
    assert float(es) == 0.05 and float(bs) == 0.1 and con
    ns, _, bs, con = check_uncertainties(0.03, 0.0, None, 3)
    assert ns.shape == (3,) and float(bs) == 0.0 and not con
    for bad in ((-0.1, 0.0, None), (0.0, -1.0, None), (0.0, 0.0, -0.2), (0.0, float("nan"), None)):
        with pytest.raises(ValueError, match="non-negative"):
            check_uncertainties(*bad, 2)
    with pytest.raises(ValueError, match="one per source"):
        check_uncertainties([0.1, 0.2, 0.3], 0.0, None, 2)


# --- the one profile-likelihood upper limit ------------------------------------------------
def test_profile_limit_agrees_with_the_asymptotic_formula(toy):
    data = asimov_data(toy, {"mu_1e11": 0.0})
    res = profile_upper_limit(toy, data, nuisances=("bkg_scale",), mu_max=20.0)
    assert isinstance(res, UpperLimit) and res.converged and res.note == ""
    assert res.mu_hat ** 2 < 1e-3 * res.limit ** 2
    ref = float(exclusion_sensitivity(toy, nuisances=("bkg_scale",)))   # Cowan et al. Sec. 4.3
    assert res.limit == pytest.approx(ref, rel=0.01)
    assert res.grid.shape == res.q.shape == (49,) and res.grid[-1] == 20.0
    thr = inf.Q90_ONE_SIDED
    assert np.all(res.q[res.grid < res.limit] < thr) and np.all(res.q[res.grid > res.limit] > thr)


def test_profile_limit_extends_its_range(toy):
    data = asimov_data(toy, {"mu_1e11": 0.0})
    ref = profile_upper_limit(toy, data, nuisances=(), mu_max=20.0).limit
    res = profile_upper_limit(toy, data, nuisances=(), mu_max=ref / 10.0)
    assert res.limit == pytest.approx(ref, rel=1e-3) and "extended" in res.note
    assert res.grid[-1] == pytest.approx(ref / 10.0 * 16.0)
    with pytest.raises(ValueError, match="above mu_max"):
        profile_upper_limit(toy, data, nuisances=(), mu_max=ref / 10.0, max_extensions=1)


def test_profile_limit_does_not_raise_on_capped_fits(toy):
    data = asimov_data(toy, {"mu_1e11": 0.0})
    ref = profile_upper_limit(toy, data, nuisances=("bkg_scale",), mu_max=20.0).limit
    with pytest.warns(ConvergenceWarning, match="max_iter = 3"):
        res = profile_upper_limit(toy, data, nuisances=("bkg_scale",), mu_max=20.0,
                                  tol=1e-300, max_iter=3)
    assert not res.converged and "max_iter" in res.note
    assert res.limit == pytest.approx(ref, rel=0.05)


# --- Fisher -------------------------------------------------------------------------------
def test_fisher_errors(toy):
    p = {"mu2": 0.0}
    free = ("mu2", "bkg_scale", "norm")
    F, labels = fisher_matrix(toy, p, free)
    assert labels == ("bkg_scale", "mu2", "norm[0]")
    errs = fisher_errors(toy, p, free)
    assert list(errs) == list(labels)
    np.testing.assert_allclose([errs[k] for k in labels], np.asarray(parameter_errors(F)),
                               rtol=1e-12)
    # μ = 0 is a stationary point of a μ² model: F is singular in mu_1e11 → None
    assert fisher_errors(toy, {"mu_1e11": 0.0}, ("mu_1e11", "bkg_scale")) == {
        "bkg_scale": None, "mu_1e11": None}


def test_sensitivity_is_jitted_at_its_boundary(toy):
    a = float(exclusion_sensitivity(toy, nuisances=["bkg_scale"]))
    n = fisher_mod._sensitivity._cache_size()
    b = float(exclusion_sensitivity(toy.scaled(4.0), nuisances=("bkg_scale",)))
    assert fisher_mod._sensitivity._cache_size() == n            # no retracing for new values
    assert b < a
    v = sensitivity_vs_exposure(toy, [1.0, 4.0], nuisances=("bkg_scale",))
    np.testing.assert_allclose(np.asarray(v), [a, b], rtol=1e-12)


# --- layering -----------------------------------------------------------------------------
_APP = ("nujax.app", "nujax.scenarios", "nujax.study", "nujax.quicklook", "nujax.cli",
        "nujax.figures", "nujax.plotting")


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, ()
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, tuple(a.name for a in node.names)


def test_inference_imports_point_down_only():
    root = Path(inf.__file__).parent
    for f in sorted(root.glob("*.py")):
        for mod, names in _imports(f):
            assert not mod.startswith(_APP), f"{f.name} imports {mod}"
            if mod.startswith("nujax"):       # no private names across modules
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                assert not private, f"{f.name}: {mod} {private}"
            assert not mod.startswith("matplotlib"), f"{f.name} imports matplotlib"
            if mod.startswith("numpyro"):
                assert f.name == "nuts.py", f"{f.name} imports numpyro"


def test_numpyro_loads_only_with_the_nuts_module():
    code = ("import sys, nujax.inference as i; assert 'numpyro' not in sys.modules; "
            "assert 'matplotlib' not in sys.modules; i.MuPrior; assert 'numpyro' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unbinned_fit_of_nuclear_recoils():
    """``target=`` passes through the unbinned builder: CEvNS of ⁸B on ⁴⁰Ar (one isotope, cheap to
    compile) gets an unbinned fit."""
    import jax

    from nujax.detector import make_detector
    from nujax.inference import fit_mle, toy_events
    from nujax.sources import get_source

    det = make_detector("argon40", mass_t=1.0, threshold=0.001, smearing=False, background=1e-3)
    b8 = get_source("8B")[0]
    win = (0.001, 0.004)
    T, phi = toy_events(jax.random.PRNGKey(0), b8, det, win, {"mu_1e11": 0.0}, target="nucleus")
    um = build_unbinned_model(b8, det, T, win, target="nucleus", bkg_sigma=0.1)
    bm = build_model(b8, det, np.asarray(win), target="nucleus")
    assert float(um.expected()) == pytest.approx(float(jnp.sum(bm.expected())), rel=1e-10)
    res = fit_mle(um, phi, free=("norm", "bkg_scale"))
    assert bool(res.converged) and abs(float(res.params["norm"][0]) - 1.0) < 4.0 / np.sqrt(T.size)
