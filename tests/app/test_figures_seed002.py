"""Seed 002 figures: the plotted arrays are the library's cross sections; PNGs are written."""

import importlib.util
from pathlib import Path

import numpy as np

from nujax.em import EMProperties
from nujax.app.figures import seed002 as f2
from nujax.state import SpinFlavorState
from nujax.xsec.electron_density_matrix import electron_density_matrix_parts
from nujax.xsec.nucleon import nucleon_dsigma_domega
from nujax.xsec.nucleus import nucleus_dsigma_domega

GRID = dict(n_theta=6, n_phi=5, n_T=7)


def test_figure_data_equals_library_and_pngs_written(tmp_path):
    d = f2.figure_data(**GRID)
    # Fig. 1: transverse proton with μ and SM radii at each (θ, φ)
    d1 = d["fig1"]
    props = EMProperties.sm_charge_radii(mu=np.eye(3))
    parts = nucleon_dsigma_domega(props, SpinFlavorState.transverse(None, n=3), 10.0,
                                  np.cos(d1["theta"]), target="p", sin2w=0.23121)
    ref = np.asarray(parts.at(d1["phi"][None, :].T)).T
    np.testing.assert_allclose(d1["transverse_mu_radii"], ref, rtol=1e-12)
    un = d1["unpolarized_mu"]
    assert np.allclose(un, un[:, :1], rtol=1e-12)                    # no φ dependence
    assert np.max(np.abs(d1["transverse_mu"] - un)) > 0              # the asymmetry is there
    assert np.all(d1["unpolarized_mu"] >= d1["unpolarized_sm"])      # μ adds a positive term
    # Fig. 2: Xe132
    d2 = d["fig2"]
    parts = nucleus_dsigma_domega(props, SpinFlavorState.transverse(None, n=3), 10.0,
                                  np.cos(d2["theta"]), nucleus="Xe132", sin2w=0.23121,
                                  weak_charges="tree")                # seed 002: tree level
    np.testing.assert_allclose(d2["Xe132"], np.asarray(parts.at(d2["phi"][None, :].T)).T, rtol=1e-12)
    # Fig. 3: ν_μ e, transverse
    d3 = d["fig3"]
    parts = electron_density_matrix_parts(EMProperties.from_effective(1.0, "numu", n=1),
                              SpinFlavorState.transverse("numu", n=1), 10.0, d3["T"], sin2w=0.23121,
                              flavor="numu")
    np.testing.assert_allclose(d3["numu_transverse"], np.asarray(parts.at(d3["phi"][None, :].T)).T,
                               rtol=1e-12)
    assert np.all(d3["nue_unpolarized"] > 0) and np.all(np.isfinite(d3["nue_transverse"]))

    paths = f2.make_figures(tmp_path, **GRID)
    assert [p.name for p in paths] == ["seed002_fig1.png", "seed002_fig2.png", "seed002_fig3.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000


def test_benchmark_cases_agree_with_numpy():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "xsec_cases_dm_nucleus.py"
    spec = importlib.util.spec_from_file_location("xsec_cases_dm_nucleus", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for case in mod.cases():
        args = case["make_inputs"](50, np.float64)
        for a, b in zip(case["jax_fn"](*args), case["numpy_fn"](*args)):
            np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-40)
