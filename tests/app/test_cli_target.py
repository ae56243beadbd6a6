"""``nujax xsec`` and ``nujax rate`` with ``--target``: nuclear recoils on an isotope, an element or
a material, through typer's CliRunner on ``nujax.cli.app``."""

import math
import re

import pytest
from typer.testing import CliRunner

import nujax
from nujax.cli import app
from nujax.constants import cm2_from_natural
from nujax.xsec.nucleus import cevns_sm_dsigma_dT

runner = CliRunner()


def _numbers(text):
    return [float(x) for x in re.findall(r"=\s*([-+0-9.e]+) cm²/MeV", text)]


def test_xsec_target_nucleus_against_the_point_nucleus_formula():
    """At q R ≈ 0.05 (T = 0.1 keV_nr, Eν = 30 MeV) the Helm factor is 1 − 7e-4: the ⁴⁰Ar weak
    dσ/dT equals Freedman's point-nucleus formula within 2e-3; a material averages per nucleus."""
    res = runner.invoke(app, ["xsec", "--enu", "30", "--T", "1e-4", "--target", "Ar40",
                              "--sin2w", "0.23"])
    assert res.exit_code == 0, res.output
    weak, em = _numbers(res.output)
    ref = float(cm2_from_natural(cevns_sm_dsigma_dT(30.0, 1e-4, "Ar40", sin2w=0.23)))
    assert weak == pytest.approx(ref, rel=2e-3) and em == 0.0
    res = runner.invoke(app, ["xsec", "--enu", "30", "--T", "1e-4", "--target", "CsI",
                              "--sin2w", "0.23", "--mu", "100"])
    w_csi, em_csi = _numbers(res.output)
    cs = float(cm2_from_natural(cevns_sm_dsigma_dT(30.0, 1e-4, "Cs133", sin2w=0.23)))
    i = float(cm2_from_natural(cevns_sm_dsigma_dT(30.0, 1e-4, "I127", sin2w=0.23)))
    assert w_csi == pytest.approx(0.5 * (cs + i), rel=3e-3) and em_csi > 0
    res = runner.invoke(app, ["xsec", "--enu", "30", "--T", "1e-4", "--target", "Unobtainium"])
    assert res.exit_code == 2 and "unknown target" in res.output


def test_rate_target_material_is_cevns_on_the_preset():
    res = runner.invoke(app, ["rate", "--target", "Ar", "--detector", "coherent_lar", "--source",
                              "pidar", "--mu", "0", "--pe", "1"])
    assert res.exit_code == 0, res.output
    det = nujax.preset("coherent_lar")
    n_w, _, _ = nujax.azimuthal_coefficients(nujax.get_source("pidar"), det, 0.0, 1.0,
                                             target="nucleus")
    assert f"{2 * math.pi * float(n_w):.2f}" in res.output
    res = runner.invoke(app, ["rate", "--target", "Unobtainium"])
    assert res.exit_code == 2 and "rate.target" in res.output
