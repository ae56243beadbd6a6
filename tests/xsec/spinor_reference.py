"""Independent reference for ν e → ν e with a neutrino magnetic moment: explicit Dirac matrices,
explicit spinors, numpy, no closed forms.

Used only by the tests (``test_electron_spinor.py``) to decide, by direct calculation, the
normalization, magnitude and sign of the weak, magnetic and interference terms of seed 000
eqs. (1)–(10).

Process ν(k₁) + e(p₁) → ν(k₂) + e(p₂), electron at rest, neutrino along +z, recoil electron at
polar angle θ (fixed by T) and azimuth φ around z, measured from +x.

Conventions
-----------
* Metric (+, −, −, −); Dirac representation; γ⁵ = iγ⁰γ¹γ²γ³; σ^{μν} = (i/2)[γ^μ, γ^ν].
* Electron charge −e, e = √(4πα) > 0 (Heaviside–Lorentz): L ⊃ +e ē γ^μ e A_μ, vertex +ieγ^μ;
  photon propagator −i g_{μν}/q².
* Magnetic moment: L ⊃ −(μ/2) ν̄ σ^{αβ} ν F_{αβ}, whose non-relativistic limit is H = −μ σ⃗·B⃗, so
  μ > 0 is a moment parallel to the spin (the same relation as μ = q/(2m) for a Dirac particle of
  charge q, checked through the Gordon identity). Vertex μ σ^{αβ}(k₁ − k₂)_α (photon index β),
  μ = κ μ_B, μ_B = e/(2m_e).
* Weak: L = −(G_F/√2)[ν̄γ^μ(1 − γ⁵)ν][ēγ_μ(g_V − g_Aγ⁵)e], g_V = −½ + 2 sin²θ_W, g_A = −½, plus
  +1 on both for ν_e (Fierz-rearranged W exchange). In chiral form g_V − g_Aγ⁵ =
  g_L(1 − γ⁵) + g_R(1 + γ⁵) with g_L = −½ + sin²θ_W (+1 for ν_e), g_R = sin²θ_W.
  Amplitudes: M_W = −(G_F/√2) J_ν·J_e, M_γ = −i (μ e/q²) J^μ_ν·J_e (q² = −2m_eT).
* Antineutrinos: the same Lagrangian between v-spinors, ⟨ν̄(k₂)|ν̄Γν|ν̄(k₁)⟩ = −v̄(k₁)Γv(k₂). The
  antineutrino of physical spin s along +z is v(k, s) with η_s = −iσ²χ_s* (the rotation-covariant
  choice), so its density matrix is ρ = ½(1 + ξ⃗·σ⃗) in the basis (↑z, ↓z) exactly as for ν.
  With this Lagrangian the antineutrino's physical magnetic moment is −μ.
* Neutrino spin state: 2×2 density matrix in the basis (↑z, ↓z) = (helicity +½, −½),
  ρ = ½(1 + ξ⃗·σ⃗); ξ⃗ is the spin polarization vector (rest-frame spin direction in the limit
  m_ν → 0) and ξ⊥ = |ξ⊥|(cos φ_B, sin φ_B, 0). Massless spinors u(k, χ) = (√E χ, σ⃗·k⃗ χ/√E).
* Cross section in the lab: d²σ/dT dφ = ⟨|M|²⟩ / (64 π² m_e Eν²), ⟨…⟩ = ½ Σ_{e spins} Σ_{ν' spins}
  Σ_{ss'} ρ_{ss'} M_s M_{s'}^*. It follows from dσ/dt = ⟨|M|²⟩/(16π (s − m²)²), t = −2m_eT,
  ∫dφ = 2π; the tests check it against the textbook dσ/dT = (2G_F²m_e/π)[…] and
  (πα²κ²/m_e²)(1/T − 1/Eν).
* Majorana (seed 000 eqs. (7)–(10)): the two beam states ν_eL and ν̄_μR are the two helicities
  of one Dirac-like field N = ν_eL + (ν_μL)^c. Then ν̄_μγ^μP_Lν_μ = −N̄γ^μP_RN (the vector current
  is C-odd), so the ν̄_μR weak amplitude enters with g_{μL}, g_R on (1 + γ⁵) and a + sign, and
  the transition moment is a dipole of N: ``dipole='magnetic'`` (vertex μ₁₂σ^{αβ}q_α) or
  ``dipole='electric'`` (vertex μ₁₂σ^{αβ}q_α iγ⁵). Which one a CP-conserving Majorana magnetic
  transition moment becomes depends on the relative CP parity of ν_e and ν_μ (the phases of
  the Majorana conditions); both are provided so the tests can state which matches eq. (9).
"""

