"""``[fit] method``: the scenario key that selects the upper-limit method of ``nujax fit``."""

from __future__ import annotations

import jax.numpy as jnp
import pytest

from nujax.app import load_config
from nujax.app.fit import fit_limit
from nujax.errors import ConfigError
from nujax.inference import METHODS, BinnedModel, check_uncertainties, upper_limit

BASE = {"scenario": {"name": "t"}, "source": [{"name": "pp"}], "detector": {"preset": "hellaz"},
        "binning": {"T_keV": {"min": 100, "max": 260, "n": 8}}}


def test_method_key_default_and_choices():
    assert load_config(BASE)["fit"]["method"] == "profile"
    for m in METHODS:
        assert load_config({**BASE, "fit": {"method": m}})["fit"]["method"] == m
    with pytest.raises(ConfigError, match="fit.method"):
        load_config({**BASE, "fit": {"method": "bayes"}})


def test_fit_limit_uses_the_method():
    w = jnp.linspace(300.0, 100.0, 6)[None]
    z = jnp.zeros_like(w)
    ns, es, bs, con = check_uncertainties(0.0, 0.0, 0.1, 1)
    model = BinnedModel(w, jnp.linspace(4.0, 1.0, 6)[None], z, z, background=jnp.full(6, 200.0),
                        norm_sigma=ns, eff_sigma=es, bkg_sigma=bs, bin_shape=(6,),
                        source_names=("toy",), bkg_constrained=con)
    data = model.expected({"mu_1e11": 1.0})
    fit = {"cl": 0.9, "mu_max": 20.0, "toys": 0}
    res = fit_limit(model, data, (), fit, method="bayes_flat_mu2")
    ref = upper_limit(model, data, method="bayes_flat_mu2", nuisances=(), mu_max=20.0)
    assert res.method == "bayes_flat_mu2" and res.limit == ref.limit


def test_run_fit_writes_the_method_limit_to_netcdf(tmp_path):
    """``nujax fit`` with ``[fit] method = "cls"`` end to end: limit.nc read back with xarray
    holds the CLs limit, its statistic on its μ grid and the configuration, equal to the limit
    computed in memory from the same scenario and toy data (quick mode)."""
    import json

    import jax
    import numpy as np
    import xarray as xr

    from nujax.app import build_scenario, run_fit
    from nujax.inference import toy_data

    cfg = load_config({**BASE, "fit": {"method": "cls", "exposure_factors": [1.0]},
                       "truth": {"mu_1e11": 5.0}})
    s = run_fit(cfg, tmp_path, quick=True, progress=False, seed=3)
    assert s["limit_method"] == "cls" and s["limit"] == s["limit_cls"]
    sc = build_scenario(cfg)
    data = toy_data(jax.random.fold_in(jax.random.PRNGKey(3), 1), sc.model, sc.truth)
    nuis = tuple(p for p in sc.free if p != "mu_1e11")
    ref = fit_limit(sc.model, data, nuis, cfg["fit"], quick=True, method="cls")
    with xr.open_dataset(tmp_path / "limit.nc") as ds:
        ds.load()
    assert ds.attrs["method"] == "cls" and ds.attrs["cl"] == 0.9
    assert ds["limit"].attrs["units"] == ds["mu"].attrs["units"] == "1e-11 mu_B"
    assert float(ds["limit"]) == pytest.approx(s["limit"], rel=1e-12)
    assert float(ds["limit"]) == pytest.approx(float(ref.limit), rel=1e-9)
    assert float(ds["mu_hat"]) == pytest.approx(float(ref.mu_hat), rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(ds["mu"].values, np.asarray(ref.grid), rtol=1e-12)
    np.testing.assert_allclose(ds["CLs"].values, np.asarray(ref.q), rtol=1e-6, atol=1e-9)
    assert json.loads(ds.attrs["config"])["fit"]["method"] == "cls"
    # the CLs limit is a different number from the profile-likelihood limit of the same data
    assert s["limit_cls"] != s["limit_profile"] and s["limit_cls"] > 0
