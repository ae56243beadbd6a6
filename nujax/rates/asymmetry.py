"""Azimuthal distribution and asymmetries of the recoils (seed 000 eqs. (11)–(20)).

dN/dφ = n_weak + n_em + n_int cos(φ − φ_B) above the detector threshold; the asymmetries are
ratios of these coefficients. Available for every target with a recoil direction (electrons,
nuclei: the nuclear interference needs a transverse beam, Pe < 1).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from nujax._numerics import safe_sqrt
from nujax._validation import check_args, values
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
    check_args(mu_1e11=mu_1e11, pe=None if pe_fn is not None else pe, T_max=T_max, sin2w=sin2w)
    edges = jnp.stack([jnp.asarray(detector.threshold, dtype()), jnp.asarray(T_max, dtype())])
    tpl = binned_templates(spectra, detector, edges, target=target, pe=pe, sin2w=sin2w,
                           flavor=flavor, kind=kind, partner=partner, pe_fn=pe_fn, n_T=n_T,
                           T_panels=T_panels, n_E=n_E, n_E_panels=n_E_panels)
    damp = azimuth_damping(detector.sigma_phi)
    return (tpl.weak[0], mu_1e11 * mu_1e11 * tpl.em[0],
            mu_1e11 * damp * tpl.interference[0])
def _ratio(num, den):
    """num/den, and 0 where den = 0 (no events: every asymmetry is 0, not NaN; gradient-safe)."""
    ok = den != 0
    return jnp.where(ok, num / jnp.where(ok, den, 1.0), 0.0)


def _coefficients(c, name="coefficients"):
    """(n_weak, n_em, n_int) as arrays; concrete ones must be finite with n_weak, n_em ≥ 0."""
    try:
        n_w, n_m, n_i = c
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be the triple (n_weak, n_em, n_int), got {type(c).__name__}") from None
    for label, x in (("n_weak", n_w), ("n_em", n_m), ("n_int", n_i)):
        v = values(f"{name}: {label}", x)
        if v is not None and not np.all(np.isfinite(v)):
            raise ValueError(f"{name}: {label} must be finite, got {v.tolist()!r}")
        if v is not None and label != "n_int" and np.any(v < 0):
            raise ValueError(f"{name}: {label} must be ≥ 0 counts, got {v.tolist()!r}")
    return tuple(jnp.asarray(x, dtype=jnp.result_type(float)) for x in (n_w, n_m, n_i))


def dN_dphi(coefficients, phi, phi_B=0.0):
    """dN/dφ = n_weak + n_em + n_int cos(φ − φ_B) [counts/rad] (seed 000 eq. (12))."""
    n_w, n_m, n_i = _coefficients(coefficients)
    check_args(phi=phi, phi_B=phi_B)
    return n_w + n_m + n_i * jnp.cos(jnp.asarray(phi) - phi_B)


def differential_asymmetry(coefficients, phi):
    """dA/dφ|φ' = n_int cos φ' / (n_weak + n_em) (seed 000 eq. (13)); φ' from the field direction.

    0 when there are no events (n_weak + n_em = 0), as for every asymmetry here.
    """
    n_w, n_m, n_i = _coefficients(coefficients)
    check_args(phi=phi)
    return _ratio(n_i * jnp.cos(phi), n_w + n_m)


def integrated_asymmetry(coefficients, phi):
    """A(φ') = (N₂ − N₁)/(N₂ + N₁) = −2 n_int sin φ' / (π (n_weak + n_em)) (seed 000 eqs. (14)–(17))."""
    n_w, n_m, n_i = _coefficients(coefficients)
    check_args(phi=phi)
    return _ratio(-2.0 * n_i * jnp.sin(phi), math.pi * (n_w + n_m))


def max_asymmetry(coefficients):
    """𝒜 = 2|n_int| / (π (n_weak + n_em)) (seed 000 eq. (18)); the sign of n_int is a convention.

    0 when there are no events (a threshold above every kinematic endpoint).
    """
    n_w, n_m, n_i = _coefficients(coefficients)
    return _ratio(2.0 * jnp.abs(n_i), math.pi * (n_w + n_m))


def asymmetry_vs_mu(coefficients_at_unit_mu, mu_1e11):
    """𝒜(μ) = μ a_int / (a_weak + μ² a_em) (seed 000 eq. (20)) from coefficients computed at μ = 1.

    μ a_int = 4|n_int|, a_weak = 2π n_weak, μ² a_em = 2π n_em.
    """
    n_w, n_m, n_i = _coefficients(coefficients_at_unit_mu, "coefficients_at_unit_mu")
    check_args(mu_1e11=mu_1e11)
    mu = jnp.asarray(mu_1e11)
    return _ratio(4.0 * jnp.abs(n_i) * mu, _TWO_PI * (n_w + mu * mu * n_m))


def mu_at_max_asymmetry(coefficients_at_unit_mu):
    """(μ*, 𝒜(μ*)) with μ* = √(a_weak/a_em) [10⁻¹¹ μ_B]: d𝒜/dμ = 0 ⇔ N_weak = N_em (seed 000 eq. (20)).

    With no events at all (n_weak = n_em = 0, e.g. a threshold above every kinematic endpoint) it
    returns (0, 0), like the asymmetries. With events of one kind only 𝒜(μ) has no interior
    maximum and it raises ``ValueError``.
    """
    c = _coefficients(coefficients_at_unit_mu, "coefficients_at_unit_mu")
    n_w, n_m, _ = c
    vw, vm = values("n_weak", n_w), values("n_em", n_m)
    if vw is not None and vm is not None:
        none = (vw == 0) & (vm == 0)
        for label, v in (("n_weak", vw), ("n_em", vm)):
            if np.any((v <= 0) & ~none):
                raise ValueError(f"coefficients_at_unit_mu: {label} must be > 0 for 𝒜(μ) to have a "
                                 f"maximum, got {v.tolist()!r}")
    mu = safe_sqrt(jnp, _ratio(n_w, n_m))
    return mu, asymmetry_vs_mu(c, mu)


