"""Two-body elastic kinematics ν + t → ν + t for a target of any mass m (electron, nucleon, nucleus).

All functions are elementwise, broadcast over their arguments, and are written against an array
namespace ``xp`` (``jax.numpy`` by default, ``numpy`` for the baseline), so the same formula serves
JAX and numpy. Energies in MeV; T is the kinetic recoil energy of the target, θ its polar angle
with respect to the incoming neutrino, Eν the neutrino energy.

Outside the physical region the functions return 0 (never NaN), and the square roots are guarded
with the double-``where`` pattern so that gradients stay finite at the endpoints.
"""

from __future__ import annotations

import jax.numpy as jnp

from nujax._numerics import safe_sqrt as _safe_sqrt

__all__ = [
    "t_max",
    "enu_min",
    "cos_theta",
    "enu_from_T_costheta",
    "p_recoil",
    "p_sin_theta",
    "dT_dcostheta",
    "dEnu_dcostheta",
    "is_physical",
    "T_from_costheta",
]


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
    """Boolean mask of the physical region 0 < T ≤ T_max(Eν), Eν > 0."""
    return (enu > 0) & (T > 0) & (T <= t_max(enu, m, xp=xp))


def cos_theta(T, enu, m, *, xp=jnp):
    """Recoil polar angle: cosθ = √(T/(T + 2m)) (Eν + m)/Eν (seed 001 eq. (4), seed 002 eq. (10)).

    Returns 0 outside T > 0, Eν > 0. (cosθ ≤ 1 holds exactly in the physical region T ≤ T_max.)

    >>> round(float(cos_theta(t_max(1.0, 0.511), 1.0, 0.511)), 12)  # forward at T_max
    1.0
    """
    ok = (T > 0) & (enu > 0)
    Ts = xp.where(ok, T, 1.0)
    es = xp.where(ok, enu, 1.0)
    c = xp.sqrt(Ts / (Ts + 2.0 * m)) * (es + m) / es
    return xp.where(ok, c, 0.0)


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
    ok = (T > 0) & (enu > 0)
    tm = t_max(xp.where(ok, enu, 1.0), m, xp=xp)
    x = 2.0 * m * T * (1.0 - T / tm)
    return xp.where(ok, _safe_sqrt(xp, x), 0.0)


def dT_dcostheta(T, enu, m, *, xp=jnp):
    """Jacobian |dT/dcosθ| at fixed Eν: Eν √(T (T+2m)³) / (m (Eν + m)) [MeV] (seed 002 eq. (12)).

    Converts dσ/dT into dσ/dcosθ for a monochromatic neutrino (seed 001 eq. (5)).
    """
    ok = (T > 0) & (enu > 0)
    Ts = xp.where(ok, T, 1.0)
    es = xp.where(ok, enu, 1.0)
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
    return xp.where(ok, m * p * T / (d * d), 0.0)


def T_from_costheta(costheta, enu, m, *, xp=jnp):
    """Recoil energy at polar angle θ for a fixed Eν: T = 2m c² / (κ² − c²), κ = 1 + m/Eν.

    Inverse of seed 001 eq. (4) at fixed Eν. Physical for 0 < cosθ ≤ 1; returns 0 elsewhere.
    """
    ok = (costheta > 0) & (costheta <= 1) & (enu > 0)
    c = xp.where(ok, costheta, 0.5)
    k = 1.0 + m / xp.where(ok, enu, 1.0)
    return xp.where(ok, 2.0 * m * c * c / (k * k - c * c), 0.0)
