"""The seed 000 and 001 figure modules write their PNGs and return arrays that match the library."""

import numpy as np
import pytest

from nujax import rates
from nujax.detector import make_detector
from nujax.app.figures import seed000, seed001
from nujax.sources.solar import solar_component


def test_make_figures_write_pngs(tmp_path):
    paths = seed000.make_figures(tmp_path) + seed001.make_figures(tmp_path)
    assert len(paths) == 12
    for p in paths:
        assert p.exists() and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fig4_data_matches_rates():
    d = seed000.fig4_data(mus=np.array([3.0]), thresholds=(0.1,))
    c = rates.azimuthal_coefficients((solar_component("pp"),), make_detector("he_ch4", threshold=0.1),
                                     3.0, 0.5, sin2w=0.23)
    assert d[("dirac", 0.1)][0] == pytest.approx(float(rates.max_asymmetry(c)), rel=1e-10)


def test_seed001_fig2_fig4_consistency():
    d2 = seed001.fig2_data(T=np.array([0.1]))
    assert d2[10.0][0] / d2["weak"][0] == pytest.approx(100 / 6.67**2, rel=1e-2)
    d4 = seed001.fig4_data(T=np.array([0.2, 1.0]))
    assert np.all(d4["weak"] > 0) and np.all(d4["em"] > 0)
