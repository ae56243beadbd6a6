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
