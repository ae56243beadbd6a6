"""Binned Poisson likelihoods built from the rate templates, with nuisance parameters.

The expected counts in a (T), (T, φ) or (T, cosθ, φ) bin are (seed 000 eq. (12) integrated over the
bin, as in :func:`nujax.rates.combine`)

    λ = ε Σ_s n_s [W_s + μ² M_s + μ (cos φ_B C_s + sin φ_B S_s)] + b B,

with, per source s, the weak template W_s = w_s Δφ, the magnetic one M_s = m_s Δφ (per
(10⁻¹¹ μ_B)²) and the interference basis C_s = e^{−σ_φ²/2} i_s (sin φ_b − sin φ_a),
S_s = −e^{−σ_φ²/2} i_s (cos φ_b − cos φ_a) (the expansion of sin(φ_b − φ_B) − sin(φ_a − φ_B)),
and the detector background B. Parameters (a dict, names fixed):

``mu_1e11``  μ_ν / (10⁻¹¹ μ_B) (the single effective moment);
``mu2``      alternative to ``mu_1e11`` for models without azimuth information: μ², which the counts
             are linear in, so Fisher forecasts at μ = 0 are regular;
``phi_B``    azimuth of the transverse polarisation (ξ⊥) [rad];
``norm``     flux normalisation per source, shape (S,), nominal 1, Gaussian constraint of width
             ``norm_sigma`` per source (e.g. ~1 % artificial source, SSM for solar, few % reactor);
``eff_scale`` detector efficiency scale on the signal (nominal 1, width ``eff_sigma``);
``bkg_scale`` background scale (nominal 1, width ``bkg_sigma``; None: unconstrained).

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
from nujax.detector import Detector, azimuth_damping
from nujax.rates import Templates, binned_templates, combine

__all__ = [
    "BinnedModel",
    "PARAMETER_NAMES",
    "build_model",
    "default_params",
    "expected",
    "log_likelihood",
    "nll",
    "asimov_data",
    "toy_data",
    "check_data",
]

PARAMETER_NAMES = ("mu_1e11", "mu2", "phi_B", "norm", "eff_scale", "bkg_scale")
_TWO_PI = 2.0 * math.pi


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["weak", "em", "int_cos", "int_sin", "background", "norm_sigma", "eff_sigma",
                 "bkg_sigma"],
    meta_fields=["bin_shape", "source_names", "directional", "bkg_constrained"])
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

    @property
    def n_sources(self) -> int:
        return len(self.source_names)

    def scaled(self, factor) -> "BinnedModel":
        """The same analysis with every count (signal and background) times ``factor`` (exposure)."""
        f = jnp.asarray(factor)
        return dataclasses.replace(self, weak=f * self.weak, em=f * self.em,
                                   int_cos=f * self.int_cos, int_sin=f * self.int_sin,
                                   background=f * self.background)


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
    from nujax.rates import _as_tuple

    spectra = _as_tuple(spectra)
    directional = phi_edges is not None
    pe_ = jnp.asarray(phi_edges if directional else [0.0, _TWO_PI], dtype=float)
    T_edges = jnp.asarray(T_edges, dtype=float)
    damp = azimuth_damping(detector.sigma_phi)
    dphi = pe_[1:] - pe_[:-1]
    dsin = jnp.sin(pe_[1:]) - jnp.sin(pe_[:-1])
    dcos = jnp.cos(pe_[1:]) - jnp.cos(pe_[:-1])
    W, M, C, S = [], [], [], []
    for s in spectra:
        t = binned_templates(s, detector, T_edges, cos_edges, pe=pe, **template_kw)
        W.append(t.weak[..., None] * dphi)
        M.append(t.em[..., None] * dphi)
        C.append(damp * t.interference[..., None] * dsin)      # seed 000 eq. (12), cos φ_B part
        S.append(-damp * t.interference[..., None] * dcos)     # seed 000 eq. (12), sin φ_B part
    zero = Templates(*(jnp.zeros_like(t.weak),) * 3)
    bkg = combine(zero, detector, T_edges, pe_, 0.0, 0.0, cos_edges)
    arrs = [jnp.stack(x) for x in (W, M, C, S)]
    if not directional:
        arrs = [a[..., 0] for a in arrs]
        bkg = bkg[..., 0]
    ns = np.broadcast_to(np.asarray(norm_sigma, float), (len(spectra),))
    if np.any(ns < 0) or (bkg_sigma is not None and bkg_sigma < 0) or eff_sigma < 0:
        raise ValueError("uncertainties (norm_sigma, eff_sigma, bkg_sigma) must be non-negative")
    names = tuple(getattr(s, "name", f"source{i}") or f"source{i}" for i, s in enumerate(spectra))
    return BinnedModel(*arrs, background=bkg, norm_sigma=jnp.asarray(ns),
                       eff_sigma=jnp.asarray(float(eff_sigma)),
                       bkg_sigma=jnp.asarray(0.0 if bkg_sigma is None else float(bkg_sigma)),
                       bin_shape=tuple(bkg.shape), source_names=names, directional=directional,
                       bkg_constrained=bkg_sigma is not None)


def default_params(model: BinnedModel) -> dict:
    """Nominal parameters: μ = 0, φ_B = 0, all normalisations and scales 1."""
    return {"mu_1e11": jnp.asarray(0.0), "phi_B": jnp.asarray(0.0),
            "norm": jnp.ones(model.n_sources), "eff_scale": jnp.asarray(1.0),
            "bkg_scale": jnp.asarray(1.0)}


def _merge(model, params):
    params = dict(params or {})
    bad = [k for k in params if k not in PARAMETER_NAMES]
    if bad:
        raise ValueError(f"unknown parameter name(s) {bad}; known: {', '.join(PARAMETER_NAMES)}")
    if "mu2" in params and "mu_1e11" in params:
        raise ValueError("give either 'mu_1e11' or 'mu2', not both")
    if "mu2" in params and model.directional:
        raise ValueError("'mu2' parametrises models without azimuth bins; use 'mu_1e11'")
    p = default_params(model)
    if "mu2" in params:
        del p["mu_1e11"]
    p.update(params)
    if is_concrete(p["norm"]) and np.shape(p["norm"]) not in ((), (model.n_sources,)):
        raise ValueError(f"'norm' must have shape ({model.n_sources},), got {np.shape(p['norm'])}")
    return p


def expected(model: BinnedModel, params=None):
    """Expected counts λ (shape ``model.bin_shape``) for the parameters (missing ones nominal)."""
    p = _merge(model, params)
    if "mu2" in p:
        mu2, mu = p["mu2"], 0.0
    else:
        mu = p["mu_1e11"]
        mu2 = mu * mu
    norm = jnp.broadcast_to(p["norm"], (model.n_sources,))
    nb = (slice(None),) + (None,) * len(model.bin_shape)
    c, s = jnp.cos(p["phi_B"]), jnp.sin(p["phi_B"])
    per = model.weak + mu2 * model.em + mu * (c * model.int_cos + s * model.int_sin)
    sig = jnp.sum(norm[nb] * per, axis=0)
    return p["eff_scale"] * sig + p["bkg_scale"] * model.background


def check_data(model: BinnedModel, data):
    """Validate observed counts: shape ``model.bin_shape``, finite, non-negative (when concrete)."""
    if not is_concrete(data):
        return data
    arr = np.asarray(data)
    if arr.shape != tuple(model.bin_shape):
        raise ValueError(f"data has shape {arr.shape}, the model's bins are {model.bin_shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("data must be finite")
    if np.any(arr < 0):
        raise ValueError(f"data must be non-negative counts (min {arr.min()!r})")
    return data


def _constraints(model, p):
    """Σ log N(aux | θ, σ) for the constrained nuisances (constant terms dropped)."""
    out = 0.0
    ns = model.norm_sigma
    on = ns > 0
    z = jnp.where(on, (jnp.broadcast_to(p["norm"], ns.shape) - 1.0) / jnp.where(on, ns, 1.0), 0.0)
    out = out - 0.5 * jnp.sum(z * z)
    for key, sig, use in (("eff_scale", model.eff_sigma, True),
                          ("bkg_scale", model.bkg_sigma, model.bkg_constrained)):
        if use:
            ok = sig > 0
            zz = jnp.where(ok, (p[key] - 1.0) / jnp.where(ok, sig, 1.0), 0.0)
            out = out - 0.5 * zz * zz
    return out


def log_likelihood(model: BinnedModel, params, data, *, constraints=True):
    """log L = Σ_bins [n log λ − λ − log n!] + Gaussian constraint terms (Poisson, binned).

    Non-integer ``data`` (Asimov sets) use log Γ(n + 1). Bins with λ = 0 contribute 0 if n = 0
    (guarded so gradients stay finite).
    """
    check_data(model, data)
    lam = expected(model, params)
    n = jnp.asarray(data, lam.dtype)
    ok = lam > 0
    ls = jnp.where(ok, lam, 1.0)
    # λ ≤ 0 with n > 0 is impossible (−∞); λ = 0 with n = 0 is certain (0)
    term = jnp.where(ok, n * jnp.log(ls) - lam, jnp.where(n > 0, -jnp.inf, 0.0))
    ll = jnp.sum(term - jax.scipy.special.gammaln(n + 1.0))
    if constraints:
        ll = ll + _constraints(model, _merge(model, params))
    return ll


def nll(model: BinnedModel, params, data):
    """−log L (see :func:`log_likelihood`)."""
    return -log_likelihood(model, params, data)


def asimov_data(model: BinnedModel, params=None):
    """The Asimov data set: the expected counts themselves (Cowan et al., EPJC 71 (2011) 1554, Sec. 3.5)."""
    return expected(model, params)


def toy_data(key, model: BinnedModel, params=None, n_toys=None):
    """Poisson toy data sets drawn from the model (``jax.random.poisson``).

    Returns shape ``bin_shape`` or ``(n_toys, *bin_shape)``; float counts (integers).
    """
    lam = expected(model, params)
    shape = lam.shape if n_toys is None else (int(n_toys),) + lam.shape
    return jax.random.poisson(key, lam, shape=shape).astype(lam.dtype)
