"""Registry of neutrino sources: ``get_source(name, **params)`` → tuple of :class:`Spectrum`.

Names (case-sensitive):

* solar components "pp", "pep", "7Be", "8B", "hep", "13N", "15O", "17F" and "solar" (all of them),
  parameters of :func:`~nujax.sources.solar.solar_component` (``flux``, ``model``, ``n_grid``,
  ``shape``, ``mixing``). The registry gives what reaches a detector on Earth: solar neutrinos
  arrive MSW-oscillated by default (``oscillation="msw"``, NuFIT 6.0, B16 production regions);
  ``oscillation=None`` gives the pure ν_e of the seed reproductions (the constructor
  :func:`~nujax.sources.solar.solar_component` itself defaults to the emitted ν_e);
* artificial sources "51Cr", "37Ar", "49V", "145Sm" (``activity_bq`` | ``activity_mci``,
  ``distance_cm``) and "90Sr-90Y" (same, plus ``n_grid``);
* "reactor" (:func:`~nujax.sources.reactor.reactor_spectrum`), "supernova"
  (:func:`~nujax.sources.supernova.supernova_spectra`), "pidar"
  (:func:`~nujax.sources.accelerator.pidar_spectra`).

:func:`spectrum_from_table` turns a user's two-column table (E [MeV], dΦ/dE) into a Spectrum with
clear errors for malformed input.
"""

from __future__ import annotations

import numpy as np

from nujax.sources.accelerator import pidar_spectra
from nujax.sources.artificial import LINE_SOURCES, line_source, sr90_y90_spectra
from nujax.sources.reactor import reactor_spectrum
from nujax.sources.solar import SOLAR_COMPONENTS, solar_component, solar_spectra
from nujax.sources.spectrum import Spectrum, continuum_spectrum
from nujax.sources.supernova import supernova_spectra

__all__ = ["SOURCE_NAMES", "get_source", "spectrum_from_table"]


def _solar(name):
    return lambda oscillation="msw", **kw: (solar_component(name, oscillation=oscillation, **kw),)


def _line(name):
    return lambda **kw: (line_source(name, **kw),)


_REGISTRY = {
    **{c: _solar(c) for c in SOLAR_COMPONENTS},
    "solar": lambda oscillation="msw", **kw: solar_spectra(oscillation=oscillation, **kw),
    **{n: _line(n) for n in LINE_SOURCES},
    "90Sr-90Y": lambda **kw: sr90_y90_spectra(**kw),
    "reactor": lambda **kw: (reactor_spectrum(**kw),),
    "supernova": lambda **kw: supernova_spectra(**kw),
    "pidar": lambda **kw: pidar_spectra(**kw),
}

#: All registered names.
SOURCE_NAMES: tuple[str, ...] = tuple(_REGISTRY)


def get_source(name: str, **params) -> tuple[Spectrum, ...]:
    """The spectra of a named source (one Spectrum per species/component).

    >>> [s.name for s in get_source("pidar")]
    ['pidar nu_mu', 'pidar nubar_mu', 'pidar nu_e']
    >>> get_source("8Li")
    Traceback (most recent call last):
    ...
    ValueError: unknown neutrino source '8Li'; known: pp, pep, 7Be, 8B, hep, 13N, 15O, 17F, solar, 51Cr, 37Ar, 49V, 145Sm, 90Sr-90Y, reactor, supernova, pidar
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown neutrino source {name!r}; known: {', '.join(SOURCE_NAMES)}")
    try:
        return tuple(_REGISTRY[name](**params))
    except TypeError as exc:  # unknown keyword for this source
        raise ValueError(f"bad parameters for source {name!r}: {exc}") from exc


def spectrum_from_table(table, *, flux=None, flavor_fractions=(1.0, 0.0, 0.0), antineutrino=False,
                        name: str = "table") -> Spectrum:
    """A continuum Spectrum from a table of rows (E [MeV], dΦ/dE [any unit per MeV]).

    ``flux`` defaults to the trapezoid integral of the table (its own units). Raises ValueError for
    anything but a finite, non-negative (N ≥ 2) × 2 table with strictly increasing energies.
    """
    try:
        arr = np.asarray(table, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: spectrum table must be numeric (N × 2), {exc}") from exc
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 2:
        raise ValueError(f"{name}: spectrum table must have shape (N ≥ 2, 2), got {arr.shape}")
    e, phi = arr[:, 0], arr[:, 1]
    total = float(np.trapezoid(phi, e)) if np.all(np.isfinite(arr)) else float("nan")
    return continuum_spectrum(e, phi, flux=total if flux is None else flux,
                              flavor_fractions=flavor_fractions, antineutrino=antineutrino, name=name)
