"""ν e scattering for an arbitrary spin-flavor state and EM-property matrices (seed 002 app. A).

d²σ/dT dφ = Ã(T) + B̃s(T) sin φ + B̃c(T) cos φ   (seed 002 eq. (11)), φ the recoil-electron azimuth
measured from the e_x of the state's ζˣ (seed 002 eq. (7)); dσ/dΩ follows with eq. (12).

Formula (seed 002 eqs. (25)–(26), generalized as decided below). With y = T/Eν, c = 2√2πα/G_F,
Q^L = c(⟨r²⟩/6 − a) (eq. (14)), ĝ_V = g_V 𝟙 + P_e, ĝ_A = g_A 𝟙 + P_e (g_V = −½ + 2 sin²θ_W,
g_A = −½; P_e the charged-current projector: diag(1, 0, 0) in the flavor basis, U*_ei U_ej in the
mass basis), and for each helicity block h ∈ {L, R} vector/axial coupling matrices (V_h, A_h)::

    Ã  = Σ_h G_F² m_e/(4π²) [(C_V − 2C_VA + C_A) + (C_V + 2C_VA + C_A)(1 − y)² + (C_A − C_V) m_e T/Eν²]_h
         + α²/(2m_e²) (1/T − 1/Eν) (Tr[μμ† ρ_LL] + Tr[μ†μ ρ_RR])                      (μ in μ_B)
    C_V = Tr[V_h² ρ_hh],  C_A = Tr[A_h² ρ_hh],  C_VA = −½ Tr[(A_h V_h + V_h A_h) ρ_hh]
    X   = (1 − y/2) (Tr[V_L μ κ†] + Tr[μ V_R κ†]) + (y/2) (Tr[A_L μ κ†] + Tr[μ A_R κ†])
    B̃c  = (G_F α/π) √((1 − y − m_e T/(2Eν²))/(m_e T)) Re X,   B̃s = −(same) Im X.

* L block: V_L = ĝ_V + Q^L, A_L = ĝ_A (seed 002 eq. (26)).
* R block, Dirac: V_R = −Q^R, Q^R = c(⟨r²⟩/6 + a), A_R = 0 — a right-handed Dirac neutrino has no
  weak interaction; it scatters through ⟨r²⟩ and a only, whose helicity-odd part is the anapole.
  Then X = (1 − y/2)Tr[(ĝ_V − 2c a) μκ†] + (y/2)Tr[ĝ_A μκ†] when a, ⟨r²⟩ commute with μ: exactly
  eq. (25)'s K_{μ,Z⁰}, K_{μ,W} and −(4√2πα/G_F) K_{μ,a} terms; the charge radius drops out of B̃.
* R block, Majorana: the right-handed states are antineutrinos, V_R = (ĝ_V + Q^L)ᵀ, A_R = −ĝ_Aᵀ
  (g_L ↔ g_R, seed 001 below eq. (1)), which gives seed 000 eqs. (7)–(10) (bracket D(ν_e) + D(ν̄_μ)).
  With the Majorana symmetries (⟨r²⟩ antisymmetric, a symmetric; :mod:`nujax.em`) (Q^L)ᵀ = −Q^R:
  the EM part of V_R is the Dirac one, −Q^R.

Decisions (where seed 002 is silent or specialized)
---------------------------------------------------
* Seed 002 prints eq. (25) for ζ∥ = 0 with ½ρ̃ in the weak terms; ½ρ̃ = ρ_LL there. For a general
  state only ρ_LL (Dirac) scatters weakly, so ρ_LL replaces ½ρ̃. Seed 000's weight Pe of the weak
  term (eq. (2)) needs exactly this.
* Matrix order: seed 002 writes Tr[a μ κ†]; the amplitude algebra gives the L-final term with the
  coupling left of μ and the R-final term with it on the right (above). They agree when the
  matrices commute (all presets); the ordered form keeps d²σ/dTdφ ≥ 0 for any matrices.
* Normalization: seed 002 eq. (25) and seed 000 eqs. (2)–(6) agree exactly (no factor): with
  |κ| = |ξ⊥|/2 and (1 − y/2)ĝ_V + (y/2)ĝ_A = g_L + g_R(1 − y) they give the same magnitude.
  The overall sign of the interference differs: seed 002's κ convention gives +cos(φ − φ_B) for a
  positive Dirac μ where seed 000 eq. (4) writes −cos(φ − φ_B). A direct spinor calculation
  (tests: ξ⊥ the rest-frame spin, μ > 0 parallel to the spin) agrees with seed 002.

Dirac antineutrino beams (``antineutrino=True``; issue 13, decided here)
--------------------------------------------------------------------------
For a Dirac neutrino the R block of ρ is the sterile ν_R, so a ν̄ beam (reactor ν̄_e) needs its own
description. It is the *particle* content of the charge-conjugate field ν^c = Cν̄ᵀ, a Dirac field
in its own right, and the formula above applies to any Dirac field once its couplings are known.
Under C the vector and tensor bilinears are odd and the axial one even,
ν̄_i Γ ν_j = ∓ ν^c̄_j Γ ν^c_i (− for γ^μ, σ^{μν}; + for γ^μγ₅), so ν̄γ^μ(1 ∓ γ₅)Xν = −ν^c̄γ^μ(1 ± γ₅)Xᵀν^c:

* State convention (same matrix layout as for ν): basis (ν̄_R…, ν̄_L…) with the active ν̄_R of
  flavor ℓ at index ``state._index(ℓ̄, N, anti=True)`` of the R block (ν̄_R = (ν_L)^c, helicity +½)
  and the spin-flipped, sterile ν̄_L = (ν_R)^c at N + that index; κ = ρ_LR = ½(ζˣ + iζʸ) with ζ the
  ν̄ spin polarization, as for ν. :meth:`nujax.state.SpinFlavorState.from_pe_dirac` with an
  antineutrino flavor builds it (ρ_RR = Pe, ρ_LL = 1 − Pe, κ = √(Pe(1 − Pe)) e^{iφ_B}).
* Active ν̄_R (R chirality of ν^c, the CP image of the ν_L block): V_R = (ĝ_V + Q^L)ᵀ,
  A_R = −ĝ_Aᵀ — exactly the Majorana R block above (g_L ↔ g_R, seed 001 below eq. (1)).
* Sterile ν̄_L (L chirality of ν^c, the CP image of the Dirac ν_R block): V_L = −(Q^R)ᵀ =
  −c(⟨r²⟩/6 + a)ᵀ, A_L = 0: charge radius and anapole only.
* Moment: μ → −μᵀ (tensor bilinear C-odd; for a diagonal real μ the ν̄ carries −μ_ν, the
  convention of :mod:`nujax.xsec.electron`). For N = 1 and ⟨r²⟩ = a = 0 then
  X = −μκ*[(1 − y/2)ĝ_V − (y/2)ĝ_A] = −μκ*[g_R + g_L(1 − y)]: seed 000 eq. (4) with g_L ↔ g_R and
  the interference sign of ``electron_terms(..., antineutrino=True)`` (tests, to 1e-10, and the
  explicit v-spinor calculation of tests/xsec/spinor_reference.py).
* Equivalently ν^c is a Dirac field with EM matrices (−μᵀ, −⟨r²⟩ᵀ, aᵀ) (charge radius C-odd,
  anapole C-even) whose *right* chirality is the weakly active one. Consequences: the charge
  radius shifts g_V → g_V + Q^L for ν̄ exactly as for ν (ν̄ has −⟨r²⟩ and −g_V at once; Vogel &
  Engel, Phys. Rev. D 39 (1989) 3378: ν̄ only flips g_A; Barranco, Miranda & Rashba, Phys. Lett.
  B 662 (2008) 431 fit one ⟨r²⟩ to ν_e e and ν̄_e e data this way; checked against explicit
  v-spinors in the tests), and it drops out of B̃ as for ν (for commuting matrices the vector parts of
  X add to (Q^L − Q^R)ᵀ = −2c aᵀ: the anapole stays, with the sign it has for ν).
* Mass basis: ν̄ states transform with U*, ρ_m = W†ρW with W = diag(U*, U*)
  (:func:`nujax.state.state_to_mass_basis` with ``antineutrino=True``); P_eᵀ is then the ν̄_e
  projector.
* Majorana props: ``antineutrino`` changes nothing. The R block already holds the ν̄'s (and the
  L block the ν's), so a Majorana ν̄ beam is written in the same convention as a Dirac one (active
  ν̄_R in the R block) and needs no switch; the flag is accepted so a caller can pass it
  unconditionally for an antineutrino spectrum.

Units: energies MeV; results MeV⁻³ rad⁻¹ (d²σ/dTdφ) or MeV⁻² sr⁻¹ (dσ/dΩ). Exactly 0 outside
T_MIN ≤ T ≤ T_max (:func:`nujax.kinematics.is_physical`); square roots guarded so gradients in every EM and state leaf are finite, also at T_max.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax._validation import check_energy, check_finite, check_probability
from nujax.constants import ALPHA, G_F, HBARC2_MEV2_CM2, M_E, MU_SCALE, R2_SCALE_CM2, SIN2_THETA_W
from nujax.couplings import parse_flavor
from nujax.em import MILLICHARGE_SCALE, EMProperties
from nujax.em import pmns as _pmns
from nujax.state import SpinFlavorState
from nujax.xsec.common import AzimuthalParts

__all__ = [
    "electron_coupling_matrices",
    "electron_trace_coefficients",
    "density_matrix_coefficients",
    "electron_density_matrix_terms",
    "electron_density_matrix_parts",
    "electron_density_matrix_domega_parts",
    "numpy_electron_density_matrix_parts",
]

#: 2√2πα/G_F [MeV²]: converts ⟨r²⟩, a [MeV⁻²] into a vector coupling (seed 002 eq. (14)).
_C_RADIUS = 2.0 * math.sqrt(2.0) * math.pi * ALPHA / G_F
_R2_NAT = R2_SCALE_CM2 / HBARC2_MEV2_CM2          # 10⁻³² cm² in MeV⁻²


def _dag(x, xp):
    return xp.swapaxes(xp.conj(x), -1, -2)


def _tr(x, xp):
    return xp.trace(x, axis1=-2, axis2=-1)


def _blocks(gV, gA, qL, qR, *, majorana, antineutrino, xp):
    """(V_L, A_L, V_R, A_R) from the weak (ĝ_V, ĝ_A) and EM (Q^L, Q^R) couplings of the ν field
    (module docstring); linear in all four, so it also maps the millicharge parts alone."""
    VL = gV + qL
    AL = gA + 0.0 * qL
    if majorana or antineutrino:
        VR = xp.swapaxes(VL, -1, -2)                                # ν̄ block: g_L ↔ g_R
        AR = -xp.swapaxes(AL, -1, -2)                               # (seed 001 below eq. (1))
        if not majorana:                                             # Dirac ν̄ = particles of ν^c
            VL = -xp.swapaxes(qR, -1, -2)                           # sterile ν̄_L: −(Q^R)ᵀ
            AL = 0.0 * VL
        return VL, AL, VR, AR
    VR = -qR                                                        # −Q^R (Dirac ν_R)
    return VL, AL, VR, 0.0 * VR


def electron_coupling_matrices(mu, r2, anapole, *, majorana, basis, sin2w, n, U=None,
                               flavor="nue", xp=jnp, antineutrino=False, millicharge=None):
    """Coupling matrices (V_L, A_L, V_R, A_R) and μ [μ_B] for :func:`electron_trace_coefficients`.

    ``mu`` [10⁻¹¹ μ_B], ``r2`` and ``anapole`` [10⁻³² cm²] are the raw :class:`~nujax.em.EMProperties`
    fields. ``U`` (mass basis only) is the PMNS matrix; ``flavor`` fixes P_e for N = 1 (1 for ν_e or
    ν̄_e, 0 otherwise). ``antineutrino`` (static): the state describes a Dirac ν̄ beam (active ν̄_R
    in the R block, sterile ν̄_L in the L block); the returned μ is then the ν̄ moment −μᵀ. Ignored
    for Majorana. See the module docstring for the formulas.

    ``millicharge`` [10⁻¹² e] (optional): two more matrices (Y_L, Y_R) are returned, the
    coefficients of 1/Q² (Q² = 2 m_e T) in V_L, V_R: the charge form factor gives
    Q^h → Q^h − (2√2πα/G_F) q_ν/Q² (:mod:`nujax.em`; Giunti & Studenikin, RMP 87 (2015) 531).
    """
    rdt = xp.real(mu).dtype                                         # keep float32 inputs float32
    one = xp.eye(n, dtype=rdt)
    if n == 1:
        pe_proj = one * (1.0 if parse_flavor(flavor).lepton == "e" else 0.0)
    elif basis == "flavor":
        pe_proj = one * xp.asarray([1.0, 0.0, 0.0], dtype=rdt)[:, None]
    else:
        ue = xp.asarray(U[0]).astype(mu.dtype)                      # U_ei
        pe_proj = xp.conj(ue)[:, None] * ue[None, :]               # seed 002: U*_ei U_ej
    gv = -0.5 + 2.0 * sin2w                                         # seed 002 below eq. (21)
    ga = -0.5
    gV = gv * one + pe_proj                                         # seed 002 eq. (21): ĝ_V
    gA = ga * one + pe_proj                                         # seed 002 eq. (21): ĝ_A
    r2n = r2 * _R2_NAT
    an = anapole * _R2_NAT
    qL = _C_RADIUS * (r2n / 6.0 - an)                               # seed 002 eq. (14): Q^L
    qR = _C_RADIUS * (r2n / 6.0 + an)                               # Q^R (module docstring)
    kw = dict(majorana=majorana, antineutrino=antineutrino and not majorana, xp=xp)
    mats = _blocks(gV, gA, qL, qR, **kw)
    mu_b = mu * MU_SCALE
    if antineutrino and not majorana:
        mu_b = -xp.swapaxes(mu, -1, -2) * MU_SCALE                  # ν̄ moment −μᵀ (C-odd σ^{μν})
    if millicharge is None:
        return (*mats, mu_b)
    x = -_C_RADIUS * MILLICHARGE_SCALE * millicharge               # Q^h ⊃ −X/Q², vector (L = R)
    YL, _, YR, _ = _blocks(0.0 * gV, 0.0 * gA, x, x, **kw)
    return (*mats, mu_b, YL, YR)


def electron_trace_coefficients(VL, AL, VR, AR, mu_b, rho_LL, rho_RR, kappa, YL=None, YR=None, *,
                                xp=jnp):
    """Flavor traces (seed 002 eq. (26)): weak C's of both blocks, Tr-weighted |μ|², K_V and K_A.

    Returns a tuple (cV_L, cA_L, cVA_L, cV_R, cA_R, cVA_R, mu2, KV, KA); the first seven real.
    With the millicharge matrices (Y_L, Y_R) (V_h → V_h + Y_h/Q²) seven more follow: the 1/Q² and
    1/Q⁴ coefficients (cV_L¹, cV_L², cVA_L¹, cV_R¹, cV_R², cVA_R¹, KV¹).
    """
    def block(V, A, r):
        cv = _tr(V @ V @ r, xp).real
        ca = _tr(A @ A @ r, xp).real
        cva = -0.5 * _tr((A @ V + V @ A) @ r, xp).real
        return cv, ca, cva

    cvl, cal, cval = block(VL, AL, rho_LL)
    cvr, car, cvar = block(VR, AR, rho_RR)
    md = _dag(mu_b, xp)
    mu2 = (_tr(mu_b @ md @ rho_LL, xp) + _tr(md @ mu_b @ rho_RR, xp)).real   # |μν|² = Tr[μ²ρ̃]
    kd = _dag(kappa, xp)
    KV = _tr(VL @ mu_b @ kd, xp) + _tr(mu_b @ VR @ kd, xp)                   # K_{μ,Z⁰}+K_{μ,W}−2c K_{μ,a}
    KA = _tr(AL @ mu_b @ kd, xp) + _tr(mu_b @ AR @ kd, xp)
    out = (cvl, cal, cval, cvr, car, cvar, mu2, KV, KA)
    if YL is None:
        return out

    def qblock(V, A, Y, r):                                          # V → V + Y/Q²
        return (_tr((V @ Y + Y @ V) @ r, xp).real, _tr(Y @ Y @ r, xp).real,
                -0.5 * _tr((A @ Y + Y @ A) @ r, xp).real)

    cvl1, cvl2, cval1 = qblock(VL, AL, YL, rho_LL)
    cvr1, cvr2, cvar1 = qblock(VR, AR, YR, rho_RR)
    KV1 = _tr(YL @ mu_b @ kd, xp) + _tr(mu_b @ YR @ kd, xp)
    return out + (cvl1, cvl2, cval1, cvr1, cvr2, cvar1, KV1)


def electron_density_matrix_terms(coeffs, enu, T, *, xp=jnp):
    """Ã, B̃s, B̃c [MeV⁻³ rad⁻¹] at (Eν, T) from :func:`electron_trace_coefficients` (seed 002 eq. (25)).

    Elementwise in ``enu`` and ``T``; exactly 0 outside T_MIN ≤ T ≤ T_max.
    """
    cvl, cal, cval, cvr, car, cvar, mu2, KV, KA = coeffs[:9]
    ok, e, t = kin.physical_point(enu, T, M_E, xp=xp)               # the one physical region
    if len(coeffs) > 9:                                              # millicharge: 1/Q², Q² = 2m_eT
        cvl1, cvl2, cval1, cvr1, cvr2, cvar1, KV1 = coeffs[9:]
        g = 1.0 / (2.0 * M_E * t)
        cvl = cvl + g * cvl1 + g * g * cvl2
        cvr = cvr + g * cvr1 + g * g * cvr2
        cval = cval + g * cval1
        cvar = cvar + g * cvar1
        KV = KV + g * KV1
    y = t / e
    yb = 1.0 - y
    r = M_E * t / (e * e)

    def weak(cv, ca, cva):                                           # seed 002 eq. (25), first bracket
        return (cv - 2.0 * cva + ca) + (cv + 2.0 * cva + ca) * yb * yb + (ca - cv) * r

    A = G_F * G_F * M_E / (4.0 * math.pi ** 2) * (weak(cvl, cal, cval) + weak(cvr, car, cvar))
    A = A + ALPHA * ALPHA / (2.0 * M_E * M_E) * mu2 * (1.0 / t - 1.0 / e)   # seed 002 eq. (25)
    # √((1 − T/Eν − m_eT/2Eν²)/(m_e T)) = |p| sinθ / (√2 m_e T)   (seed 000 eq. (6), guarded)
    pref = G_F * ALPHA / math.pi * kin.p_sin_theta(t, e, M_E, xp=xp) / (math.sqrt(2.0) * M_E * t)
    X = (1.0 - 0.5 * y) * KV + 0.5 * y * KA                          # seed 002 eq. (25) braces
    Bc = pref * xp.real(X)
    Bs = -pref * xp.imag(X)
    zero = xp.zeros_like(A + Bc)
    return xp.where(ok, A, zero), xp.where(ok, Bs, zero), xp.where(ok, Bc, zero)


def density_matrix_coefficients(props, state, sin2w, U, flavor, xp=jnp, antineutrino=False):
    """The flavor-trace coefficients of seed 002 eq. (26) for ``props`` and ``state``, computed once
    per call and shared by every (Eν, T) point of :func:`electron_density_matrix_terms`.

    ``antineutrino`` (static bool): ``state`` is a ν̄ beam in the convention of the module docstring
    (active ν̄_R in the R block); changes the couplings for Dirac ``props`` only."""
    n = props.n_flavors
    mats = electron_coupling_matrices(props.mu, props.r2, props.anapole, majorana=props.majorana,
                                      basis=props.basis, sin2w=sin2w, n=n, U=U, flavor=flavor, xp=xp,
                                      antineutrino=antineutrino, millicharge=props.millicharge)
    rho = state.rho
    return electron_trace_coefficients(*mats[:5], rho[n:, n:], rho[:n, :n], rho[n:, :n], *mats[5:],
                                       xp=xp)


@functools.partial(jax.jit, static_argnames=("flavor", "domega", "antineutrino"))
def _parts_jit(props, state, enu, T, sin2w, U, *, flavor, domega, antineutrino=False):
    coeffs = density_matrix_coefficients(props, state, sin2w, U, flavor, jnp, antineutrino)
    if domega:                                                       # T is cosθ here
        cos_t = T
        T = kin.T_from_costheta(cos_t, enu, M_E)
    A, Bs, Bc = electron_density_matrix_terms(coeffs, enu, T)
    parts = AzimuthalParts(A, Bs, Bc)
    if domega:
        parts = parts.scale(kin.dT_dcostheta(T, enu, M_E))          # seed 002 eq. (12)
    return parts


def _prepare(props, state, enu, x, sin2w, pmns, flavor, xname, antineutrino=False):
    if not isinstance(props, EMProperties) or not isinstance(state, SpinFlavorState):
        raise TypeError("props must be an EMProperties and state a SpinFlavorState")
    props.validate()
    state.validate()
    if state.n_flavors != props.n_flavors:
        raise ValueError(f"state has N = {state.n_flavors} flavors but props has N = {props.n_flavors}")
    check_energy("enu", enu)
    (check_finite if xname == "costheta" else check_energy)(xname, x)
    check_probability("sin2w", sin2w)
    f = parse_flavor(flavor)
    if not isinstance(antineutrino, bool):
        raise TypeError(f"antineutrino must be a bool (a static choice), got {antineutrino!r}")
    if props.n_flavors == 1 and f.is_antineutrino != antineutrino:
        raise ValueError(f"flavor {f.value!r} names the {'anti' if f.is_antineutrino else ''}neutrino "
                         f"of the N = 1 state but antineutrino={antineutrino}; pass "
                         f"antineutrino={f.is_antineutrino} (or the matching flavor)")
    U = None
    if props.basis == "mass" and props.n_flavors == 3:
        U = _pmns() if pmns is None else jnp.asarray(pmns)
    return U


def electron_density_matrix_parts(props: EMProperties, state: SpinFlavorState, enu, T, *,
                      sin2w=SIN2_THETA_W, pmns=None, flavor="nue",
                      antineutrino=False) -> AzimuthalParts:
    """d²σ/dT dφ = A + Bs sin φ + Bc cos φ [MeV⁻³ rad⁻¹] for ν e scattering (seed 002 eqs. (11), (25)).

    Parameters
    ----------
    props : EMProperties
        μ, ⟨r²⟩, a matrices (N = 1 or 3), Dirac or Majorana, flavor or mass basis.
    state : SpinFlavorState
        Incoming spin-flavor density matrix in the same basis as ``props``.
    enu, T : array_like
        Neutrino energy and electron recoil kinetic energy [MeV]; broadcast together.
    sin2w : array_like, optional
        sin²θ_W (default :data:`nujax.constants.SIN2_THETA_W`; seed reproductions use 0.23).
    pmns : array (3, 3), optional
        Mixing matrix for mass-basis input (default :func:`nujax.em.pmns`, NuFIT 6.0 NO).
    flavor : str, optional
        For N = 1 only: the flavor of the single state (ν_e and ν̄_e have the charged current);
        an antineutrino flavor needs ``antineutrino=True``.
    antineutrino : bool, optional
        ``state`` is an antineutrino beam: active ν̄_R in the R block, its spin-flipped partner in
        the L block (sterile ν̄_L for Dirac). Changes the couplings and μ → −μᵀ for Dirac ``props``;
        no effect for Majorana (module docstring). Default False.

    Returns
    -------
    AzimuthalParts
        ``A``, ``Bs``, ``Bc`` [MeV⁻³ rad⁻¹]; ``.at(phi)`` evaluates d²σ/dTdφ.

    Examples
    --------
    >>> import nujax
    >>> nujax.enable_x64()
    >>> from nujax.em import EMProperties
    >>> from nujax.state import SpinFlavorState
    >>> p = EMProperties.from_effective(3.0, "nue", n=1)
    >>> s = SpinFlavorState.from_pe_dirac(0.5, n=1)
    >>> parts = electron_density_matrix_parts(p, s, 0.4, 0.1, sin2w=0.23)
    >>> bool(parts.Bc > 0), abs(float(parts.Bs))       # ζ⊥ along e_x: pure cos φ
    (True, 0.0)

    A Dirac ν̄_e beam (reactor): the same moment gives the opposite interference sign.

    >>> sb = SpinFlavorState.from_pe_dirac(0.5, flavor="nuebar", n=1)
    >>> anti = electron_density_matrix_parts(p, sb, 0.4, 0.1, sin2w=0.23, flavor="nuebar",
    ...                                      antineutrino=True)
    >>> bool(anti.Bc < 0)
    True
    """
    U = _prepare(props, state, enu, T, sin2w, pmns, flavor, "T", antineutrino)
    return _parts_jit(props, state, enu, T, sin2w, U, flavor=flavor, domega=False,
                      antineutrino=antineutrino)


def electron_density_matrix_domega_parts(props: EMProperties, state: SpinFlavorState, enu, costheta, *,
                             sin2w=SIN2_THETA_W, pmns=None, flavor="nue",
                             antineutrino=False) -> AzimuthalParts:
    """dσ/dΩ = A(θ) + Bs(θ) sin φ + Bc(θ) cos φ [MeV⁻² sr⁻¹] (seed 002 eqs. (9), (12)).

    The recoil energy is T(cosθ, Eν) (seed 002 eq. (10)); the parts of :func:`electron_density_matrix_parts`
    are multiplied by |dT/dcosθ| = Eν √(T(T+2m_e)³)/(m_e(Eν + m_e)). Zero for cosθ ≤ 0.
    ``antineutrino`` as in :func:`electron_density_matrix_parts`.
    """
    U = _prepare(props, state, enu, costheta, sin2w, pmns, flavor, "costheta", antineutrino)
    return _parts_jit(props, state, enu, costheta, sin2w, U, flavor=flavor, domega=True,
                      antineutrino=antineutrino)


def numpy_electron_density_matrix_parts(props: EMProperties, state: SpinFlavorState, enu, T, *,
                            sin2w=SIN2_THETA_W, pmns=None, flavor="nue",
                            antineutrino=False) -> AzimuthalParts:
    """numpy baseline of :func:`electron_density_matrix_parts`: the same kernels evaluated with ``xp=numpy``."""
    U = _prepare(props, state, enu, T, sin2w, pmns, flavor, "T", antineutrino)
    U = None if U is None else np.asarray(U)
    p_np = EMProperties(np.asarray(props.mu), np.asarray(props.r2), np.asarray(props.anapole),
                        np.asarray(props.millicharge), majorana=props.majorana, basis=props.basis)
    s_np = SpinFlavorState(np.asarray(state.rho))
    coeffs = density_matrix_coefficients(p_np, s_np, sin2w, U, flavor, np, antineutrino)
    with np.errstate(divide="ignore", invalid="ignore"):
        A, Bs, Bc = electron_density_matrix_terms(coeffs, np.asarray(enu, float), np.asarray(T, float), xp=np)
    return AzimuthalParts(A, Bs, Bc)
