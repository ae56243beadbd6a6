"""Result containers shared by the density-matrix cross sections (seed 002), and the host-side
conversion of cross sections to laboratory units."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.constants import HBARC2_MEV2_CM2

__all__ = ["AzimuthalParts", "to_cm2"]


def to_cm2(x):
    """Convert cross sections from natural units to cm² on the host, in float64.

    Multiplies by (ħc)² [MeV² cm²] (PDG 2024 table 1.1): MeV⁻² → cm², MeV⁻³ → cm²/MeV,
    MeV⁻³ rad⁻¹ → cm²/(MeV rad), MeV⁻⁴ → cm²/MeV². The kernels return natural units, whose values
    (~1e-23 MeV⁻³ for ν e scattering) are fine in float32, but the cm² values (~1e-45) lie below
    float32's smallest normal number (1.2e-38) and would underflow to 0; so the result is a float64
    numpy array computed on the host, whatever the input precision. ``x`` is an array or a pytree
    of arrays (:class:`~nujax.xsec.electron.XsecParts`, :class:`AzimuthalParts`,
    :class:`~nujax.xsec.radiative.RadiativeParts` …); the same structure comes back. Call it on
    concrete results, outside ``jit`` (inside, use :func:`nujax.constants.cm2_from_natural`, which
    keeps the input dtype).

    >>> import jax.numpy as jnp
    >>> sig = jnp.asarray(2.4e-23, jnp.float32)            # a float32 dσ/dT [MeV⁻³]
    >>> f"{float(to_cm2(sig)):.3e}", to_cm2(sig).dtype
    ('9.345e-45', dtype('float64'))
    """
    if not is_concrete(x):
        raise TypeError("to_cm2 converts concrete results on the host; inside jit use "
                        "nujax.constants.cm2_from_natural")
    return jax.tree_util.tree_map(lambda v: np.asarray(v, dtype=np.float64) * HBARC2_MEV2_CM2, x)


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
