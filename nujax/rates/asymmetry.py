"""Azimuthal distribution and asymmetries of the recoils (seed 000 eqs. (11)–(20)).

dN/dφ = n_weak + n_em + n_int cos(φ − φ_B) above the detector threshold; the asymmetries are
ratios of these coefficients. Available for every target with a recoil direction (electrons,
nuclei: the nuclear interference needs a transverse beam, Pe < 1).
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from nujax.constants import SIN2_THETA_W
from nujax.detector.core import azimuth_damping
from nujax.rates.binned import binned_templates
from nujax.rates.engine import BIG_T, dtype

__all__ = ["azimuthal_coefficients", "dN_dphi", "differential_asymmetry", "integrated_asymmetry",
           "max_asymmetry", "asymmetry_vs_mu", "mu_at_max_asymmetry"]

_TWO_PI = 2.0 * math.pi


def azimuthal_coefficients(spectra, detector, mu_1e11=1.0, pe=0.5, *, target="electron",
                           T_max=BIG_T, sin2w=SIN2_THETA_W, flavor=None, kind="dirac",
                           partner=None, pe_fn=None, n_T=32, T_panels=4, n_E=24, n_E_panels=4):
    """(n_weak, n_em, n_int) of dN/dφ = n_weak + n_em + n_int cos(φ − φ_B) (seed 000 eq. (12)).

    Integrated over T from the detector threshold to ``T_max`` [counts/rad]; n_em includes μ²,
    n_int includes μ and the azimuthal damping e^{−σ_φ²/2}. Zero (not NaN) when the threshold
    lies above every kinematic endpoint.
    """
    edges = jnp.stack([jnp.asarray(detector.threshold, dtype()), jnp.asarray(T_max, dtype())])
    tpl = binned_templates(spectra, detector, edges, target=target, pe=pe, sin2w=sin2w,
                           flavor=flavor, kind=kind, partner=partner, pe_fn=pe_fn, n_T=n_T,
                           T_panels=T_panels, n_E=n_E, n_E_panels=n_E_panels)
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


