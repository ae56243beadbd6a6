"""Event rates of ν e scattering: dN/dT, dN/dcosθ, d²N/dT dcosθ, dN/dφ, binned counts, asymmetries.

Everything is a pure JAX function of the spectra (tuples of :class:`~nujax.sources.Spectrum`), the
:class:`~nujax.detector.Detector`, the magnetic moment ``mu_1e11`` (μ_ν/10⁻¹¹ μ_B), the beam state
(``pe``, the probability of the active species, and ``phi_B``, the azimuth of ξ⊥; seed 000 form)
and sin²θ_W; ``jax.grad`` flows to all of them and to the spectrum and detector leaves.

Event number (seed 000 eq. (11)): dN/dφ = N_e t Σ_i Φ_i ∫dT ε(T) ∫_{Eν_min(T)} dEν λ_i(Eν) d²σ/dTdφ,
which is n_weak + n_em + n_int cos(φ − φ_B) (eq. (12)). Because the rate is quadratic in μ_ν,
:func:`binned_templates` returns the three templates (weak; em per (10⁻¹¹ μ_B)²; interference
amplitude per 10⁻¹¹ μ_B) once, and :func:`combine` turns them into counts for any (μ_ν, φ_B) at
negligible cost; :func:`expected_counts` is the one-call, fully differentiable path.

Quadrature (GUIDE §4.7–4.8). Every T integral runs over an interval whose ends move with the
parameters (bin edges ∩ [threshold, T_max(E)] ∩ [B_shell, ·] ∩ the T-range of a cosθ bin) and is
mapped onto u ∈ [0, 1]; lines and the continuum are separate segments, so no integrand has a step
inside an interval. The Eν integral starts at Eν_min(T) (a cosθ edge c maps to the Eν edge
Eν(T, c) = m_e T/(p c − T), seed 001 eq. (4) inverted) and uses the composite Gauss–Legendre rule
of :func:`nujax.sources.fold` on the continuum. Cross sections stay in natural units (MeV⁻ⁿ) and
are converted with one host-side factor (ħc)² · yr · 10²⁹, so nothing underflows in float32.

Energy resolution (``Detector.smearing``): the measured T' ~ N(T, σ_T(T)); the counts in a measured
bin are ∫dT (dN/dT) [Φ((b − T)/σ) − Φ((a − T)/σ)], with the true T integrated on a logarithmic map
from max(a₀ − 6σ(a₀), a₀/10) (a₀: lowest edge) to the kinematic end. Azimuthal resolution scales
the modulation by e^{−σ_φ²/2} (derivation in :mod:`nujax.detector`); the polar resolution is a
Gaussian response in θ (reflected at θ = 0) applied to 8 true-angle sub-bins of each cosθ bin,
so the events' distribution inside a bin is resolved.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax._validation import check_finite, check_probability, is_concrete
from nujax.constants import HBARC2_MEV2_CM2, M_E, SIN2_THETA_W, YEAR_S
from nujax.detector import Detector, azimuth_damping, binding_shells, efficiency, energy_sigma
from nujax.sources.spectrum import Spectrum, gauss_legendre
from nujax.xsec.electron import _couplings, _resolve, electron_terms

__all__ = [
    "Templates",
    "EVENT_SCALE",
    "binned_templates",
    "combine",
    "expected_counts",
    "dN_dT",
    "dN_dcostheta",
    "d2N_dT_dcostheta",
    "azimuthal_coefficients",
    "dN_dphi",
    "differential_asymmetry",
    "integrated_asymmetry",
    "max_asymmetry",
    "asymmetry_vs_mu",
    "mu_at_max_asymmetry",
    "iso_ratio",
    "region_integrals",
]

_TWO_PI = 2.0 * math.pi
#: (ħc)² [MeV² cm²] · 1 yr [s] · 10²⁹: counts = Φ[cm⁻²s⁻¹] · σ[MeV⁻²] · EVENT_SCALE · N_e/(10²⁹ t) · t·yr.
EVENT_SCALE: float = HBARC2_MEV2_CM2 * YEAR_S * 1.0e29
_BIG_T = 1.0e4  # an upper T edge beyond any kinematic end [MeV]


class Templates(NamedTuple):
    """Counts per radian of azimuth: ``weak``, ``em`` per (10⁻¹¹ μ_B)², and ``interference``, the
    amplitude of cos(φ − φ_B) per 10⁻¹¹ μ_B (before angular smearing)."""

    weak: object
    em: object
    interference: object


# ----------------------------------------------------------------------------------------------
# kernels and small helpers
# ----------------------------------------------------------------------------------------------
def _dtype():
    return jnp.result_type(float)


def _as_tuple(spectra):
    return (spectra,) if isinstance(spectra, Spectrum) else tuple(spectra)


def _kernel(spec, pe, sin2w, flavor, kind, partner, pe_fn):
    """(E, T) ↦ (weak, em/μ², int/μ) of d²σ/dTdφ [MeV⁻³ rad⁻¹] for one spectrum (seed 000 eqs. 2–10)."""
    fl = flavor if flavor is not None else ("nuebar" if spec.antineutrino else "nue")
    f, p = _resolve(fl, kind, partner)
    gL, gR, gLp, gRp = _couplings(f, p, sin2w)

    def kern(e, t):
        pv = pe_fn(e, pe) if pe_fn is not None else pe
        return electron_terms(e, t, 1.0, pv, gL, gR, gLp, gRp, majorana=kind == "majorana",
                              antineutrino=f.is_antineutrino)

    return kern


def _stack(parts):
    return jnp.stack(parts, axis=-1)


def _scale(spec, det):
    """Counts per (natural-unit cross section) for this spectrum and detector (host factor first)."""
    ne29 = det.material.electrons_per_tonne * 1.0e-29
    return spec.flux * (EVENT_SCALE * ne29) * det.mass_t * det.live_time_yr


def _shells(det):
    if det.binding:
        b, f = binding_shells(det.material)
        return b, f
    return np.zeros(1), np.ones(1)


def _enu_at_edge(T, c, e_top):
    """Eν(T, cosθ = c) = m_e T/(p c − T) (seed 001 eq. (4) inverted); e_top where unreachable."""
    p = kin.p_recoil(T, M_E)
    den = p * c - T
    ok = den > 0
    return jnp.where(ok, jnp.minimum(M_E * T / jnp.where(ok, den, 1.0), e_top), e_top)


def _pdf(spec, e, chunk=16):
    """Continuum density at ``e`` = ``spec.pdf(e)`` (linear interpolation, 0 outside the grid).

    The interval search is two-level (a coarse comparison against every ``chunk``-th grid point,
    then within the chunk): the same interpolant as ``jnp.interp`` without its gather-bound binary
    search, which dominates the cost of the binned counts on CPU.
    """
    g, d = spec.grid, spec.density
    n = g.shape[0]
    nc = -(-(n - 1) // chunk)
    gp = jnp.concatenate([g, jnp.full((nc * chunk + 1 - n,), jnp.inf, g.dtype)])
    j = jnp.clip(jnp.sum(e[..., None] >= gp[:-1:chunk], axis=-1) - 1, 0, nc - 1) * chunk
    fine = jnp.take(gp, j[..., None] + np.arange(1, chunk + 1), mode="clip")
    i = jnp.clip(j + jnp.sum(e[..., None] >= fine, axis=-1) + 1, 1, n - 1)
    x0, x1, y0, y1 = g[i - 1], g[i], d[i - 1], d[i]
    v = y0 + (e - x0) / (x1 - x0) * (y1 - y0)
    return jnp.where((e < g[0]) | (e > g[-1]), 0.0, v)


def _continuum_G(spec, kern, T, e_lo, n_E, n_E_panels):
    """G(T, e) = ∫_{max(e, E₀)}^{E₁} λ(Eν) kern(Eν, T) dEν: the continuum half of ``fold``, batched.

    ``T`` and ``e_lo`` broadcast together; returns (..., 3). Nodes as in
    :func:`nujax.sources.spectrum.continuum_nodes`.
    """
    u, wu = gauss_legendre(n_E, n_E_panels)
    dt = spec.grid.dtype
    hi = spec.grid[-1]
    lo = jnp.clip(jnp.asarray(e_lo, dt), spec.grid[0], hi)[..., None]
    span = hi - lo
    e = lo + span * jnp.asarray(u, dt)                                     # (..., n)
    wt = span * jnp.asarray(wu, dt) * _pdf(spec, e)
    return _stack([jnp.sum(wt * v, axis=-1) for v in kern(e, T[..., None])])   # (..., 3)


def _nodes(lo, hi, n, panels, *, log=False):
    """Gauss–Legendre nodes/weights on [lo, hi] (broadcast), with a linear or logarithmic u-map."""
    u, w = gauss_legendre(n, panels)
    dt = _dtype()
    u, w = jnp.asarray(u, dt), jnp.asarray(w, dt)
    lo, hi = lo[..., None], hi[..., None]
    if log:
        lo = jnp.maximum(lo, 1e-9)
        ok = hi > lo
        hs = jnp.where(ok, hi, 2.0 * lo)
        r = jnp.log(hs / lo)
        T = lo * jnp.exp(r * u)
        return T, jnp.where(ok, r * T * w, 0.0)
    width = jnp.maximum(hi - lo, 0.0)
    return lo + width * u, width * w


def _response(det, T, T_edges):
    """ε(T) times the probability that T is measured in each bin: (..., K)."""
    eff = efficiency(det, T)[..., None]
    if not det.smearing:
        return eff
    s = energy_sigma(det, T)[..., None]
    cdf = jax.scipy.special.ndtr((T_edges - T[..., None]) / s)
    return eff * (cdf[..., 1:] - cdf[..., :-1])


# ----------------------------------------------------------------------------------------------
# binned templates
# ----------------------------------------------------------------------------------------------
def _one_spectrum(spec, det, kern, T_edges, cos_edges, n_T, T_panels, n_E, n_E_panels):
    """Templates (K, J, 3) of one spectrum in natural units times ε; see :func:`binned_templates`."""
    dt = _dtype()
    a, b = T_edges[:-1], T_edges[1:]
    K = a.shape[0]
    B, f = _shells(det)
    B, f = jnp.asarray(B, dt), jnp.asarray(f, dt)
    smear = det.smearing
    if smear:
        s0 = energy_sigma(det, T_edges[0])
        floor = jnp.maximum(T_edges[0] - 6.0 * s0, 0.1 * T_edges[0])
    out = 0.0
    # --- lines: T ranges exact per (shell, cos bin, line) [, bin] ---------------------------------
    if spec.line_energies.shape[0]:
        E = spec.line_energies                                              # (L,)
        tm = kin.t_max(E, M_E)
        if cos_edges is None:
            lo_j, hi_j = jnp.zeros((1, E.shape[0]), dt), tm[None, :]        # (J=1, L)
        else:
            Tc = kin.T_from_costheta(jnp.clip(cos_edges, -1.0, 1.0)[:, None], E[None, :], M_E)
            Tc = jnp.where(cos_edges[:, None] >= 1.0, tm[None, :], Tc)
            lo_j, hi_j = Tc[:-1], Tc[1:]
        lo = jnp.maximum(lo_j[None], B[:, None, None])                      # (S, J, L)
        hi = jnp.broadcast_to(hi_j[None], lo.shape)
        if smear:
            lo = jnp.maximum(lo, floor)
            T, w = _nodes(lo, hi, n_T, 4 * T_panels, log=True)               # (S, J, L, n)
            R = _response(det, T, T_edges)                                   # (S, J, L, n, K)
        else:
            lo = jnp.maximum(lo[None], a[:, None, None, None])               # (K, S, J, L)
            hi = jnp.minimum(hi[None], b[:, None, None, None])
            T, w = _nodes(lo, hi, n_T, T_panels)                             # (K, S, J, L, n)
            R = _response(det, T, T_edges)[..., 0]
        vals = _stack(kern(E[:, None], T))                                   # (..., L, n, 3)
        wl = spec.line_weights
        if smear:
            x = jnp.einsum("sjlnk,sjln,s,l,sjlnc->kjc", R, w, f, wl, vals)
        else:
            wt = R * w * f[:, None, None, None] * wl[:, None]                  # (K, S, J, L, n)
            x = jnp.sum(wt[..., None] * vals, axis=(1, 3, 4))                # fused, no dot
        out = out + x
    # --- continuum: T over [max(a, B_s), min(b, T_max(E₁))], Eν from the cosθ edges --------------
    if spec.grid.shape[0] > 1:
        tmc = kin.t_max(spec.grid[-1], M_E)
        if smear:
            lo = jnp.maximum(B, floor)                                       # (S,)
            hi = jnp.broadcast_to(tmc, lo.shape)
            T, w = _nodes(lo, hi, n_T, 4 * T_panels, log=True)               # (S, n)
            R = _response(det, T, T_edges)                                   # (S, n, K)
        else:
            lo = jnp.maximum(a[:, None], B[None, :])                         # (K, S)
            hi = jnp.minimum(b[:, None], tmc)
            T, w = _nodes(lo, hi, n_T, T_panels)                             # (K, S, n)
            R = _response(det, T, T_edges)[..., 0]
        if cos_edges is None:
            H = _continuum_G(spec, kern, T, kin.enu_min(T, M_E), n_E, n_E_panels)[..., None, :]
        else:
            e_edge = _enu_at_edge(T[..., None], cos_edges, spec.grid[-1])    # (..., J+1)
            G = _continuum_G(spec, kern, T[..., None], e_edge, n_E, n_E_panels)
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


_POLAR_SUB = 8  # true-cosθ sub-bins per measured bin for the polar response


def _polar_fine_edges(cos_edges, m=_POLAR_SUB):
    """Each cosθ bin split into ``m`` equal sub-bins: (J·m + 1,) edges of the true-angle binning."""
    u = jnp.arange(m, dtype=_dtype()) / m
    inner = cos_edges[:-1, None] + (cos_edges[1:] - cos_edges[:-1])[:, None] * u
    return jnp.concatenate([inner.reshape(-1), cos_edges[-1:]])


def _polar_response(det, fine_edges, cos_edges):
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


def _spectra_sum(spectra, detector, kern_for, T_edges, ce, polar_smearing, n_T, T_panels, n_E,
                 n_E_panels):
    """Σ_i scale_i × _one_spectrum over the spectra, with the polar response if asked: (K, J, 3)."""
    fine = None if (ce is None or not polar_smearing) else _polar_fine_edges(ce)
    tot = 0.0
    for s in spectra:
        x = _one_spectrum(s, detector, kern_for(s), T_edges, ce if fine is None else fine, n_T,
                          T_panels, n_E, n_E_panels)
        tot = tot + _scale(s, detector) * x
    if fine is not None:
        tot = jnp.einsum("kic,ij->kjc", tot, _polar_response(detector, fine, ce))
    return tot


def binned_templates(spectra, detector: Detector, T_edges, cos_edges=None, *, pe=1.0,
                     sin2w=SIN2_THETA_W, flavor=None, kind="dirac", partner=None, pe_fn=None,
                     polar_smearing=False, n_T=8, T_panels=1, n_E=24, n_E_panels=4) -> Templates:
    """Counts per radian in (T, [cosθ]) bins at μ = 1: the three templates of seed 000 eq. (12).

    Parameters
    ----------
    spectra : Spectrum or tuple of Spectrum
        Sources (flux in cm⁻² s⁻¹); each contributes Φ_i ∫ λ_i (seed 000 eq. (11)).
    detector : Detector
        Target, exposure, efficiency, resolution, binding (the background is added by :func:`combine`).
    T_edges : array (K+1,)
        Measured recoil-energy bin edges [MeV], increasing.
    cos_edges : array (J+1,), optional
        cosθ bin edges, increasing in [−1, 1]; None: one bin over all angles (result shape (K,)).
    pe : array_like
        Active-species probability (seed 000 Pe); with ``pe_fn``, parameters passed to it.
    sin2w : array_like
        sin²θ_W.
    flavor, kind, partner : static
        As in :func:`nujax.d2sigma_dT_dphi`; ``flavor`` None = ν_e or ν̄_e per spectrum.
    pe_fn : callable, static, optional
        Eν-dependent Pe: Pe(Eν) = ``pe_fn(Eν, pe)`` (e.g. a Landau–Zener form, seed 000 eq. (24)).
    polar_smearing : bool, static
        Apply the polar-angle response of the detector to the cosθ bins.
    n_T, T_panels, n_E, n_E_panels : int, static
        Gauss–Legendre nodes per T interval and panels; nodes and panels of the Eν continuum rule.

    Returns
    -------
    Templates
        Arrays of shape (K,) or (K, J) [counts rad⁻¹]; ``em`` per (10⁻¹¹ μ_B)², ``interference``
        (the cos(φ − φ_B) amplitude, sign as in nujax.xsec.electron) per 10⁻¹¹ μ_B.
    """
    spectra = _as_tuple(spectra)
    T_edges = jnp.asarray(T_edges, _dtype())
    ce = None if cos_edges is None else jnp.asarray(cos_edges, _dtype())
    _check_inputs(T_edges, ce, pe if pe_fn is None else None, sin2w)
    return _templates_jit(spectra, detector, T_edges, ce, pe, sin2w, flavor=flavor, kind=kind,
                          partner=partner, pe_fn=pe_fn, polar_smearing=polar_smearing, n_T=n_T,
                          T_panels=T_panels, n_E=n_E, n_E_panels=n_E_panels)


_STATIC = ("flavor", "kind", "partner", "pe_fn", "polar_smearing", "n_T", "T_panels", "n_E",
           "n_E_panels")


def _templates_core(spectra, detector, T_edges, ce, pe, sin2w, *, flavor, kind, partner, pe_fn,
                   polar_smearing, n_T, T_panels, n_E, n_E_panels):
    T_edges = jnp.maximum(T_edges, detector.threshold)                      # measured T ≥ T_th
    tot = _spectra_sum(spectra, detector,
                       lambda s: _kernel(s, pe, sin2w, flavor, kind, partner, pe_fn), T_edges, ce,
                       polar_smearing, n_T, T_panels, n_E, n_E_panels)
    if ce is None:
        tot = tot[:, 0, :]
    return Templates(tot[..., 0], tot[..., 1], tot[..., 2])


_templates_jit = jax.jit(_templates_core, static_argnames=_STATIC)


def _check_inputs(T_edges, cos_edges, pe, sin2w):
    if is_concrete(T_edges):
        t = np.asarray(T_edges, float)
        if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0) or np.any(t < 0):
            raise ValueError("T_edges must be a 1-D increasing array of ≥ 2 non-negative energies [MeV]")
    if cos_edges is not None and is_concrete(cos_edges):
        c = np.asarray(cos_edges, float)
        if c.ndim != 1 or c.size < 2 or np.any(np.diff(c) <= 0) or c[0] < -1 or c[-1] > 1:
            raise ValueError("cos_edges must be a 1-D increasing array within [-1, 1]")
    if pe is not None:
        check_probability("pe", pe)
    check_probability("sin2w", sin2w)


def combine(templates: Templates, detector: Detector, T_edges, phi_edges, mu_1e11, phi_B=0.0,
            cos_edges=None):
    """Expected counts per (T[, cosθ], φ) bin from the templates (seed 000 eq. (12) integrated).

    N = (W + μ² M) Δφ + μ I e^{−σ_φ²/2} [sin(φ_b − φ_B) − sin(φ_a − φ_B)] + background, with the
    flat isotropic background b · M t · ΔT · Δcosθ/2 · Δφ/2π. Shape: templates' shape + (n_φ,).
    """
    phi_edges = jnp.asarray(phi_edges, _dtype())
    T_edges = jnp.asarray(T_edges, _dtype())
    dphi = phi_edges[1:] - phi_edges[:-1]
    dsin = jnp.sin(phi_edges[1:] - phi_B) - jnp.sin(phi_edges[:-1] - phi_B)
    W, M, I = (jnp.asarray(x)[..., None] for x in templates)
    damp = azimuth_damping(detector.sigma_phi)
    sig = (W + mu_1e11 * mu_1e11 * M) * dphi + mu_1e11 * I * damp * dsin
    return sig + _background(detector, T_edges, phi_edges, cos_edges)


def _background(detector, T_edges, phi_edges, cos_edges):
    """Flat isotropic background b · M t · ΔT · Δcosθ/2 · Δφ/2π per bin [counts]."""
    T_edges = jnp.maximum(T_edges, detector.threshold)
    dT = T_edges[1:] - T_edges[:-1]
    bkg = detector.background * detector.mass_t * detector.live_time_yr * dT / _TWO_PI
    if cos_edges is not None:
        ce = jnp.asarray(cos_edges, _dtype())
        bkg = bkg[:, None] * (0.5 * (ce[1:] - ce[:-1]))[None, :]
    return bkg[..., None] * (phi_edges[1:] - phi_edges[:-1])


@functools.partial(jax.jit, static_argnames=_STATIC)
def _expected_counts_jit(spectra, detector, T_edges, phi_edges, mu_1e11, pe, phi_B, sin2w,
                         cos_edges, **static):
    tpl = _templates_core(spectra, detector, T_edges, cos_edges, pe, sin2w, **static)
    return combine(tpl, detector, T_edges, phi_edges, mu_1e11, phi_B, cos_edges)


def expected_counts(spectra, detector, T_edges, phi_edges, mu_1e11=0.0, pe=1.0, phi_B=0.0, *,
                    sin2w=SIN2_THETA_W, cos_edges=None, flavor=None, kind="dirac", partner=None,
                    pe_fn=None, polar_smearing=False, n_T=8, T_panels=1, n_E=24, n_E_panels=4):
    """Expected counts in (T, [cosθ,] φ) bins — the jitted, fully differentiable driver.

    Shapes are static (bin counts), values are not: a second call with new μ_ν, Pe, φ_B, spectra
    or detector leaves of the same shapes does not recompile. See :func:`binned_templates` for the
    arguments; ``phi_edges`` [rad] are the azimuth bin edges (φ measured from the same axis as φ_B).

    Returns an array of shape (K, n_φ) or (K, J, n_φ) [counts], ≥ 0 for physical inputs.
    """
    check_finite("mu_1e11", mu_1e11)
    check_finite("phi_B", phi_B)
    T_edges, phi_edges = jnp.asarray(T_edges, _dtype()), jnp.asarray(phi_edges, _dtype())
    _check_inputs(jnp.asarray(T_edges), None if cos_edges is None else jnp.asarray(cos_edges),
                  pe if pe_fn is None else None, sin2w)
    return _expected_counts_jit(_as_tuple(spectra), detector, T_edges, phi_edges, mu_1e11, pe,
                                phi_B, sin2w, cos_edges, flavor=flavor, kind=kind, partner=partner,
                                pe_fn=pe_fn, polar_smearing=polar_smearing, n_T=n_T,
                                T_panels=T_panels, n_E=n_E, n_E_panels=n_E_panels)


# ----------------------------------------------------------------------------------------------
# differential rates (no energy smearing: true T)
# ----------------------------------------------------------------------------------------------
_XS = ("flavor", "kind", "partner", "pe_fn")


def _step(det, T):
    B, f = _shells(det)
    return jnp.sum(jnp.asarray(f, _dtype()) * (T[..., None] >= jnp.asarray(B, _dtype())), axis=-1)


def _acceptance(det, T):
    """ε(T) × binding step × Θ(T − T_th) at true recoil energy T (no energy smearing)."""
    return efficiency(det, T) * _step(det, T) * (T >= det.threshold)


@functools.partial(jax.jit, static_argnames=_XS + ("n_E", "n_E_panels"))
def dN_dT(spectra, detector, T, mu_1e11=0.0, pe=1.0, *, sin2w=SIN2_THETA_W, flavor=None,
          kind="dirac", partner=None, pe_fn=None, n_E=32, n_E_panels=8) -> Templates:
    """φ-integrated dN/dT [counts/MeV] at true recoil energies ``T`` (seed 000 eq. (11) at fixed T).

    Returns Templates(weak, em·μ², 0) already multiplied by μ (so ``sum`` is the total); ε(T), the
    binding steps and the threshold Θ(T − T_th) are applied. Lines contribute where T ≤ T_max(E_l).
    """
    w = _TWO_PI * density_per_radian(spectra, detector, T, pe, sin2w=sin2w, flavor=flavor, kind=kind,
                                     partner=partner, pe_fn=pe_fn, n_E=n_E, n_E_panels=n_E_panels)
    return Templates(w[..., 0], mu_1e11 * mu_1e11 * w[..., 1], jnp.zeros_like(w[..., 2]))


def density_per_radian(spectra, detector, T, pe=1.0, *, sin2w=SIN2_THETA_W, flavor=None,
                       kind="dirac", partner=None, pe_fn=None, n_E=32, n_E_panels=8):
    """d²N/dT dφ templates at true recoil energies ``T`` [counts MeV⁻¹ rad⁻¹], shape (..., 3).

    The last axis holds (weak, em per (10⁻¹¹ μ_B)², cos(φ − φ_B) amplitude per 10⁻¹¹ μ_B) of
    seed 000 eq. (12) before the φ integration, with ε(T), binding steps and threshold applied.
    """
    T = jnp.asarray(T, _dtype())
    tot = 0.0
    for s in _as_tuple(spectra):
        kern = _kernel(s, pe, sin2w, flavor, kind, partner, pe_fn)
        x = 0.0
        if s.line_energies.shape[0]:
            vals = _stack(kern(s.line_energies, T[..., None]))              # (..., L, 3)
            x = x + jnp.einsum("l,...lc->...c", s.line_weights, vals)
        if s.grid.shape[0] > 1:
            x = x + _continuum_G(s, kern, T, kin.enu_min(T, M_E), n_E, n_E_panels)
        tot = tot + _scale(s, detector) * x
    return _acceptance(detector, T)[..., None] * tot


@functools.partial(jax.jit, static_argnames=_XS)
def d2N_dT_dcostheta(spectra, detector, T, costheta, mu_1e11=0.0, pe=1.0, *, sin2w=SIN2_THETA_W,
                     flavor=None, kind="dirac", partner=None, pe_fn=None) -> Templates:
    """Continuum d²N/dT dcosθ [counts MeV⁻¹] = Φ λ(Eν(T,θ)) dσ/dT |dEν/dcosθ| (seed 001 eqs. (6)–(7)).

    Lines are not included: a line E_l puts its events on the curve cosθ_l(T) (seed 001 eq. (4)),
    i.e. a term w_l Φ dσ/dT(E_l, T) δ(cosθ − cosθ_l(T)) that no density can hold; they are in
    :func:`dN_dT`, :func:`dN_dcostheta` and the binned counts. Returns Templates(weak, em·μ², 0).
    """
    T = jnp.asarray(T, _dtype())
    c = jnp.asarray(costheta, _dtype())
    tot = 0.0
    for s in _as_tuple(spectra):
        if s.grid.shape[0] < 2:
            continue
        kern = _kernel(s, pe, sin2w, flavor, kind, partner, pe_fn)
        e = kin.enu_from_T_costheta(T, c, M_E)
        jac = kin.dEnu_dcostheta(T, c, M_E)                                  # seed 001 eqs. (6)-(7)
        vals = _stack(kern(e, T))
        tot = tot + _scale(s, detector) * (s.pdf(e) * jac)[..., None] * vals
    if isinstance(tot, float):
        tot = jnp.zeros(jnp.broadcast_shapes(T.shape, c.shape) + (3,), _dtype())
    w = (_TWO_PI * _acceptance(detector, T))[..., None] * tot
    return Templates(w[..., 0], mu_1e11 * mu_1e11 * w[..., 1], jnp.zeros_like(w[..., 2]))


@functools.partial(jax.jit, static_argnames=_XS + ("n_T", "T_panels"))
def dN_dcostheta(spectra, detector, costheta, mu_1e11=0.0, pe=1.0, *, T_max=_BIG_T,
                 sin2w=SIN2_THETA_W, flavor=None, kind="dirac", partner=None, pe_fn=None,
                 n_T=48, T_panels=4) -> Templates:
    """dN/dcosθ [counts] over threshold ≤ T ≤ ``T_max`` (seed 001 eqs. (5) and (7)).

    Lines: dσ/dT |dT/dcosθ| at T(θ, E_l) (seed 001 eq. (5)). Continuum: ∫dT of
    :func:`d2N_dT_dcostheta` over T ∈ [max(T_th, T(θ, E₀)), min(T_max, T(θ, E₁))], the T range in
    which Eν(T, θ) lies on the spectrum grid (u-mapped). Returns Templates(weak, em·μ², 0).
    """
    c = jnp.asarray(costheta, _dtype())
    tot = 0.0
    for s in _as_tuple(spectra):
        kern = _kernel(s, pe, sin2w, flavor, kind, partner, pe_fn)
        x = 0.0
        if s.line_energies.shape[0]:
            E = s.line_energies
            Tl = kin.T_from_costheta(c[..., None], E, M_E)                   # (..., L)
            jac = kin.dT_dcostheta(Tl, E, M_E)                               # seed 001 eq. (5)
            g = _acceptance(detector, Tl) * (Tl <= T_max) * jac
            x = x + jnp.einsum("l,...l,...lc->...c", s.line_weights, g, _stack(kern(E, Tl)))
        if s.grid.shape[0] > 1:
            lo = jnp.maximum(kin.T_from_costheta(c, s.grid[0], M_E), detector.threshold)
            hi = jnp.minimum(kin.T_from_costheta(c, s.grid[-1], M_E), T_max)
            T, w = _nodes(lo, hi, n_T, T_panels)
            e = kin.enu_from_T_costheta(T, c[..., None], M_E)
            jac = kin.dEnu_dcostheta(T, c[..., None], M_E)                   # seed 001 eq. (7)
            g = w * efficiency(detector, T) * _step(detector, T) * s.pdf(e) * jac
            x = x + jnp.einsum("...n,...nc->...c", g, _stack(kern(e, T)))
        tot = tot + _scale(s, detector) * x
    tot = _TWO_PI * tot
    return Templates(tot[..., 0], mu_1e11 * mu_1e11 * tot[..., 1], jnp.zeros_like(tot[..., 2]))


# ----------------------------------------------------------------------------------------------
# azimuthal distribution and asymmetries (seed 000 eqs. (11)–(20))
# ----------------------------------------------------------------------------------------------
def azimuthal_coefficients(spectra, detector, mu_1e11=1.0, pe=0.5, *, T_max=_BIG_T,
                           sin2w=SIN2_THETA_W, flavor=None, kind="dirac", partner=None,
                           pe_fn=None, n_T=32, T_panels=4, n_E=24, n_E_panels=4):
    """(n_weak, n_em, n_int) of dN/dφ = n_weak + n_em + n_int cos(φ − φ_B) (seed 000 eq. (12)).

    Integrated over T from the detector threshold to ``T_max`` [counts/rad]; n_em includes μ²,
    n_int includes μ and the azimuthal damping e^{−σ_φ²/2}. Zero (not NaN) when the threshold
    lies above every kinematic endpoint.
    """
    edges = jnp.stack([jnp.asarray(detector.threshold, _dtype()), jnp.asarray(T_max, _dtype())])
    tpl = binned_templates(spectra, detector, edges, pe=pe, sin2w=sin2w, flavor=flavor, kind=kind,
                           partner=partner, pe_fn=pe_fn, n_T=n_T, T_panels=T_panels, n_E=n_E,
                           n_E_panels=n_E_panels)
    damp = azimuth_damping(detector.sigma_phi)
    return (tpl.weak[0], mu_1e11 * mu_1e11 * tpl.em[0],
            mu_1e11 * damp * tpl.interference[0])


def dN_dphi(coefficients, phi, phi_B=0.0):
    """dN/dφ = n_weak + n_em + n_int cos(φ − φ_B) [counts/rad] (seed 000 eq. (12))."""
    n_w, n_m, n_i = coefficients
    return n_w + n_m + n_i * jnp.cos(jnp.asarray(phi) - phi_B)


def differential_asymmetry(coefficients, phi):
    """dA/dφ|φ' = n_int cos φ' / (n_weak + n_em) (seed 000 eq. (13)); φ' from the field direction."""
    n_w, n_m, n_i = coefficients
    return n_i * jnp.cos(phi) / (n_w + n_m)


