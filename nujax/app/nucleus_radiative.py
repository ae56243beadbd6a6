"""Binned models of the nucleus (seed 002) and radiative (seed 004) scenarios.

Interim home (issue 12): these template builders move into the generic rate engine
(``nujax.inference.build_model(..., target=...)`` with the targets of :mod:`nujax.targets`);
until then the scenarios of :mod:`nujax.app.scenarios` build their models here, unchanged.

Both build a :class:`nujax.inference.BinnedModel` with a weak template, a magnetic template per
(10⁻¹¹ μ_B)² and **zero** interference templates:

* Coherent ν–nucleus scattering on a spin-0 nucleus (seed 002 eq. (15)): the μ-linear terms B̃s,
  B̃c are proportional to K ∝ Tr[μκ†], with κ the transverse (ν_R–ν_L coherence) block of the
  density matrix. The beams here (supernova, π decay at rest) are produced left-handed (ν) or
  right-handed (ν̄) by the V − A interaction, so κ = 0 and the counts are W + μ² M exactly: the
  helicity-flipping magnetic amplitude cannot interfere with the helicity-conserving weak one
  for relativistic neutrinos. For a spin-0 nucleus only the vector coupling enters (seed 002
  eq. (16)), so ν and ν̄ of every flavor share one cross section (diagonal μ = μ𝟙, no charge
  radius): the templates use the left-handed ν_e state for all spectra.
* ν e → ν e γ (seed 004): the weak and magnetic parts add incoherently (seed 004, below
  eq. (13)), again because the magnetic vertex flips the neutrino helicity.

Counts per bin (seed 000 eq. (11) with the target count of the material):
N = N_targets · t · Φ · ∫ dEν λ(Eν) σ_bin(Eν), σ_bin the cross section integrated over the bin,
ε(T) applied at the true recoil energy (no energy smearing for nuclear recoils; quenching is not
modelled — the bins are in nuclear-recoil energy keV_nr). Supernova fluxes are fluences
[cm⁻²] (a burst): their counts carry no live-time factor. Radiative bins are in the energy
release ν = T + E_γ, with the cuts T ≥ T_th (detector threshold) and E_γ ≥ E_γ^th (infrared cut).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax.constants import HBARC2_MEV2_CM2, YEAR_S
from nujax.detector import efficiency
from nujax.inference import BinnedModel
from nujax.sources.spectrum import continuum_nodes, gauss_legendre

__all__ = ["nucleus_model", "nucleus_templates", "radiative_model", "radiative_templates"]


def _time_s(spec, det):
    """Seconds of exposure for a rate source; 1 for a supernova fluence (a burst)."""
    return 1.0 if spec.name.startswith("supernova") else float(det.live_time_yr) * YEAR_S


def _gl(lo, hi, n):
    """Gauss–Legendre nodes/weights on [lo, hi] (broadcast; empty intervals get zero weight)."""
    u, w = gauss_legendre(n, 1)
    width = jnp.maximum(hi - lo, 0.0)[..., None]
    return lo[..., None] + width * jnp.asarray(u), width * jnp.asarray(w)


def _model(W, M, background, norm_sigma, eff_sigma, bkg_sigma, names):
    ns = np.broadcast_to(np.asarray(norm_sigma, float), (W.shape[0],))
    if np.any(ns < 0) or eff_sigma < 0 or (bkg_sigma is not None and bkg_sigma < 0):
        raise ValueError("uncertainties (norm_sigma, eff_sigma, bkg_sigma) must be non-negative")
    z = jnp.zeros_like(W)
    return BinnedModel(W, M, z, z, background=background, norm_sigma=jnp.asarray(ns),
                       eff_sigma=jnp.asarray(float(eff_sigma)),
                       bkg_sigma=jnp.asarray(0.0 if bkg_sigma is None else float(bkg_sigma)),
                       bin_shape=tuple(background.shape), source_names=tuple(names),
                       directional=False, bkg_constrained=bkg_sigma is not None)


def _flat_background(det, T_edges, cos_edges):
    """Flat isotropic background b · M t · ΔT [· Δcosθ/2] [counts]."""
    T = jnp.maximum(jnp.asarray(T_edges), det.threshold)
    bkg = det.background * det.mass_t * det.live_time_yr * (T[1:] - T[:-1])
    if cos_edges is not None:
        c = jnp.asarray(cos_edges)
        bkg = bkg[:, None] * (0.5 * (c[1:] - c[:-1]))[None, :]
    return bkg


# ----------------------------------------------------------------------------------------------
# coherent ν–nucleus scattering (seed 002)
# ----------------------------------------------------------------------------------------------
def _dsigma_dT_nucleus(iso_name, enu, T, mu_1e11, sin2w, skin_fm):
    """φ-integrated dσ/dT = 2π Ã [MeV⁻³] for a left-handed ν on one isotope (seed 002 eq. (15))."""
    from nujax.em import EMProperties
    from nujax.state import SpinFlavorState
    from nujax.xsec.nucleus import nucleus_parts

    props = EMProperties.create(mu=mu_1e11 * np.eye(3), n=3)
    state = SpinFlavorState.left_handed("nue", n=3)
    p = nucleus_parts(props, state, enu, T, nucleus=iso_name, sin2w=sin2w, skin_fm=skin_fm)
    return 2.0 * math.pi * p.A


@functools.partial(jax.jit, static_argnames=("iso", "skin_fm", "n_T", "n_E", "n_E_panels"))
def _iso_sigma(spec, iso, det, T_edges, cos_edges, sin2w, skin_fm, n_T, n_E, n_E_panels):
    """(weak, em per μ²) of ∫_bin dT ε(T) ∫ dEν λ dσ/dT for one spectrum and isotope, (K, J)."""
    M = iso.mass
    a, b = T_edges[:-1], T_edges[1:]
    J = 1 if cos_edges is None else cos_edges.shape[0] - 1
    out = jnp.zeros((2, a.shape[0], J))

    def both(e, T):
        w = _dsigma_dT_nucleus(iso.name, e, T, 0.0, sin2w, skin_fm)
        return jnp.stack([w, _dsigma_dT_nucleus(iso.name, e, T, 1.0, sin2w, skin_fm) - w])

    if spec.grid.shape[0] > 1:
        hi = jnp.minimum(b, kin.t_max(spec.grid[-1], M))
        T, wT = _gl(a, hi, n_T)                                            # (K, n)
        if cos_edges is None:
            e_edge = kin.enu_min(T, M)[..., None]                          # (K, n, 1)
        else:                                                              # seed 001 eq. (4) inverted
            e_edge = kin.enu_from_T_costheta(T[..., None], cos_edges, M)
            e_edge = jnp.where(e_edge > 0, e_edge, spec.grid[-1])
        e, we = continuum_nodes(spec, e_edge, n_nodes=n_E, n_panels=n_E_panels)   # (K, n, J+1, m)
        G = jnp.sum(we * both(e, T[..., None, None]), axis=-1)             # (2, K, n, J+1)
        H = G if cos_edges is None else G[..., 1:] - G[..., :-1]
        out = out + jnp.einsum("kn,kn,cknj->ckj", wT, efficiency(det, T), H)
    if spec.line_energies.shape[0]:
        E = spec.line_energies                                             # (L,)
        tm = kin.t_max(E, M)
        if cos_edges is None:
            lo_c, hi_c = jnp.zeros((1, E.shape[0])), tm[None, :]
        else:
            Tc = kin.T_from_costheta(cos_edges[:, None], E[None, :], M)    # (J+1, L)
            lo_c, hi_c = Tc[:-1], Tc[1:]
        lo = jnp.maximum(a[:, None, None], lo_c[None])                     # (K, J, L)
        hi = jnp.minimum(jnp.minimum(b[:, None, None], hi_c[None]), tm)
        T, wT = _gl(lo, hi, n_T)                                           # (K, J, L, n)
        vals = both(E[:, None], T)                                         # (2, K, J, L, n)
        out = out + jnp.einsum("l,kjln,kjln,ckjln->ckj", spec.line_weights, wT,
                               efficiency(det, T), vals)
    return out


def nucleus_templates(spectra, det, T_edges, cos_edges=None, *, sin2w, skin_fm=0.0, n_T=8,
                      n_E=24, n_E_panels=4):
    """Weak and magnetic (per (10⁻¹¹ μ_B)²) counts per source, shape (S, K[, J]) [counts].

    Parameters
    ----------
    spectra : tuple of Spectrum
    det : Detector
        Its material fixes the target nuclei (natural isotopic mixtures, :mod:`nujax.nuclei`).
    T_edges : array (K+1,)
        Nuclear-recoil energy bin edges [MeV] (clipped at the threshold).
    cos_edges : array (J+1,), optional
        Recoil cosθ bin edges (relative to the source direction).
    sin2w, skin_fm : float
        sin²θ_W and the neutron skin [fm] of the weak form factor.
    n_T, n_E, n_E_panels : int
        Gauss–Legendre nodes per T bin; nodes and panels of the Eν continuum rule.
    """
    from nujax.nuclei import get_nucleus

    T_edges = jnp.maximum(jnp.asarray(T_edges, float), det.threshold)
    ce = None if cos_edges is None else jnp.asarray(cos_edges, float)
    W, M = [], []
    for spec in spectra:
        tot = 0.0
        for el, n_per_t in det.material.nuclei_per_tonne().items():
            for iso, ab in get_nucleus(el).isotopes:
                x = _iso_sigma(spec, iso, det, T_edges, ce, sin2w, skin_fm=float(skin_fm), n_T=n_T,
                               n_E=n_E, n_E_panels=n_E_panels)
                tot = tot + ab * n_per_t * x
        scale = float(spec.flux) * HBARC2_MEV2_CM2 * float(det.mass_t) * _time_s(spec, det)
        tot = scale * tot                                                  # seed 000 eq. (11)
        if ce is None:
            tot = tot[..., 0]
        W.append(tot[0])
        M.append(tot[1])
    return jnp.stack(W), jnp.stack(M)


def nucleus_model(spectra, det, T_edges, cos_edges=None, *, norm_sigma=0.0, eff_sigma=0.0,
                  bkg_sigma=None, sin2w, skin_fm=0.0, **quad) -> BinnedModel:
    """A BinnedModel of CEνNS on the detector's nuclei (zero interference; module docstring)."""
    W, M = nucleus_templates(spectra, det, T_edges, cos_edges, sin2w=sin2w, skin_fm=skin_fm, **quad)
    bkg = _flat_background(det, T_edges, cos_edges)
    return _model(W, M, bkg, norm_sigma, eff_sigma, bkg_sigma, [s.name for s in spectra])


