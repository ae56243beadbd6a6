"""Three-flavor adiabatic MSW-LMA conversion of solar neutrinos (flavor and mass content at Earth).

What is computed
----------------
A ν_e produced at radius r (electron density n_e(r)) with energy E leaves the Sun adiabatically as
the incoherent mixture of mass eigenstates with probabilities P_i = |U^m_ei(n_e)|², the matter
mixing at the production point; the ν_i travel to Earth as decoherent wave packets, so at the
detector P_α = Σ_i P_i |U_αi|² with the vacuum PMNS matrix U (:func:`nujax.em.pmns`). This is the
day-time content, and the default. Earth matter (day–night regeneration) is an option, ``earth=``:
the ν_i then cross the Earth on the chords of a nadir angle or of a detector's exposure and
P_α = Σ_i P_i R_αi (:mod:`nujax.propagation.earth`, PREM shells with exact evolution per shell);
for ⁸B at 10 MeV the night-time P_ee is ≈ 3 % above the day-time one, for pp and ⁷Be < 10⁻³.

Matter angles (two-step diagonalisation for Δm²21 ≪ Δm²31; PDG 2024 Review "Neutrino masses,
mixing and oscillations" §14.8 (solar neutrinos); S. Goswami and A. Yu. Smirnov, PRD 72 (2005)
053011; M. Blennow and A. Yu. Smirnov, AHEP 2013 (2013) 972485), with A = 2E·√2 G_F n_e:

    cos 2θ13^m = (cos 2θ13 − A/Δm²31) / √((cos 2θ13 − A/Δm²31)² + sin² 2θ13)
    cos 2θ12^m = (cos 2θ12 − c13² A/Δm²21) / √((cos 2θ12 − c13² A/Δm²21)² + sin² 2θ12)
    P_1 = cos²θ13^m cos²θ12^m,  P_2 = cos²θ13^m sin²θ12^m,  P_3 = sin²θ13^m.

Limits: A → 0 gives P_ee = c13⁴(1 − ½ sin² 2θ12) + s13⁴ (vacuum averaged); A/Δm²21 → ∞ with
A/Δm²31 → 0 gives P_ee = c13⁴ s12² + s13⁴. Adiabaticity holds for LMA (γ ≳ 10⁴ at the 1-2
resonance); the 1-3 resonance is never reached by solar neutrinos (A/Δm²31 ≤ 0.13 at 20 MeV in the
centre, cos 2θ13 = 0.96), so no level crossing enters. Normal ordering (Δm²31 > 0) is assumed by
the formulas' signs; for inverted ordering pass a negative ``dm2_31``.

Production-region average
-------------------------
P_i depends on the production point only through n_e, so each source's production distribution
dΦ/dr of the B16-GS98 standard solar model (Vinyoles et al., ApJ 835 (2017) 202) is carried as a
12-point Gauss quadrature in n_e (``nujax/data/solar_production_b16_gs98.json``; provenance and
the accuracy against the full table, |ΔP_ee| < 3e-9, in ``nujax/data/README.md``). The average is
a fixed sum Σ_k w_k P_i(n_e,k, E): differentiable in the mixing parameters and Δm².

Units: energies in MeV, n_e in N_A cm⁻³, Δm² in eV² at the API. Inside, A/Δm² is formed as
(K E n_e)/(Δm²/10⁻⁵ eV²) with K = 2√2 G_F N_A (ħc)³ · 10⁶/10⁻⁵ ≈ 0.0153: every number is O(10⁻²–10³),
so float32 works.

How RSFP (seed 000) and MSW combine in nujax
--------------------------------------------
They are **not** combined into one evolution. :mod:`nujax.propagation.rsfp` evolves ν_eL ↔ ν̄_μR
(two-level, no vacuum mixing) or the four-level (ν_eL, ν_μL, ν̄_eR, ν̄_μR) system with *two-flavor*
vacuum mixing, and returns the seed-000 probability Pe that the neutrino stays left-handed. What
the compact electron rates compute (:class:`nujax.targets.electron.ElectronTarget`, no explicit
``flavor=``) is, at every Eν,

    dσ = w_e(Eν) · dσ(ν_e; pe, partner ν̄_μ) + (1 − w_e(Eν)) · dσ(ν_μ; pe, partner ν̄_e),

with w_e = P_ee from the spectrum's arriving content (``oscillate_solar``) and the *same* ``pe``
(a number or ``pe_fn(Eν)``) in both species: the fraction pe scatters as the left-handed flavor,
1 − pe as its right-handed Majorana partner (seed 000 eqs. (2), (7); for ``kind="dirac"`` the
flipped part is sterile). This factorised form is exact only when spin flip and flavor conversion
act in separate regions and the flipped component keeps the flavor weights; a three-flavor
spin-flavor Hamiltonian (RSFP and MSW in one evolution) is not implemented. The seed reproductions
use unoscillated ν_e (``oscillation=None``) with the seed's ``pe``.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.constants import G_F, HBARC_MEV_CM, N_A
from nujax.em import NUFIT60_NO, pmns
from nujax.propagation._nufit import NUFIT60_NO_DM2
from nujax.propagation.earth import earth_amplitudes, earth_paths, regeneration_matrix
from nujax.state import SpinFlavorState

__all__ = [
    "NUFIT60_NO_DM2",
    "SOLAR_PRODUCTION_COMPONENTS",
    "matter_mass_probabilities",
    "production_quadrature",
    "solar_mass_probabilities",
    "solar_arrival",
    "oscillate_solar",
    "solar_arrival_state",
]


#: Sources with a production distribution (B16-GS98).
SOLAR_PRODUCTION_COMPONENTS: tuple[str, ...] = ("pp", "pep", "7Be", "8B", "hep", "13N", "15O", "17F")

_DM2_UNIT = 1.0e-5  # eV²: Δm² enters as Δm²/10⁻⁵ eV² (O(1–100))
# A/Δm² = 2E·√2 G_F n_e/Δm²: √2 G_F N_A (ħc)³ [MeV per N_A cm⁻³] × 2 × 10¹² [eV²/MeV²] / 10⁻⁵ eV²
_K_A = 2.0 * math.sqrt(2.0) * G_F * N_A * HBARC_MEV_CM**3 * 1.0e12 / _DM2_UNIT  # ≈ 0.01527
_DATA = "solar_production_b16_gs98.json"


def _defaults(sin2_12, sin2_13, dm2_21, dm2_31):
    return (NUFIT60_NO["sin2_12"] if sin2_12 is None else sin2_12,
            NUFIT60_NO["sin2_13"] if sin2_13 is None else sin2_13,
            NUFIT60_NO_DM2["dm2_21"] if dm2_21 is None else dm2_21,
            NUFIT60_NO_DM2["dm2_31"] if dm2_31 is None else dm2_31)


def _float_dtype(e):
    """The energies' float dtype (float32 stays float32); the default float for integer input."""
    return e.dtype if jnp.issubdtype(e.dtype, jnp.floating) else jnp.asarray(0.0).dtype


