"""Effective magnetic moment μ_eff² of an arriving neutrino state from the μ matrix.

The magnetic ν–e (and ν–nucleus) cross section depends on μ only through

    μ_eff² = Tr[μ μ† ρ_LL] + Tr[μ† μ ρ_RR]                    (seed 002 eqs. (25)–(26))

(:func:`nujax.xsec.electron_density_matrix.electron_trace_coefficients`; μ_ij is the ν_jR → ν_iL
amplitude), so the compact rate with one effective moment, dσ_em ∝ μ_eff², equals the
density-matrix rate. This module evaluates μ_eff² [(10⁻¹¹ μ_B)²] for the states the sources
deliver (C. Giunti and A. Studenikin, Rev. Mod. Phys. 87 (2015) 531, Sec. VI.A, eqs. (6.8)–(6.12)):

* an incoherent mixture of mass eigenstates with probabilities P_i (solar, after MSW):
  μ_eff² = Σ_i P_i Σ_j |μ_ji|²  (mass basis; GS eq. (6.12));
* a pure flavor state ν_α (or ν̄_α): μ_eff² = Σ_j |μ_jα|² (flavor basis);
* a ν̄_α (ν_α) born at L = 0 and detected at L (reactor): coherent, with mass-basis amplitudes
  ψ_k = U_αk e^{−iΔm²_k1 L/2E} (U*_αk for ν), μ_eff²(E, L) = Σ_j |Σ_k μ_jk ψ_k|² (GS eq. (6.10)).

Left-handed states (neutrinos; Dirac antineutrinos, whose μ_eff² equals that of the neutrino with
U → U*, Hermitian μ) use μμ†, Majorana antineutrinos (the right-handed states) μ†μ; for the allowed
matrices (Dirac Hermitian, Majorana antisymmetric) both give the formulas above. The mass-basis
matrix is the :func:`nujax.em.to_mass_basis` one (U†μU, Majorana U†μU*), so flavor- and mass-basis
:class:`~nujax.em.EMProperties` give the same μ_eff². Everything is jnp: differentiable in every
entry of μ, the mixing matrix, P_i, Δm², L and E.
"""

from __future__ import annotations

import jax.numpy as jnp

from nujax.couplings import parse_flavor
from nujax.em import EMProperties, pmns as _pmns, to_flavor_basis, to_mass_basis

__all__ = ["effective_moment_squared"]


def _mu2(mu, psi, right_handed: bool):
    """ψ† μμ† ψ (left-handed) or ψ† μ†μ ψ (right-handed), ψ (..., N)."""
    v = jnp.einsum("jk,...k->...j", mu, psi) if right_handed else jnp.einsum("kj,...k->...j", jnp.conj(mu), psi)
    return jnp.sum(jnp.real(v * jnp.conj(v)), axis=-1)


def effective_moment_squared(props: EMProperties, *, mass_probabilities=None, flavor=None,
                             baseline_m=None, enu=None, pmns=None, dm2_21=None, dm2_31=None):
    """μ_eff² [(10⁻¹¹ μ_B)²] of an arriving state (module docstring).

    Parameters
    ----------
    props : EMProperties
        μ matrix (N = 1 or 3; Dirac or Majorana; flavor or mass basis).
    mass_probabilities : array (..., 3), optional
        Incoherent mass-eigenstate probabilities P_i (solar); neutrinos (left-handed).
    flavor : str, optional
        A pure flavor state ("nue", "numubar", …), or with ``baseline_m`` the flavor at
        production (default "nuebar" for a reactor).
    baseline_m, enu : float or array, optional
        Distance [m] and energy [MeV] for coherent vacuum propagation (broadcast together).
    pmns : array (3, 3), optional
        Mixing matrix for the basis changes (default :func:`nujax.em.pmns`).
    dm2_21, dm2_31 : float, optional
        Splittings [eV²] (default NuFIT 6.0 NO, :mod:`nujax.propagation.vacuum`).

    Returns
    -------
    array
        μ_eff², shape of the broadcast inputs (scalar for a pure state).

    >>> p = EMProperties.from_effective(2.0, "nue")
    >>> float(effective_moment_squared(p, flavor="nue"))
    4.0
    """
    U = _pmns() if pmns is None else jnp.asarray(pmns)
    if sum(x is not None for x in (mass_probabilities, baseline_m)) > 1:
        raise ValueError("give either mass_probabilities or baseline_m (with enu), not both")
    if mass_probabilities is not None:
        if flavor is not None:
            raise ValueError("mass_probabilities describes the whole state; do not also give flavor")
        mu = to_mass_basis(props, U).mu
        P = jnp.asarray(mass_probabilities)
        col = jnp.sum(jnp.real(mu * jnp.conj(mu)), axis=0)          # Σ_j |μ_ji|² (GS eq. (6.12))
        return jnp.sum(P * col, axis=-1)
    if baseline_m is not None:
        if enu is None:
            raise ValueError("baseline_m needs enu [MeV]")
        from nujax.propagation.vacuum import oscillation_phases
        f = parse_flavor("nuebar" if flavor is None else flavor)
        mu = to_mass_basis(props, U).mu
        row = U[f.index] if f.is_antineutrino else jnp.conj(U[f.index])
        if f.is_antineutrino and not props.majorana:
            row = jnp.conj(row)                                     # Dirac ν̄: CP image of ν
        psi = row * jnp.exp(-1j * oscillation_phases(enu, baseline_m, dm2_21=dm2_21, dm2_31=dm2_31))
        return _mu2(mu, psi, right_handed=f.is_antineutrino and props.majorana)
    if flavor is None:
        raise ValueError("give mass_probabilities, flavor, or baseline_m with enu")
    f = parse_flavor(flavor)
    mu = to_flavor_basis(props, U).mu if props.n_flavors == 3 else props.mu
    e = jnp.zeros(props.n_flavors).at[0 if props.n_flavors == 1 else f.index].set(1.0)
    return _mu2(mu, e, right_handed=f.is_antineutrino and props.majorana)