def integrated_asymmetry(coefficients, phi):
    """A(φ') = (N₂ − N₁)/(N₂ + N₁) = −2 n_int sin φ' / (π (n_weak + n_em)) (seed 000 eqs. (14)–(17))."""
    n_w, n_m, n_i = coefficients
    return -2.0 * n_i * jnp.sin(phi) / (math.pi * (n_w + n_m))


def max_asymmetry(coefficients):
    """𝒜 = 2|n_int| / (π (n_weak + n_em)) (seed 000 eq. (18)); the sign of n_int is a convention."""
    n_w, n_m, n_i = coefficients
    return 2.0 * jnp.abs(n_i) / (math.pi * (n_w + n_m))


def asymmetry_vs_mu(coefficients_at_unit_mu, mu_1e11):
    """𝒜(μ) = μ a_int / (a_weak + μ² a_em) (seed 000 eq. (20)) from coefficients computed at μ = 1.

    μ a_int = 4|n_int|, a_weak = 2π n_weak, μ² a_em = 2π n_em.
    """
    n_w, n_m, n_i = coefficients_at_unit_mu
    mu = jnp.asarray(mu_1e11)
    return 4.0 * jnp.abs(n_i) * mu / (_TWO_PI * (n_w + mu * mu * n_m))


def mu_at_max_asymmetry(coefficients_at_unit_mu):
    """(μ*, 𝒜(μ*)) with μ* = √(a_weak/a_em) [10⁻¹¹ μ_B]: d𝒜/dμ = 0 ⇔ N_weak = N_em (seed 000 eq. (20))."""
    n_w, n_m, n_i = coefficients_at_unit_mu
    mu = jnp.sqrt(n_w / n_m)
    return mu, asymmetry_vs_mu(coefficients_at_unit_mu, mu)


