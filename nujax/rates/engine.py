"""The folding engine, generic in the target: counts per bin from a spectrum, a target and a detector.

Event number (seed 000 eq. (11)): for every scatterer of the material (a target component: the
electrons, or each isotope of each element), dN = N_c t Σ_i Φ_i ∫dT R(T) ∫_{Eν_min(T)} dEν λ_i(Eν)
d²σ/dTdφ, where R is the detector response (efficiency at the measured energy, the energy
resolution, the binding steps and the threshold). The per-point cross section comes from the
target (:mod:`nujax.targets`) as three channels — (weak, em per μ², interference per μ) in the
compact parametrisation, (Ã, B̃s, B̃c) in the density-matrix one — and the engine never needs
to know which.

Quadrature (GUIDE §4.7–4.8). Every T integral runs over an interval whose ends move with the
parameters (bin edges ∩ [threshold, T_max(E)] ∩ [B_shell, ·] ∩ the T-range of a cosθ bin) and is
mapped onto u ∈ [0, 1]; lines and the continuum are separate segments, so no integrand has a step
inside an interval. The Eν integral starts at Eν_min(T) (a cosθ edge c maps to the Eν edge
Eν(T, c) = M T/(p c − T), seed 001 eq. (4) inverted, M the target mass) and uses the composite
Gauss–Legendre rule of :func:`nujax.sources.fold` on the continuum. Cross sections stay in natural
units (MeV⁻ⁿ) and are converted with one host-side factor (ħc)² · N_c per tonne (· 1 yr for a flux,
· 1 for a fluence, ``Spectrum.fluence``), so nothing underflows in float32.

Quenching (``Detector.quenching``; a model for nuclear recoils acts on the nuclear components, one
for electron recoils — Birks' law, a tabulated non-linear scale — on the electron recoils of the
two-body electron target): the measured energy of a recoil T is E(T) = Q(T) T (keV_ee, visible
energy); measured bin edges and the threshold map to true recoil edges through the inverse E⁻¹
(:func:`nujax.detector.quenching.nuclear_recoil_energy`, per isotope), and the efficiency and
resolution act at E(T). Without quenching E(T) = T.

Energy resolution (``Detector.smearing``): the measured T' ~ N(T, σ_T(T)); the counts in a
measured bin [a, b] are ∫dT (dN/dT) ∫_a^b dT' ε(T') N(T'; T, σ), with the efficiency at the
*measured* energy: the Gaussian mass of the bin (exact, a difference of normal CDFs) times the
Gaussian-weighted mean of ε over the bin (``n_eff`` Gauss–Legendre nodes; exact for a constant
efficiency). The true T is
integrated on a logarithmic map from max(a₀ − 6σ(a₀), a₀/10) (a₀: lowest edge) to the kinematic
end. Azimuthal resolution scales the modulation by e^{−σ_φ²/2} (:mod:`nujax.detector.core`); the
polar resolution is a Gaussian response in θ (reflected at θ = 0) applied to 8 true-angle
sub-bins of each cosθ bin, so the events' distribution inside a bin is resolved.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax._numerics import gauss_legendre, interp_on_grid, mapped_nodes
from nujax._validation import check_edges as _check_edges
from nujax._validation import check_probability
from nujax.constants import HBARC2_MEV2_CM2, YEAR_S
from nujax.detector.core import efficiency, energy_sigma
from nujax.detector.quenching import dEee_dEnr, electron_equivalent, nuclear_recoil_energy
from nujax.nuclei import Nucleus
from nujax.sources.spectrum import continuum_nodes

__all__ = ["Templates", "EVENT_SCALE", "BIG_T"]

_TWO_PI = 2.0 * math.pi
#: (ħc)² [MeV² cm²] · 1 yr [s] · 10²⁹: counts = Φ[cm⁻²s⁻¹] · σ[MeV⁻²] · EVENT_SCALE · N/(10²⁹ t) · t·yr.
EVENT_SCALE: float = HBARC2_MEV2_CM2 * YEAR_S * 1.0e29
#: An upper recoil-energy edge beyond any kinematic end [MeV].
BIG_T = 1.0e4
_POLAR_SUB = 8  # true-cosθ sub-bins per measured bin for the polar response


class Templates(NamedTuple):
    """Counts per radian of azimuth: ``weak``, ``em`` per (10⁻¹¹ μ_B)², and ``interference``, the
    amplitude of cos(φ − φ_B) per 10⁻¹¹ μ_B (before angular smearing)."""

    weak: object
    em: object
    interference: object


def dtype():
    """The default float dtype (float64 with ``nujax.enable_x64()``, else float32)."""
    return jnp.result_type(float)


def stack(parts):
    return jnp.stack(parts, axis=-1)


def scale(spec, det, comp):
    """Counts per natural-unit cross section for one spectrum and target component.

    Φ · (ħc)² · N_c · M · t (seed 000 eq. (11)); a fluence (``Spectrum.fluence``) is not multiplied
    by the live time. The large constants are combined on the host first (float32-safe)."""
    if spec.fluence:
        return spec.flux * (HBARC2_MEV2_CM2 * comp.per_tonne) * det.mass_t
    n29 = comp.per_tonne * 1.0e-29
    return spec.flux * (EVENT_SCALE * n29) * det.mass_t * det.live_time_yr


def shells(comp, dt):
    """(binding edges, fractions) of a component as arrays (no binding: one shell at 0)."""
    if comp.shells is None:
        return jnp.zeros(1, dt), jnp.ones(1, dt)
    b, f = comp.shells
    return jnp.asarray(b, dt), jnp.asarray(f, dt)


def step(comp, T):
    """Σ_s f_s Θ(T − B_s): the stepping approximation of atomic binding (1 without shells)."""
    if comp.shells is None:
        return jnp.ones_like(T)
    B, f = shells(comp, T.dtype)
    return jnp.sum(f * (T[..., None] >= B), axis=-1)


def _quenched(det, comp):
    """The detector's quenching model if it acts on this component's recoils, else None: a
    nuclear model on isotopes, an electron model on electron recoils (mass > 0: the radiative
    ν e → ν e γ energy release, a mass-0 component, is not an electron recoil)."""
    q = det.quenching
    if q is None:
        return None
    nuclear = isinstance(comp.data, Nucleus)
    if q.recoil == "nuclear":
        return q if nuclear else None
    return q if not nuclear and comp.mass > 0 else None


def _za(comp):
    """(Z, A) of a recoiling isotope, (0, 1) for electrons (unused by electron models)."""
    return (comp.data.Z, comp.data.A) if isinstance(comp.data, Nucleus) else (0, 1)


def measured_energy(det, comp, T):
    """Measured energy of a true recoil T [MeV]: E_ee = Q(T) T for quenched recoils."""
    q = _quenched(det, comp)
    return T if q is None else electron_equivalent(q, T, *_za(comp))


def true_energy(det, comp, E):
    """True recoil energy whose measured energy is ``E`` [MeV] (inverse of measured_energy)."""
    q = _quenched(det, comp)
    return E if q is None else nuclear_recoil_energy(q, E, *_za(comp))


def measured_jacobian(det, comp, T):
    """dE_measured/dT at true recoil T (1 without quenching)."""
    q = _quenched(det, comp)
    return jnp.ones_like(T) if q is None else dEee_dEnr(q, T, *_za(comp))


def acceptance(det, comp, T):
    """ε × binding step × Θ(E − T_th) at true recoil T, with ε and the threshold at the measured
    energy E (= T unless quenched; no energy smearing)."""
    E = measured_energy(det, comp, T)
    return efficiency(det, E) * step(comp, T) * (E >= det.threshold)


def spectrum_pdf(spec, e):
    """Continuum density of ``spec`` at ``e`` [MeV⁻¹] (fast interpolation, 0 outside the grid)."""
    return interp_on_grid(e, spec.grid, spec.density)


def continuum_G(spec, kern, T, e_lo, n_E, n_E_panels):
    """G(T, e) = ∫_{max(e, E₀)}^{E₁} λ(Eν) kern(Eν, T) dEν: the continuum half of ``fold``, batched.

    ``T`` and ``e_lo`` broadcast together; returns (..., 3). Nodes of
    :func:`nujax.sources.spectrum.continuum_nodes` (split at the spectrum's ``breaks``), with the
    fast interpolation of the density.
    """
    e, wt = continuum_nodes(spec, e_lo, n_nodes=n_E, n_panels=n_E_panels,
                            pdf=lambda x: spectrum_pdf(spec, x))                # (..., n)
    return stack([jnp.sum(wt * v, axis=-1) for v in kern(e, T[..., None])])   # (..., 3)


def enu_at_edge(T, c, e_top, m):
    """Eν(T, cosθ = c) = m T/(p c − T) (seed 001 eq. (4) inverted); ``e_top`` where unreachable."""
    p = kin.p_recoil(T, m)
    den = p * c - T
    ok = den > 0
    return jnp.where(ok, jnp.minimum(m * T / jnp.where(ok, den, 1.0), e_top), e_top)


def response(det, T, T_edges, n_eff):
    """R_k(T): probability that a true recoil T is counted in measured bin k, efficiency included.

    Without smearing: ε(T), shape (..., 1) (the caller restricts T to the bin). With smearing:
    ∫_{a_k}^{b_k} ε(T') N(T'; T, σ(T)) dT' = ΔΦ_k · ⟨ε⟩_k, shape (..., K), with the Gaussian mass
    ΔΦ_k = Φ(β) − Φ(α) exact (α, β = (a_k − T)/σ, (b_k − T)/σ) and the Gaussian-weighted mean
    ⟨ε⟩_k = ∫ φ(z) ε(T + σz) dz / ∫ φ(z) dz over [α, β] ∩ [−8, 8] on ``n_eff`` Gauss–Legendre
    nodes (exact for a constant efficiency; converges exponentially for a smooth turn-on).
    """
    if not det.smearing:
        return efficiency(det, T)[..., None]
    s = energy_sigma(det, T)[..., None]
    z = (T_edges - T[..., None]) / s                                      # (..., K+1)
    cdf = jax.scipy.special.ndtr(z)
    mass = cdf[..., 1:] - cdf[..., :-1]
    zc = jnp.clip(z, -8.0, 8.0)
    za, width = zc[..., :-1, None], (zc[..., 1:] - zc[..., :-1])[..., None]
    u, w = gauss_legendre(n_eff)
    dt = T.dtype
    zn = za + width * jnp.asarray(u, dt)                                  # (..., K, m)
    wn = jnp.asarray(w, dt) * jnp.exp(-0.5 * zn * zn)
    eff = efficiency(det, T[..., None, None] + s[..., None] * zn)        # ε at measured energies
    num, den = jnp.sum(wn * eff, axis=-1), jnp.sum(wn, axis=-1)
    ok = den > 0
    mean = jnp.where(ok, num / jnp.where(ok, den, 1.0), efficiency(det, T)[..., None])
    return mass * mean


def smear_floor(det, T_edges):
    """Lower end of the true-T integral under energy smearing: max(a₀ − 6σ(a₀), a₀/10)."""
    s0 = energy_sigma(det, T_edges[0])
    return jnp.maximum(T_edges[0] - 6.0 * s0, 0.1 * T_edges[0])


def fold_two_body(spec, det, comp, kern, T_edges, cos_edges, n_T, T_panels, n_E, n_E_panels,
                  n_eff):
    """Binned (K, J, 3) natural-unit templates × response of one spectrum on one component."""
    dt = dtype()
    M = comp.mass
    a, b = T_edges[:-1], T_edges[1:]
    K = a.shape[0]
    if _quenched(det, comp) is not None:           # measured edges (keV_ee) → true recoil edges
        a, b = true_energy(det, comp, a), true_energy(det, comp, b)
    B, f = shells(comp, dt)
    smear = det.smearing
    if smear:
        floor = true_energy(det, comp, smear_floor(det, T_edges))

    def resp(T):                                    # R at the measured energy of true recoil T
        return response(det, measured_energy(det, comp, T), T_edges, n_eff)
    out = 0.0
    # --- lines: T ranges exact per (shell, cos bin, line) [, bin] ---------------------------------
    if spec.line_energies.shape[0]:
        E = spec.line_energies                                              # (L,)
        tm = kin.t_max(E, M)
        if cos_edges is None:
            lo_j, hi_j = jnp.zeros((1, E.shape[0]), dt), tm[None, :]        # (J=1, L)
        else:
            Tc = kin.T_from_costheta(jnp.clip(cos_edges, -1.0, 1.0)[:, None], E[None, :], M)
            Tc = jnp.where(cos_edges[:, None] >= 1.0, tm[None, :], Tc)
            lo_j, hi_j = Tc[:-1], Tc[1:]
        lo = jnp.maximum(lo_j[None], B[:, None, None])                      # (S, J, L)
        hi = jnp.broadcast_to(hi_j[None], lo.shape)
        if smear:
            lo = jnp.maximum(lo, floor)
            T, w = mapped_nodes(lo, hi, n_T, 4 * T_panels, log=True, dtype=dt)  # (S, J, L, n)
            R = resp(T)                                                      # (S, J, L, n, K)
        else:
            lo = jnp.maximum(lo[None], a[:, None, None, None])               # (K, S, J, L)
            hi = jnp.minimum(hi[None], b[:, None, None, None])
            T, w = mapped_nodes(lo, hi, n_T, T_panels, dtype=dt)              # (K, S, J, L, n)
            R = resp(T)[..., 0]
        vals = stack(kern(E[:, None], T))                                    # (..., L, n, 3)
        wl = spec.line_weights
        if smear:
            x = jnp.einsum("sjlnk,sjln,s,l,sjlnc->kjc", R, w, f, wl, vals)
        else:
            wt = R * w * f[:, None, None, None] * wl[:, None]                  # (K, S, J, L, n)
            x = jnp.sum(wt[..., None] * vals, axis=(1, 3, 4))                # fused, no dot
        out = out + x
    # --- continuum: T over [max(a, B_s), min(b, T_max(E₁))], Eν from the cosθ edges --------------
    if spec.grid.shape[0] > 1:
        tmc = kin.t_max(spec.grid[-1], M)
        if smear:
            lo = jnp.maximum(B, floor)                                       # (S,)
            hi = jnp.broadcast_to(tmc, lo.shape)
            T, w = mapped_nodes(lo, hi, n_T, 4 * T_panels, log=True, dtype=dt)  # (S, n)
            R = resp(T)                                                      # (S, n, K)
        else:
            lo = jnp.maximum(a[:, None], B[None, :])                         # (K, S)
            hi = jnp.minimum(b[:, None], tmc)
            T, w = mapped_nodes(lo, hi, n_T, T_panels, dtype=dt)              # (K, S, n)
            R = resp(T)[..., 0]
        if cos_edges is None:
            H = continuum_G(spec, kern, T, kin.enu_min(T, M), n_E, n_E_panels)[..., None, :]
        else:
            e_edge = enu_at_edge(T[..., None], cos_edges, spec.grid[-1], M)  # (..., J+1)
            G = continuum_G(spec, kern, T[..., None], e_edge, n_E, n_E_panels)
            H = G[..., 1:, :] - G[..., :-1, :]                               # (..., J, 3)
        if smear:
            x = jnp.einsum("snk,sn,s,snjc->kjc", R, w, f, H)
        else:
            x = jnp.sum((R * w * f[:, None])[..., None, None] * H, axis=(1, 2))
        out = out + x
    if isinstance(out, float):
        J = 1 if cos_edges is None else cos_edges.shape[0] - 1
        out = jnp.zeros((K, J, 3), dt)
    return out


def polar_fine_edges(cos_edges, m=_POLAR_SUB):
    """Each cosθ bin split into ``m`` equal sub-bins: (J·m + 1,) edges of the true-angle binning."""
    u = jnp.arange(m, dtype=dtype()) / m
    inner = cos_edges[:-1, None] + (cos_edges[1:] - cos_edges[:-1])[:, None] * u
    return jnp.concatenate([inner.reshape(-1), cos_edges[-1:]])


def polar_response(det, fine_edges, cos_edges):
    """(J·m, J) matrix P[i, j] = prob. that an event of true sub-bin i is measured in bin j.

    The measured θ' ~ N(θ, σ_θ), reflected at θ = 0 so that no probability is lost there, with θ
    at the sub-bin centre; the events' own distribution inside each measured bin is resolved by
    the sub-bins, so the result converges to the exact response as they get finer.
    """
    th_edges = jnp.arccos(jnp.clip(cos_edges, -1.0, 1.0))                  # decreasing
    th = jnp.arccos(jnp.clip(0.5 * (fine_edges[1:] + fine_edges[:-1]), -1.0, 1.0))[:, None]
    s = jnp.maximum(det.sigma_theta, 1e-9)
    lo, hi = th_edges[1:], th_edges[:-1]
    cdf = jax.scipy.special.ndtr
    return cdf((hi - th) / s) - cdf((lo - th) / s) + cdf((hi + th) / s) - cdf((lo + th) / s)


def fold_binned(spectra, detector, target, kern_for, T_edges, ce, polar_smearing, quad):
    """Σ over spectra and target components of scale × binned templates: (K, J, 3).

    ``kern_for(spectrum, component)`` gives the per-point kernel; ``quad`` holds the static
    quadrature orders (n_T, T_panels, n_E, n_E_panels, n_eff); targets that are not two-body fold
    their own binned cross sections (``target.fold_binned``)."""
    fine = None if (ce is None or not polar_smearing) else polar_fine_edges(ce)
    edges = ce if fine is None else fine
    T_edges = jnp.maximum(T_edges, detector.threshold)                     # measured T ≥ T_th
    tot = 0.0
    for s in spectra:
        for comp in target.components(detector):
            if target.two_body:
                x = fold_two_body(s, detector, comp, kern_for(s, comp), T_edges, edges, *quad)
            else:
                x = kern_for(s, comp)(T_edges)
            tot = tot + scale(s, detector, comp) * x
    if fine is not None:
        tot = jnp.einsum("kic,ij->kjc", tot, polar_response(detector, fine, ce))
    return tot


def density_true(spectra, detector, target, kern_for, T, n_E, n_E_panels, measured=False):
    """d²N/dT dφ channels at true recoil energies ``T`` (..., 3), acceptance applied.

    ``measured``: ``T`` are measured energies and the result is d²N/dE dφ in them — for quenched
    nuclear recoils d²N/dE_ee dφ = d²N/dE_nr dφ / (dE_ee/dE_nr) at E_nr(E_ee) (per isotope)."""
    tot = 0.0
    T_in = T
    for s in spectra:
        for comp in target.components(detector):
            kern = kern_for(s, comp)
            jac = 1.0
            if measured and _quenched(detector, comp) is not None:
                T = true_energy(detector, comp, T_in)
                jac = 1.0 / measured_jacobian(detector, comp, T)
            else:
                T = T_in
            x = 0.0
            if s.line_energies.shape[0]:
                vals = stack(kern(s.line_energies, T[..., None]))            # (..., L, 3)
                x = x + jnp.einsum("l,...lc->...c", s.line_weights, vals)
            if s.grid.shape[0] > 1:                                          # seed 000 eq. (11)
                x = x + continuum_G(s, kern, T, kin.enu_min(T, comp.mass), n_E, n_E_panels)
            tot = tot + (scale(s, detector, comp) * acceptance(detector, comp, T)
                         * jac)[..., None] * x
    if isinstance(tot, float):
        tot = jnp.zeros(T_in.shape + (3,), T_in.dtype)
    return tot


def check_edges(T_edges, cos_edges):
    """Eager checks of concrete bin edges (``ValueError`` naming the argument)."""
    _check_edges("T_edges", T_edges, lo=0.0, unit="MeV")
    if cos_edges is not None:
        _check_edges("cos_edges", cos_edges, lo=-1.0, hi=1.0)


def check_phi_edges(phi_edges):
    """Eager check of concrete azimuth edges: 1-D, ≥ 2, increasing, finite."""
    _check_edges("phi_edges", phi_edges, unit="rad")


def check_inputs(T_edges, cos_edges, pe, sin2w):
    check_edges(T_edges, cos_edges)
    if pe is not None:
        check_probability("pe", pe)
    check_probability("sin2w", sin2w)
