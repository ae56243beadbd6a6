"""The target protocol: what the neutrinos scatter on, as the rate engine sees it.

A target (electrons, the nuclei of a material, the radiative channel ν e → ν e γ) tells the one
folding engine of :mod:`nujax.rates` (jax-cosmo style: one kernel per probe, one integrator):

* ``components(detector)`` — the scatterers of the detector's material as static
  :class:`Component` entries: target mass [MeV], number per tonne, atomic-binding steps (electrons
  in the stepping approximation) and target-specific static data (the isotope of a nucleus);
* ``kernel(component, spectrum, pe, sin2w, options)`` — the per-point cross section of the compact
  (seed 000) parametrisation, (Eν, T) ↦ (weak, em per (10⁻¹¹ μ_B)², interference amplitude of
  cos(φ − φ_B) per 10⁻¹¹ μ_B) [MeV⁻³ rad⁻¹];
* ``density_matrix_kernel(component, props, state, sin2w, U, flavor, antineutrino)`` — the per-point
  cross section
  of the seed-002 density-matrix parametrisation, (Eν, T) ↦ (Ã, B̃s, B̃c) [MeV⁻³ rad⁻¹] for an
  :class:`~nujax.em.EMProperties` and a :class:`~nujax.state.SpinFlavorState` (traces computed once);
* ``two_body`` — True for elastic ν + t → ν + t (the engine integrates T ≤ T_max(Eν) with the
  kinematics of ``component.mass``); a target with other kinematics (the three-body radiative
  channel) is False and folds its own binned cross sections with ``fold_binned``;
* ``directional`` — whether the recoil direction (cosθ, φ) is defined.

Targets are frozen, hashable dataclasses (static under ``jit``); their options (neutron skin,
photon threshold) are static fields. :func:`nujax.targets.get_target` is the registry.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol, runtime_checkable

__all__ = ["Component", "Target", "CompactOptions"]


class Component(NamedTuple):
    """One kind of scatterer in a material (static).

    Attributes
    ----------
    label : str
        E.g. "e" or an isotope name ("Xe132").
    mass : float
        Target mass [MeV] (sets T_max(Eν) and the Eν ↔ (T, cosθ) kinematics).
    per_tonne : float
        Number of these scatterers per tonne of the material.
    shells : tuple or None
        (binding energies [MeV], fractions) of the stepping approximation, numpy arrays, or None.
    data : Any
        Target-specific static data (the :class:`~nujax.nuclei.Nucleus` of an isotope).
    """

    label: str
    mass: float
    per_tonne: float
    shells: Any = None
    data: Any = None


class CompactOptions(NamedTuple):
    """Static options of the compact (seed 000) parametrisation: ``flavor`` (None: ν_e or ν̄_e per
    spectrum), ``kind`` ("dirac" | "majorana"), Majorana ``partner``, ``pe_fn`` (Pe(Eν) =
    pe_fn(Eν, pe))."""

    flavor: Any = None
    kind: str = "dirac"
    partner: Any = None
    pe_fn: Any = None


@runtime_checkable
class Target(Protocol):
    """What the rate engine needs from a target (module docstring)."""

    name: str
    two_body: bool
    directional: bool

    def components(self, detector) -> tuple:
        ...

    def kernel(self, component: Component, spectrum, pe, sin2w, options: CompactOptions):
        ...

    def density_matrix_kernel(self, component: Component, props, state, sin2w, U, flavor,
                              antineutrino=False):
        ...
