"""Resonant spin-flavor precession (RSFP) of solar Majorana neutrinos (seed 000 sec. IV).

Two descriptions of ν_eL → ν̄_μR conversion by a transition moment μ₁₂ in the solar field B⊙:

1. **Landau–Zener** (seed 000 eqs. (21)–(24)), :func:`lz_conversion_probability`, :func:`p_lz`,
   :func:`lz_adiabaticity`, :func:`conversion_nonadiabatic`, and the profile-aware
   :func:`lz_profile_probability`.
2. **Numerical** integration of i dψ/dr = H(r) ψ through a :class:`~nujax.solar_profile.SolarProfile`:
   the two-level (ν_eL, ν̄_μR) system, :func:`solve_rsfp`, and the four-level system with vacuum
   mixing (ν_eL, ν_μL, ν̄_eR, ν̄_μR), :func:`solve_rsfp4`.

Derivations and decisions
-------------------------
* Two-level Hamiltonian (no vacuum mixing, seed 000 ref. [6]) in the basis (ν_eL, ν̄_μR), up to a
  multiple of the identity: H = [[−A/2, μ₁₂B], [μ₁₂B, A/2]], A = Δm²/(2ω) − √2 G_F (n_e − n_n),
  Δm² = m²(ν_μ) − m²(ν_e). The potential difference V(ν_eL) − V(ν̄_μR) = V_C + 2V_N with the signed
  NC potential V_N = −G_F n_n/√2 (derivation in :mod:`nujax.solar_profile`), so seed eq. (22)
  tan 2θ_m = 2μ₁₂B⊙/(Δm²/(2ω) − 2V_N − V_C) is the mixing angle of this H: cos 2θ_m = A/√(A² + 4μ²B²),
  negative above the resonance (dense core), so Δm² > 0 is needed for a resonance.
* Eq. (21) is Parke's formula P = ½ − (½ − P_c) cos 2θ_m^i cos 2θ_m^f with θ_m^i at production and
  cos 2θ_m^f = 1 after the field and the matter are gone (A → Δm²/(2ω) > 0).
* Eq. (23) — checked, not a misprint: for a linear crossing, P_LZ = exp(−2π (μB)²/|dA/dr|_res).
  With |dA/dr| = |dV/dr| = V_res/L_V = Δm²/(2ω L_V) (L_V the potential scale height) this is
  exp(−4π ω (μB)² L_V/Δm²) = exp(−π Q/4) with Q = 16 ω (μ₁₂B⊙)² L_V/Δm². The seed's "0.1 R⊙" is
  L_V: the Bahcall fit n_e ∝ exp(−10.54 r/R⊙) has L_V = R⊙/10.54 = 0.0949 R⊙ (not the width of a
  field region). Default ``scale_height_rsun=0.1`` reproduces the seed; 1/10.54 is the fit's value.
* Eq. (24) P ≃ 1 − P_LZ is eq. (21) with cos 2θ_m^i = −1 (production far above the resonance:
  |2μB/A| ~ 10⁻⁴ in the core).
* In eq. (23) (Δm², B⊙) enter only through (μ₁₂B⊙)²/Δm²: every pair with equal B⊙²/Δm² gives the
  same P(ω). With μ₁₂ = 10⁻¹¹ μ_B, Q(ω) = 1.4175 (ω/0.3 MeV)(B⊙/50 kG)²(10⁻⁸ eV²/Δm²).
* Four-level Hamiltonian (Majorana, CP conserving, non-twisting transverse field; Akhmedov,
  Phys. Lett. B 213 (1988) 64; Lim & Marciano, Phys. Rev. D 37 (1988) 1368), basis
  (ν_eL, ν_μL, ν̄_eR, ν̄_μR), δ = Δm²/(4ω), c = cos 2θ, s = sin 2θ, V_e = √2G_F(n_e − n_n/2),
  V_μ = −√2G_F n_n/2::

      [[−cδ + V_e,  sδ,        0,          μB       ],
       [ sδ,         cδ + V_μ,  −μB,        0        ],
       [ 0,          −μB,       −cδ − V_e,  sδ       ],
       [ μB,         0,         sδ,         cδ − V_μ ]]

  For two Majorana flavors the antisymmetric moment matrix is invariant under a real rotation
  (Uᵀ μ U = det U · μ), so μ_eμ = μ₁₂. At θ = 0 the (ν_eL, ν̄_μR) block is the two-level H.

Numerical method
----------------
Fixed uniform grid of ``n_steps`` in r ∈ [r0, r1] (R⊙), fourth-order Magnus exponential
integrator (Blanes & Casas, *A Concise Introduction to Geometric Numerical Integration*, 2016):
Ω = (h/2)(A₁ + A₂) + (√3 h²/12)[A₂, A₁], A = −iH at the Gauss nodes r + (½ ∓ √3/6)h, ψ ← exp(Ω)ψ,
in a ``lax.scan``. Each step is unitary (probabilities sum to 1 to rounding), exact for a constant H
and for a field-free (diagonal) two-level H, so the fast matter phases of the core cost nothing;
the grid must resolve the precession length 2π/√(A² + 4μ²B²) where the field is on and the
commutator [H(r), H(r')] where the Hamiltonian turns (the resonance). For 2×2 the exponential is
closed-form (cos|g| − i sin|g| ĝ·σ), for 4×4 a scaled Taylor exponential (:func:`_expm_small`).
Convergence: doubling
``n_steps`` from the defaults changes P by < 1e-6 (two-level) in the tests. The whole path is
differentiable (reverse mode through the scan) in every pytree leaf.

The initial state is pure ν_eL at r0 (default 0.1 R⊙, near the peak of pp production; Bahcall's
fit holds for r ≳ 0.1). Probabilities are read at r1 (default 1.0 R⊙): with the default profile the
field has vanished there and the vacuum evolution outside the Sun no longer changes flavor
(two-level) or only averages the ν_e–ν_μ oscillation (four-level; not done here).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import check_energy, check_finite, is_concrete
from nujax.solar_profile import (
    K_DM2,
    K_MU_B,
    SolarProfile,
    bahcall_profile,
    _eager_values,
    field_shape,
    potential_gradient,
    potentials,
    resonance_radius,
    rsfp_potential,
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

_C1 = 0.5 - math.sqrt(3.0) / 6.0  # Gauss–Legendre nodes on [0, 1]
_C2 = 0.5 + math.sqrt(3.0) / 6.0
_K3 = math.sqrt(3.0) / 12.0  # Magnus-4 commutator weight


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["dm2_eV2", "B_kG", "mu12_1e11", "theta"],
    meta_fields=[],
)
@dataclasses.dataclass(frozen=True)
class RSFPParams:
    """RSFP parameters (all differentiable leaves).

    Attributes
    ----------
    dm2_eV2 : float
        Δm² = m²(ν_μ) − m²(ν_e) [eV²].
    B_kG : float
        Peak transverse field B⊙ [kG] (the profile gives the shape B(r) = B⊙ s(r)).
    mu12_1e11 : float
        Transition moment μ₁₂ / (10⁻¹¹ μ_B).
    theta : float
        Vacuum mixing angle [rad] (four-level solver only; the two-level model has θ = 0).
    """

    dm2_eV2: jax.Array | float = 1.0e-8
    B_kG: jax.Array | float = 50.0
    mu12_1e11: jax.Array | float = 1.0
    theta: jax.Array | float = 0.0

    def __post_init__(self):
        for name in ("dm2_eV2", "B_kG", "mu12_1e11", "theta"):
            v = _eager_values(getattr(self, name))
            if v is not None and not np.all(np.isfinite(v)):
                raise ValueError(f"RSFPParams.{name} must be finite, got {getattr(self, name)!r}")


class RSFPProbabilities(NamedTuple):
    """Flavor/helicity probabilities at the end of the path (sum to 1)."""

    nue: jax.Array
    numu: jax.Array
    nuebar: jax.Array
    numubar: jax.Array


def _check_lz_inputs(enu, dm2_eV2, B_kG, mu12_1e11):
    check_energy("enu", enu, allow_zero=False)
    check_finite("dm2_eV2", dm2_eV2)
    check_finite("B_kG", B_kG)
    check_finite("mu12_1e11", mu12_1e11)
    v = _eager_values(dm2_eV2)
    if v is not None and (v <= 0).any():
        raise ValueError(f"dm2_eV2 must be > 0 for a ν_eL → ν̄_μR resonance, got {dm2_eV2!r}")


def lz_adiabaticity(enu, dm2_eV2, B_kG, mu12_1e11=1.0, *, scale_height_rsun=0.1):
    """Adiabaticity Q = 16 ω (μ₁₂B⊙)² L/Δm² (seed 000 eq. (23)); dimensionless.

    Parameters
    ----------
    enu : array_like
        Neutrino energy ω [MeV] (> 0).
    dm2_eV2 : array_like
        Δm² [eV²] (> 0).
    B_kG : array_like
        Field at the resonance B⊙ [kG].
    mu12_1e11 : array_like
        μ₁₂ / (10⁻¹¹ μ_B).
    scale_height_rsun : float
        Potential scale height L at the resonance [R⊙] (seed: 0.1; Bahcall fit: 1/10.54).

    >>> round(float(lz_adiabaticity(0.3, 1e-8, 50.0, 1.0)), 4)
    1.4175
    """
    _check_lz_inputs(enu, dm2_eV2, B_kG, mu12_1e11)
    mub = K_MU_B * jnp.asarray(mu12_1e11) * B_kG  # μ₁₂B⊙ [R⊙⁻¹]
    delta = K_DM2 * dm2_eV2 / jnp.asarray(enu)  # Δm²/(2ω) [R⊙⁻¹]
    return 8.0 * mub**2 * scale_height_rsun / delta  # seed 000 eq. (23) = 16ω(μB)²L/Δm²


def p_lz(enu, dm2_eV2, B_kG, mu12_1e11=1.0, *, scale_height_rsun=0.1):
    """Landau–Zener crossing probability P_LZ = exp(−π Q/4) (seed 000 eq. (23))."""
    q = lz_adiabaticity(enu, dm2_eV2, B_kG, mu12_1e11, scale_height_rsun=scale_height_rsun)
    return jnp.exp(-0.25 * jnp.pi * q)  # seed 000 eq. (23)


def conversion_nonadiabatic(enu, dm2_eV2, B_kG, mu12_1e11=1.0, *, scale_height_rsun=0.1):
    """P(ν_eL → ν̄_μR) ≃ 1 − P_LZ(ω), the seed's limit for production far above resonance (eq. (24))."""
    return 1.0 - p_lz(enu, dm2_eV2, B_kG, mu12_1e11, scale_height_rsun=scale_height_rsun)


