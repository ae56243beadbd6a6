"""Independent reference for ν e → ν e γ: explicit Dirac matrices, numpy, no closed forms.

Used only by the tests. It builds the laboratory four-momenta for a point (x, y, ω) and an
azimuth φ of the (e, γ) plane around q⃗ = p⃗' + k⃗, evaluates the spin-summed squared amplitudes of
the Feynman diagrams (photon emitted from the incoming or the outgoing electron; seed 004 eqs. (8)
and (12) before any rearrangement) by numerical Dirac traces, and integrates over φ.

Normalization is the textbook one (PDG kinematics): dσ = |M̄|² / (4 l·p) dΦ₃ with
dΦ₃ = (2π)⁴ δ⁴ Π d³pᵢ / ((2π)³ 2Eᵢ), |M̄|² averaged over the electron spin, incoming neutrino
purely left-handed. Reducing the lab phase space gives

    d³σ/dx dy dω = 1/(32 (2π)⁴) · √(Eν y / (Eν y + 2 m x)) · ∫₀^{2π} dφ |M̄|².

The same tensors give the elastic 2 → 2 cross sections, which the tests compare with the textbook
formulas to pin the normalization of G_F, e and the magnetic vertex f_M = μν (μν/μ_B)·e/(2m).
"""

from __future__ import annotations

import math

import numpy as np

from nujax.constants import ALPHA, G_F, M_E

E_CHARGE = math.sqrt(4.0 * math.pi * ALPHA)
METRIC = np.diag([1.0, -1.0, -1.0, -1.0])

# Dirac representation
_I2 = np.eye(2)
_Z2 = np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex),
        np.array([[1, 0], [0, -1]], complex)]
G0 = np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)
GAMMA = np.array([G0] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG])  # γ^μ
G5 = 1j * GAMMA[0] @ GAMMA[1] @ GAMMA[2] @ GAMMA[3]
ONE = np.eye(4, dtype=complex)
PL = 0.5 * (ONE - G5)
PR = 0.5 * (ONE + G5)
GAMMA_LOW = np.einsum("mn,nab->mab", METRIC, GAMMA)  # γ_μ
SIGMA = 0.5j * (GAMMA[:, None] @ GAMMA[None, :] - GAMMA[None, :] @ GAMMA[:, None])  # σ^{μν}


def slash(p):
    """p̸ = p_μ γ^μ for p of shape (..., 4) with upper components."""
    return np.einsum("...m,mab->...ab", p @ METRIC, GAMMA)


def bar(a):
    """Dirac adjoint γ⁰ A† γ⁰ of matrices (..., 4, 4)."""
    return G0 @ np.conj(np.swapaxes(a, -1, -2)) @ G0


def dot(a, b):
    return np.einsum("...m,mn,...n->...", a, METRIC, b)


