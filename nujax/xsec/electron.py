"""Neutrino–electron elastic scattering with a neutrino magnetic moment (seeds 000 and 001).

d²σ/dT dφ = (weak) + (em) + (interference) · cos(φ − φ_B)                      seed 000 eq. (1)

* weak: seed 000 eq. (2) (Dirac, weighted by the active fraction Pe) and eq. (7) (Majorana: the
  beam holds the active ν_ℓL with probability Pe and the converted antineutrino ν̄_ℓ'R with 1 − Pe);
  per unit azimuth it is seed 001 eq. (1) divided by 2π.
* em: seed 000 eq. (3) = seed 001 eq. (2) / 2π, with μ_ν in Bohr magnetons; both helicities scatter.
* interference: seed 000 eqs. (4)–(6) (Dirac, |ξ⊥| = 2√(Pe(1 − Pe))) and eqs. (8)–(10) (Majorana,
  |ξ⊥^{eμ̄}| = 2√(Pe P_μ̄), P_μ̄ = 1 − Pe). φ is the recoil-electron azimuth and φ_B the azimuth of
  the transverse neutrino polarization (along the solar field B⊙ in seed 000 Fig. 1).

Conventions and decisions
-------------------------
* Units: energies in MeV; the kernels return MeV⁻³ rad⁻¹ (d²σ/dTdφ), MeV⁻³ (dσ/dT) or MeV⁻² (dσ/dcosθ);
  :func:`nujax.xsec.common.to_cm2` converts on the host in float64 (float32 cm² values underflow).
  μ_ν enters as ``mu_1e11`` = μ_ν/(10⁻¹¹ μ_B).
* The Majorana interference bracket of seed 000 eq. (9) equals 2 [D(g_ℓ) + D(g_ℓ')], where
  D(g) = g_L + g_R (1 − T/Eν) is the Dirac bracket of eq. (5) evaluated with the effective
  couplings of each species (for ν̄_μR: g_L → g_R, g_R → g_μL). So eq. (8) is the sum of the two
  Dirac-like interferences — weak ν_eL → ν_eL with magnetic ν̄_μR → ν_eL, and weak ν̄_μR → ν̄_μR with
  magnetic ν_eL → ν̄_μR — which is how it is implemented for any active/partner pair.
* Magnitudes are checked against an explicit-spinor evaluation of the tree amplitudes
  (tests/xsec/spinor_reference.py): seed 000 eqs. (2), (4)–(6) and (7)–(10) hold exactly (so the
  Barbieri–Fiorentini weak term and the Vogel–Engel interference quoted in seed 000 are indeed off
  by a factor 2).
* Sign: ``mu_1e11`` is the magnetic moment of the neutrino *field*, one parameter for ν and ν̄
  (a Dirac ν̄ then carries the moment −μ_ν), with L = −(μ/2) ν̄ σ_{αβ} ν F^{αβ} (μ > 0: moment
  parallel to the spin), and φ_B is the azimuth of the spin polarization ξ⊥. In this convention the
  neutrino interference is **+**|eq. (4)| cos(φ − φ_B): seed 000 prints an overall minus in
  eq. (4), but its own eqs. (18)–(19) call 𝒜 = 2n_int/(π(n_weak + n_em)) "manifestly positive",
  seed 002 eq. (25) has the + sign, and the explicit-spinor evaluation agrees with seed 002. Dirac
  antineutrinos get the opposite sign (their own moment is −μ_ν). For Majorana pairs the overall
  sign is a rephasing convention (relative CP parity; seed 000 below eq. (6)); nujax uses + for
  every pair, which is the magnetic-type transition dipole of the spinor check; the general
  density-matrix formula with a CP-conserving, purely imaginary μ_eμ shows the same pattern turned by
  π/2. A sign flip is equivalent to φ_B → φ_B + π and never changes |𝒜| or any φ-integrated number.
* Physical region T_MIN ≤ T ≤ T_max(Eν) (:func:`nujax.kinematics.is_physical`, shared by every
  kernel). Outside it every term is exactly 0; at T = T_max the
  interference vanishes (|p| sinθ = 0). Square roots are guarded so gradients with respect to
  μ_ν, Pe and sin²θ_W are finite everywhere. At Pe ∈ {0, 1} the derivative of |ξ⊥| is unbounded;
  the guarded kernel returns 0 there, so fits should keep Pe in the open interval.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax._vectorize import pointwise
from nujax._validation import check_energy, check_finite, check_probability, is_concrete
from nujax.constants import ALPHA, G_F, M_E, MU_SCALE, SIN2_THETA_W
from nujax.couplings import Flavor, electron_couplings, parse_flavor
from nujax.em import MILLICHARGE_SCALE

__all__ = [
    "XsecParts",
    "electron_terms",
    "d2sigma_dT_dphi",
    "d2sigma_dT_dphi_amplitudes",
    "dsigma_dT",
    "dsigma_dcostheta",
    "d2sigma_dcostheta_dphi",
    "default_partner",
    "resolve_species",
    "species_couplings",
    "numpy_amplitudes",
    "numpy_dsigma_dT",
]

_TWO_PI = 2.0 * math.pi
#: ½ √2πα/(G_F m_e) [MeV]: half the millicharge shift of g_V per unit q_ν/T (electron_terms).
_Q_SHIFT = 0.5 * math.sqrt(2.0) * math.pi * ALPHA / (G_F * M_E)


class XsecParts(NamedTuple):
    """The three parts of a ν e cross section. For azimuth-resolved quantities ``interference`` is
    the amplitude multiplying cos(φ − φ_B) when returned by the ``*_amplitudes`` kernels, and the
    value at φ otherwise; for azimuth-integrated quantities it is exactly 0."""

    weak: object
    em: object
    interference: object

    @property
    def total(self):
        return self.weak + self.em + self.interference


def electron_terms(enu, T, mu_1e11, pe, gL, gR, gLp, gRp, *, majorana: bool, antineutrino: bool = False,
                   q_e=0.0, xp=jnp):
    """Per-unit-azimuth weak, em and cos(φ − φ_B)-amplitude of d²σ/dT dφ [MeV⁻³ rad⁻¹].

    The one closed-form kernel behind every ν e cross section in nujax, written against the array
    namespace ``xp`` so that the numpy baseline evaluates exactly the same formula. Elementwise and
    broadcasting: one point is one call.

    Parameters
    ----------
    enu, T : array_like
        Neutrino energy and electron recoil kinetic energy [MeV].
    mu_1e11 : array_like
        Magnetic moment (Dirac μ_ν or Majorana transition μ_12) in units of 10⁻¹¹ μ_B.
    pe : array_like
        Probability of the active (left-handed for ν, right-handed for ν̄) initial species.
    gL, gR : array_like
        Effective couplings of the active species (:func:`nujax.couplings.electron_couplings`).
    gLp, gRp : array_like
        Effective couplings of the Majorana partner species (ignored for Dirac).
    majorana : bool
        Dirac (seed 000 eqs. (2)–(6)) or Majorana transition moment (eqs. (7)–(10)).
    antineutrino : bool
        Active species is an antineutrino: for Dirac moments the interference changes sign
        (the ν̄ moment is −μ_ν; see the module docstring).
    q_e : array_like
        Dirac millicharge q_ν in units of e (default 0). Photon exchange f_Q/q² (nujax.em) shifts
        the vector coupling, g_V → g_V − √2πα q_ν/(G_F m_e T), i.e. g_L and g_R by half of it, for
        ν and ν̄ alike (q_ν is C-odd like ⟨r²⟩, nujax.xsec.electron_density_matrix); the sterile
        helicity (1 − Pe) scatters through it alone; the interference is unchanged (the vector
        parts of both helicities cancel in it, as for ⟨r²⟩). Majorana: 0 only.
    """
    ok, e, t = kin.physical_point(enu, T, M_E, xp=xp)                      # the one physical region
    inv_e = 1.0 / e
    inv_t = 1.0 / t
    y = 1.0 - t * inv_e
    kappa = mu_1e11 * MU_SCALE
    weak_norm = G_F * G_F * M_E / (math.pi * math.pi)                       # seed 000 eq. (2) prefactor
    mt_e2 = M_E * t * inv_e * inv_e
    half = -_Q_SHIFT * q_e * inv_t                                            # ½ δg_V, Q² = 2 m_e T
    gLq, gRq = gL + half, gR + half
    weak = pe * (gLq * gLq + gRq * gRq * y * y - gLq * gRq * mt_e2)           # seed 000 eq. (2)
    if not majorana:
        weak = weak + (1.0 - pe) * half * half * (1.0 + y * y - mt_e2)        # sterile ν_R: photon only
    if majorana:
        weak = weak + (1.0 - pe) * (gLp * gLp + gRp * gRp * y * y - gLp * gRp * mt_e2)  # seed 000 eq. (7)
    weak = weak_norm * weak
    em = (ALPHA * ALPHA / (2.0 * M_E * M_E)) * kappa * kappa * (inv_t - inv_e)    # seed 000 eq. (3)
    # |ξ⊥| = 2√(Pe(1 − Pe)) (Dirac, seed 000 below eq. (5)); 2√(Pe P_μ̄), P_μ̄ = 1 − Pe (Majorana, eq. (10))
    xi = 2.0 * kin._safe_sqrt(xp, pe * (1.0 - pe))
    p_perp = kin.p_sin_theta(t, e, M_E, xp=xp)                   # |p| sinθ = √(2m_eT(1 − T/T_max)), seed 000 eq. (6)
    bracket = gL + gR * y                                                     # seed 000 eq. (5)
    if majorana:
        bracket = bracket + gLp + gRp * y                                     # seed 000 eq. (9) = 2[D + D']
    c_int = ALPHA * G_F / (2.0 * math.sqrt(2.0) * math.pi * M_E)   # |seed 000 eq. (4), (8)|, sign: module doc
    if antineutrino and not majorana:
        c_int = -c_int                                                        # Dirac ν̄: moment −μ_ν
    inter = c_int * inv_t * kappa * p_perp * xi * bracket
    zero = xp.zeros_like(weak + em + inter)
    return (
        xp.where(ok, weak, zero),
        xp.where(ok, em, zero),
        xp.where(ok, inter, zero),
    )


def default_partner(flavor: Flavor) -> Flavor:
    """Majorana partner species for a transition moment: ν_e ↔ ν̄_μ (seed 000 sec. II), else ν̄_e."""
    partner = Flavor.NUMUBAR if flavor.lepton == "e" else Flavor.NUEBAR
    return partner if not flavor.is_antineutrino else partner.conjugate


def resolve_species(flavor, kind, partner):
    """(active species, Majorana partner or None) from the user's ``flavor``/``kind``/``partner``,
    with a clear ``ValueError`` for an impossible choice."""
    f = parse_flavor(flavor)
    if kind not in ("dirac", "majorana"):
        raise ValueError(f"kind must be 'dirac' or 'majorana', got {kind!r}")
    p = None
    if kind == "majorana":
        p = default_partner(f) if partner is None else parse_flavor(partner)
        if p.is_antineutrino == f.is_antineutrino:
            raise ValueError(
                f"a Majorana transition moment connects a neutrino to an antineutrino; "
                f"got {f.value} and partner {p.value}"
            )
        if p.lepton == f.lepton:
            raise ValueError("a Majorana moment matrix is antisymmetric: the partner must differ in flavor")
    return f, p


def species_couplings(f, p, sin2w):
    """(g_L, g_R, g_L', g_R') of the active species and of the Majorana partner (0 if none)."""
    gL, gR = electron_couplings(f, sin2w)
    gLp, gRp = electron_couplings(p, sin2w) if p is not None else (0.0, 0.0)
    return gL, gR, gLp, gRp


def _validate(enu, T, mu_1e11, pe, sin2w, costheta=None):
    check_energy("enu", enu)
    if T is not None:
        check_energy("T", T)
    check_finite("mu_1e11", mu_1e11)
    check_probability("pe", pe)
    check_probability("sin2w", sin2w)
    if costheta is not None:
        check_finite("costheta", costheta)


@functools.partial(jax.jit, static_argnames=("flavor", "partner", "majorana", "mode"))
def _parts_jit(enu, T, phi, mu_1e11, pe, phi_B, sin2w, q_e=0.0, *, flavor, partner, majorana, mode):
    """mode: 'amplitude' (cos coefficient), 'phi' (value at φ) or 'integrated' (∫dφ)."""
    gL, gR, gLp, gRp = species_couplings(flavor, partner, sin2w)

    def point(e, t, ph, mu, p, phb):
        w, m, i = electron_terms(e, t, mu, p, gL, gR, gLp, gRp, majorana=majorana,
                                 antineutrino=flavor.is_antineutrino, q_e=q_e)
        if mode == "phi":
            i = i * jnp.cos(ph - phb)
        elif mode == "integrated":
            w, m, i = _TWO_PI * w, _TWO_PI * m, jnp.zeros_like(i)
        return w, m, i

    # one point per kernel call, vmapped at the API boundary
    return XsecParts(*pointwise(point, enu, T, phi, mu_1e11, pe, phi_B))


def _millicharge(q_1e12, kind):
    """q_ν [e] from ``millicharge_1e12`` (scalar, Dirac only)."""
    check_finite("millicharge_1e12", q_1e12)
    if kind == "majorana" and is_concrete(q_1e12) and np.any(np.asarray(q_1e12) != 0):
        raise ValueError("millicharge_1e12: a Majorana neutrino has no diagonal millicharge; use the "
                         "density-matrix cross sections for transition millicharges")
    return q_1e12 * MILLICHARGE_SCALE


def _call(mode, enu, T, phi, mu_1e11, pe, phi_B, flavor, kind, partner, sin2w, q_1e12=0.0):
    _validate(enu, T, mu_1e11, pe, sin2w)
    check_finite("phi", phi)
    check_finite("phi_B", phi_B)
    f, p = resolve_species(flavor, kind, partner)
    q_e = _millicharge(q_1e12, kind)
    return _parts_jit(enu, T, phi, mu_1e11, pe, phi_B, sin2w, q_e, flavor=f, partner=p,
                      majorana=kind == "majorana", mode=mode)


def d2sigma_dT_dphi_amplitudes(enu, T, mu_1e11=0.0, pe=1.0, *, flavor="nue", kind="dirac",
                               partner=None, sin2w=SIN2_THETA_W, millicharge_1e12=0.0) -> XsecParts:
    """(weak, em, interference amplitude) of d²σ/dT dφ [MeV⁻³ rad⁻¹]; see :func:`d2sigma_dT_dphi`.

    The interference entry is the coefficient of cos(φ − φ_B) (n_int of seed 000 eq. (12) per
    electron and unit flux).
    """
    return _call("amplitude", enu, T, 0.0, mu_1e11, pe, 0.0, flavor, kind, partner, sin2w,
                 millicharge_1e12)


def d2sigma_dT_dphi(enu, T, phi, mu_1e11=0.0, pe=1.0, phi_B=0.0, *, flavor="nue", kind="dirac",
                    partner=None, sin2w=SIN2_THETA_W, millicharge_1e12=0.0) -> XsecParts:
    """Double differential cross section d²σ/dT dφ [MeV⁻³ rad⁻¹], split into its three parts.

    seed 000 eq. (1): weak (eq. 2 or 7) + em (eq. 3) + interference (eqs. 4–6 or 8–10) · cos(φ − φ_B).

    Parameters
    ----------
    enu : array_like
        Neutrino energy Eν [MeV].
    T : array_like
        Recoil-electron kinetic energy [MeV].
    phi : array_like
        Recoil-electron azimuth [rad] around the neutrino direction.
    mu_1e11 : array_like, optional
        μ_ν (Dirac) or μ_12 (Majorana) in units of 10⁻¹¹ μ_B. Default 0 (Standard Model).
    pe : array_like, optional
        Probability of the active initial species (seed 000's survival probability Pe). Default 1.
    phi_B : array_like, optional
        Azimuth of the transverse polarization ξ⊥ [rad]. Default 0.
    flavor : str or Flavor, keyword-only
        Active species: ν_e, ν_μ, ν_τ or an antineutrino (g_L ↔ g_R).
    kind : {'dirac', 'majorana'}
        Dirac diagonal moment (ν_L → ν_R) or Majorana transition moment (ν_eL → ν̄_μR).
    partner : str or Flavor, optional
        Majorana partner species; default ν̄_μ for ν_e (seed 000), ν̄_e otherwise.
    sin2w : array_like
        sin²θ_W; default the low-energy MS-bar value (:data:`nujax.constants.SIN2_THETA_W`).
    millicharge_1e12 : array_like, optional
        Dirac millicharge q_ν [10⁻¹² e] (:func:`electron_terms`); default 0.

    Returns
    -------
    XsecParts
        ``weak``, ``em``, ``interference`` [MeV⁻³ rad⁻¹]; ``.total`` is their sum. Exactly 0
        outside T_MIN ≤ T ≤ T_max(Eν) (:func:`nujax.kinematics.is_physical`).

    Examples
    --------
    >>> import nujax
    >>> nujax.enable_x64()
    >>> parts = d2sigma_dT_dphi(0.4, 0.1, 0.0, mu_1e11=3.0, pe=0.5, sin2w=0.23)
    >>> bool(parts.interference > 0)
    True
    """
    return _call("phi", enu, T, phi, mu_1e11, pe, phi_B, flavor, kind, partner, sin2w,
                 millicharge_1e12)


def dsigma_dT(enu, T, mu_1e11=0.0, pe=1.0, *, flavor="nue", kind="dirac", partner=None,
              sin2w=SIN2_THETA_W, millicharge_1e12=0.0) -> XsecParts:
    """dσ/dT [MeV⁻³] = 2π × (weak + em) of seed 000; the interference integrates to 0 over φ.

    Identical to seed 001 eqs. (1)–(2) (normalization 2 m_e G_F²/π and π α² μ²/m_e²).

    >>> import nujax
    >>> nujax.enable_x64()
    >>> from nujax.constants import cm2_from_natural
    >>> sig = dsigma_dT(1.0, 0.2, sin2w=0.23)
    >>> f"{float(cm2_from_natural(sig.weak)):.3e}"
    '9.471e-45'
    """
    return _call("integrated", enu, T, 0.0, mu_1e11, pe, 0.0, flavor, kind, partner, sin2w,
                 millicharge_1e12)


def d2sigma_dcostheta_dphi(enu, costheta, phi, mu_1e11=0.0, pe=1.0, phi_B=0.0, *, flavor="nue",
                           kind="dirac", partner=None, sin2w=SIN2_THETA_W) -> XsecParts:
    """d²σ/dcosθ dφ = dσ/dΩ [MeV⁻² sr⁻¹] for a monochromatic neutrino (seed 002 eq. (12)).

    The recoil energy is fixed by the angle, T = T(cosθ, Eν) (seed 001 eq. (4)); the Jacobian is
    |dT/dcosθ| = Eν √(T (T+2m_e)³)/(m_e (Eν + m_e)). Zero for cosθ ≤ 0 (electrons recoil forward).
    """
    _validate(enu, None, mu_1e11, pe, sin2w, costheta)
    T = kin.T_from_costheta(costheta, enu, M_E)
    jac = kin.dT_dcostheta(T, enu, M_E)
    parts = d2sigma_dT_dphi(enu, T, phi, mu_1e11, pe, phi_B, flavor=flavor, kind=kind,
                            partner=partner, sin2w=sin2w)
    return XsecParts(*(jac * x for x in parts))


def dsigma_dcostheta(enu, costheta, mu_1e11=0.0, pe=1.0, *, flavor="nue", kind="dirac",
                     partner=None, sin2w=SIN2_THETA_W) -> XsecParts:
    """dσ/dcosθ [MeV⁻²] for a monochromatic neutrino: dσ/dT · |dT/dcosθ| (seed 001 eq. (5))."""
    _validate(enu, None, mu_1e11, pe, sin2w, costheta)
    T = kin.T_from_costheta(costheta, enu, M_E)
    jac = kin.dT_dcostheta(T, enu, M_E)
    parts = dsigma_dT(enu, T, mu_1e11, pe, flavor=flavor, kind=kind, partner=partner, sin2w=sin2w)
    return XsecParts(*(jac * x for x in parts))


def numpy_amplitudes(enu, T, mu_1e11=0.0, pe=1.0, *, flavor="nue", kind="dirac", partner=None,
                     sin2w=SIN2_THETA_W) -> XsecParts:
    """numpy baseline of :func:`d2sigma_dT_dphi_amplitudes`: the same kernel evaluated with ``xp=numpy``."""
    f, p = resolve_species(flavor, kind, partner)
    gL, gR, gLp, gRp = species_couplings(f, p, sin2w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return XsecParts(*electron_terms(np.asarray(enu, float), np.asarray(T, float), mu_1e11, pe,
                                         gL, gR, gLp, gRp, majorana=kind == "majorana",
                                         antineutrino=f.is_antineutrino, xp=np))


def numpy_dsigma_dT(enu, T, mu_1e11=0.0, pe=1.0, **kw) -> XsecParts:
    """numpy baseline of :func:`dsigma_dT`."""
    a = numpy_amplitudes(enu, T, mu_1e11, pe, **kw)
    return XsecParts(_TWO_PI * a.weak, _TWO_PI * a.em, np.zeros_like(a.interference))
