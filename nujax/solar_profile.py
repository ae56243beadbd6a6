"""Solar matter and magnetic-field profiles for spin-flavor precession (seed 000 sec. IV).

Everything here is expressed as a *phase per solar radius*: the solver integrates
i dψ/dx = H(x) ψ in the dimensionless radius x = r/R⊙, so each Hamiltonian entry E [MeV] enters as
E · R⊙/(ħc), an O(1–10⁵) number. The conversion factors are computed once from
:mod:`nujax.constants` (nothing below ~1e-30 is ever formed, so float32 works).

Matter potentials (Majorana ν, CP conserving, unpolarized neutral matter of e, p, n)
-------------------------------------------------------------------------------------
Charged current (ν_e only): V_C = √2 G_F n_e. Neutral current: the electron and proton NC
potentials cancel in neutral matter, leaving V_N = −G_F n_n/√2 for every active ν_L (and −V for
ν̄_R, i.e. +G_F n_n/√2). Hence [Akhmedov, Phys. Lett. B 213 (1988) 64; Lim & Marciano,
Phys. Rev. D 37 (1988) 1368]

    V(ν_eL) − V(ν̄_μR) = (V_C + V_N) − (−V_N) = V_C + 2 V_N = √2 G_F (n_e − n_n).

This is what the seed's denominator Δm²/(2ω) − 2V_N − V_C of eq. (22) means, with V_N the
*signed* (negative) neutral-current potential; the RSFP resonance is at √2 G_F (n_e − n_n) = Δm²/(2ω)
and needs n_e > n_n.

Profile (a documented fit, not a solar model)
---------------------------------------------
* n_e(r) = 245 N_A exp(−10.54 r/R⊙) cm⁻³ — J. N. Bahcall, *Neutrino Astrophysics* (Cambridge,
  1989), the exponential fit to the standard solar model valid for 0.1 ≲ r/R⊙ ≲ 0.9.
  Its density (and potential) scale height is R⊙/10.54 = 0.0949 R⊙: this is the "0.1 R⊙" of seed
  000 eq. (23) (see :mod:`nujax.propagation`).
* n_n = y_n n_e with a constant ratio y_n = (1 − X)/(1 + X) for a hydrogen mass fraction X and
  helium + metals with N ≈ Z (n_e ∝ X + (1 − X)/2, n_n ∝ (1 − X)/2). Default X = 0.70 (the
  convective-zone value, where the pp resonances lie): y_n = 0.1765. A constant ratio keeps the
  potential scale height equal to that of n_e.
* ``density_model="linear"``: n_e(r) = n0 (1 − k r) (clipped at 0), a test profile in which the
  Landau–Zener formula is asymptotically exact.
* Magnetic field: B(r) = B⊙ s(r), s(r) = ½[tanh((r − r_lo)/w) − tanh((r − r_hi)/w)], a transverse,
  non-twisting field confined to [r_lo, r_hi] with smooth edges of width w (s ≈ 1 inside). Default
  region 0.45–0.95 R⊙: it contains every pp resonance radius of the seed's window
  Δm² = 4·10⁻⁹–2·10⁻⁸ eV² (0.48–0.77 R⊙, see :func:`resonance_radius`) and ends inside the Sun.
  :func:`convective_zone_profile` gives the field confined to the convective zone 0.7–1.0 R⊙.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.constants import G_F, GAUSS_T, HBARC_MEV_CM, MU_B_MEV_PER_T, MU_SCALE, N_A, R_SUN_CM

__all__ = [
    "SolarProfile",
    "bahcall_profile",
    "convective_zone_profile",
    "linear_profile",
    "neutron_ratio_from_hydrogen",
    "electron_density",
    "field_shape",
    "potentials",
    "rsfp_potential",
    "resonance_radius",
    "potential_gradient",
    "R_SUN_INV_MEV",
    "K_MU_B",
    "K_DM2",
    "K_V",
]

#: R⊙ in natural units [MeV⁻¹] = R⊙/(ħc): multiplies an energy [MeV] into a phase per solar radius.
R_SUN_INV_MEV: float = R_SUN_CM / HBARC_MEV_CM
#: μB phase per R⊙ for μ = 10⁻¹¹ μ_B and B = 1 kG: μ_B [MeV/T] · 10⁻¹¹ · 0.1 T · R⊙/(ħc) (≈ 0.204).
K_MU_B: float = MU_SCALE * MU_B_MEV_PER_T * (1.0e3 * GAUSS_T) * R_SUN_INV_MEV
#: Δm²/(2E) phase per R⊙ for Δm² = 1 eV² and E = 1 MeV: 10⁻¹² MeV²/(2 MeV) · R⊙/(ħc) (≈ 1.76e9).
K_DM2: float = 0.5e-12 * R_SUN_INV_MEV
#: √2 G_F n phase per R⊙ for n = 1 N_A cm⁻³: √2 G_F N_A (ħc)³ [MeV] · R⊙/(ħc) (≈ 269).
K_V: float = math.sqrt(2.0) * G_F * N_A * HBARC_MEV_CM**3 * R_SUN_INV_MEV

_MODELS = ("exponential", "linear")


def neutron_ratio_from_hydrogen(x_hydrogen: float) -> float:
    """n_n/n_e = (1 − X)/(1 + X) for hydrogen mass fraction X (He and metals with N ≈ Z).

    >>> round(neutron_ratio_from_hydrogen(0.70), 4)
    0.1765
    """
    if not 0.0 < x_hydrogen <= 1.0:
        raise ValueError(f"hydrogen mass fraction must lie in (0, 1], got {x_hydrogen!r}")
    return (1.0 - x_hydrogen) / (1.0 + x_hydrogen)


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["n0", "k", "neutron_ratio", "field_lo", "field_hi", "field_edge"],
    meta_fields=["density_model"],
)
@dataclasses.dataclass(frozen=True)
class SolarProfile:
    """Electron/neutron density and field-shape profile along the neutrino path (module docstring).

    Attributes
    ----------
    n0 : float
        Central electron density n_e(0) / N_A [cm⁻³ / N_A] (Bahcall: 245).
    k : float
        Inverse scale [R⊙⁻¹]: exp(−k r) ("exponential", Bahcall 10.54) or 1 − k r ("linear").
    neutron_ratio : float
        n_n/n_e (constant along the path).
    field_lo, field_hi, field_edge : float
        Field region [r_lo, r_hi] and edge width w [R⊙] of the shape s(r).
    density_model : str (static)
        "exponential" or "linear".
    """

    n0: jax.Array | float = 245.0
    k: jax.Array | float = 10.54
    neutron_ratio: jax.Array | float = 0.3 / 1.7
    field_lo: jax.Array | float = 0.45
    field_hi: jax.Array | float = 0.95
    field_edge: jax.Array | float = 0.02
    density_model: str = "exponential"

    def __post_init__(self):
        if self.density_model not in _MODELS:
            raise ValueError(f"unknown density_model {self.density_model!r}; choose one of {_MODELS}")
        vals = {name: _eager_values(getattr(self, name)) for name in
                ("n0", "k", "neutron_ratio", "field_lo", "field_hi", "field_edge")}
        for name, v in vals.items():
            if v is not None and not np.all(np.isfinite(v)):
                raise ValueError(f"SolarProfile.{name} must be finite, got {getattr(self, name)!r}")
            if name in ("n0", "k", "field_edge") and v is not None and np.any(v <= 0):
                raise ValueError(f"SolarProfile.{name} must be > 0, got {getattr(self, name)!r}")
        v = vals["neutron_ratio"]
        if v is not None and np.any((v < 0) | (v >= 1)):
            raise ValueError(f"SolarProfile.neutron_ratio must lie in [0, 1), got {self.neutron_ratio!r}")


def _eager_values(x):
    """``x`` as a float numpy array when it holds concrete numbers; None under tracing or for the
    placeholder leaves JAX uses while rebuilding pytrees (so dataclass checks never break transforms)."""
    if not is_concrete(x):
        return None
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return None


def bahcall_profile(*, x_hydrogen: float = 0.70, field_lo: float = 0.45, field_hi: float = 0.95,
                    field_edge: float = 0.02) -> SolarProfile:
    """Bahcall (1989) exponential n_e = 245 N_A exp(−10.54 r/R⊙) cm⁻³ with a field region."""
    return SolarProfile(245.0, 10.54, neutron_ratio_from_hydrogen(x_hydrogen), field_lo, field_hi,
                        field_edge, "exponential")


def convective_zone_profile(*, x_hydrogen: float = 0.70, field_edge: float = 0.02) -> SolarProfile:
    """Bahcall density with the field confined to the convective zone 0.7–1.0 R⊙."""
    return bahcall_profile(x_hydrogen=x_hydrogen, field_lo=0.7, field_hi=1.0, field_edge=field_edge)


def linear_profile(n0: float, k: float, *, neutron_ratio: float = 0.0, field_lo: float = -10.0,
                   field_hi: float = 10.0, field_edge: float = 0.02) -> SolarProfile:
    """Test profile n_e = n0 (1 − k r): a linear level crossing (LZ exact asymptotically)."""
    return SolarProfile(n0, k, neutron_ratio, field_lo, field_hi, field_edge, "linear")


def electron_density(profile: SolarProfile, r):
    """n_e(r)/N_A [cm⁻³/N_A] at r [R⊙] (Bahcall 1989 fit, or the linear test profile)."""
    r = jnp.asarray(r)
    if profile.density_model == "exponential":
        return profile.n0 * jnp.exp(-profile.k * r)  # Bahcall (1989) exponential fit
    return profile.n0 * jnp.maximum(1.0 - profile.k * r, 0.0)


def field_shape(profile: SolarProfile, r):
    """s(r) = ½[tanh((r − r_lo)/w) − tanh((r − r_hi)/w)]: B(r) = B⊙ s(r) (≈ 1 inside the region)."""
    r = jnp.asarray(r)
    w = profile.field_edge
    return 0.5 * (jnp.tanh((r - profile.field_lo) / w) - jnp.tanh((r - profile.field_hi) / w))


def potentials(profile: SolarProfile, r):
    """(V_e, V_μ) of ν_eL and ν_μL [phase per R⊙]: V_e = √2 G_F (n_e − n_n/2), V_μ = −√2 G_F n_n/2.

    The antineutrinos ν̄_R feel −V (module docstring). Neutral matter: the e and p NC terms cancel.
    """
    ne = electron_density(profile, r)
    nn = profile.neutron_ratio * ne
    return K_V * (ne - 0.5 * nn), -K_V * 0.5 * nn  # V_C + V_N and V_N, V_N = −G_F n_n/√2


def rsfp_potential(profile: SolarProfile, r):
    """V(ν_eL) − V(ν̄_μR) = √2 G_F (n_e − n_n) [phase per R⊙] (seed 000 eq. (22): V_C + 2V_N)."""
    return K_V * (1.0 - profile.neutron_ratio) * electron_density(profile, r)


def resonance_radius(profile: SolarProfile, enu, dm2_eV2):
    """Radius [R⊙] where √2 G_F (n_e − n_n) = Δm²/(2E); NaN-free: −inf/inf when there is none.

    >>> p = bahcall_profile()
    >>> round(float(resonance_radius(p, 0.3, 1.0e-8)), 3)
    0.648
    """
    enu = jnp.asarray(enu)
    delta = K_DM2 * dm2_eV2 / enu
    v0 = K_V * (1.0 - profile.neutron_ratio) * profile.n0
    ok = (delta > 0) & (delta < v0)
    ratio = jnp.where(ok, delta / v0, 0.5)
    if profile.density_model == "exponential":
        r = -jnp.log(ratio) / profile.k
    else:
        r = (1.0 - ratio) / profile.k
    return jnp.where(ok, r, jnp.where(delta >= v0, -jnp.inf, jnp.inf))


def potential_gradient(profile: SolarProfile, r):
    """|d/dr [√2 G_F (n_e − n_n)]| [phase per R⊙²] at r."""
    if profile.density_model == "exponential":
        return profile.k * rsfp_potential(profile, r)
    return K_V * (1.0 - profile.neutron_ratio) * profile.n0 * profile.k * jnp.ones_like(jnp.asarray(r))
