"""The neutrino spectrum pytree: discrete lines + a continuum on a fixed grid, and its quadrature.

A :class:`Spectrum` describes one neutrino species of one source component (e.g. solar ⁸B ν_e,
⁵¹Cr ν_e, reactor ν̄_e). It holds

* ``line_energies`` [MeV] and ``line_weights`` (fractions of the total flux in each line),
* a continuum ``density`` [MeV⁻¹] tabulated on a fixed, ascending ``grid`` [MeV], normalized so that
  ∫ density dE + Σ line_weights = 1,
* ``flux``: the total flux [cm⁻² s⁻¹] (or per decay / per fission, as the constructor documents),
  or, with the static flag ``fluence`` set, the time-integrated fluence [cm⁻²] of a burst
  (supernova): every rate path multiplies a flux by the detector's live time and a fluence by 1,
* ``flavor_fractions``: the (e, μ, τ) flavor content at production (sums to 1),
* ``arrival``: optionally, the flavor content where the neutrinos are detected as a function of
  energy (:class:`ArrivalContent`: oscillated solar, reactor at a baseline …); without it the
  production content ``flavor_fractions`` is used at every energy,
* static ``antineutrino`` and ``name``; static ``breaks``: energies [MeV] inside the grid where
  the continuum density has a step (β-branch endpoints of a summed spectrum), at which the
  quadrature splits its rule.

All array fields are leaves, so gradients flow to spectrum parameters through whatever computed the
density (a β-decay shape, a pinched Fermi–Dirac …). Shapes are static (fixed grid, fixed number of
lines) so nothing recompiles when parameters change.

Quadrature (GUIDE §4.7–4.8): :func:`fold` integrates ∫ dE Φ(E) g(E) as Σ_lines w_l g(E_l) plus a
composite Gauss–Legendre rule over the continuum mapped onto [max(E_min, grid[0]), grid[-1]], so the
lower limit (e.g. Eν_min(T)) moves smoothly and its derivative is right. Lines and the continuum are
handled separately, i.e. the rule is split at every line and at both endpoints.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax._numerics import gauss_legendre
from nujax._validation import is_concrete
from nujax.constants import YEAR_S

__all__ = ["Spectrum", "ArrivalContent", "as_spectra", "continuum_nodes", "fold", "gauss_legendre", "line_spectrum",
           "continuum_spectrum"]


class ArrivalContent(NamedTuple):
    """Flavor content of a spectrum at the detector, tabulated in energy (a pytree).

    Attributes
    ----------
    energies : array (N,)
        Ascending energies [MeV] of the table (linear interpolation; constant beyond the ends).
    flavor : array (N, 3)
        Probabilities of arriving as ν_e, ν_μ, ν_τ (ν̄ for antineutrino spectra); rows sum to 1.
    mass : array (N, 3) or None
        For an incoherent mixture of mass eigenstates (solar neutrinos): the probabilities of
        ν_1, ν_2, ν_3, so that ``flavor`` = Σ_i mass_i |U_αi|².
    """

    energies: jax.Array
    flavor: jax.Array
    mass: jax.Array = None


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["line_energies", "line_weights", "grid", "density", "flux", "flavor_fractions",
                 "arrival"],
    meta_fields=["antineutrino", "name", "fluence", "breaks"],
)
@dataclasses.dataclass(frozen=True)
class Spectrum:
    """One species of one neutrino source: lines + normalized continuum (see module docstring)."""

    line_energies: jax.Array
    line_weights: jax.Array
    grid: jax.Array
    density: jax.Array
    flux: jax.Array
    flavor_fractions: jax.Array
    antineutrino: bool = False
    name: str = ""
    fluence: bool = False
    arrival: ArrivalContent = None
    breaks: tuple = ()

    def validate(self) -> "Spectrum":
        """Check a concrete spectrum (non-negative, finite, ascending grid, normalized to 1, flavor
        fractions summing to 1); raise ``ValueError`` with the reason. Returns ``self``.

        Construction itself does not validate: JAX rebuilds pytrees from gradients and tracers,
        whose leaves need not look like a spectrum. The factories below validate.
        """
        _validate_spectrum(self)
        return self

    @property
    def continuum_weight(self):
        """∫ density dE (trapezoid on the grid): the fraction of the flux in the continuum."""
        return jnp.trapezoid(self.density, self.grid) if self.grid.shape[0] > 1 else jnp.asarray(0.0)

    @property
    def e_max(self):
        """Largest energy carried by the spectrum [MeV]."""
        parts = [self.grid[-1:]] if self.grid.shape[0] > 1 else []
        if self.line_energies.shape[0]:
            parts.append(self.line_energies)
        return jnp.max(jnp.concatenate(parts))

    def pdf(self, enu):
        """Continuum density at ``enu`` [MeV⁻¹] (linear interpolation, 0 outside the grid)."""
        if self.grid.shape[0] < 2:
            return jnp.zeros_like(jnp.asarray(enu, dtype=self.density.dtype))
        return jnp.interp(enu, self.grid, self.density, left=0.0, right=0.0)

    def mean_energy(self, n_nodes: int = 48, n_panels: int = 8):
        """⟨Eν⟩ [MeV] over lines and continuum."""
        return fold(self, lambda e: e, n_nodes=n_nodes, n_panels=n_panels)

    def flavor_probabilities(self, enu):
        """Probabilities (..., 3) that a neutrino of energy ``enu`` [MeV] arrives as ν_e, ν_μ, ν_τ
        (ν̄ for an antineutrino spectrum): the :class:`ArrivalContent` interpolated in energy, or
        the production ``flavor_fractions`` at every energy."""
        e = jnp.asarray(enu)
        if self.arrival is None:
            return jnp.broadcast_to(self.flavor_fractions, e.shape + (3,)).astype(
                jnp.result_type(e.dtype, self.flavor_fractions.dtype))
        a = self.arrival
        return jnp.stack([jnp.interp(e, a.energies, a.flavor[:, k]) for k in range(3)], axis=-1)

    def with_arrival(self, energies, flavor, mass=None) -> "Spectrum":
        """The same spectrum with the arriving flavor content ``flavor`` (N, 3) tabulated at
        ``energies`` (N,) [MeV] (and the mass-eigenstate content ``mass`` of an incoherent
        mixture); validated when concrete."""
        dt = self.density.dtype if self.density.shape[0] else self.line_energies.dtype
        arr = ArrivalContent(jnp.asarray(energies, dt), jnp.asarray(flavor, dt),
                             None if mass is None else jnp.asarray(mass, dt))
        return dataclasses.replace(self, arrival=arr).validate()

    def exposure_seconds(self, live_time_yr):
        """Seconds by which the spectrum's ``flux`` is multiplied to give a number of neutrinos per
        cm²: the live time for a flux, 1 for a time-integrated fluence (``fluence``)."""
        return 1.0 if self.fluence else live_time_yr * YEAR_S

    def with_flux(self, flux) -> "Spectrum":
        """The same shape with another total flux [cm⁻² s⁻¹]."""
        return dataclasses.replace(self, flux=jnp.asarray(flux))


def _validate_spectrum(s: Spectrum) -> None:
    leaves = (s.line_energies, s.line_weights, s.grid, s.density, s.flux, s.flavor_fractions)
    if not is_concrete(leaves):
        return
    try:
        le, lw, g, d, flux, ff = (np.asarray(x, dtype=float) for x in leaves)
    except (TypeError, ValueError):  # placeholder leaves during tree manipulation: nothing to check
        return
    name = s.name or "spectrum"
    if le.ndim != 1 or lw.shape != le.shape:
        raise ValueError(f"{name}: line_energies and line_weights must be 1-D arrays of equal length")
    if g.ndim != 1 or d.shape != g.shape:
        raise ValueError(f"{name}: grid and density must be 1-D arrays of equal length")
    for label, arr in (("line energies", le), ("line weights", lw), ("grid", g), ("density", d), ("flux", flux)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: {label} contain NaN or infinite values")
        if np.any(arr < 0):
            raise ValueError(f"{name}: {label} must be non-negative")
    if g.size == 1:
        raise ValueError(f"{name}: a continuum grid needs at least two points (or none)")
    if g.size > 1 and np.any(np.diff(g) <= 0):
        raise ValueError(f"{name}: the continuum grid must be strictly increasing")
    if ff.shape != (3,) or np.any(ff < 0) or abs(ff.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name}: flavor_fractions must be three non-negative numbers summing to 1")
    if s.breaks and (g.size < 2 or any(not (g[0] < b < g[-1]) for b in s.breaks)):
        raise ValueError(f"{name}: breaks must lie strictly inside the continuum grid")
    if s.arrival is not None and is_concrete(tuple(s.arrival)):
        _validate_arrival(name, s.arrival)
    total = lw.sum() + (np.trapezoid(d, g) if g.size > 1 else 0.0)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{name}: lines + continuum must be normalized to 1, got {total:.8g}")


def _validate_arrival(name, a) -> None:
    e = np.asarray(a.energies, float)
    tables = [("flavor", np.asarray(a.flavor, float))]
    if a.mass is not None:
        tables.append(("mass", np.asarray(a.mass, float)))
    if e.ndim != 1 or e.size < 1 or not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0):
        raise ValueError(f"{name}: arrival energies must be a 1-D strictly increasing finite array")
    for label, t in tables:
        if t.shape != (e.size, 3) or not np.all(np.isfinite(t)):
            raise ValueError(f"{name}: arrival {label} probabilities must be finite, shape ({e.size}, 3)")
        if np.any(t < -1e-9) or np.any(np.abs(t.sum(axis=1) - 1.0) > 1e-6):
            raise ValueError(f"{name}: arrival {label} probabilities must be ≥ 0 and sum to 1 per energy")


def as_spectra(spectra) -> tuple:
    """A tuple of :class:`Spectrum` from one Spectrum or an iterable of them (``TypeError`` else)."""
    out = (spectra,) if isinstance(spectra, Spectrum) else tuple(spectra)
    for s in out:
        if not isinstance(s, Spectrum):
            raise TypeError(f"expected Spectrum objects, got {type(s).__name__} (use nujax.get_source)")
    return out


def continuum_nodes(spectrum: Spectrum, e_min=0.0, *, n_nodes: int = 48, n_panels: int = 8,
                    pdf=None):
    """Quadrature nodes and weights for ∫_{max(e_min, grid[0])}^{grid[-1]} dEν Φ̂_cont(Eν) g(Eν).

    A composite Gauss–Legendre rule (``n_panels`` × ``n_nodes``) mapped onto the moving interval
    (GUIDE §4.7); the weights include the continuum density. Where the density has steps
    (``spectrum.breaks``) the interval is split there (GUIDE §4.8): each segment below the last
    break gets one panel of ``n_nodes`` nodes, the last segment the full rule, every segment with
    the moving lower end max(e_min, segment start). ``e_min`` may be an array: the nodes sit on a
    new trailing axis. ``pdf`` (default :meth:`Spectrum.pdf`) evaluates the density. Returns
    ``(energies, weights)``.
    """
    dt = spectrum.grid.dtype
    pdf = spectrum.pdf if pdf is None else pdf
    lo0, hi = spectrum.grid[0], spectrum.grid[-1]
    e_min = jnp.asarray(e_min, dt)
    cuts = [c for c in sorted(float(b) for b in spectrum.breaks)]
    starts = [lo0] + [jnp.asarray(c, dt) for c in cuts]
    ends = [jnp.asarray(c, dt) for c in cuts] + [hi]
    es, ws = [], []
    for k, (a, b) in enumerate(zip(starts, ends)):
        u, wu = gauss_legendre(n_nodes, n_panels if k == len(cuts) else 1)
        lo = jnp.clip(e_min, a, b)[..., None]
        span = b - lo
        e = lo + span * jnp.asarray(u, dt)
        es.append(e)
        ws.append(span * jnp.asarray(wu, dt) * pdf(e))
    if len(es) == 1:
        return es[0], ws[0]
    return jnp.concatenate(es, axis=-1), jnp.concatenate(ws, axis=-1)


def fold(spectrum: Spectrum, fn, e_min=0.0, *, n_nodes: int = 48, n_panels: int = 8):
    """∫ dEν Φ̂(Eν) fn(Eν) over the normalized spectrum, for Eν ≥ ``e_min`` (flux not included).

    Lines contribute w_l fn(E_l) Θ(E_l − e_min); the continuum the rule of :func:`continuum_nodes`.
    ``e_min`` is a scalar here; ``fn`` must map an array of energies to an array of the same leading
    shape (extra trailing axes are kept). Differentiable in ``e_min`` and in the spectrum leaves.
    """
    out = 0.0
    if spectrum.line_energies.shape[0]:
        le = spectrum.line_energies
        vals = fn(le)
        mask = (le >= e_min).astype(le.dtype)
        w = spectrum.line_weights * mask
        out = out + jnp.tensordot(w, vals, axes=(0, 0))
    if spectrum.grid.shape[0] > 1:
        e, w = continuum_nodes(spectrum, e_min, n_nodes=n_nodes, n_panels=n_panels)
        out = out + jnp.tensordot(w, fn(e), axes=(0, 0))
    return out


def _as(x, dtype=None):
    return jnp.asarray(x, dtype=dtype)


def line_spectrum(energies, weights, *, flux=1.0, flavor_fractions=(1.0, 0.0, 0.0),
                  antineutrino=False, name="", fluence=False) -> Spectrum:
    """A spectrum made of lines only; ``weights`` are normalized to sum to 1 (``fluence``: ``flux``
    is a time-integrated fluence [cm⁻²])."""
    e = np.atleast_1d(np.asarray(energies, dtype=float))
    w = np.atleast_1d(np.asarray(weights, dtype=float))
    if w.shape != e.shape or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"{name or 'line spectrum'}: weights must be non-negative, same length as energies")
    return Spectrum(_as(e), _as(w / w.sum()), jnp.zeros((0,)), jnp.zeros((0,)), _as(flux),
                    _as(flavor_fractions, float), antineutrino, name, bool(fluence)).validate()


def continuum_spectrum(grid, density, *, flux=1.0, lines=(), line_weights=(),
                       flavor_fractions=(1.0, 0.0, 0.0), antineutrino=False, name="",
                       normalize=True, fluence=False, breaks=()) -> Spectrum:
    """A spectrum from a tabulated continuum (and optional lines), normalized to 1 overall.

    ``density`` is any non-negative shape on ``grid``; with ``normalize`` the continuum is scaled to
    carry 1 − Σ ``line_weights`` of the flux. Works with traced ``density`` (gradients flow).
    ``fluence``: ``flux`` is a time-integrated fluence [cm⁻²] (a burst). ``breaks``: energies
    [MeV] inside the grid where the density steps (the quadrature splits there).
    """
    g = jnp.asarray(grid)
    d = jnp.asarray(density)
    lw = jnp.asarray(line_weights, dtype=d.dtype).reshape(-1)
    le = jnp.asarray(lines, dtype=d.dtype).reshape(-1)
    if is_concrete((g, d)):
        gn, dn = np.asarray(g, float), np.asarray(d, float)
        if gn.ndim != 1 or dn.shape != gn.shape or gn.size < 2:
            raise ValueError(f"{name or 'spectrum'}: grid and density must be 1-D of equal length ≥ 2")
        if not (np.all(np.isfinite(gn)) and np.all(np.isfinite(dn))):
            raise ValueError(f"{name or 'spectrum'}: table contains NaN or infinite values")
        if np.any(np.diff(gn) <= 0):
            raise ValueError(f"{name or 'spectrum'}: energy grid must be strictly increasing")
        if np.any(dn < 0) or np.any(gn < 0):
            raise ValueError(f"{name or 'spectrum'}: energies and densities must be non-negative")
        if np.trapezoid(dn, gn) <= 0:
            raise ValueError(f"{name or 'spectrum'}: the continuum integrates to zero")
    if normalize:
        d = d * (1.0 - jnp.sum(lw)) / jnp.trapezoid(d, g)
    return Spectrum(le, lw, g, d, jnp.asarray(flux), jnp.asarray(flavor_fractions, dtype=float),
                    antineutrino, name, bool(fluence), None,
                    tuple(sorted(float(b) for b in breaks))).validate()
