"""Sensitivity scans over parameter grids: one jitted, vmapped function, chunked and resumable.

A scan evaluates one Asimov sensitivity quantity of a :class:`~nujax.inference.BinnedModel` at
every point of the Cartesian product of 1-D axes. Quantities (``quantity=``):

``q_asimov``     median expected exclusion test statistic q_μ,A for a moment ``mu_1e11`` when the
                 data are the no-signal Asimov set (Cowan, Cranmer, Gross, Vitells, EPJC 71 (2011)
                 1554, Sec. 3.5 and eq. (16); μ̂ = 0 so q̃_μ = q_μ); the median expected 90 % CL
                 exclusion contour is q_μ,A = Φ⁻¹(0.9)² (:data:`Q90_ONE_SIDED`).
``z_discovery``  median discovery significance √q₀,A on the Asimov set with signal ``mu_1e11``
                 (ibid. Sec. 3.5).
``z_asymmetry``  median significance √q,A of the azimuthal modulation (the cos(φ − φ_B)
                 interference term of seed 000 eq. (12)) against the same rate without it;
                 directional models only.
``limit``        median expected upper limit on |μ_ν| [10⁻¹¹ μ_B] at confidence ``cl`` from the
                 Fisher matrix with nuisances profiled, identical to
                 :func:`nujax.inference.exclusion_sensitivity` (evaluated at μ = 0).

Nuisances listed in ``nuisances`` (``norm``, ``eff_scale``, ``bkg_scale``) are profiled by
``n_profile`` Newton steps from their nominal values (exact Hessian of the Poisson likelihood with
its Gaussian constraints); the others stay at 1.

Axes (:data:`SCAN_PARAMETERS`)
------------------------------
Cheap axes only rescale the model's templates (no template is recomputed):
``mu_1e11`` [10⁻¹¹ μ_B], ``phi_B`` [rad], ``exposure`` (factor on the model's exposure),
``exposure_t_yr`` [t·yr] (needs the reference exposure), ``norm`` (signal flux factor),
``eff_scale`` (signal efficiency factor), ``bkg_scale`` (background factor) and ``sigma_phi`` [rad]
(the interference templates scale as e^{−σ_φ²/2}, nujax.detector; needs the model's σ_φ).
The factors define the true model; its nuisance parameters stay nominal (1) with their constraints.
Template axes recompute the templates inside the vmapped function (``build_model`` is traceable in
the detector leaves and ``pe``) and need a :class:`TemplateSpec`: ``threshold_keV`` [keV] and
``pe`` (active-species probability). EM axes: the parameters of a quadratic EM model
(:func:`nujax.inference.density_matrix_em_model`: entries of μ, ⟨r²⟩, a and q_ν, named by the
model's ``em_names``) are cheap axes too (the counts are their exact quadratic form, seed 002);
``q_asimov`` tests the point against the Asimov data at all EM parameters 0, ``z_discovery`` the
reverse. The generic names ``charge_radius``, ``anapole`` … are refused with a pointer to them.

Memory and devices
------------------
The flattened grid is evaluated in host-side chunks of ``chunk_size`` points (every chunk padded to
the same shape, so one compilation serves all; by default the size follows the grid and a time
target, :func:`auto_chunk_size`, so an interrupt loses about two seconds of work); inside a chunk ``jax.lax.map(..., batch_size=)``
bounds the device memory to ``batch_size`` points at a time. With ``sharded=True`` each chunk is
split over all local devices with ``jax.shard_map`` on a one-axis ``Mesh`` (chunk padded to a
multiple of the device count). On several hosts, call ``jax.distributed.initialize()`` (coordinator
address, process count and id from the cluster environment) in every process before the first
scan: ``jax.devices()`` then spans all hosts and the same mesh covers them; write the output from
process 0 only (``jax.process_index() == 0``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import norm as _norm

from nujax import __version__
from nujax.detector import Detector, azimuth_damping
from nujax.errors import ConfigError
from nujax.inference.binned import BinnedModel, build_model
from nujax.inference.limits import Q90_ONE_SIDED
from nujax.inference.scan_store import ChunkStore
from nujax.sources import as_spectra

__all__ = ["SCAN_PARAMETERS", "QUANTITIES", "NUISANCES", "TemplateSpec", "ScanResult",
           "parse_axes", "scan", "evaluate_points", "auto_chunk_size", "Q90_ONE_SIDED"]

#: Scannable parameters: name -> (path, unit/meaning). path "cheap": template rescaling;
#: "template": the templates are recomputed per point (needs a TemplateSpec).
SCAN_PARAMETERS = {
    "mu_1e11": ("cheap", "neutrino magnetic moment [1e-11 mu_B], >= 0"),
    "phi_B": ("cheap", "azimuth of the transverse polarisation [rad]"),
    "exposure": ("cheap", "factor on the model's exposure, > 0"),
    "exposure_t_yr": ("cheap", "exposure [t yr], > 0"),
    "norm": ("cheap", "signal flux factor, >= 0"),
    "eff_scale": ("cheap", "signal efficiency factor, >= 0"),
    "bkg_scale": ("cheap", "background factor, >= 0"),
    "sigma_phi": ("cheap", "azimuthal resolution [rad], >= 0"),
    "threshold_keV": ("template", "recoil threshold [keV], >= 0"),
    "pe": ("template", "active-species probability in [0, 1]"),
}
_REFUSED = {"anapole", "anapole_1e32", "charge_radius", "charge_radius_1e32", "r2_1e32",
            "millicharge"}
QUANTITIES = ("q_asimov", "z_discovery", "z_asymmetry", "limit")
NUISANCES = ("norm", "eff_scale", "bkg_scale")
_LOWER = {"mu_1e11": (0.0, True), "exposure": (0.0, False), "exposure_t_yr": (0.0, False),
          "norm": (0.0, True), "eff_scale": (0.0, True), "bkg_scale": (0.0, True),
          "sigma_phi": (0.0, True), "threshold_keV": (0.0, True), "pe": (0.0, True)}

_TRACES = [0]  # incremented each time the point evaluator is traced (tests check no retracing)


@dataclasses.dataclass(frozen=True)
class TemplateSpec:
    """What :func:`nujax.inference.build_model` needs to recompute templates inside a scan.

    Attributes
    ----------
    spectra : Spectrum or tuple of Spectrum
    detector : Detector (its threshold [MeV] and σ_φ [rad] are the references)
    T_edges, phi_edges, cos_edges : bin edges [MeV], [rad], [–] (``phi_edges``/``cos_edges`` optional)
    pe : nominal active-species probability
    norm_sigma, eff_sigma, bkg_sigma : uncertainties as in ``build_model``
    template_kw : dict of static keywords for ``binned_templates`` (hashable values)
    """

    spectra: tuple
    detector: Detector
    T_edges: np.ndarray
    phi_edges: np.ndarray | None = None
    cos_edges: np.ndarray | None = None
    pe: float = 1.0
    norm_sigma: tuple | float = 0.0
    eff_sigma: float = 0.0
    bkg_sigma: float | None = None
    template_kw: dict = dataclasses.field(default_factory=dict)

    def build(self, **over) -> BinnedModel:
        """The model at the spec's nominal values (``threshold`` [MeV], ``pe`` may be overridden)."""
        det = self.detector
        if "threshold" in over:
            det = dataclasses.replace(det, threshold=over["threshold"])
        return build_model(self.spectra, det, self.T_edges, self.phi_edges, self.cos_edges,
                           pe=over.get("pe", self.pe), norm_sigma=self.norm_sigma,
                           eff_sigma=self.eff_sigma, bkg_sigma=self.bkg_sigma, **self.template_kw)