# ----------------------------------------------------------------------------------------------
# ν e → ν e γ (seed 004)
# ----------------------------------------------------------------------------------------------
def radiative_templates(spectra, det, nu_edges, eg_min, *, sin2w, n_x=12, n_nu=6, n_omega=24,
                        n_E=6, n_E_panels=5):
    """Weak and magnetic (per (10⁻¹¹ μ_B)²) counts of ν e → ν e γ in energy-release bins.

    σ_bin(Eν) = ∫₀¹ dx ∫_{bin ∩ [0, ν_max(x)]} dν d²σ/dx dν (seed 004 eq. (28); inclusive
    d²σ/dx dν of :func:`nujax.xsec.radiative_integrals.d2sigma_dx_dnu` with the cuts
    E_γ ≥ ``eg_min``, T ≥ detector threshold), folded with each spectrum. The detector
    efficiency plateau multiplies the counts (the T-dependent turn-on is not applied).

    Parameters
    ----------
    spectra : tuple of Spectrum
    det : Detector
    nu_edges : array (K+1,)
        Energy-release ν = T + E_γ bin edges [MeV].
    eg_min : float
        Photon energy threshold [MeV], > 0.
    sin2w : float
    n_x, n_nu, n_omega, n_E, n_E_panels : int
        Gauss–Legendre orders in x, in ν per bin, in ln ω, and of the Eν rule.

    Returns
    -------
    (W, M) arrays (S, K) [counts].
    """
    if not eg_min > 0:
        raise ValueError("radiative templates need an infrared cut eg_min > 0 (seed 004 eq. (44))")
    nu_edges = jnp.asarray(nu_edges, float)
    W, M = [], []
    for spec in spectra:
        w, m = _radiative_one(spec, nu_edges, eg_min, det.threshold, sin2w,
                              flavor="nuebar" if spec.antineutrino else "nue", n_x=n_x, n_nu=n_nu,
                              n_omega=n_omega, n_E=n_E, n_E_panels=n_E_panels)
        scale = (float(spec.flux) * HBARC2_MEV2_CM2 * det.material.electrons_per_tonne
                 * float(det.mass_t) * _time_s(spec, det) * float(det.eff_plateau))
        W.append(scale * w)                                                # seed 000 eq. (11)
        M.append(scale * m)
    return jnp.stack(W), jnp.stack(M)


