"""Seed 000 (azimuthal asymmetries in solar ν e scattering): Figs. 2–5.

The maximal integrated asymmetry A = 2|n_int| / (π (n_weak + n_em)) (seed 000 eq. (18)) from
:func:`nujax.rates.azimuthal_coefficients`, for the solar spectra of :mod:`nujax.sources.solar`,
sin²θ_W = 0.23 (the seed's value) and perfect angular resolution (the paper's curves).

Choices the seed leaves open (documented defaults, all parameters):

* Fig. 2 (⁸B): μ_ν = 10⁻¹⁰ μ_B and Pe = 1/3, the case of Barbieri–Fiorentini and Vogel–Engel that
  the paper corrects (sec. III, "the situation described in references [9] and [11]").
* Fig. 3 (pp): Pe = 0.5 (sec. III) and μ_ν = 3·10⁻¹¹ μ_B, the value the paper names for pp.
* Fig. 5: Majorana, μ₁₂ = 10⁻¹¹ μ_B both in the conversion and in the scattering (sec. IV), with
  Pe(ω) = P_LZ(ω) (eq. (24): P(ν_eL → ν̄_μR) ≃ 1 − P_LZ) for (Δm², B⊙) = (4·10⁻⁹ eV², 25 kG),
  (10⁻⁸ eV², 35 kG), (2·10⁻⁸ eV², 50 kG), within the seed's ranges, giving 30–60 % conversion of pp
  neutrinos, and the constant Pe = 0.5 for comparison.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from nujax import rates
from nujax.detector import make_detector
from nujax.app.plots import new_figure, save_figure
from nujax.propagation import p_lz
from nujax.sources.solar import solar_component

__all__ = ["asymmetry_vs_threshold", "fig2_data", "fig3_data", "fig4_data", "fig5_data",
           "pe_landau_zener", "LZ_CASES", "all_figure_data", "make_figures"]

SIN2W = 0.23
#: (Δm² [eV²], B⊙ [kG]) of the three Fig. 5 curves (see module docstring).
LZ_CASES = ((4e-9, 25.0), (1e-8, 35.0), (2e-8, 50.0))


def pe_landau_zener(enu, params):
    """Pe(ω) = P_LZ(ω) (seed 000 eqs. (23)–(24)); ``params`` = (Δm² [eV²], B⊙ [kG], μ₁₂ [10⁻¹¹ μ_B])."""
    dm2, b, mu = params
    return p_lz(enu, dm2, b, mu)


def asymmetry_vs_threshold(spectra, thresholds, mu_1e11, pe, *, kind="dirac", material="he_ch4",
                           pe_fn=None):
    """A(W_e) for each recoil threshold W_e [MeV] (seed 000 eq. (18)); vmapped over thresholds."""
    det0 = make_detector(material, threshold=float(np.min(thresholds)))

    def one(thr):
        det = dataclasses.replace(det0, threshold=thr)
        c = rates.azimuthal_coefficients(spectra, det, mu_1e11, pe, sin2w=SIN2W, kind=kind,
                                         pe_fn=pe_fn)
        return rates.max_asymmetry(c)

    return jax.vmap(one)(jnp.asarray(thresholds, dtype=float))


def fig2_data(thresholds=np.linspace(2.0, 12.0, 21), mu_1e11=10.0, pe=1.0 / 3.0):
    """⁸B: A vs W_e [MeV], Dirac and Majorana (seed 000 Fig. 2)."""
    b8 = (solar_component("8B"),)
    return dict(We=np.asarray(thresholds),
                dirac=np.asarray(asymmetry_vs_threshold(b8, thresholds, mu_1e11, pe, material="water")),
                majorana=np.asarray(asymmetry_vs_threshold(b8, thresholds, mu_1e11, pe,
                                                           kind="majorana", material="water")))


def fig3_data(thresholds=np.linspace(0.02, 0.24, 23), mu_1e11=3.0, pe=0.5):
    """pp: A vs W_e [MeV], Dirac and Majorana (seed 000 Fig. 3)."""
    pp = (solar_component("pp"),)
    return dict(We=np.asarray(thresholds),
                dirac=np.asarray(asymmetry_vs_threshold(pp, thresholds, mu_1e11, pe)),
                majorana=np.asarray(asymmetry_vs_threshold(pp, thresholds, mu_1e11, pe, kind="majorana")))


def fig4_data(mus=np.geomspace(0.3, 100.0, 41), thresholds=(0.1, 0.05), pe=0.5):
    """pp: A vs μ_ν [10⁻¹¹ μ_B] at W_e = 0.1 and 0.05 MeV (seed 000 Fig. 4, eq. (20)).

    Also returns μ* = √(a_weak/a_em), where N_weak = N_em and A is maximal.
    """
    pp = (solar_component("pp"),)
    out = dict(mu=np.asarray(mus))
    for thr in thresholds:
        det = make_detector("he_ch4", threshold=thr)
        for kind in ("dirac", "majorana"):
            c = rates.azimuthal_coefficients(pp, det, 1.0, pe, sin2w=SIN2W, kind=kind)
            out[(kind, thr)] = np.asarray(rates.asymmetry_vs_mu(c, jnp.asarray(mus)))
            out[("mu_star", kind, thr)] = float(rates.mu_at_max_asymmetry(c)[0])
    return out


def fig5_data(thresholds=np.linspace(0.02, 0.24, 23), mu_1e11=1.0, cases=LZ_CASES):
    """Majorana pp A vs W_e with Pe(ω) = P_LZ(ω) for three (Δm², B⊙) and with Pe = 0.5 (Fig. 5)."""
    pp = (solar_component("pp"),)
    out = dict(We=np.asarray(thresholds),
               constant=np.asarray(asymmetry_vs_threshold(pp, thresholds, mu_1e11, 0.5, kind="majorana")))
    for dm2, b in cases:
        out[(dm2, b)] = np.asarray(asymmetry_vs_threshold(
            pp, thresholds, mu_1e11, (dm2, b, mu_1e11), kind="majorana", pe_fn=pe_landau_zener))
    return out


def all_figure_data() -> dict:
    """The data of every figure: {"seed000_fig2": …, …, "seed000_fig5": …}."""
    return {"seed000_fig2": fig2_data(), "seed000_fig3": fig3_data(),
            "seed000_fig4": fig4_data(), "seed000_fig5": fig5_data()}


def make_figures(out_dir, data=None) -> list[Path]:
    """Write seed 000 Figs. 2–5 as PNG files in ``out_dir``; returns their paths.

    ``data``: the output of :func:`all_figure_data` when already computed."""
    out_dir = Path(out_dir)
    D = all_figure_data() if data is None else data
    paths = []
    for num, data, title, xlabel in (
        (2, D["seed000_fig2"], "⁸B, μν = 1e-10 μB, Pe = 1/3", "W_e [MeV]"),
        (3, D["seed000_fig3"], "pp, μν = 3e-11 μB, Pe = 0.5", "W_e [MeV]"),
    ):
        fig, ax = new_figure()
        ax.plot(data["We"], data["dirac"], "-", label="Dirac (νeL → νeR)")
        ax.plot(data["We"], data["majorana"], "--", label="Majorana (νe → ν̄μ)")
        ax.set(xlabel=xlabel, ylabel="maximal asymmetry A", title=f"seed 000 Fig. {num}: {title}")
        ax.legend()
        paths.append(save_figure(fig, out_dir / f"seed000_fig{num}.png"))
    d4 = D["seed000_fig4"]
    fig, ax = new_figure()
    for thr in (0.1, 0.05):
        ax.semilogx(d4["mu"] * 1e-11, d4[("dirac", thr)], "-", label=f"Dirac, W_e = {thr} MeV")
        ax.semilogx(d4["mu"] * 1e-11, d4[("majorana", thr)], "--", label=f"Majorana, W_e = {thr} MeV")
    ax.set(xlabel="μν [μB]", ylabel="A", title="seed 000 Fig. 4: pp, Pe = 0.5")
    ax.legend()
    paths.append(save_figure(fig, out_dir / "seed000_fig4.png"))
    d5 = D["seed000_fig5"]
    fig, ax = new_figure()
    ax.plot(d5["We"], d5["constant"], "-", label="Pe = 0.5")
    for dm2, b in LZ_CASES:
        ax.plot(d5["We"], d5[(dm2, b)], "--", label=f"LZ: Δm² = {dm2:g} eV², B = {b:g} kG")
    ax.set(xlabel=r"$W_e$ [MeV]", ylabel="A", title="seed 000 Fig. 5: Majorana pp, μ12 = 1e-11 μB")
    ax.legend()
    paths.append(save_figure(fig, out_dir / "seed000_fig5.png"))
    return paths