class ScanResult(NamedTuple):
    """A finished scan: ``values`` has shape ``tuple(len(a) for a in axes.values())``."""

    values: np.ndarray
    axes: dict
    quantity: str
    meta: dict
    path: object = None


# ---------------------------------------------------------------- grid specifications
def _axis_values(name: str, spec, key: str) -> np.ndarray:
    if isinstance(spec, dict):
        if len(spec) != 1 or next(iter(spec)) not in ("linspace", "logspace"):
            raise ConfigError(key, "a range is {linspace = [lo, hi, n]} or {logspace = [lo, hi, n]}")
        kind, args = next(iter(spec.items()))
        if not isinstance(args, (list, tuple)) or len(args) != 3:
            raise ConfigError(key, f"{kind} needs [lo, hi, n], got {args!r}")
        lo, hi, n = args
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ConfigError(key, f"{kind} needs an integer number of points n >= 1, got {n!r}")
        try:
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            raise ConfigError(key, f"{kind} bounds must be numbers, got {args!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ConfigError(key, f"{kind} bounds must be finite, got {args!r}")
        if kind == "logspace":
            if lo <= 0 or hi <= 0:
                raise ConfigError(key, "logspace takes the end values (not exponents), both > 0")
            return np.geomspace(lo, hi, int(n))
        return np.linspace(lo, hi, int(n))
    try:
        arr = np.asarray(spec, dtype=float)
    except (TypeError, ValueError):
        raise ConfigError(key, "values must be numbers") from None
    return np.atleast_1d(arr)


def parse_axes(axes: dict, *, prefix: str = "", em_names=()) -> dict:
    """Validate a grid specification and expand it to 1-D float arrays.

    Parameters
    ----------
    axes : dict
        Axis name (see :data:`SCAN_PARAMETERS`) -> 1-D values, or ``{"linspace": [lo, hi, n]}`` /
        ``{"logspace": [lo, hi, n]}`` (end values, geometric spacing).
    prefix : str
        Prepended to the axis name in :class:`~nujax.errors.ConfigError` keys.
    em_names : tuple of str
        EM parameters of the model (any real values; module docstring).

    Raises
    ------
    ConfigError
        Unknown parameter, empty axis, non-finite value, values not strictly increasing, or out of
        the parameter's domain; ``err.key`` names the axis.

    >>> parse_axes({"mu_1e11": {"linspace": [0, 2, 3]}})["mu_1e11"]
    array([0., 1., 2.])
    """
    if not isinstance(axes, dict) or not axes:
        raise ConfigError(prefix.rstrip(".") or "axes", "give at least one axis (name -> values)")
    out = {}
    for name, spec in axes.items():
        key = f"{prefix}{name}"
        if name in _REFUSED and name not in em_names:
            raise ConfigError(key, "charge radii, anapoles and millicharges are scanned as the "
                                   "entries of a quadratic EM model (density_matrix_em_model): "
                                   "use its em_names as axes")
        if name not in SCAN_PARAMETERS and name not in em_names:
            raise ConfigError(key, f"unknown scan parameter; known: {', '.join(SCAN_PARAMETERS)}")
        v = _axis_values(name, spec, key)
        if v.ndim != 1:
            raise ConfigError(key, f"values must be 1-D, got shape {v.shape}")
        if v.size == 0:
            raise ConfigError(key, "empty axis")
        if not np.all(np.isfinite(v)):
            raise ConfigError(key, "values must be finite (found NaN or inf)")
        if v.size > 1 and np.any(np.diff(v) <= 0):
            raise ConfigError(key, "values must be strictly increasing")
        if name in _LOWER:
            lo, closed = _LOWER[name]
            if v[0] < lo or (not closed and v[0] <= lo):
                raise ConfigError(key, f"values must be {'>=' if closed else '>'} {lo}, got {v[0]!r}")
        if name == "pe" and v[-1] > 1:
            raise ConfigError(key, f"pe must lie in [0, 1], got {v[-1]!r}")
        out[name] = v
    return out


# ---------------------------------------------------------------- statistics of one point
def _h(x):
    """x − log(1 + x), accurate for small |x| (series below 1e-3), +inf for x ≤ −1."""
    small = jnp.abs(x) < 1e-3
    xs = jnp.where(small | (x <= -1.0), 0.5, x)
    series = x * x * (0.5 + x * (-1 / 3 + x * (0.25 + x * (-0.2 + x * (1 / 6)))))
    return jnp.where(small, series, jnp.where(x <= -1.0, jnp.inf, xs - jnp.log1p(xs)))


def _signal_factor(model, v, ref):
    """(exposure, exposure × norm × eff_scale) of the point: the cheap signal rescaling."""
    one = jnp.ones((), model.weak.dtype)
    expo = v.get("exposure", one)
    if "exposure_t_yr" in v:
        expo = expo * v["exposure_t_yr"] / ref["exposure_t_yr"]
    return expo, expo * v.get("norm", one) * v.get("eff_scale", one)


def _templates(model, v, ref):
    """(W, M, C, S, B) of the true model at the point: cheap rescalings of the templates."""
    one = jnp.ones((), model.weak.dtype)
    expo, f = _signal_factor(model, v, ref)
    damp = one
    if "sigma_phi" in v:   # e^{−σ²/2} modulation damping (nujax.detector, angular resolution)
        damp = azimuth_damping(v["sigma_phi"]) / azimuth_damping(ref["sigma_phi"])
    return (f * model.weak, f * model.em, f * damp * model.int_cos, f * damp * model.int_sin,
            expo * v.get("bkg_scale", one) * model.background)


def _with_em(tpl, model, v, ref):
    """``tpl`` with the exact quadratic EM form at the point's EM values added to the weak
    template (inference.em_quadratic), scaled like it."""
    if not model.em_names:
        return tpl
    zero = jnp.zeros((), model.weak.dtype)
    th = jnp.stack([v.get(k, zero) for k in model.em_names])
    dw = (jnp.einsum("p,sp...->s...", th, model.em_lin)
          + 0.5 * jnp.einsum("p,q,spq...->s...", th, th, model.em_quad))
    return (tpl[0] + _signal_factor(model, v, ref)[1] * dw,) + tuple(tpl[1:])


def _constraint_weights(model, S):
    """1/σ² per θ = (norm_1..S, eff_scale, bkg_scale); 0 where unconstrained."""
    def w(s):
        return jnp.where(s > 0, 1.0 / jnp.where(s > 0, s, 1.0) ** 2, 0.0)
    ns = jnp.broadcast_to(model.norm_sigma, (S,))
    wb = w(model.bkg_sigma) if model.bkg_constrained else jnp.zeros(())
    return jnp.concatenate([w(ns), w(model.eff_sigma)[None], jnp.asarray(wb)[None]])


def _lam(tpl, mu, phi, k, th, S):
    """λ = eff Σ_s norm_s [W + μ²M + k μ(cos φ_B C + sin φ_B S)] + bkg B (seed 000 eq. (12))."""
    W, M, C, Sn, B = tpl
    per = W + mu * mu * M + k * mu * (jnp.cos(phi) * C + jnp.sin(phi) * Sn)
    sig = jnp.tensordot(th[:S], per, axes=1)
    return th[S] * sig + th[S + 1] * B, per, sig


def _q_profiled(tpl, n, mu, phi, k, cw, idx, S, n_profile):
    """2[min_θ nll(μ, k, θ | n) − nll at the Asimov truth] (n is the Asimov set, so the truth is
    the global minimum); θ ∈ idx profiled by Newton steps from 1."""
    th0 = jnp.ones(S + 2, n.dtype)
    pos = n > 0

    def step(_, th):
        lam, per, sig = _lam(tpl, mu, phi, k, th, S)
        ok = lam > 0
        inv = jnp.where(ok, 1.0 / jnp.where(ok, lam, 1.0), 0.0)
        r = jnp.where(ok, 1.0 - n * inv, 1.0)
        # max(n/λ², 1/λ): the Newton weight where λ < n, the Fisher-scoring weight where λ > n
        # (no overshoot to λ < 0 far from the minimum); both agree at the minimum
        wgt = jnp.maximum(n * inv, 1.0) * inv
        J = [th[S] * per[i] if i < S else (sig if i == S else tpl[4]) for i in idx]
        P = len(idx)
        g = jnp.stack([jnp.sum(Ja * r) for Ja in J]) + cw[jnp.asarray(idx)] * (th[jnp.asarray(idx)] - 1.0)
        Hl = [[None] * P for _ in range(P)]
        for a in range(P):
            for b in range(a, P):
                h = jnp.sum(wgt * J[a] * J[b])
                if idx[a] == S and idx[b] < S or idx[b] == S and idx[a] < S:
                    # ∂²λ/∂norm_s∂eff = per_s (the only non-zero second derivatives)
                    h = h + jnp.sum(r * per[min(idx[a], idx[b])])
                Hl[a][b] = Hl[b][a] = h
        H = jnp.stack([jnp.stack(row) for row in Hl]) + jnp.diag(cw[jnp.asarray(idx)])
        return th.at[jnp.asarray(idx)].add(-jnp.linalg.solve(H, g))

    th = jax.lax.fori_loop(0, n_profile, step, th0) if idx and n_profile else th0
    lam, _, _ = _lam(tpl, mu, phi, k, th, S)
    d = lam - n
    term = jnp.where(pos, n * _h(d / jnp.where(pos, n, 1.0)), lam)      # λ − n − n log(λ/n)
    pen = 0.5 * jnp.sum(cw * (th - 1.0) ** 2)
    return jnp.maximum(2.0 * (jnp.sum(term) + pen), 0.0)


def _fisher_limit(tpl, phi, cw, idx, S, z, directional):
    """Median expected upper limit from the Fisher matrix at μ = 0 (as exclusion_sensitivity)."""
    W, M, C, Sn, B = tpl
    th = jnp.ones(S + 2, W.dtype)
    lam, per, sig = _lam(tpl, 0.0, phi, 1.0, th, S)
    poi = (jnp.sum(jnp.cos(phi) * C + jnp.sin(phi) * Sn, 0) if directional else jnp.sum(M, 0))
    rows = [poi] + [per[i] if i < S else (sig if i == S else B) for i in idx]
    J = jnp.stack(rows).reshape(len(rows), -1)
    ok = (lam > 0).reshape(-1)
    w = jnp.where(ok, 1.0 / jnp.where(ok, lam.reshape(-1), 1.0), 0.0)
    F = (J * w) @ J.T + jnp.diag(jnp.concatenate([jnp.zeros(1, W.dtype), cw[jnp.asarray(idx, int)]]))
    sig_poi = jnp.sqrt(jnp.linalg.inv(F)[0, 0])
    # Cowan et al. 2011 Sec. 4.3: med[μ_up | 0] = σ Φ⁻¹(cl); without azimuth bins the POI is μ²
    return z * sig_poi if directional else jnp.sqrt(z * sig_poi)


def _point(model, spec_dyn, vals, *, names, base, quantity, idx, n_profile, z, ref, spec_static):
    v = dict(base)
    v.update({nm: vals[i] for i, nm in enumerate(names)})
    if spec_dyn is not None and ("threshold_keV" in v or "pe" in v):
        spectra, det, Te, phi_e, ce = spec_dyn
        det = dataclasses.replace(det, threshold=v.get("threshold_keV", det.threshold * 1e3) * 1e-3)
        ns, es, bs, kw = spec_static
        m = build_model(spectra, det, Te, phi_e, ce, pe=v.get("pe", ref["pe"]), norm_sigma=ns,
                        eff_sigma=es, bkg_sigma=bs, **dict(kw))
        model = jax.tree_util.tree_map(lambda a: a.astype(vals.dtype), m)
    S = model.n_sources
    tpl = _templates(model, v, ref)
    cw = _constraint_weights(model, S).astype(vals.dtype)
    phi = v.get("phi_B", jnp.zeros((), vals.dtype))
    if quantity == "limit":
        return _fisher_limit(tpl, phi, cw, idx, S, z, model.directional)
    mu = v.get("mu_1e11", jnp.zeros((), vals.dtype))
    one = jnp.ones(S + 2, vals.dtype)
    sig = _with_em(tpl, model, v, ref)        # EM parameters at the point (tpl: all 0)
    if quantity == "q_asimov":            # data: μ = 0; test μ
        n, _, _ = _lam(tpl, 0.0, phi, 1.0, one, S)
        return _q_profiled(sig, n, mu, phi, 1.0, cw, idx, S, n_profile)
    n, _, _ = _lam(sig, mu, phi, 1.0, one, S)
    if quantity == "z_discovery":         # data: μ; test μ = 0
        return jnp.sqrt(_q_profiled(tpl, n, 0.0, phi, 1.0, cw, idx, S, n_profile))
    return jnp.sqrt(_q_profiled(sig, n, mu, phi, 0.0, cw, idx, S, n_profile))   # no modulation


_STATIC = ("names", "quantity", "idx", "n_profile", "z", "ref_items", "spec_static", "batch_size",
           "base_names")


@functools.partial(jax.jit, static_argnames=_STATIC)
def _eval_chunk(model, spec_dyn, pts, base_vals, *, names, base_names, quantity, idx, n_profile, z,
                ref_items, spec_static, batch_size):
    _TRACES[0] += 1
    base = dict(zip(base_names, base_vals))
    f = functools.partial(_point, model, spec_dyn, names=names, base=base, quantity=quantity,
                          idx=idx, n_profile=n_profile, z=z, ref=dict(ref_items),
                          spec_static=spec_static)
    return jax.lax.map(f, pts, batch_size=min(batch_size, pts.shape[0]))


@functools.lru_cache(maxsize=8)
def _sharded_fn(n_dev, static_items):
    """shard_map of the chunk evaluator over a one-axis mesh of the first ``n_dev`` devices."""
    from jax.sharding import Mesh, PartitionSpec as P
    mesh = Mesh(np.asarray(jax.devices()[:n_dev]), ("points",))
    kw = dict(static_items)
    body = functools.partial(_eval_chunk.__wrapped__, **kw)
    sm = jax.shard_map(body, mesh=mesh, in_specs=(P(), P(), P("points"), P()),
                       out_specs=P("points"), check_vma=False)
    return jax.jit(sm)


# ---------------------------------------------------------------- driver
class _Plan(NamedTuple):
    model: BinnedModel
    spec_dyn: object
    static: dict
    base_vals: object
    dtype: object


def _prepare(model, axes, *, quantity, fixed, nuisances, n_profile, cl, spec, batch_size, dtype,
             exposure_t_yr, prefix=""):
    if quantity not in QUANTITIES:
        raise ConfigError(f"{prefix}quantity", f"unknown quantity {quantity!r}; known: {', '.join(QUANTITIES)}")
    apre = f"{prefix}axes." if prefix else ""
    if spec is not None and model is None:
        model = spec.build()
    em = tuple(getattr(model, "em_names", ()) or ())
    ax = parse_axes(axes, prefix=apre, em_names=em)
    fixed = dict(fixed or {})
    for k in fixed:
        if k in ax:
            raise ConfigError(f"{prefix}fixed.{k}", "is also a scan axis")
    fx = parse_axes({k: [v] for k, v in fixed.items()}, prefix=f"{prefix}fixed.",
                    em_names=em) if fixed else {}
    allp = {**ax, **fx}
    dt = jnp.dtype(dtype or jnp.result_type(float))
    if quantity in ("limit", "z_asymmetry") and any(k in em for k in allp):
        raise ConfigError(f"{prefix}quantity", f"{quantity} concerns the magnetic-moment templates; "
                                               "scan EM parameters with q_asimov or z_discovery")
    if quantity == "limit" and "mu_1e11" in allp:
        raise ConfigError(f"{apre}mu_1e11" if "mu_1e11" in ax else f"{prefix}fixed.mu_1e11",
                          "the 'limit' quantity is evaluated at mu = 0; scan mu with q_asimov")
    if quantity != "limit" and "mu_1e11" not in allp and not any(k in em for k in allp):
        raise ConfigError(f"{apre}mu_1e11", f"{quantity} needs a signal: give mu_1e11 (or an EM "
                                            "parameter of the model) as an axis or a fixed value")
    if quantity == "z_asymmetry" and not model.directional:
        raise ConfigError(f"{prefix}quantity", "z_asymmetry needs a model with azimuth bins")
    if em and any(SCAN_PARAMETERS.get(k, ("",))[0] == "template" for k in allp):
        raise ConfigError(f"{prefix}axes", "template axes rebuild magnetic-moment templates; a "
                                           "quadratic EM model takes cheap axes only")
    ref = {"pe": float(spec.pe) if spec is not None else 1.0}
    for name in allp:
        where = f"{apre}{name}" if name in ax else f"{prefix}fixed.{name}"
        if name in em:
            continue
        if SCAN_PARAMETERS[name][0] == "template" and spec is None:
            raise ConfigError(where, "changes the templates: the scan needs a TemplateSpec")
        if name == "sigma_phi":
            if not model.directional:
                raise ConfigError(where, "the model has no azimuth bins, sigma_phi does nothing")
            if spec is None:
                raise ConfigError(where, "needs the model's reference sigma_phi (a TemplateSpec)")
            ref["sigma_phi"] = float(spec.detector.sigma_phi)
        if name == "exposure_t_yr":
            e = exposure_t_yr if exposure_t_yr is not None else (
                float(spec.detector.exposure_t_yr) if spec is not None else None)
            if e is None:
                raise ConfigError(where, "needs the model's reference exposure (exposure_t_yr=...)")
            ref["exposure_t_yr"] = float(e)
    bad = [x for x in nuisances if x not in NUISANCES]
    if bad:
        raise ConfigError(f"{prefix}nuisances", f"unknown nuisance(s) {bad}; known: {', '.join(NUISANCES)}")
    S = model.n_sources
    idx = []
    for x in NUISANCES:
        if x in nuisances:
            idx += list(range(S)) if x == "norm" else [S if x == "eff_scale" else S + 1]
    spec_dyn, spec_static = None, None
    if spec is not None and any(SCAN_PARAMETERS.get(n, ("",))[0] == "template" for n in allp):
        ns = tuple(np.broadcast_to(np.asarray(spec.norm_sigma, float), (len(as_spectra(spec.spectra)),)).tolist())
        spec_static = (ns, float(spec.eff_sigma), spec.bkg_sigma, tuple(sorted(spec.template_kw.items())))
        spec_dyn = (spec.spectra, spec.detector, jnp.asarray(spec.T_edges), None if spec.phi_edges is None
                    else jnp.asarray(spec.phi_edges), None if spec.cos_edges is None else jnp.asarray(spec.cos_edges))
    model = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dt), model)
    static = dict(names=tuple(ax), base_names=tuple(fx), quantity=quantity, idx=tuple(idx),
                  n_profile=int(n_profile), z=float(_norm.ppf(cl)), ref_items=tuple(sorted(ref.items())),
                  spec_static=spec_static, batch_size=int(batch_size))
    base_vals = tuple(jnp.asarray(fx[k][0], dt) for k in fx)
    return ax, fx, _Plan(model, spec_dyn, static, base_vals, dt)


