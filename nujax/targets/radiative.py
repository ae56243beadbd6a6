"""Radiative channel ν e → ν e γ (seed 004) as a target of the rate engine.

The measured energy is the energy release ν = T + E_γ (electron and photon not separated); the
cuts are T ≥ detector threshold and E_γ ≥ ``photon_threshold`` (the infrared cut, seed 004
eq. (44)), so ν ≥ T_th + E_γ^th: each bin's ν rule starts there (no rule crosses the step). The cross section per energy-release bin is

    σ_bin(Eν) = ∫₀¹ dx ∫_{bin ∩ [0, ν_max(x)]} dν ε(ν) d²σ/dx dν     (seed 004 eq. (28)),

with the inclusive d²σ/dx dν of :func:`nujax.xsec.radiative_integrals.d2sigma_dx_dnu` and the
detector efficiency at the measured ν; it is folded with the spectrum on a Gauss–Legendre rule.
The weak and magnetic parts add incoherently (seed 004, below eq. (13): the magnetic vertex flips
the helicity), so the interference channel is 0; for a Dirac beam with active fraction Pe only
the active part scatters weakly (weak ∝ Pe). The recoil direction is not defined (three bodies):
cosθ/φ bins and the differential spectra in T are refused, and so is energy smearing of ν (not
modelled).
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp

from nujax._numerics import gauss_legendre, mapped_nodes
from nujax.detector.core import efficiency
from nujax.sources.spectrum import continuum_nodes
from nujax.targets.base import CompactOptions, Component
from nujax.xsec.radiative_integrals import d2sigma_dx_dnu, nu_max

__all__ = ["RadiativeTarget"]


@dataclasses.dataclass(frozen=True)
class RadiativeTarget:
    """ν e → ν e γ on the electrons of the material, binned in the energy release ν = T + E_γ.

    Attributes
    ----------
    photon_threshold : float
        Infrared cut E_γ ≥ E_γ^th [MeV], > 0 (seed 004 eq. (44)).
    n_x, n_nu, n_omega, n_E, n_E_panels : int
        Gauss–Legendre orders in x (2 panels), in ν per bin, in ln ω, and of the Eν continuum rule.
    """

    photon_threshold: float = 0.01
    n_x: int = 12
    n_nu: int = 6
    n_omega: int = 24
    n_E: int = 6
    n_E_panels: int = 5
    name: str = "radiative"
    two_body: bool = False
    directional: bool = False

    def __post_init__(self):
        if not float(self.photon_threshold) > 0:
            raise ValueError("the radiative target needs an infrared cut photon_threshold > 0 MeV "
                             "(seed 004 eq. (44))")

    def components(self, detector) -> tuple:
        return (Component("e", 0.0, float(detector.material.electrons_per_tonne)),)

    def kernel(self, component, spectrum, pe, sin2w, options):
        raise ValueError("the radiative channel has no two-body kernel in (Eν, T); it is binned in "
                         "the energy release ν = T + E_γ only")

    def density_matrix_kernel(self, component, props, state, sin2w, U, flavor, antineutrino=False):
        raise ValueError("the density-matrix rates are not available for ν e → ν e γ")

    def fold_binned(self, spectrum, detector, component, edges, pe, sin2w, options: CompactOptions):
        """Spectrum-averaged ε σ_bin per radian of azimuth: (K, 1, 3) [MeV⁻² rad⁻¹] (weak, em per
        μ², 0). The rate engine's channels are per radian (the recoil azimuth of the two-body
        targets); for the radiative channel the counts are isotropic, σ_bin/2π per radian."""
        if detector.smearing:
            raise ValueError("energy smearing of the energy release is not modelled for the "
                             "radiative channel; use a detector with smearing=False")
        if options.kind != "dirac" or options.pe_fn is not None:
            raise ValueError("the radiative channel takes a Dirac moment and a constant pe")
        if options.flavor is not None:
            flavors = (str(options.flavor),)
        else:                       # the spectrum's own content: ν_e and ν_μ/ν_τ (alike) weighted
            bar = "bar" if spectrum.antineutrino else ""
            flavors = ("nue" + bar, "numu" + bar)
        w, m = _binned(spectrum, detector, edges, self.photon_threshold, sin2w, flavors=flavors,
                       n_x=self.n_x, n_nu=self.n_nu, n_omega=self.n_omega, n_E=self.n_E,
                       n_E_panels=self.n_E_panels)
        per_rad = 1.0 / (2.0 * math.pi)
        return per_rad * jnp.stack([pe * w, m, jnp.zeros_like(w)], axis=-1)[:, None, :]


@functools.partial(jax.jit, static_argnames=("flavors", "n_x", "n_nu", "n_omega", "n_E", "n_E_panels"))
def _binned(spec, det, nu_edges, eg_min, sin2w, *, flavors, n_x, n_nu, n_omega, n_E, n_E_panels):
    """Spectrum-averaged ε σ per energy-release bin (weak, magnetic per μ²) [MeV⁻²], shape (K,).

    ``flavors``: one flavor, or (ν_e-like, ν_μ-like) weighted at every Eν by the spectrum's
    flavor content (:meth:`nujax.sources.Spectrum.flavor_probabilities`)."""
    dt = nu_edges.dtype
    # ν ≥ T_th + E_γ^th: start each bin's rule at the cut, so no rule integrates across the step
    a = jnp.maximum(nu_edges[:-1], det.threshold + eg_min)
    b = jnp.maximum(nu_edges[1:], a)
    ux, wx = (jnp.asarray(v, dt) for v in gauss_legendre(n_x, 2))
    E, wE = jnp.zeros((0,), dt), jnp.zeros((0,), dt)
    if spec.line_energies.shape[0]:
        E, wE = spec.line_energies, spec.line_weights
    if spec.grid.shape[0] > 1:
        ec, wc = continuum_nodes(spec, 0.0, n_nodes=n_E, n_panels=n_E_panels)
        ok = ec > 1e-3                                                     # no events below 1 keV
        E = jnp.concatenate([E, jnp.where(ok, ec, 1.0)])
        wE = jnp.concatenate([wE, jnp.where(ok, wc, 0.0)])
    top = jnp.minimum(b[None, None, :], nu_max(ux[None, :, None], E[:, None, None]))  # seed 004 eq. (28)
    nu, wnu = mapped_nodes(jnp.broadcast_to(a, top.shape), top, n_nu, dtype=dt)  # (E, x, K, n)
    X = jnp.broadcast_to(ux[None, :, None, None], nu.shape)
    EE = jnp.broadcast_to(E[:, None, None, None], nu.shape)
    def parts(fl):
        r = d2sigma_dx_dnu(X, nu, EE, 1.0, flavor=fl, sin2w=sin2w, eg_min=eg_min,
                           T_min=det.threshold, n_omega=n_omega)
        return r.weak, r.magnetic

    rw, rm = parts(flavors[0])
    if len(flavors) == 2:
        we = spec.flavor_probabilities(E)[:, 0][:, None, None, None]
        xw, xm = parts(flavors[1])
        rw, rm = we * rw + (1.0 - we) * xw, we * rm + (1.0 - we) * xm
    g = wnu * efficiency(det, nu)                                          # ε at the measured ν
    w = jnp.einsum("e,x,exkn->k", wE, wx, g * rw)
    m = jnp.einsum("e,x,exkn->k", wE, wx, g * rm)
    return w, m
