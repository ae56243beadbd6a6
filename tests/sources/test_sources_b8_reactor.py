"""⁸B measured spectrum (package data) and reactor spectra: capture ν̄e, flux override, baselines."""

import hashlib
from importlib import resources

import numpy as np
import pytest

from nujax.sources import fold
from nujax.sources.b8 import B8_TABLE_FILE, B8_TABLE_MEAN_MEV, b8_measured_table
from nujax.sources.solar import B16_GS98, solar_component

# ---------------------------------------------------------------------------------------- ⁸B


def test_b8_default_is_the_measured_table_mean_energy():
    s = solar_component("8B")
    # Bahcall et al., PRC 54 (1996) 411: ⟨Eν⟩ = 6.735 MeV; within 0.2 % (issue 13)
    assert float(s.mean_energy()) == pytest.approx(B8_TABLE_MEAN_MEV, rel=2e-3)
    e, d = b8_measured_table()
    assert float(s.mean_energy()) == pytest.approx(np.trapezoid(e * d, e), rel=2e-4)


def test_b8_normalisation_and_flux():
    s = solar_component("8B")
    assert float(fold(s, lambda e: np.ones_like(e) + 0 * e)) == pytest.approx(1.0, abs=1e-6)
    assert float(s.flux) == B16_GS98["8B"][0]
    assert float(solar_component("8B", flux=2.0e6).flux) == 2.0e6
    assert s.flavor_fractions.tolist() == [1.0, 0.0, 0.0] and not s.antineutrino
    assert float(s.grid[-1]) == pytest.approx(16.34)


def test_b8_theory_shape_still_reachable():
    old = solar_component("8B", shape="theory")
    # single-level R-matrix ⁸Be*: ⟨Eν⟩ = 7.08 MeV (nujax.sources.solar docstring)
    assert 7.0 < float(old.mean_energy()) < 7.15
    with pytest.raises(ValueError, match="shape"):
        solar_component("pp", shape="measured")
    with pytest.raises(ValueError, match="shape"):
        solar_component("8B", shape="winter")


def test_b8_package_data_is_the_published_file(shared_data):
    shipped = resources.files("nujax").joinpath("data", B8_TABLE_FILE).read_bytes()
    ref = (shared_data / "third_party" / "cajohare+NeutrinoFog" / "normalised" / "8B.txt").read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == hashlib.sha256(ref).hexdigest()
    # the second copy (pyCEvNS, scaled to a flux) has the same shape: ⟨Eν⟩ equal to 1e-4
    t = np.loadtxt(shared_data / "third_party" / "athompson-tamu+pyCEvNS" / "b8.csv", delimiter=",")
    mean = np.trapezoid(t[:, 0] * t[:, 1], t[:, 0]) / np.trapezoid(t[:, 1], t[:, 0])
    assert float(solar_component("8B").mean_energy()) == pytest.approx(mean, rel=1e-4)


# ----------------------------------------------------------------------------------- reactor
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from nujax.propagation.vacuum import vacuum_probabilities  # noqa: E402
from nujax.sources import get_source  # noqa: E402
from nujax.sources.reactor import (CAPTURE_BETA_BRANCHES, CAPTURES_PER_FISSION,  # noqa: E402
                                   capture_spectrum, neutrinos_per_fission, reactor_spectrum)


def test_capture_spectra_normalised_and_below_endpoints():
    g = np.linspace(0.0, 1.4, 14001)
    for nuc in ("239U", "239Np"):
        d = np.asarray(capture_spectrum(nuc, jnp.asarray(g)))
        assert np.trapezoid(d, g) == pytest.approx(1.0, abs=5e-4)
        assert np.all(d[g > CAPTURE_BETA_BRANCHES[nuc]["q"]] == 0.0) and np.all(d >= 0)


def test_neutrinos_per_fission_and_capture_part():
    total = float(neutrinos_per_fission())
    fission = float(neutrinos_per_fission(captures_per_fission=0.0))
    # two ν̄e per ²³⁸U(n,γ) capture, 0.6 captures per fission (Kopeikin et al. 2004): +1.2 per fission
    assert total - fission == pytest.approx(2 * CAPTURES_PER_FISSION, rel=5e-3)     # trapezoid on the grid
    below = float(neutrinos_per_fission(e_max=1.3)) - float(neutrinos_per_fission(e_max=1.3, captures_per_fission=0.0))
    assert below == pytest.approx(2 * CAPTURES_PER_FISSION, rel=5e-3)     # all of it below 1.3 MeV
    assert 5.3 < fission < 5.8                                             # Mueller + Vogel–Engel extension


