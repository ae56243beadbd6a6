"""The application's ``[scan]`` configuration section and scan plots, on top of the inference scan
engine (moved from tests/inference/test_scan.py when the configuration glue left nujax.inference)."""

import types
from pathlib import Path

import numpy as np
import pytest

from nujax.app.plots import plot_scan
from nujax.app.scan_config import validate_scan_section
from nujax.app.scan_run import run_scan_config
from nujax.errors import ConfigError
from nujax.inference.scan import scan
from test_scan import BAD_GRIDS, model, spec  # noqa: F401  (shared fixtures and bad grids)

ROOT = Path(__file__).resolve().parents[2]


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


def test_same_scan_via_relative_and_absolute_path_resumes_with_identical_bytes(
        model, spec, tmp_path, monkeypatch):
    """The fingerprint is the content of the scan, not the configuration path as spelled."""
    from nujax.app import load_config
    from nujax.inference import scan_store

    scen = types.SimpleNamespace(name="hellaz_pp", model=model, truth={"mu_1e11": 3.0, "phi_B": 0.4},
                                 free=("mu_1e11",), config={}, meta={"template_spec": spec})
    monkeypatch.setattr("nujax.app.scenarios.build_scenario", lambda cfg: scen)
    text = (ROOT / "fits" / "hellaz_pp.toml").read_text().split("\n[scan]")[0]
    (tmp_path / "x.toml").write_text(text + "\n[scan]\naxes = { mu_1e11 = [0.5, 1.0, 2.0], "
                                            "exposure = [1.0, 2.0, 4.0] }\nchunk_size = 2\nplot = false\n")
    monkeypatch.chdir(tmp_path)
    rel, absolute = load_config("x.toml"), load_config(tmp_path / "x.toml")
    assert rel["scenario"]["origin"] != absolute["scenario"]["origin"]
    run_scan_config(rel, tmp_path / "a.npz", progress=False)
    saved, save = [], scan_store.ChunkStore.save

    def interrupted(self, i, values):
        if len(saved) == 2:
            raise KeyboardInterrupt
        saved.append(i)
        save(self, i, values)

    monkeypatch.setattr(scan_store.ChunkStore, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_scan_config(rel, tmp_path / "b.npz", progress=False)
    monkeypatch.setattr(scan_store.ChunkStore, "save", save)
    assert len(list((tmp_path / "b.npz.parts").glob("chunk_*.npy"))) == 2
    run_scan_config(absolute, tmp_path / "b.npz", progress=False)        # resumes, no refusal
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_scan_size_guard(tmp_path):
    from nujax.app.runtime import SizeError
    from nujax.app.scan_run import scan_size

    est = scan_size({"a": [0.0] * 100_000, "b": [0.0] * 100_000})
    assert est.points == 10**10 and est.bytes == 2.4e11
    cfg = {"scan": {"axes": {"mu_1e11": {"logspace": [0.1, 3.0, 100_000]},
                             "exposure": {"logspace": [0.1, 10.0, 100_000]}}}}
    with pytest.raises(SizeError, match=r"1e\+10 points, 240 GB.*--yes"):
        run_scan_config(cfg, tmp_path, progress=False)
    assert not any(tmp_path.iterdir())