def lab_momenta(x, y, w, enu, phi, m=M_E):
    """Four-momenta l, p, l', p', k (shape (..., 4)) for the point (x, y, ω) and plane azimuth φ.

    Returns ``None`` entries as NaN where the point is unphysical (|cos| > 1).
    """
    x, y, w, phi = np.broadcast_arrays(*(np.asarray(v, float) for v in (x, y, w, phi)))
    nu = enu * y
    eg = enu * w
    T = nu - eg
    Q2 = 2.0 * m * nu * x
    pe = np.sqrt(T * T + 2.0 * m * T)
    qmag = np.sqrt(nu * nu + Q2)
    # opening angle from Q² (seed 004 eq. (19), rederived: Q² = 2T(m − Eγ) + 2Eγ|p'| cosθ)
    cth = (Q2 - 2.0 * T * (m - eg)) / (2.0 * eg * pe)
    sth = np.sqrt(1.0 - cth**2)
    # angle of q⃗ with the beam from (l − q)² = 0
    calpha = (nu + Q2 / (2.0 * enu)) / qmag
    salpha = np.sqrt(1.0 - calpha**2)
    # in the frame with q⃗ along z': p⃗' at angle β, k⃗ = q⃗ − p⃗'
    cbeta = (pe + eg * cth) / qmag
    sbeta = np.sqrt(np.clip(1.0 - cbeta**2, 0.0, None))
    pe_vec_q = np.stack([pe * sbeta * np.cos(phi), pe * sbeta * np.sin(phi), pe * cbeta], -1)
    # rotate z' → q̂ = (sinα, 0, cosα) about the y axis
    rot = np.zeros(x.shape + (3, 3))
    rot[..., 0, 0] = calpha; rot[..., 0, 2] = salpha
    rot[..., 1, 1] = 1.0
    rot[..., 2, 0] = -salpha; rot[..., 2, 2] = calpha
    pe_vec = np.einsum("...ij,...j->...i", rot, pe_vec_q)
    q_vec = np.stack([qmag * salpha, 0 * qmag, qmag * calpha], -1)
    k_vec = q_vec - pe_vec
    ones = np.ones_like(x)
    l = np.stack([enu * ones, 0 * ones, 0 * ones, enu * ones], -1)
    p = np.stack([m * ones, 0 * ones, 0 * ones, 0 * ones], -1)
    pp = np.concatenate([(T + m)[..., None], pe_vec], -1)
    k = np.concatenate([eg[..., None], k_vec], -1)
    lp = l + p - pp - k
    del sth
    return l, p, lp, pp, k


def _electron_ops(p, pp, k, vertex, m=M_E):
    """O_μ^α: bremsstrahlung electron line with current vertex Γ_μ (4 matrices, lower μ) and a
    photon of polarization index α (upper, contracted with −g by the caller)."""
    a = slash(pp + k) + m * ONE  # (..., 4, 4)
    b = slash(p - k) + m * ONE
    pk = dot(p, k)[..., None, None]
    ppk = dot(pp, k)[..., None, None]
    ops = np.empty(p.shape[:-1] + (4, 4, 4, 4), complex)  # [..., mu, alpha, :, :]
    for mu in range(4):
        for al in range(4):
            ops[..., mu, al, :, :] = (GAMMA[al] @ a @ vertex[mu]) / (2 * ppk) - (vertex[mu] @ b @ GAMMA[al]) / (2 * pk)
    return ops


def _electron_tensor(p, pp, k, vertex, m=M_E):
    """H_{μν} = ½ Σ_pol Tr[(p̸'+m) O_μ (p̸+m) Ō_ν]  with Σ_pol ε_α ε*_β → −g_{αβ}."""
    ops = _electron_ops(p, pp, k, vertex, m)
    A = slash(pp) + m * ONE
    B = slash(p) + m * ONE
    left = np.einsum("...ab,...mhbc,...cd->...mhad", A, ops, B)
    right = bar(ops)
    H = -0.5 * np.einsum("h,...mhad,...nhda->...mn", np.diag(METRIC), left, right)
    return H


def weak_msq(l, p, lp, pp, k, gL, gR, m=M_E):
    """Σ|M_W|² (electron spin averaged, ν left-handed): amplitudes of seed 004 eq. (8), with the
    seed's chiral couplings g_L, g_R of eq. (7) (twice the usual ones)."""
    vertex = np.array([GAMMA_LOW[mu] @ (gL * PL + gR * PR) for mu in range(4)])
    H = _electron_tensor(p, pp, k, vertex, m)
    V = np.array([GAMMA[mu] @ (ONE - G5) for mu in range(4)])
    L = np.einsum("...ab,mbc,...cd,nda->...mn", slash(lp), V, PL @ slash(l), bar(V))
    return (G_F**2 / 2.0) * E_CHARGE**2 * np.real(np.einsum("...mn,...mn->...", L, H))


