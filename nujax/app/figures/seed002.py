"""Figures 1–3 of seed 002: azimuthal asymmetries for p, ⁴⁰Ar, ¹³²Xe and electrons at Eν = 10 MeV.

* Fig. 1 — proton dσ/dΩ(θ, φ): unpolarized SM vs unpolarized with μ; transverse vs unpolarized
  with μ; the same with the SM charge radii and anapoles (seed 002 eqs. (18)–(19)).
* Fig. 2 — dσ/dΩ(θ) at several φ for p, ⁴⁰Ar and ¹³²Xe, transverse polarization, μ and SM radii.
* Fig. 3 — electron d²σ/dTdφ at several φ for ν_e and ν_μ (one flavor, transverse polarization).

Inputs: μ = 𝟙·10⁻¹¹ μ_B (flavor-diagonal, seed 002 sect. 4), Eν = 10 MeV, and sin²θ_W = 0.23121,
the value Table 1's weak charges follow from (tests/seeds/test_seed002_tables.py). The "completely
transversely polarized" beam is the flavor-incoherent state ρ̃ = 𝟙/N, κ = 𝟙/(2N) (ζ∥ = 0,
|ζ⊥| = 1) for the three-flavor targets, the pure state (ν_R + ν_L)/√2 for the one-flavor electron
panels. Each ``fig*_data`` returns the plotted arrays; :func:`make_figures` writes the PNGs.
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np

from nujax.em import EMProperties
from nujax.kinematics import t_max
from nujax.constants import M_E
from nujax.app.plots import new_figure, save_figure
from nujax.state import SpinFlavorState
from nujax.xsec.electron_density_matrix import electron_density_matrix_parts
from nujax.xsec.nucleon import nucleon_dsigma_domega
from nujax.xsec.nucleus import nucleus_dsigma_domega

__all__ = ["SIN2W_SEED002", "ENU", "MU_1E11", "fig1_data", "fig2_data", "fig3_data",
           "figure_data", "all_figure_data", "make_figures"]

#: sin²θ_W that reproduces seed 002 Table 1 (𝓕₁(⁴⁰Ar) = −10.324, 𝓕₁(¹³²Xe) = −36.971).
SIN2W_SEED002: float = 0.23121
#: Neutrino energy of the seed's figures [MeV].
ENU: float = 10.0
#: Diagonal magnetic moment of the figures [10⁻¹¹ μ_B].
MU_1E11: float = 1.0
#: Azimuths of the line plots [rad].
PHIS = (0.0, 0.5 * np.pi, np.pi, 1.5 * np.pi)


def _props(mu: float, radii: bool) -> EMProperties:
    mu_m = mu * np.eye(3)
    if radii:
        return EMProperties.sm_charge_radii(mu=mu_m)                  # seed 002 eqs. (18)–(19)
    return EMProperties.create(mu=mu_m, n=3)


def _domega(target, props, state, costheta):
    if target in ("p", "n"):
        return nucleon_dsigma_domega(props, state, ENU, costheta, target=target, sin2w=SIN2W_SEED002)
    # seed 002 uses tree-level nucleon couplings (its Table 1): not the library default
    return nucleus_dsigma_domega(props, state, ENU, costheta, nucleus=target, sin2w=SIN2W_SEED002,
                                 weak_charges="tree")


def _on_grid(parts, phi):
    """A(θ) + Bs(θ) sin φ + Bc(θ) cos φ on the (θ, φ) grid, shape (n_θ, n_φ)."""
    return np.asarray(parts.A[:, None] + parts.Bs[:, None] * jnp.sin(phi)[None, :]
                      + parts.Bc[:, None] * jnp.cos(phi)[None, :])


def fig1_data(n_theta: int = 90, n_phi: int = 73) -> dict:
    """Proton dσ/dΩ [MeV⁻² sr⁻¹] on a (θ, φ) grid for the cases of seed 002 Fig. 1."""
    theta = np.linspace(0.0, 0.5 * np.pi, n_theta + 2)[1:-1]
    phi = np.linspace(0.0, 2.0 * np.pi, n_phi)
    c = jnp.cos(theta)
    unpol, trans = SpinFlavorState.unpolarized(3), SpinFlavorState.transverse(None, n=3)
    out = {"theta": theta, "phi": phi}
    for key, props, state in [
        ("unpolarized_sm", _props(0.0, False), unpol),
        ("unpolarized_mu", _props(MU_1E11, False), unpol),
        ("transverse_mu", _props(MU_1E11, False), trans),
        ("unpolarized_mu_radii", _props(MU_1E11, True), unpol),
        ("transverse_mu_radii", _props(MU_1E11, True), trans),
    ]:
        out[key] = _on_grid(_domega("p", props, state, c), phi)
    return out


def fig2_data(n_theta: int = 200) -> dict:
    """dσ/dΩ(θ) [MeV⁻² sr⁻¹] at φ ∈ ``PHIS`` for p, Ar40 and Xe132 (seed 002 Fig. 2)."""
    theta = np.linspace(0.0, 0.5 * np.pi, n_theta + 2)[1:-1]
    phi = np.asarray(PHIS)
    props, state = _props(MU_1E11, True), SpinFlavorState.transverse(None, n=3)
    out = {"theta": theta, "phi": phi}
    for target in ("p", "Ar40", "Xe132"):
        out[target] = _on_grid(_domega(target, props, state, jnp.cos(theta)), phi)
    return out


def fig3_data(n_T: int = 200) -> dict:
    """Electron d²σ/dTdφ [MeV⁻³ rad⁻¹] vs T at φ ∈ ``PHIS`` for ν_e and ν_μ (seed 002 Fig. 3)."""
    tm = float(t_max(ENU, M_E))
    T = np.geomspace(1e-3, tm, n_T)
    phi = np.asarray(PHIS)
    out = {"T": T, "phi": phi}
    for flavor in ("nue", "numu"):
        props = EMProperties.from_effective(MU_1E11, flavor, n=1)
        for key, state in [("unpolarized", SpinFlavorState.unpolarized(1)),
                           ("transverse", SpinFlavorState.transverse(flavor, n=1))]:
            parts = electron_density_matrix_parts(props, state, ENU, T, sin2w=SIN2W_SEED002, flavor=flavor)
            out[f"{flavor}_{key}"] = _on_grid(parts, phi)
    return out


def figure_data(*, n_theta: int = 90, n_phi: int = 73, n_T: int = 200) -> dict:
    """All three figures' data: {"fig1": …, "fig2": …, "fig3": …} (grid sizes as given)."""
    return {"fig1": fig1_data(n_theta, n_phi), "fig2": fig2_data(2 * n_theta), "fig3": fig3_data(n_T)}