def _leaf(x, dt):
    """Python numbers and numpy arrays take the energies' dtype; jax arrays (leaves) are kept."""
    return x if isinstance(x, jax.Array) else jnp.asarray(x, dt)


def _cos2_matter(cos2t, sin2t, ratio):
    """cos 2θ^m = (cos 2θ − A/Δm²)/√((cos 2θ − A/Δm²)² + sin² 2θ) (PDG 2024 §14, Goswami–Smirnov 2005)."""
    x = cos2t - ratio
    return x / jnp.sqrt(x * x + sin2t * sin2t)


def matter_mass_probabilities(n_e, enu, *, sin2_12=None, sin2_13=None, dm2_21=None, dm2_31=None):
    """|U^m_ei|² (i = 1, 2, 3) of a ν_e produced at electron density ``n_e``, i.e. the adiabatic
    mass-eigenstate probabilities at Earth.

    Parameters
    ----------
    n_e : array
        Electron density at production [N_A cm⁻³] (≈ 100 at the solar centre).
    enu : array
        Neutrino energy [MeV] (broadcast with ``n_e``).
    sin2_12, sin2_13 : float or array
        sin²θ12, sin²θ13 (default NuFIT 6.0 NO, :data:`nujax.em.NUFIT60_NO`).
    dm2_21, dm2_31 : float or array
        Δm²21, Δm²31 [eV²] (default :data:`NUFIT60_NO_DM2`).

    Returns
    -------
    array (..., 3)
        (cos²θ13^m cos²θ12^m, cos²θ13^m sin²θ12^m, sin²θ13^m); sums to 1.
    """
    e = jnp.asarray(enu)
    dt = _float_dtype(e)
    s12, s13, d21, d31 = (_leaf(x, dt) for x in _defaults(sin2_12, sin2_13, dm2_21, dm2_31))
    a = _K_A * e * _leaf(n_e, dt)  # A/(10⁻⁵ eV²), A = 2E√2 G_F n_e
    c2t13 = 1.0 - 2.0 * s13  # cos 2θ13
    s2t13 = 2.0 * jnp.sqrt(s13 * (1.0 - s13))  # sin 2θ13
    c2t12 = 1.0 - 2.0 * s12
    s2t12 = 2.0 * jnp.sqrt(s12 * (1.0 - s12))
    c2m13 = _cos2_matter(c2t13, s2t13, a / (d31 / _DM2_UNIT))  # PDG 2024 §14 (1-3 step)
    c2m12 = _cos2_matter(c2t12, s2t12, (1.0 - s13) * a / (d21 / _DM2_UNIT))  # V → c13² V (1-2 step)
    c13m2, c12m2 = 0.5 * (1.0 + c2m13), 0.5 * (1.0 + c2m12)
    return jnp.stack([c13m2 * c12m2, c13m2 * (1.0 - c12m2), 1.0 - c13m2], axis=-1)


