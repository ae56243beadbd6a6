"""Detectors: target materials, exposure, threshold, efficiency, resolutions, background, binding.

A :class:`Detector` is a frozen pytree. Its numeric fields (mass, live time, threshold, efficiency
turn-on, resolutions, background) are leaves, so expected counts are differentiable in them; the
target :class:`Material` and the switches (energy smearing, electron binding) are static.

Materials
---------
Electrons and nuclei per tonne are computed from the composition (formula units and standard
atomic weights), never typed in: N_e = Σ_i n_i Z_i · N_A / M_mol. Atomic weights: IUPAC 2021
abridged standard atomic weights (conventional values), Pure Appl. Chem. 94 (2022) 573.

Electron binding (stepping approximation)
-----------------------------------------
An electron bound with energy B_s cannot take a recoil T < B_s; the stepping approximation
replaces dσ/dT of the free electron by Σ_s (n_s/Z) Θ(T − B_s) dσ/dT (Kopeikin et al., Phys. At.
Nucl. 60 (1997) 1859; J.-W. Chen et al., Phys. Lett. B 731 (2014) 159; seed 003 ("atomic energy
level effects limit the potential enhancement of the sensitivities by reducing T only")). Shell
occupancies n_s and binding energies B_s (grouped subshells, rounded) are from the X-ray Data
Booklet (A. Thompson et al., LBNL/PUB-490 Rev. 3, 2009), table 1-1; valence shells of the light
elements use the first ionization energy. It is a switch (``Detector.binding``); it matters only
for thresholds ≲ the K-shell energy (Ge 11.1 keV, Xe 34.6 keV, I 33.2 keV).

Angular resolution
------------------
The azimuth modulation cos(φ − φ_B) seen through a Gaussian azimuthal resolution σ_φ becomes
E[cos(φ + δ − φ_B)] = cos(φ − φ_B) E[cos δ] − sin(φ − φ_B) E[sin δ] = e^{−σ_φ²/2} cos(φ − φ_B)
(δ ~ N(0, σ_φ²); E[sin δ] = 0 by symmetry, E[cos δ] = Re E[e^{iδ}] = e^{−σ_φ²/2}), exactly and
independently of the 2π wrapping. The isotropic part is unchanged, so only the modulation shrinks.
The polar resolution σ_θ is applied as a bin-to-bin response of cosθ bins (see nujax.rates).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.constants import N_A

__all__ = [
    "Material",
    "Detector",
    "MATERIALS",
    "get_material",
    "make_detector",
    "efficiency",
    "energy_sigma",
    "binding_shells",
    "azimuth_damping",
    "PRESETS",
    "preset",
]

#: Standard atomic weights [g/mol], IUPAC 2021 (conventional/abridged values), and Z.
_ELEMENTS = {
    "H": (1, 1.008), "He": (2, 4.0026), "C": (6, 12.011), "N": (7, 14.007), "O": (8, 15.999),
    "F": (9, 18.998), "Na": (11, 22.990), "Ar": (18, 39.95), "Ge": (32, 72.630),
    "I": (53, 126.90), "Xe": (54, 131.29), "Cs": (55, 132.91),
}

#: Shell structure per element: (occupancy, binding energy [MeV]) — X-ray Data Booklet table 1-1
#: (grouped subshells, rounded); outermost shells of light elements: first ionization energy.
_SHELLS = {
    "H": ((1, 13.6e-6),),
    "He": ((2, 24.6e-6),),
    "C": ((2, 284.2e-6), (4, 11.3e-6)),
    "N": ((2, 409.9e-6), (5, 14.5e-6)),
    "O": ((2, 543.1e-6), (2, 41.6e-6), (4, 13.6e-6)),
    "F": ((2, 696.7e-6), (7, 17.4e-6)),
    "Na": ((2, 1070.8e-6), (2, 63.5e-6), (6, 30.65e-6), (1, 5.1e-6)),
    "Ar": ((2, 3205.9e-6), (2, 326.3e-6), (6, 249.6e-6), (2, 29.3e-6), (6, 15.8e-6)),
    "Ge": ((2, 11103.1e-6), (2, 1414.3e-6), (6, 1228.9e-6), (2, 180.1e-6), (6, 124.9e-6),
           (10, 29.8e-6), (4, 7.9e-6)),
    "I": ((2, 33169.4e-6), (2, 5188.1e-6), (6, 4654.5e-6), (2, 1072.1e-6), (6, 893.2e-6),
          (10, 624.3e-6), (2, 186.4e-6), (6, 123.1e-6), (10, 49.6e-6), (7, 10.5e-6)),
    "Xe": ((2, 34561.4e-6), (2, 5452.8e-6), (6, 4889.4e-6), (2, 1148.7e-6), (6, 960.8e-6),
           (10, 681.6e-6), (2, 213.3e-6), (6, 146.3e-6), (10, 69.5e-6), (8, 15.2e-6)),
    "Cs": ((2, 35984.6e-6), (2, 5714.3e-6), (6, 5128.0e-6), (2, 1217.1e-6), (6, 1019.7e-6),
           (10, 731.5e-6), (2, 231.7e-6), (6, 164.6e-6), (10, 77.5e-6), (8, 17.1e-6),
           (1, 3.9e-6)),
}

for _el, _sh in _SHELLS.items():  # the tables must account for every electron
    assert sum(n for n, _ in _sh) == _ELEMENTS[_el][0], _el


class Material(NamedTuple):
    """A target material: ``composition`` is ((element, atoms per formula unit), ...)."""

    name: str
    composition: tuple

    @property
    def molar_mass_g(self) -> float:
        """Mass of one formula unit [g/mol]."""
        return sum(n * _ELEMENTS[el][1] for el, n in self.composition)

    @property
    def electrons_per_formula(self) -> float:
        return sum(n * _ELEMENTS[el][0] for el, n in self.composition)

    @property
    def electrons_per_tonne(self) -> float:
        """Electrons per tonne: N_A · 10⁶ g · Σ n_i Z_i / M_mol."""
        return N_A * 1.0e6 * self.electrons_per_formula / self.molar_mass_g

    @property
    def electrons_per_kg(self) -> float:
        return self.electrons_per_tonne * 1.0e-3

    def nuclei_per_tonne(self) -> dict:
        """Nuclei of each element per tonne, {element: N}."""
        out: dict = {}
        for el, n in self.composition:
            out[el] = out.get(el, 0.0) + N_A * 1.0e6 * n / self.molar_mass_g
        return out


def _mat(name, **atoms):
    return Material(name, tuple(atoms.items()))


#: Target materials of the seed experiments (formula units; gas mixtures by mole fraction).
MATERIALS = {
    # HELLAZ: helium TPC with a small methane admixture as quencher (seed 000, 001 ref. [11]);
    # the mixture 95 % He + 5 % CH4 (mole fractions) is an assumption of this preset.
    "he_ch4": _mat("He/CH4 95:5 (HELLAZ)", He=0.95, C=0.05, H=0.20),
    "cf4": _mat("CF4 (MUNU)", C=1, F=4),                       # seed 003: MUNU CF4 TPC
    "water": _mat("H2O", H=2, O=1),                             # Super-Kamiokande
    "pseudocumene": _mat("C9H12 pseudocumene (Borexino)", C=9, H=12),
    "pxe": _mat("C16H18 PXE", C=16, H=18),
    "xenon": _mat("Xe", Xe=1),
    "argon": _mat("Ar", Ar=1),
    "germanium": _mat("Ge", Ge=1),                              # seed 003: TEXONO, GEMMA
    "nai": _mat("NaI", Na=1, I=1),
    "csi": _mat("CsI", Cs=1, I=1),                              # seed 003: TEXONO CsI array
    "helium": _mat("He", He=1),
}
_ALIASES = {"hellaz": "he_ch4", "he/ch4": "he_ch4", "h2o": "water", "pc": "pseudocumene",
            "ls": "pseudocumene", "scintillator": "pseudocumene", "xe": "xenon", "ar": "argon",
            "ge": "germanium", "hpge": "germanium"}


def get_material(name: str | Material) -> Material:
    """The :class:`Material` called ``name`` (case-insensitive); ``ValueError`` if unknown.

    >>> round(get_material("water").electrons_per_tonne / 1e29, 4)
    3.3428
    """
    if isinstance(name, Material):
        return name
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in MATERIALS:
        raise ValueError(f"unknown target material {name!r}; known: {', '.join(sorted(MATERIALS))}")
    return MATERIALS[key]


def binding_shells(material: Material | str):
    """Stepping-approximation shells of a material: (edges [MeV], electron fractions) numpy arrays.

    Fractions sum to 1 over all electrons of the material; the step function is
    S(T) = Σ_s f_s Θ(T − B_s) (see the module docstring).
    """
    mat = get_material(material)
    ztot = mat.electrons_per_formula
    edges, fr = [], []
    for el, n in mat.composition:
        for occ, b in _SHELLS[el]:
            edges.append(b)
            fr.append(n * occ / ztot)
    order = np.argsort(edges)
    return np.asarray(edges)[order], np.asarray(fr)[order]


_LEAVES = ["mass_t", "live_time_yr", "threshold", "eff_plateau", "eff_T50", "eff_width",
           "res_const", "res_stoch", "res_lin", "sigma_theta", "sigma_phi", "background"]


@functools.partial(jax.tree_util.register_dataclass, data_fields=_LEAVES,
                   meta_fields=["material", "smearing", "binding", "name"])
@dataclasses.dataclass(frozen=True)
class Detector:
    """An ν e scattering detector (frozen pytree; numeric fields are differentiable leaves).

    Attributes
    ----------
    mass_t : fiducial target mass [tonne].
    live_time_yr : live time [yr] (exposure = mass_t · live_time_yr).
    threshold : recoil kinetic-energy threshold [MeV] (on the measured T).
    eff_plateau, eff_T50, eff_width : efficiency ε(T) = ε₀ · ½[1 + erf((T − T₅₀)/(√2 w))] [–, MeV, MeV];
        ``eff_width`` = 0 gives the plateau ε₀ everywhere.
    res_const, res_stoch, res_lin : energy resolution σ_T² = c² + a² T + b² T² [MeV, √MeV, –].
    sigma_theta, sigma_phi : polar and azimuthal angular resolutions [rad] (Gaussian).
    background : flat isotropic background [counts / (tonne · yr · MeV)] in measured T.
    material : :class:`Material` (static).
    smearing : static switch, apply the energy resolution (Gaussian response in T).
    binding : static switch, stepping approximation for atomic binding.
    name : label.
    """

    mass_t: jax.Array
    live_time_yr: jax.Array
    threshold: jax.Array
    eff_plateau: jax.Array
    eff_T50: jax.Array
    eff_width: jax.Array
    res_const: jax.Array
    res_stoch: jax.Array
    res_lin: jax.Array
    sigma_theta: jax.Array
    sigma_phi: jax.Array
    background: jax.Array
    material: Material = MATERIALS["water"]
    smearing: bool = False
    binding: bool = False
    name: str = ""

    def __post_init__(self):
        _validate_detector(self)

    @property
    def electrons_per_tonne(self) -> float:
        return self.material.electrons_per_tonne

    @property
    def exposure_t_yr(self):
        """Exposure [tonne · yr]."""
        return self.mass_t * self.live_time_yr


def _validate_detector(d: Detector) -> None:
    leaves = [getattr(d, f) for f in _LEAVES]
    if not is_concrete(leaves):
        return
    try:
        vals = {f: np.asarray(getattr(d, f), dtype=float) for f in _LEAVES}
    except (TypeError, ValueError):  # placeholder leaves during tree manipulation
        return
    label = d.name or "detector"
    for f, v in vals.items():
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{label}: {f} must be finite")
        if np.any(v < 0):
            raise ValueError(f"{label}: {f} must be non-negative (got {v.min()!r})")
    if np.any(vals["eff_plateau"] > 1):
        raise ValueError(f"{label}: eff_plateau must lie in [0, 1]")
    if not isinstance(d.material, Material):
        raise ValueError(f"{label}: material must be a Material (use get_material)")


def make_detector(material="water", *, mass_t=1.0, live_time_yr=1.0, threshold=0.0,
                  eff_plateau=1.0, eff_T50=0.0, eff_width=0.0, res_const=0.0, res_stoch=0.0,
                  res_lin=0.0, sigma_theta=0.0, sigma_phi=0.0, background=0.0,
                  smearing=False, binding=False, name="") -> Detector:
    """Build a :class:`Detector` (units as in its docstring); a clear ``ValueError`` on bad input.

    >>> d = make_detector("xenon", mass_t=5.9, threshold=0.001)
    >>> float(d.exposure_t_yr)
    5.9
    """
    vals = dict(mass_t=mass_t, live_time_yr=live_time_yr, threshold=threshold,
                eff_plateau=eff_plateau, eff_T50=eff_T50, eff_width=eff_width,
                res_const=res_const, res_stoch=res_stoch, res_lin=res_lin,
                sigma_theta=sigma_theta, sigma_phi=sigma_phi, background=background)
    return Detector(**{k: jnp.asarray(v, dtype=float) for k, v in vals.items()},
                    material=get_material(material), smearing=bool(smearing),
                    binding=bool(binding), name=name)


def efficiency(det: Detector, T):
    """ε(T) = ε₀ · ½[1 + erf((T − T₅₀)/(√2 w))], or ε₀ where w = 0 (gradient-safe)."""
    w = det.eff_width
    ok = w > 0
    ws = jnp.where(ok, w, 1.0)
    turn_on = 0.5 * (1.0 + jax.scipy.special.erf((T - det.eff_T50) / (math.sqrt(2.0) * ws)))
    return det.eff_plateau * jnp.where(ok, turn_on, 1.0)


def energy_sigma(det: Detector, T):
    """Energy resolution σ_T(T) = √(c² + a² T + b² T²) [MeV], floored at 1e-9 MeV (gradient-safe)."""
    Tp = jnp.maximum(T, 0.0)
    s2 = det.res_const ** 2 + det.res_stoch ** 2 * Tp + (det.res_lin * Tp) ** 2
    return jnp.sqrt(s2 + 1e-18)


def azimuth_damping(sigma_phi):
    """Factor e^{−σ_φ²/2} by which a Gaussian azimuthal resolution scales the cos φ modulation."""
    return jnp.exp(-0.5 * jnp.asarray(sigma_phi) ** 2)


_DAY = 1.0 / 365.25
#: Experiment presets (numbers and their sources in each ``note``).
PRESETS = {
    "hellaz": dict(
        material="he_ch4", mass_t=6.0, live_time_yr=1.0, threshold=0.1, sigma_theta=0.030,
        sigma_phi=0.030, name="HELLAZ",
        note="6 t fiducial (seed 001 sec. 1: 'six tonnes'), T_th = 100 keV (seeds 000, 001), "
             "Δθ ~ Δφ ~ 30 mrad (seed 000 sec. III; seed 001 quotes 35 mrad)"),
    "superk": dict(
        material="water", mass_t=22500.0, live_time_yr=1496 * _DAY, threshold=5.0,
        res_stoch=0.45, sigma_theta=0.45, sigma_phi=0.45, smearing=True, name="Super-Kamiokande",
        note="22.5 kt fiducial, 1496 live days, 5 MeV threshold (Liu et al., PRL 93 (2004) "
             "021802; seed 003); σ_T ≈ 14 % at 10 MeV ⇒ a = 0.45 √MeV; Δθ ≈ 26° at 10 MeV"),
    "borexino": dict(
        material="pseudocumene", mass_t=100.0, live_time_yr=1.0, threshold=0.2, res_stoch=0.05,
        sigma_theta=10.0, sigma_phi=10.0, smearing=True, name="Borexino",
        note="100 t fiducial (seed 001 sec. 1), 7Be window from 200 keV (seed 003), σ_T = 5 %/√E "
             "(Alimonti et al., NIM A 600 (2009) 568); no direction (σ = 10 rad kills the modulation)"),
    "munu": dict(
        material="cf4", mass_t=11.4e-3, live_time_yr=66.6 * _DAY, threshold=0.7,
        res_stoch=0.1, sigma_theta=0.2, sigma_phi=0.2, smearing=True, name="MUNU",
        note="CF4 TPC at 3 bar, 11.4 kg, 66.6 d reactor ON, analysis thresholds 300/700/900 keV "
             "(seed 003); resolution and angles: Daraktchieva et al., PLB 615 (2005) 153 (approx.)"),
    "texono": dict(
        material="germanium", mass_t=1.06e-3, live_time_yr=4712.0 / 8766.0, threshold=0.012,
        res_const=0.0003, background=365.25e3 * 1.0e3, sigma_theta=10.0, sigma_phi=10.0,
        smearing=True, binding=True, name="TEXONO",
        note="1.06 kg HPGe, 12 keV threshold, 4712 h reactor ON (seed 003; Li et al., PRL 90 "
             "(2003) 131802: background ~1 kg⁻¹ keV⁻¹ day⁻¹ at 12–60 keV)"),
    "gemma": dict(
        material="germanium", mass_t=1.5e-3, live_time_yr=1.0, threshold=0.0028,
        res_const=0.0003, background=2.5 * 365.25e3 * 1.0e3, sigma_theta=10.0, sigma_phi=10.0,
        smearing=True, binding=True, name="GEMMA",
        note="1.5 kg HPGe, 2.8 keV threshold, ~2.5 kg⁻¹ keV⁻¹ day⁻¹ (Beda et al., Adv. High "
             "Energy Phys. 2012 (2012) 350150; seed 003)"),
    "xenon_tpc": dict(
        material="xenon", mass_t=5.9, live_time_yr=1.16 / 5.9, threshold=0.001,
        res_stoch=0.0098, res_lin=0.0035, background=15.8e3, sigma_theta=10.0, sigma_phi=10.0,
        smearing=True, binding=True, name="xenon TPC",
        note="XENONnT: 5.9 t fiducial, 1.16 t·yr, ER background 15.8 (t yr keV)⁻¹, σ/E = "
             "0.31/√(E/keV) + 0.35 % (Aprile et al., PRL 129 (2022) 161805)"),
}


def preset(name: str, **overrides) -> Detector:
    """A detector preset by name (see :data:`PRESETS`), with keyword overrides.

    >>> preset("hellaz").name
    'HELLAZ'
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = {"super_k": "superk", "super_kamiokande": "superk", "xenon": "xenon_tpc"}.get(key, key)
    if key not in PRESETS:
        raise ValueError(f"unknown detector preset {name!r}; known: {', '.join(sorted(PRESETS))}")
    kw = {k: v for k, v in PRESETS[key].items() if k != "note"}
    kw.update(overrides)
    return make_detector(**kw)
