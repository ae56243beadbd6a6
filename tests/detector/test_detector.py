"""Detector materials, presets, efficiency/resolution and the azimuthal damping factor."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import detector as D
from nujax.constants import N_A


def test_electrons_per_tonne_from_composition():
    # water: 10 electrons per 18.015 g/mol; xenon: 54 per 131.29; CF4: 42 per 88.0
    assert D.get_material("water").electrons_per_tonne == pytest.approx(10 * N_A * 1e6 / 18.015, rel=1e-4)
    assert D.get_material("xe").electrons_per_tonne == pytest.approx(54 * N_A * 1e6 / 131.29, rel=1e-6)
    cf4 = D.get_material("cf4")
    assert cf4.electrons_per_formula == 42
    assert cf4.nuclei_per_tonne()["F"] == pytest.approx(4 * N_A * 1e6 / cf4.molar_mass_g)
    for name in ("he_ch4", "pseudocumene", "pxe", "argon", "germanium", "nai", "csi"):
        m = D.get_material(name)
        # every material: Z/A between 0.40 (heavy) and 0.58 (hydrogen-rich)
        za = m.electrons_per_formula / m.molar_mass_g
        assert 0.40 < za < 0.58, name


def test_unknown_material_and_preset_raise():
    with pytest.raises(ValueError, match="unknown target material"):
        D.get_material("unobtainium")
    with pytest.raises(ValueError, match="unknown detector preset"):
        D.preset("nonexistent")


def test_negative_exposure_and_bad_efficiency_raise():
    with pytest.raises(ValueError, match="mass_t"):
        D.make_detector("water", mass_t=-1.0)
    with pytest.raises(ValueError, match="live_time_yr"):
        D.make_detector("water", live_time_yr=-0.5)
    with pytest.raises(ValueError, match="eff_plateau"):
        D.make_detector("water", eff_plateau=1.5)


@pytest.mark.parametrize("name", sorted(D.PRESETS))
def test_presets_build(name):
    d = D.preset(name)
    assert float(d.exposure_t_yr) > 0 and float(d.threshold) > 0
    note = D.PRESETS[name]["note"]
    assert "seed" in note or "PRL" in note or "arXiv:" in note          # every preset cites


def test_detector_is_pytree_and_jit_traceable():
    d = D.preset("hellaz")
    leaves, tree = jax.tree_util.tree_flatten(d)
    assert len(leaves) == 12
    d2 = jax.tree_util.tree_unflatten(tree, leaves)
    assert d2.material == d.material and d2.name == "HELLAZ"
    f = jax.jit(lambda det: det.exposure_t_yr * 2.0)
    assert float(f(d)) == pytest.approx(12.0)


def test_binding_shells_sum_to_one_and_edges():
    for m in ("germanium", "xenon", "nai", "csi", "cf4", "water"):
        b, f = D.binding_shells(m)
        assert f.sum() == pytest.approx(1.0) and np.all(np.diff(b) >= 0)
    b, f = D.binding_shells("germanium")
    assert b.max() == pytest.approx(11.1031e-3, rel=1e-4)  # Ge K shell (X-ray Data Booklet)
    assert f[-1] == pytest.approx(2 / 32)                     # two K electrons of 32


def test_efficiency_and_resolution():
    d = D.make_detector("water", eff_plateau=0.8, eff_T50=1.0, eff_width=0.1, res_stoch=0.05, res_const=0.01)
    assert float(D.efficiency(d, 1.0)) == pytest.approx(0.4)
    assert float(D.efficiency(d, 3.0)) == pytest.approx(0.8)
    assert float(D.energy_sigma(d, 1.0)) == pytest.approx(math.hypot(0.01, 0.05), rel=1e-6)
    flat = D.make_detector("water", eff_plateau=0.7)
    assert float(D.efficiency(flat, 0.0)) == pytest.approx(0.7)
    g = jax.grad(lambda w: D.efficiency(D.make_detector("water", eff_T50=1.0, eff_width=w), 1.2))(0.1)
    assert np.isfinite(float(g))


def test_azimuth_damping_matches_monte_carlo():
    # derivation in nujax.detector: E[cos(φ+δ)] = e^{-σ²/2} cos φ for δ ~ N(0, σ²)
    rng = np.random.default_rng(1)
    sigma, phi = 0.7, 0.4
    delta = rng.normal(0.0, sigma, 400_000)
    mc = np.cos(phi + delta).mean()
    assert mc == pytest.approx(float(D.azimuth_damping(sigma)) * math.cos(phi), abs=3e-3)
    assert float(D.azimuth_damping(0.0)) == 1.0
    assert float(D.azimuth_damping(0.03)) == pytest.approx(1 - 0.03**2 / 2, rel=1e-6)