@functools.lru_cache(maxsize=1)
def _production_table():
    text = resources.files("nujax").joinpath("data", _DATA).read_text(encoding="utf-8")
    return json.loads(text)


def production_quadrature(component: str, *, order: int = 12):
    """Gauss rule (n_e nodes [N_A cm⁻³], weights summing to 1) of a source's production distribution.

    From the B16-GS98 standard solar model (Vinyoles et al., ApJ 835 (2017) 202); ``order`` is 12
    (default) or 6 (for convergence checks). Returns two numpy arrays.
    """
    if component not in SOLAR_PRODUCTION_COMPONENTS:
        raise ValueError(f"unknown solar component {component!r}; known: "
                         f"{', '.join(SOLAR_PRODUCTION_COMPONENTS)}")
    if order not in (6, 12):
        raise ValueError(f"order must be 6 or 12, got {order!r}")
    rule = _production_table()["components"][component][f"K{order}"]
    w = np.asarray(rule["weights"], float)
    return np.asarray(rule["n_e"], float), w / w.sum()  # stored to 10 digits: renormalise


def solar_mass_probabilities(component: str, energies, *, sin2_12=None, sin2_13=None, dm2_21=None,
                             dm2_31=None, order: int = 12):
    """Mass-eigenstate probabilities (N, 3) at Earth of the source ``component`` at ``energies``
    [MeV], averaged over its production region: Σ_k w_k |U^m_ei(n_e,k, E)|²."""
    nodes, weights = production_quadrature(component, order=order)
    e = jnp.asarray(energies)
    dt = _float_dtype(e)
    e = e.astype(dt)
    p = matter_mass_probabilities(jnp.asarray(nodes, dt), e[..., None], sin2_12=sin2_12,
                                  sin2_13=sin2_13, dm2_21=dm2_21, dm2_31=dm2_31)  # (..., K, 3)
    return jnp.einsum("k,...ki->...i", jnp.asarray(weights, dt), p)