def lz_conversion_probability(enu, dm2_eV2, B_kG, mu12_1e11=1.0, *, scale_height_rsun=0.1,
                              profile: SolarProfile | None = None, r0=0.1):
    """P(ν_eL → ν̄_μR) = ½ − (½ − P_c) cos 2θ_m (seed 000 eqs. (21)–(23)).

    θ_m is evaluated at the production radius ``r0`` [R⊙] with the density of ``profile`` (default
    Bahcall) and, as the seed writes, the field B⊙ (its value there is immaterial: |tan 2θ_m| ~ 1e-4).
    P_c = P_LZ (eq. (23), potential scale height ``scale_height_rsun``) when the resonance lies
    outside r0, i.e. √2G_F(n_e − n_n)(r0) > Δm²/(2ω); otherwise P_c = 0 (no crossing, P ≈ 0).
    The field is assumed constant (= B⊙) over the resonance and absent at the exit (cos 2θ_m^f = 1).

    >>> round(float(lz_conversion_probability(0.3, 1e-8, 40.0, 1.0)), 4)
    0.5096
    """
    profile = bahcall_profile() if profile is None else profile
    pc = p_lz(enu, dm2_eV2, B_kG, mu12_1e11, scale_height_rsun=scale_height_rsun)
    a = K_DM2 * dm2_eV2 / jnp.asarray(enu) - rsfp_potential(profile, r0)  # Δm²/2ω − V_C − 2V_N
    two_mub = 2.0 * K_MU_B * jnp.asarray(mu12_1e11) * B_kG
    cos2 = _cos2(a, two_mub)  # seed 000 eq. (22)
    pc = jnp.where(a < 0, pc, 0.0)  # crossing only if produced above the resonance
    return 0.5 - (0.5 - pc) * cos2  # seed 000 eq. (21)


