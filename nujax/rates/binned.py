"""Binned templates and expected counts for any target (seed 000 eqs. (11)–(12)).

Everything is a pure JAX function of the spectra (tuples of :class:`~nujax.sources.Spectrum`),
the :class:`~nujax.detector.Detector`, the target (:func:`nujax.targets.get_target`: electrons by
default, the nuclei of the material, or ν e → ν e γ), the magnetic moment ``mu_1e11``
(μ_ν/10⁻¹¹ μ_B), the beam state (``pe``, the probability of the active species, and ``phi_B``, the
azimuth of ξ⊥; seed 000 form) and sin²θ_W; ``jax.grad`` flows to all of them and to the spectrum
and detector leaves. Because the rate is quadratic in μ_ν, :func:`binned_templates` returns the
three templates (weak; em per (10⁻¹¹ μ_B)²; interference amplitude per 10⁻¹¹ μ_B) once, and
:func:`combine` turns them into counts for any (μ_ν, φ_B) at negligible cost;
:func:`expected_counts` is the one-call, fully differentiable driver. The folding itself is
:mod:`nujax.rates.engine`.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from nujax._validation import check_finite
from nujax.constants import SIN2_THETA_W
from nujax.detector.backgrounds import background_counts
from nujax.detector.core import Detector, azimuth_damping
from nujax.rates.engine import (Templates, check_edges, check_inputs, check_phi_edges, dtype,
                                fold_binned)
from nujax.sources.spectrum import as_spectra
from nujax.targets import CompactOptions, get_target

__all__ = ["Templates", "binned_templates", "combine", "expected_counts", "compact_kernel_for",
           "resolve_target"]

#: Static keyword arguments of the compact binned drivers.
STATIC = ("target", "flavor", "kind", "partner", "pe_fn", "polar_smearing", "n_T", "T_panels",
          "n_E", "n_E_panels", "n_eff")


def resolve_target(target, cos_edges=None, phi_edges=None):
    """The target object, with a clear error where it cannot resolve the recoil direction."""
    t = get_target(target)
    if not t.directional and (cos_edges is not None or phi_edges is not None):
        raise ValueError(f"the {t.name} target has no recoil direction: give no cos_edges or "
                         "phi_edges (bins in the measured energy only)")
    return t


def compact_kernel_for(target, detector, pe, sin2w, options: CompactOptions):
    """``(spectrum, component) ↦ kernel`` of the compact parametrisation for ``target``."""
    if target.two_body:
        return lambda s, comp: target.kernel(comp, s, pe, sin2w, options)
    return lambda s, comp: (lambda edges: target.fold_binned(s, detector, comp, edges, pe, sin2w,
                                                             options))


def _templates_core(spectra, detector, T_edges, ce, pe, sin2w, *, target, flavor, kind, partner,
                    pe_fn, polar_smearing, n_T, T_panels, n_E, n_E_panels, n_eff):
    opts = CompactOptions(flavor, kind, partner, pe_fn)
    tot = fold_binned(spectra, detector, target,
                      compact_kernel_for(target, detector, pe, sin2w, opts), T_edges, ce,
                      polar_smearing, (n_T, T_panels, n_E, n_E_panels, n_eff))
    if ce is None:
        tot = tot[:, 0, :]
    return Templates(tot[..., 0], tot[..., 1], tot[..., 2])


_templates_jit = jax.jit(_templates_core, static_argnames=STATIC)


def binned_templates(spectra, detector: Detector, T_edges, cos_edges=None, *, target="electron",
                     pe=1.0, sin2w=SIN2_THETA_W, flavor=None, kind="dirac", partner=None,
                     pe_fn=None, polar_smearing=False, n_T=8, T_panels=1, n_E=24, n_E_panels=4,
                     n_eff=8) -> Templates:
    """Counts per radian in (T, [cosθ]) bins at μ = 1: the three templates of seed 000 eq. (12).

    Parameters
    ----------
    spectra : Spectrum or tuple of Spectrum
        Sources (flux in cm⁻² s⁻¹, or a fluence in cm⁻²); each contributes Φ_i ∫ λ_i (seed 000
        eq. (11)).
    detector : Detector
        Material, exposure, efficiency, resolution, binding (the background: :func:`combine`).
    T_edges : array (K+1,)
        Measured-energy bin edges [MeV], increasing (electron or nuclear recoil energy; the
        energy release ν = T + E_γ for the radiative target).
    cos_edges : array (J+1,), optional
        cosθ bin edges, increasing in [−1, 1]; None: one bin over all angles (result shape (K,)).
    target : str or Target, static
        "electron" (default), "nucleus", "radiative" or a target object
        (:func:`nujax.targets.get_target`).
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
    n_T, T_panels, n_E, n_E_panels, n_eff : int, static
        Gauss–Legendre nodes per T interval and panels; nodes and panels of the Eν continuum rule;
        nodes of the efficiency average over the resolution (smearing only).

    Returns
    -------
    Templates
        Arrays of shape (K,) or (K, J) [counts rad⁻¹]; ``em`` per (10⁻¹¹ μ_B)², ``interference``
        (the cos(φ − φ_B) amplitude, sign as in nujax.xsec.electron) per 10⁻¹¹ μ_B.
    """
    spectra = as_spectra(spectra)
    tgt = resolve_target(target, cos_edges)
    check_edges(T_edges, cos_edges)
    T_edges = jnp.asarray(T_edges, dtype())
    ce = None if cos_edges is None else jnp.asarray(cos_edges, dtype())
    check_inputs(T_edges, ce, pe if pe_fn is None else None, sin2w)
    return _templates_jit(spectra, detector, T_edges, ce, pe, sin2w, target=tgt, flavor=flavor,
                          kind=kind, partner=partner, pe_fn=pe_fn, polar_smearing=polar_smearing,
                          n_T=n_T, T_panels=T_panels, n_E=n_E, n_E_panels=n_E_panels, n_eff=n_eff)


def combine(templates: Templates, detector: Detector, T_edges, phi_edges, mu_1e11, phi_B=0.0,
            cos_edges=None):
    """Expected counts per (T[, cosθ], φ) bin from the templates (seed 000 eq. (12) integrated).

    N = (W + μ² M) Δφ + μ I e^{−σ_φ²/2} [sin(φ_b − φ_B) − sin(φ_a − φ_B)] + background, with the
    detector background of :func:`nujax.detector.background_counts`. Shape: templates' shape + (n_φ,).
    """
    check_phi_edges(phi_edges)
    check_edges(T_edges, cos_edges)
    check_finite("mu_1e11", mu_1e11)
    check_finite("phi_B", phi_B)
    phi_edges = jnp.asarray(phi_edges, dtype())
    T_edges = jnp.asarray(T_edges, dtype())
    dphi = phi_edges[1:] - phi_edges[:-1]
    dsin = jnp.sin(phi_edges[1:] - phi_B) - jnp.sin(phi_edges[:-1] - phi_B)
    W, M, I = (jnp.asarray(x)[..., None] for x in templates)
    damp = azimuth_damping(detector.sigma_phi)
    sig = (W + mu_1e11 * mu_1e11 * M) * dphi + mu_1e11 * I * damp * dsin
    return sig + background_counts(detector, T_edges, phi_edges, cos_edges)


@functools.partial(jax.jit, static_argnames=STATIC)
def _expected_counts_jit(spectra, detector, T_edges, phi_edges, mu_1e11, pe, phi_B, sin2w,
                         cos_edges, **static):
    tpl = _templates_core(spectra, detector, T_edges, cos_edges, pe, sin2w, **static)
    return combine(tpl, detector, T_edges, phi_edges, mu_1e11, phi_B, cos_edges)


def expected_counts(spectra, detector, T_edges, phi_edges, mu_1e11=0.0, pe=1.0, phi_B=0.0, *,
                    target="electron", sin2w=SIN2_THETA_W, cos_edges=None, flavor=None,
                    kind="dirac", partner=None, pe_fn=None, polar_smearing=False, n_T=8,
                    T_panels=1, n_E=24, n_E_panels=4, n_eff=8):
    """Expected counts in (T, [cosθ,] φ) bins — the jitted, fully differentiable driver.

    Shapes are static (bin counts), values are not: a second call with new μ_ν, Pe, φ_B, spectra
    or detector leaves of the same shapes does not recompile. See :func:`binned_templates` for the
    arguments; ``phi_edges`` [rad] are the azimuth bin edges (φ measured from the same axis as φ_B).
    Targets without a recoil direction take ``phi_edges = [0, 2π]``.

    Returns an array of shape (K, n_φ) or (K, J, n_φ) [counts], ≥ 0 for physical inputs.
    """
    check_finite("mu_1e11", mu_1e11)
    check_finite("phi_B", phi_B)
    tgt = get_target(target)
    check_edges(T_edges, cos_edges)
    check_phi_edges(phi_edges)
    T_edges, phi_edges = jnp.asarray(T_edges, dtype()), jnp.asarray(phi_edges, dtype())
    ce = None if cos_edges is None else jnp.asarray(cos_edges, dtype())
    resolve_target(tgt, ce)
    check_inputs(T_edges, ce, pe if pe_fn is None else None, sin2w)
    check_phi_edges(phi_edges)
    return _expected_counts_jit(as_spectra(spectra), detector, T_edges, phi_edges, mu_1e11, pe,
                                phi_B, sin2w, ce, target=tgt, flavor=flavor, kind=kind,
                                partner=partner, pe_fn=pe_fn, polar_smearing=polar_smearing,
                                n_T=n_T, T_panels=T_panels, n_E=n_E, n_E_panels=n_E_panels,
                                n_eff=n_eff)
