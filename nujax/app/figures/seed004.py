"""Figures of seed 004 (ν e → ν e γ): physical regions (Figs. 2–4), enhanced-ratio regions
(Figs. 5–6), inclusive cross sections (Fig. 7a–d) and the reactor-averaged ratio (Fig. 8).

Each ``figure_data_*`` returns the plotted arrays; :func:`make_figures` writes the PNGs. Fig. 8
averages over the reactor ν̄e spectrum of :func:`nujax.sources.reactor_spectrum` (Mueller 2011
fits above 2 MeV, Vogel–Engel shape below, mid-cycle PWR fission fractions) on its full 0–10 MeV
grid — our stand-in for the "realistic" spectrum of the paper's ref. [21]; any other
:class:`nujax.sources.Spectrum` can be passed. sin²θ_W = 0.23 (the seed's value).
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np

from nujax.constants import M_E, SIN2_THETA_W_SEED
from nujax.xsec.common import to_cm2
from nujax.app.plots import new_figure, save_figure
from nujax.xsec.electron import dsigma_dT
from nujax.xsec.radiative import (cos_theta0, cos_theta1, cos_theta_q2zero, d3sigma_dx_dy_dw, omega_limits,
                                  photon_energy_e0)
from nujax.xsec.radiative_integrals import d2sigma_dx_dnu, gauss_legendre, spectrum_average
from nujax.sources.reactor import reactor_spectrum

__all__ = ["figure_data_region_lab", "figure_data_omega_limits", "figure_data_q2_nu", "figure_data_enhanced",
           "figure_data_inclusive", "figure_data_reactor", "all_figure_data", "make_figures"]

S2 = SIN2_THETA_W_SEED


def figure_data_region_lab(T=0.2, enu=1.0, n=200):
    """Fig. 2: boundaries in the (E_γ, θ) plane at fixed T (eqs. (20)–(25)); angles in degrees."""
    eg = np.linspace(1e-4, enu - T, n)
    q2max = 4 * enu * (enu - T - eg)
    pe = np.sqrt(T * T + 2 * M_E * T)
    cmin = np.clip((q2max - 2 * T * (M_E - eg)) / (2 * eg * pe), -1, 1)  # eq. (25)
    cmax = np.where(eg >= float(photon_energy_e0(T)), np.clip(np.asarray(cos_theta_q2zero(T, eg)), -1, 1), -1.0)
    return dict(eg=eg, theta_min=np.degrees(np.arccos(cmin)), theta_max=np.degrees(np.arccos(cmax)),
                theta1=float(np.degrees(np.arccos(cos_theta1(T)))),
                theta0=float(np.degrees(np.arccos(cos_theta0(T, enu)))))


def figure_data_omega_limits(xs=(0.0, 0.25, 0.5, 0.75, 0.95), n=200):
    """Fig. 3: E_γ^± / m = (Eν/m) ω^± versus Eν y/m for several x (eq. (29); Eν-independent)."""
    r = np.linspace(1e-3, 5.0, n)  # Eν y / m
    enu = 1.0
    out = {}
    for x in xs:
        y = r * M_E / enu
        wm, wp = omega_limits(x, y, enu, xp=np)
        out[x] = (wm * enu / M_E, wp * enu / M_E)
    return dict(r=r, limits=out)


def figure_data_q2_nu(enu=1.0, n=200):
    """Fig. 4: allowed (Q², ν): 0 ≤ Q² ≤ min(2mν, 4Eν(Eν − ν)); ν₀ = 2Eν²/(2Eν + m)."""
    nu = np.linspace(0, enu, n)
    return dict(nu=nu, q2_upper=np.minimum(2 * M_E * nu, 4 * enu * (enu - nu)), nu0=2 * enu**2 / (2 * enu + M_E))


def figure_data_enhanced(enu=1.0, flavor="nuebar", T=0.2, n_eg=40, n_th=40, n_x=24, mu_1e11=10.0):
    """Figs. 5–6: ratio (∫_θ^θmax dσ_M)/(∫_θ^θmax dσ_W) divided by the elastic ratio at the same T."""
    el = dsigma_dT(enu, T, mu_1e11, flavor=flavor, sin2w=S2)
    el_ratio = float(el.em / el.weak)
    egs = np.linspace(0.02, enu - T - 1e-3, n_eg)
    ths = np.linspace(60.0, 180.0, n_th)
    u, wt = gauss_legendre(n_x)
    pe = np.sqrt(T * T + 2 * M_E * T)
    nu = T + egs
    xfun = lambda c: (2 * T * (M_E - egs[:, None]) + 2 * egs[:, None] * pe * c) / (2 * M_E * nu[:, None])  # noqa: E731
    xlo = np.maximum(xfun(-1.0), 0.0)
    xhi = np.minimum(xfun(np.cos(np.radians(ths))[None, :]), 1.0)
    ok = xhi > xlo
    xn = xlo[..., None] + (np.where(ok, xhi, xlo + 1e-9) - xlo)[..., None] * u
    r = d3sigma_dx_dy_dw(xn, (nu / enu)[:, None, None], (egs / enu)[:, None, None], enu, mu_1e11,
                         flavor=flavor, sin2w=S2)
    sm, sw = np.asarray(r.magnetic) @ wt, np.asarray(r.weak) @ wt
    ratio = np.where(ok & (sw > 0), sm / np.where(sw > 0, sw, 1.0), np.nan) / el_ratio
    cq0 = np.where(egs >= float(photon_energy_e0(T)), np.clip(np.asarray(cos_theta_q2zero(T, egs)), -1, 1), -1.0)
    return dict(eg=egs, theta=ths, ratio_over_elastic=ratio, theta_q2zero=np.degrees(np.arccos(cq0)),
                elastic_ratio=el_ratio)


def figure_data_inclusive(enu=1.0, flavor="nuebar", mu_1e11=10.0, eg_min=0.0, T_min=0.0, n=40, n_omega=32):
    """Fig. 7: d²σ/dx dν [cm²/MeV] on an (x, ν) grid, weak and magnetic, with optional thresholds."""
    xs = np.linspace(0.01, 0.99, n)
    nus = np.linspace(0.005, 2 * enu**2 / (2 * enu) * 0.999, n)
    X, N = np.meshgrid(xs, nus, indexing="ij")
    r = d2sigma_dx_dnu(X, N, enu, mu_1e11, flavor=flavor, sin2w=S2, eg_min=eg_min, T_min=T_min, n_omega=n_omega)
    # cm² on the host in float64 (10⁻⁵⁰ cm² underflows float32)
    return dict(x=xs, nu=nus, weak=to_cm2(r.weak),
                magnetic=to_cm2(r.magnetic))


def figure_data_reactor(mu_1e11=10.0, n=30, n_e=6, n_panels=5, n_omega=24, spectrum=None):
    """Fig. 8: ⟨d²σ_M/dxdν⟩/⟨d²σ_W/dxdν⟩ over a reactor ν̄e spectrum, on an (x, ν) grid.

    ``spectrum`` defaults to :func:`nujax.sources.reactor_spectrum` (folded with ``n_e`` ×
    ``n_panels`` Gauss–Legendre nodes over 0–10 MeV, see
    :func:`nujax.xsec.radiative_integrals.spectrum_average`).
    """
    spec = reactor_spectrum() if spectrum is None else spectrum
    xs = np.linspace(0.01, 0.99, n)
    nus = np.linspace(0.01, 1.5, n)
    X, N = np.meshgrid(xs, nus, indexing="ij")

    def fn(e):
        r = d2sigma_dx_dnu(X[None], N[None], jnp.asarray(e)[:, None, None], mu_1e11, flavor="nuebar", sin2w=S2,
                           n_omega=n_omega)
        return (r.weak, r.magnetic)

    w, m = spectrum_average(fn, spec, n=n_e, n_panels=n_panels)
    w, m = np.asarray(w), np.asarray(m)
    return dict(x=xs, nu=nus, weak=w, magnetic=m, ratio=np.where(w > 0, m / np.where(w > 0, w, 1), 0.0))


def _map(ax, d, z, title, label):
    im = ax.pcolormesh(d["nu"], d["x"], z, shading="auto")
    ax.set_xlabel("ν [MeV]")
    ax.set_ylabel("x")
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, label=label)


def all_figure_data() -> dict:
    """The data of every figure: {"seed004_fig2": …, …, "seed004_fig8": …}."""
    return {
        "seed004_fig2": figure_data_region_lab(),
        "seed004_fig3": figure_data_omega_limits(),
        "seed004_fig4": figure_data_q2_nu(),
        "seed004_fig5": figure_data_enhanced(1.0, "nuebar"),
        "seed004_fig6": figure_data_enhanced(29.79, "numu"),
        "seed004_fig7": {"all": figure_data_inclusive(),
                         "cuts": figure_data_inclusive(eg_min=0.1, T_min=0.1)},
        "seed004_fig8": figure_data_reactor(),
    }


def make_figures(out_dir, data=None) -> list[Path]:
    """Write Figs. 2–8 of seed 004 as PNGs under ``out_dir``; returns the paths.

    ``data``: the output of :func:`all_figure_data` when already computed."""
    out = Path(out_dir)
    D = all_figure_data() if data is None else data
    paths = []
    d = D["seed004_fig2"]
    fig, ax = new_figure()
    ax.plot(d["eg"], d["theta_max"], label="θ_max (Q² = 0 or 180°)")
    ax.plot(d["eg"], d["theta_min"], label="θ_min (Q² = Q²_max)")
    ax.axhline(d["theta1"], ls=":", label="θ₁")
    ax.axhline(d["theta0"], ls="--", label="θ₀")
    ax.set(xlabel="E_γ [MeV]", ylabel="θ [deg]", title="Fig. 2: physical region, T = 0.2 MeV, Eν = 1 MeV")
    ax.legend()
    paths.append(save_figure(fig, out / "seed004_fig2.png"))
    d = D["seed004_fig3"]
    fig, ax = new_figure()
    for x, (lo, hi) in d["limits"].items():
        ax.plot(d["r"], hi, label=f"x = {x}")
        ax.plot(d["r"], lo, ls="--", color=ax.lines[-1].get_color())
    ax.set(xlabel="Eν y / m", ylabel="E_γ^± / m", title="Fig. 3: photon energy limits", yscale="log")
    ax.legend()
    paths.append(save_figure(fig, out / "seed004_fig3.png"))
    d = D["seed004_fig4"]
    fig, ax = new_figure()
    ax.fill_between(d["nu"], 0, d["q2_upper"], alpha=0.4)
    for x in (0.25, 0.5, 0.75, 1.0):
        ax.plot(d["nu"], np.minimum(2 * M_E * x * d["nu"], d["q2_upper"]), lw=0.8, label=f"x = {x}")
    ax.set(xlabel="ν [MeV]", ylabel="Q² [MeV²]", title="Fig. 4: allowed (Q², ν), Eν = 1 MeV")
    ax.legend()
    paths.append(save_figure(fig, out / "seed004_fig4.png"))
    for num, (enu, fl) in ((5, (1.0, "nuebar")), (6, (29.79, "numu"))):
        d = D[f"seed004_fig{num}"]
        fig, ax = new_figure()
        cs = ax.contour(d["theta"], d["eg"], d["ratio_over_elastic"], levels=[2, 3, 4, 5])
        ax.clabel(cs)
        ax.plot(d["theta_q2zero"], d["eg"], "k-", label="Q² = 0")
        ax.set(xlabel="θ [deg]", ylabel="E_γ [MeV]", title=f"Fig. {num}: ratio / elastic ratio, Eν = {enu} MeV, T = 0.2 MeV")
        ax.legend()
        paths.append(save_figure(fig, out / f"seed004_fig{num}.png"))
    d, dth = D["seed004_fig7"]["all"], D["seed004_fig7"]["cuts"]
    fig, axs = new_figure(2, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        _map(axs[0, 0], d, np.log10(d["weak"] / 1e-45), "7a: weak", "log10 d²σ/dxdν [1e-45 cm²/MeV]")
        _map(axs[0, 1], d, np.log10(d["magnetic"] / 1e-45), "7b: magnetic, μν = 1e-10 μB", "log10 [1e-45 cm²/MeV]")
        _map(axs[1, 0], d, np.log10(d["magnetic"] / d["weak"]), "7c: ratio M/W", "log10 ratio")
        _map(axs[1, 1], dth, np.where(dth["weak"] > 0, dth["magnetic"] / dth["weak"], 0),
             "7d: ratio, T, E_γ ≥ 100 keV", "ratio")
    paths.append(save_figure(fig, out / "seed004_fig7.png"))
    d = D["seed004_fig8"]
    fig, ax = new_figure()
    _map(ax, d, d["ratio"], "Fig. 8: reactor-averaged ratio (Mueller 2011 + Vogel–Engel)", "⟨σ_M⟩/⟨σ_W⟩")
    paths.append(save_figure(fig, out / "seed004_fig8.png"))
    return paths
