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

import jax
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


def _forward(T, costheta, m, xp):
    """Guarded pieces of the inverse kinematics at fixed (T, cosθ): (ok, p, r, q) [MeV].

    p cosθ − T = (p² cos²θ − T²)/(p cosθ + T) = T (2m cos²θ − T sin²θ)/(p cosθ + T), using
    p² = T(T + 2m): with r = p cosθ + T and q = 2m cos²θ − T sin²θ the denominator of seed 001
    eq. (4) inverted is T q / r, free of the cancellation p cosθ ≈ T near cosθ = 1 (q → 2m there),
    and sin²θ = (1 − cosθ)(1 + cosθ) is exact near the forward edge. ``ok``: T ≥ T_MIN,
    0 < cosθ ≤ 1 and q > 0 (the point is reached by some Eν); the other points are replaced by
    (T, cosθ) = (1, 1) so that nothing downstream sees a zero or negative q (double ``where``).
    """
    c_ok = (costheta > 0) & (costheta <= 1) & (T >= T_MIN)
    c = xp.where(c_ok, costheta, 1.0)
    t = xp.where(c_ok, T, 1.0)
    q = 2.0 * m * c * c - t * ((1.0 - c) * (1.0 + c))
    ok = c_ok & (q > 0)
    c = xp.where(ok, c, 1.0)
    t = xp.where(ok, t, 1.0)
    q = xp.where(ok, q, 2.0 * m)
    p = p_recoil(t, m, xp=xp)
    return ok, c, t, p, p * c + t, q


def enu_from_T_costheta(T, costheta, m, *, xp=jnp):
    """Neutrino energy fixed by (T, cosθ): Eν = m T/(p cosθ − T) = m (p cosθ + T)/(2m cos²θ − T sin²θ) [MeV].

    Inverse of seed 001 eq. (4) with p = √(T² + 2mT). The second form follows from
    p cosθ − T = (p² cos²θ − T²)/(p cosθ + T) = T (2m cos²θ − T sin²θ)/(p cosθ + T) with
    p² = T(T + 2m); it has no cancellation at cosθ → 1, where it gives Eν_min(T) = (p + T)/2.
    Physical where 0 < cosθ ≤ 1, T ≥ T_MIN and 2m cos²θ > T sin²θ; returns 0 elsewhere.

    The returned Eν is consistent with :func:`is_physical`: rounding can leave
    t_max(Eν) a few ulp below T (in about a third of the forward points, in float64 and float32
    alike), which would put a reachable recoil outside the region. Where that happens Eν is raised
    by at most 63 ulp (relative 1.4e-14 in float64, 7.5e-6 in float32) until t_max(Eν) ≥ T. The
    correction is under ``stop_gradient``: derivatives are those of the formula.

    >>> T = 0.3
    >>> bool(is_physical(enu_from_T_costheta(T, 1.0, 0.511), T, 0.511))   # forward edge: inside
    True
    """
    ok, c, t, p, r, q = _forward(T, costheta, m, xp)
    e = m * r / q
    eps = float(xp.finfo(xp.asarray(e).dtype).eps)
    bumped = e
    for k in range(6):                                   # at most 1+2+…+32 = 63 ulp in all
        low = t_max(bumped, m, xp=xp) < t
        bumped = xp.where(low, bumped * (1.0 + eps * 2.0 ** k), bumped)
    if xp is jnp:
        e = e + jax.lax.stop_gradient(bumped - e)
    else:
        e = bumped
    return xp.where(ok, e, 0.0)


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
    """Jacobian |dEν/dcosθ| at fixed T: m p T/(p cosθ − T)² = m r (c (T + 2m) + p)/q² (seed 001 eqs. (6)–(7)).

    With r = p cosθ + T, q = 2m cos²θ − T sin²θ (:func:`enu_from_T_costheta`) and p r / T = c (T + 2m) + p
    (from p² = T(T + 2m)), the cancellation-free form has no 1/T and no 1/q³ under grad in any
    intermediate (float32 gradients). Used to fold a spectrum f(Eν) into
    d²σ/dT dcosθ = f(Eν(T,θ)) dσ/dT |dEν/dcosθ|. Zero where :func:`enu_from_T_costheta` is.
    """
    ok, c, t, p, r, q = _forward(T, costheta, m, xp)
    return xp.where(ok, m * (r / q) * ((c * (t + 2.0 * m) + p) / q), 0.0)


def T_from_costheta(costheta, enu, m, *, xp=jnp):
    """Recoil energy at polar angle θ for a fixed Eν: T = 2m c² / (κ² − c²), κ = 1 + m/Eν.

    Inverse of seed 001 eq. (4) at fixed Eν. Physical for 0 < cosθ ≤ 1; returns 0 elsewhere. The
    result never exceeds :func:`t_max` (cosθ = 1 gives T_max up to rounding, never above it).
    κ² − c² is evaluated as ((1 − c) + m/Eν)((1 + c) + m/Eν), free of cancellation at cosθ → 1
    when m ≪ Eν.
    """
    ok = (costheta > 0) & (costheta <= 1) & (enu > 0)
    c = xp.where(ok, costheta, 0.5)
    e = xp.where(ok, enu, 1.0)
    r = m / e
    den = ((1.0 - c) + r) * ((1.0 + c) + r)
    return xp.where(ok, xp.minimum(2.0 * m * c * c / den, t_max(e, m, xp=xp)), 0.0)
