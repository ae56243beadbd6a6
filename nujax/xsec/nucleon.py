"""Elastic ν–nucleon scattering with all neutrino EM properties and any spin-flavor state (seed 002).

d²σ/dT dφ = Ã(T) + B̃s(T) sin φ + B̃c(T) cos φ  (seed 002 eq. (11)), from appendix A eqs. (22)–(24);
dσ/dΩ follows with the Jacobian of eq. (12). Units: MeV⁻³ rad⁻¹ (and MeV⁻² sr⁻¹ for dσ/dΩ).

Decisions (derived, checked by the tests)
-----------------------------------------
* Helicity blocks. With ρ = ½(ρ̃𝟙 + ζ·σ̂) in the basis (ν_R…, ν_L…) (eq. (8)), ρ_RR = ½(ρ̃ + ζ∥),
  ρ_LL = ½(ρ̃ − ζ∥) and κ = ½(ζˣ + iζʸ) = ρ_LR. The seed sets ζ∥ = 0, so its ½ Tr[… ρ̃] is
  Tr[… ρ_LL]; we write the left-handed terms with ρ_LL, which gives the textbook
  G_F² m/(2π)[(F1 + G_A)² + (F1 − G_A)²(1 − T/E)² − (F1² − G_A²) mT/E²] for a left-handed ν.
* Right-handed (helicity-conserving) term. The interference of eq. (22) contains the anapole as
  2a and no charge radius: it is the sum of the L→L non-flip amplitude (couplings −F1 + F_Q Q^L,
  Q^L = (2√2πα/G_F)(⟨r²⟩/6 − a)) and the R→R non-flip amplitude (F_Q Q^R, Q^R = (2√2πα/G_F)
  (⟨r²⟩/6 + a)) against the magnetic flips; Q^R − Q^L = 2 (2√2πα/G_F) a. We therefore also keep
  the square of the R→R amplitude in Ã (the seed drops it; it vanishes for its SM choice
  a = −⟨r²⟩/6, eq. (19), and for left-handed beams). Without it d²σ/dTdφ can turn negative for
  general (r², a). Right-handed kinematics flip the sign of the V·A and A·M interferences.
* Majorana neutrinos: right-helicity states are antineutrinos with weak couplings; we use
  (V1, V2, A)^R = (+F1 + F_Q Q^R, −F2 − F_M Q^R, −G_A) with Q^R = −(Q^L)ᵀ, which makes the interference the sum of
  the two Dirac-like pieces as in seed 000 eqs. (8)–(10).
* Non-commuting matrices: K = Tr[(P_L μ − μ P_R) κ†], P_h = p0_h 𝟙 + p1_h Q^h, the ordering that
  follows from the amplitude product (final L: Tr[X^L κ μ†], final R: Tr[X^R κ† μ]); for
  commuting matrices it is seed 002's K_{μ,Z⁰} F… + K_{μ,a} … exactly. |μ|² = Tr[μ ρ_RR μ†] +
  Tr[μ† ρ_LL μ] (= Tr[μ²ρ̃] for Hermitian μ, eq. (14)).
* Dirac antineutrino beams (``antineutrino=True``), derived in
  :mod:`nujax.xsec.electron_density_matrix`: the ν̄'s are the particles of the Dirac field ν^c,
  active ν̄_R in the R block, sterile ν̄_L = (ν_R)^c in the L block. C-conjugation of the bilinears
  gives Q^L → −(Q^R)ᵀ (sterile ν̄_L: EM couplings only, (V1, V2, A)^L = (F_Q Q, −F_M Q, 0)),
  Q^R → −(Q^L)ᵀ with the Majorana right-helicity couplings above (active ν̄_R), and μ → −μᵀ.
  Majorana props ignore the flag (their R block already holds the ν̄'s).
* eq. (23)'s C_{V&M} carries "ρ^K", a misprint for ρ̃ (all other C's use ρ̃).
* μ enters in Bohr magnetons, ⟨r²⟩, a in MeV⁻²; F1, F2, G_A, F_Q, F_M from
  :mod:`nujax.xsec.form_factors` at Q² = 2 m T.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax._validation import check_energy, check_probability
from nujax.constants import ALPHA, G_F, M_E, M_N, M_P, SIN2_THETA_W
from nujax.em import EMProperties, anapole_natural, millicharge_e, mu_bohr, r2_natural
from nujax.xsec.common import AzimuthalParts
from nujax.xsec.form_factors import nucleon_form_factors

__all__ = ["FlavorTraces", "flavor_traces", "props_traces", "chiral_charges", "helicity_blocks", "Q_FACTOR", "NUCLEON_MASS",
           "nucleon_terms", "nucleon_parts", "nucleon_dsigma_domega", "numpy_nucleon_parts"]

#: 2√2πα/G_F [MeV²]: converts ⟨r²⟩/6 − a [MeV⁻²] into the coupling shift Q^L (seed 002 eq. (14)).
Q_FACTOR: float = 2.0 * math.sqrt(2.0) * math.pi * ALPHA / G_F
NUCLEON_MASS = {"p": M_P, "n": M_N}


class FlavorTraces(NamedTuple):
    """Flavor traces shared by every point of a cross-section call (real unless noted).

    tL = (Tr ρ_LL, Tr[Q^L ρ_LL], Tr[Q^L Q^L ρ_LL]), tR likewise with ρ_RR and Q^R; ``mu2`` =
    Tr[μ ρ_RR μ†] + Tr[μ† ρ_LL μ]; complex ``kZ`` = Tr[μ κ†], ``kL`` = Tr[Q^L μ κ†],
    ``kR`` = Tr[μ Q^R κ†] (μ in μ_B, Q dimensionless). Q^h here is the momentum-independent part
    (⟨r²⟩, a); the millicharge part of the coupling, −X^h/Q² with X^h = (2√2πα/G_F) q_ν^h [MeV²]
    (:mod:`nujax.em`), has its own traces ``tLq1`` = Tr[X^L ρ_LL], ``tLq2`` = Tr[(Q^L X^L + X^L Q^L)
    ρ_LL], ``tLqq`` = Tr[X^L X^L ρ_LL] (R likewise), ``kLq`` = Tr[X^L μ κ†], ``kRq`` = Tr[μ X^R κ†];
    :meth:`at_momentum_transfer` folds them in at a given Q². They default to 0 (no millicharge).
    """

    tL0: object
    tL1: object
    tL2: object
    tR0: object
    tR1: object
    tR2: object
    mu2: object
    kZ: object
    kL: object
    kR: object
    tLq1: object = 0.0
    tLq2: object = 0.0
    tLqq: object = 0.0
    tRq1: object = 0.0
    tRq2: object = 0.0
    tRqq: object = 0.0
    kLq: object = 0.0
    kRq: object = 0.0

    def at_momentum_transfer(self, Q2) -> "FlavorTraces":
        """The traces with Q^h → Q^h − X^h/Q² at the squared four-momentum transfer Q² = −q² [MeV²].

        f_Q(q²)/q² = q_ν/q² + ⟨r²⟩/6 (Giunti & Studenikin, RMP 87 (2015) 531; module docstring of
        :mod:`nujax.em`); the returned traces have zero millicharge parts. ``Q2`` must be > 0
        (callers pass the guarded recoil, 2 m T).
        """
        g = -1.0 / Q2
        return FlavorTraces(
            self.tL0, self.tL1 + g * self.tLq1, self.tL2 + g * self.tLq2 + g * g * self.tLqq,
            self.tR0, self.tR1 + g * self.tRq1, self.tR2 + g * self.tRq2 + g * g * self.tRqq,
            self.mu2, self.kZ, self.kL + g * self.kLq, self.kR + g * self.kRq)


def helicity_blocks(rho, *, xp=jnp):
    """(ρ_LL, ρ_RR, κ = ρ_LR) of a 2N×2N density matrix in the basis (ν_R…, ν_L…) (seed 002 eq. (8))."""
    n = rho.shape[-1] // 2
    return rho[..., n:, n:], rho[..., :n, :n], rho[..., n:, :n]


def _tr(a, b, *, xp=jnp):
    return xp.einsum("...ij,...ji->...", a, b)


def chiral_charges(r2_nat, a_nat, *, majorana: bool = False, antineutrino: bool = False,
                   weak_offset=None, xp=jnp):
    """(Q^L, Q^R) = (2√2πα/G_F)(⟨r²⟩/6 ∓ a) for a ν beam, with the Majorana and Dirac-ν̄ rules of
    :func:`flavor_traces` (seed 002 eq. (14)); ``a_nat`` None: a vector coupling (Q^L = Q^R,
    the millicharge matrix is passed here as ``r2_nat`` = 6 q_ν). ``weak_offset`` (N×N,
    dimensionless) is subtracted from Q^L only (the weakly active ν_L; nujax.xsec.nucleus)."""
    a = 0.0 if a_nat is None else a_nat
    qL = Q_FACTOR * (r2_nat / 6.0 - a)                               # seed 002 eq. (14)
    if weak_offset is not None:
        qL = qL - weak_offset
    if majorana:
        return qL, -xp.swapaxes(qL, -1, -2)                            # ν̄ block (Majorana)
    qR = Q_FACTOR * (r2_nat / 6.0 + a)                               # opposite chirality of a
    if antineutrino:                                                   # ν^c: C-odd γ^μ
        qL, qR = -xp.swapaxes(qR, -1, -2), -xp.swapaxes(qL, -1, -2)
    return qL, qR


def flavor_traces(mu_b, r2_nat, a_nat, rho, *, majorana: bool = False, antineutrino: bool = False,
                  q_e=None, weak_offset=None, xp=jnp) -> FlavorTraces:
    """All flavor traces the nucleon/nucleus/electron-like formulas need (seed 002 eqs. (14), (23)).

    Parameters
    ----------
    mu_b : (N, N) complex — μ in Bohr magnetons.
    r2_nat, a_nat : (N, N) — ⟨r²⟩ and a [MeV⁻²].
    rho : (2N, 2N) complex — the spin-flavor density matrix.
    majorana : bool — right-helicity states are antineutrinos: Q^R = −(Q^L)ᵀ (the ν̄ vertex is
        minus the transposed ν vertex), = (2√2πα/G_F)(⟨r²⟩/6 + a) for the Majorana matrices
        (⟨r²⟩, q_ν antisymmetric, a symmetric; :mod:`nujax.em`).
    antineutrino : bool — ``rho`` is a Dirac ν̄ beam (module docstring): the traces are those of
        the conjugate field, Q^L → −(Q^R)ᵀ, Q^R → −(Q^L)ᵀ, μ → −μᵀ. Ignored for Majorana.
    q_e : (N, N), optional — millicharge matrix q_ν in units of e; a vector coupling like ⟨r²⟩
        (same ν̄/Majorana rules), giving the ``*q*`` traces of :class:`FlavorTraces`.
    weak_offset : (N, N), optional — flavor-dependent part of the weak coupling of a spin-0
        nucleus in units of 𝓕_Q (radiative corrections, :func:`nujax.xsec.nucleus.weak_offset`),
        subtracted from Q^L.
    """
    rLL, rRR, kap = helicity_blocks(rho, xp=xp)
    qL, qR = chiral_charges(r2_nat, a_nat, majorana=majorana, antineutrino=antineutrino,
                            weak_offset=weak_offset, xp=xp)
    if antineutrino and not majorana:
        mu_b = -xp.swapaxes(mu_b, -1, -2)                              # ν̄ moment −μᵀ (C-odd σ^{μν})
    kdag = xp.conj(xp.swapaxes(kap, -1, -2))
    mud = xp.conj(xp.swapaxes(mu_b, -1, -2))
    re = xp.real
    out = FlavorTraces(
        re(xp.trace(rLL, axis1=-2, axis2=-1)), re(_tr(qL, rLL, xp=xp)), re(_tr(qL @ qL, rLL, xp=xp)),
        re(xp.trace(rRR, axis1=-2, axis2=-1)), re(_tr(qR, rRR, xp=xp)), re(_tr(qR @ qR, rRR, xp=xp)),
        re(_tr(mu_b @ rRR, mud, xp=xp) + _tr(mud @ rLL, mu_b, xp=xp)),
        _tr(mu_b, kdag, xp=xp), _tr(qL @ mu_b, kdag, xp=xp), _tr(mu_b @ qR, kdag, xp=xp),
    )
    if q_e is None:
        return out
    # X^h = (2√2πα/G_F) q_ν^h [MeV²]: f_Q/q² = q_ν/q² + ⟨r²⟩/6 (nujax.em), so q_ν is ⟨r²⟩ = 6 q_ν/q²
    xL, xR = chiral_charges(6.0 * q_e, None, majorana=majorana, antineutrino=antineutrino, xp=xp)
    return out._replace(
        tLq1=re(_tr(xL, rLL, xp=xp)), tLq2=re(_tr(qL @ xL + xL @ qL, rLL, xp=xp)),
        tLqq=re(_tr(xL @ xL, rLL, xp=xp)),
        tRq1=re(_tr(xR, rRR, xp=xp)), tRq2=re(_tr(qR @ xR + xR @ qR, rRR, xp=xp)),
        tRqq=re(_tr(xR @ xR, rRR, xp=xp)),
        kLq=_tr(xL @ mu_b, kdag, xp=xp), kRq=_tr(mu_b @ xR, kdag, xp=xp))


def _quad(t0, t1, t2, a1, b1, a2, b2):
    """Tr[(a1 + b1 Q)(a2 + b2 Q) ρ] from t0 = Tr ρ, t1 = Tr[Qρ], t2 = Tr[Q²ρ]."""
    return a1 * a2 * t0 + (a1 * b2 + b1 * a2) * t1 + b1 * b2 * t2


def _weak_block(t0, t1, t2, v1, v2, ax, s, enu, T, m):
    """G_F² m/(4π²)·[…] of seed 002 eq. (22) for one helicity block; (v1, v2, ax) = (a, b) pairs."""
    (a1, b1), (a2, b2), (ga, gb) = v1, v2, ax
    cV = _quad(t0, t1, t2, a1, b1, a1, b1)                            # seed 002 eq. (23)
    cA = _quad(t0, t1, t2, ga, gb, ga, gb)
    cVA = _quad(t0, t1, t2, ga, gb, a1, b1)
    cM = _quad(t0, t1, t2, a2, b2, a2, b2)
    cVM = _quad(t0, t1, t2, a2, b2, a1, b1)
    cAM = _quad(t0, t1, t2, a2, b2, ga, gb)
    y = T / enu
    r = m * T / (enu * enu)
    return (G_F * G_F * m / (4.0 * math.pi ** 2)) * (                   # seed 002 eq. (22)
        (cV - 2.0 * s * cVA + cA) + (cV + 2.0 * s * cVA + cA) * (1.0 - y) ** 2
        + (cA - cV) * r + cM * T / (2.0 * m) * (2.0 + r - 2.0 * y)
        + 2.0 * s * y * cAM * (2.0 - y) - 2.0 * cVM * y * y)


def nucleon_terms(enu, T, m, ff, tr: FlavorTraces, *, majorana: bool, antineutrino: bool = False,
                  xp=jnp) -> AzimuthalParts:
    """Kernel of seed 002 eq. (22): (Ã, B̃s, B̃c) [MeV⁻³ rad⁻¹] for one target of mass ``m``.

    ``ff`` = (F1, F2, G_A, F_Q, F_M) at Q² = 2mT (arrays broadcasting with ``enu``, ``T``); ``tr``
    from :func:`flavor_traces` (with the same ``antineutrino``). ``antineutrino``: Dirac ν̄ beam,
    weak couplings in the R block, the L block sterile (module docstring); ignored for Majorana.
    Elementwise; exactly 0 outside the physical region (:func:`nujax.kinematics.is_physical`),
    gradient-safe.
    Setting F2 = F_M = G_A = 0 gives the spin-0 nucleus of eq. (15) up to its T/m terms.
    """
    F1, F2, GA, FQ, FM = ff
    ok, e, t = kin.physical_point(enu, T, m, xp=xp)                   # the one physical region
    tr = tr.at_momentum_transfer(2.0 * m * t)                         # millicharge: Q² = 2mT
    zero = 0.0 * F1
    # helicity-conserving couplings (a·𝟙 + b·Q) for V1 (γ), V2 (σq), A (γγ5)
    vL = ((-F1, FQ), (F2, -FM), (GA, zero))                           # seed 002 eq. (23)
    sterile = ((zero, FQ), (zero, -FM), (zero, zero))                 # sterile to Z⁰
    if majorana or antineutrino:
        vR = ((F1, FQ), (-F2, -FM), (-GA, zero))                      # ν̄ (right helicity)
    else:
        vR = sterile
    if antineutrino and not majorana:
        vL = sterile                                                   # Dirac ν̄_L = (ν_R)^c
    A_w = (_weak_block(tr.tL0, tr.tL1, tr.tL2, *vL, 1.0, e, t, m)
           + _weak_block(tr.tR0, tr.tR1, tr.tR2, *vR, -1.0, e, t, m))
    y = t / e
    A_m = ALPHA ** 2 / (2.0 * M_E ** 2) * tr.mu2 * (                   # seed 002 eq. (22)
        (1.0 / t - 1.0 / e) * FQ * FQ - t / (2.0 * e * e) * FQ * FM
        + FM * FM / (8.0 * m) * ((2.0 - y) ** 2 - 2.0 * m * t / (e * e)))
    # interference: P_h = (1 − T/2E)(−V1 F_Q + V2 F_M T/2m) ± (T/2E) A (F_Q + F_M)
    h = 1.0 - 0.5 * y

    def p(v, s):
        (a1, b1), (a2, b2), (ga, gb) = v
        c2 = FM * t / (2.0 * m)
        ca = s * 0.5 * y * (FQ + FM)
        return h * (-a1 * FQ + a2 * c2) + ca * ga, h * (-b1 * FQ + b2 * c2) + ca * gb

    pL0, pL1 = p(vL, 1.0)
    pR0, pR1 = p(vR, -1.0)
    K = (pL0 - pR0) * tr.kZ + pL1 * tr.kL - pR1 * tr.kR               # Tr[(P_L μ − μ P_R) κ†]
    # √(m/T (1 − T/E − mT/2E²)) = p sinθ /(√2 T)   (seed 000 eq. (6))
    root = kin.p_sin_theta(t, e, m, xp=xp) / (math.sqrt(2.0) * t)
    pref = G_F * ALPHA / (M_E * math.pi) * root
    Bs = pref * xp.imag(K)                                            # seed 002 eq. (22)
    Bc = -pref * xp.real(K)
    z = xp.zeros_like(A_w + A_m + Bs)
    return AzimuthalParts(xp.where(ok, A_w + A_m, z), xp.where(ok, Bs, z), xp.where(ok, Bc, z))


def _matrices(props, state, xp=jnp):
    rho = state.rho if hasattr(state, "rho") else state
    if xp is jnp:
        return mu_bohr(props), r2_natural(props), anapole_natural(props), jnp.asarray(rho)
    f = np.asarray
    return f(mu_bohr(props)), f(r2_natural(props)), f(anapole_natural(props)), f(rho)


def props_traces(props, state, *, antineutrino=False, weak_offset=None, xp=jnp) -> FlavorTraces:
    """:func:`flavor_traces` of an :class:`~nujax.em.EMProperties` (all four matrices) and a state."""
    q = millicharge_e(props)
    return flavor_traces(*_matrices(props, state, xp), majorana=props.majorana,
                         antineutrino=antineutrino, q_e=q if xp is jnp else np.asarray(q),
                         weak_offset=weak_offset, xp=xp)


def _as_float(x):
    """Array of ``x`` keeping a floating dtype (float32 stays float32), ints → default float."""
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(float)


def _check(props, state, enu, T, sin2w=None):
    if isinstance(props, EMProperties):
        props.validate()
    if hasattr(state, "validate"):
        state.validate()
    check_energy("enu", enu)
    check_energy("T", T)
    if sin2w is not None:
        check_probability("sin2w", sin2w)


def _mass(target):
    if target not in NUCLEON_MASS:
        raise ValueError(f"unknown nucleon target {target!r}; expected 'p' or 'n'")
    return NUCLEON_MASS[target]


@functools.partial(jax.jit, static_argnames=("target", "delta_s", "antineutrino"))
def _parts_jit(props, state, enu, T, sin2w, *, target, delta_s, antineutrino=False):
    m = NUCLEON_MASS[target]
    tr = props_traces(props, state, antineutrino=antineutrino)
    ff = nucleon_form_factors(2.0 * m * T, target, sin2w=sin2w, delta_s=delta_s)
    return nucleon_terms(enu, T, m, ff, tr, majorana=props.majorana, antineutrino=antineutrino)


def _check_anti(antineutrino):
    if not isinstance(antineutrino, bool):
        raise TypeError(f"antineutrino must be a bool (a static choice), got {antineutrino!r}")
    return antineutrino


def nucleon_parts(props, state, enu, T, *, target="p", sin2w=SIN2_THETA_W, delta_s=0.0,
                  antineutrino=False):
    """d²σ/dT dφ = Ã + B̃s sin φ + B̃c cos φ for ν + N → ν + N, N = p or n [MeV⁻³ rad⁻¹].

    seed 002 eqs. (22)–(24) (appendix A), with the decisions of the module docstring.

    Parameters
    ----------
    props : EMProperties
        μ [10⁻¹¹ μ_B], ⟨r²⟩ and a [10⁻³² cm²] (N×N).
    state : SpinFlavorState or array (2N, 2N)
        Spin-flavor density matrix in the basis (ν_R…, ν_L…) (seed 002 eq. (8)).
    enu, T : array_like
        Neutrino energy and nucleon recoil kinetic energy [MeV] (broadcast).
    target : {"p", "n"}
    sin2w : float
        sin²θ_W (seed reproductions: 0.23121, see the Table 1 test).
    delta_s : float
        Strange axial charge (0: strangeness off).
    antineutrino : bool
        ``state`` is a ν̄ beam (active ν̄_R in the R block); changes Dirac props only (module
        docstring). Default False.

    Returns
    -------
    AzimuthalParts
        (A, Bs, Bc), exactly 0 outside T_MIN ≤ T ≤ T_max.
    """
    _mass(target)
    _check(props, state, enu, T, sin2w)
    enu, T = jnp.broadcast_arrays(_as_float(enu), _as_float(T))
    return _parts_jit(props, state, enu, T, sin2w, target=target, delta_s=float(delta_s),
                      antineutrino=_check_anti(antineutrino))


def nucleon_dsigma_domega(props, state, enu, costheta, *, target="p", sin2w=SIN2_THETA_W,
                          delta_s=0.0, antineutrino=False):
    """dσ/dΩ = A(θ) + Bs sin φ + Bc cos φ [MeV⁻² sr⁻¹] at recoil angle θ (seed 002 eqs. (9), (12)).

    X(θ) = Eν √(T(T + 2m)³)/(m(Eν + m)) · X̃(T) with T(θ) from eq. (10); 0 for cosθ ≤ 0.
    """
    m = _mass(target)
    enu, c = jnp.broadcast_arrays(_as_float(enu), _as_float(costheta))
    T = kin.T_from_costheta(c, enu, m)
    parts = nucleon_parts(props, state, enu, T, target=target, sin2w=sin2w, delta_s=delta_s,
                          antineutrino=antineutrino)
    return parts.scale(kin.dT_dcostheta(T, enu, m))                   # seed 002 eq. (12)


def numpy_nucleon_parts(props, state, enu, T, *, target="p", sin2w=SIN2_THETA_W, delta_s=0.0,
                        antineutrino=False):
    """numpy baseline of :func:`nucleon_parts`: the same kernel evaluated with ``xp=numpy``."""
    m = _mass(target)
    anti = _check_anti(antineutrino)
    enu, T = np.broadcast_arrays(np.asarray(enu, float), np.asarray(T, float))
    tr = props_traces(props, state, antineutrino=anti, xp=np)
    ff = nucleon_form_factors(2.0 * m * T, target, sin2w=sin2w, delta_s=delta_s, xp=np)
    return nucleon_terms(enu, T, m, ff, tr, majorana=props.majorana, antineutrino=anti, xp=np)
