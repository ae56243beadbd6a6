"""HistFactory (pyhf) export of a binned model, and the cross-check of the CLs upper limit on μ²
between nujax and pyhf on that workspace."""

from __future__ import annotations

import json
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax.inference import (BinnedModel, check_uncertainties, cls_upper_limit, to_pyhf_spec,
                             toy_data, write_pyhf_workspace)
from nujax.inference.pyhf_export import POI_NAME, pyhf_workspace

pyhf = pytest.importorskip("pyhf")
# pyhf 0.7 validates workspaces with jsonschema's deprecated RefResolver
pytestmark = pytest.mark.filterwarnings("ignore:jsonschema.RefResolver is deprecated:DeprecationWarning")

NUIS = ("norm", "eff_scale", "bkg_scale")


def _model(n_phi=None):
    """One source with 5 % flux, 3 % efficiency and 10 % background uncertainties; with
    ``n_phi`` azimuth bins whose interference integrates to zero over 2π."""
    w = jnp.linspace(300.0, 100.0, 6)[None]
    m = jnp.linspace(4.0, 1.0, 6)[None]
    z = jnp.zeros_like(w)
    bkg = jnp.full(6, 200.0)
    shape = (6,)
    if n_phi:
        edges = np.linspace(0.0, 2 * np.pi, n_phi + 1)
        dphi = np.diff(edges) / (2 * np.pi)
        w, m, bkg = w[..., None] * dphi, m[..., None] * dphi, bkg[:, None] * dphi
        z = 0.5 * w * np.diff(np.sin(edges))
        shape = (6, n_phi)
    ns, es, bs, con = check_uncertainties(0.05, 0.03, 0.1, 1)
    return BinnedModel(w, m, z, z, background=bkg, norm_sigma=ns, eff_sigma=es, bkg_sigma=bs,
                       bin_shape=shape, source_names=("pp",), directional=bool(n_phi),
                       bkg_constrained=con)


@pytest.fixture(scope="module")
def case():
    model = _model()
    data = np.asarray(toy_data(jax.random.PRNGKey(1), model, {"mu_1e11": 0.0}))
    return model, data


def test_cls_limit_on_mu2_agrees_with_pyhf(case):
    """The asymptotic CLs 90 % upper limit on μ² from nujax and from pyhf (q̃, asymptotic
    calculator, toms748 root finding) on the exported workspace agree within 1 % (the two
    likelihoods are identical: histosys modifiers interpolate linearly)."""
    model, data = case
    ours = cls_upper_limit(model, data, nuisances=NUIS, mu_max=20.0)
    ws = pyhf_workspace(to_pyhf_spec(model, data, nuisances=NUIS))
    pm = ws.model()
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=1e-10))
    lo, hi = 0.25 * ours.limit ** 2, 4.0 * ours.limit ** 2
    theirs, _ = pyhf.infer.intervals.upper_limits.toms748_scan(ws.data(pm), pm, lo, hi,
                                                              level=0.1, rtol=1e-8, atol=1e-10)
    assert ours.converged and ours.method == "cls"
    assert ours.limit ** 2 == pytest.approx(float(theirs), rel=0.01)


def test_workspace_content(case, tmp_path):
    model, data = case
    spec = to_pyhf_spec(model, data, nuisances=NUIS)
    ws = pyhf_workspace(spec)
    pm = ws.model()
    assert pm.config.poi_name == POI_NAME
    assert set(pm.config.par_order) == {POI_NAME, "norm_pp", "lumi", "bkg_scale"}
    # expected counts agree at a non-trivial point: μ² = 9, every nuisance +1σ
    pars = pm.config.suggested_init()
    for name, value in ((POI_NAME, 9.0), ("norm_pp", 1.0), ("lumi", 1.03), ("bkg_scale", 1.0)):
        pars[pm.config.par_slice(name)] = [value]
    ours = model.expected({"mu2": 9.0, "norm": 1.05, "eff_scale": 1.03, "bkg_scale": 1.1})
    np.testing.assert_allclose(pm.expected_actualdata(pars), ours, rtol=1e-12)
    path = write_pyhf_workspace(tmp_path / "ws.json", model, data, nuisances=NUIS,
                                norm_modifier="normsys")
    spec2 = json.loads(path.read_text())
    assert {m["type"] for s in spec2["channels"][0]["samples"] for m in s["modifiers"]} == \
        {"normfactor", "normsys", "lumi"}
    assert pyhf_workspace(path).model().config.npars == 4


def test_directional_model_is_integrated_over_the_azimuth():
    model = _model(n_phi=4)
    data = np.asarray(model.expected({"mu_1e11": 2.0}))
    spec = to_pyhf_spec(model, data, nuisances=())
    samples = {s["name"]: np.asarray(s["data"]) for s in spec["channels"][0]["samples"]}
    np.testing.assert_allclose(samples["magnetic_pp"], np.linspace(4.0, 1.0, 6), rtol=1e-12)
    np.testing.assert_allclose(spec["observations"][0]["data"], data.sum(axis=-1), rtol=1e-12)


def test_bad_input_and_missing_pyhf(case, monkeypatch):
    model, data = case
    with pytest.raises(TypeError, match="BinnedModel"):
        to_pyhf_spec(object(), data)
    with pytest.raises(ValueError, match="nuisances must be among"):
        to_pyhf_spec(model, data, nuisances=("phi_B",))
    with pytest.raises(ValueError, match="norm_modifier"):
        to_pyhf_spec(model, data, norm_modifier="shapesys")
    from nujax.inference import Observation
    with pytest.raises(ValueError, match="not nominal"):
        to_pyhf_spec(model, Observation(data, {"bkg_scale": 1.2}))
    monkeypatch.setitem(sys.modules, "pyhf", None)
    with pytest.raises(ImportError, match="pip install pyhf"):
        pyhf_workspace({})
