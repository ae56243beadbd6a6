"""Binned Poisson likelihoods built from the rate templates, with nuisance parameters.

The expected counts in a (T), (T, φ) or (T, cosθ, φ) bin are (seed 000 eq. (12) integrated over the
bin, as in :func:`nujax.rates.combine`)

    λ = ε Σ_s n_s [W_s + μ² M_s + μ (cos φ_B C_s + sin φ_B S_s)] + b B,

with, per source s, the weak template W_s = w_s Δφ, the magnetic one M_s = m_s Δφ (per
(10⁻¹¹ μ_B)²) and the interference basis C_s = e^{−σ_φ²/2} i_s (sin φ_b − sin φ_a),
S_s = −e^{−σ_φ²/2} i_s (cos φ_b − cos φ_a) (the expansion of sin(φ_b − φ_B) − sin(φ_a − φ_B)),
and the detector background B. Parameters (a dict, names fixed; see
:mod:`nujax.inference.parameters`)::

``mu_1e11``  μ_ν / (10⁻¹¹ μ_B) (the single effective moment);
``mu2``      alternative to ``mu_1e11`` for models without azimuth information: μ², which the counts
             are linear in, so Fisher forecasts at μ = 0 are regular;
``phi_B``    azimuth of the transverse polarisation (ξ⊥) [rad];
``norm``     flux normalisation per source, shape (S,), nominal 1, Gaussian constraint of width
             ``norm_sigma`` per source (e.g. ~1 % artificial source, SSM for solar, few % reactor);
``eff_scale`` detector efficiency scale on the signal (nominal 1, width ``eff_sigma``);
``bkg_scale`` background scale (nominal 1, width ``bkg_sigma``; None: unconstrained);
``pe``       active-species probability Pe (models built with ``pe_scalable``, Dirac, constant Pe):
             the weak templates scale as Pe and the interference as |ξ⊥| = 2√(Pe(1 − Pe))
             (seed 000 eqs. (2), (5)), so the templates built at Pe₀ are rescaled exactly;
EM entries   models built by :func:`quadratic_em_model` add one parameter per name in
             ``model.em_names`` (e.g. a charge radius or an anapole entry): the counts are exactly
             quadratic in the EM parameters (seed 002 eq. (11): d²σ is a quadratic form in the
             μ, ⟨r²⟩, a matrices), so value, gradient and Hessian at 0 are exact templates.

Auxiliary measurements: the constraints are Gaussian auxiliary measurements of the nuisances.
Plain count arrays use the nominal values 1 as the measured values; an :class:`Observation`
carries its own measured values (``aux``), which toys draw at random
(``toy_data(..., randomize_aux=True)``) so that frequentist coverage includes the fluctuation of
the auxiliary measurements (Cowan et al., EPJC 71 (2011) 1554, Sec. 2).

The likelihood is ∏ Poisson(n | λ) × ∏ Gaussian constraints (auxiliary measurements centred on the
nominal values). The model is symmetric under (μ, φ_B) → (−μ, φ_B + π), and without azimuth
information under μ → −μ, so an unconstrained fit of ``mu_1e11`` is a fit of |μ_ν| ≥ 0.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.detector import Detector, azimuth_damping, background_counts
from nujax.inference.parameters import (PARAMETER_NAMES, Observation, check_aux, check_uncertainties,
                                        gaussian_constraints, merge_params, nominal_params,
                                        split_observation)
from nujax._numerics import safe_sqrt
from nujax.rates import binned_templates
from nujax.rates.engine import check_phi_edges
from nujax.sources import as_spectra

__all__ = ["BinnedModel", "build_model", "asimov_data", "toy_data", "poisson_log_likelihood"]

_TWO_PI = 2.0 * math.pi


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["weak", "em", "int_cos", "int_sin", "background", "norm_sigma", "eff_sigma",
                 "bkg_sigma", "pe0", "em_lin", "em_quad"],
    meta_fields=["bin_shape", "source_names", "directional", "bkg_constrained", "pe_scalable",
                 "em_names"])
@dataclasses.dataclass(frozen=True)
class BinnedModel:
    """Precomputed templates of a binned ν e scattering analysis (frozen pytree).

    Attributes
    ----------
    weak, em, int_cos, int_sin : arrays (S, *bin_shape)
        Counts per source: weak; magnetic per (10⁻¹¹ μ_B)²; interference basis per 10⁻¹¹ μ_B
        multiplying cos φ_B and sin φ_B.
    background : array bin_shape
        Nominal background counts.
    norm_sigma : array (S,)
        Relative 1σ flux-normalisation uncertainty per source (0: fixed).
    eff_sigma, bkg_sigma : scalars
        Relative efficiency and background uncertainties (0: fixed).
    bin_shape : tuple (static)
        Shape of the data: (K,), (K, n_φ), (K, J) or (K, J, n_φ).
    source_names : tuple of str (static)
    directional : bool (static), True if the bins resolve the azimuth.
    bkg_constrained : bool (static), False: the background scale is free (no constraint term).
    pe0 : scalar or None
        Pe at which the templates were built (used with ``pe_scalable``).
    em_lin, em_quad : arrays (S, P, *bin_shape), (S, P, P, *bin_shape) or None
        Gradient and Hessian of the counts with respect to the EM parameters ``em_names`` at 0
        (:func:`quadratic_em_model`).
    pe_scalable : bool (static)
        True if ``pe`` may be fitted by rescaling (Dirac, Eν-independent Pe).
    em_names : tuple of str (static)
        Names of the EM parameters of a quadratic model (empty otherwise).
    """

    weak: jax.Array
    em: jax.Array
    int_cos: jax.Array
    int_sin: jax.Array
    background: jax.Array
    norm_sigma: jax.Array
    eff_sigma: jax.Array
    bkg_sigma: jax.Array
    bin_shape: tuple = ()
    source_names: tuple = ()
    directional: bool = False
    bkg_constrained: bool = True
    pe0: jax.Array = None
    em_lin: jax.Array = None
    em_quad: jax.Array = None
    pe_scalable: bool = False
    em_names: tuple = ()

    @property
    def n_sources(self) -> int:
        return len(self.source_names)

    def scaled(self, factor) -> "BinnedModel":
        """The same analysis with every count (signal and background) times ``factor`` (exposure)."""
        f = jnp.asarray(factor)
        opt = {k: (None if getattr(self, k) is None else f * getattr(self, k))
               for k in ("em_lin", "em_quad")}
        return dataclasses.replace(self, weak=f * self.weak, em=f * self.em,
                                   int_cos=f * self.int_cos, int_sin=f * self.int_sin,
                                   background=f * self.background, **opt)

    # ------------------------------------------------ the StatisticalModel interface
    def default_params(self) -> dict:
        """Nominal parameters: μ = 0, φ_B = 0, all normalisations and scales 1; Pe = Pe₀ and the
        EM parameters 0 where the model has them."""
        return nominal_params(self.n_sources, pe0=self.pe0 if self.pe_scalable else None,
                              em_names=self.em_names)

    def parameter_names(self) -> tuple:
        """All parameter names this model accepts."""
        return PARAMETER_NAMES + tuple(self.em_names)

    def expected(self, params=None):
        """Expected counts λ (shape ``bin_shape``) for the parameters (missing ones nominal)."""
        p = merge_params(self, params)
        if "mu2" in p:
            mu2, mu = p["mu2"], 0.0
        else:
            mu = p["mu_1e11"]
            mu2 = mu * mu
        norm = jnp.broadcast_to(p["norm"], (self.n_sources,))
        nb = (slice(None),) + (None,) * len(self.bin_shape)
        c, s = jnp.cos(p["phi_B"]), jnp.sin(p["phi_B"])
        w_scale, i_scale = 1.0, 1.0
        if self.pe_scalable:                       # seed 000 eq. (2): weak ∝ Pe; eq. (5): int ∝ |ξ⊥|
            w_scale = p["pe"] / self.pe0
            i_scale = _xi(p["pe"]) / jnp.where(self.pe0 < 1, _xi(self.pe0), 1.0)
        per = (w_scale * self.weak + mu2 * self.em
               + i_scale * mu * (c * self.int_cos + s * self.int_sin))     # seed 000 eq. (12)
        if self.em_names:                          # exact quadratic form in the EM parameters
            th = jnp.stack([jnp.asarray(p[k], dtype=self.weak.dtype) for k in self.em_names])
            per = (per + jnp.einsum("p,sp...->s...", th, self.em_lin)
                   + 0.5 * jnp.einsum("p,q,spq...->s...", th, th, self.em_quad))
        sig = jnp.sum(norm[nb] * per, axis=0)
        return p["eff_scale"] * sig + p["bkg_scale"] * self.background

    def check_data(self, data):
        """Validate observed counts: shape ``bin_shape``, finite, non-negative (when concrete);
        for an :class:`~nujax.inference.Observation` also the auxiliary values."""
        counts, aux = split_observation(data)
        check_aux(aux, self.n_sources)
        if not is_concrete(counts):
            return data
        arr = np.asarray(counts)
        if arr.shape != tuple(self.bin_shape):
            raise ValueError(f"data has shape {arr.shape}, the model's bins are {self.bin_shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("data must be finite")
        if np.any(arr < 0):
            raise ValueError(f"data must be non-negative counts (min {arr.min()!r})")
        return data

    def log_likelihood(self, params, data, *, constraints=True):
        """log L = Σ_bins [n log λ − λ − log n!] + Gaussian constraint terms (binned Poisson).

        ``data`` is a count array (auxiliary measurements at their nominal values) or an
        :class:`~nujax.inference.Observation`.
        """
        self.check_data(data)
        counts, aux = split_observation(data)
        ll = poisson_log_likelihood(self.expected(params), counts)
        if constraints:
            ll = ll + gaussian_constraints(self, merge_params(self, params), aux)
        return ll


def build_model(spectra, detector: Detector, T_edges, phi_edges=None, cos_edges=None, *, pe=1.0,
                norm_sigma=0.0, eff_sigma=0.0, bkg_sigma=None, **template_kw) -> BinnedModel:
    """Templates of a binned analysis from :func:`nujax.rates.binned_templates` (one per source).

    Parameters
    ----------
    spectra : Spectrum or tuple of Spectrum
        Sources (each gets its own flux normalisation).
    detector : Detector
        Exposure, threshold, efficiency, resolutions and background.
    T_edges : array (K+1,)
        Measured recoil-energy bin edges [MeV].
    phi_edges : array (n_φ+1,), optional
        Azimuth bin edges [rad]; None: the azimuth is not measured (one bin over 2π, dropped).
    cos_edges : array (J+1,), optional
        cosθ bin edges.
    pe : float
        Active-species probability (fixed in the templates).
    norm_sigma : float or sequence (S,)
        Relative flux uncertainty per source.
    eff_sigma : float
        Relative efficiency uncertainty.
    bkg_sigma : float or None
        Relative background uncertainty; None leaves the background scale unconstrained.
    **template_kw
        Passed to :func:`nujax.rates.binned_templates` (sin2w, flavor, quadrature orders …).
    """
    spectra = as_spectra(spectra)
    directional = phi_edges is not None
    if directional:
        check_phi_edges(phi_edges)
    phi_e = jnp.asarray(phi_edges if directional else [0.0, _TWO_PI], dtype=float)
    T_edges = jnp.asarray(T_edges, dtype=float)
    damp = azimuth_damping(detector.sigma_phi)
    dphi = phi_e[1:] - phi_e[:-1]
    dsin = jnp.sin(phi_e[1:]) - jnp.sin(phi_e[:-1])
    dcos = jnp.cos(phi_e[1:]) - jnp.cos(phi_e[:-1])
    W, M, C, S = [], [], [], []
    for s in spectra:
        t = binned_templates(s, detector, T_edges, cos_edges, pe=pe, **template_kw)
        W.append(t.weak[..., None] * dphi)
        M.append(t.em[..., None] * dphi)
        C.append(damp * t.interference[..., None] * dsin)      # seed 000 eq. (12), cos φ_B part
        S.append(-damp * t.interference[..., None] * dcos)     # seed 000 eq. (12), sin φ_B part
    ce = None if cos_edges is None else jnp.asarray(cos_edges, dtype=float)
    bkg = background_counts(detector, T_edges, phi_e, ce)
    arrs = [jnp.stack(x) for x in (W, M, C, S)]
    if not directional:
        arrs = [a[..., 0] for a in arrs]
        bkg = bkg[..., 0]
    ns, es, bs, constrained = check_uncertainties(norm_sigma, eff_sigma, bkg_sigma, len(spectra))
    names = tuple(getattr(s, "name", f"source{i}") or f"source{i}" for i, s in enumerate(spectra))
    # Pe can be refitted by rescaling when the templates are Dirac with one Eν-independent Pe
    # strictly inside (0, 1) (or Pe ≤ 1 without azimuth bins): weak ∝ Pe, interference ∝ |ξ⊥|.
    pe_c = np.asarray(pe, float) if is_concrete(pe) else None
    scalable = (template_kw.get("kind", "dirac") == "dirac" and template_kw.get("pe_fn") is None
                and pe_c is not None and pe_c.ndim == 0 and 0.0 < float(pe_c)
                and (float(pe_c) < 1.0 or not directional))
    return BinnedModel(*arrs, background=bkg, norm_sigma=ns, eff_sigma=es, bkg_sigma=bs,
                       bin_shape=tuple(bkg.shape), source_names=names, directional=directional,
                       bkg_constrained=constrained,
                       pe0=jnp.asarray(float(pe_c)) if scalable else None, pe_scalable=scalable)


def _xi(pe):
    """|ξ⊥| = 2√(Pe(1 − Pe)), gradient-safe at Pe ∈ {0, 1} (seed 000 below eq. (5))."""
    return 2.0 * safe_sqrt(jnp, pe * (1.0 - pe))


def poisson_log_likelihood(lam, counts):
    """Σ_bins [n log λ − λ − log Γ(n + 1)] (Poisson; non-integer Asimov counts allowed).

    Bins with λ = 0 contribute 0 if n = 0 and −∞ if n > 0 (guarded so gradients stay finite).
    """
    n = jnp.asarray(counts, lam.dtype)
    ok = lam > 0
    ls = jnp.where(ok, lam, 1.0)
    # λ ≤ 0 with n > 0 is impossible (−∞); λ = 0 with n = 0 is certain (0)
    term = jnp.where(ok, n * jnp.log(ls) - lam, jnp.where(n > 0, -jnp.inf, 0.0))
    return jnp.sum(term - jax.scipy.special.gammaln(n + 1.0))


def asimov_data(model: BinnedModel, params=None):
    """The Asimov data set: the expected counts themselves (Cowan et al., EPJC 71 (2011) 1554, Sec. 3.5)."""
    return model.expected(params)


def _check_rates_nonnegative(lam, p):
    """A Poisson mean must be ≥ 0: the scale parameters must be ≥ 0 and a concrete λ too."""
    for k in ("norm", "eff_scale", "bkg_scale"):
        v = p.get(k)
        if v is not None and is_concrete(v) and np.any(np.asarray(v) < 0):
            raise ValueError(f"parameter {k!r} must be ≥ 0 to draw Poisson toys, got {v!r}")
    if not is_concrete(lam) or np.all(np.asarray(lam) >= 0):
        return
    raise ValueError(f"the expected counts are negative (min {float(np.min(lam))!r}) for these "
                     "parameters; Poisson toys need λ ≥ 0")


def toy_data(key, model: BinnedModel, params=None, n_toys=None, *, randomize_aux=False):
    """Poisson toy data sets drawn from the model (``jax.random.poisson``).

    Raises ``ValueError`` when the expected counts are negative (a negative ``norm``,
    ``eff_scale`` or ``bkg_scale``). Returns float counts of shape ``bin_shape`` or
    ``(n_toys, *bin_shape)``. With
    ``randomize_aux`` it returns an :class:`~nujax.inference.Observation` whose auxiliary
    measurements are drawn from N(θ_true, σ) for every constrained nuisance (the frequentist
    ensemble of the full experiment, counts and calibration measurements together).
    """
    p = merge_params(model, params)
    lam = model.expected(p)
    _check_rates_nonnegative(lam, p)
    lead = () if n_toys is None else (int(n_toys),)
    kc, ka = jax.random.split(key)
    counts = jax.random.poisson(kc if randomize_aux else key, lam,
                                shape=lead + lam.shape).astype(lam.dtype)
    if not randomize_aux:
        return counts
    k1, k2, k3 = jax.random.split(ka, 3)
    S = model.n_sources
    aux = {"norm": jnp.broadcast_to(p["norm"], (S,))
           + model.norm_sigma * jax.random.normal(k1, lead + (S,), lam.dtype)}
    aux["eff_scale"] = p["eff_scale"] + model.eff_sigma * jax.random.normal(k2, lead, lam.dtype)
    if model.bkg_constrained:
        aux["bkg_scale"] = p["bkg_scale"] + model.bkg_sigma * jax.random.normal(k3, lead, lam.dtype)
    return Observation(counts, aux)