def magnetic_msq(l, p, lp, pp, k, mu_muB, m=M_E):
    """Σ|M_M|² for a magnetic moment μν = mu_muB μ_B (vertex f_M σ^{μν} q_ν, seed 004 eq. (12))."""
    fM = mu_muB * E_CHARGE / (2.0 * m)
    q = l - lp
    H = _electron_tensor(p, pp, k, GAMMA_LOW, m)
    V = np.einsum("mnab,...n->...mab", SIGMA, q @ METRIC)  # σ^{μν} q_ν
    L = np.einsum("...ab,...mbc,...cd,...nda->...mn", slash(lp), V, PL @ slash(l), bar(V))
    q2 = dot(q, q)
    return (E_CHARGE**2 * fM / q2) ** 2 * np.real(np.einsum("...mn,...mn->...", L, H))


def d3sigma_dxdydw(x, y, w, enu, *, gL=0.0, gR=0.0, mu_muB=0.0, which="weak", nphi=6, m=M_E):
    """Reference d³σ/dx dy dω [MeV⁻²] by Dirac traces; the φ integral is exact with nphi ≥ 3
    equally spaced points (|M|² is a trigonometric polynomial of degree 2 in φ)."""
    x, y, w = (np.asarray(v, float) for v in (x, y, w))
    phis = 2 * np.pi * (np.arange(nphi) + 0.5) / nphi
    acc = 0.0
    for phi in phis:
        mom = lab_momenta(x, y, w, enu, phi, m)
        if which == "weak":
            acc = acc + weak_msq(*mom, gL, gR, m)
        else:
            acc = acc + magnetic_msq(*mom, mu_muB, m)
    integral = 2 * np.pi * acc / nphi
    return np.sqrt(enu * y / (enu * y + 2 * m * x)) * integral / (32.0 * (2 * np.pi) ** 4)


# --- elastic 2 → 2 with the same tensors (normalization check) ----------------------------------
def elastic_dsigma_dT(T, enu, *, gL=0.0, gR=0.0, mu_muB=0.0, which="weak", m=M_E):
    """Elastic dσ/dT [MeV⁻³] = |M̄|² / (32π m Eν²) from the same vertices (no photon)."""
    T = np.asarray(T, float)
    pe = np.sqrt(T * T + 2 * m * T)
    ep = enu - T
    cth = (T * (enu + m)) / (enu * pe)  # recoil angle (seed 001 eq. (4))
    sth = np.sqrt(1 - cth**2)
    ones = np.ones_like(T)
    l = np.stack([enu * ones, 0 * ones, 0 * ones, enu * ones], -1)
    p = np.stack([m * ones, 0 * ones, 0 * ones, 0 * ones], -1)
    pp = np.stack([T + m, pe * sth, 0 * ones, pe * cth], -1)
    lp = l + p - pp
    del ep
    A = slash(pp) + m * ONE
    B = slash(p) + m * ONE
    if which == "weak":
        vtx = np.array([GAMMA_LOW[mu] @ (gL * PL + gR * PR) for mu in range(4)])
        V = np.array([GAMMA[mu] @ (ONE - G5) for mu in range(4)])
        L = np.einsum("...ab,mbc,...cd,nda->...mn", slash(lp), V, PL @ slash(l), bar(V))
        coup = (G_F**2 / 2.0)
    else:
        fM = mu_muB * E_CHARGE / (2.0 * m)
        q = l - lp
        vtx = GAMMA_LOW
        V = np.einsum("mnab,...n->...mab", SIGMA, q @ METRIC)
        L = np.einsum("...ab,...mbc,...cd,...nda->...mn", slash(lp), V, PL @ slash(l), bar(V))
        coup = (E_CHARGE * fM / dot(q, q)) ** 2
    H = 0.5 * np.einsum("...ab,mbc,...cd,nda->...mn", A, vtx, B, bar(vtx))
    msq = coup * np.real(np.einsum("...mn,...mn->...", L, H))
    return msq / (32 * np.pi * m * enu**2)