def _points(axes: dict, start: int, stop: int, dtype) -> np.ndarray:
    """Rows start..stop-1 of the flattened Cartesian product (C order), shape (n, n_axes)."""
    shape = tuple(len(a) for a in axes.values())
    flat = np.arange(start, stop)
    ii = np.unravel_index(flat, shape)
    return np.stack([a[i] for a, i in zip(axes.values(), ii)], axis=1).astype(dtype)


def evaluate_points(plan: _Plan, pts, *, sharded=False):
    """Evaluate a prepared scan at the rows of ``pts`` (n, n_axes); returns a numpy array (n,)."""
    pts = jnp.asarray(pts, plan.dtype)
    if not sharded:
        return np.asarray(_eval_chunk(plan.model, plan.spec_dyn, pts, plan.base_vals, **plan.static))
    n_dev = jax.local_device_count()
    n = pts.shape[0]
    pad = (-n) % n_dev
    if pad:
        pts = jnp.concatenate([pts, jnp.repeat(pts[-1:], pad, axis=0)])
    fn = _sharded_fn(n_dev, tuple(sorted(plan.static.items())))
    return np.asarray(fn(plan.model, plan.spec_dyn, pts, plan.base_vals))[:n]


def _round_chunk(cs: int, n_tot: int, n_dev: int) -> int:
    """A chunk size ≤ the grid, a multiple of the device count."""
    cs = max(1, min(int(cs), n_tot))
    return cs + (-cs) % n_dev


