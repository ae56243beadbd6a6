"""Iso-ratio curves C(T, θ) and integrals over the regions C > C₀ (seed 001 eq. (8), Figs. 7–9).

C is the ratio of the magnetic to the weak ν e cross section at the neutrino energy that a recoil
(T, θ) fixes kinematically; the region C > C₀ of the (T, cosθ) plane is where a moment would show
most, and seed 001 Fig. 9 quotes the share of the statistics inside it. Re-exported by
:mod:`nujax.rates`.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from nujax import kinematics as kin
from nujax._validation import check_args, check_finite
from nujax.constants import M_E, SIN2_THETA_W
from nujax._numerics import gauss_legendre, mapped_nodes
from nujax.rates.engine import BIG_T, dtype
from nujax.sources.spectrum import Spectrum
from nujax.xsec.electron import species_couplings, resolve_species, electron_terms

__all__ = ["iso_ratio", "region_integrals"]

_TWO_PI = 2.0 * math.pi


def iso_ratio(T, costheta, mu_1e11, *, flavor="nuebar", sin2w=SIN2_THETA_W):
    """C(T, θ) = (dσ_mm/dT)/(dσ_W/dT) at Eν = Eν(T, θ) (seed 001 eq. (8)); 0 where unphysical.

    The weak term can vanish at the ν̄_e dynamical zero (seed 001 eq. (3)); C is then capped at
    1e30 instead of dividing by zero.
    """
    check_args(T=T, costheta=costheta, mu_1e11=mu_1e11, sin2w=sin2w)
    f, p = resolve_species(flavor, "dirac", None)
    gL, gR, _, _ = species_couplings(f, p, sin2w)
    T = jnp.asarray(T, dtype())
    e = kin.enu_from_T_costheta(T, jnp.asarray(costheta, dtype()), M_E)
    w, m, _ = electron_terms(e, T, mu_1e11, 1.0, gL, gR, 0.0, 0.0, majorana=False)
    ok = w > 0
    return jnp.where(ok, m / jnp.where(ok, w, 1.0), jnp.where(m > 0, 1e30, 0.0))


def region_integrals(spectrum: Spectrum, C0, mu_1e11, *, T_min=0.1, T_max=BIG_T,
                     flavor=None, sin2w=SIN2_THETA_W, n_T=400, n_E=400):
    """Weak and magnetic cross sections integrated over the region C(T, θ) > C₀ (seed 001 Fig. 9).

    ∫∫ dT dcosθ d²σ/dTdcosθ 1[C > C₀] = ∫dT ∫dEν λ(Eν) dσ/dT 1[C(T, Eν) > C₀] (eq. (6): the
    Jacobian maps dcosθ onto dEν at fixed T). Evaluated on a product Gauss–Legendre grid in
    (T, Eν) with the moving limit Eν ≥ Eν_min(T) — the indicator makes it first-order accurate in
    the grid spacing (a figure quantity, not a gradient path). Returns (σ_W, σ_mm) [MeV⁻²], shape of C0.
    """
    check_args(mu_1e11=mu_1e11, T_min=T_min, T_max=T_max, sin2w=sin2w)
    check_finite("C0", C0)
    fl = flavor if flavor is not None else ("nuebar" if spectrum.antineutrino else "nue")
    f, p = resolve_species(fl, "dirac", None)
    gL, gR, _, _ = species_couplings(f, p, sin2w)
    tmc = kin.t_max(spectrum.e_max, M_E)
    lo, hi = jnp.asarray(T_min, dtype()), jnp.minimum(T_max, tmc)
    T, wT = mapped_nodes(lo[None], hi[None], n_T // 4, 4, dtype=dtype())
    T, wT = T[0], wT[0]
    emin = jnp.clip(kin.enu_min(T, M_E), spectrum.grid[0], spectrum.grid[-1])[:, None]
    u, wu = gauss_legendre(n_E // 4, 4)
    span = spectrum.grid[-1] - emin
    e = emin + span * jnp.asarray(u, dtype())
    we = span * jnp.asarray(wu, dtype()) * spectrum.pdf(e)
    w, m, _ = electron_terms(e, T[:, None], mu_1e11, 1.0, gL, gR, 0.0, 0.0, majorana=False)
    ok = w > 0
    C = jnp.where(ok, m / jnp.where(ok, w, 1.0), 1e30)
    W = wT[:, None] * we
    sel = C[None] > jnp.asarray(C0, dtype()).reshape(-1, 1, 1)
    sw = _TWO_PI * jnp.sum(sel * W * w, axis=(1, 2))
    sm = _TWO_PI * jnp.sum(sel * W * m, axis=(1, 2))
    shape = jnp.shape(C0)
    return sw.reshape(shape), sm.reshape(shape)
