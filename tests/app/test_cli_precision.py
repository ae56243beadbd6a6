"""Every command in float64 (default) and float32 (``--x32``): the float32 run gives the float64
numbers within the documented tolerance.

Tolerances (docs/cli.md, "Precision"): quick-look numbers (cross sections in cm²/MeV, event
counts, asymmetries) agree to 1e-4 relative, since the kernels run in MeV units in float32 and
only the conversion to cm² (~1e-45, below the float32 range) is done on the host in float64. The
fits of ``demo`` and ``fit`` run in float64 on templates built in float32: MLE and profile limits
agree to 1e-3 relative. NUTS is a Markov chain whose path any rounding difference changes; its
credible limit is checked against its own Monte Carlo spread (10 % with the 50 draws of --quick).
A ``--x32`` scan is evaluated in float32 throughout: 2e-4 relative (as tests/inference/test_scan.py).
``figures`` (seed 002, the one whose float32 error is largest): 2e-6 of each curve's maximum,
5e-4 relative where a value exceeds 1e-3 of the maximum (test_figures_agree says why).
"""

import json
import re
import textwrap
from pathlib import Path

import jax
import numpy as np
import pytest
from typer.testing import CliRunner

from nujax.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
_NUM = re.compile(r"(?<![\w.])[-+]?\d+\.\d+(?:e[-+]?\d+)?")


def run(*args):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res.output


def numbers(text):
    return np.array([float(x) for x in _NUM.findall(text)])


def both(*args):
    a, b = run(*args), run(*args, "--x32")
    assert jax.config.jax_enable_x64          # the command restores the precision
    return a, b


@pytest.mark.parametrize("args", [
    ("xsec", "--enu", "0.862", "--T", "0.2", "--mu", "3"),
    ("xsec", "--enu", "10", "--T", "1e-3", "--mu", "50", "--flavor", "nuebar"),
    ("rate", "--source", "pp", "--mu", "3", "--pe", "0.5"),
    ("asymmetry", "--source", "pp", "--mu", "3", "--pe", "0.5"),
])
def test_quick_commands_agree(args):
    a, b = both(*args)
    x, y = numbers(a), numbers(b)
    assert x.size == y.size and x.size > 0 and np.all(x != 0)
    # printed to 4–5 significant digits: agreement within the printed precision
    np.testing.assert_allclose(y, x, rtol=2e-4, atol=1e-3 * np.max(np.abs(x)) if "rate" in args else 0)


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """``demo --quick`` in float64 and in float32: (output of the float64 run, its folder,
    summary float64, summary float32)."""
    d = tmp_path_factory.mktemp("demo")
    out = run("demo", "--quick", "--out", d / "a", "--mu", "3", "--pe", "0.5")
    run("demo", "--quick", "--x32", "--out", d / "b")
    a, b = (json.loads((d / x / "summary.json").read_text()) for x in "ab")
    return out, d / "a", a, b


def test_demo_quick_end_to_end(demo_runs):
    import math

    import nujax

    output, out, summary, _ = demo_runs
    for name in ("summary.json", "posterior.nc", "spectrum.png", "dndphi.png", "posterior.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "spectrum.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "posterior.nc").read_bytes()[:4] == b"\x89HDF"
    det = nujax.preset("hellaz", background=50.0)
    # the demo is seed 000's beam: the emitted ν_e with the spin flip Pe (no MSW)
    spectra = nujax.get_source("pp", oscillation=None) + nujax.get_source("7Be", oscillation=None)
    coeffs = nujax.azimuthal_coefficients(spectra, det, 3.0, 0.5)
    assert summary["asymmetry_A"] == pytest.approx(float(nujax.max_asymmetry(coeffs)), rel=1e-10)
    assert summary["events_weak"] == pytest.approx(float(2 * math.pi * coeffs[0]), rel=1e-10)
    assert f"{float(nujax.max_asymmetry(coeffs)):.4g}" in output
    # nothing is overwritten without --force: exit 2 naming the file, before any computation
    before = (out / "summary.json").read_bytes()
    res = runner.invoke(app, ["demo", "--quick", "--out", str(out)])
    assert res.exit_code == 2
    assert "summary.json" in res.output and "--force" in res.output
    assert (out / "summary.json").read_bytes() == before


