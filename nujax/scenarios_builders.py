"""Pieces of the fit scenarios: nucleus (seed 002) and radiative (seed 004) templates, the
detector/source/bins of a configuration, the fit steps and the figures of :mod:`nujax.scenarios`.

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
from nujax.errors import ConfigError
from nujax.constants import HBARC2_MEV2_CM2, YEAR_S
from nujax.detector import efficiency
from nujax.inference.likelihood import BinnedModel
from nujax.sources.spectrum import continuum_nodes, gauss_legendre

__all__ = ["make_config_detector", "make_config_sources", "bin_edges", "nucleus_model", "nucleus_templates", "radiative_model", "radiative_templates", "plot_profile", "plot_exposure", "plot_data",
           "plot_posterior", "fisher_errors", "profile_limit", "sensitivity", "nuts_summary"]


def _source_keys():
    from nujax.scenarios import SOURCE_KEYS
    return SOURCE_KEYS


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
# detector, sources and bins from the validated configuration sections
# ----------------------------------------------------------------------------------------------
def make_config_detector(det_cfg: dict):
    """A :class:`nujax.detector.Detector` from the ``[detector]`` section (keV → MeV here)."""
    from nujax.detector import make_detector, preset

    conv = {"mass_t": ("mass_t", 1.0), "live_time_yr": ("live_time_yr", 1.0),
            "threshold_keV": ("threshold", 1e-3), "background_per_t_yr_MeV": ("background", 1.0),
            "sigma_phi_rad": ("sigma_phi", 1.0), "sigma_theta_rad": ("sigma_theta", 1.0),
            "eff_plateau": ("eff_plateau", 1.0), "eff_T50_keV": ("eff_T50", 1e-3),
            "eff_width_keV": ("eff_width", 1e-3), "res_const_keV": ("res_const", 1e-3),
            "res_stoch_sqrtMeV": ("res_stoch", 1.0), "res_lin": ("res_lin", 1.0),
            "smearing": ("smearing", None), "binding": ("binding", None), "material": ("material", None)}
    kw = {}
    for k, (name, f) in conv.items():
        v = det_cfg.get(k)
        if v is not None:
            kw[name] = v if f is None else v * f
    try:
        if det_cfg.get("preset"):
            return preset(det_cfg["preset"], **kw)
        return make_detector(**kw)
    except ValueError as exc:
        raise ConfigError("detector", str(exc)) from exc


def make_config_sources(src_cfg: list):
    """[(spectra tuple, norm_sigma, source name)] from the ``[[source]]`` tables."""
    from nujax.sources.catalog import get_source

    out = []
    for i, s in enumerate(src_cfg):
        kw = {_source_keys()[k][1]: v * _source_keys()[k][2] for k, v in s.items()
              if _source_keys()[k][1] is not None}
        try:
            spectra = get_source(s["name"], **kw)
        except ValueError as exc:
            raise ConfigError(f"source[{i}]", str(exc)) from exc
        out.append((spectra, s["norm_sigma"], s["name"]))
    return out


def bin_edges(binning: dict, kind: str = "electron"):
    """(T_edges [MeV], cos_edges or None, phi_edges or None) from the ``[binning]`` section."""
    r = binning["T_keV"]
    if r is not None:
        f = np.geomspace if r["log"] else np.linspace
        T = f(r["min"], r["max"], r["n"] + 1) * 1e-3
    else:
        T = np.asarray(binning["T_edges_keV"], float) * 1e-3
    cos = None
    if binning["cos_edges"] is not None:
        cos = np.asarray(binning["cos_edges"], float)
    elif binning["cos_bins"]:
        lo = 0.0 if kind == "nucleus" else -1.0       # nuclear recoils only go forward
        cos = np.linspace(lo, 1.0, binning["cos_bins"] + 1)
    phi = np.linspace(0.0, 2 * np.pi, binning["phi_bins"] + 1) if binning["phi_bins"] else None
    return T, cos, phi


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



# ----------------------------------------------------------------------------------------------
# figures of a fit (used by nujax.scenarios.run_fit)
# ----------------------------------------------------------------------------------------------
def plot_profile(path, grid, q, cl, title):
    """q̃(μ) of the profile likelihood with the one-sided ``cl`` threshold Φ⁻¹(cl)² (PNG)."""
    from scipy.stats import norm

    from nujax.plotting import new_figure, save_figure

    fig, ax = new_figure()
    ax.plot(grid, q, "-", lw=1.5, label="q̃(μ) (profile likelihood ratio)")
    ax.axhline(float(norm.ppf(cl) ** 2), color="k", ls="--", lw=1, label=f"{cl:.0%} CL (one-sided)")
    ax.set(xlabel="|μ_ν| [10⁻¹¹ μ_B]", ylabel="q̃", title=f"{title}: profile likelihood")
    thr = float(norm.ppf(cl) ** 2)
    ax.set_ylim(0, min(max(float(np.max(q)) * 1.05, 2.0 * thr), 6.0 * thr))
    ax.legend()
    return save_figure(fig, path)


def plot_exposure(path, exposure, limit, cl, title):
    """Median expected ``cl`` upper limit (Fisher, Asimov μ = 0) versus exposure (PNG)."""
    from nujax.plotting import new_figure, save_figure

    fig, ax = new_figure()
    ax.loglog(exposure, limit, "o-")
    ax.set(xlabel="exposure [t yr]", ylabel=f"{cl:.0%} CL limit on |μ_ν| [10⁻¹¹ μ_B]",
           title=f"{title}: sensitivity vs exposure (Fisher)")
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, path)


def plot_data(path, model, data, expected, meta, title):
    """Data (toy) against the expectation at the truth, projected on each binned axis (PNG)."""
    from nujax.plotting import new_figure, save_figure

    d, lam = np.asarray(data), np.asarray(expected)
    axes = [("T", np.asarray(meta["T_edges_MeV"]) * 1e3,
             "ν = T + E_γ [keV]" if meta["kind"] == "radiative" else "T [keV]")]
    if meta.get("cos_edges") is not None:
        axes.append(("cos", np.asarray(meta["cos_edges"]), "cos θ"))
    if meta.get("phi_edges") is not None:
        axes.append(("phi", np.asarray(meta["phi_edges"]), "φ [rad]"))
    fig, ax = new_figure(1, len(axes), width=5.0)
    ax = np.atleast_1d(ax)
    for i, (_, edges, label) in enumerate(axes):
        other = tuple(j for j in range(d.ndim) if j != i)
        dd, ll = d.sum(axis=other), lam.sum(axis=other)
        c = 0.5 * (edges[1:] + edges[:-1])
        ax[i].stairs(ll, edges, label="expected (truth)")
        ax[i].errorbar(c, dd, yerr=np.sqrt(np.maximum(dd, 1.0)), fmt="k.", label="toy data")
        bkg = np.asarray(model.background).sum(axis=other)
        ax[i].stairs(bkg, edges, ls=":", label="background")
        ax[i].set(xlabel=label, ylabel="counts per bin")
    ax[0].set_title(f"{title}: data vs expectation")
    ax[0].legend(fontsize=8)
    return save_figure(fig, path)


def plot_posterior(path, samples, title):
    """Corner plot (matplotlib): 1-D histograms and pairwise scatter of the sampled parameters."""
    from nujax.plotting import new_figure, save_figure

    cols = {}
    for k in ("mu_1e11", "phi_B", "norm", "eff_scale", "bkg_scale"):
        if k in samples:
            v = np.asarray(samples[k])
            v = v.reshape(v.shape[0], -1)
            for j in range(v.shape[1]):
                cols[k if v.shape[1] == 1 else f"{k}[{j}]"] = v[:, j]
    names = list(cols)[:5]
    n = len(names)
    fig, ax = new_figure(n, n, width=2.4, height=2.4, squeeze=False)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            axij = ax[i, j]
            if j > i:
                axij.axis("off")
            elif i == j:
                axij.hist(cols[a], bins=30, histtype="step")
            else:
                axij.plot(cols[b], cols[a], ",", alpha=0.4)
            if i == n - 1:
                axij.set_xlabel(b)
            if j == 0 and i > 0:
                axij.set_ylabel(a)
    fig.suptitle(f"{title}: NUTS posterior")
    return save_figure(fig, path)


# ----------------------------------------------------------------------------------------------
# fit steps (used by nujax.scenarios.run_fit)
# ----------------------------------------------------------------------------------------------
def _f(x):
    """A JSON-friendly float (None for NaN/inf)."""
    v = float(np.asarray(x))
    return v if math.isfinite(v) else None


def _fisher_labels(model, free):
    labels = []
    for k in sorted(free):  # the order of ravel_pytree, as in nujax.inference.fisher_matrix
        labels += [f"norm[{i}]" for i in range(model.n_sources)] if k == "norm" else [k]
    return labels


def fisher_errors(model, truth, free):
    """{label: 1σ error} from the Fisher matrix at the truth (None where singular)."""
    params = {k: np.asarray(truth[k], float) for k in ("mu_1e11", "phi_B", "norm", "eff_scale", "bkg_scale")}
    F = np.asarray(_fisher_jit(model, params, tuple(free)))
    labels = _fisher_labels(model, free)
    try:
        cov = np.linalg.inv(F) if np.linalg.cond(F) < 1e12 else None
    except np.linalg.LinAlgError:
        cov = None
    if cov is None:
        return {lab: None for lab in labels}
    return {lab: _f(np.sqrt(cov[i, i])) if cov[i, i] > 0 else None for i, lab in enumerate(labels)}


@functools.lru_cache(maxsize=1)
def _jitted():
    """jit-compiled Fisher matrix and expected limit (one compilation per model shape)."""
    import jax

    from nujax.inference import exclusion_sensitivity, fisher_matrix

    fisher = jax.jit(lambda m, p, free: fisher_matrix(m, p, free)[0], static_argnums=2)
    sens = jax.jit(functools.partial(exclusion_sensitivity), static_argnames=("nuisances", "cl"))
    return fisher, sens


def _fisher_jit(model, params, free):
    return _jitted()[0](model, params, free)


def sensitivity(model, factors, nuisances, cl, phi_B):
    """Median expected limit at each exposure factor (:func:`nujax.inference.exclusion_sensitivity`)."""
    return np.asarray([float(_jitted()[1](model.scaled(f), nuisances=nuisances, cl=cl, phi_B=phi_B))
                       for f in np.atleast_1d(factors)])


def profile_limit(model, data, nuis, best_nll, mu_hat, fit, quick):
    """Upper limit from q̃(μ) = Φ⁻¹(cl)² (Cowan et al., EPJC 71 (2011) 1554, eq. (16)).

    The statistic of :func:`nujax.inference.q_tilde`, evaluated on a grid by vmapped profile fits
    (one compilation), then on a second grid of the same size inside the bracketing cell, and
    interpolated linearly in √q̃ (linear in μ asymptotically). Returns (limit, grid, q̃ on grid).
    """
    from scipy.stats import norm

    from nujax import inference as inf

    thr = float(norm.ppf(fit["cl"]) ** 2)
    n = 25 if quick else 49

    def q_on(grid):
        prof, ok = inf.profile_nll(model, data, grid, nuisances=nuis)
        q = np.maximum(2.0 * (np.asarray(prof) - best_nll), 0.0)
        return np.where(grid <= mu_hat, 0.0, q), bool(np.all(np.asarray(ok)))

    top = fit["mu_max"]
    for _ in range(5):
        grid = np.linspace(0.0, top, n)
        q, ok = q_on(grid)
        above = np.nonzero(q >= thr)[0]
        if above.size:
            break
        top *= 4.0
    else:
        return float("nan"), grid, q, "upper limit above 256 × fit.mu_max"
    i = above[0]
    fine = np.linspace(grid[max(i - 1, 0)], grid[i], n)
    qf, ok2 = q_on(fine)
    j = max(int(np.nonzero(qf >= thr)[0][0]), 1)
    r0, r1 = np.sqrt(qf[j - 1]), np.sqrt(qf[j])
    lim = fine[j - 1] + (math.sqrt(thr) - r0) * (fine[j] - fine[j - 1]) / (r1 - r0)
    if quick:
        return float(lim), grid, q, "" if ok and ok2 else "some profile fits did not converge"
    span = max(lim - max(mu_hat, 0.0), 1e-3 * lim)
    plot_grid = np.linspace(max(mu_hat - span, 0.0), lim + 1.5 * span, n)
    qp, _ = q_on(plot_grid)
    note = "" if ok and ok2 else "some profile fits did not converge"
    return float(lim), plot_grid, qp, note


def nuts_summary(model, data, nc, free, quick, key, summary, timings):
    import time

    from nujax.inference.models import MuPrior, credible_upper_limit, run_nuts

    chains, warmup, samples = (1, 100, 100) if quick else (nc["chains"], nc["warmup"], nc["samples"])
    prior = MuPrior(nc["prior"], scale=nc["prior_scale"])
    t0 = time.perf_counter()
    post = run_nuts(key, model, data, prior=prior, num_warmup=warmup, num_samples=samples,
                    num_chains=chains, fit_phi_B="phi_B" in free)
    timings["time_nuts_s"] = time.perf_counter() - t0
    summary["limit_credible"] = credible_upper_limit(post.samples, summary["cl"])
    summary["nuts_mu_mean"] = _f(np.mean(post.samples["mu_1e11"]))
    summary["nuts_mu_std"] = _f(np.std(post.samples["mu_1e11"]))
    summary["r_hat_max"] = _f(max(np.nanmax(v["r_hat"]) for v in post.summary.values()))
    summary["ess_min"] = _f(min(np.nanmin(v["n_eff"]) for v in post.summary.values()))
    summary["nuts_converged"] = bool(post.converged)
    summary["nuts_draws"] = f"{chains}x{samples} after {warmup} warm-up"
    return post

