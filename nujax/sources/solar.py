"""Solar neutrino spectra: a standard-solar-model flux table and β-decay shapes per component.

Fluxes at 1 AU (unoscillated, pure νe at production) from the B16-GS98 standard solar model,
N. Vinyoles et al., ApJ 835 (2017) 202, Table 6, with its fractional model uncertainties (kept as
data, :data:`B16_GS98`, for a later likelihood).

Shapes (computed here, not copied from any table):

* pp (p + p → d + e⁺ + νe): allowed β⁺ shape, daughter Z = 1, A = 2, endpoint Q = 0.420 MeV
  (J. N. Bahcall, *Neutrino Astrophysics*, 1989, Table 6.1).
* hep (³He + p → ⁴He + e⁺ + νe): allowed β⁺, Z = 2, A = 4, Q = 18.773 MeV (Bahcall 1989).
* ¹³N, ¹⁵O, ¹⁷F: allowed β⁺ with Q = Q_EC − 2m_e from AME2020 (M. Wang et al., Chin. Phys. C 45
  (2021) 030003): Q_EC = 2.2205, 2.7542, 2.7605 MeV → Q = 1.1985, 1.7322, 1.7385 MeV.
* ⁸B → ⁸Be* + e⁺ + νe (``shape="theory"``; the default ⁸B shape is the measured standard
  spectrum of :mod:`nujax.sources.b8`): the allowed β⁺ shape folded over the broad ⁸Be 2⁺ final state,
  dN/dEν = ∫ dE ρ(E) S(Eν; Q₀ − E) (:func:`~nujax.sources.beta.broad_final_state_shape`), E the
  energy above the 2α threshold, Q₀ = Q_EC − 2m_e + 0.0918 MeV with Q_EC = 17.9799 MeV (AME2020)
  and the ⁸Be ground state 91.84 keV above 2α. ρ is a single-level R-matrix line shape (Lane &
  Thomas, Rev. Mod. Phys. 30 (1958) 257) with the l = 2 α–α Coulomb penetrability and shift at a
  channel radius of 4.5 fm (Barker 1969), resonance at 3.03 MeV above the ⁸Be ground state with
  observed width 1.513 MeV (D. R. Tilley et al., Nucl. Phys. A 745 (2004) 155). Known limitation:
  the measured ⁸B α spectrum (W. T. Winter et al., PRC 73 (2006) 025503) has more strength at high
  excitation than one level gives (multi-level R-matrix fits add higher 2⁺ levels whose parameters
  are fitted to that spectrum; they are not used here), so this ⁸B shape is harder than
  the standard one: ⟨Eν⟩ = 7.08 MeV vs 6.735 MeV (J. N. Bahcall et al., PRC 54 (1996) 411). The
  residual is structural, not a parameter choice: channel radii 3.5–6.5 fm give 7.04–7.15 MeV; the
  isospin-mixed 16.6/16.9 MeV doublet with its published widths (108, 74 keV; Tilley et al. 2004)
  and log ft = 3.3 (F. Ajzenberg-Selove, Nucl. Phys. A 490 (1988) 1)
  changes ⟨Eν⟩ by < 0.1 % for either sign of the interference (the tails of the two members
  cancel: the β decay feeds their T = 1 and the α decay proceeds from their T = 0 component); a
  constant-width Breit–Wigner would give 7.38 MeV. Use it for shape studies with that caveat.
* pep: a line at 1.442 MeV; ⁷Be: lines at 0.8613 MeV (89.56 %) and 0.3843 MeV (10.44 %, the
  478 keV ⁷Li state; Tilley et al., Nucl. Phys. A 708 (2002) 3). Thermal line broadening is
  neglected.

Oscillations: ``solar_component(name, oscillation="msw")`` attaches the arriving three-flavor
adiabatic MSW-LMA flavor and mass content (:mod:`nujax.propagation.msw`, production-region averaged
with the B16-GS98 distributions, NuFIT 6.0 NO by default); the default ``oscillation=None`` keeps
pure ν_e (the seed reproductions). How the seed-000 spin flip (RSFP, a separate ``pe`` factor in the
compact rates) combines with MSW is described in :mod:`nujax.propagation.msw`. ``earth=`` adds the
Earth-matter (day–night) regeneration (:mod:`nujax.propagation.earth`); off by default.

Agreement with published tabulations (tests/sources/test_sources_solar.py; both tables normalized to 1; bulk =
central 90 % of the table's probability), measured max relative shape deviation in the bulk /
relative ⟨Eν⟩ difference vs the O'Hare (2021) and pyCEvNS tables:
hep 0.4 % / −0.08 %, ¹³N 0.2 % / −0.04 %, ¹⁵O 0.05 % / +0.003 %, ¹⁷F 0.45 % / −0.09 %,
pp 4.4 % / −0.7 % (the tables include the thermal kinetic energy of the fusing protons, which
extends the spectrum to ≈ 0.423 MeV; not modeled here), ⁸B 23 % / +5.2 % (see above). Tolerances in
the tests are set just above these. ⟨Eν⟩ vs Bahcall 1989 Table 6.2 (0.2668, 0.7063, 0.9964,
0.9977, 9.625 MeV for pp, ¹³N, ¹⁵O, ¹⁷F, hep): within 0.8 %.
"""

