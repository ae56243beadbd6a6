"""Electron target: ν e elastic scattering on the electrons of a material (seeds 000, 001, 002).

The compact kernel is seed 000 eqs. (2)–(10) (:func:`nujax.xsec.electron.electron_terms`); the
density-matrix kernel is seed 002 eqs. (25)–(26)
(:func:`nujax.xsec.electron_density_matrix.electron_density_matrix_terms`). Electrons per tonne
come from the material's composition; with ``Detector.binding`` the stepping approximation of
atomic binding (:func:`nujax.detector.binding_shells`) multiplies the free-electron cross section
by Σ_s f_s Θ(T − B_s).
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from nujax.constants import M_E
from nujax.detector.materials import binding_shells
from nujax.targets.base import CompactOptions, Component
from nujax.xsec.electron import electron_terms, resolve_species, species_couplings
from nujax.xsec.electron_density_matrix import (density_matrix_coefficients,
                                                electron_density_matrix_terms)

__all__ = ["ElectronTarget"]


@dataclasses.dataclass(frozen=True)
class ElectronTarget:
    """ν e → ν e on every electron of the detector material (free electrons, optional binding)."""

    name: str = "electron"
    two_body: bool = True
    directional: bool = True

    def components(self, detector) -> tuple:
        mat = detector.material
        shells = binding_shells(mat) if detector.binding else (np.zeros(1), np.ones(1))
        return (Component("e", M_E, float(mat.electrons_per_tonne), shells),)

    def kernel(self, component, spectrum, pe, sin2w, options: CompactOptions):
        """(Eν, T) ↦ (weak, em/μ², int/μ) of d²σ/dTdφ [MeV⁻³ rad⁻¹] (seed 000 eqs. (2)–(10)).

        With ``options.flavor`` the whole spectrum scatters as that flavor (seed reproductions).
        Otherwise the spectrum's own flavor content at each Eν
        (:meth:`nujax.sources.Spectrum.flavor_probabilities`) weighs the flavors: ν_e (charged
        and neutral current) and ν_μ, ν_τ (neutral current only, identical couplings), each with
        its default Majorana partner (ν_e ↔ ν̄_μ, others ↔ ν̄_e) for ``kind="majorana"``.
        """
        pe_fn = options.pe_fn
        majorana = options.kind == "majorana"

        def species(fl, partner):
            f, p = resolve_species(fl, options.kind, partner)
            return f, species_couplings(f, p, sin2w)

        def terms(e, t, f, g):
            pv = pe_fn(e, pe) if pe_fn is not None else pe
            return electron_terms(e, t, 1.0, pv, *g, majorana=majorana,
                                  antineutrino=f.is_antineutrino)

        if options.flavor is not None:
            f, g = species(options.flavor, options.partner)
            return lambda e, t: terms(e, t, f, g)
        if options.partner is not None:
            raise ValueError("a Majorana partner goes with an explicit flavor=")
        bar = "bar" if spectrum.antineutrino else ""
        fe, ge = species("nue" + bar, None)
        fx, gx = species("numu" + bar, None)                   # ν_μ and ν_τ couple alike

        def kern(e, t):
            w_e = spectrum.flavor_probabilities(e)[..., 0]
            a, b = terms(e, t, fe, ge), terms(e, t, fx, gx)
            return tuple(w_e * x + (1.0 - w_e) * y for x, y in zip(a, b))

        return kern

    def density_matrix_kernel(self, component, props, state, sin2w, U, flavor, antineutrino=False):
        """(Eν, T) ↦ (Ã, B̃s, B̃c) [MeV⁻³ rad⁻¹]; traces of seed 002 eq. (26) computed once.

        ``antineutrino``: ``state`` is a ν̄ beam (Dirac: the particles of ν^c, convention of
        :mod:`nujax.xsec.electron_density_matrix`)."""
        coeffs = density_matrix_coefficients(props, state, sin2w, U, flavor, jnp, antineutrino)

        def kern(e, t):
            return electron_density_matrix_terms(coeffs, e, t)          # seed 002 eq. (25)

        return kern
