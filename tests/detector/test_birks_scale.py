"""Birks' law as the detector's electron-recoil energy scale (nujax.detector.quenching, kind
"birks"): the same quenching mechanism as for nuclear recoils, applied by the engine to electron
recoils; k_B → 0 is the linear scale, binned counts in visible energy equal the counts over the
mapped true-energy edges and the integral of dN/dE_vis, gradients in k_B match finite
differences, TOML/name parsing is validated."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import rates
from nujax.detector import make_detector
from nujax.detector.birks import birks_visible_energy
from nujax.detector.presets import PRESETS, preset
from nujax.detector.quenching import (birks_quenching, electron_equivalent, get_quenching,
                                      nuclear_recoil_energy, tabulated_quenching)
from nujax.sources.artificial import sr90_y90_spectra

SRY = sr90_y90_spectra(activity_mci=5.0, distance_cm=1000.0)
Q = dict(n_T=8, n_E=12, n_E_panels=2)
EDGES = jnp.linspace(0.2, 2.0, 7)                                 # visible energy [MeV]


def _det(q, **kw):
    return make_detector("pseudocumene", mass_t=100.0, quenching=q, **{"threshold": 0.2, **kw})


def _counts(q, edges=EDGES, **kw):
    return rates.binned_templates(SRY, _det(q, **kw), edges, target="electron", **Q).weak


def test_birks_model_is_the_birks_module_and_inverts():
    q = birks_quenching(0.0115)
    E = jnp.array([0.05, 0.3, 1.0, 2.2])
    np.testing.assert_allclose(electron_equivalent(q, E), birks_visible_energy(E), rtol=1e-14)
    np.testing.assert_allclose(nuclear_recoil_energy(q, electron_equivalent(q, E)), E, rtol=1e-12)
    # k_B = 0 is the identity scale, and its inverse too
    np.testing.assert_allclose(electron_equivalent(birks_quenching(0.0), E), E, rtol=1e-12)
    assert q.recoil == "electron" and birks_quenching().k == pytest.approx(0.0115)


def test_kB_zero_gives_the_linear_result_and_nuclei_are_untouched():
    lin = _counts(None)
    np.testing.assert_allclose(_counts(birks_quenching(0.0)), lin, rtol=1e-10)
    quenched = _counts(birks_quenching(0.0115))
    # a quenched electron looks softer: fewer counts above the 200 keV visible threshold
    assert float(jnp.sum(quenched)) < float(jnp.sum(lin))
    assert float(jnp.sum(quenched)) > 0.8 * float(jnp.sum(lin))
    # an electron model leaves nuclear recoils alone (and a nuclear model leaves electrons alone)
    from nujax.sources.accelerator import pidar_spectra
    pidar = pidar_spectra(5.0e15, 1930.0, n_grid=61)
    e = jnp.linspace(0.005, 0.05, 4)
    kw = dict(target="nucleus", n_T=4, n_E=12, n_E_panels=2)
    a = rates.binned_templates(pidar, make_detector("argon40", quenching="birks"), e, **kw).weak
    b = rates.binned_templates(pidar, make_detector("argon40"), e, **kw).weak
    np.testing.assert_allclose(a, b, rtol=1e-14)
    np.testing.assert_allclose(_counts("argon"), lin, rtol=1e-14)


def test_visible_bins_equal_true_bins_on_mapped_edges_and_the_density_integral():
    q = birks_quenching(0.0115)
    vis = _counts(q)
    true_edges = nuclear_recoil_energy(q, EDGES)
    np.testing.assert_allclose(vis, _counts(None, true_edges, threshold=0.0), rtol=1e-10)
    # ∫ dN/dE_vis over the visible range = the binned total (the Jacobian dE_vis/dE is right;
    # 3e-3: the n_T = 8 engine rule on the β-continuum, measured 2.0e-3)
    E = np.linspace(float(EDGES[0]), float(EDGES[-1]), 1201)
    d = rates.dN_dT(SRY, _det(q), E, target="electron", n_E=12, n_E_panels=2).weak
    assert 2 * np.pi * float(jnp.sum(vis)) == pytest.approx(float(np.trapezoid(d, E)), rel=3e-3)


def test_gradient_in_kB_matches_finite_differences():
    counts = jax.jit(lambda kB: jnp.sum(_counts(birks_quenching(kB), res_stoch=0.05,
                                                  smearing=True)))
    kB, h = 0.0115, 1e-5
    g = jax.grad(counts)(kB)
    fd = (counts(kB + h) - counts(kB - h)) / (2 * h)
    assert np.isfinite(float(g)) and float(g) < 0
    assert float(g) == pytest.approx(float(fd), rel=1e-5)


def test_names_tables_and_errors(tmp_path):
    assert float(get_quenching("birks:0.02").k) == pytest.approx(0.02)
    assert get_quenching("Birks").kind == "birks"
    path = tmp_path / "scale.txt"
    path.write_text("# visible/true electron energy\nE_keV,Q\n100,0.9\n500,0.95\n3000,0.98\n")
    t = get_quenching(f"electron-table:{path}")
    assert t.recoil == "electron" and t.kind == "table"
    assert float(electron_equivalent(t, 0.5)) == pytest.approx(0.475, rel=1e-12)
    with pytest.raises(ValueError, match="birks:<kB>"):
        get_quenching("birks:abc")
    with pytest.raises(ValueError, match="kB must be >= 0"):
        get_quenching("birks:-0.01")
    with pytest.raises(ValueError, match="density_g_cm3"):
        birks_quenching(0.01, density_g_cm3=0.0)
    with pytest.raises(ValueError, match="recoil"):
        tabulated_quenching([1, 2], [0.5, 0.6], recoil="muon")
    # a tabulated electron scale acts on the electron target like Birks
    assert float(jnp.sum(_counts(t))) < float(jnp.sum(_counts(None)))


def test_borexino_birks_preset():
    d = preset("borexino_birks")
    assert d.quenching.kind == "birks" and d.quenching.k == pytest.approx(0.0115)
    assert PRESETS["borexino"].get("quenching") is None and preset("borexino").quenching is None
