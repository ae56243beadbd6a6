"""Seed 001 (artificial neutrino sources at a HELLAZ-like detector): Figs. 2–9.

Cross sections are spectrum-averaged per electron (the spectrum "normalized to one", seed 001
sec. 2.2): ⟨dσ/dT⟩ = Σ_i f_i ∫ λ_i dσ/dT with Σ f_i = 1, obtained from :mod:`nujax.rates` with a
unit exposure and divided by the event factor. sin²θ_W = 0.23 as in the seed. The ⁹⁰Sr–⁹⁰Y source
is the two first-forbidden unique branches in secular equilibrium (half of the ν̄_e each), the ⁵¹Cr
source its 746 keV line (81 % of the flux, seed 001 sec. 2.1).
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np

from nujax import kinematics as kin
from nujax import rates
from nujax.constants import M_E
from nujax.detector import make_detector
from nujax.app.plots import new_figure, save_figure
from nujax.sources.artificial import sr90_y90_spectra
from nujax.xsec.electron import dsigma_dcostheta, dsigma_dT

__all__ = ["sry_spectra", "fig2_data", "fig3_data", "fig4_data", "fig5_data", "fig6_data",
           "fig7_data", "fig8_data", "fig9_data", "all_figure_data", "make_figures"]

SIN2W = 0.23
CR_LINE = 0.7465  # MeV, the 81 % line of ⁵¹Cr


def sry_spectra(sr_only=False):
    """⁹⁰Sr–⁹⁰Y ν̄_e spectra with total flux 1 (each branch ½); ``sr_only``: the ⁹⁰Sr branch alone."""
    sr, y = sr90_y90_spectra()
    if sr_only:
        return (sr.with_flux(1.0),)
    return (sr.with_flux(0.5), y.with_flux(0.5))


def _unit_detector(threshold=0.0):
    return make_detector("he_ch4", mass_t=1.0, live_time_yr=1.0, threshold=threshold)


def _per_electron(det):
    return 1.0 / (rates.EVENT_SCALE * det.material.electrons_per_tonne * 1e-29)


def fig2_data(T=None, mus=(6.0, 10.0)):
    """⁵¹Cr 746 keV line: dσ/dT [MeV⁻³] for the SM and the magnetic term at μ = 0.6, 1·10⁻¹⁰ μ_B."""
    T = np.linspace(0.005, float(kin.t_max(CR_LINE, M_E)), 120) if T is None else np.asarray(T)
    out = dict(T=T, weak=np.asarray(dsigma_dT(CR_LINE, T, sin2w=SIN2W).weak))
    for mu in mus:
        out[mu] = np.asarray(dsigma_dT(CR_LINE, T, mu, sin2w=SIN2W).em)
    return out


def fig3_data(costheta=None, mu=8.0):
    """⁵¹Cr 746 keV line: dσ/dcosθ [MeV⁻²] for the SM and μ = 8·10⁻¹¹ μ_B (seed 001 eq. (5))."""
    c = np.linspace(0.30, 1.0, 141) if costheta is None else np.asarray(costheta)
    p = dsigma_dcostheta(CR_LINE, c, mu, sin2w=SIN2W)
    return dict(costheta=c, weak=np.asarray(p.weak), em=np.asarray(p.em))


def fig4_data(T=None, mu=6.0):
    """Sr–Y: ⟨dσ/dT⟩ [MeV⁻³] (θ integrated, seed 001 eq. (6)), SM and μ = 6·10⁻¹¹ μ_B."""
    T = np.linspace(0.01, 2.0, 200) if T is None else np.asarray(T)
    det = _unit_detector()
    r = rates.dN_dT(sry_spectra(), det, jnp.asarray(T), mu, sin2w=SIN2W)
    k = _per_electron(det)
    return dict(T=T, weak=np.asarray(r.weak) * k, em=np.asarray(r.em) * k)


def _dsig_dcos(spectra, c, mu, T_th=0.1, T_max=0.5):
    det = _unit_detector(T_th)
    r = rates.dN_dcostheta(spectra, det, jnp.asarray(c), mu, T_max=T_max, sin2w=SIN2W)
    k = _per_electron(det)
    return dict(costheta=np.asarray(c), weak=np.asarray(r.weak) * k, em=np.asarray(r.em) * k)


def fig5_data(costheta=None, mu=6.0):
    """Sr–Y: ⟨dσ/dcosθ⟩ [MeV⁻²] for 0.1 ≤ T ≤ 0.5 MeV (seed 001 eq. (7), Fig. 5)."""
    c = np.linspace(0.25, 1.0, 301) if costheta is None else costheta
    return _dsig_dcos(sry_spectra(), c, mu)


def fig6_data(costheta=None, mu=6.0):
    """As Fig. 5 for a pure ⁹⁰Sr source (no ⁹⁰Y branch), seed 001 Fig. 6."""
    c = np.linspace(0.25, 1.0, 301) if costheta is None else costheta
    return _dsig_dcos(sry_spectra(sr_only=True), c, mu)


def _iso(flavor, mu, n=160):
    T = np.linspace(0.01, 2.0, n)
    th = np.linspace(0.0, np.pi / 2, n)
    TT, HH = np.meshgrid(T, th, indexing="ij")
    C = rates.iso_ratio(jnp.asarray(TT), jnp.cos(jnp.asarray(HH)), mu, flavor=flavor, sin2w=SIN2W)
    return dict(T=T, theta=th, C=np.asarray(C))


def fig7_data(mu=10.0):
    """Iso-ratio C(T, θ) = dσ_mm/dσ_W for ν̄_e, μ = 10⁻¹⁰ μ_B (seed 001 eq. (8), Fig. 7)."""
    return _iso("nuebar", mu)


def fig8_data(mu=10.0):
    """Iso-ratio C(T, θ) for ν_e, μ = 10⁻¹⁰ μ_B (seed 001 Fig. 8)."""
    return _iso("nue", mu)


def fig9_data(C0=np.linspace(0.0, 3.0, 31), mu=6.0, T_min=0.1):
    """Sr–Y: weak and magnetic ⟨σ⟩ over the regions C > C₀, T ≥ 100 keV (seed 001 Fig. 9) [MeV⁻²]."""
    w = m = 0.0
    for s in sry_spectra():
        a, b = rates.region_integrals(s, jnp.asarray(C0), mu, T_min=T_min, sin2w=SIN2W)
        w, m = w + s.flux * a, m + s.flux * b
    return dict(C0=np.asarray(C0), weak=np.asarray(w), em=np.asarray(m))


def all_figure_data() -> dict:
    """The data of every figure: {"seed001_fig2": …, …, "seed001_fig9": …}."""
    return {f"seed001_fig{i}": globals()[f"fig{i}_data"]() for i in range(2, 10)}


def make_figures(out_dir, data=None) -> list[Path]:
    """Write seed 001 Figs. 2–9 as PNG files in ``out_dir``; returns their paths.

    ``data``: the output of :func:`all_figure_data` when already computed."""
    out_dir = Path(out_dir)
    D = all_figure_data() if data is None else data
    paths = []
    d = D["seed001_fig2"]
    fig, ax = new_figure()
    ax.plot(d["T"], d["weak"], label="SM")
    for mu in (6.0, 10.0):
        ax.plot(d["T"], d[mu], "--", label=f"μν = {mu:g}e-11 μB")
    ax.set(xlabel="T [MeV]", ylabel="dσ/dT [MeV⁻³]", yscale="log", title="seed 001 Fig. 2: ⁵¹Cr")
    ax.legend()
    paths.append(save_figure(fig, out_dir / "seed001_fig2.png"))
    for num, xl, yl in ((3, "cosθ", "dσ/dcosθ [MeV⁻²]"), (4, "T [MeV]", "⟨dσ/dT⟩ [MeV⁻³]"),
                        (5, "cosθ", "⟨dσ/dcosθ⟩ [MeV⁻²]"), (6, "cosθ", "⟨dσ/dcosθ⟩ [MeV⁻²]")):
        d = D[f"seed001_fig{num}"]
        x = d["T"] if "T" in d else d["costheta"]
        fig, ax = new_figure()
        ax.plot(x, d["weak"], label="SM")
        ax.plot(x, d["em"], "--", label="magnetic")
        ax.set(xlabel=xl, ylabel=yl, title=f"seed 001 Fig. {num}")
        ax.legend()
        paths.append(save_figure(fig, out_dir / f"seed001_fig{num}.png"))
    for num, levels in ((7, (1, 2, 4, 8, 32, 64)), (8, (1, 2, 4, 8, 32))):
        d = D[f"seed001_fig{num}"]
        fig, ax = new_figure()
        cs = ax.contour(d["T"], np.degrees(d["theta"]), np.clip(d["C"].T, 0, 1e3), levels=levels)
        ax.clabel(cs, fmt="%g")
        ax.set(xlabel="T [MeV]", ylabel="θ [deg]", title=f"seed 001 Fig. {num}: C, μν = 1e-10 μB")
        paths.append(save_figure(fig, out_dir / f"seed001_fig{num}.png"))
    d = D["seed001_fig9"]
    fig, ax = new_figure()
    ax.plot(d["C0"], d["weak"], label="weak")
    ax.plot(d["C0"], d["em"], "--", label="magnetic, μν = 6e-11 μB")
    ax.set(xlabel="C₀", ylabel="⟨σ⟩ over C > C₀ [MeV⁻²]", yscale="log", title="seed 001 Fig. 9")
    ax.legend()
    paths.append(save_figure(fig, out_dir / "seed001_fig9.png"))
    return paths
