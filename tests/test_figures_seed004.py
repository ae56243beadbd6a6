"""Seed 004 figures: data sanity and that every PNG is written."""

import numpy as np

from nujax.figures import seed004


def test_enhanced_region_has_enhancement_near_q2zero():
    d = seed004.figure_data_enhanced(n_eg=8, n_th=12, n_x=12)
    assert np.nanmax(d["ratio_over_elastic"]) > 2.0  # seed 004 Fig. 5: ratios 2–5 near θ_max


def test_inclusive_ratio_grows_at_low_nu():
    d = seed004.figure_data_inclusive(n=8, n_omega=16)
    r = d["magnetic"] / np.where(d["weak"] > 0, d["weak"], np.inf)
    assert r[1, 0] > r[1, -2]  # seed 004 Fig. 7c: highest sensitivity at the lowest ν


def test_make_figures(tmp_path):
    paths = seed004.make_figures(tmp_path)
    assert len(paths) == 7 and all(p.stat().st_size > 1000 for p in paths)
