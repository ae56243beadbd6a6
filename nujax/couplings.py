"""Standard-Model couplings of neutrinos to electrons (and helpers for flavors).

Conventions (documented defaults, all explicit parameters):

* ``sin2w`` is sin²θ_W; default :data:`nujax.constants.SIN2_THETA_W` (MS-bar at Q² = 0).
  Seed reproductions pass 0.23.
* Chiral electron couplings of a *neutrino* of flavor ℓ (seed 000 eq. (2), seed 001 eq. (1)):
  g_L = −½ + sin²θ_W + δ_ℓe,  g_R = sin²θ_W. The δ_ℓe = 1 is the Fierz-rearranged W exchange
  (charged current) that only ν_e e and ν̄_e e scattering have.
* For antineutrinos the roles of g_L and g_R exchange (seed 001 below eq. (1)); the functions
  here return the couplings *as they enter the neutrino formula* ("effective" g_L, g_R), so
  one cross-section formula serves both.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from nujax.constants import SIN2_THETA_W

__all__ = ["Flavor", "ElectronCouplings", "electron_couplings", "parse_flavor"]


class Flavor(enum.Enum):
    """Neutrino species. ``Flavor.parse`` accepts the usual spellings ("nue", "nu_e", "anti-numu" …)."""

    NUE = "nue"
    NUMU = "numu"
    NUTAU = "nutau"
    NUEBAR = "nuebar"
    NUMUBAR = "numubar"
    NUTAUBAR = "nutaubar"

    @property
    def is_antineutrino(self) -> bool:
        return self.value.endswith("bar")

    @property
    def lepton(self) -> str:
        """The charged-lepton flavor: 'e', 'mu' or 'tau'."""
        return {"nue": "e", "numu": "mu", "nutau": "tau"}[self.value.removesuffix("bar")]

    @property
    def index(self) -> int:
        """Flavor index 0, 1, 2 for e, μ, τ."""
        return {"e": 0, "mu": 1, "tau": 2}[self.lepton]

    @property
    def conjugate(self) -> "Flavor":
        """The CP conjugate species (ν_e ↔ ν̄_e, …)."""
        v = self.value
        return Flavor(v.removesuffix("bar") if v.endswith("bar") else v + "bar")

    @classmethod
    def parse(cls, x: "Flavor | str") -> "Flavor":
        return parse_flavor(x)


_ALIASES = {
    "nue": "nue", "nu_e": "nue", "ve": "nue", "νe": "nue", "electron": "nue",
    "numu": "numu", "nu_mu": "numu", "vmu": "numu", "νμ": "numu", "muon": "numu",
    "nutau": "nutau", "nu_tau": "nutau", "vtau": "nutau", "ντ": "nutau", "tau": "nutau",
    "nuebar": "nuebar", "nu_e_bar": "nuebar", "anti-nue": "nuebar", "antinue": "nuebar",
    "anti_nue": "nuebar", "ν̄e": "nuebar",
    "numubar": "numubar", "nu_mu_bar": "numubar", "anti-numu": "numubar", "antinumu": "numubar",
    "anti_numu": "numubar", "ν̄μ": "numubar",
    "nutaubar": "nutaubar", "nu_tau_bar": "nutaubar", "anti-nutau": "nutaubar",
    "antinutau": "nutaubar", "anti_nutau": "nutaubar", "ν̄τ": "nutaubar",
}


def parse_flavor(x: Flavor | str) -> Flavor:
    """Return the :class:`Flavor` for ``x``; a clear ``ValueError`` for anything unknown.

    >>> parse_flavor("anti-nue")
    <Flavor.NUEBAR: 'nuebar'>
    """
    if isinstance(x, Flavor):
        return x
    if isinstance(x, str):
        key = x.strip().lower()
        if key in _ALIASES:
            return Flavor(_ALIASES[key])
    raise ValueError(
        f"unknown neutrino flavor {x!r}; expected one of "
        + ", ".join(f.value for f in Flavor)
    )


class ElectronCouplings(NamedTuple):
    """Effective chiral couplings (g_L, g_R) as they enter the neutrino ν e formula."""

    gL: object
    gR: object


def electron_couplings(flavor: Flavor | str, sin2w=SIN2_THETA_W) -> ElectronCouplings:
    """Effective (g_L, g_R) for ``flavor`` scattering on electrons.

    seed 000 eq. (2) / seed 001 eq. (1): g_L = ½ + sin²θ_W (ν_e), g_L = sin²θ_W − ½ (ν_μ, ν_τ),
    g_R = sin²θ_W; antineutrinos exchange g_L ↔ g_R. ``sin2w`` may be a traced array, so the
    couplings are differentiable in it; ``flavor`` is a static choice.

    >>> electron_couplings("nue", 0.23)
    ElectronCouplings(gL=0.73, gR=0.23)
    >>> electron_couplings("numubar", 0.25)
    ElectronCouplings(gL=0.25, gR=-0.25)
    """
    f = parse_flavor(flavor)
    cc = 1.0 if f.lepton == "e" else 0.0  # Fierz-rearranged W exchange: only ν_e e
    gL = -0.5 + sin2w + cc
    gR = sin2w
    if f.is_antineutrino:
        gL, gR = gR, gL
    return ElectronCouplings(gL, gR)