from __future__ import annotations

import functools
import math

import jax.numpy as jnp
import numpy as np

from nujax.constants import ALPHA, HBARC_MEV_FM, M_E
from nujax.propagation.msw import oscillate_solar
from nujax.sources.b8 import b8_measured_spectrum
from nujax.sources.beta import beta_grid, beta_spectrum, broad_final_state_shape
from nujax.sources.spectrum import Spectrum, continuum_spectrum, line_spectrum

__all__ = [
    "B16_GS98",
    "SOLAR_COMPONENTS",
    "SOLAR_ENDPOINTS",
    "BE7_LINES",
    "PEP_LINE",
    "solar_component",
    "solar_spectra",
    "solar_flux_uncertainties",
    "b8_shape",
]

#: B16-GS98 fluxes at 1 AU [cm⁻² s⁻¹] and fractional 1σ model uncertainties
#: (Vinyoles et al., ApJ 835 (2017) 202, Table 6).
B16_GS98: dict[str, tuple[float, float]] = {
    "pp": (5.98e10, 0.006),
    "pep": (1.44e8, 0.01),
    "hep": (7.98e3, 0.30),
    "7Be": (4.93e9, 0.06),
    "8B": (5.46e6, 0.12),
    "13N": (2.78e8, 0.15),
    "15O": (2.05e8, 0.17),
    "17F": (5.29e6, 0.20),
}

#: All components, in the order :func:`solar_spectra` returns them.
SOLAR_COMPONENTS: tuple[str, ...] = ("pp", "pep", "7Be", "8B", "hep", "13N", "15O", "17F")

#: (endpoint Q [MeV], daughter Z, A) of the β⁺ continua (see module docstring for sources).
SOLAR_ENDPOINTS: dict[str, tuple[float, int, int]] = {
    "pp": (0.420, 1, 2),  # Bahcall 1989 Table 6.1
    "hep": (18.773, 2, 4),  # Bahcall 1989 Table 6.1
    "13N": (2.2205 - 2.0 * M_E, 6, 13),  # AME2020 Q_EC(13N) = 2220.5 keV
    "15O": (2.7542 - 2.0 * M_E, 7, 15),  # AME2020 Q_EC(15O) = 2754.2 keV
    "17F": (2.7605 - 2.0 * M_E, 8, 17),  # AME2020 Q_EC(17F) = 2760.5 keV
}

#: ⁷Be EC lines [MeV] and branchings (Tilley et al. 2002: 10.44 % to the 478 keV ⁷Li state).
BE7_LINES: tuple[tuple[float, float], ...] = ((0.8613, 0.8956), (0.3843, 0.1044))
#: pep line energy [MeV] (Bahcall 1989 Table 6.1).
PEP_LINE: float = 1.442

