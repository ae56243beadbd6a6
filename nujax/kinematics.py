"""Two-body elastic kinematics ν + t → ν + t for a target of any mass m (electron, nucleon, nucleus).

All functions are elementwise, broadcast over their arguments, and are written against an array
namespace ``xp`` (``jax.numpy`` by default, ``numpy`` for the baseline), so the same formula serves
JAX and numpy. Energies in MeV; T is the kinetic recoil energy of the target, θ its polar angle
with respect to the incoming neutrino, Eν the neutrino energy.

Physical region (one definition, :func:`is_physical`, used by every cross-section kernel —
electron compact and density-matrix paths, nucleon, nucleus): Eν > 0 and T_MIN ≤ T ≤ T_max(Eν),
with T_max from :func:`t_max` exactly as written there, so T = t_max(Eν) is inside and the next
float above it is outside on every path. ``T_MIN`` = 1e-15 MeV (10⁻⁹ eV) is far below any detector
threshold and any atomic binding energy (where free-particle kinematics stops meaning anything);
it keeps the 1/T of the magnetic cross sections and its derivative 1/T² finite in float32
(1/T² ≤ 1e30 < 3.4e38), so gradients are finite at T → 0⁺ instead of overflowing.

Outside the physical region the functions return 0 (never NaN), and the square roots are guarded
with the double-``where`` pattern so that gradients stay finite at the endpoints.
"""

from __future__ import annotations

import jax.numpy as jnp

from nujax._numerics import safe_sqrt as _safe_sqrt

__all__ = [
    "T_MIN",
    "t_max",
    "enu_min",
    "cos_theta",
    "enu_from_T_costheta",
    "p_recoil",
    "p_sin_theta",
    "dT_dcostheta",
    "dEnu_dcostheta",
    "is_physical",
    "physical_point",
    "T_from_costheta",
]


#: Smallest recoil kinetic energy of the physical region [MeV] (module docstring).
T_MIN: float = 1.0e-15


def t_max(enu, m, *, xp=jnp):
    """Maximum recoil kinetic energy T_max = 2Eν² / (m + 2Eν) [MeV] (seed 000 below eq. (6)).

    >>> float(t_max(10.0, 0.0))  # massless target limit is Eν
    10.0
    """
    del xp
    return 2.0 * enu * enu / (m + 2.0 * enu)


def enu_min(T, m, *, xp=jnp):
    """Smallest Eν that can give recoil T: Eν_min = (T + √(T² + 2mT)) / 2 [MeV] (inverse of t_max)."""
    return 0.5 * (T + _safe_sqrt(xp, T * T + 2.0 * m * T))


def p_recoil(T, m, *, xp=jnp):
    """Recoil momentum |p| = √(T² + 2mT) [MeV]."""
    return _safe_sqrt(xp, T * T + 2.0 * m * T)


def is_physical(enu, T, m, *, xp=jnp):
    """Boolean mask of the physical region Eν > 0, T_MIN ≤ T ≤ T_max(Eν) (module docstring).

    The one definition used by every cross-section kernel. NaN inputs are outside.

    >>> bool(is_physical(1.0, t_max(1.0, 0.511), 0.511)), bool(is_physical(1.0, 0.0, 0.511))
    (True, False)
    """
    del xp
    return (enu > 0) & (T >= T_MIN) & (T <= t_max(enu, m))


def physical_point(enu, T, m, *, xp=jnp):
    """(ok, Eν, T) with the unphysical points replaced by an interior one (Eν = 1, T = T_max(1)/2).

    The input half of the double-``where`` guard (GUIDE §4.6): evaluate the formula at the returned
    point and keep it only where ``ok``, so neither the value nor the gradient is NaN or infinite.
    """
    ok = is_physical(enu, T, m, xp=xp)
    e = xp.where(ok, enu, 1.0)
    t = xp.where(ok, T, 0.5 * t_max(1.0, m))
    return ok, e, t


