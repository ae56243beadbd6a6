"""A small table of target nuclei for coherent elastic neutrino–nucleus scattering (seed 002).

Each :class:`Nucleus` carries Z, N, the nuclear mass and an rms charge radius; a natural element is
a static tuple of isotopes with their abundances (cross sections are abundance-weighted sums).

References
----------
* Atomic masses: AME2020, M. Wang et al., Chinese Phys. C 45 (2021) 030003 [u].
* Nuclear mass = atomic mass − Z m_e + B_e(Z), with the total electron binding energy
  B_e(Z) = 14.4381 Z^2.39 + 1.55468·10⁻⁶ Z^5.35 eV (D. Lunney, J. M. Pearson, C. Thibault,
  Rev. Mod. Phys. 75 (2003) 1021, eq. (A4)); m_e and u from CODATA 2022.
* rms charge radii: I. Angeli and K. P. Marinova, At. Data Nucl. Data Tables 99 (2013) 69.
* Isotopic abundances: J. Meija et al., Pure Appl. Chem. 88 (2016) 293 (IUPAC 2013). Argon: the
  representative composition of atmospheric argon 0.003336 / 0.000629 / 0.996035 (³⁶Ar / ³⁸Ar /
  ⁴⁰Ar) as tabulated by NIST, "Atomic Weights and Isotopic Compositions" (J. S. Coursey et al.,
  physics.nist.gov/Compositions), with the masses 35.967545105, 37.96273211, 39.9623831237 u
  (CIAAW lists 35.967 5451(2), 37.962 732(2), 39.962 383 12(2) u); terrestrial argon varies
  (Böhlke, Pure Appl. Chem. 86 (2014) 1421), the atmospheric value is the natural default.
* Weak vector charge in seed 002's normalisation (Table 1, eq. (16)):
  𝓕₁(0) = Z g_V^p + N g_V^n; the usual Q_W = Z(1 − 4 sin²θ_W) − N equals 2 𝓕₁(0) at tree level.
  ``weak_charges="radiative"`` (default) uses the low-energy ν–nucleon couplings with the SM
  radiative corrections (:data:`NUCLEON_COUPLINGS_RC`), flavor dependent through the SM neutrino
  charge radii; ``weak_charges="tree"`` uses g_V^p = ½ − 2 sin²θ_W, g_V^n = −½ (seed 002 Table 1).

Odd-A isotopes (²³Na, ⁷³Ge, ¹²⁷I, ¹²⁹Xe, ¹³¹Xe, ¹³³Cs) have spin; the spin-0 formulas of seed 002
eqs. (15)–(16) keep only their coherent (spin-independent) part, the spin-dependent axial part
being suppressed by ~1/A.
"""

from __future__ import annotations

import dataclasses

from nujax.constants import AMU, M_E, SIN2_THETA_W

__all__ = ["Nucleus", "NaturalElement", "get_nucleus", "nuclear_mass_mev", "electron_binding_mev",
           "weak_vector_charge", "weak_charge", "NUCLEI", "known_nuclei", "NUCLEON_COUPLINGS_RC",
           "WEAK_CHARGE_CONVENTIONS", "nucleon_vector_couplings"]

#: Low-energy ν_ℓ–nucleon vector couplings with the SM radiative corrections (incl. the
#: flavor-dependent neutrino charge-radius pieces), as used for CEνNS by M. Cadeddu et al.,
#: PRD 102 (2020) 015030 [arXiv:2005.01645], from J. Erler and S. Su, Prog. Part. Nucl. Phys. 71
#: (2013) 119 and the PDG electroweak review: g_V^p(ν_e) = 0.0401, g_V^p(ν_μ) = 0.0318,
#: g_V^n = −0.5094. NOT VERIFIED here against the paper text (the stored copies give the
#: abstracts only): the values are checked for consistency in the tests (their ν_e − ν_μ
#: difference is the SM charge-radius shift −(√2πα/3G_F)Δ⟨r²⟩ with
#: ⟨r²_νℓ⟩ = −G_F/(2√2π²)[3 − 2 ln(m_ℓ²/M_W²)]: 0.00826, to 0.5 %). The ν_τ entry is derived the
#: same way from ν_μ (0.0318 − 0.0044).
NUCLEON_COUPLINGS_RC: dict = {"p": {"e": 0.0401, "mu": 0.0318, "tau": 0.0274}, "n": -0.5094}
#: Accepted values of the ``weak_charges`` convention parameter.
WEAK_CHARGE_CONVENTIONS = ("radiative", "tree")


