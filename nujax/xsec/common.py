"""Result containers shared by the density-matrix cross sections (seed 002)."""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp

__all__ = ["AzimuthalParts"]


class AzimuthalParts(NamedTuple):
    """d²σ/dT dφ = A + Bs sin φ + Bc cos φ (seed 002 eq. (11)); also used for dσ/dΩ (eq. (9)).

    Units: MeV⁻³ rad⁻¹ for the T-differential form, MeV⁻² sr⁻¹ for dσ/dΩ.
    """

    A: object
    Bs: object
    Bc: object

    def at(self, phi):
        """Evaluate A + Bs sin φ + Bc cos φ at azimuth ``phi`` [rad]."""
        return self.A + self.Bs * jnp.sin(phi) + self.Bc * jnp.cos(phi)

    def scale(self, factor) -> "AzimuthalParts":
        """Multiply every part by ``factor`` (e.g. a Jacobian, eq. (12))."""
        return AzimuthalParts(self.A * factor, self.Bs * factor, self.Bc * factor)