def pe_lz(enu, dm2_eV2, B_kG, mu12_1e11=1.0, **kwargs):
    """ν_e survival probability Pe = 1 − P(ν_eL → ν̄_μR) of :func:`lz_conversion_probability`."""
    return 1.0 - lz_conversion_probability(enu, dm2_eV2, B_kG, mu12_1e11, **kwargs)


def lz_profile_probability(enu, params: RSFPParams, profile: SolarProfile, *, r0=0.1, r1=1.0):
    """Parke/LZ probability using the profile itself (generalises seed 000 eqs. (21)–(23)).

    P = ½ − (½ − P_c) cos 2θ_i cos 2θ_f with θ_i, θ_f the mixing angles at r0 and r1 (field
    B⊙ s(r)), and, if the resonance r_res lies in (r0, r1),
    P_c = exp(−2π [μ₁₂ B⊙ s(r_res)]² / |dV/dr|(r_res)) (linear-crossing LZ), else P_c = 0.
    Unlike eq. (23) it knows whether the field reaches the resonance.
    """
    check_energy("enu", enu, allow_zero=False)
    enu = jnp.asarray(enu)
    delta = K_DM2 * params.dm2_eV2 / enu
    mub0 = K_MU_B * params.mu12_1e11 * params.B_kG
    rres = resonance_radius(profile, enu, params.dm2_eV2)
    crossed = (rres > r0) & (rres < r1)
    rsafe = jnp.where(crossed, rres, 0.5 * (r0 + r1))
    grad_v = potential_gradient(profile, rsafe)
    pc = jnp.where(crossed, jnp.exp(-2.0 * jnp.pi * (mub0 * field_shape(profile, rsafe)) ** 2 / grad_v), 0.0)

    def cos2(r):
        return _cos2(delta - rsfp_potential(profile, r), 2.0 * mub0 * field_shape(profile, r))

    return 0.5 - (0.5 - pc) * cos2(r0) * cos2(r1)  # Parke; seed 000 eq. (21) with cos 2θ_f


