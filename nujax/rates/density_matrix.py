"""Event rates for a general spin-flavor state and EM-property matrices (seed 002 path).

The beam is a :class:`~nujax.state.SpinFlavorState` ρ and the moments an
:class:`~nujax.em.EMProperties` pytree (μ, ⟨r²⟩, anapole matrices); the cross section is seed 002's
d²σ/dT dφ = Ã + B̃s sin φ + B̃c cos φ (eq. (11), :mod:`nujax.xsec.electron_density_matrix`), φ measured
from the e_x axis of the state's ζˣ. Folding with the spectra and the detector uses exactly the
engine of :mod:`nujax.rates.engine` (same nodes, lines and continuum as separate segments, moving
limits u-mapped, the same detector response), with the three channels (Ã, B̃s, B̃c) of the target's
density-matrix kernel (electrons: seed 002 eqs. (25)–(26); nuclei: eq. (15)) in place of (weak,
em, interference):

    N_bin = N t Σ_i Φ_i ∫_bin dT ε(T) ∫ dEν λ_i(Eν) [Ã Δφ + e^{−σ_φ²/2} (B̃s (cos φ_a − cos φ_b)
            + B̃c (sin φ_b − sin φ_a))]  + background                    (seed 000 eq. (11), seed 002 eq. (11))

Everything is one jitted function of the pytrees, so ``jax.grad`` returns gradients shaped like
the EMProperties (μ, ⟨r²⟩, a entries) and the state (ρ); the flavor traces of seed 002 eq. (26) are
evaluated once per call, outside the quadrature. For ρ = ρ(Pe, φ_B) of one flavor and a diagonal
Dirac μ the counts equal those of :func:`nujax.rates.expected_counts` (tests).

A given state is energy independent (one ρ for the whole spectrum); with ``state=None`` each
spectrum scatters as its own incoherent mixture, energy by energy: the arriving mass eigenstates of
an oscillated solar spectrum (``Spectrum.arrival.mass``), else its flavor content, each a pure
pure state of the active helicity.

Antineutrino spectra (reactor ν̄_e …) are accepted: for a Dirac neutrino a ν̄ beam is the particle
content of ν^c — the active ν̄_R in the R block of ρ, its spin-flipped sterile partner in the L
block, moment −μᵀ (:mod:`nujax.xsec.electron_density_matrix`, "Dirac antineutrino beams"; build
it with :meth:`nujax.state.SpinFlavorState.from_pe_dirac` and an antineutrino flavor); for a
Majorana neutrino the R block holds the ν̄'s anyway. Each spectrum's ``antineutrino`` flag selects
the couplings, so one call can fold ν and ν̄ spectra (with states of the matching convention).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import check_args, check_probability
from nujax.constants import SIN2_THETA_W
from nujax.couplings import parse_flavor
from nujax.detector.backgrounds import background_counts
from nujax.detector.core import Detector, azimuth_damping
from nujax.em import EMProperties
from nujax.em import pmns as _pmns
from nujax.rates.binned import resolve_target
from nujax.rates.engine import (check_edges, check_inputs, check_phi_edges, density_true, dtype,
                                fold_binned)
from nujax.sources.spectrum import as_spectra
from nujax.state import SpinFlavorState
from nujax.xsec.common import AzimuthalParts

__all__ = ["binned_parts_density_matrix", "expected_counts_density_matrix",
           "d2N_dT_dphi_density_matrix", "dN_dT_density_matrix"]

_TWO_PI = 2.0 * math.pi
_STATIC = ("target", "flavor", "polar_smearing", "n_T", "T_panels", "n_E", "n_E_panels", "n_eff")


def _kern_for(target, props, state, sin2w, U, flavor, mixing=None):
    """``(spectrum, component) ↦ (Eν, T) ↦ (Ã, B̃s, B̃c)`` [MeV⁻³ rad⁻¹] of the target.

    ``state=None``: the spectrum's own incoherent content (module docstring), with ``mixing`` the
    PMNS matrix relating flavor and mass states."""
    if state is not None:
        return lambda s, comp: target.density_matrix_kernel(comp, props, state, sin2w, U, flavor,
                                                            s.antineutrino)

    def for_spectrum(s, comp):
        weights, states = _incoherent_content(s, props, mixing)
        kerns = [target.density_matrix_kernel(comp, props, st, sin2w, U, flavor, s.antineutrino)
                 for st in states]

        def kern(e, t):
            w = weights(e)
            parts = [k(e, t) for k in kerns]
            return tuple(sum(w[..., i] * p[c] for i, p in enumerate(parts)) for c in range(3))

        return kern

    return for_spectrum


def _incoherent_content(spectrum, props, U):
    """(weights(Eν) → (..., 3), three pure left-handed states in the basis of ``props``).

    Mass eigenstates ν_i = Σ_α U_αi ν_α when the spectrum's arrival table carries mass
    probabilities (solar: an incoherent mixture of mass eigenstates), flavor states otherwise
    (production content or arrival flavor probabilities); seed 002 eq. (8) basis (ν_R…, ν_L…).
    Antineutrino spectra: the active ν̄_R in the R block, with U* for the mass states (convention
    of :mod:`nujax.xsec.electron_density_matrix`)."""
    a = spectrum.arrival
    cdt = props.mu.dtype
    Uc = jnp.asarray(U, cdt)
    if spectrum.antineutrino:
        Uc = jnp.conj(Uc)
    if a is not None and a.mass is not None:
        vecs = Uc.T if props.basis == "flavor" else jnp.eye(3, dtype=cdt)          # columns of U

        def weights(e):
            return jnp.stack([jnp.interp(e, a.energies, a.mass[:, k]) for k in range(3)], -1)
    else:
        vecs = jnp.eye(3, dtype=cdt) if props.basis == "flavor" else jnp.conj(Uc)  # U*_αi rows

        def weights(e):
            return spectrum.flavor_probabilities(e)
    states = []
    for k in range(3):
        z = jnp.zeros(3, cdt)
        v = jnp.concatenate([vecs[k], z] if spectrum.antineutrino else [z, vecs[k]])  # active block
        states.append(SpinFlavorState(jnp.outer(v, jnp.conj(v))))
    return weights, states


def _prepare(spectra, detector, props, state, sin2w, pmns, flavor, target="electron",
             cos_edges=None):
    """Eager checks on concrete inputs; returns (spectra tuple, U or None, target)."""
    if not isinstance(props, EMProperties):
        raise TypeError(f"props must be an EMProperties, got {type(props).__name__}")
    if state is not None and not isinstance(state, SpinFlavorState):
        raise TypeError(f"state must be a SpinFlavorState or None, got {type(state).__name__}")
    if not isinstance(detector, Detector):
        raise TypeError(f"detector must be a Detector, got {type(detector).__name__}")
    props.validate()
    if state is None:
        if props.n_flavors != 3:
            raise ValueError("state=None (the spectra's own flavor or mass content) needs N = 3 "
                             "EMProperties")
    else:
        state.validate()
        if jnp.ndim(state.rho) != 2:
            raise ValueError(f"state must hold one (2N, 2N) density matrix, got shape {jnp.shape(state.rho)}")
        if state.n_flavors != props.n_flavors:
            raise ValueError(f"state has N = {state.n_flavors} flavors but props has N = {props.n_flavors}")
    f = parse_flavor(flavor)
    if props.n_flavors == 1 and f.is_antineutrino:
        raise ValueError("flavor names the lepton of an N = 1 state (nue, numu, nutau); whether the "
                         f"beam is ν or ν̄ comes from each spectrum, got {f.value}")
    check_probability("sin2w", sin2w)
    spectra = as_spectra(spectra)
    tgt = resolve_target(target, cos_edges)
    if not tgt.two_body:
        raise ValueError(f"the density-matrix rates need a two-body target, got {tgt.name!r}")
    U = None
    if props.n_flavors == 3 and (props.basis == "mass" or state is None):
        U = _pmns() if pmns is None else jnp.asarray(pmns)
    return spectra, U, tgt


def _parts_core(spectra, detector, T_edges, ce, props, state, sin2w, U, *, target, flavor,
                polar_smearing, n_T, T_panels, n_E, n_E_panels, n_eff):
    kern_for = _kern_for(target, props, state, sin2w, U if props.basis == "mass" else None, flavor, U)
    tot = fold_binned(spectra, detector, target, kern_for,
                      T_edges, ce, polar_smearing, (n_T, T_panels, n_E, n_E_panels, n_eff))
    if ce is None:
        tot = tot[:, 0, :]
    return AzimuthalParts(tot[..., 0], tot[..., 1], tot[..., 2])


_parts_jit = jax.jit(_parts_core, static_argnames=_STATIC)


def _combine(parts, detector, T_edges, phi_edges, ce):
    """Integrate A + Bs sin φ + Bc cos φ over each φ bin and add the background."""
    a, b = phi_edges[:-1], phi_edges[1:]
    damp = azimuth_damping(detector.sigma_phi)
    A, Bs, Bc = (jnp.asarray(x)[..., None] for x in parts)
    # seed 002 eq. (11) integrated over [φ_a, φ_b]; e^{−σ_φ²/2} from nujax.detector.azimuth_damping
    sig = A * (b - a) + damp * (Bs * (jnp.cos(a) - jnp.cos(b)) + Bc * (jnp.sin(b) - jnp.sin(a)))
    return sig + background_counts(detector, T_edges, phi_edges, ce)


@functools.partial(jax.jit, static_argnames=_STATIC)
def _counts_jit(spectra, detector, T_edges, phi_edges, ce, props, state, sin2w, U, **static):
    parts = _parts_core(spectra, detector, T_edges, ce, props, state, sin2w, U, **static)
    return _combine(parts, detector, T_edges, phi_edges, ce)


def binned_parts_density_matrix(spectra, detector: Detector, T_edges, props: EMProperties,
                                state: SpinFlavorState, *, target="electron", cos_edges=None,
                                sin2w=SIN2_THETA_W, pmns=None, flavor="nue", polar_smearing=False,
                                n_T=8, T_panels=1, n_E=24, n_E_panels=4,
                                n_eff=8) -> AzimuthalParts:
    """Counts per radian in (T[, cosθ]) bins as the parts of A + Bs sin φ + Bc cos φ (seed 002 eq. (11)).

    Parameters
    ----------
    spectra : Spectrum or tuple of Spectrum
        Neutrino sources (flux in cm⁻² s⁻¹, or a fluence).
    detector : Detector
        Material, exposure, efficiency, energy resolution, binding (background:
        :func:`expected_counts_density_matrix`).
    T_edges : array (K+1,)
        Measured recoil-energy bin edges [MeV], increasing.
    props : EMProperties
        μ [10⁻¹¹ μ_B], ⟨r²⟩ and anapole [10⁻³² cm²] matrices (N = 1 or 3).
    state : SpinFlavorState or None
        The beam's spin-flavor density matrix, same N and basis as ``props`` (energy independent).
        None: each spectrum's own incoherent content at every Eν — its arriving mass-eigenstate
        probabilities when it has them (oscillated solar neutrinos), else its flavor
        probabilities — as left-handed pure states, Σ_k w_k(Eν) d²σ(ρ_k) (N = 3).
    target : str or Target, static
        "electron" (seed 002 eqs. (25)–(26)) or "nucleus" (eq. (15), the material's isotopes).
    cos_edges : array (J+1,), optional
        cosθ bin edges, increasing in [−1, 1]; None: all angles (shape (K,)).
    sin2w : array_like
        sin²θ_W.
    pmns : array (3, 3), optional
        Mixing matrix for mass-basis input (default :func:`nujax.em.pmns`).
    flavor : str, static
        For N = 1 only: the flavor of the state (ν_e has the charged current).
    polar_smearing : bool, static
        Apply the detector's polar-angle response to the cosθ bins.
    n_T, T_panels, n_E, n_E_panels, n_eff : int, static
        Quadrature orders as in :func:`nujax.rates.binned_templates`.

    Returns
    -------
    AzimuthalParts
        ``A``, ``Bs``, ``Bc`` [counts rad⁻¹], shape (K,) or (K, J), before azimuthal smearing.
    """
    spectra, U, tgt = _prepare(spectra, detector, props, state, sin2w, pmns, flavor, target,
                               cos_edges)
    check_edges(T_edges, cos_edges)
    T_edges = jnp.asarray(T_edges, dtype())
    ce = None if cos_edges is None else jnp.asarray(cos_edges, dtype())
    check_inputs(T_edges, ce, None, sin2w)
    return _parts_jit(spectra, detector, T_edges, ce, props, state, sin2w, U, target=tgt,
                      flavor=flavor, polar_smearing=polar_smearing, n_T=n_T, T_panels=T_panels,
                      n_E=n_E, n_E_panels=n_E_panels, n_eff=n_eff)


def expected_counts_density_matrix(spectra, detector: Detector, T_edges, phi_edges,
                                   props: EMProperties, state: SpinFlavorState, *,
                                   target="electron", cos_edges=None, sin2w=SIN2_THETA_W,
                                   pmns=None, flavor="nue", polar_smearing=False, n_T=8,
                                   T_panels=1, n_E=24, n_E_panels=4, n_eff=8):
    """Expected counts in (T[, cosθ], φ) bins for a spin-flavor state and EM matrices (jitted).

    The fully differentiable seed-002 driver: ``jax.grad`` with respect to ``props`` (every μ,
    ⟨r²⟩ and anapole entry), ``state`` (ρ), the spectra and the detector leaves. Values may change
    between calls without recompiling; shapes and the static options may not. See
    :func:`binned_parts_density_matrix` for the arguments; ``phi_edges`` [rad] are azimuth bin
    edges measured from the e_x axis of the state (φ_B = arg κ is the azimuth of ζ⊥).

    Returns
    -------
    array
        Counts of shape (K, n_φ) or (K, J, n_φ), ≥ 0 for a physical state; the sum over φ bins
        covering 2π is the φ-integrated rate. Azimuthal resolution multiplies the modulation by
        e^{−σ_φ²/2}; the detector background (:func:`nujax.detector.background_counts`) is added.

    Examples
    --------
    >>> import nujax, jax
    >>> nujax.enable_x64()
    >>> from nujax.detector import preset
    >>> from nujax.sources.solar import solar_component
    >>> p = EMProperties.from_effective(3.0, n=1)
    >>> s = SpinFlavorState.from_pe_dirac(0.5, 0.3, n=1)
    >>> N = expected_counts_density_matrix(solar_component("7Be"), preset("hellaz"), [0.1, 0.4, 0.7],
    ...                                    [0.0, 3.14159, 6.28318], p, s, sin2w=0.23)
    >>> N.shape, bool(N.min() > 0)
    ((2, 2), True)
    """
    spectra, U, tgt = _prepare(spectra, detector, props, state, sin2w, pmns, flavor, target,
                               cos_edges)
    check_edges(T_edges, cos_edges)
    T_edges = jnp.asarray(T_edges, dtype())
    check_phi_edges(phi_edges)
    phi_edges = jnp.asarray(phi_edges, dtype())
    ce = None if cos_edges is None else jnp.asarray(cos_edges, dtype())
    check_inputs(T_edges, ce, None, sin2w)
    check_phi_edges(phi_edges)
    return _counts_jit(spectra, detector, T_edges, phi_edges, ce, props, state, sin2w, U,
                       target=tgt, flavor=flavor, polar_smearing=polar_smearing, n_T=n_T,
                       T_panels=T_panels, n_E=n_E, n_E_panels=n_E_panels, n_eff=n_eff)


@functools.partial(jax.jit, static_argnames=("target", "flavor", "n_E", "n_E_panels"))
def _d2N_jit(spectra, detector, T, props, state, sin2w, U, *, target, flavor, n_E, n_E_panels):
    kern_for = _kern_for(target, props, state, sin2w, U if props.basis == "mass" else None, flavor, U)
    w = density_true(spectra, detector, target, kern_for,
                     T, n_E, n_E_panels)                                 # seed 000 eq. (11)
    return AzimuthalParts(w[..., 0], w[..., 1], w[..., 2])


def d2N_dT_dphi_density_matrix(spectra, detector: Detector, T, props: EMProperties,
                               state: SpinFlavorState, *, target="electron", sin2w=SIN2_THETA_W,
                               pmns=None, flavor="nue", n_E=32, n_E_panels=8) -> AzimuthalParts:
    """d²N/dT dφ = A + Bs sin φ + Bc cos φ [counts MeV⁻¹ rad⁻¹] at true recoil energies ``T`` [MeV].

    Seed 000 eq. (11) with the seed 002 cross section: N t Σ_i Φ_i ∫ dEν λ_i(Eν) d²σ/dTdφ summed
    over the target's components, times ε(T), the binding steps and Θ(T − T_th) (no energy
    smearing). Lines contribute where T ≤ T_max(E_l). Arguments as in
    :func:`binned_parts_density_matrix`; ``n_E``, ``n_E_panels`` set the Eν rule.
    """
    spectra, U, tgt = _prepare(spectra, detector, props, state, sin2w, pmns, flavor, target)
    check_args(T=T)
    return _d2N_jit(spectra, detector, jnp.asarray(T, dtype()), props, state, sin2w, U,
                    target=tgt, flavor=flavor, n_E=n_E, n_E_panels=n_E_panels)


def dN_dT_density_matrix(spectra, detector: Detector, T, props: EMProperties,
                         state: SpinFlavorState, *, target="electron", sin2w=SIN2_THETA_W,
                         pmns=None, flavor="nue", n_E=32, n_E_panels=8):
    """φ-integrated dN/dT = 2π A [counts MeV⁻¹] at true recoil energies ``T`` [MeV].

    See :func:`d2N_dT_dphi_density_matrix` (the sin φ and cos φ parts integrate to zero over 2π).
    """
    return _TWO_PI * d2N_dT_dphi_density_matrix(spectra, detector, T, props, state, target=target,
                                                sin2w=sin2w, pmns=pmns, flavor=flavor, n_E=n_E,
                                                n_E_panels=n_E_panels).A
