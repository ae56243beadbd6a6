"""The nujax console script through its real entry point (typer's CliRunner on ``nujax.cli.app``)."""

import json
import math
import textwrap
from pathlib import Path

import jax
import numpy as np
import pytest
from typer.testing import CliRunner

import nujax
from nujax import cli
from nujax.app import figures
from nujax.cli import app
from nujax.constants import cm2_from_natural
from nujax.detector import make_detector

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(tmp_path, text, name="cfg.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# ---------------------------------------------------------------------------------------------
# xsec, rate, asymmetry: options and TOML configs
# ---------------------------------------------------------------------------------------------
def test_xsec_prints_library_numbers():
    res = invoke("xsec", "--enu", "1.0", "--T", "0.2", "--mu", "5", "--sin2w", "0.23")
    assert res.exit_code == 0, res.output
    s = nujax.dsigma_dT(1.0, 0.2, 5.0, sin2w=0.23)
    assert f"{float(cm2_from_natural(s.weak)):.5e}" in res.output
    assert f"{float(cm2_from_natural(s.em)):.5e}" in res.output


def test_xsec_from_config_and_options_override(tmp_path):
    cfg = write(tmp_path, """
        [xsec]
        enu = 0.862
        T = 0.2
        mu = 3.0
        pe = 0.5
        sin2w = 0.23
    """)
    res = invoke("xsec", "--config", cfg, "--mu", "10")
    assert res.exit_code == 0, res.output
    s = nujax.dsigma_dT(0.862, 0.2, 10.0, 0.5, sin2w=0.23)
    assert f"{float(cm2_from_natural(s.em)):.5e}" in res.output


def test_xsec_bad_input_exits_2():
    res = invoke("xsec", "--enu", "-1", "--T", "0.2")
    assert res.exit_code == 2 and "xsec.enu" in res.output
    res = invoke("xsec", "--enu", "1", "--T", "0.2", "--flavor", "nu_sterile")
    assert res.exit_code == 2 and "unknown neutrino flavor" in res.output
    res = invoke("xsec", "--enu", "1")
    assert res.exit_code == 2 and "xsec.T" in res.output and "required" in res.output


@pytest.mark.parametrize("text, key", [
    ("[xsec]\nenergy = 1.0\n", "xsec.energy"),                 # unknown key
    ("[xsec]\nenu = 1.0\nT = 0.1\npe = 'half'\n", "xsec.pe"),  # wrong type
    ("[xsec]\nenu = 1.0\nT = 0.1\npe = 1.5\n", "xsec.pe"),     # impossible value
    ("[xsecs]\nenu = 1.0\n", "xsecs"),                         # unknown section
    ("[rate]\nmu = 1.0\n", "xsec"),                            # section missing
    ("[xsec\nenu = 1", "config"),                              # not TOML
])
def test_bad_config_exits_2_naming_the_key(tmp_path, text, key):
    res = invoke("xsec", "--config", write(tmp_path, text))
    assert res.exit_code == 2, res.output
    assert f"error: {key}:" in " ".join(res.output.split())


def test_missing_config_file_exits_2(tmp_path):
    res = invoke("rate", "--config", tmp_path / "nope.toml")
    assert res.exit_code == 2 and "cannot read" in res.output


def test_rate_and_asymmetry_match_the_library(tmp_path):
    det = nujax.preset("hellaz", threshold=0.15)
    pp = nujax.get_source("pp")
    c = nujax.azimuthal_coefficients(pp, det, 4.0, 0.4)
    res = invoke("rate", "--source", "pp", "--mu", "4", "--pe", "0.4", "--threshold-keV", "150")
    assert res.exit_code == 0, res.output
    assert f"{float(2 * math.pi * c[0]):.2f}" in res.output
    assert f"{float(2 * math.pi * c[1]):.2f}" in res.output
    cfg = write(tmp_path, """
        [asymmetry]
        sources = ["pp"]
        mu = 4.0
        pe = 0.4
        threshold_keV = 150.0
    """)
    res = invoke("asymmetry", "--config", cfg)
    assert res.exit_code == 0, res.output
    mu_star, a_star = nujax.mu_at_max_asymmetry(nujax.azimuthal_coefficients(pp, det, 1.0, 0.4))
    assert f"{float(nujax.max_asymmetry(c)):.4f}" in res.output
    assert f"{float(mu_star):.3f}" in res.output and f"{float(a_star):.4f}" in res.output
    bad = write(tmp_path, "[asymmetry]\nsources = 3\n", "bad.toml")
    res = invoke("asymmetry", "--config", bad)
    assert res.exit_code == 2 and "asymmetry.sources" in res.output


# ---------------------------------------------------------------------------------------------
# global options: precision and device
# ---------------------------------------------------------------------------------------------
def test_x32_runs_in_float32_and_restores_x64():
    assert jax.config.jax_enable_x64
    res = invoke("xsec", "--enu", "1.0", "--T", "0.2", "--mu", "5", "--x32")
    assert res.exit_code == 0, res.output
    assert jax.config.jax_enable_x64
    weak = float(res.output.split("weak =")[1].split()[0])
    ref = float(cm2_from_natural(nujax.dsigma_dT(1.0, 0.2, 5.0).weak))
    assert weak == pytest.approx(ref, rel=1e-5)


def test_device_option():
    res = invoke("xsec", "--enu", "1.0", "--T", "0.2", "--device", "cpu")
    assert res.exit_code == 0, res.output
    res = invoke("xsec", "--enu", "1.0", "--T", "0.2", "--device", "tpu")
    assert res.exit_code == 2 and "'cpu' or 'gpu'" in res.output
    if not any(d.platform == "gpu" for d in jax.devices()):
        res = invoke("xsec", "--enu", "1.0", "--T", "0.2", "--device", "gpu")
        assert res.exit_code == 2 and "not available" in res.output


# ---------------------------------------------------------------------------------------------
# demo (the main job) and figures
# ---------------------------------------------------------------------------------------------
# test_demo_quick_end_to_end: tests/app/test_cli_precision.py (one float64 demo run for both)


def test_demo_bad_option_exits_2(tmp_path):
    res = invoke("demo", "--quick", "--pe", "1.5", "--out", tmp_path)
    assert res.exit_code == 2 and "error: --pe: must be ≤ 1.0, got 1.5" in res.output
    res = invoke("demo", "--quick", "--data", "real", "--out", tmp_path)
    assert res.exit_code == 2 and "error: --data: must be one of toy, asimov" in res.output
    assert not any(tmp_path.iterdir())


def test_figures_seed000_data_match_the_library_and_force(tmp_path, monkeypatch):
    from nujax.app.figures import seed000

    calls, compute = [], seed000.all_figure_data
    monkeypatch.setattr(seed000, "all_figure_data", lambda: calls.append(1) or compute())
    res = invoke("figures", "--seed", "000", "--out", tmp_path)
    assert res.exit_code == 0, res.output
    assert len(calls) == 1                              # PNGs and .npz from one computation
    for name in figures.FIGURES["000"]:
        png = tmp_path / f"{name}.png"
        assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
        assert (tmp_path / f"{name}.npz").stat().st_size > 0
    assert sorted(p.stem for p in tmp_path.glob("*.png")) == sorted(figures.FIGURES["000"])
    # Fig. 3: maximal asymmetry vs threshold, pp, μν = 3·10⁻¹¹ μB, Pe = 0.5, sin²θW = 0.23
    d3 = figures.load_data(tmp_path / "seed000_fig3.npz")
    pp = nujax.get_source("pp", oscillation=None)  # seed reproduction
    for i in (0, len(d3["We"]) // 2, len(d3["We"]) - 1):
        c = nujax.azimuthal_coefficients(pp, make_detector("he_ch4", threshold=float(d3["We"][i])),
                                         3.0, 0.5, sin2w=0.23)
        assert d3["dirac"][i] == pytest.approx(float(nujax.max_asymmetry(c)), rel=1e-8)
    # Fig. 4: 𝒜(μ) at W_e = 0.1 MeV (seed 000 eq. (20))
    d4 = figures.load_data(tmp_path / "seed000_fig4.npz")
    c1 = nujax.azimuthal_coefficients(pp, make_detector("he_ch4", threshold=0.1), 1.0, 0.5, sin2w=0.23)
    np.testing.assert_allclose(d4["dirac,0.1"], nujax.asymmetry_vs_mu(c1, d4["mu"]), rtol=1e-8)
    assert float(d4["mu_star,dirac,0.1"]) == pytest.approx(float(nujax.mu_at_max_asymmetry(c1)[0]))
    # --force semantics
    before = (tmp_path / "seed000_fig2.npz").stat().st_mtime_ns
    res = invoke("figures", "--seed", "000", "--out", tmp_path)
    assert res.exit_code == 2 and "seed000_fig2.png" in res.output
    assert (tmp_path / "seed000_fig2.npz").stat().st_mtime_ns == before
    res = invoke("figures", "--seed", "0", "--out", tmp_path, "--force", "--no-data")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "seed000_fig2.npz").stat().st_mtime_ns == before


def test_figures_seed002_data_match_the_library(tmp_path):
    from nujax.em import EMProperties
    from nujax.state import SpinFlavorState
    from nujax.xsec.electron_density_matrix import electron_density_matrix_parts

    res = invoke("figures", "--seed", "002", "--out", tmp_path)
    assert res.exit_code == 0, res.output
    assert sorted(p.stem for p in tmp_path.glob("*.png")) == sorted(figures.FIGURES["002"])
    # Fig. 3: ν_μ e, transversely polarised beam, μ = 10⁻¹¹ μB, Eν = 10 MeV, sin²θW = 0.23121
    d3 = figures.load_data(tmp_path / "seed002_fig3.npz")
    parts = electron_density_matrix_parts(EMProperties.from_effective(1.0, "numu", n=1),
                              SpinFlavorState.transverse("numu", n=1), 10.0, d3["T"], sin2w=0.23121,
                              flavor="numu")
    np.testing.assert_allclose(d3["numu_transverse"], np.asarray(parts.at(d3["phi"][None, :].T)).T,
                               rtol=1e-12)


def test_figures_unknown_seed_exits_2(tmp_path):
    res = invoke("figures", "--seed", "003", "--out", tmp_path)
    assert res.exit_code == 2 and "unknown seed" in res.output


# ---------------------------------------------------------------------------------------------
# fit, scan, bench (configured analyses)
# ---------------------------------------------------------------------------------------------
def test_fit_and_scan_bad_config_exit_2(tmp_path):
    good = (ROOT / "fits" / "hellaz_pp.toml").read_text()
    assert "[detector]\n" in good
    bad = write(tmp_path, good.replace("[detector]\n", "[detector]\nthreshold_kev = 100.0\n"))
    for cmd in ("fit", "scan"):
        res = invoke(cmd, bad, "--out", tmp_path / "o")
        assert res.exit_code == 2, res.output
        assert "error:" in res.output and "detector.threshold_kev" in " ".join(res.output.split())
    res = invoke("fit", tmp_path / "missing.toml", "--out", tmp_path / "o")
    assert res.exit_code == 2


def test_fit_passes_the_validated_config_and_prints_the_summary(tmp_path, monkeypatch):
    from nujax.app import fit as fit_driver
    from nujax.app import load_config

    calls = []

    def fake_run_fit(cfg, out_dir, *, force=False, quick=False, progress=True, seed=0):
        calls.append((cfg, out_dir, force, quick, seed))
        if (out_dir / "summary.json").exists() and not force:
            raise FileExistsError(f"{out_dir / 'summary.json'} exists; use --force to overwrite")
        return {"scenario": cfg["scenario"]["name"], "limit_profile": 1.234567}

    monkeypatch.setattr(fit_driver, "run_fit", fake_run_fit)
    res = invoke("fit", ROOT / "fits" / "hellaz_pp.toml", "--quick", "--seed", "7", "--out", tmp_path)
    assert res.exit_code == 0, res.output
    cfg, out_dir, force, quick, seed = calls[0]
    assert cfg == load_config(ROOT / "fits" / "hellaz_pp.toml")
    assert (out_dir, force, quick, seed) == (tmp_path, False, True, 7)
    assert "hellaz_pp" in res.output and "1.235" in res.output
    (tmp_path / "summary.json").write_text("{}")
    res = invoke("fit", ROOT / "fits" / "hellaz_pp.toml", "--out", tmp_path)
    assert res.exit_code == 2 and "summary.json exists" in " ".join(res.output.split())


def test_scan_runs_a_small_grid(tmp_path):
    text = (ROOT / "fits" / "hellaz_pp.toml").read_text().split("\n[scan]")[0]   # a small grid instead
    cfg = write(tmp_path, text + textwrap.dedent("""
        [scan]
        quantity = "q_asimov"
        axes = { mu_1e11 = { linspace = [0.5, 5.0, 4] } }
        plot = false
    """))
    res = invoke("scan", cfg, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    path = tmp_path / "o" / "hellaz_pp_scan.npz"
    assert path.stat().st_size > 0 and "q_asimov" in res.output
    res = invoke("scan", cfg, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "hellaz_pp_scan.npz" in " ".join(res.output.split())
    res = invoke("scan", ROOT / "fits" / "cr51_source.toml", "--out", tmp_path / "o")
    assert res.exit_code == 2 and "no [scan] section" in " ".join(res.output.split())


def test_bench_runs_run_all_main(tmp_path, monkeypatch):
    script = tmp_path / "run_all.py"
    script.write_text("def main(argv=None):\n    print('ARGV', argv)\n    return 0\n")
    monkeypatch.setattr(cli, "_find_bench", lambda: script)
    res = invoke("bench", "--quick", "--only", "xsec", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    # results go to <out>/benchmarks unless --update-results: the committed tables stay as they are
    assert f"ARGV ['--quick', '--only', 'xsec', '--out', '{tmp_path / 'o' / 'benchmarks'}']" in res.output
    res = invoke("bench", "--update-results")
    assert res.exit_code == 0 and "ARGV ['--update-results']" in res.output
    monkeypatch.setattr(cli, "_find_bench", lambda: None)
    res = invoke("bench")
    assert res.exit_code == 2 and "run_all.py not found" in res.output


@pytest.mark.slow
def test_figures_seed001_and_004_data_match_the_library(tmp_path):
    from nujax.xsec.radiative import omega_limits

    res = invoke("figures", "--seed", "001", "--out", tmp_path / "a")
    assert res.exit_code == 0, res.output
    assert sorted(p.stem for p in (tmp_path / "a").glob("*.png")) == sorted(figures.FIGURES["001"])
    assert all((tmp_path / "a" / f"{n}.png").stat().st_size > 10_000 for n in figures.FIGURES["001"])
    # seed 001 Fig. 2 and 3: the ⁵¹Cr 746 keV line, sin²θW = 0.23 (seed 001 eqs. (1), (2), (5))
    d2 = figures.load_data(tmp_path / "a" / "seed001_fig2.npz")
    np.testing.assert_allclose(d2["weak"], nujax.dsigma_dT(0.7465, d2["T"], sin2w=0.23).weak,
                               rtol=1e-12)
    np.testing.assert_allclose(d2["6.0"], nujax.dsigma_dT(0.7465, d2["T"], 6.0, sin2w=0.23).em,
                               rtol=1e-12)
    d3 = figures.load_data(tmp_path / "a" / "seed001_fig3.npz")
    np.testing.assert_allclose(d3["em"], nujax.dsigma_dcostheta(0.7465, d3["costheta"], 8.0,
                                                                 sin2w=0.23).em, rtol=1e-12)
    res = invoke("figures", "--seed", "004", "--out", tmp_path / "b")
    assert res.exit_code == 0, res.output
    assert sorted(p.stem for p in (tmp_path / "b").glob("*.png")) == sorted(figures.FIGURES["004"])
    # seed 004 Fig. 3: photon-energy limits ω± (eq. (29)) at x = 0.5
    d = figures.load_data(tmp_path / "b" / "seed004_fig3.npz")
    import nujax.constants as c
    wm, wp = omega_limits(0.5, d["r"] * c.M_E, 1.0, xp=np)
    np.testing.assert_allclose(d["limits/0.5"], np.stack([wm, wp]) / c.M_E, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# help texts, deprecated options, compilation cache
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command, unit", [("xsec", "[MeV]"), ("xsec", "[cm²/MeV]"),
                                           ("rate", "[keV]"), ("asymmetry", "[keV]"),
                                           ("demo", "[rad]"), ("demo", "[keV]"),
                                           ("scan", "[s]")])
def test_help_keeps_bracketed_units_and_shows_no_bool_placeholder(command, unit):
    res = invoke(command, "--help")
    assert res.exit_code == 0
    assert unit in res.output and "<bool>" not in res.output


def test_demo_threshold_in_mev_is_a_deprecated_alias(tmp_path):
    (tmp_path / "file").write_text("x")
    res = invoke("demo", "--threshold", "0.1", "--out", tmp_path / "file")
    assert "--threshold [MeV] is deprecated; use --threshold-keV" in res.output
    assert res.exit_code == 2 and "error: --out:" in res.output      # and it goes on to the options


def test_compilation_cache_folder_env_and_switch(tmp_path):
    import os
    import subprocess
    import sys

    def run(*args, cache):
        env = {**os.environ, "NUJAX_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "nujax.cli", *args, "xsec", "--enu", "1",
                               "--T", "0.2"], env=env, capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    a = run(cache=tmp_path / "on")
    assert any((tmp_path / "on").iterdir())                       # compiled programs stored
    assert run("--no-compile-cache", cache=tmp_path / "off") == a
    assert not (tmp_path / "off").exists()