def _cos2(a, b):
    """cos 2θ_m = a/√(a² + b²) for tan 2θ_m = b/a, NaN-free (1 at a = b = 0)."""
    d2 = a * a + b * b
    ok = d2 > 0
    return jnp.where(ok, a / jnp.sqrt(jnp.where(ok, d2, 1.0)), 1.0)


# --------------------------------------------------------------------------------------------
# numerical integration
# --------------------------------------------------------------------------------------------
def _bloch2(params: RSFPParams, profile: SolarProfile, delta, r):
    """Bloch vector (h_x, h_z) of the two-level H = h·σ [R⊙⁻¹]: h_x = μB(r), h_z = −A/2."""
    hx = K_MU_B * params.mu12_1e11 * params.B_kG * field_shape(profile, r)
    hz = -0.5 * (delta - rsfp_potential(profile, r))  # A = Δm²/2ω − √2G_F(n_e − n_n)
    return hx, hz


def _propagate2(enu, params, profile, r0, r1, n_steps):
    """ψ(r1) for ψ(r0) = ν_eL with the Magnus-4 two-level integrator (one energy)."""
    delta = K_DM2 * params.dm2_eV2 / enu
    h = (r1 - r0) / n_steps
    cdt = jnp.result_type(float, enu, params.dm2_eV2)
    ctype = jnp.complex128 if cdt == jnp.float64 else jnp.complex64

    def step(psi, n):
        ra = r0 + n * h
        x1, z1 = _bloch2(params, profile, delta, ra + _C1 * h)
        x2, z2 = _bloch2(params, profile, delta, ra + _C2 * h)
        gx = 0.5 * h * (x1 + x2)
        gz = 0.5 * h * (z1 + z2)
        gy = 2.0 * _K3 * h * h * (z2 * x1 - x2 * z1)  # (√3h²/6)(h₂ × h₁)_y
        g2 = gx * gx + gy * gy + gz * gz
        ok = g2 > 0
        gs = jnp.sqrt(jnp.where(ok, g2, 1.0))  # double-where: finite gradient at g = 0
        c = jnp.where(ok, jnp.cos(gs), 1.0)
        s = jnp.where(ok, jnp.sin(gs) / gs, 1.0)
        p0, p1 = psi[0], psi[1]
        q0 = c * p0 - 1j * s * (gz * p0 + (gx - 1j * gy) * p1)
        q1 = c * p1 - 1j * s * ((gx + 1j * gy) * p0 - gz * p1)
        return jnp.stack([q0, q1]), None

    psi0 = jnp.array([1.0, 0.0], dtype=ctype)
    psi, _ = jax.lax.scan(step, psi0, jnp.arange(n_steps, dtype=cdt))
    return psi