def nucleon_vector_couplings(flavor="numu", weak_charges="radiative", sin2w=SIN2_THETA_W):
    """(g_V^p, g_V^n) of a ν_ℓ (or ν̄_ℓ) on nucleons at q² → 0.

    ``weak_charges="radiative"``: :data:`NUCLEON_COUPLINGS_RC` (``sin2w`` unused);
    ``"tree"``: (½ − 2 sin²θ_W, −½) (seed 002 Table 1), flavor independent.

    >>> nucleon_vector_couplings("nue")
    (0.0401, -0.5094)
    >>> nucleon_vector_couplings("numu", "tree", 0.25)
    (0.0, -0.5)
    """
    if weak_charges not in WEAK_CHARGE_CONVENTIONS:
        raise ValueError(f"weak_charges must be one of {WEAK_CHARGE_CONVENTIONS}, got {weak_charges!r}")
    if weak_charges == "tree":
        return 0.5 - 2.0 * sin2w, -0.5                                # seed 002 Table 1
    from nujax.couplings import parse_flavor
    return NUCLEON_COUPLINGS_RC["p"][parse_flavor(flavor).lepton], NUCLEON_COUPLINGS_RC["n"]


def electron_binding_mev(Z: int) -> float:
    """Total electron binding energy of a neutral atom [MeV] (Lunney et al. 2003, eq. (A4)).

    >>> round(electron_binding_mev(54) * 1e3, 1)   # keV
    202.4
    """
    return (14.4381 * Z**2.39 + 1.55468e-6 * Z**5.35) * 1e-6


def nuclear_mass_mev(atomic_mass_u: float, Z: int) -> float:
    """Nuclear mass [MeV] from an AME2020 atomic mass [u]: M = m_atom u − Z m_e + B_e(Z)."""
    return atomic_mass_u * AMU - Z * M_E + electron_binding_mev(Z)


@dataclasses.dataclass(frozen=True)
class Nucleus:
    """One isotope: name, proton and neutron numbers, AME2020 atomic mass [u], rms charge radius [fm]."""

    name: str
    Z: int
    N: int
    atomic_mass_u: float
    r_charge_fm: float

    @property
    def A(self) -> int:
        return self.Z + self.N

    @property
    def mass(self) -> float:
        """Nuclear mass [MeV]."""
        return nuclear_mass_mev(self.atomic_mass_u, self.Z)

    @property
    def isotopes(self) -> tuple[tuple["Nucleus", float], ...]:
        """A single isotope is its own composition (abundance 1)."""
        return ((self, 1.0),)


@dataclasses.dataclass(frozen=True)
class NaturalElement:
    """A natural element: isotopes with their abundances (summing to 1)."""

    name: str
    isotopes: tuple[tuple[Nucleus, float], ...]

    @property
    def Z(self) -> int:
        return self.isotopes[0][0].Z

    @property
    def N(self) -> float:
        """Abundance-averaged neutron number."""
        return sum(w * iso.N for iso, w in self.isotopes)

    @property
    def A(self) -> float:
        return self.Z + self.N

    @property
    def mass(self) -> float:
        """Abundance-averaged nuclear mass [MeV]."""
        return sum(w * iso.mass for iso, w in self.isotopes)

    @property
    def atomic_mass_u(self) -> float:
        """Abundance-averaged atomic mass [u] (the standard atomic weight)."""
        return sum(w * iso.atomic_mass_u for iso, w in self.isotopes)


def _iso(sym, Z, A, m_u, r_fm):
    return Nucleus(f"{sym}{A}", Z, A - Z, m_u, r_fm)


# AME2020 atomic masses [u]; Angeli–Marinova 2013 rms charge radii [fm].
_ISOTOPES = {n.name: n for n in [
    _iso("Na", 11, 23, 22.9897692820, 2.9936),
    # ³⁶Ar, ³⁸Ar radii: Angeli–Marinova values not re-verified against the table text here.
    _iso("Ar", 18, 36, 35.967545105, 3.3905),
    _iso("Ar", 18, 38, 37.96273211, 3.4028),
    _iso("Ar", 18, 40, 39.9623831237, 3.4274),
    _iso("Ge", 32, 70, 69.92424875, 4.0414),
    _iso("Ge", 32, 72, 71.922075826, 4.0576),
    _iso("Ge", 32, 73, 72.923458956, 4.0632),
    _iso("Ge", 32, 74, 73.921177761, 4.0742),
    _iso("Ge", 32, 76, 75.921402726, 4.0811),
    _iso("I", 53, 127, 126.9044719, 4.7500),
    _iso("Xe", 54, 124, 123.9058920, 4.7664),
    _iso("Xe", 54, 126, 125.9042983, 4.7712),
    _iso("Xe", 54, 128, 127.9035310, 4.7774),
    _iso("Xe", 54, 129, 128.9047808611, 4.7775),
    _iso("Xe", 54, 130, 129.903509349, 4.7818),
    _iso("Xe", 54, 131, 130.90508406, 4.7808),
    _iso("Xe", 54, 132, 131.9041550856, 4.7859),
    _iso("Xe", 54, 134, 133.90539466, 4.7899),
    _iso("Xe", 54, 136, 135.907214484, 4.7964),
    _iso("Cs", 55, 133, 132.905451961, 4.8041),
]}