def test_per_fission_totals_against_cited_values():
    """Seed 003 (TEXONO review "Neutrino Magnetic Moments: Status and Prospects", AS-TEXONO/04-03,
    reactor section): "every fission
    is expected to produce about 6 and 1.2 ν̄e's due to β-decays of the fission daughters and of
    ²³⁹U following neutron capture on ²³⁸U, respectively". The capture part is 2 × 0.6 exactly (to
    the 5e-3 of the trapezoid rule); "about 6" is read as 6 ± 0.5: the model gives 5.54 (Mueller
    2011 above 2 MeV, Vogel–Engel shape below), the weak spot of the reactor model (next test)."""
    fission = float(neutrinos_per_fission(captures_per_fission=0.0))
    capture = float(neutrinos_per_fission()) - fission
    assert capture == pytest.approx(1.2, rel=5e-3)
    assert abs(fission - 6.0) < 0.5


def test_total_flux_against_gemma():
    """GEMMA (A. G. Beda et al., arXiv:0705.4576, abstract; arXiv:1005.2736): 13.9 m from the centre
    of the 3 GW_th core of the Kalinin plant, flux 2.73e13 ν̄e cm⁻² s⁻¹, i.e. ≈ 7.3 ν̄e per fission
    (≈ 6.1 from the fission fragments plus 1.2 from captures) at 205.8 MeV per fission. The model,
    default fission fractions, gives 2.52e13: 7.6 % low, all of it in the fission-fragment ν̄e below
    2 MeV (the Vogel–Engel extension, module docstring); without the capture ν̄e it would be 25 %
    low (the issue's "23 %"). Required: within 10 % (the fuel composition of the Kalinin core in
    those runs is not given; Σ f_i N_i moves by ±3 % over a fuel cycle)."""
    s = reactor_spectrum(3.0, 1390.0)
    ratio = float(s.flux) / 2.73e13
    assert 0.90 < ratio < 1.05
    no_capture = reactor_spectrum(3.0, 1390.0, captures_per_fission=0.0)
    assert float(no_capture.flux) / 2.73e13 < 0.8


def test_reactor_flux_override_through_the_registry():
    (s,) = get_source("reactor", flux=1.0e12)
    assert float(s.flux) == 1.0e12 and s.antineutrino
    with pytest.raises(ValueError, match="flux"):
        reactor_spectrum(flux=-1.0)


def test_vacuum_probabilities_limits_and_juno_pattern():
    e = jnp.linspace(1.0, 10.0, 4001)
    p0 = vacuum_probabilities(e, 0.0)
    np.testing.assert_allclose(np.asarray(p0[:, 0]), 1.0, atol=1e-12)           # P_ee(L → 0) = 1
    p = np.asarray(vacuum_probabilities(e, 52500.0))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    # the slow (Δm²21) envelope: first minimum where Δm²21 L/4E = π/2 → E = 1.26693·Δm²21·L/(π/2)
    e_min = 1.266932 * 7.49e-5 * 52500.0 / (np.pi / 2)                          # 3.17 MeV
    smooth = np.convolve(p[:, 0], np.ones(101) / 101, mode="same")               # average the fast Δm²31 wiggles
    i = np.argmin(smooth[200:-200]) + 200
    assert float(e[i]) == pytest.approx(e_min, rel=0.05)
    # at the minimum P_ee ≈ 1 − sin²2θ12 c13⁴ − ½ sin²2θ13 (θ's of NuFIT 6.0)
    s12, s13 = 0.308, 0.02215
    depth = 1 - 4 * s12 * (1 - s12) * (1 - s13) ** 2 - 0.5 * 4 * s13 * (1 - s13)
    assert smooth[i] == pytest.approx(depth, abs=0.02)
    # the fast Δm²31 oscillation: period in E near 3 MeV = 2πE²/(2·1.26693·Δm²31·L)
    win = (e > 2.8) & (e < 3.6)
    period = 2 * np.pi * 3.2**2 / (2 * 1.266932 * 2.513e-3 * 52500.0)
    x = p[win, 0] - smooth[win]
    n_cross = np.sum(np.diff(np.sign(x)) != 0)
    assert n_cross / 2 == pytest.approx(0.8 / period, rel=0.15)


def test_reactor_baseline_arrival_and_gradient():
    s = reactor_spectrum(3.0, baseline_m=52500.0)
    s_off = reactor_spectrum(3.0, baseline_m=52500.0, oscillation=False)
    assert s.arrival is not None and s_off.arrival is None
    assert float(s.flux) == pytest.approx(float(reactor_spectrum(3.0, 5.25e6).flux), rel=1e-12)
    pe = np.asarray(s.flavor_probabilities(jnp.asarray([3.17])))[0]
    assert pe[0] < 0.5 and abs(pe.sum() - 1) < 1e-9
    f = lambda d: vacuum_probabilities(4.0, 52500.0, dm2_21=d)[0]       # noqa: E731
    g = float(jax.grad(f)(7.49e-5))
    h = 1e-9
    assert g == pytest.approx((float(f(7.49e-5 + h)) - float(f(7.49e-5 - h))) / (2 * h), rel=1e-5)
