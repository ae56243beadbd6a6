"""Propagation of neutrinos from source to detector.

Submodules
----------
:mod:`nujax.propagation.rsfp`
    Resonant spin-flavor precession of solar Majorana neutrinos (seed 000 sec. IV): Landau–Zener
    and numerical two-/four-level solvers.
:mod:`nujax.propagation.msw`
    Three-flavor adiabatic MSW-LMA conversion of solar neutrinos, averaged over each source's
    production region (flavor and mass-eigenstate content at Earth).

The public names of :mod:`nujax.propagation.rsfp` are re-exported here unchanged, so
``from nujax.propagation import solve_rsfp, pe_lz, p_lz, RSFPParams`` keeps working.
"""

from nujax.propagation.vacuum import oscillation_phases, reactor_arrival, vacuum_amplitudes, vacuum_probabilities  # noqa: F401
from nujax.propagation.rsfp import (
    RSFPParams,
    RSFPProbabilities,
    conversion_nonadiabatic,
    lz_adiabaticity,
    lz_conversion_probability,
    lz_profile_probability,
    p_lz,
    pe_lz,
    solve_rsfp,
    solve_rsfp4,
)

__all__ = [
    "RSFPParams",
    "RSFPProbabilities",
    "lz_adiabaticity",
    "p_lz",
    "lz_conversion_probability",
    "conversion_nonadiabatic",
    "pe_lz",
    "lz_profile_probability",
    "solve_rsfp",
    "solve_rsfp4",
]
