"""Nuclear target: coherent elastic ν–nucleus scattering (CEνNS) on the nuclei of a material.

Seed 002 eqs. (15)–(16) for spin-0 nuclei (:func:`nujax.xsec.nucleus.nucleus_terms`, Helm form
factors with the measured charge radius and an optional neutron skin). A material is a sum over
its elements and their natural isotopes, each a :class:`~nujax.targets.base.Component` with its own
mass (kinematics) and its number per tonne = nuclei of the element per tonne × isotopic abundance.
Odd isotopes contribute their coherent (spin-independent) part only.

Compact parametrisation (weak, em per μ², interference per μ) for a Dirac beam with active
fraction Pe (:meth:`nujax.state.SpinFlavorState.from_pe_dirac`, one flavor): the right-handed
component is sterile to the weak vector current, so weak ∝ Pe; the magnetic term is
helicity-independent; the interference (seed 002 eq. (15), K ∝ Tr[μκ†]) is the cos φ amplitude
for φ_B = 0 and vanishes for a longitudinal beam (Pe = 1). The three channels are computed from
separate traces, so no channel is a small difference of large ones (float32 safe). At tree level
the vector coupling of a spin-0 nucleus is the same for every flavor and for ν and ν̄ (seed 002
eq. (16)), so ``flavor`` only fixes the sign convention of the moment (a Dirac ν̄ carries −μ);
with the radiative weak charges (default, ``weak_charges``) g_V^p depends on the flavor.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp

from nujax.constants import MU_SCALE
from nujax.nuclei import get_nucleus
from nujax.state import SpinFlavorState
from nujax.targets.base import CompactOptions, Component
from nujax.xsec.nucleon import flavor_traces, props_traces
from nujax.xsec.nucleus import (nucleus_couplings, nucleus_energy_factors, nucleus_form_factors,
                                nucleus_terms, weak_offset)

__all__ = ["NucleusTarget"]


@dataclasses.dataclass(frozen=True)
class NucleusTarget:
    """CEνNS on every nucleus of the detector material (natural isotopic composition).

    Attributes
    ----------
    skin_fm : float
        Neutron-skin thickness r_n − r_p [fm] of the weak (neutron) Helm form factor (0: equal
        to the charge one).
    weak_charges : {"radiative", "tree"}
        Nucleon weak couplings (:mod:`nujax.xsec.nucleus`): with SM radiative corrections
        (default, flavor dependent) or tree level.
    """

    skin_fm: float = 0.0
    weak_charges: str = "radiative"
    name: str = "nucleus"
    two_body: bool = True
    directional: bool = True

    def components(self, detector) -> tuple:
        out = []
        for el, n_per_t in detector.material.nuclei_per_tonne().items():
            for iso, ab in get_nucleus(el).isotopes:
                out.append(Component(iso.name, float(iso.mass), float(ab * n_per_t), None, iso))
        return tuple(out)

    def _form_factors(self, component, t, sin2w):
        return nucleus_form_factors(component.data, t, sin2w=sin2w, skin_fm=self.skin_fm,  # eq. (16)
                                    weak_charges=self.weak_charges)

    def _terms(self, component, e, t, ff, tr, majorana, antineutrino=False):
        return nucleus_terms(e, t, component.mass, *ff, tr, majorana=majorana,   # seed 002 eq. (15)
                             antineutrino=antineutrino)

    def kernel(self, component, spectrum, pe, sin2w, options: CompactOptions):
        """(Eν, T) ↦ (weak, em/μ², int/μ) [MeV⁻³ rad⁻¹] for a Dirac beam (module docstring).

        With radiative weak charges the couplings depend on the flavor: ``options.flavor`` fixes
        it, otherwise the spectrum's flavor content at each Eν weighs ν_e, ν_μ, ν_τ (as for
        electrons)."""
        if options.kind != "dirac":
            raise ValueError("the compact nuclear-recoil kernel takes Dirac moments; use the "
                             "density-matrix rates for Majorana transition moments")
        if options.pe_fn is not None:
            raise ValueError("pe_fn is not supported for nuclear recoils; give a constant pe")
        anti = spectrum.antineutrino if options.flavor is None else \
            str(options.flavor).lower().endswith("bar")
        rho = SpinFlavorState.from_pe_dirac(pe, 0.0, n=1).rho
        one = jnp.ones((1, 1), rho.dtype) * MU_SCALE                  # μ = 10⁻¹¹ μ_B
        zero = jnp.zeros((1, 1), jnp.real(rho).dtype)
        sign = -1.0 if anti else 1.0                                   # Dirac ν̄ carries −μ

        def traces(flavor):
            off = weak_offset(1, flavor=flavor, weak_charges=self.weak_charges, dtype=zero.dtype)
            tr = flavor_traces(one, zero, zero, rho, weak_offset=off)
            z = jnp.zeros((), tr.tL0.dtype)
            return (tr._replace(mu2=z, kZ=0.0 * tr.kZ, kL=0.0 * tr.kL, kR=0.0 * tr.kR),
                    tr._replace(tL0=z, tL1=z, tL2=z, tR0=z, tR1=z, tR2=z))

        def couplings(t, ff, trs):                                    # recoil-only, once per T
            cw = nucleus_couplings(t, component.mass, *ff, trs[0], majorana=False)[0]
            _, m2, K = nucleus_couplings(t, component.mass, *ff, trs[1], majorana=False)
            return cw, m2, -sign * jnp.real(K)                        # weak, em, cos φ amplitude

        def combine(e, t, c):                                        # seed 002 eq. (15)
            ok, f_w, f_m, f_i = nucleus_energy_factors(e, t, component.mass)
            z = jnp.zeros_like(f_w)
            return tuple(jnp.where(ok, f * x, z) for f, x in zip((f_w, f_m, f_i), c))

        if options.flavor is not None or self.weak_charges == "tree":
            trs = traces(options.flavor or "nue")

            def kern(e, t):
                return combine(e, t, couplings(t, self._form_factors(component, t, sin2w), trs))

            return kern
        flavors = [traces(f) for f in ("nue", "numu", "nutau")]

        def kern_mix(e, t):
            ff = self._form_factors(component, t, sin2w)
            w = spectrum.flavor_probabilities(e)
            parts = [couplings(t, ff, trs) for trs in flavors]
            c = tuple(sum(w[..., k] * p[i] for k, p in enumerate(parts)) for i in range(3))
            return combine(e, t, c)

        return kern_mix

    def density_matrix_kernel(self, component, props, state, sin2w, U, flavor, antineutrino=False):
        """(Eν, T) ↦ (Ã, B̃s, B̃c) [MeV⁻³ rad⁻¹] (seed 002 eq. (15)); traces computed once.

        Tree level the vector coupling of a spin-0 nucleus is flavor-universal; the radiative
        couplings add the flavor-diagonal D of :func:`nujax.xsec.nucleus.weak_offset` (in the
        basis of ``props``, with ``U``; ``flavor`` labels an N = 1 state).
        ``antineutrino``: a ν̄ beam (:func:`nujax.xsec.nucleon.flavor_traces`)."""
        off = weak_offset(props.n_flavors, basis=props.basis, U=U, flavor=flavor or "nue",
                          weak_charges=self.weak_charges, dtype=jnp.real(props.r2).dtype)
        tr = props_traces(props, state, antineutrino=antineutrino, weak_offset=off)

        def kern(e, t):
            ff = self._form_factors(component, t, sin2w)
            return tuple(self._terms(component, e, t, ff, tr, props.majorana, antineutrino))

        return kern