def _ham4(params, profile, enu, r):
    """Four-level Hamiltonian (module docstring) [R⊙⁻¹], basis (ν_eL, ν_μL, ν̄_eR, ν̄_μR)."""
    d = 0.5 * K_DM2 * params.dm2_eV2 / enu  # Δm²/(4ω)
    c, s = jnp.cos(2.0 * params.theta), jnp.sin(2.0 * params.theta)
    ve, vm = potentials(profile, r)
    mb = K_MU_B * params.mu12_1e11 * params.B_kG * field_shape(profile, r)
    z = jnp.zeros_like(mb)
    sd = s * d + z
    return jnp.array([
        [-c * d + ve, sd, z, mb],
        [sd, c * d + vm, -mb, z],
        [z, -mb, -c * d - ve, sd],
        [mb, z, sd, c * d - vm],
    ])  # Akhmedov (1988); Lim & Marciano (1988)


_TAYLOR_DEGREE = 12
_MAX_SQUARINGS = 20


def _expm_small(a):
    """exp(a) for a small matrix: Taylor of degree 12 after scaling by 2⁻ˢ to 1-norm ≤ ½, then s
    squarings (s ≤ 20, i.e. ‖a‖₁ ≤ 5·10⁵). Truncation error ≤ 0.5¹³/13! ≈ 2e-14 relative per step.

    Same result as ``jax.scipy.linalg.expm`` but a fixed, branch-free graph: compiles in a fraction
    of the time inside a differentiated ``lax.scan``. s is piecewise constant (no gradient).
    """
    norm = jnp.max(jnp.sum(jnp.abs(a), axis=0))
    s = jnp.clip(jnp.ceil(jnp.log2(jax.lax.stop_gradient(norm) / 0.5 + 1e-30)), 0, _MAX_SQUARINGS)
    a = a * (0.5**s).astype(a.real.dtype)
    eye = jnp.eye(a.shape[-1], dtype=a.dtype)
    # Horner: I + a/1 (I + a/2 (… (I + a/12)))
    rdt = a.real.dtype
    x = jax.lax.fori_loop(0, _TAYLOR_DEGREE, lambda i, x: eye + (a @ x) / (_TAYLOR_DEGREE - i).astype(rdt), eye)
    x = jax.lax.fori_loop(0, _MAX_SQUARINGS, lambda i, x: jnp.where(i < s, x @ x, x), x)
    return x


