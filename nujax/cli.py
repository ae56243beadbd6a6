"""The ``nujax`` command line (thin: every number comes from the library)."""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="nujax: differentiable low-energy neutrino scattering with electromagnetic properties.")
console = Console()

#: Neutrino lines used by the quick tables: (label, flavor, energy [MeV]); energies from the
#: decay data quoted in seeds 000/001 (⁷Be, pep solar lines; ⁵¹Cr artificial source).
_LINES = (
    ("7Be (0.862 MeV)", "nue", 0.8613),
    ("pep (1.442 MeV)", "nue", 1.442),
    ("51Cr (0.746 MeV)", "nue", 0.7465),
    ("reactor-like 2 MeV", "nuebar", 2.0),
    ("8B-like 10 MeV", "nue", 10.0),
)


def _integrated_table(mu_1e11: float, threshold: float, sin2w: float) -> Table:
    import jax.numpy as jnp
    import numpy as np

    import nujax
    from nujax.constants import cm2_from_natural
    from nujax.kinematics import t_max
    from nujax.sources import gauss_legendre

    nujax.enable_x64()
    table = Table(title=f"ν e elastic cross sections, T > {threshold*1e3:.0f} keV, μν = {mu_1e11:g}·10⁻¹¹ μB")
    for col in ("line", "flavor", "Eν [MeV]", "σ_weak [10⁻⁴⁵ cm²]", "σ_em [10⁻⁴⁵ cm²]", "em/weak"):
        table.add_column(col, justify="right")
    u, w = gauss_legendre(64)
    for label, flavor, enu in _LINES:
        tmax = float(t_max(enu, nujax.constants.M_E))
        if tmax <= threshold:
            table.add_row(label, flavor, f"{enu:.3f}", "0", "0", "-")
            continue
        # log-mapped Gauss–Legendre in T: the magnetic term goes as 1/T
        lo, hi = np.log(threshold), np.log(tmax)
        T = np.exp(lo + u * (hi - lo))
        wt = w * (hi - lo) * T
        s = nujax.dsigma_dT(jnp.full_like(T, enu), T, mu_1e11, flavor=flavor, sin2w=sin2w)
        weak = float(cm2_from_natural(jnp.sum(wt * s.weak))) / 1e-45
        em = float(cm2_from_natural(jnp.sum(wt * s.em))) / 1e-45
        table.add_row(label, flavor, f"{enu:.3f}", f"{weak:.4f}", f"{em:.4f}", f"{em / weak:.3f}")
    return table


def _hellaz_table(mu_1e11: float, pe: float) -> Table:
    import nujax

    nujax.enable_x64()
    det = nujax.preset("hellaz")
    spectra = nujax.get_source("pp") + nujax.get_source("7Be")
    table = Table(title=f"Hellaz-like pp + ⁷Be, T > {float(det.threshold)*1e3:.0f} keV, Pe = {pe:g}, "
                        f"μν = {mu_1e11:g}·10⁻¹¹ μB (Dirac)")
    for col in ("quantity", "value"):
        table.add_column(col, justify="right")
    n_w, n_m, n_i = nujax.azimuthal_coefficients(spectra, det, mu_1e11, pe)
    two_pi = 2 * 3.141592653589793
    table.add_row("N_weak [events]", f"{float(two_pi * n_w):.1f}")
    table.add_row("N_em [events]", f"{float(two_pi * n_m):.1f}")
    table.add_row("n_int [events/rad]", f"{float(n_i):.2f}")
    table.add_row("maximal asymmetry 𝒜 (seed 000 eq. 18)", f"{float(nujax.max_asymmetry((n_w, n_m, n_i))):.4f}")
    unit = nujax.azimuthal_coefficients(spectra, det, 1.0, pe)
    mu_star, a_star = nujax.mu_at_max_asymmetry(unit)
    table.add_row("μν maximizing 𝒜 [10⁻¹¹ μB] (eq. 20)", f"{float(mu_star):.2f}")
    table.add_row("𝒜 at that μν", f"{float(a_star):.4f}")
    return table


@app.command()
def demo(
    mu: float = typer.Option(3.0, help="μν in units of 10⁻¹¹ μB."),
    pe: float = typer.Option(0.5, help="Active-species probability Pe of the solar beam."),
    threshold: float = typer.Option(0.1, help="Recoil threshold [MeV] for the cross-section table."),
    sin2w: Optional[float] = typer.Option(None, help="sin²θW (default: low-energy MS-bar value)."),
) -> None:
    """The main job: ν e cross sections for the main sources and a Hellaz-like directional study."""
    from nujax.constants import SIN2_THETA_W

    console.print(_integrated_table(mu, threshold, SIN2_THETA_W if sin2w is None else sin2w))
    console.print(_hellaz_table(mu, pe))


@app.command()
def xsec(
    enu: float = typer.Option(..., help="Neutrino energy [MeV]."),
    t: float = typer.Option(..., "--T", help="Recoil kinetic energy [MeV]."),
    mu: float = typer.Option(0.0, help="μν in units of 10⁻¹¹ μB."),
    pe: float = typer.Option(1.0, help="Active-species probability Pe."),
    flavor: str = typer.Option("nue", help="nue, numu, nutau or an antineutrino (nuebar …)."),
    sin2w: Optional[float] = typer.Option(None, help="sin²θW."),
) -> None:
    """dσ/dT [cm²/MeV] at one point, split into weak and magnetic parts."""
    import nujax
    from nujax.constants import SIN2_THETA_W, cm2_from_natural

    nujax.enable_x64()
    try:
        s = nujax.dsigma_dT(enu, t, mu, pe, flavor=flavor, sin2w=SIN2_THETA_W if sin2w is None else sin2w)
    except ValueError as err:
        console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(2)
    console.print(f"dσ/dT weak = {float(cm2_from_natural(s.weak)):.5e} cm²/MeV")
    console.print(f"dσ/dT em   = {float(cm2_from_natural(s.em)):.5e} cm²/MeV")


if __name__ == "__main__":  # pragma: no cover
    app()