from __future__ import annotations

import math

import numpy as np

from nujax.constants import ALPHA, G_F, M_E

E_CHARGE = math.sqrt(4.0 * math.pi * ALPHA)
MU_B = E_CHARGE / (2.0 * M_E)
METRIC = np.array([1.0, -1.0, -1.0, -1.0])

# --- Dirac matrices (Dirac representation) -----------------------------------------------------
_I2 = np.eye(2, dtype=complex)
_Z2 = np.zeros((2, 2), dtype=complex)
PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)
GAMMA = np.array(
    [np.block([[_I2, _Z2], [_Z2, -_I2]])]
    + [np.block([[_Z2, s], [-s, _Z2]]) for s in PAULI]
)
GAMMA5 = 1j * GAMMA[0] @ GAMMA[1] @ GAMMA[2] @ GAMMA[3]
ONE4 = np.eye(4, dtype=complex)
SIGMA = np.array([[0.5j * (GAMMA[a] @ GAMMA[b] - GAMMA[b] @ GAMMA[a]) for b in range(4)]
                  for a in range(4)])                      # σ^{ab}, upper indices
CHI = np.eye(2, dtype=complex)                              # χ_↑ = (1, 0), χ_↓ = (0, 1)
ETA = np.array([-1j * PAULI[1] @ CHI[s].conj() for s in range(2)])   # η_s = −iσ²χ_s*


def _sigma_dot(p3):
    """σ⃗·p⃗ for p3 of shape (N, 3) → (N, 2, 2)."""
    return np.einsum("ni,ijk->njk", p3, PAULI)


def u_spinors(p4, m):
    """u(p, s) for s = ↑, ↓ (rest-frame spin along z), shape (N, 2, 4); p4 of shape (N, 4)."""
    E = p4[:, 0]
    a = np.sqrt(E + m)[:, None, None]
    upper = a * CHI[None]                                           # (N, s, 2)
    lower = np.einsum("njk,sk->nsj", _sigma_dot(p4[:, 1:]), CHI) / a
    return np.concatenate([upper, lower], axis=-1)


def v_spinors(p4, m):
    """v(p, s) = (σ⃗·p⃗ η_s/√(E+m), √(E+m) η_s), shape (N, 2, 4): antiparticle of spin s."""
    E = p4[:, 0]
    a = np.sqrt(E + m)[:, None, None]
    upper = np.einsum("njk,sk->nsj", _sigma_dot(p4[:, 1:]), ETA) / a
    lower = a * ETA[None]
    return np.concatenate([upper, lower], axis=-1)


def bar(w):
    """Dirac adjoint w†γ⁰ of spinors (…, 4)."""
    return np.einsum("...i,ij->...j", w.conj(), GAMMA[0])


def _lower(v):
    """Lower the Lorentz index (first axis after batch) of a current (..., 4, ...) on axis 1."""
    return np.einsum("m,nm...->nm...", METRIC, v)


def _current(wbar, mats, w):
    """J^μ[n, a, b] = w̄_a(n) Γ^μ(n) w_b(n); wbar (N, A, 4), mats (N, 4, 4, 4) or (4, 4, 4)."""
    if mats.ndim == 3:
        return np.einsum("nai,mij,nbj->nmab", wbar, mats, w)
    return np.einsum("nai,nmij,nbj->nmab", wbar, mats, w)


