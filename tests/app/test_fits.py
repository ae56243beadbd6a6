"""run_fit on every configuration in fits/ (quick mode): summary.json and the plots appear, the
summary is sane, outputs are never overwritten without force, and the limit is the library's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from nujax.app import load_config, run_fit

FITS = Path(__file__).resolve().parents[2] / "fits"
NAMES = tuple(sorted(p.stem for p in FITS.glob("*.toml")))


def test_fits_holds_configurations_only():
    """fits/ is TOML configurations and a README (``nujax fit fits/<name>.toml`` runs each)."""
    assert len(NAMES) >= 7
    assert {p.suffix for p in FITS.iterdir() if p.is_file()} == {".toml", ".md"}
    assert "nujax fit fits/<name>.toml" in (FITS / "README.md").read_text()


def _quick_cfg(name):
    """The scenario with coarser bins and a short exposure scan (the test budget)."""
    raw = load_config(FITS / f"{name}.toml")
    b = raw["binning"]
    if b["T_keV"] is not None:
        b["T_keV"]["n"] = min(b["T_keV"]["n"], 8)
    if b["phi_bins"]:
        b["phi_bins"] = 12
    raw["fit"]["exposure_factors"] = [0.1, 10.0]
    if name == "hellaz_pp":
        raw["fit"]["nuts"] = {**raw["fit"]["nuts"], "chains": 1, "warmup": 30, "samples": 30}
    raw["fit"]["toys"] = 0          # the toy limit (a compilation of its own) runs in the full fits
    if len(raw["fit"].get("parameters") or ()) > 2:    # one EM entry besides μ: the same code path
        raw["fit"]["parameters"] = raw["fit"]["parameters"][:2]
        raw["truth"]["em"] = {k: v for k, v in (raw["truth"].get("em") or {}).items()
                              if k in raw["fit"]["parameters"]}
    raw["scenario"].pop("origin")
    return load_config(raw)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_run_fit_quick(name, tmp_path):
    cfg = _quick_cfg(name)
    s = run_fit(cfg, tmp_path, quick=True, progress=False, seed=1)
    files = {p.name for p in tmp_path.iterdir()}
    expect = {"summary.json", "summary.nc", "limit.nc", "profile.png", "exposure.png", "data.png"}
    if name == "hellaz_pp":
        expect |= {"corner.png", "posterior.nc"}
        assert 0 < s["limit_credible"] and s["r_hat_max"] is not None
    assert expect <= files
    assert json.loads((tmp_path / "summary.json").read_text()) == s
    assert s["scenario"] == name and s["asimov_mu_hat"] == pytest.approx(s["truth_mu_1e11"], rel=1e-5)
    # the observed limit lies above the fitted moment; the Fisher error is positive
    assert s["limit_profile"] > s["mle_mu_1e11"] > 0 and s["err_mu_1e11"] > 0
    assert 0 < s["limit_expected_fisher"] < s["limit_profile"]
    assert s["counts_total"] == pytest.approx(s["counts_weak"] + s["counts_em_at_truth"]
                                              + s["counts_background"], rel=1e-9)
    assert "limit_toys" not in s
    for k in [k[len("interval_"):-3] for k in s if k.startswith("interval_") and k.endswith("_lo")]:
        # EM entries (coherent_csi: <r2_ee>, <r2_mumu>): the interval brackets the MLE
        assert s[f"interval_{k}_lo"] < s[f"mle_{k}"] < s[f"interval_{k}_hi"]
    assert (name == "coherent_csi") == ("interval_r2_ee_lo" in s)
    import xarray as xr
    with xr.open_dataset(tmp_path / "limit.nc", engine="h5netcdf") as ds:
        assert ds.attrs["method"] == s["limit_method"] and float(ds["limit"]) == s["limit"]
    for png in files - {"summary.json", "posterior.nc", "summary.nc", "limit.nc"}:
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_overwrite_without_force(tmp_path):
    cfg = _quick_cfg("cr51_source")
    (tmp_path / "profile.png").write_bytes(b"keep")
    with pytest.raises(FileExistsError, match="profile.png"):
        run_fit(cfg, tmp_path, quick=True, progress=False)
    assert (tmp_path / "profile.png").read_bytes() == b"keep"
    assert not (tmp_path / "summary.json").exists()
    s = run_fit(cfg, tmp_path, quick=True, progress=False, force=True)
    assert (tmp_path / "profile.png").read_bytes() != b"keep" and math.isfinite(s["limit_profile"])


def test_profile_limit_matches_the_library(tmp_path):
    """The limit of run_fit is nujax.inference.profile_upper_limit on the same toy data."""
    import jax

    from nujax.app import build_scenario
    from nujax.inference import profile_upper_limit, toy_data

    cfg = _quick_cfg("cr51_source")
    s = run_fit(cfg, tmp_path, quick=True, progress=False, seed=3)
    sc = build_scenario(cfg)
    data = toy_data(jax.random.fold_in(jax.random.PRNGKey(3), 1), sc.model, sc.truth)
    up = profile_upper_limit(sc.model, data, nuisances=("norm", "bkg_scale"),
                             mu_max=cfg["fit"]["mu_max"])
    np.testing.assert_allclose(s["limit_profile"], up.limit, rtol=1e-4)


def test_cevns_scenario_keys_are_validated():
    """[detector] quenching needs a nuclear target and a known model; a time window needs π-DAR."""
    from nujax.errors import ConfigError

    raw = load_config(FITS / "coherent_csi.toml")
    raw["scenario"].pop("origin")
    assert raw["binning"]["time_bins_ns"] == [-1000.0, 1000.0, 2000.0, 4000.0, 6000.0]
    bad = {**raw, "scenario": {**raw["scenario"], "target": "electron"},
           "detector": {**raw["detector"], "quenching": "csi"}}
    with pytest.raises(ConfigError, match="detector.quenching"):
        load_config(bad)
    bad = {**raw, "detector": {**raw["detector"], "quenching": "lindhard:-1"}}
    with pytest.raises(ConfigError, match="detector.quenching"):
        load_config(bad)
    bad = {**raw, "source": [{"name": "8B"}]}
    with pytest.raises(ConfigError, match="π-DAR"):
        load_config(bad)