# ⁸B: AME2020 Q_EC = 17979.9 keV; ⁸Be g.s. 91.84 keV above 2α; 2⁺ state 3.03 MeV, Γ = 1.513 MeV
# (Tilley et al. 2004).
_B8_QEC = 17.9799
_BE8_GS_ABOVE_2ALPHA = 0.09184
_B8_Q0 = _B8_QEC - 2.0 * M_E + _BE8_GS_ABOVE_2ALPHA  # positron endpoint for E(2α) = 0
_BE8_ER = 3.03 + _BE8_GS_ABOVE_2ALPHA
_BE8_WIDTH = 1.513
_M_ALPHA = 3727.3794118  # α-particle mass [MeV], CODATA 2022
_CHANNEL_RADIUS_FM = 4.5  # α–α channel radius (F. C. Barker, Aust. J. Phys. 22 (1969) 293)


def coulomb_penetrability_shift(e, *, l: int = 2, z1z2: int = 4, mu: float = 0.5 * _M_ALPHA,
                                a_fm: float = _CHANNEL_RADIUS_FM, r_max_fm: float = 150.0,
                                n_steps: int = 3000):
    """Coulomb penetrability P_l and shift factor S_l at the channel radius (numpy, E > 0 in MeV).

    The outgoing Coulomb wave H = G + iF is integrated inward (RK4) from a WKB start at
    ``r_max_fm`` to ``a_fm``; with the Wronskian normalized to k, P = ka/|H|² = ρ Im(H'/H)
    and S = ρ Re(H'/H) (A. M. Lane and R. G. Thomas, Rev. Mod. Phys. 30 (1958) 257, §III).
    Checked against the neutral l = 0 and l = 2 closed forms ka and ρ⁵/(9 + 3ρ² + ρ⁴).
    """
    e = np.asarray(e, dtype=float)
    k = np.sqrt(2.0 * mu * e) / HBARC_MEV_FM
    eta = z1z2 * ALPHA * np.sqrt(mu / (2.0 * e))

    def f(r):  # radial Coulomb equation u'' = f u
        return l * (l + 1) / r**2 + 2.0 * eta * k / r - k**2

    kl = np.sqrt(-f(r_max_fm))
    u = (1.0 / np.sqrt(kl) + 0j) * np.ones_like(k)
    du = 1j * kl * u
    h = (a_fm - r_max_fm) / n_steps
    r = r_max_fm
    for _ in range(n_steps):
        k1u, k1d = du, f(r) * u
        k2u, k2d = du + 0.5 * h * k1d, f(r + 0.5 * h) * (u + 0.5 * h * k1u)
        k3u, k3d = du + 0.5 * h * k2d, f(r + 0.5 * h) * (u + 0.5 * h * k2u)
        k4u, k4d = du + h * k3d, f(r + h) * (u + h * k3u)
        u = u + h / 6.0 * (k1u + 2 * k2u + 2 * k3u + k4u)
        du = du + h / 6.0 * (k1d + 2 * k2d + 2 * k3d + k4d)
        r += h
    return a_fm / np.abs(u) ** 2, a_fm * np.real(du / u)


@functools.lru_cache(maxsize=8)
def _be8_level_parameters(a_fm: float = _CHANNEL_RADIUS_FM):
    (p_r,), (s_r,) = coulomb_penetrability_shift(np.array([_BE8_ER]), a_fm=a_fm)
    (_,), (s_r2,) = coulomb_penetrability_shift(np.array([_BE8_ER + 1e-3]), a_fm=a_fm)
    ds = (s_r2 - s_r) / 1e-3
    # Lane & Thomas 1958: Γ_obs = 2γ²P / (1 + γ² dS/dE) at the resonance → reduced width γ²
    gamma2 = _BE8_WIDTH / (2.0 * p_r - _BE8_WIDTH * ds)
    return gamma2, s_r