def _propagate4(enu, params, profile, r0, r1, n_steps):
    """ψ(r1) for ψ(r0) = ν_eL with the Magnus-4 four-level integrator (one energy)."""
    h = (r1 - r0) / n_steps
    cdt = jnp.result_type(float, enu, params.dm2_eV2)
    ctype = jnp.complex128 if cdt == jnp.float64 else jnp.complex64

    def step(psi, n):
        ra = r0 + n * h
        h1 = _ham4(params, profile, enu, ra + _C1 * h)
        h2 = _ham4(params, profile, enu, ra + _C2 * h)
        mean = 0.5 * h * (h1 + h2)
        mean = mean - jnp.trace(mean) / 4.0 * jnp.eye(4, dtype=mean.dtype)  # drop global phase
        comm = h2 @ h1 - h1 @ h2
        omega = -1j * mean.astype(ctype) - _K3 * h * h * comm.astype(ctype)  # Ω = −iM, Magnus-4
        return _expm_small(omega) @ psi, None

    psi0 = jnp.zeros(4, dtype=ctype).at[0].set(1.0)
    psi, _ = jax.lax.scan(step, psi0, jnp.arange(n_steps, dtype=cdt))
    return psi


@functools.partial(jax.jit, static_argnames=("n_steps",))
def _solve2_batch(enu, params, profile, r0, r1, *, n_steps):
    psi = jax.vmap(lambda e: _propagate2(e, params, profile, r0, r1, n_steps))(enu)
    return jnp.abs(psi[:, 1]) ** 2


@functools.partial(jax.jit, static_argnames=("n_steps",))
def _solve4_batch(enu, params, profile, r0, r1, *, n_steps):
    psi = jax.vmap(lambda e: _propagate4(e, params, profile, r0, r1, n_steps))(enu)
    return jnp.abs(psi) ** 2


def _check_solver_inputs(enu, n_steps, r0, r1):
    check_energy("enu", enu, allow_zero=False)
    if not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive int, got {n_steps!r}")
    if is_concrete((r0, r1)):
        check_finite("r0", r0)
        check_finite("r1", r1)
        if not float(np.asarray(r1)) > float(np.asarray(r0)):
            raise ValueError(f"need r1 > r0 [R⊙], got r0={r0!r}, r1={r1!r}")


def solve_rsfp(enu, params: RSFPParams, profile: SolarProfile | None = None, *, n_steps: int = 2000,
               r0=0.1, r1=1.0):
    """Numerical two-level P(ν_eL → ν̄_μR) through a solar profile (module docstring).

    Parameters
    ----------
    enu : array_like
        Neutrino energies [MeV] (> 0), any shape (vmapped).
    params : RSFPParams
        Δm² [eV²], B⊙ [kG], μ₁₂ [10⁻¹¹ μ_B] (``theta`` is ignored: no vacuum mixing).
    profile : SolarProfile, optional
        Density and field shape (default :func:`~nujax.solar_profile.bahcall_profile`).
    n_steps : int (static)
        Uniform Magnus-4 steps on [r0, r1]; 2000 resolves the default profile to < 1e-6.
    r0, r1 : float
        Production and exit radius [R⊙].

    Returns
    -------
    jax.Array
        P(ν_eL → ν̄_μR) with the shape of ``enu``.
    """
    profile = bahcall_profile() if profile is None else profile
    _check_solver_inputs(enu, n_steps, r0, r1)
    enu = jnp.asarray(enu, dtype=jnp.result_type(float, enu))
    out = _solve2_batch(enu.reshape(-1), params, profile, r0, r1, n_steps=n_steps)
    return out.reshape(enu.shape)


def solve_rsfp4(enu, params: RSFPParams, profile: SolarProfile | None = None, *, n_steps: int = 2000,
                r0=0.1, r1=1.0) -> RSFPProbabilities:
    """Numerical four-level probabilities (ν_eL, ν_μL, ν̄_eR, ν̄_μR) at r1, vacuum mixing ``params.theta``.

    Same arguments as :func:`solve_rsfp`; returns :class:`RSFPProbabilities` (each shaped like
    ``enu``). At θ = 0 ``numubar`` equals :func:`solve_rsfp`; at μ₁₂B = 0 it is two-flavor MSW.
    """
    profile = bahcall_profile() if profile is None else profile
    _check_solver_inputs(enu, n_steps, r0, r1)
    enu = jnp.asarray(enu, dtype=jnp.result_type(float, enu))
    p = _solve4_batch(enu.reshape(-1), params, profile, r0, r1, n_steps=n_steps)
    return RSFPProbabilities(*(p[:, i].reshape(enu.shape) for i in range(4)))