@functools.partial(jax.jit, static_argnames=("flavor", "n_x", "n_nu", "n_omega", "n_E", "n_E_panels"))
def _radiative_one(spec, nu_edges, eg_min, T_min, sin2w, *, flavor, n_x, n_nu, n_omega, n_E,
                   n_E_panels):
    """Spectrum-averaged σ per energy-release bin (weak, magnetic per μ²) [MeV⁻²], shape (K,)."""
    from nujax.xsec.radiative_integrals import d2sigma_dx_dnu, nu_max

    a, b = nu_edges[:-1], nu_edges[1:]
    ux, wx = (jnp.asarray(v) for v in gauss_legendre(n_x, 2))
    E, wE = jnp.zeros((0,)), jnp.zeros((0,))
    if spec.line_energies.shape[0]:
        E, wE = spec.line_energies, spec.line_weights
    if spec.grid.shape[0] > 1:
        ec, wc = continuum_nodes(spec, 0.0, n_nodes=n_E, n_panels=n_E_panels)
        ok = ec > 1e-3                                                     # no events below 1 keV
        E = jnp.concatenate([E, jnp.where(ok, ec, 1.0)])
        wE = jnp.concatenate([wE, jnp.where(ok, wc, 0.0)])
    top = jnp.minimum(b[None, None, :], nu_max(ux[None, :, None], E[:, None, None]))  # seed 004 eq. (28)
    nu, wnu = _gl(jnp.broadcast_to(a, top.shape), top, n_nu)              # (E, x, K, n)
    X = jnp.broadcast_to(ux[None, :, None, None], nu.shape)
    EE = jnp.broadcast_to(E[:, None, None, None], nu.shape)
    r = d2sigma_dx_dnu(X, nu, EE, 1.0, flavor=flavor, sin2w=sin2w, eg_min=eg_min, T_min=T_min,
                       n_omega=n_omega)
    w = jnp.einsum("e,x,exkn->k", wE, wx, wnu * r.weak)
    m = jnp.einsum("e,x,exkn->k", wE, wx, wnu * r.magnetic)
    return w, m


def radiative_model(spectra, det, nu_edges, eg_min, *, norm_sigma=0.0, eff_sigma=0.0,
                    bkg_sigma=None, sin2w, **quad) -> BinnedModel:
    """A BinnedModel of ν e → ν e γ in energy-release bins (zero interference; module docstring)."""
    W, M = radiative_templates(spectra, det, nu_edges, eg_min, sin2w=sin2w, **quad)
    bkg = _flat_background(det, nu_edges, None)
    return _model(W, M, bkg, norm_sigma, eff_sigma, bkg_sigma, [s.name for s in spectra])
