"""Extended unbinned likelihood for directional events (recoil energy T and azimuth φ per event).

For events x_i = (T_i, φ_i) in the analysis window T ∈ [T_lo, T_hi], φ ∈ [0, 2π), the extended
likelihood is (Barlow, NIM A 297 (1990) 496)

    log L = −ν + Σ_i log λ(T_i, φ_i) + constraints,

with the event density of seed 000 eq. (12) before φ integration,

    λ(T, φ) = ε Σ_s n_s [w_s(T) + μ² m_s(T) + μ e^{−σ_φ²/2} a_s(T) cos(φ − φ_B)] + b_s β(T),

(w, m, a: :func:`nujax.rates.density_per_radian` at the events' energies; β the isotropic
background density :func:`nujax.detector.background_density` / 2π) and the expected number ν = ε Σ_s n_s (W_s + μ² M_s) + b_s B — the
interference integrates to zero over the full azimuth. The azimuthal resolution multiplies the
cos amplitude by e^{−σ_φ²/2} exactly (a wrapped Gaussian convolved with cos; see
:mod:`nujax.detector`). The energy resolution is not folded into the per-event density: a
detector with ``smearing=True`` is refused (use the binned likelihood there).

The model stores the densities at the measured energies, and the data passed to the fits are the
events' azimuths φ_i: ``fit_mle(umodel, phi, free=("mu_1e11", "phi_B", ...))`` works exactly as for
binned models (the same optax L-BFGS, the same parameter names and constraints):
:class:`UnbinnedModel` implements :class:`~nujax.inference.model.StatisticalModel`. Template
keywords (``target=``, ``sin2w``, ``flavor`` …) are passed to the rate engine unchanged, so any
target the engine folds gets an unbinned fit.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.detector import Detector, azimuth_damping, background_counts, background_density
from nujax.inference.parameters import (PARAMETER_NAMES, check_uncertainties,
                                        gaussian_constraints, merge_params, nominal_params)
from nujax.rates import binned_templates, density_per_radian
from nujax.sources import as_spectra

__all__ = ["UnbinnedModel", "build_unbinned_model", "unbinned_log_likelihood", "toy_events"]

_TWO_PI = 2.0 * math.pi


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["dens", "totals", "bkg_density", "bkg_total", "damp", "norm_sigma", "eff_sigma",
                 "bkg_sigma"],
    meta_fields=["n_events", "source_names", "bkg_constrained"])
@dataclasses.dataclass(frozen=True)
class UnbinnedModel:
    """Per-event densities of an unbinned directional analysis (frozen pytree).

    Attributes
    ----------
    dens : array (S, N, 3)
        Per source and event: weak, magnetic (per (10⁻¹¹ μ_B)²) and cos(φ − φ_B) amplitude (per
        10⁻¹¹ μ_B) of d²N/dT dφ at the event's T [counts MeV⁻¹ rad⁻¹].
    totals : array (S, 2)
        Expected weak and magnetic counts in the window.
    bkg_density, bkg_total : array (N,), scalar
        Background density at the events [counts MeV⁻¹ rad⁻¹] and its expected count.
    damp : scalar
        Azimuthal-resolution factor e^{−σ_φ²/2}.
    norm_sigma, eff_sigma, bkg_sigma : constraint widths as in the binned model.
    """

    dens: jax.Array
    totals: jax.Array
    bkg_density: jax.Array
    bkg_total: jax.Array
    damp: jax.Array
    norm_sigma: jax.Array
    eff_sigma: jax.Array
    bkg_sigma: jax.Array
    n_events: int = 0
    source_names: tuple = ()
    bkg_constrained: bool = True
    # the binned-model interface the shared fitters use
    directional = True
    pe_scalable = False
    em_names = ()

    @property
    def n_sources(self) -> int:
        return len(self.source_names)

    @property
    def bin_shape(self) -> tuple:
        return (self.n_events,)

    @property
    def background(self):
        return self.bkg_density

    # ------------------------------------------------ the StatisticalModel interface
    def default_params(self) -> dict:
        """Nominal parameters: μ = 0, φ_B = 0, all normalisations and scales 1."""
        return nominal_params(self.n_sources)

    def parameter_names(self) -> tuple:
        """All parameter names this model accepts (``mu2`` and ``pe`` are refused on use)."""
        return PARAMETER_NAMES

    def check_data(self, data):
        """The azimuths [rad] must be finite, one per event."""
        if is_concrete(data):
            a = np.asarray(data)
            if a.shape != (self.n_events,):
                raise ValueError(f"phi has shape {a.shape}, the model has {self.n_events} events")
            if not np.all(np.isfinite(a)):
                raise ValueError("event azimuths must be finite")
        return data

    def _mu(self, p):
        if "mu2" in p:
            raise ValueError("unbinned directional models are parametrised by 'mu_1e11'")
        return p["mu_1e11"]

    def expected(self, params=None):
        """Expected number of events ν in the window (the interference integrates to 0 over φ)."""
        p = merge_params(self, params)
        mu = self._mu(p)
        norm = jnp.broadcast_to(p["norm"], (self.n_sources,))
        return (p["eff_scale"] * jnp.sum(norm * (self.totals[:, 0] + mu * mu * self.totals[:, 1]))
                + p["bkg_scale"] * self.bkg_total)

    def log_likelihood(self, params, data, *, constraints=True):
        """Extended unbinned log L (module docstring) of the events' azimuths ``data`` [rad]."""
        self.check_data(data)
        p = merge_params(self, params)
        mu = self._mu(p)
        norm = jnp.broadcast_to(p["norm"], (self.n_sources,))
        cosd = jnp.cos(jnp.asarray(data) - p["phi_B"])
        d = self.dens
        per = d[..., 0] + mu * mu * d[..., 1] + mu * self.damp * d[..., 2] * cosd  # seed 000 eq. (12)
        lam = (p["eff_scale"] * jnp.sum(norm[:, None] * per, axis=0)
               + p["bkg_scale"] * self.bkg_density)
        ok = lam > 0
        # extended likelihood, Barlow NIM A 297 (1990) 496: −ν + Σ log λ(x_i)
        ll = -self.expected(p) + jnp.sum(jnp.where(ok, jnp.log(jnp.where(ok, lam, 1.0)), -jnp.inf))
        if constraints:
            ll = ll + gaussian_constraints(self, p)
        return ll


