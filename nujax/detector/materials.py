"""Target materials: composition, electrons and nuclei per tonne, atomic shells for binding.

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
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nujax.constants import N_A

__all__ = ["Material", "MATERIALS", "get_material", "binding_shells"]

#: Standard atomic weights [g/mol], IUPAC 2021 (conventional/abridged values), and Z.
_ELEMENTS = {
    "H": (1, 1.008), "He": (2, 4.0026), "C": (6, 12.011), "N": (7, 14.007), "O": (8, 15.999),
    "F": (9, 18.998), "Na": (11, 22.990), "Ar": (18, 39.95), "Ge": (32, 72.630),
    "I": (53, 126.90), "Xe": (54, 131.29), "Cs": (55, 132.91),
    # isotopically pure ⁴⁰Ar (its AME2020 atomic mass, :mod:`nujax.nuclei`): a one-isotope argon
    "Ar40": (18, 39.9623831237),
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

_SHELLS["Ar40"] = _SHELLS["Ar"]   # same atom, same shells
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
    "argon": _mat("Ar", Ar=1),                                  # natural (atmospheric) argon
    "argon40": _mat("Ar40", Ar40=1),                            # isotopically pure ⁴⁰Ar
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


