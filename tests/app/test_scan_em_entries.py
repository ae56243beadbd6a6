"""``[scan]`` axes over the EM entries of ``[fit] parameters`` (⟨r²⟩, anapole, q_ν …): a
configuration scans them through ``nujax scan`` like the library scans a quadratic EM model.

The scenario: ν̄_e from a 3 GW reactor at 28 m on a 1 kg germanium detector (TEXONO-like, the
reactor_ge set-up without its OFF period), 6 bins 10-100 keV; the grid crosses a charge radius
r2_ee [10⁻³² cm²] with a millicharge q_ee [10⁻¹² e]."""

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nujax.app import load_config
from nujax.app.scan_run import run_scan_config
from nujax.cli import app
from nujax.detector import preset
from nujax.errors import ConfigError
from nujax.inference import build_model, density_matrix_em_model, expected
from nujax.inference.scan import scan
from nujax.sources import get_source

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = """
    [scenario]
    name = "ge_em_scan"
    target = "electron"

    [[source]]
    name = "reactor"
    power_gw = 3.0
    distance_m = 28.0
    norm_sigma = 0.03

    [detector]
    preset = "texono"
    mass_t = 1.0e-3
    live_time_yr = 1.0
    threshold_keV = 10.0
    background_per_t_yr_MeV = 3.6525e8

    [binning]
    T_keV = { min = 10.0, max = 100.0, n = 6 }

    [fit]
    bkg_sigma = 0.05
"""
#: q_ee from both sides of 0 down to 10⁻³ (q → 0 limit); r2_ee at ±50 (O(reactor sensitivity)).
R2 = [-50.0, 0.0, 50.0]
Q = [-10.0, -1e-3, 0.0, 1e-2, 10.0]
SCAN = """
    [scan]
    axes = { r2_ee = [-50.0, 0.0, 50.0], q_ee = [-10.0, -1e-3, 0.0, 1e-2, 10.0] }
"""