def cos_theta(T, enu, m, *, xp=jnp):
    """Recoil polar angle: cosθ = √(T/(T + 2m)) (Eν + m)/Eν (seed 001 eq. (4), seed 002 eq. (10)).

    Returns 0 outside the physical region (:func:`is_physical`; in particular for T > T_max,
    where the formula would exceed 1). cosθ ≤ 1 holds inside.

    >>> round(float(cos_theta(t_max(1.0, 0.511), 1.0, 0.511)), 12)  # forward at T_max
    1.0
    >>> float(cos_theta(0.9, 1.0, 0.511))                            # T > T_max = 0.796: no angle
    0.0
    """
    ok, es, Ts = physical_point(enu, T, m, xp=xp)
    c = xp.sqrt(Ts / (Ts + 2.0 * m)) * (es + m) / es
    return xp.where(ok, xp.minimum(c, 1.0), 0.0)


def enu_from_T_costheta(T, costheta, m, *, xp=jnp):
    """Neutrino energy fixed by (T, cosθ): Eν = m T / (p cosθ − T), p = √(T² + 2mT) (inverse of seed 001 eq. (4)).

    Physical only where p cosθ > T; returns 0 elsewhere.
    """
    p = p_recoil(T, m, xp=xp)
    den = p * costheta - T
    ok = (T > 0) & (den > 0)
    return xp.where(ok, m * T / xp.where(ok, den, 1.0), 0.0)


def p_sin_theta(T, enu, m, *, xp=jnp):
    """Transverse recoil momentum |p| sinθ = √(2mT (1 − T/T_max)) [MeV] (seed 000 eq. (6)).

    Zero at T = T_max (forward recoil) and outside the physical region; gradient-safe there.
    """
    ok, es, Ts = physical_point(enu, T, m, xp=xp)
    x = 2.0 * m * Ts * (1.0 - Ts / t_max(es, m, xp=xp))
    return xp.where(ok, _safe_sqrt(xp, x), 0.0)


def dT_dcostheta(T, enu, m, *, xp=jnp):
    """Jacobian |dT/dcosθ| at fixed Eν: Eν √(T (T+2m)³) / (m (Eν + m)) [MeV] (seed 002 eq. (12)).

    Converts dσ/dT into dσ/dcosθ for a monochromatic neutrino (seed 001 eq. (5)). 0 outside the
    physical region.
    """
    ok, es, Ts = physical_point(enu, T, m, xp=xp)
    j = es * xp.sqrt(Ts * (Ts + 2.0 * m) ** 3) / (m * (es + m))
    return xp.where(ok, j, 0.0)


def dEnu_dcostheta(T, costheta, m, *, xp=jnp):
    """Jacobian |dEν/dcosθ| at fixed T: m p T / (p cosθ − T)² (seed 001 eqs. (6)–(7)).

    Used to fold a spectrum f(Eν) into d²σ/dT dcosθ = f(Eν(T,θ)) dσ/dT |dEν/dcosθ|. Zero where
    p cosθ ≤ T (no neutrino energy reaches that point).
    """
    p = p_recoil(T, m, xp=xp)
    den = p * costheta - T
    ok = (T > 0) & (den > 0)
    d = xp.where(ok, den, 1.0)
    return xp.where(ok, m * (p / d) * (T / d), 0.0)          # no 1/d² intermediate (float32 gradients)


def T_from_costheta(costheta, enu, m, *, xp=jnp):
    """Recoil energy at polar angle θ for a fixed Eν: T = 2m c² / (κ² − c²), κ = 1 + m/Eν.

    Inverse of seed 001 eq. (4) at fixed Eν. Physical for 0 < cosθ ≤ 1; returns 0 elsewhere. The
    result never exceeds :func:`t_max` (cosθ = 1 gives T_max up to rounding, never above it).
    """
    ok = (costheta > 0) & (costheta <= 1) & (enu > 0)
    c = xp.where(ok, costheta, 0.5)
    e = xp.where(ok, enu, 1.0)
    k = 1.0 + m / e
    return xp.where(ok, xp.minimum(2.0 * m * c * c / (k * k - c * c), t_max(e, m, xp=xp)), 0.0)