# IUPAC 2013 isotopic compositions (Meija et al. 2016).
_NATURAL = {
    "Xe": NaturalElement("Xe", tuple((_ISOTOPES[f"Xe{a}"], w) for a, w in [
        (124, 0.000952), (126, 0.000890), (128, 0.019102), (129, 0.264006), (130, 0.040710),
        (131, 0.212324), (132, 0.269086), (134, 0.104357), (136, 0.088573)])),
    "Ge": NaturalElement("Ge", tuple((_ISOTOPES[f"Ge{a}"], w) for a, w in [
        (70, 0.2057), (72, 0.2745), (73, 0.0775), (74, 0.3650), (76, 0.0773)])),
    "Ar": NaturalElement("Ar", tuple((_ISOTOPES[f"Ar{a}"], w) for a, w in [
        (36, 0.003336), (38, 0.000629), (40, 0.996035)])),                # atmospheric argon
}

#: Every named target: isotopes ("Ar40", "Xe132", …) and natural elements ("Xe", "Ge", "Ar").
#: Monoisotopic elements (Na, I, Cs) are also reachable by symbol; a single argon isotope by its
#: name ("Ar40").
NUCLEI: dict = {**_ISOTOPES, **_NATURAL, "Na": _ISOTOPES["Na23"], "I": _ISOTOPES["I127"],
                "Cs": _ISOTOPES["Cs133"]}


def known_nuclei() -> list[str]:
    """Names accepted by :func:`get_nucleus`."""
    return sorted(NUCLEI)


def _normalise(name: str) -> str:
    s = name.strip().replace("-", "").replace("_", "").replace(" ", "")
    for prefix in ("nat", "natural"):
        if s.lower().startswith(prefix) and len(s) > len(prefix):
            s = s[len(prefix):]
    if s.lower().endswith("nat"):
        s = s[:-3]
    digits = "".join(c for c in s if c.isdigit())
    letters = "".join(c for c in s if c.isalpha())
    return letters[:1].upper() + letters[1:].lower() + digits


def get_nucleus(name) -> Nucleus | NaturalElement:
    """Look up a target: "Ar40", "40Ar", "Ar-40", "Xe132", "Xe" / "natXe", "Ge", "Na23", "I127", "Cs133" ….

    An existing :class:`Nucleus` / :class:`NaturalElement` is returned unchanged.

    >>> get_nucleus("132Xe").name, round(get_nucleus("Ar40").mass, 1)
    ('Xe132', 37215.5)
    """
    if isinstance(name, (Nucleus, NaturalElement)):
        return name
    if not isinstance(name, str):
        raise ValueError(f"nucleus must be a name or a Nucleus, got {type(name).__name__}")
    key = _normalise(name)
    if key not in NUCLEI:
        raise ValueError(f"unknown nucleus {name!r}; known: {', '.join(known_nuclei())}")
    return NUCLEI[key]


def weak_vector_charge(nucleus, sin2w=SIN2_THETA_W, *, flavor="numu", weak_charges="radiative"):
    """Seed-002 weak vector charge 𝓕₁(0) = Z g_V^p + N g_V^n (Table 1; eq. (16) at q = 0), with the
    couplings of :func:`nucleon_vector_couplings` (tree level: Z(½ − 2 sin²θ_W) − N/2).

    >>> round(float(weak_vector_charge("Ar40", 0.23121, weak_charges="tree")), 3)
    -10.324
    >>> round(float(weak_vector_charge("Ar40", flavor="nue")), 3)
    -10.485
    """
    nuc = get_nucleus(nucleus)
    gvp, gvn = nucleon_vector_couplings(flavor, weak_charges, sin2w)
    return nuc.Z * gvp + nuc.N * gvn                                   # seed 002 eq. (16), q = 0


def weak_charge(nucleus, sin2w=SIN2_THETA_W, *, flavor="numu", weak_charges="radiative"):
    """Conventional weak charge Q_W = 2 𝓕₁(0) (tree level: Z (1 − 4 sin²θ_W) − N)."""
    return 2.0 * weak_vector_charge(nucleus, sin2w, flavor=flavor, weak_charges=weak_charges)
