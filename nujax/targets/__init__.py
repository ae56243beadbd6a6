"""Targets of neutrino scattering: the protocol and a registry keyed by name.

* ``"electron"`` — :class:`~nujax.targets.electron.ElectronTarget` (ν e elastic, seeds 000–002);
* ``"nucleus"`` — :class:`~nujax.targets.nucleus.NucleusTarget` (CEνNS on spin-0 nuclei of the
  material's natural isotopes, seed 002); option ``skin_fm``;
* ``"radiative"`` — :class:`~nujax.targets.radiative.RadiativeTarget` (ν e → ν e γ, seed 004);
  option ``photon_threshold`` [MeV].

A new target is one module implementing :class:`~nujax.targets.base.Target` plus one
:func:`register_target` call.

>>> get_target("nucleus", skin_fm=0.2).skin_fm
0.2
>>> get_target("muon")
Traceback (most recent call last):
...
ValueError: unknown target 'muon'; known: electron, nucleus, radiative
"""

from __future__ import annotations

from nujax.targets.base import CompactOptions, Component, Target
from nujax.targets.electron import ElectronTarget
from nujax.targets.nucleus import NucleusTarget
from nujax.targets.radiative import RadiativeTarget

__all__ = ["Target", "Component", "CompactOptions", "ElectronTarget", "NucleusTarget",
           "RadiativeTarget", "TARGETS", "get_target", "register_target"]

#: Registered targets: name → class (called with the target's options).
TARGETS: dict = {"electron": ElectronTarget, "nucleus": NucleusTarget,
                 "radiative": RadiativeTarget}
_ALIASES = {"e": "electron", "electrons": "electron", "nuclear": "nucleus", "nuclei": "nucleus",
            "cevns": "nucleus", "nu_e_gamma": "radiative"}


def register_target(name: str, cls) -> None:
    """Add a target class to :data:`TARGETS` (``ValueError`` if the name is taken)."""
    if name in TARGETS:
        raise ValueError(f"target {name!r} is already registered")
    TARGETS[str(name)] = cls


def get_target(target="electron", **options):
    """A target object from its name (with options) or the object itself (no options then).

    Parameters
    ----------
    target : str or Target
        "electron", "nucleus", "radiative" (aliases: "e", "cevns", …) or a target object.
    **options
        Static options of the target class (``skin_fm`` for nuclei, ``photon_threshold`` [MeV]
        and quadrature orders for the radiative channel).
    """
    if not isinstance(target, str):
        if options:
            raise ValueError("options go with a target name, not with a target object")
        if not isinstance(target, Target):
            raise TypeError(f"not a target: {target!r}")
        return target
    key = target.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in TARGETS:
        raise ValueError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
    try:
        return TARGETS[key](**options)
    except TypeError as exc:
        raise ValueError(f"bad options for target {key!r}: {exc}") from None