def solar_arrival(component: str, energies, *, sin2_12=None, sin2_13=None, sin2_23=None,
                  delta_deg=None, dm2_21=None, dm2_31=None, order: int = 12, earth=None):
    """Flavor and mass-eigenstate content at Earth of solar ``component`` neutrinos (adiabatic MSW).

    Parameters
    ----------
    component : str
        "pp", "pep", "7Be", "8B", "hep", "13N", "15O" or "17F".
    energies : array (N,)
        Neutrino energies [MeV].
    sin2_12, sin2_13, sin2_23, delta_deg : float or array
        PMNS parameters (default NuFIT 6.0 NO); θ23 and δ only redistribute ν_μ/ν_τ.
    dm2_21, dm2_31 : float or array
        Δm²21, Δm²31 [eV²] (default NuFIT 6.0 NO).
    order : int
        Production-region quadrature order (12 or 6).
    earth : None or dict
        Earth-matter regeneration (:func:`nujax.propagation.earth.earth_paths`): None (default, no
        Earth: day), ``{"nadir_deg": η}`` or ``{"latitude_deg": λ, "period": "year"|"night"|"day"}``.

    Returns
    -------
    flavor : array (N, 3)
        (P_ee, P_eμ, P_eτ) at the detector: Σ_i P_i |U_αi|² (vacuum U), or Σ_i P_i R_αi with the
        Earth; rows sum to 1.
    mass : array (N, 3)
        (P_1, P_2, P_3) reaching the Earth (before any Earth crossing).

    >>> f, m = solar_arrival("8B", [10.0])
    >>> round(float(f[0, 0]), 3)
    0.327
    """
    mass = solar_mass_probabilities(component, energies, sin2_12=sin2_12, sin2_13=sin2_13,
                                    dm2_21=dm2_21, dm2_31=dm2_31, order=order)
    if _crosses_earth(earth):
        e = jnp.asarray(energies, mass.dtype)
        r = regeneration_matrix(e.reshape(-1), earth, sin2_12=sin2_12, sin2_13=sin2_13,
                                sin2_23=sin2_23, delta_deg=delta_deg, dm2_21=dm2_21, dm2_31=dm2_31)
        r = r.reshape(e.shape + (3, 3))
        return jnp.einsum("...i,...ai->...a", mass, r), mass  # P_α = Σ_i P_i R_αi (Earth)
    U = pmns(*(NUFIT60_NO[k] if v is None else v for k, v in
               (("sin2_12", sin2_12), ("sin2_13", sin2_13), ("sin2_23", sin2_23),
                ("delta_deg", delta_deg))))
    u2 = (U * U.conj()).real.astype(mass.dtype)  # |U_αi|²
    return jnp.einsum("...i,ai->...a", mass, u2), mass  # P_α = Σ_i P_i |U_αi|²


def _crosses_earth(earth) -> bool:
    """True when the ``earth`` option has at least one chord through the Earth (validates it)."""
    paths = earth_paths(earth)
    return paths is not None and paths.cos_nadir.size > 0


def _component_of(spectrum) -> str:
    name = getattr(spectrum, "name", "") or ""
    comp = name.removeprefix("solar ").strip()
    if comp not in SOLAR_PRODUCTION_COMPONENTS:
        raise ValueError(f"cannot tell the solar component of spectrum {name!r}; pass component=")
    return comp


def _arrival_grid(spectrum):
    parts = [np.asarray(spectrum.line_energies, float)]
    if spectrum.grid.shape[0] > 1:
        parts.append(np.asarray(spectrum.grid, float))
    return np.unique(np.concatenate(parts))