def _plot_fig1(d):
    fig, ax = new_figure(1, 3, width=4.6)
    deg = np.degrees(d["theta"])
    ax[0].semilogy(deg, d["unpolarized_sm"][:, 0], label="unpolarized, SM")
    ax[0].semilogy(deg, d["unpolarized_mu"][:, 0], "--", label=r"unpolarized, $\mu = 10^{-11}\,\mu_B$")
    ax[0].set(xlabel="θ [deg]", ylabel="dσ/dΩ [MeV⁻² sr⁻¹]", title="proton, Eν = 10 MeV")
    ax[0].legend(fontsize=8)
    for a, key, title in [(ax[1], "mu", "transverse − unpolarized (μ)"),
                          (ax[2], "mu_radii", "… with SM radii and anapoles")]:
        diff = d[f"transverse_{key}"] - d[f"unpolarized_{key}"]
        im = a.pcolormesh(np.degrees(d["phi"]), deg, diff, shading="auto", cmap="RdBu_r")
        a.set(xlabel="φ [deg]", ylabel="θ [deg]", title=title)
        fig.colorbar(im, ax=a)
    return fig


def _plot_fig2(d):
    fig, ax = new_figure(1, 3, width=4.6)
    deg = np.degrees(d["theta"])
    for a, target in zip(ax, ("p", "Ar40", "Xe132")):
        for j, phi in enumerate(d["phi"]):
            a.semilogy(deg, d[target][:, j], label=f"φ = {np.degrees(phi):.0f}°")
        a.set(xlabel="θ [deg]", ylabel="dσ/dΩ [MeV⁻² sr⁻¹]", title=target)
    ax[0].legend(fontsize=8)
    return fig


def _plot_fig3(d):
    fig, ax = new_figure(1, 2, width=5.0)
    for a, flavor, label in zip(ax, ("nue", "numu"), (r"$\nu_e$", r"$\nu_{\mu,\tau}$")):
        for j, phi in enumerate(d["phi"]):
            a.loglog(d["T"], d[f"{flavor}_transverse"][:, j], label=f"transverse, φ = {np.degrees(phi):.0f}°")
        a.loglog(d["T"], d[f"{flavor}_unpolarized"][:, 0], "k--", label="unpolarized")
        a.set(xlabel="T [MeV]", ylabel="d²σ/dTdφ [MeV⁻³ rad⁻¹]", title=f"{label} e, Eν = 10 MeV")
    ax[0].legend(fontsize=7)
    return fig


def all_figure_data(**grid) -> dict:
    """:func:`figure_data` keyed by file stem: {"seed002_fig1": …, …}."""
    return {f"seed002_{k}": v for k, v in figure_data(**grid).items()}


def make_figures(out_dir, data=None, **grid) -> list[Path]:
    """Write seed002_fig1.png … seed002_fig3.png into ``out_dir``; returns their paths.

    ``data``: the output of :func:`all_figure_data` when already computed; otherwise ``grid``
    (n_theta, n_phi, n_T) is passed to :func:`figure_data`.
    """
    out = Path(out_dir)
    d = all_figure_data(**grid) if data is None else data
    return [save_figure(_plot_fig1(d["seed002_fig1"]), out / "seed002_fig1.png"),
            save_figure(_plot_fig2(d["seed002_fig2"]), out / "seed002_fig2.png"),
            save_figure(_plot_fig3(d["seed002_fig3"]), out / "seed002_fig3.png")]
