"""The application's ``[scan]`` configuration section and scan plots, on top of the inference scan
engine (moved from tests/inference/test_scan.py when the configuration glue left nujax.inference)."""

import types

import numpy as np
import pytest

from nujax.app.plots import plot_scan
from nujax.app.scan_config import validate_scan_section
from nujax.app.scan_run import run_scan_config
from nujax.errors import ConfigError
from nujax.inference.scan import scan
from test_scan import BAD_GRIDS, model, spec  # noqa: F401  (shared fixtures and bad grids)


@pytest.mark.parametrize("axes,key", BAD_GRIDS)
def test_bad_grid_names_the_scan_key(axes, key):
    with pytest.raises(ConfigError) as err:
        validate_scan_section({"axes": axes})
    assert err.value.key == f"scan.axes.{key}"


def test_validate_scan_section_defaults_and_errors():
    out = validate_scan_section({"axes": {"mu_1e11": {"logspace": [0.1, 10, 3]}}})
    assert out["quantity"] == "q_asimov" and out["axes"]["mu_1e11"] == pytest.approx([0.1, 1, 10])
    for bad, key in (({"axes": {"mu_1e11": [1.0]}, "colour": 1}, "scan.colour"),
                     ({"axes": {"mu_1e11": [1.0]}, "quantity": "p"}, "scan.quantity"),
                     ({"axes": {"mu_1e11": [1.0]}, "chunk_size": 0}, "scan.chunk_size"),
                     ({"axes": {"mu_1e11": [1.0]}, "fixed": {"phi_B": "x"}}, "scan.fixed.phi_B"),
                     ({"axes": {"mu_1e11": [1.0]}, "nuisances": ["x"]}, "scan.nuisances"),
                     ({}, "scan.axes")):
        with pytest.raises(ConfigError) as err:
            validate_scan_section(bad)
        assert err.value.key == key


def test_run_scan_config_with_a_scenario(model, spec, tmp_path, monkeypatch):
    scen = types.SimpleNamespace(name="hellaz_small", model=model, truth={"mu_1e11": 3.0, "phi_B": 0.4},
                                 free=("mu_1e11",), config={}, meta={"template_spec": spec})
    monkeypatch.setattr("nujax.app.scenarios.build_scenario", lambda cfg: scen)
    cfg = {"scan": {"axes": {"mu_1e11": [0.5, 2.0], "threshold_keV": [100.0, 120.0, 140.0]},
                    "chunk_size": 4}}
    res = run_scan_config(cfg, tmp_path, progress=False)
    assert res.path == tmp_path / "scan.npz" and (tmp_path / "scan.png").stat().st_size > 1000
    assert res.values.shape == (2, 3) and res.meta["fixed"] == {"phi_B": 0.4}
    assert res.meta["meta"]["scenario"] == "hellaz_small"
    direct = scan(None, cfg["scan"]["axes"], fixed={"phi_B": 0.4}, spec=spec)
    np.testing.assert_allclose(res.values, direct.values, rtol=1e-12)
    with pytest.raises(FileExistsError):
        run_scan_config(cfg, tmp_path, progress=False)
    run_scan_config(cfg, tmp_path, force=True, progress=False)


def test_plot_scan_1d_and_2d(model, tmp_path):
    r = scan(model, {"mu_1e11": np.geomspace(0.3, 10, 5)})
    assert plot_scan(r, tmp_path / "a.png").stat().st_size > 1000
    r = scan(model, {"exposure": np.geomspace(0.5, 20, 4), "phi_B": [0.0, 1.0, 2.0],
                     "bkg_scale": [0.5, 1.0]}, quantity="limit")
    assert plot_scan(r, tmp_path / "b.png", select={"bkg_scale": 1}).stat().st_size > 1000
    with pytest.raises(ValueError):
        plot_scan(r, tmp_path / "c.png", x="mu_1e11")