def kinematics(enu, T, phi):
    """Lab four-momenta k₁, p₁, k₂, p₂ (each (N, 4)) for neutrino along +z, electron at rest."""
    enu, T, phi = np.broadcast_arrays(*(np.asarray(x, float) for x in (enu, T, phi)))
    enu, T, phi = enu.ravel(), T.ravel(), phi.ravel()
    p = np.sqrt(T * T + 2.0 * M_E * T)
    cos_t = (T / p) * (1.0 + M_E / enu)                     # energy–momentum conservation
    sin_t = np.sqrt(np.clip(1.0 - cos_t * cos_t, 0.0, None))
    zero = np.zeros_like(enu)
    k1 = np.stack([enu, zero, zero, enu], axis=-1)
    p1 = np.stack([zero + M_E, zero, zero, zero], axis=-1)
    p2 = np.stack([M_E + T, p * sin_t * np.cos(phi), p * sin_t * np.sin(phi), p * cos_t], axis=-1)
    k2 = k1 + p1 - p2
    return k1, p1, k2, p2


def density_matrix(xi):
    """ρ = ½(1 + ξ⃗·σ⃗) in the basis (↑z, ↓z); xi of shape (N, 3) → (N, 2, 2)."""
    return 0.5 * (np.eye(2)[None] + np.einsum("ni,ijk->njk", np.asarray(xi, float), PAULI))


def polarization(pe, phi_B, *, active_left: bool):
    """Pure-state spin vector: P(active helicity) = pe, |ξ⊥| = 2√(pe(1 − pe)) at azimuth φ_B.

    ``active_left`` is True for ν (active helicity −½, ξ_z = 1 − 2pe) and False for ν̄ (active
    helicity +½, ξ_z = 2pe − 1).
    """
    pe, phi_B = np.broadcast_arrays(np.asarray(pe, float), np.asarray(phi_B, float))
    pe, phi_B = pe.ravel(), phi_B.ravel()
    xz = (1.0 - 2.0 * pe) if active_left else (2.0 * pe - 1.0)
    xp = 2.0 * np.sqrt(pe * (1.0 - pe))
    return np.stack([xp * np.cos(phi_B), xp * np.sin(phi_B), xz], axis=-1)


def chiral_couplings(flavor, sin2w):
    """(g_L, g_R) of the ν_ℓ e Lagrangian: g_L = −½ + s² (+1 for ℓ = e, charged current), g_R = s²."""
    gL = -0.5 + sin2w + (1.0 if flavor.removesuffix("bar") == "nue" else 0.0)
    return gL, sin2w


