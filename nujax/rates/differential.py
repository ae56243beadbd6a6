"""Differential rates for any two-body target: dN/dT, d²N/dT dφ, d²N/dT dcosθ, dN/dcosθ.

All are sums over the target's components (the electrons, or each isotope of the material: each
with its own mass and kinematics) of seed 000 eq. (11) at fixed recoil energy:
d²N/dT dφ = Σ_c N_c t Σ_i Φ_i ∫_{Eν_min(T)} dEν λ_i(Eν) d²σ_c/dTdφ, times the acceptance
ε(T) × binding steps × Θ(T − T_th). :func:`dN_dT` returns the spectrum in the *measured* energy:
with ``Detector.smearing`` it is the true spectrum folded with the Gaussian resolution, with the
efficiency and the threshold applied at the measured energy (module :mod:`nujax.rates.engine`).
The angular spectra are at the true recoil energy. With a quenching model on the detector
(:mod:`nujax.detector.quenching`) the measured energy of a nuclear recoil is E_ee = Q(E_nr) E_nr:
:func:`dN_dT` is then dN/dE_ee = Σ_isotopes dN/dE_nr / (dE_ee/dE_nr) at E_nr(E_ee), and threshold
and efficiency act on E_ee everywhere.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from nujax import kinematics as kin
from nujax._validation import check_args
from nujax.constants import SIN2_THETA_W
from nujax.detector.core import efficiency, energy_sigma
from nujax.rates.binned import compact_kernel_for
from nujax.rates.engine import (BIG_T, Templates, acceptance, continuum_G, density_true, dtype,
                                measured_energy, scale, smear_floor, spectrum_pdf, stack, step,
                                true_energy)
from nujax._numerics import mapped_nodes
from nujax.sources.spectrum import as_spectra
from nujax.targets import CompactOptions, get_target

__all__ = ["dN_dT", "density_per_radian", "d2N_dT_dcostheta", "dN_dcostheta"]

_TWO_PI = 2.0 * math.pi
_XS = ("target", "flavor", "kind", "partner", "pe_fn")


def _two_body(target, what):
    t = get_target(target)
    if not t.two_body:
        raise ValueError(f"{what} needs a two-body target (electron or nucleus), got {t.name!r}")
    return t


def density_per_radian(spectra, detector, T, pe=1.0, *, target="electron", sin2w=SIN2_THETA_W,
                       flavor=None, kind="dirac", partner=None, pe_fn=None, n_E=32, n_E_panels=8):
    """d²N/dT dφ templates at true recoil energies ``T`` [counts MeV⁻¹ rad⁻¹], shape (..., 3).

    The last axis holds (weak, em per (10⁻¹¹ μ_B)², cos(φ − φ_B) amplitude per 10⁻¹¹ μ_B) of
    seed 000 eq. (12) before the φ integration, with ε(T), binding steps and threshold applied.
    """
    tgt = _two_body(target, "density_per_radian")
    check_args(T=T, pe=None if pe_fn is not None else pe, sin2w=sin2w)
    return _density_jit(as_spectra(spectra), detector, jnp.asarray(T, dtype()), pe, sin2w,
                        target=tgt, flavor=flavor, kind=kind, partner=partner, pe_fn=pe_fn,
                        n_E=n_E, n_E_panels=n_E_panels)


@functools.partial(jax.jit, static_argnames=_XS + ("n_E", "n_E_panels"))
def _density_jit(spectra, detector, T, pe, sin2w, *, target, flavor, kind, partner, pe_fn, n_E,
                 n_E_panels):
    kern_for = compact_kernel_for(target, detector, pe, sin2w,
                                  CompactOptions(flavor, kind, partner, pe_fn))
    return density_true(spectra, detector, target, kern_for, T, n_E, n_E_panels)


def _smeared(spectra, detector, target, kern_for, T, n_E, n_E_panels, n_S, S_panels):
    """Measured-energy spectrum (..., 3): ∫dT d(T) N(T'; T, σ(T)) ε(T') Θ(T' − T_th)."""
    dt = T.dtype
    tot = 0.0
    e_lo = smear_floor(detector, jnp.min(T)[None])
    for s in spectra:
        for comp in target.components(detector):
            kern = kern_for(s, comp)
            t_lo = true_energy(detector, comp, e_lo)                       # measured → true floor
            Tn, w = mapped_nodes(t_lo, kin.t_max(s.e_max, comp.mass), n_S, S_panels, log=True,
                                 dtype=dt)                                   # true-T nodes
            x = 0.0
            if s.line_energies.shape[0]:
                vals = stack(kern(s.line_energies, Tn[..., None]))
                x = x + jnp.einsum("l,...lc->...c", s.line_weights, vals)
            if s.grid.shape[0] > 1:
                x = x + continuum_G(s, kern, Tn, kin.enu_min(Tn, comp.mass), n_E, n_E_panels)
            d = scale(s, detector, comp) * (step(comp, Tn) * w)[..., None] * x   # (n, 3)
            En = measured_energy(detector, comp, Tn)                       # E_ee if quenched
            sig = energy_sigma(detector, En)
            g = jnp.exp(-0.5 * ((T[..., None] - En) / sig) ** 2) / (math.sqrt(_TWO_PI) * sig)
            tot = tot + jnp.einsum("...n,nc->...c", g, d)
    acc = efficiency(detector, T) * (T >= detector.threshold)             # at the measured T
    return acc[..., None] * tot


@functools.partial(jax.jit, static_argnames=_XS + ("n_E", "n_E_panels", "n_S", "S_panels"))
def _dN_dT_jit(spectra, detector, T, mu_1e11, pe, sin2w, *, target, flavor, kind, partner, pe_fn,
               n_E, n_E_panels, n_S, S_panels):
    kern_for = compact_kernel_for(target, detector, pe, sin2w,
                                  CompactOptions(flavor, kind, partner, pe_fn))
    if detector.smearing:
        w = _smeared(spectra, detector, target, kern_for, T, n_E, n_E_panels, n_S, S_panels)
    else:
        w = density_true(spectra, detector, target, kern_for, T, n_E, n_E_panels, measured=True)
    w = _TWO_PI * w
    return Templates(w[..., 0], mu_1e11 * mu_1e11 * w[..., 1], jnp.zeros_like(w[..., 2]))


def dN_dT(spectra, detector, T, mu_1e11=0.0, pe=1.0, *, target="electron", sin2w=SIN2_THETA_W,
          flavor=None, kind="dirac", partner=None, pe_fn=None, n_E=32, n_E_panels=8, n_S=64,
          S_panels=8) -> Templates:
    """φ-integrated dN/dT [counts/MeV] at measured recoil energies ``T`` (seed 000 eq. (11)).

    Returns Templates(weak, em·μ², 0) already multiplied by μ (so ``sum`` is the total). ε, the
    binding steps and the threshold Θ(T − T_th) are applied; lines contribute where
    T ≤ T_max(E_l). With ``detector.smearing`` the true spectrum is folded with the Gaussian
    resolution σ(T) on ``n_S`` × ``S_panels`` log-spaced Gauss–Legendre nodes of the true energy
    (from max(T_min − 6σ, T_min/10) to the kinematic end), and ε and the threshold act on the
    measured energy. ``target``: "electron" (default) or "nucleus" (dN/dE_R).
    """
    tgt = _two_body(target, "dN_dT")
    check_args(T=T, mu_1e11=mu_1e11, pe=None if pe_fn is not None else pe, sin2w=sin2w)
    return _dN_dT_jit(as_spectra(spectra), detector, jnp.asarray(T, dtype()), mu_1e11, pe, sin2w,
                      target=tgt, flavor=flavor, kind=kind, partner=partner, pe_fn=pe_fn,
                      n_E=n_E, n_E_panels=n_E_panels, n_S=n_S, S_panels=S_panels)


@functools.partial(jax.jit, static_argnames=_XS)
def _d2N_jit(spectra, detector, T, c, mu_1e11, pe, sin2w, *, target, flavor, kind, partner, pe_fn):
    kern_for = compact_kernel_for(target, detector, pe, sin2w,
                                  CompactOptions(flavor, kind, partner, pe_fn))
    tot = 0.0
    for s in spectra:
        if s.grid.shape[0] < 2:
            continue
        for comp in target.components(detector):
            M = comp.mass
            e = kin.enu_from_T_costheta(T, c, M)
            jac = kin.dEnu_dcostheta(T, c, M)                               # seed 001 eqs. (6)-(7)
            vals = stack(kern_for(s, comp)(e, T))
            tot = tot + (scale(s, detector, comp) * spectrum_pdf(s, e) * jac
                         * acceptance(detector, comp, T))[..., None] * vals
    if isinstance(tot, float):
        tot = jnp.zeros(jnp.broadcast_shapes(T.shape, c.shape) + (3,), dtype())
    w = _TWO_PI * tot
    return Templates(w[..., 0], mu_1e11 * mu_1e11 * w[..., 1], jnp.zeros_like(w[..., 2]))


def d2N_dT_dcostheta(spectra, detector, T, costheta, mu_1e11=0.0, pe=1.0, *, target="electron",
                     sin2w=SIN2_THETA_W, flavor=None, kind="dirac", partner=None,
                     pe_fn=None) -> Templates:
    """Continuum d²N/dT dcosθ [counts MeV⁻¹] = Φ λ(Eν(T,θ)) dσ/dT |dEν/dcosθ| (seed 001 eqs. (6)–(7)).

    Summed over the target's components (each isotope its own Eν(T, θ)). Lines are not included:
    a line E_l puts its events on the curve cosθ_l(T) (seed 001 eq. (4)), i.e. a term
    w_l Φ dσ/dT(E_l, T) δ(cosθ − cosθ_l(T)) that no density can hold; they are in :func:`dN_dT`,
    :func:`dN_dcostheta` and the binned counts. Returns Templates(weak, em·μ², 0), true T.
    """
    tgt = _two_body(target, "d2N_dT_dcostheta")
    check_args(T=T, costheta=costheta, mu_1e11=mu_1e11, pe=None if pe_fn is not None else pe,
               sin2w=sin2w)
    return _d2N_jit(as_spectra(spectra), detector, jnp.asarray(T, dtype()),
                    jnp.asarray(costheta, dtype()), mu_1e11, pe, sin2w, target=tgt, flavor=flavor,
                    kind=kind, partner=partner, pe_fn=pe_fn)


@functools.partial(jax.jit, static_argnames=_XS + ("n_T", "T_panels"))
def _dN_dcos_jit(spectra, detector, c, mu_1e11, pe, T_max, sin2w, *, target, flavor, kind,
                 partner, pe_fn, n_T, T_panels):
    kern_for = compact_kernel_for(target, detector, pe, sin2w,
                                  CompactOptions(flavor, kind, partner, pe_fn))
    tot = 0.0
    for s in spectra:
        for comp in target.components(detector):
            M = comp.mass
            kern = kern_for(s, comp)
            x = 0.0
            if s.line_energies.shape[0]:
                E = s.line_energies
                Tl = kin.T_from_costheta(c[..., None], E, M)                   # (..., L)
                jac = kin.dT_dcostheta(Tl, E, M)                               # seed 001 eq. (5)
                g = acceptance(detector, comp, Tl) * (Tl <= T_max) * jac
                x = x + jnp.einsum("l,...l,...lc->...c", s.line_weights, g, stack(kern(E, Tl)))
            if s.grid.shape[0] > 1:
                lo = jnp.maximum(kin.T_from_costheta(c, s.grid[0], M),
                                 true_energy(detector, comp, detector.threshold))
                hi = jnp.minimum(kin.T_from_costheta(c, s.grid[-1], M), T_max)
                T, w = mapped_nodes(lo, hi, n_T, T_panels, dtype=dtype())
                e = kin.enu_from_T_costheta(T, c[..., None], M)
                jac = kin.dEnu_dcostheta(T, c[..., None], M)                   # seed 001 eq. (7)
                g = w * efficiency(detector, measured_energy(detector, comp, T)) * step(comp, T) \
                    * spectrum_pdf(s, e) * jac
                x = x + jnp.einsum("...n,...nc->...c", g, stack(kern(e, T)))
            tot = tot + scale(s, detector, comp) * x
    tot = _TWO_PI * tot
    return Templates(tot[..., 0], mu_1e11 * mu_1e11 * tot[..., 1], jnp.zeros_like(tot[..., 2]))


def dN_dcostheta(spectra, detector, costheta, mu_1e11=0.0, pe=1.0, *, target="electron",
                 T_max=BIG_T, sin2w=SIN2_THETA_W, flavor=None, kind="dirac", partner=None,
                 pe_fn=None, n_T=48, T_panels=4) -> Templates:
    """dN/dcosθ [counts] over threshold ≤ T ≤ ``T_max`` (seed 001 eqs. (5) and (7)).

    Lines: dσ/dT |dT/dcosθ| at T(θ, E_l) (seed 001 eq. (5)). Continuum: ∫dT of
    :func:`d2N_dT_dcostheta` over T ∈ [max(T_th, T(θ, E₀)), min(T_max, T(θ, E₁))], the T range in
    which Eν(T, θ) lies on the spectrum grid (u-mapped). Returns Templates(weak, em·μ², 0).
    """
    tgt = _two_body(target, "dN_dcostheta")
    check_args(costheta=costheta, mu_1e11=mu_1e11, pe=None if pe_fn is not None else pe,
               T_max=T_max, sin2w=sin2w)
    return _dN_dcos_jit(as_spectra(spectra), detector, jnp.asarray(costheta, dtype()), mu_1e11,
                        pe, T_max, sin2w, target=tgt, flavor=flavor, kind=kind, partner=partner,
                        pe_fn=pe_fn, n_T=n_T, T_panels=T_panels)