def oscillate_solar(spectrum, component: str | None = None, *, earth=None, **mixing):
    """The solar ``spectrum`` with its arriving MSW flavor and mass content (``Spectrum.arrival``).

    The content is tabulated on the spectrum's continuum grid plus its line energies (so lines are
    exact and the continuum is interpolated linearly between grid points). ``component`` defaults
    to the one in the spectrum's name ("solar 8B" → "8B"). ``mixing``: keyword arguments of
    :func:`solar_arrival` (jnp arrays are differentiable leaves). ``earth``: Earth-matter
    regeneration (:func:`solar_arrival`); with it the arrival carries the flavor content only,
    since after the Earth the state is no longer an incoherent mixture of mass eigenstates (the
    density-matrix rates with ``state=None`` then use the incoherent flavor content: exact for the
    weak rate and flavor-diagonal moments; use :func:`solar_arrival_state` for the full state).
    """
    comp = _component_of(spectrum) if component is None else component
    if spectrum.antineutrino:
        raise ValueError("solar MSW conversion applies to neutrinos; got an antineutrino spectrum")
    if not is_concrete((spectrum.grid, spectrum.line_energies)):
        raise ValueError("oscillate_solar needs a concrete energy grid (trace the mixing parameters, "
                         "not the spectrum's grid)")
    e = _arrival_grid(spectrum)
    flavor, mass = solar_arrival(comp, e, earth=earth, **mixing)
    return spectrum.with_arrival(e, flavor, None if _crosses_earth(earth) else mass)


def solar_arrival_state(component: str, enu, *, earth=None, **mixing) -> SpinFlavorState:
    """The arriving solar neutrino of energy ``enu`` [MeV] as a mass-basis :class:`SpinFlavorState`.

    A diagonal, incoherent mixture of left-handed ν_1, ν_2, ν_3 with weights P_i (basis
    (ν_R block, ν_L block), :mod:`nujax.state`): ρ = diag(0, 0, 0, P_1, P_2, P_3). With ``earth``
    (:func:`solar_arrival`) each ν_i has crossed the Earth: ρ_LL = Σ_p w_p B_p diag(P) B_p† +
    w_day diag(P), B_p = U† A_p the mass-basis evolution of chord p
    (:func:`nujax.propagation.earth.earth_amplitudes`), no longer diagonal. One energy at a time
    (scalar ``enu``). ``state_to_flavor_basis(state, pmns(...))`` gives ρ_LL[e, e] = P_ee.
    """
    e = jnp.asarray(enu)
    if e.ndim != 0:
        raise ValueError(f"solar_arrival_state takes one energy at a time, got shape {e.shape}")
    _, mass = solar_arrival(component, e[None], **mixing)
    p = jnp.diag(mass[0])
    if _crosses_earth(earth):
        paths = earth_paths(earth)
        cdt = jnp.complex64 if mass.dtype == jnp.float32 else jnp.complex128
        p = p.astype(cdt)
        mix = {k: mixing.get(k) for k in ("sin2_12", "sin2_13", "sin2_23", "delta_deg")}
        U = pmns(*(NUFIT60_NO[k] if v is None else v for k, v in mix.items())).astype(cdt)
        amp = earth_amplitudes(e[None].astype(mass.dtype), paths.cos_nadir, **mix,
                               dm2_21=mixing.get("dm2_21"), dm2_31=mixing.get("dm2_31"))[0]
        b = jnp.einsum("aj,pai->pji", jnp.conj(U), amp)          # U† A_p: mass → mass
        w = jnp.asarray(paths.weights, mass.dtype)
        p = jnp.einsum("p,pji,ik,plk->jl", w, b, p, jnp.conj(b)) + paths.day_weight * p
    return SpinFlavorState.from_components(p, zeta_par=-p)  # ρ_RR = 0, ρ_LL = P (mass basis)