def amplitudes(enu, T, phi, kappa, *, species="nu", gL, gR, gLp=0.0, gRp=0.0,
               dipole="magnetic"):
    """Helicity amplitudes M_W, M_γ with index order [n, s_ν, s_ν', s_e, s_e'].

    species: 'nu' (Dirac ν, u-spinors), 'nubar' (Dirac ν̄, v-spinors) or 'majorana' (the field
    N = ν_eL + (ν_μL)^c; (gL, gR) couplings of the left-handed species, (gLp, gRp) the chiral
    couplings of the ν_μ whose CP conjugate is the right-handed state).
    """
    if species not in ("nu", "nubar", "majorana"):
        raise ValueError(f"unknown species {species!r}")
    k1, p1, k2, p2 = kinematics(enu, T, phi)
    n = k1.shape[0]
    kappa = np.broadcast_to(np.asarray(kappa, float).ravel(), (n,))
    ue_in, ue_out = u_spinors(p1, M_E), u_spinors(p2, M_E)
    PL, PR = ONE4 - GAMMA5, ONE4 + GAMMA5                   # (1 ∓ γ⁵), not divided by 2
    q = k1 - k2
    q_lo = q * METRIC
    # magnetic vertex Γ^β = σ^{αβ} q_α  (times μ); electric dipole variant multiplies by iγ⁵
    mag = np.einsum("na,abij->nbij", q_lo, SIGMA)
    if dipole == "electric":
        mag = np.einsum("nbij,jk->nbik", mag, 1j * GAMMA5)
    elif dipole != "magnetic":
        raise ValueError(f"dipole must be 'magnetic' or 'electric', got {dipole!r}")
    gam_L = np.einsum("mij,jk->mik", GAMMA, PL)
    gam_R = np.einsum("mij,jk->mik", GAMMA, PR)

    if species == "nubar":
        # ⟨ν̄(k₂)|ν̄Γν|ν̄(k₁)⟩ = −v̄(k₁)Γv(k₂); index order [s_in, s_out]
        vin, vout = v_spinors(k1, 0.0), v_spinors(k2, 0.0)
        Jw = -_current(bar(vin), gam_L, vout)
        Jm = -_current(bar(vin), mag, vout)
    else:
        nin, nout = u_spinors(k1, 0.0), u_spinors(k2, 0.0)
        # ū(k₂)Γu(k₁) computed as [s_out, s_in] then transposed to [s_in, s_out]
        Jw = _current(bar(nout), gam_L, nin).transpose(0, 1, 3, 2)
        Jm = _current(bar(nout), mag, nin).transpose(0, 1, 3, 2)
        if species == "majorana":
            JwR = _current(bar(nout), gam_R, nin).transpose(0, 1, 3, 2)

    def e_cur(mats):   # [n, μ, s_e_in, s_e_out]
        return _current(bar(ue_out), mats, ue_in).transpose(0, 1, 3, 2)

    Je_weak = e_cur(np.einsum("mij,jk->mik", GAMMA, gL * PL + gR * PR))
    Je_em = e_cur(GAMMA)
    # M_W = −(G_F/√2) J_ν·J_e (chiral form g_L(1−γ⁵) + g_R(1+γ⁵) on the electron line)
    MW = -(G_F / math.sqrt(2.0)) * np.einsum("nmab,nmcd->nabcd", _lower(Jw), Je_weak)
    if species == "majorana":
        # ν̄_μ γ^μ(1−γ⁵) ν_μ = −N̄ γ^μ(1+γ⁵) N  (C-odd vector current)
        Je_p = e_cur(np.einsum("mij,jk->mik", GAMMA, gLp * PL + gRp * PR))
        MW = MW + (G_F / math.sqrt(2.0)) * np.einsum("nmab,nmcd->nabcd", _lower(JwR), Je_p)
    q2 = np.einsum("nm,nm->n", q * METRIC, q)
    mu = kappa * MU_B
    # iM_γ = (μ Γ^β)(−i g_{βγ}/q²)(ie γ^γ)  ⇒  M_γ = −i μ e /q² Γ·J_e
    MG = (-1j * mu * E_CHARGE / q2)[:, None, None, None, None] * np.einsum(
        "nmab,nmcd->nabcd", _lower(Jm), Je_em)
    return MW, MG


def d2sigma_parts(enu, T, phi, kappa, rho, **kw):
    """(weak, em, interference) of d²σ/dT dφ [MeV⁻³ rad⁻¹] at each point; rho (N, 2, 2).

    d²σ/dT dφ = ½ Σ_{e, e', ν'} Σ_{ss'} ρ_{ss'} M_s M_{s'}^* / (64 π² m_e Eν²).
    """
    MW, MG = amplitudes(enu, T, phi, kappa, **kw)
    n = MW.shape[0]
    enu_b = np.broadcast_to(np.asarray(enu, float).ravel(), (n,))
    rho = np.broadcast_to(rho, (n, 2, 2))
    norm = 0.5 / (64.0 * math.pi**2 * M_E * enu_b * enu_b)

    def contract(A, B):
        return np.einsum("nst,nsxcd,ntxcd->n", rho, A, B.conj())

    weak = norm * contract(MW, MW).real
    em = norm * contract(MG, MG).real
    inter = norm * 2.0 * contract(MW, MG).real
    return weak, em, inter


def textbook_dsigma_dT_weak(enu, T, gL, gR):
    """'t Hooft / Vogel–Engel dσ/dT = (2G_F²m_e/π)[g_L² + g_R²(1−T/Eν)² − g_Lg_R m_eT/Eν²] [MeV⁻³]."""
    y = 1.0 - T / enu
    return 2.0 * G_F**2 * M_E / math.pi * (gL * gL + gR * gR * y * y - gL * gR * M_E * T / enu**2)


def textbook_dsigma_dT_mag(enu, T, kappa):
    """dσ/dT = (π α² κ²/m_e²)(1/T − 1/Eν) [MeV⁻³] (Vogel–Engel)."""
    return math.pi * ALPHA**2 * kappa**2 / M_E**2 * (1.0 / T - 1.0 / enu)