def _bkg_density(detector, T):
    """Isotropic background density [counts MeV⁻¹ rad⁻¹] at measured T (0 below threshold)."""
    return background_density(detector, T) / _TWO_PI


def _window(detector, T_range):
    lo, hi = (float(x) for x in T_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 <= lo < hi):
        raise ValueError(f"T_range must be (lo, hi) with 0 ≤ lo < hi [MeV], got {T_range!r}")
    return lo, hi


def build_unbinned_model(spectra, detector: Detector, T_events, T_range, *, pe=1.0,
                         norm_sigma=0.0, eff_sigma=0.0, bkg_sigma=None, n_E=32, n_E_panels=8,
                         **template_kw) -> UnbinnedModel:
    """Densities at the events' energies ``T_events`` [MeV] and the window totals.

    ``T_range`` = (T_lo, T_hi) [MeV] is the analysis window (every event must lie inside it);
    the remaining arguments are those of :func:`nujax.inference.build_model`.
    """
    if detector.smearing:
        raise ValueError("the unbinned density is at the true recoil energy: use a detector "
                         "without energy smearing, or the binned likelihood")
    lo, hi = _window(detector, T_range)
    T = np.asarray(T_events, float)
    if T.ndim != 1 or T.size == 0 or not np.all(np.isfinite(T)):
        raise ValueError("T_events must be a non-empty 1-D array of finite energies [MeV]")
    if np.any((T < lo) | (T > hi)):
        raise ValueError(f"events outside the window [{lo}, {hi}] MeV")
    spectra = as_spectra(spectra)
    Tj = jnp.asarray(T)
    edges = jnp.asarray([lo, hi])
    dens, tot = [], []
    for s in spectra:
        dens.append(density_per_radian(s, detector, Tj, pe, n_E=n_E, n_E_panels=n_E_panels,
                                       **template_kw))
        t = binned_templates(s, detector, edges, pe=pe, **template_kw)
        tot.append(_TWO_PI * jnp.stack([t.weak[0], t.em[0]]))
    bkg_density = _bkg_density(detector, Tj)
    bkg_total = background_counts(detector, edges)[0]
    ns, es, bs, constrained = check_uncertainties(norm_sigma, eff_sigma, bkg_sigma, len(spectra))
    names = tuple(getattr(s, "name", "") or f"source{i}" for i, s in enumerate(spectra))
    return UnbinnedModel(jnp.stack(dens), jnp.stack(tot), bkg_density, bkg_total,
                         azimuth_damping(detector.sigma_phi), ns, es, bs,
                         n_events=int(T.size), source_names=names, bkg_constrained=constrained)


def unbinned_log_likelihood(model: UnbinnedModel, params, phi, *, constraints=True):
    """Extended unbinned log L of the events' azimuths ``phi`` [rad] (:meth:`UnbinnedModel.log_likelihood`)."""
    return model.log_likelihood(params, phi, constraints=constraints)


def toy_events(key, spectra, detector: Detector, T_range, truth: dict, *, pe=1.0, n_grid=2048,
               **template_kw):
    """A Poisson number of events (T_i, φ_i) drawn from λ(T, φ) at ``truth`` (numpy arrays).

    T by inverse CDF on a fine grid of the φ-integrated density, φ by rejection from
    1 + r cos(φ − φ_B) (|r| ≤ 1 guaranteed by positivity of d²N/dTdφ). For tests and studies.
    """
    lo, hi = _window(detector, T_range)
    rng = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel())
    mu = float(truth.get("mu_1e11", 0.0))
    phiB = float(truth.get("phi_B", 0.0))
    Tg = np.linspace(lo, hi, n_grid + 1)
    Tc = 0.5 * (Tg[1:] + Tg[:-1])
    d = np.asarray(density_per_radian(spectra, detector, jnp.asarray(Tc), pe, **template_kw))
    b = np.asarray(_bkg_density(detector, jnp.asarray(Tc)))
    iso = d[:, 0] + mu * mu * d[:, 1] + b                                   # per rad
    amp = mu * float(azimuth_damping(detector.sigma_phi)) * d[:, 2]
    w = iso * np.diff(Tg) * _TWO_PI
    n = rng.poisson(w.sum())
    k = rng.choice(len(Tc), size=n, p=w / w.sum())
    T = Tc[k] + (rng.random(n) - 0.5) * np.diff(Tg)[k]
    r = np.where(iso[k] > 0, amp[k] / np.where(iso[k] > 0, iso[k], 1.0), 0.0)
    phi = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        cand = rng.uniform(0.0, _TWO_PI, todo.size)
        acc = rng.random(todo.size) * (1 + np.abs(r[todo])) <= 1 + r[todo] * np.cos(cand - phiB)
        phi[todo[acc]] = cand[acc]
        todo = todo[~acc]
    order = np.argsort(T)
    return T[order], phi[order]
