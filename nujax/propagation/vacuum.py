"""Three-flavor vacuum oscillation of reactor (and other terrestrial) ν̄e / νe over a baseline L.

P(ν_α → ν_β)(E, L) = |Σ_k U*_αk U_βk e^{−i Δm²_k1 L/(2E)}|² for neutrinos and the same with U → U*
for antineutrinos (C. Giunti and C. W. Kim, *Fundamentals of Neutrino Physics and Astrophysics*,
OUP 2007, eqs. (7.21), (7.23); PDG 2024 Review "Neutrino masses, mixing and oscillations"
eq. (14.5)), with the PMNS matrix of :func:`nujax.em.pmns` and the splittings of
:data:`nujax.propagation.msw.NUFIT60_NO_DM2` (NuFIT 6.0 NO) as defaults. Phase in natural units:
Δm² L/(2E) = Δm²[eV²] · L[m] · 10³ / (2 E[MeV] ħc[MeV fm]) (= 2 × 1.26693 Δm²L/E in eV², m, MeV).

Matter effects on the way (≲ 1 % for reactor baselines of tens of km) are neglected. Everything is
jnp and differentiable in the mixing angles, Δm², L and E. No averaging over the energy resolution
or the extent of the source is done here: at very large L/E the fast oscillations are sampled as
they are (tabulate finely, or let the detector resolution average them).
"""

from __future__ import annotations

import jax.numpy as jnp

from nujax.constants import HBARC_MEV_FM
from nujax.em import NUFIT60_NO, pmns
from nujax.propagation.msw import NUFIT60_NO_DM2

__all__ = ["vacuum_amplitudes", "vacuum_probabilities", "oscillation_phases", "reactor_arrival"]


def oscillation_phases(enu, baseline_m, *, dm2_21=None, dm2_31=None):
    """Phases Δm²_k1 L/(2E) for k = 1, 2, 3 [rad], shape ``enu.shape + (3,)``.

    ``enu`` [MeV], ``baseline_m`` [m], Δm² [eV²] (default NuFIT 6.0 NO; a negative ``dm2_31`` is
    the inverted ordering).
    """
    d21 = NUFIT60_NO_DM2["dm2_21"] if dm2_21 is None else dm2_21
    d31 = NUFIT60_NO_DM2["dm2_31"] if dm2_31 is None else dm2_31
    e = jnp.asarray(enu)
    dm2 = jnp.stack([jnp.zeros_like(jnp.asarray(d21, float)), jnp.asarray(d21, float),
                     jnp.asarray(d31, float)])
    # Δm² L/(2E) = Δm²[eV²]·1e-12[MeV²/eV²] · L[m]·1e15[fm/m] / (2 E[MeV] ħc[MeV fm])
    return dm2 * (1.0e3 / (2.0 * HBARC_MEV_FM)) * jnp.asarray(baseline_m)[..., None] / e[..., None]


def vacuum_amplitudes(enu, baseline_m, *, initial="e", antineutrino=True, U=None, dm2_21=None,
                      dm2_31=None):
    """Mass-basis amplitudes ψ_k(L) of a state born as flavor ``initial`` (shape (..., 3), complex).

    Neutrino ν_α: ψ_k = U*_αk e^{−iφ_k}; antineutrino ν̄_α: ψ_k = U_αk e^{−iφ_k}, φ_k = Δm²_k1 L/(2E)
    (Giunti & Kim 2007 eq. (7.21)). The flavor amplitudes are U ψ (ν) or U* ψ (ν̄).
    """
    U = pmns() if U is None else jnp.asarray(U)
    a = {"e": 0, "mu": 1, "tau": 2}[initial]
    row = U[a] if antineutrino else jnp.conj(U[a])
    return row * jnp.exp(-1j * oscillation_phases(enu, baseline_m, dm2_21=dm2_21, dm2_31=dm2_31))


def vacuum_probabilities(enu, baseline_m, *, initial="e", antineutrino=True, U=None,
                         sin2_12=None, sin2_13=None, sin2_23=None, delta_deg=None, dm2_21=None,
                         dm2_31=None):
    """P(ν_α → ν_β)(E, L) for β = e, μ, τ (or ν̄), shape ``enu.shape + (3,)``; rows sum to 1.

    Parameters
    ----------
    enu : array
        Neutrino energies [MeV].
    baseline_m : float or array (broadcast with ``enu``)
        Source–detector distance [m].
    initial : {"e", "mu", "tau"}
        Flavor at production.
    antineutrino : bool
        ν̄ (U → U*; default, reactors) or ν.
    U : array (3, 3), optional
        Mixing matrix; default :func:`nujax.em.pmns` of the given (or NuFIT 6.0 NO) angles.
    sin2_12, sin2_13, sin2_23, delta_deg, dm2_21, dm2_31 : optional
        Mixing parameters (Δm² in eV²), differentiable; NuFIT 6.0 NO by default.

    >>> p = vacuum_probabilities(3.0, 0.0)
    >>> [round(float(x), 6) for x in p]
    [1.0, 0.0, 0.0]
    """
    if U is None:
        kw = {k: (NUFIT60_NO[k] if v is None else v) for k, v in
              (("sin2_12", sin2_12), ("sin2_13", sin2_13), ("sin2_23", sin2_23), ("delta_deg", delta_deg))}
        U = pmns(**kw)
    psi = vacuum_amplitudes(enu, baseline_m, initial=initial, antineutrino=antineutrino, U=U,
                            dm2_21=dm2_21, dm2_31=dm2_31)
    Uf = jnp.conj(U) if antineutrino else U
    amp = jnp.einsum("bk,...k->...b", Uf, psi)
    return jnp.real(amp * jnp.conj(amp))


def reactor_arrival(spectrum, baseline_m, *, n_points: int = 2001, **mixing):
    """``spectrum.with_arrival(E, P(ν̄e → ν̄_β)(E, L))`` on ``n_points`` energies spanning the spectrum.

    The table is linear in E from the spectrum's lowest to highest energy; it resolves the Δm²31
    oscillation where its period in E, 2πE²/(2.534 Δm²31[eV²] L[m]) MeV, spans several table steps
    (JUNO-like 52.5 km, 2001 points on 0–10 MeV: above ≈ 1.5 MeV); below, use a larger
    ``n_points`` or smear. ``mixing``: as :func:`vacuum_probabilities`.
    """
    lo = float(spectrum.grid[0]) if spectrum.grid.shape[0] else float(jnp.min(spectrum.line_energies))
    hi = float(spectrum.e_max)
    e = jnp.linspace(max(lo, 1e-3), hi, int(n_points))
    p = vacuum_probabilities(e, baseline_m, antineutrino=spectrum.antineutrino, **mixing)
    p = p / jnp.sum(p, axis=-1, keepdims=True)       # unitarity to rounding (validation at 1e-6)
    return spectrum.with_arrival(e, p)