def _be8_density(e, a_fm: float = _CHANNEL_RADIUS_FM):
    """Single-level R-matrix density of the ⁸Be 2⁺ state vs energy above 2α [MeV⁻¹, unnormalized].

    ρ(E) = Γ(E) / ((E_R + Δ(E) − E)² + Γ(E)²/4), Γ = 2γ²P₂(E), Δ = −γ²(S₂(E) − S₂(E_R)) (Lane &
    Thomas 1958, Thomas approximation), γ² fixed by the observed width Γ = 1.513 MeV at
    E_R = 3.03 MeV (Tilley et al. 2004), channel radius ``a_fm`` (default 4.5 fm, Barker 1969).
    """
    e = np.asarray(e, dtype=float)
    gamma2, s_r = _be8_level_parameters(float(a_fm))
    ok = e > 0.05  # below 50 keV the α–α penetrability is < e⁻²⁵: exactly 0
    p, s = coulomb_penetrability_shift(np.where(ok, e, 1.0), a_fm=a_fm)
    width = 2.0 * gamma2 * np.where(ok, p, 0.0)
    shift = -gamma2 * (s - s_r)
    return width / ((_BE8_ER + shift - e) ** 2 + 0.25 * width**2)


def b8_shape(enu, *, channel_radius_fm: float = _CHANNEL_RADIUS_FM, n_nodes: int = 24,
             n_panels: int = 6):
    """Unnormalized ⁸B neutrino spectrum: allowed β⁺ (Z = 4, A = 8) folded over the ⁸Be 2⁺ state.

    Parameters
    ----------
    enu : array
        Neutrino energies [MeV].
    channel_radius_fm : float
        α–α channel radius of the R-matrix line shape [fm] (default 4.5 fm, Barker 1969); the
        reduced width is refitted to the observed 2⁺ width at each radius.
    n_nodes, n_panels : int
        Gauss–Legendre rule over the ⁸Be excitation energy.

    Returns
    -------
    array
        dN/dEν in arbitrary units (0 outside 0 < Eν < Q₀ ≈ 17.05 MeV).
    """
    return broad_final_state_shape(enu, _B8_Q0, 4, 8,
                                   functools.partial(_be8_density, a_fm=float(channel_radius_fm)),
                                   _B8_Q0 - 1e-3, positron=True, n_nodes=n_nodes, n_panels=n_panels)


def _check_name(name: str) -> str:
    if name not in SOLAR_COMPONENTS:
        raise ValueError(f"unknown solar component {name!r}; known: {', '.join(SOLAR_COMPONENTS)}")
    return name


