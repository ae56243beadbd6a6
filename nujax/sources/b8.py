"""The measured (standard) ⁸B solar-neutrino spectrum shipped as package data.

The default ⁸B shape of :func:`nujax.sources.solar.solar_component` is the standard spectrum of
J. N. Bahcall et al., Phys. Rev. C 54 (1996) 411, which folds the measured ⁸B → ⁸Be* α spectrum
(and recoil-order corrections) into the β decay; ⟨Eν⟩ = 6.735 MeV. nujax reads it from
``nujax/data/b8_spectrum.txt`` (MIT-licensed copy from C. A. J. O'Hare's NeutrinoFog repository;
provenance, checksum and licence in ``nujax/data/b8_spectrum.SOURCE.md``). The β-theory shape with
a single-level R-matrix ⁸Be* (:func:`nujax.sources.solar.b8_shape`, ⟨Eν⟩ = 7.08 MeV) stays available
as ``solar_component("8B", shape="theory")``.

The table is used as tabulated (linear interpolation between its 1000 points, renormalised to 1 on
its own grid); its density is a constant, so gradients flow to the flux only.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from nujax.sources.spectrum import Spectrum, continuum_spectrum

__all__ = ["B8_TABLE_FILE", "B8_TABLE_MEAN_MEV", "b8_measured_table", "b8_measured_spectrum"]

#: Package-data file of the standard ⁸B spectrum (``nujax/data/``).
B8_TABLE_FILE: str = "b8_spectrum.txt"
#: ⟨Eν⟩ [MeV] of the standard spectrum (Bahcall et al., PRC 54 (1996) 411); the shipped table gives
#: 6.7354 MeV with the trapezoid rule.
B8_TABLE_MEAN_MEV: float = 6.735


@functools.lru_cache(maxsize=1)
def _read_table():
    text = resources.files("nujax").joinpath("data", B8_TABLE_FILE).read_text(encoding="utf-8")
    arr = np.loadtxt(text.splitlines(), delimiter=",")
    return arr[:, 0].copy(), arr[:, 1].copy()


def b8_measured_table():
    """The shipped standard ⁸B spectrum as ``(energies [MeV], density [MeV⁻¹])`` numpy arrays.

    The density is renormalised to unit trapezoid integral on its grid (the file integrates to
    0.99999).

    >>> e, d = b8_measured_table()
    >>> e.shape, round(float(np.trapezoid(e * d, e)), 3)
    ((1000,), 6.735)
    """
    e, d = _read_table()
    return e.copy(), d / np.trapezoid(d, e)


def b8_measured_spectrum(flux=1.0, *, name: str = "solar 8B") -> Spectrum:
    """Normalised ν_e :class:`Spectrum` of the standard ⁸B shape with total ``flux`` [cm⁻² s⁻¹]."""
    e, d = b8_measured_table()
    return continuum_spectrum(e, d, flux=flux, name=name)