# --- seed 004 eqs. (10) and (13) written with dot products ----------------------------------------
def eq10_msq(l, p, lp, pp, k, gL, gR, m=M_E):
    """Σ|T_W|² of seed 004 eq. (10) as printed (sum over electron spins: 2 × the average)."""
    d = dot
    a = pp / d(pp, k)[..., None] - p / d(p, k)[..., None]
    a2 = d(a, a)
    ap, app = d(a, p), d(a, pp)
    al, alp = d(a, l), d(a, lp)
    term = ((-gL**2 * d(l, p) * d(lp, pp) - gR**2 * d(lp, p) * d(l, pp) + gL * gR * m**2 * d(l, lp)) * a2
            + (gL**2 * d(lp, pp) * (al * d(p, k) - (ap - 1) * d(l, k))
               + gR**2 * d(l, pp) * (alp * d(p, k) - (ap - 1) * d(lp, k))) / d(k, p)
            + (gL**2 * d(l, p) * (alp * d(pp, k) - (app - 1) * d(lp, k))
               + gR**2 * d(lp, p) * (al * d(pp, k) - (app - 1) * d(l, k))) / d(k, pp)
            - 2 * gL * gR * m**2 * d(l, k) * d(lp, k) / (d(p, k) * d(pp, k)))
    return 32 * G_F**2 * E_CHARGE**2 * term


def eq13_msq(l, p, lp, pp, k, mu_muB, m=M_E):
    """Σ|T_M|² of seed 004 eq. (13) as printed (f_M = μν)."""
    d = dot
    fM = mu_muB * E_CHARGE / (2.0 * m)
    q = l - lp
    a = pp / d(pp, k)[..., None] - p / d(p, k)[..., None]
    a2 = d(a, a)
    ap, app, al = d(a, p), d(a, pp), d(a, l)
    term = (d(l, p) * d(l, pp) * a2
            + (ap * d(l, k) - al * d(p, k)) * d(l, pp) / d(k, p)
            + (app * d(l, k) - al * d(pp, k)) * d(l, p) / d(k, pp)
            - d(l, k) * d(l, pp) / d(k, p) - d(l, k) * d(l, p) / d(k, pp)
            + m**2 * d(k, l) ** 2 / (d(k, p) * d(k, pp)))
    return 32 * E_CHARGE**4 * fM**2 / d(q, q) * term


# --- high-precision evaluation of the closed-form kernel ----------------------------------------
class _MpNamespace:
    """Scalar mpmath stand-in for the ``xp`` array namespace of the nujax kernels."""

    def __init__(self, mp):
        self.sqrt = mp.sqrt

    @staticmethod
    def where(cond, a, b):
        return a if cond else b

    @staticmethod
    def clip(v, lo, hi):
        return min(max(v, lo), hi)

    @staticmethod
    def maximum(a, b):
        return max(a, b)


def magnetic_high_precision(x, y, w, enu, mu_muB, dps=60):
    """Magnetic d³σ/dx dy dω [MeV⁻²] from seed 004 eq. (13) (``form="traces"`` form of the
    kernel) evaluated in ``dps``-digit arithmetic: the cancellation of its O(Q²) bracket against
    1/Q² at small x costs ~x⁻¹ of 60 digits, leaving far more than float64 needs."""
    from unittest import mock

    import mpmath

    from nujax.xsec import radiative

    with mpmath.workdps(dps):
        mp = mpmath.mpf
        # m_e as a high-precision number too, so products such as m·m are not rounded to float64
        with mock.patch.object(radiative, "M_E", mp(M_E)):
            r = radiative.radiative_terms(mp(x), mp(y), mp(w), mp(enu), mp(0), mp(0), mp(mu_muB),
                                          form="traces", xp=_MpNamespace(mpmath))
        return float(r.magnetic)