def solar_component(name: str, *, flux: float | None = None, model: dict | None = None,
                    n_grid: int = 401, oscillation: str | None = None,
                    mixing: dict | None = None, shape: str | None = None, earth=None) -> Spectrum:
    """One solar neutrino component as a normalized :class:`Spectrum` with its SSM flux.

    Parameters
    ----------
    name : str
        One of :data:`SOLAR_COMPONENTS` ("pp", "pep", "7Be", "8B", "hep", "13N", "15O", "17F").
    flux : float, optional
        Total flux [cm⁻² s⁻¹]; default from ``model``.
    model : dict, optional
        Flux table name → (flux, fractional uncertainty); default :data:`B16_GS98`.
    n_grid : int
        Continuum grid points (clustered at both endpoints).
    oscillation : {None, "msw"}
        ``None`` (default for now): pure ν_e at Earth, as the seed reproductions assume.
        ``"msw"``: the arriving flavor and mass content of three-flavor adiabatic MSW-LMA, averaged
        over the production region (:func:`nujax.propagation.msw.oscillate_solar`).
    mixing : dict, optional
        Keyword arguments of :func:`nujax.propagation.msw.solar_arrival` (``sin2_12``, ``sin2_13``,
        ``sin2_23``, ``delta_deg``, ``dm2_21`` [eV²], ``dm2_31`` [eV²]); default NuFIT 6.0 NO.
    shape : {None, "measured", "theory"}
        ⁸B only. ``None``/``"measured"`` (default): the standard measured spectrum of Bahcall et al.,
        PRC 54 (1996) 411, shipped as package data (:mod:`nujax.sources.b8`, ⟨Eν⟩ = 6.735 MeV);
        ``"theory"``: the β-theory shape with the single-level R-matrix ⁸Be* (:func:`b8_shape`,
        ⟨Eν⟩ = 7.08 MeV; module docstring). Other components have only the computed shape.
    earth : None or dict
        With ``oscillation="msw"``: Earth-matter (day–night) regeneration,
        :mod:`nujax.propagation.earth`. ``None`` (default): no Earth crossing (day-time content);
        ``{"nadir_deg": η}``: one chord; ``{"latitude_deg": λ, "period": "year"|"night"|"day"}``:
        the exposure of a detector at latitude λ over a year (day and night), the nights or the
        days.

    >>> s = solar_component("7Be")
    >>> [round(float(x), 4) for x in s.line_energies], f"{float(s.flux):.3g}"
    ([0.8613, 0.3843], '4.93e+09')
    """
    _check_name(name)
    if oscillation not in (None, "msw"):
        raise ValueError(f"solar {name}: oscillation must be None or 'msw', got {oscillation!r}")
    if mixing is not None and oscillation is None:
        raise ValueError(f"solar {name}: mixing= needs oscillation='msw'")
    if earth is not None and oscillation is None:
        raise ValueError(f"solar {name}: earth= needs oscillation='msw'")
    if shape not in (None, "measured", "theory") or (shape == "measured" and name != "8B"):
        raise ValueError(f"solar {name}: shape must be None, 'theory' or (8B only) 'measured', got {shape!r}")
    spectrum = _unoscillated(name, flux, model, n_grid, shape)
    if oscillation == "msw":
        return oscillate_solar(spectrum, name, earth=earth, **(mixing or {}))
    return spectrum


def _unoscillated(name, flux, model, n_grid, shape=None) -> Spectrum:
    table = B16_GS98 if model is None else model
    phi = table[name][0] if flux is None else flux
    if phi < 0 or not math.isfinite(phi):
        raise ValueError(f"solar {name}: flux must be a finite non-negative number, got {phi!r}")
    label = f"solar {name}"
    if name == "pep":
        return line_spectrum([PEP_LINE], [1.0], flux=phi, name=label)
    if name == "7Be":
        return line_spectrum([e for e, _ in BE7_LINES], [b for _, b in BE7_LINES], flux=phi, name=label)
    if name == "8B" and shape != "theory":
        return b8_measured_spectrum(phi, name=label)       # Bahcall et al. 1996 (nujax/data)
    if name == "8B":
        grid = beta_grid(_B8_Q0, n_grid)
        return continuum_spectrum(grid, b8_shape(jnp.asarray(grid)), flux=phi, name=label)
    q, z, a = SOLAR_ENDPOINTS[name]
    return beta_spectrum(q, z, a, positron=True, n_grid=n_grid, flux=phi, antineutrino=False, name=label)


def solar_spectra(components=SOLAR_COMPONENTS, *, model: dict | None = None, n_grid: int = 401,
                  oscillation: str | None = None, mixing: dict | None = None, earth=None):
    """The solar components as a tuple of :class:`Spectrum` (same order as ``components``);
    ``oscillation``, ``mixing`` and ``earth`` as in :func:`solar_component`."""
    return tuple(solar_component(c, model=model, n_grid=n_grid, oscillation=oscillation, mixing=mixing,
                                 earth=earth) for c in components)


def solar_flux_uncertainties(components=SOLAR_COMPONENTS, *, model: dict | None = None):
    """Fractional 1σ flux uncertainties of the model (B16-GS98 by default), as a jnp array."""
    table = B16_GS98 if model is None else model
    return jnp.asarray([table[_check_name(c)][1] for c in components])