def test_demo_quick_agrees(demo_runs):
    _, _, a, b = demo_runs
    assert a["mle_converged"] and b["mle_converged"]
    assert not [w for w in b["warnings"] if "MLE" in w or "likelihood fits" in w]
    for k in ("events_weak", "events_em", "events_background", "asymmetry_A", "mu_star_1e11"):
        assert b[k] == pytest.approx(a[k], rel=1e-4), k
    assert b["events_observed"] == a["events_observed"]
    for k in ("mle_mu_1e11", "mle_phi_B", "profile_upper_limit_1e11",
              "expected_upper_limit_no_signal_1e11"):
        assert b[k] == pytest.approx(a[k], rel=1e-3), k
    assert b["credible_upper_limit_1e11"] == pytest.approx(a["credible_upper_limit_1e11"], rel=0.1)


def test_fit_quick_agrees(tmp_path):
    cfg = ROOT / "fits" / "cr51_source.toml"
    run("fit", cfg, "--quick", "--out", tmp_path / "a")
    run("fit", cfg, "--quick", "--x32", "--out", tmp_path / "b")
    a, b = (json.loads((tmp_path / d / "summary.json").read_text()) for d in "ab")
    assert a["mle_converged"] and b["mle_converged"]
    assert "float32 templates, fits in float64" in b["warnings"]
    for k in ("counts_weak", "counts_em_per_mu2", "counts_total"):
        assert b[k] == pytest.approx(a[k], rel=1e-4), k
    for k in ("asimov_mu_hat", "mle_mu_1e11", "limit_profile", "limit_expected_fisher"):
        assert b[k] == pytest.approx(a[k], rel=1e-3), k


def test_scan_agrees(tmp_path):
    text = (ROOT / "fits" / "hellaz_pp.toml").read_text().split("\n[scan]")[0]
    cfg = tmp_path / "s.toml"
    cfg.write_text(text + textwrap.dedent("""
        [scan]
        axes = { mu_1e11 = { linspace = [0.5, 5.0, 4] }, exposure = [1.0, 3.0] }
        plot = false
    """))
    run("scan", cfg, "--out", tmp_path / "a")
    run("scan", cfg, "--x32", "--out", tmp_path / "b")
    with np.load(tmp_path / "a" / "hellaz_pp_scan.npz") as za, np.load(tmp_path / "b" / "hellaz_pp_scan.npz") as zb:
        assert za["values"].dtype == np.float64 and zb["values"].dtype == np.float32
        np.testing.assert_allclose(zb["values"], za["values"], rtol=2e-4)


def test_figures_agree(tmp_path):
    """``figures --seed 002`` (azimuthal dσ/dΩ of p, ⁴⁰Ar, ¹³²Xe and e, seed 002 Figs. 1–3): the
    float32 data within 2e-6 of each curve's maximum, and within 5e-4 relative wherever a value
    exceeds 1e-3 of its maximum. The relative budget is set by the nuclei near θ → 0: their weak
    term vanishes linearly at T_max, (T_max − T)/T_max ≈ θ², and T(θ) in float32 carries ~6e-8
    relative, so the relative error grows as 6e-8/θ² (1.6e-4 found at θ = 0.05–0.09 rad, Fig. 2);
    the cross sections are evaluated in T, as every kernel is, not in θ."""
    from nujax.app.figures import FIGURES, load_data

    run("figures", "--seed", "002", "--out", tmp_path / "a")
    run("figures", "--seed", "002", "--x32", "--out", tmp_path / "b")
    assert jax.config.jax_enable_x64
    checked = 0
    for name in FIGURES["002"]:
        da, db = load_data(tmp_path / "a" / f"{name}.npz"), load_data(tmp_path / "b" / f"{name}.npz")
        assert da.keys() == db.keys()
        for k in da:
            x, y = np.asarray(da[k], float), np.asarray(db[k], float)
            top = np.abs(x).max()
            assert np.all(np.isfinite(y)) and (top > 0 or not np.any(y)), (name, k)
            np.testing.assert_allclose(y, x, rtol=0, atol=2e-6 * top, err_msg=f"{name} {k}")
            big = np.abs(x) > 1e-3 * top
            np.testing.assert_allclose(y[big], x[big], rtol=5e-4, err_msg=f"{name} {k}")
            checked += x.size
    assert checked > 38_000
