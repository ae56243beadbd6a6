"""Detectors: the detector pytree and its response, target materials, experiment presets and the
background registry.

* :mod:`nujax.detector.core` — :class:`Detector`, :func:`make_detector`, efficiency and resolutions;
* :mod:`nujax.detector.materials` — materials (electrons and nuclei per tonne, atomic shells);
* :mod:`nujax.detector.quenching` — E_ee(E_nr) of nuclear recoils: Lindhard, polynomial, tables;
* :mod:`nujax.detector.presets` — one cited entry per experiment, :func:`preset`;
* :mod:`nujax.detector.backgrounds` — background shapes: counts per bin, density in energy;
* :mod:`nujax.detector.components` — background components (rate, shape, constraint);
  :mod:`nujax.detector.response_tables` — tabulated ε(E), σ(E); :mod:`nujax.detector.birks` —
  scintillator quenching.
"""

from nujax.detector.backgrounds import (BACKGROUNDS, BackgroundShape, background_counts,
                                        background_density, register_background)
from nujax.detector.components import BackgroundComponent, make_component
from nujax.detector.core import Detector, azimuth_damping, efficiency, energy_sigma, make_detector
from nujax.detector.materials import MATERIALS, Material, binding_shells, get_material
from nujax.detector.presets import PRESETS, preset
from nujax.detector.quenching import (QUENCHING_DEFAULTS, Quenching, get_quenching, lindhard,
                                      polynomial_quenching, quenching_from_file,
                                      tabulated_quenching)

__all__ = [
    "Material", "Detector", "MATERIALS", "get_material", "make_detector", "efficiency",
    "energy_sigma", "binding_shells", "azimuth_damping", "PRESETS", "preset",
    "BACKGROUNDS", "BackgroundShape", "background_counts", "background_density",
    "register_background", "BackgroundComponent", "make_component", "Quenching", "QUENCHING_DEFAULTS", "get_quenching", "lindhard",
    "polynomial_quenching", "tabulated_quenching", "quenching_from_file",
]
