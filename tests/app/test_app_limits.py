"""``nujax demo`` (the study) and ``nujax fit`` (run_fit) quote one limit: the same model and data
give the same upper limit through both paths, equal to nujax.inference.profile_upper_limit."""

import dataclasses

import jax
import numpy as np
import pytest

from nujax.app import fit as fit_driver
from nujax.app import study
from nujax.inference import build_model, profile_upper_limit, toy_data


@pytest.fixture(scope="module")
def model_and_data():
    cfg = study.quick_config()
    spectra, det = study.study_inputs(cfg)
    model = build_model(spectra, det, np.linspace(*cfg.T_range, cfg.n_T + 1),
                        np.linspace(0.0, 2 * np.pi, cfg.n_phi + 1), pe=cfg.pe,
                        norm_sigma=cfg.norm_sigma, bkg_sigma=cfg.bkg_sigma)
    data = toy_data(jax.random.PRNGKey(0), model, {"mu_1e11": cfg.mu_1e11, "phi_B": cfg.phi_B})
    return cfg, model, data


def test_demo_and_fit_give_the_same_limit(model_and_data):
    cfg, model, data = model_and_data
    fit_cfg = {"cl": cfg.cl, "mu_max": 50.0}
    fit = fit_driver.fit_limit(model, data, ("phi_B", "norm", "bkg_scale"), fit_cfg, quick=False)
    demo = study.profile_limit(model, data, dataclasses.replace(cfg, limit_grid=49))
    assert demo.converged and fit.converged
    assert np.isfinite(demo.limit) and demo.limit > float(demo.mu_hat)
    # one function with the same settings: the same number, bit for bit
    assert float(fit.limit) == float(demo.limit)
    direct = profile_upper_limit(model, data, nuisances=("phi_B", "norm", "bkg_scale"),
                                 cl=cfg.cl, mu_max=50.0, n_grid=49)
    assert float(direct.limit) == float(demo.limit)
    # the quick demo's coarser first grid (16 points) moves the √q̃ interpolation by < 1e-3
    quick = study.profile_limit(model, data, cfg)
    np.testing.assert_allclose(float(quick.limit), float(demo.limit), rtol=1e-3)


def test_both_drivers_call_the_one_limit_function(model_and_data, monkeypatch):
    """run_study and run_fit reach profile_upper_limit only through fit.limit_step."""
    import inspect

    from nujax.app import fit as fit_module

    src_study = inspect.getsource(study.run_study)
    src_fit = inspect.getsource(fit_module.run_fit)
    assert "profile_limit(" in src_study and "fit_limit(" in src_fit
    for src in (src_study, src_fit, inspect.getsource(study), inspect.getsource(fit_module)):
        assert "jax.jit(" not in src and "lru_cache" not in src
    cfg, model, data = model_and_data
    calls = []
    real = fit_module.limit_step
    monkeypatch.setattr(fit_module, "limit_step", lambda *a, **k: calls.append(k) or real(*a, **k))
    study.profile_limit(model, data, cfg)
    fit_module.fit_limit(model, data, ("phi_B", "norm", "bkg_scale"), {"cl": 0.9, "mu_max": 50.0})
    assert len(calls) == 2 and calls[0]["nuisances"] == calls[1]["nuisances"]
