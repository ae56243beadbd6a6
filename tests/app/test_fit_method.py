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
