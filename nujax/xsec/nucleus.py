"""Coherent elastic ν–nucleus scattering (spin-0 nucleus) with neutrino EM properties (seed 002).

d²σ/dT dφ = Ã + B̃s sin φ + B̃c cos φ from seed 002 eqs. (15)–(16) [MeV⁻³ rad⁻¹]:

  Ã  = G_F² M/(2π²) (1 − T/Eν − MT/(2Eν²)) C_V^Nucl + α²|μ|²/(2m_e²) (1/T − 1/Eν + T/(4Eν²)) 𝓕_Q²
  B̃s = αG_F/(π m_e) √(MT(1 − T/Eν − MT/(2Eν²))) (1/T − 1/(2Eν)) Im K,   B̃c = −(same) Re K,
  K  = Tr[μκ†] 𝓕_Q 𝓕₁ + (4√2πα/G_F) Tr[aμκ†] 𝓕_Q²   (commuting matrices; general form below).

Decisions
---------
* Misprint in eq. (15): the magnetic bracket reads "1/T − 1/Eν + T²/(4Eν²)", which is not
  dimensionally consistent; it is 1/T − 1/Eν + T/(4Eν²) = T (1/T − 1/(2Eν))², the spin-0 magnetic
  cross section (and the only choice for which the interference of eq. (15) is the cross term of a
  perfect square |weak amplitude + magnetic amplitude|², checked in the tests).
* Helicity blocks, the right-handed helicity-conserving term (Q^R = (2√2πα/G_F)(⟨r²⟩/6 + a)), the
  Majorana right-helicity couplings and the matrix ordering are as in :mod:`nujax.xsec.nucleon`;
  for a spin-0 target the formula is exactly Tr[M ρ M†] with the amplitude matrix M, hence ≥ 0.
* Form factors (eq. (16)): 𝓕_Q(q) = Z F_p(q), 𝓕₁(q) = Z g_V^p F_p(q) + N g_V^n F_n(q), F_p, F_n
  Helm form factors at the three-momentum transfer |q| = √(T² + 2MT). Weak couplings
  (``weak_charges``): "radiative" (default) the low-energy couplings with SM radiative
  corrections of :data:`nujax.nuclei.NUCLEON_COUPLINGS_RC`; "tree" g_V^p = ½ − 2 sin²θ_W,
  g_V^n = −½ (F1^N(0), seed 002 Table 1; seed reproductions). With radiative corrections g_V^p
  depends on the flavor (through the SM charge radii): 𝓕₁ uses the ν_μ value and the
  difference D_ℓ = g_V^p(ν_ℓ) − g_V^p(ν_μ), flavor-diagonal, enters like a charge radius,
  Q^L → Q^L − D (since the proton part of 𝓕₁ has the charge form factor, −𝓕₁ − 𝓕_Q D is the
  coupling with g_V^p(ν_ℓ)); :func:`weak_offset` builds D in the basis of the EM matrices.
  Do not add the SM charge radii of :meth:`nujax.em.EMProperties.sm_charge_radii` on top of the
  radiative couplings: they are included. F_p uses the measured rms charge radius
  (:mod:`nujax.nuclei`), F_n the radius plus ``skin_fm`` (neutron skin; 0 by default), so the weak
  and charge form factors differ as soon as a skin is given.
* Dirac antineutrino beams (``antineutrino=True``; derivation in
  :mod:`nujax.xsec.electron_density_matrix`): the weak vector coupling moves to the R block (the
  active ν̄_R, a = +𝓕₁ as for Majorana), the L block (sterile ν̄_L) keeps the EM coupling only, and
  the traces use the conjugate field's Q^L → −(Q^R)ᵀ, Q^R → −(Q^L)ᵀ, μ → −μᵀ
  (:func:`nujax.xsec.nucleon.flavor_traces`). The coupling of the active ν̄ is
  𝓕₁ − 𝓕_Q (Q^L)ᵀ = −(−𝓕₁ + 𝓕_Q Q^L)ᵀ: the weak charge and the charge-radius term both flip
  sign, so for a diagonal ⟨r²⟩ the ν̄ and ν cross sections are equal (the ⟨r²⟩ correction to the
  weak charge is the same for ν̄; only the interference with μ changes sign, ν̄ carrying −μ).
  This path needed the change: with the Dirac R block sterile, a ν̄ beam had no weak charge.
* Natural elements are abundance-weighted sums over their isotopes (each with its own mass and
  kinematics); odd isotopes contribute their coherent part only.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax.constants import ALPHA, G_F, M_E, SIN2_THETA_W
from nujax.couplings import parse_flavor
from nujax.em import pmns as _pmns
from nujax.nuclei import get_nucleus, nucleon_vector_couplings
from nujax.xsec.common import AzimuthalParts
from nujax.xsec.form_factors import HELM_S_FM, helm_form_factor, helm_r0_from_rms
from nujax.xsec.nucleon import FlavorTraces, _as_float, _check, _check_anti, props_traces

__all__ = ["nucleus_terms", "nucleus_couplings", "nucleus_energy_factors", "nucleus_form_factors",
           "weak_offset", "nucleus_parts", "nucleus_dsigma_domega", "numpy_nucleus_parts",
           "cevns_sm_dsigma_dT"]


def nucleus_couplings(T, M, FQ, F1, tr: FlavorTraces, *, majorana: bool, antineutrino: bool = False,
                      xp=jnp):
    """The recoil-only factors of seed 002 eq. (15) at T [MeV]: (C_V^Nucl, |μ|² 𝓕_Q², K).

    C_V^Nucl is the helicity-summed vector coupling of the weak term, |μ|² 𝓕_Q² the magnetic
    strength and K the complex interference amplitude; all depend on T only (through 𝓕_Q, 𝓕₁ and
    the millicharge Q² = 2MT), so a caller folding over many Eν at one T computes them once.
    :func:`nucleus_energy_factors` carries the Eν dependence (:func:`nucleus_terms` combines them).
    """
    t = xp.where(T >= kin.T_MIN, T, 1.0)                              # guard (GUIDE §4.6)
    tr = tr.at_momentum_transfer(2.0 * M * t)                         # millicharge: Q² = 2MT
    # helicity-conserving vector couplings a·𝟙 + b·Q^h (seed 002 eq. (16))
    dirac_bar = antineutrino and not majorana
    aL, bL = (0.0 * F1, FQ) if dirac_bar else (-F1, FQ)                 # Dirac ν̄_L: sterile
    aR, bR = (F1, FQ) if (majorana or dirac_bar) else (0.0 * F1, FQ)   # ν̄_R: −(ν_L coupling)ᵀ
    cV = (aL * aL * tr.tL0 + 2.0 * aL * bL * tr.tL1 + bL * bL * tr.tL2
          + aR * aR * tr.tR0 + 2.0 * aR * bR * tr.tR1 + bR * bR * tr.tR2)
    # K = Tr[(P_L μ − μ P_R) κ†], P_h = −X^h 𝓕_Q  →  𝓕₁𝓕_Q Tr[μκ†] + 2(2√2πα/G_F) 𝓕_Q² Tr[aμκ†]
    K = (-aL + aR) * FQ * tr.kZ - bL * FQ * tr.kL + bR * FQ * tr.kR
    return cV, tr.mu2 * FQ * FQ, K


def nucleus_energy_factors(enu, T, M, *, xp=jnp):
    """(ok, f_w, f_m, f_i): the Eν-dependent factors of seed 002 eq. (15) [MeV⁻³ per unit coupling].

    Ã = f_w C_V^Nucl + f_m |μ|² 𝓕_Q², B̃s = f_i Im K, B̃c = −f_i Re K with the couplings of
    :func:`nucleus_couplings`; ``ok`` is the physical region (the factors are finite everywhere and
    meant to be zeroed outside it).
    """
    ok, e, t = kin.physical_point(enu, T, M, xp=xp)                   # the one physical region
    kin_w = xp.maximum(1.0 - t / e - M * t / (2.0 * e * e), 0.0)      # = 1 − T/T_max ≥ 0
    f_w = G_F * G_F * M / (2.0 * math.pi ** 2) * kin_w                # seed 002 eq. (15)
    f_m = ALPHA ** 2 / (2.0 * M_E ** 2) * (1.0 / t - 1.0 / e + t / (4.0 * e * e))
    # √(MT(1 − T/E − MT/2E²)) (1/T − 1/2E) = p sinθ/√2 · (1/T − 1/2E)   (seed 000 eq. (6))
    root = kin.p_sin_theta(t, e, M, xp=xp) / math.sqrt(2.0) * (1.0 / t - 0.5 / e)
    return ok, f_w, f_m, ALPHA * G_F / (math.pi * M_E) * root          # seed 002 eq. (15)


def nucleus_terms(enu, T, M, FQ, F1, tr: FlavorTraces, *, majorana: bool, antineutrino: bool = False,
                  xp=jnp) -> AzimuthalParts:
    """Kernel of seed 002 eq. (15): (Ã, B̃s, B̃c) [MeV⁻³ rad⁻¹] for a spin-0 nucleus of mass M [MeV].

    ``FQ``, ``F1`` are 𝓕_Q and 𝓕₁ of eq. (16) at the point (arrays broadcasting with ``enu``, ``T``);
    ``tr`` from :func:`nujax.xsec.nucleon.flavor_traces` with the same ``antineutrino`` (Dirac ν̄
    beam, module docstring; ignored for Majorana). Exactly 0 outside T_MIN ≤ T ≤ T_max.
    """
    ok, f_w, f_m, f_i = nucleus_energy_factors(enu, T, M, xp=xp)
    cV, m2, K = nucleus_couplings(T, M, FQ, F1, tr, majorana=majorana, antineutrino=antineutrino,
                                  xp=xp)
    A = f_w * cV + f_m * m2                                           # seed 002 eq. (15)
    Bs, Bc = f_i * xp.imag(K), -f_i * xp.real(K)
    z = xp.zeros_like(A + Bs)
    return AzimuthalParts(xp.where(ok, A, z), xp.where(ok, Bs, z), xp.where(ok, Bc, z))


def nucleus_form_factors(iso, T, *, sin2w=SIN2_THETA_W, skin_fm=0.0, s_fm=HELM_S_FM,
                         weak_charges="radiative", xp=jnp):
    """(𝓕_Q, 𝓕₁) of seed 002 eq. (16) for one isotope at recoil T [MeV] (Helm, module docstring);
    𝓕₁ with the ν_μ couplings of ``weak_charges`` (flavor differences: :func:`weak_offset`)."""
    q = kin.p_recoil(T, iso.mass, xp=xp)
    fp = helm_form_factor(q, helm_r0_from_rms(iso.r_charge_fm, s_fm, xp=xp), s_fm, xp=xp)
    if isinstance(skin_fm, (int, float)) and skin_fm == 0.0:          # no skin: F_n = F_p
        fn = fp
    else:
        fn = helm_form_factor(q, helm_r0_from_rms(iso.r_charge_fm + skin_fm, s_fm, xp=xp), s_fm,
                              xp=xp)
    gvp, gvn = nucleon_vector_couplings("numu", weak_charges, sin2w)  # seed 002 Table 1 / RC
    return iso.Z * fp, iso.Z * gvp * fp + iso.N * gvn * fn            # seed 002 eq. (16)


def weak_offset(n, *, basis="flavor", U=None, flavor="nue", weak_charges="radiative", dtype=None,
                xp=jnp):
    """D = diag_ℓ(g_V^p(ν_ℓ) − g_V^p(ν_μ)) in the basis of the EM matrices (N×N; None at tree level).

    N = 1: the entry of ``flavor``; mass basis: U† D U with ``U`` (default :func:`nujax.em.pmns`).
    ``dtype``: real dtype of the EM matrices (float32 stays float32).
    """
    if weak_charges == "tree":
        nucleon_vector_couplings("numu", weak_charges)               # validates the name
        return None
    ref = nucleon_vector_couplings("numu", weak_charges)[0]
    d = [nucleon_vector_couplings(f, weak_charges)[0] - ref for f in ("nue", "numu", "nutau")]
    if n == 1:
        return xp.asarray([[d[parse_flavor(flavor).index]]], dtype=dtype)
    D = xp.diag(xp.asarray(d, dtype=dtype))
    if basis == "mass":
        U = xp.asarray(_pmns() if U is None else U)
        U = U.astype(xp.result_type(D.dtype, xp.complex64))
        return xp.conj(U).T @ D @ U
    return D


def _sum_isotopes(nuc, enu, T, tr, majorana, sin2w, skin_fm, xp, antineutrino=False,
                  weak_charges="radiative"):
    total = None
    for iso, w in nuc.isotopes:
        FQ, F1 = nucleus_form_factors(iso, T, sin2w=sin2w, skin_fm=skin_fm,
                                      weak_charges=weak_charges, xp=xp)
        p = nucleus_terms(enu, T, iso.mass, FQ, F1, tr, majorana=majorana, antineutrino=antineutrino,
                          xp=xp).scale(w)
        total = p if total is None else AzimuthalParts(*(a + b for a, b in zip(total, p)))
    return total


@functools.partial(jax.jit, static_argnames=("nucleus", "skin_fm", "antineutrino", "weak_charges",
                                             "flavor"))
def _parts_jit(props, state, enu, T, sin2w, U=None, *, nucleus, skin_fm, antineutrino=False,
               weak_charges="radiative", flavor="nue"):
    nuc = get_nucleus(nucleus)
    off = weak_offset(props.n_flavors, basis=props.basis, U=U, flavor=flavor,
                      weak_charges=weak_charges, dtype=jnp.real(props.r2).dtype)
    tr = props_traces(props, state, antineutrino=antineutrino, weak_offset=off)
    return _sum_isotopes(nuc, enu, T, tr, props.majorana, sin2w, skin_fm, jnp, antineutrino,
                         weak_charges)


def _flavor_label(flavor):
    if flavor is None:
        return "nue"
    return parse_flavor(flavor).value


def nucleus_parts(props, state, enu, T, *, nucleus="Ar40", sin2w=SIN2_THETA_W, skin_fm=0.0,
                  antineutrino=False, weak_charges="radiative", flavor="nue", pmns=None):
    """d²σ/dT dφ = Ã + B̃s sin φ + B̃c cos φ for CEνNS on a spin-0 nucleus [MeV⁻³ rad⁻¹].

    Parameters
    ----------
    props : EMProperties
        μ [10⁻¹¹ μ_B], ⟨r²⟩ and a [10⁻³² cm²].
    state : SpinFlavorState or array (2N, 2N)
        Spin-flavor density matrix, basis (ν_R…, ν_L…) (seed 002 eq. (8)).
    enu, T : array_like
        Neutrino energy and nuclear recoil kinetic energy [MeV] (broadcast).
    nucleus : str
        A name known to :func:`nujax.nuclei.get_nucleus` ("Ar40", "Xe132", "Xe", "Ge", "Na23",
        "I127", "Cs133" …); unknown names raise ``ValueError``.
    sin2w : float
        sin²θ_W.
    skin_fm : float
        Neutron-skin thickness r_n − r_p [fm] of the weak form factor (0: equal to the charge one).
    antineutrino : bool
        ``state`` is a ν̄ beam (active ν̄_R in the R block, e.g.
        ``SpinFlavorState.right_handed("nuebar", n)``); changes Dirac props only (module
        docstring). Default False.
    weak_charges : {"radiative", "tree"}
        Weak couplings of the nucleons (module docstring); default "radiative".
    flavor : str
        N = 1 only: the flavor of the single state (sets the radiative g_V^p); default ν_e.
    pmns : array (3, 3), optional
        Mixing matrix for mass-basis props (radiative couplings are flavor diagonal).

    >>> from nujax.em import EMProperties
    >>> rho = jnp.diag(jnp.array([0.0, 1.0 + 0j]))        # one left-handed flavor
    >>> p = nucleus_parts(EMProperties.zero(1), rho, 10.0, 1e-4, nucleus="Ar40")
    >>> bool(p.A > 0), float(p.Bc) == 0.0
    (True, True)
    """
    name = get_nucleus(nucleus).name                                  # clear error if unknown
    _check(props, state, enu, T, sin2w)
    weak_offset(1, weak_charges=weak_charges, flavor=flavor)           # clear errors
    enu, T = jnp.broadcast_arrays(_as_float(enu), _as_float(T))
    U = None if pmns is None else jnp.asarray(pmns)
    return _parts_jit(props, state, enu, T, sin2w, U, nucleus=name, skin_fm=float(skin_fm),
                      antineutrino=_check_anti(antineutrino), weak_charges=weak_charges,
                      flavor=_flavor_label(flavor))


def nucleus_dsigma_domega(props, state, enu, costheta, *, nucleus="Ar40", sin2w=SIN2_THETA_W,
                          skin_fm=0.0, antineutrino=False, weak_charges="radiative", flavor="nue",
                          pmns=None):
    """dσ/dΩ = A(θ) + Bs sin φ + Bc cos φ [MeV⁻² sr⁻¹] (seed 002 eqs. (9), (12)); single isotopes only.

    A natural element has no single T(θ) (each isotope its own mass), so it raises ``ValueError``.
    """
    nuc = get_nucleus(nucleus)
    if len(nuc.isotopes) != 1:
        raise ValueError(f"dσ/dΩ needs a single isotope, {nuc.name!r} is a natural mixture")
    enu, c = jnp.broadcast_arrays(_as_float(enu), _as_float(costheta))
    T = kin.T_from_costheta(c, enu, nuc.mass)
    parts = nucleus_parts(props, state, enu, T, nucleus=nuc.name, sin2w=sin2w, skin_fm=skin_fm,
                          antineutrino=antineutrino, weak_charges=weak_charges, flavor=flavor,
                          pmns=pmns)
    return parts.scale(kin.dT_dcostheta(T, enu, nuc.mass))            # seed 002 eq. (12)


def numpy_nucleus_parts(props, state, enu, T, *, nucleus="Ar40", sin2w=SIN2_THETA_W, skin_fm=0.0,
                        antineutrino=False, weak_charges="radiative", flavor="nue", pmns=None):
    """numpy baseline of :func:`nucleus_parts` (the same kernel with ``xp=numpy``)."""
    nuc = get_nucleus(nucleus)
    anti = _check_anti(antineutrino)
    enu, T = np.broadcast_arrays(np.asarray(enu, float), np.asarray(T, float))
    off = weak_offset(props.n_flavors, basis=props.basis, U=None if pmns is None else np.asarray(pmns),
                      flavor=flavor, weak_charges=weak_charges, dtype=float, xp=np)
    tr = props_traces(props, state, antineutrino=anti, weak_offset=off, xp=np)
    return _sum_isotopes(nuc, enu, T, tr, props.majorana, sin2w, skin_fm, np, anti, weak_charges)


def cevns_sm_dsigma_dT(enu, T, nucleus="Ar40", *, sin2w=SIN2_THETA_W):
    """Textbook point-nucleus CEνNS dσ/dT = G_F² M Q_W²/(4π) (1 − MT/(2Eν²)) [MeV⁻³] (D. Z. Freedman,
    Phys. Rev. D 9 (1974) 1389; D. Akimov et al., Science 357 (2017) 1123 with F = 1),
    Q_W = Z(1 − 4 sin²θ_W) − N, single isotope, left-handed ν: an independent reference for the
    q → 0 normalisation of eq. (15) (it drops the T/Eν term and the form factor)."""
    nuc = get_nucleus(nucleus)
    qw = nuc.Z * (1.0 - 4.0 * sin2w) - nuc.N
    ok = kin.is_physical(enu, T, nuc.mass)
    val = G_F ** 2 * nuc.mass * qw ** 2 / (4.0 * math.pi) * (1.0 - nuc.mass * T / (2.0 * enu ** 2))
    return jnp.where(ok, val, 0.0)
