"""Propagation of neutrinos from source to detector.

Submodules
----------
:mod:`nujax.propagation.rsfp`
    Resonant spin-flavor precession of solar Majorana neutrinos (seed 000 sec. IV): Landau–Zener
    and numerical two-/four-level solvers.
:mod:`nujax.propagation.msw`
    Three-flavor adiabatic MSW-LMA conversion of solar neutrinos, averaged over each source's
    production region (flavor and mass-eigenstate content at Earth).
:mod:`nujax.propagation.earth`
    Earth-matter (day–night) regeneration of solar neutrinos: PREM shells, exact evolution per
    shell, one chord or a detector's exposure.

The public names of :mod:`nujax.propagation.rsfp` are re-exported here unchanged, so
``from nujax.propagation import solve_rsfp, pe_lz, p_lz, RSFPParams`` keeps working.
"""

from nujax.propagation import rsfp as _rsfp
from nujax.propagation.rsfp import *  # noqa: F401,F403  (the seed-000 RSFP API, unchanged)
from nujax.propagation.vacuum import (oscillation_phases, reactor_arrival, vacuum_amplitudes,
                                      vacuum_probabilities)

__all__ = [*_rsfp.__all__, "oscillation_phases", "reactor_arrival", "vacuum_amplitudes",
           "vacuum_probabilities"]
