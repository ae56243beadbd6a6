"""The nujax console script through its real entry point (typer's CliRunner on ``nujax.cli.app``)."""

import math

from typer.testing import CliRunner

import nujax
from nujax.cli import app
from nujax.constants import cm2_from_natural

runner = CliRunner()


def test_xsec_prints_library_numbers():
    res = runner.invoke(app, ["xsec", "--enu", "1.0", "--T", "0.2", "--mu", "5", "--sin2w", "0.23"])
    assert res.exit_code == 0, res.output
    s = nujax.dsigma_dT(1.0, 0.2, 5.0, sin2w=0.23)
    assert f"{float(cm2_from_natural(s.weak)):.5e}" in res.output
    assert f"{float(cm2_from_natural(s.em)):.5e}" in res.output


def test_xsec_bad_input_exits_2():
    res = runner.invoke(app, ["xsec", "--enu", "-1", "--T", "0.2"])
    assert res.exit_code == 2
    assert "enu must be" in res.output
    res = runner.invoke(app, ["xsec", "--enu", "1", "--T", "0.2", "--flavor", "nu_sterile"])
    assert res.exit_code == 2 and "unknown neutrino flavor" in res.output


def test_demo_runs_and_reports_the_asymmetry():
    res = runner.invoke(app, ["demo", "--mu", "3", "--pe", "0.5"])
    assert res.exit_code == 0, res.output
    det = nujax.preset("hellaz")
    spectra = nujax.get_source("pp") + nujax.get_source("7Be")
    coeffs = nujax.azimuthal_coefficients(spectra, det, 3.0, 0.5)
    assert f"{float(nujax.max_asymmetry(coeffs)):.4f}" in res.output
    assert f"{float(2 * math.pi * coeffs[0]):.1f}" in res.output