def _write(tmp_path, text, name="cfg.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(scope="module")
def library_model():
    """The same analysis built with library calls only: the seed-002 density-matrix counts of the
    reactor ν̄_e (their own flavor content as the state) with r2_ee and q_ee as quadratic-model
    parameters, and the compact (seed 000) Standard-Model model of the same bins."""
    spectra = get_source("reactor", power_gw=3.0, distance_cm=2800.0)
    det = preset("texono", mass_t=1e-3, live_time_yr=1.0, threshold=0.01, background=3.6525e8)
    T = np.linspace(0.01, 0.1, 7)
    em = density_matrix_em_model(spectra, det, T, None, None,
                                 {"r2_ee": ("r2", 0, 0), "q_ee": ("millicharge", 0, 0)},
                                 target="electron", norm_sigma=0.03, bkg_sigma=0.05,
                                 derivatives="points")
    sm = build_model(spectra, det, T, None, None, norm_sigma=0.03, bkg_sigma=0.05)
    return em, sm


def test_cli_scan_over_charge_radius_and_millicharge_equals_the_library_scan(tmp_path, library_model):
    cfg = _write(tmp_path, SCENARIO + SCAN)
    res = CliRunner().invoke(app, ["scan", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    with np.load(tmp_path / "o" / "ge_em_scan_scan.npz") as f:
        values = f["values"]
        assert f["axis__r2_ee"].tolist() == R2 and f["axis__q_ee"].tolist() == Q
        meta = json.loads(str(f["meta"]))
    assert values.shape == (3, 5) and meta["fixed"] == {"mu_1e11": 0.0, "phi_B": 0.0}
    assert (tmp_path / "o" / "ge_em_scan_scan.png").stat().st_size > 1000      # contour plot
    em, sm = library_model
    ref = scan(em, {"r2_ee": R2, "q_ee": Q}, fixed={"mu_1e11": 0.0, "phi_B": 0.0})
    np.testing.assert_allclose(values, ref.values, rtol=1e-10, atol=1e-12)
    f32 = scan(em, {"r2_ee": R2, "q_ee": Q}, fixed={"mu_1e11": 0.0, "phi_B": 0.0}, dtype="float32")
    assert f32.values.dtype == np.float32                   # measured 3e-6 of the maximum
    np.testing.assert_allclose(f32.values, values, atol=2e-5 * values.max())
    assert values[0, 0] > 0.3 and values[2, 4] > 0.02        # both entries move the counts
    # q → 0: the Standard-Model point (the Asimov data themselves) and a smooth approach to it,
    # quadratic in q at r2 = 0 and linear in q at r2 ≠ 0 (the q × r2 interference); the q² term
    # of the counts bends the ratios by ~1 % between q = −10⁻³ and 10⁻² (measured 0.5 % and 1.1 %)
    assert values[1, 2] == pytest.approx(0.0, abs=1e-12)
    assert values[1, 3] / values[1, 1] == pytest.approx(100.0, rel=2e-2)
    for i in (0, 2):
        assert (values[i, 3] - values[i, 2]) / (values[i, 1] - values[i, 2]) == \
            pytest.approx(-10.0, rel=2e-2)
    # … and the density-matrix counts at q = 0 are the compact seed-000 Standard-Model counts
    np.testing.assert_allclose(expected(em, {"q_ee": 0.0}), expected(sm, {}), rtol=1e-10)
    np.testing.assert_allclose(expected(em, {"q_ee": 1e-6}), expected(sm, {}), rtol=1e-9)


def test_run_scan_config_with_fixed_entry_and_injected_truth(tmp_path, library_model):
    """A fixed EM entry and an injected ``[truth] em`` value enter the scan like mu_1e11 does;
    an entry already in ``[fit] parameters`` is not added twice."""
    em, _ = library_model
    text = SCENARIO.replace("bkg_sigma = 0.05", 'bkg_sigma = 0.05\n    parameters = ["mu", "r2_ee"]')
    text += "\n    [truth]\n    em = { r2_ee = 20.0 }\n"
    cfg = load_config(_write(tmp_path, text + """
    [scan]
    axes = { q_ee = [-10.0, 0.0, 10.0] }
    plot = false
    """))
    res = run_scan_config(cfg, tmp_path / "a.npz", progress=False)
    assert res.meta["fixed"] == {"mu_1e11": 0.0, "phi_B": 0.0, "r2_ee": 20.0}
    ref = scan(em, {"q_ee": [-10.0, 0.0, 10.0]}, fixed={"mu_1e11": 0.0, "phi_B": 0.0, "r2_ee": 20.0})
    np.testing.assert_allclose(res.values, ref.values, rtol=1e-10)
    cfg["scan"]["fixed"] = {"r2_ee": -5.0}
    res = run_scan_config(cfg, tmp_path / "b.npz", progress=False)
    ref = scan(em, {"q_ee": [-10.0, 0.0, 10.0]}, fixed={"mu_1e11": 0.0, "phi_B": 0.0, "r2_ee": -5.0})
    np.testing.assert_allclose(res.values, ref.values, rtol=1e-10)


def test_the_coherent_csi_example_scans_em_entries():
    """fits/coherent_csi.toml scans ⟨r²_ee⟩ × q_ee at μ = 0 (validated here; the nuclear
    density-matrix templates are built by the scenario tests)."""
    cfg = load_config(ROOT / "fits" / "coherent_csi.toml")
    assert list(cfg["scan"]["axes"]) == ["r2_ee", "q_ee"] and cfg["scan"]["fixed"] == {"mu_1e11": 0.0}
    assert "q_ee" not in cfg["fit"]["parameters"]          # added for the scan only


@pytest.mark.parametrize("axes,key,match", [
    ('{ q_xx = [1.0] }', "scan.axes.q_xx", "EM entries <kind>_<ab>"),
    ('{ millicharge = [1.0] }', "scan.axes.millicharge", r"q_ee, .*\[1e-12 e\]"),
    ('{ charge_radius_1e32 = [1.0] }', "scan.axes.charge_radius_1e32", r"r2_ee, .*\[1e-32 cm2\]"),
    ('{ anapole = [1.0] }', "scan.axes.anapole", "a_ee"),
    ('{ q_ee = [1.0, 1.0] }', "scan.axes.q_ee", "strictly increasing"),
])
def test_bad_em_axis_names_the_key(tmp_path, axes, key, match):
    cfg = _write(tmp_path, SCENARIO + f"\n    [scan]\n    axes = {axes}\n")
    with pytest.raises(ConfigError, match=match) as err:
        load_config(cfg)
    assert err.value.key == key
    res = CliRunner().invoke(app, ["scan", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and key in " ".join(res.output.split())


def test_em_axis_refused_where_the_scenario_cannot_carry_entries(tmp_path):
    """The checks of ``[fit] parameters`` (left-handed beam, electron or nucleus target), named
    by the scan key, before anything is built."""
    text = SCENARIO.replace("[fit]", "[truth]\n    pe = 0.5\n\n    [fit]")
    cfg = load_config(_write(tmp_path, text + "\n    [scan]\n    axes = { mu_1e11 = [1.0] }\n"
                             "    fixed = { a_mumu = 2.0 }\n"))
    with pytest.raises(ConfigError, match="left-handed") as err:
        run_scan_config(cfg, tmp_path / "x.npz", progress=False)
    assert err.value.key == "scan.fixed.a_mumu"
    rad = load_config(ROOT / "fits" / "radiative_reactor.toml")
    rad["scan"] = {"axes": {"q_ee": [0.0, 1.0]}}
    with pytest.raises(ConfigError, match="electron or nucleus") as err:
        run_scan_config(rad, tmp_path / "y.npz", progress=False)
    assert err.value.key == "scan.axes.q_ee" and not (tmp_path / "y.npz").exists()