def auto_chunk_size(plan: _Plan, axes: dict, chunk_seconds: float = 2.0, *, sharded=False):
    """Chunk size from the grid and a time target: (points per chunk, measured seconds per point).

    A probe of max(2 × ``batch_size``, 512) points is compiled, then timed (best of two); the chunk holds the points
    evaluated in about ``chunk_seconds``, rounded down to whole rows of the last axis when it
    spans at least one, to a multiple of ``batch_size`` otherwise (at least one batch, at most
    the grid). The probe's shape differs from the chunk's, so this costs one extra compilation.
    """
    import time

    shape = tuple(len(a) for a in axes.values())
    n_tot = int(np.prod(shape))
    n_dev = jax.local_device_count() if sharded else 1
    bs = int(plan.static["batch_size"])
    probe = _round_chunk(min(max(2 * bs, 512), n_tot), n_tot, n_dev)   # ≫ dispatch overhead
    pts = _points(axes, 0, min(probe, n_tot), plan.dtype)
    pts = np.concatenate([pts, np.repeat(pts[-1:], probe - len(pts), axis=0)])   # device multiple
    evaluate_points(plan, pts, sharded=sharded)         # compile
    best = float("inf")
    for _ in range(2):                                  # best of two: less noise from other load
        t0 = time.perf_counter()
        evaluate_points(plan, pts, sharded=sharded)
        best = min(best, time.perf_counter() - t0)
    per_point = max(best, 1e-9) / probe
    cs = int(chunk_seconds / per_point)
    row = shape[-1] if shape else 1
    cs = (cs // row) * row if cs >= row else max(bs, (cs // bs) * bs)
    return _round_chunk(max(cs, min(bs, n_tot)), n_tot, n_dev), per_point


def scan(model: BinnedModel | None, axes: dict, *, quantity="q_asimov", fixed=None,
         nuisances=("norm", "bkg_scale"), n_profile=4, cl=0.9, spec: TemplateSpec | None = None,
         exposure_t_yr=None, batch_size=None, chunk_size=None, chunk_seconds=2.0, sharded=False,
         dtype=None, out_path=None, force=False, progress=False, meta=None, callback=None,
         check=None) -> ScanResult:
    """Evaluate a sensitivity quantity on the Cartesian product of ``axes``.

    Parameters
    ----------
    model : BinnedModel or None
        The analysis (None: built from ``spec``).
    axes : dict
        Grid specification (see :func:`parse_axes` and :data:`SCAN_PARAMETERS`); the first axis
        varies slowest.
    quantity : {"q_asimov", "z_discovery", "z_asymmetry", "limit"}
        See the module docstring; "limit" is in 10⁻¹¹ μ_B, the others are dimensionless.
    fixed : dict, optional
        Values of non-scanned parameters (e.g. ``{"mu_1e11": 5.0, "phi_B": 0.0}``).
    nuisances : tuple of str
        Profiled nuisance parameters (subset of ``norm``, ``eff_scale``, ``bkg_scale``).
    n_profile : int
        Newton steps of the profiling (0: nuisances fixed at 1).
    cl : float
        Confidence level of ``limit``.
    spec : TemplateSpec, optional
        Needed by the template axes (``threshold_keV``, ``pe``) and by ``sigma_phi``, ``exposure_t_yr``.
    exposure_t_yr : float, optional
        Reference exposure of ``model`` [t·yr] for the ``exposure_t_yr`` axis.
    batch_size : int, optional
        Points evaluated at once by ``jax.lax.map`` (bounds device memory). Default: 8 on CPU
        (the per-point arrays then stay in cache, measured fastest), 4096 on accelerators.
    chunk_size : int, optional
        Points per host-side chunk (one stored file each when ``out_path`` is given). Default
        (None): from the grid and ``chunk_seconds`` (:func:`auto_chunk_size`), so that an
        interrupted scan loses about ``chunk_seconds`` of work at most.
    chunk_seconds : float
        Target wall time of one chunk [s] for the automatic chunk size.
    sharded : bool
        Split each chunk over all local devices.
    dtype : dtype, optional
        float64 (default when x64 is on) or float32.
    out_path : path-like, optional
        Result ``.npz``; chunks are stored as they finish and an interrupted scan resumes.
    force : bool
        Overwrite an existing result / discard a partial run of a different scan.
    progress : bool
        Show a progress bar (rich).
    meta : dict, optional
        Extra metadata recorded in the result (e.g. the configuration).
    callback : callable, optional
        ``callback(i, n_chunks)`` after chunk ``i`` is finished (and stored).
    check : callable, optional
        ``check(n_points, seconds)`` before the first chunk is evaluated, with the number of
        points still to evaluate and the estimated time [s] (None when not measured: an explicit
        ``chunk_size`` or a resumed run); it may raise to refuse the job (the size guard of
        ``nujax scan``).

    Returns
    -------
    ScanResult
    """
    if batch_size is None:
        batch_size = 8 if jax.devices()[0].platform == "cpu" else 4096
    ax, fx, plan = _prepare(model, axes, quantity=quantity, fixed=fixed, nuisances=tuple(nuisances),
                            n_profile=n_profile, cl=cl, spec=spec, batch_size=batch_size,
                            dtype=dtype, exposure_t_yr=exposure_t_yr)
    shape = tuple(len(a) for a in ax.values())
    n_tot = int(np.prod(shape))
    n_dev = jax.local_device_count() if sharded else 1
    dev = jax.devices()[0]
    info = {"quantity": quantity, "axis_names": list(ax), "fixed": {k: float(v[0]) for k, v in fx.items()},
            "nuisances": list(nuisances), "n_profile": int(n_profile), "cl": float(cl),
            "dtype": str(plan.dtype), "nujax_version": __version__, "jax_version": jax.__version__,
            "device": {"platform": dev.platform, "kind": getattr(dev, "device_kind", str(dev)),
                       "n_devices": n_dev}, "meta": meta or {}}
    store, cs, per_point = None, None, None
    if out_path is not None:
        # the fingerprint is the content of the scan; the chunking is recorded next to it
        key = {**info, "axes": {k: v.tolist() for k, v in ax.items()}}
        store = ChunkStore(out_path, key, force=force)
        cs = store.chunk_size
    if cs is None and chunk_size is not None:
        cs = _round_chunk(int(chunk_size), n_tot, n_dev)
    if cs is None:
        cs, per_point = auto_chunk_size(plan, ax, chunk_seconds, sharded=sharded)
    if store is not None:
        store.start(cs, -(-n_tot // cs))
        if chunk_size is not None and store.chunk_size != _round_chunk(int(chunk_size), n_tot, n_dev):
            raise ValueError(f"{store.parts} holds a partial run of a different scan chunking "
                             f"(chunk_size {store.chunk_size}); pass force=True to discard it")
    n_chunks = -(-n_tot // cs)
    done = store.done() if store is not None else set()
    if check is not None:
        left = n_tot - sum(min(cs, n_tot - i * cs) for i in done)
        check(left, None if per_point is None else per_point * left)
    parts = [None] * n_chunks
    from rich.progress import Progress
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task(f"scan {quantity}", total=n_chunks, completed=len(done))
        for i in range(n_chunks):
            if i in done:
                continue
            lo, hi = i * cs, min((i + 1) * cs, n_tot)
            pts = _points(ax, lo, hi, plan.dtype)
            if hi - lo < cs:   # pad to the common chunk shape: no recompilation
                pts = np.concatenate([pts, np.repeat(pts[-1:], cs - (hi - lo), axis=0)])
            vals = evaluate_points(plan, pts, sharded=sharded)[: hi - lo]
            if store is not None:
                store.save(i, vals)
            else:
                parts[i] = vals
            bar.advance(task)
            if callback is not None:
                callback(i, n_chunks)
    if store is not None:
        parts = [store.load(i) for i in range(n_chunks)]
    values = np.concatenate(parts).reshape(shape)
    path = store.finish(values, ax, info) if store is not None else None
    return ScanResult(values, ax, quantity, info, path)
