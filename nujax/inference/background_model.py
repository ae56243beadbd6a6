"""Binned models with background components: rates and shapes as differentiable nuisances.

:func:`with_backgrounds` adds a list of :class:`~nujax.detector.components.BackgroundComponent`
to any binned statistical model (:func:`~nujax.inference.build_model`, the quadratic EM models):

    λ = λ_base(θ_base) + Σ_c s_c N_c(θ_c),

with the base model's expected counts (signal and flat detector background), the rate scale s_c
of component c (parameter ``bkg_<name>``, nominal 1) and its counts per bin N_c folded through
the detector response (:func:`fold_component`). The shape parameters θ_c named in
``float_shapes`` (a component's name: all of them; ``"name:param"``: one) are parameters too
(``bkg_<name>_<param>``); the others are fixed at their nominal values and their templates are
computed once. Constraints: the base model's
Gaussian ones plus each component's (:func:`~nujax.detector.components.component_constraint`).
The result implements :class:`~nujax.inference.StatisticalModel`, so every fitter, limit and
sampler uses it unchanged.

Folding: counts in measured bin k = R M t ∫ f(E; θ) R_k(E) dE / ∫ f(E; θ) dE, with R_k the
response of the rate engine (:func:`nujax.rates.engine.response`: efficiency, Gaussian energy
resolution, threshold by clipping the measured edges as for the flat background), on
Gauss–Legendre nodes over the shape's support (``n_nodes`` × ``n_panels``); without energy
smearing the numerator runs over each bin ∩ support, so steps at the edges are exact.
Components are isotropic: cosθ and φ bins share the counts as Δcosθ/2 · Δφ/2π.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp

from nujax._numerics import mapped_nodes
from nujax.detector.components import (BackgroundComponent, component_constraint,
                                       component_density, component_parameter_names,
                                       component_support)
from nujax.inference.binned import build_model, poisson_log_likelihood
from nujax.inference.parameters import gaussian_constraints, merge_params, split_observation
from nujax.rates.engine import response

__all__ = ["WrappedModel", "BackgroundModel", "with_backgrounds", "build_background_model", "fold_component"]


def fold_component(comp: BackgroundComponent, detector, T_edges, shape_params=None, *,
                   n_nodes=16, n_panels=8, n_eff=4):
    """Expected counts of one component per measured-energy bin [counts], shape (K,).

    Parameters
    ----------
    comp : BackgroundComponent
    detector : Detector
        Exposure, threshold, efficiency and (with ``smearing``) energy resolution.
    T_edges : array (K+1,)
        Measured-energy bin edges [MeV].
    shape_params : dict, optional
        Shape parameters (default: the component's nominal ones).
    n_nodes, n_panels : int
        Gauss–Legendre nodes per panel and panels over the support (and per bin without smearing).
    n_eff : int
        Nodes of the efficiency average over the resolution (see the rate engine).
    """
    dt = jnp.result_type(float)
    edges = jnp.maximum(jnp.asarray(T_edges, dt), detector.threshold)
    p = {**comp.params, **(shape_params or {})}
    lo, hi = (jnp.asarray(x, dt) for x in component_support(comp, p))
    E, w = mapped_nodes(lo, hi, n_nodes, n_panels, dtype=dt)
    f = component_density(comp, E, p)
    norm = jnp.sum(w * f)
    norm = jnp.where(norm > 0, norm, 1.0)
    if detector.smearing:
        num = jnp.sum((w * f)[:, None] * response(detector, E, edges, n_eff), axis=0)
    else:                                   # each bin ∩ support, efficiency at E
        a = jnp.clip(edges[:-1], lo, hi)
        b = jnp.clip(edges[1:], lo, hi)
        Eb, wb = mapped_nodes(a, b, n_nodes, max(1, n_panels // 4), dtype=dt)
        num = jnp.sum(wb * component_density(comp, Eb, p) * response(detector, Eb, edges,
                                                                      n_eff)[..., 0], axis=-1)
    # R M t ∫ f R_k / ∫ f: the component integrates to its rate (module docstring)
    return comp.rate * detector.mass_t * detector.live_time_yr * num / norm


def _iso_share(bin_shape, phi_edges, cos_edges, dt):
    """Δcosθ/2 ⊗ Δφ/2π over the non-energy axes of ``bin_shape`` (1 for a 1-D model)."""
    share = jnp.ones((), dt)
    if cos_edges is not None:
        ce = jnp.asarray(cos_edges, dt)
        share = share[..., None] * (0.5 * (ce[1:] - ce[:-1]))
    if phi_edges is not None:
        pe = jnp.asarray(phi_edges, dt)
        share = share[..., None] * ((pe[1:] - pe[:-1]) / (2.0 * math.pi))
    if share.shape != tuple(bin_shape[1:]):
        raise ValueError(f"phi_edges/cos_edges give non-energy bins {share.shape}, the model has "
                         f"{tuple(bin_shape[1:])}")
    return share


def constraint_log_likelihood(model, params, aux=None):
    """The auxiliary-measurement terms of ``model``'s log L at ``params`` (constants dropped):
    what ``model.log_likelihood(..., constraints=True)`` adds to the Poisson terms.

    A model that adds constraints of its own (background components' rates, ...) says so with a
    ``constraint_log_likelihood(params, aux)`` method; any other model has the Gaussian
    constraints of its flux, efficiency and background scales
    (:func:`~nujax.inference.parameters.gaussian_constraints`). Wrappers that add data terms
    (ON/OFF) call this for the model they wrap, so no constraint of it is lost.
    """
    own = getattr(model, "constraint_log_likelihood", None)
    if own is not None:
        return own(params, aux)
    return gaussian_constraints(model, merge_params(model, params), aux)


class WrappedModel:
    """Mixin: the :class:`~nujax.inference.StatisticalModel` attributes of a model that wraps
    another one (field ``base``) and adds terms to it."""

    n_sources = property(lambda self: self.base.n_sources)
    source_names = property(lambda self: self.base.source_names)
    directional = property(lambda self: self.base.directional)
    pe_scalable = property(lambda self: self.base.pe_scalable)
    em_names = property(lambda self: self.base.em_names)
    bin_shape = property(lambda self: self.base.bin_shape)
    norm_sigma = property(lambda self: self.base.norm_sigma)
    eff_sigma = property(lambda self: self.base.eff_sigma)
    bkg_sigma = property(lambda self: self.base.bkg_sigma)
    bkg_constrained = property(lambda self: self.base.bkg_constrained)
    weak = property(lambda self: self.base.weak,
                    doc="The base model's weak templates (S, *bin_shape).")
    em = property(lambda self: self.base.em,
                  doc="The base model's magnetic templates (S, *bin_shape).")


@functools.partial(jax.tree_util.register_dataclass,
                   data_fields=["base", "components", "detector", "T_edges", "share", "templates"],
                   meta_fields=["float_shapes", "fold_options"])
@dataclasses.dataclass(frozen=True)
class BackgroundModel(WrappedModel):
    """A binned model plus background components (frozen pytree).

    Attributes
    ----------
    base : StatisticalModel
        The binned model without the components (signal and flat detector background).
    components : tuple of BackgroundComponent
    detector : Detector
        Folds the components whose shapes float.
    T_edges : array (K+1,) [MeV]
    share : array ``bin_shape[1:]``
        Isotropic share of the non-energy bins.
    templates : array (C, *bin_shape)
        Counts of each component at its nominal rate and shape.
    float_shapes : tuple of str (static)
        Fitted shape parameters: component names (all their parameters) or ``"name:param"``.
    fold_options : tuple (static)
        (n_nodes, n_panels, n_eff) of :func:`fold_component`.
    """

    base: object
    components: tuple
    detector: object
    T_edges: jax.Array
    share: jax.Array
    templates: jax.Array
    float_shapes: tuple = ()
    fold_options: tuple = (16, 8, 4)

    @property
    def background(self):
        """Nominal background counts: the base model's plus every component's."""
        return self.base.background + jnp.sum(self.templates, axis=0)

    def scaled(self, factor) -> "BackgroundModel":
        """The same analysis with the exposure times ``factor`` (signal, background, components)."""
        f = jnp.asarray(factor)
        det = dataclasses.replace(self.detector, live_time_yr=f * self.detector.live_time_yr)
        return dataclasses.replace(self, base=self.base.scaled(f), detector=det,
                                   templates=f * self.templates)

    def _own(self):
        """[(component, rate name or None, {shape param: parameter name})]."""
        out = []
        for c in self.components:
            names = component_parameter_names(c)
            rate = names[0] if c.constraint != "fixed" else None
            shp = {k: f"bkg_{c.name}_{k}" for k in c.params
                   if c.name in self.float_shapes or f"{c.name}:{k}" in self.float_shapes}
            out.append((c, rate, shp))
        return out

    def default_params(self) -> dict:
        """The base model's nominal parameters, every rate scale 1 and the floating shape
        parameters at their nominal values."""
        p = self.base.default_params()
        for c, rate, shp in self._own():
            if rate:
                p[rate] = jnp.asarray(1.0)
            p.update({n: c.params[k] for k, n in shp.items()})
        return p

    def parameter_names(self) -> tuple:
        """The base model's names, then ``bkg_<name>`` and ``bkg_<name>_<param>``."""
        own = tuple(n for _, rate, shp in self._own() for n in ((rate,) if rate else ())
                    + tuple(shp.values()))
        return tuple(self.base.parameter_names()) + own

    def _split(self, params):
        p = merge_params(self, params)
        base_names = set(self.base.parameter_names())
        return p, {k: v for k, v in p.items() if k in base_names}

    def component_counts(self, params=None):
        """Counts of each component at ``params`` (rate scales applied), shape (C, *bin_shape)."""
        p, _ = self._split(params)
        n, panels, n_eff = self.fold_options
        out = []
        for i, (c, rate, shp) in enumerate(self._own()):
            if shp:
                k = fold_component(c, self.detector, self.T_edges,
                                   {key: p[name] for key, name in shp.items()},
                                   n_nodes=n, n_panels=panels, n_eff=n_eff)
                t = k.reshape(k.shape + (1,) * self.share.ndim) * self.share
            else:
                t = self.templates[i]
            out.append((p[rate] if rate else 1.0) * t)
        return jnp.stack(out)

    def expected(self, params=None):
        """λ = λ_base + Σ_c s_c N_c(θ_c) (shape ``bin_shape``)."""
        _, pb = self._split(params)
        return self.base.expected(pb) + jnp.sum(self.component_counts(params), axis=0)

    def check_data(self, data):
        """Validate data as the base model does."""
        return self.base.check_data(data)

    def constraint_log_likelihood(self, params, aux=None):
        """The base model's constraints + each component's rate (and shape) constraint."""
        p, pb = self._split(params)
        ll = constraint_log_likelihood(self.base, pb, aux)
        for c, rate, shp in self._own():
            ll = ll + component_constraint(c, p[rate] if rate else 1.0,
                                           {k: p[n] for k, n in shp.items()})
        return ll

    def log_likelihood(self, params, data, *, constraints=True):
        """Poisson log L + the base model's constraints + the components' constraints."""
        self.check_data(data)
        counts, aux = split_observation(data)
        ll = poisson_log_likelihood(self.expected(params), counts)
        if constraints:
            ll = ll + self.constraint_log_likelihood(params, aux)
        return ll


def with_backgrounds(model, detector, T_edges, components, *, phi_edges=None, cos_edges=None,
                     float_shapes=(), n_nodes=16, n_panels=8, n_eff=4) -> BackgroundModel:
    """Add background components to a binned model.

    Parameters
    ----------
    model : StatisticalModel
        A binned model (``bin_shape`` (K, …)) built on ``T_edges``.
    detector : Detector
        The detector the components are folded through.
    T_edges : array (K+1,)
        Measured-energy bin edges [MeV].
    components : sequence of BackgroundComponent
        Names unique; see :func:`nujax.detector.components.make_component`.
    phi_edges, cos_edges : arrays, optional
        The model's azimuth and cosθ edges, if it has those axes.
    float_shapes : sequence of str
        Shape parameters that become fit parameters: ``"<name>"`` (all of a component's) or
        ``"<name>:<param>"`` (one).
    n_nodes, n_panels, n_eff : int
        Quadrature of :func:`fold_component`.

    Raises
    ------
    ValueError
        Duplicate or unknown component names, parameter names clashing with the model's,
        edges that do not match the model's bins.
    """
    comps = tuple(components)
    if not all(isinstance(c, BackgroundComponent) for c in comps):
        raise TypeError("components must be BackgroundComponent objects (make_component)")
    names = [c.name for c in comps]
    if len(set(names)) != len(names):
        raise ValueError(f"components: names must be unique, got {names}")
    known = set(names) | {f"{c.name}:{k}" for c in comps for k in c.params}
    bad = [n for n in float_shapes if n not in known]
    if bad:
        raise ValueError(f"float_shapes: unknown component(s) {bad}; known: {names}")
    T = jnp.asarray(T_edges, dtype=float)
    if T.shape[0] - 1 != model.bin_shape[0]:
        raise ValueError(f"T_edges has {T.shape[0] - 1} bins, the model {model.bin_shape[0]}")
    share = _iso_share(model.bin_shape, phi_edges if model.directional else None, cos_edges,
                       T.dtype)
    opts = (int(n_nodes), int(n_panels), int(n_eff))
    if comps:
        tmpl = jnp.stack([fold_component(c, detector, T, n_nodes=opts[0], n_panels=opts[1],
                                         n_eff=opts[2]) for c in comps])
        tmpl = tmpl.reshape(tmpl.shape + (1,) * share.ndim) * share
    else:
        tmpl = jnp.zeros((0,) + tuple(model.bin_shape), T.dtype)
    out = BackgroundModel(model, comps, detector, T, share, tmpl, tuple(float_shapes), opts)
    clash = set(model.parameter_names()) & set(out.parameter_names()[len(model.parameter_names()):])
    if clash:
        raise ValueError(f"component parameter names clash with the model's: {sorted(clash)}")
    return out


def build_background_model(spectra, detector, T_edges, components=(), phi_edges=None,
                           cos_edges=None, *, float_shapes=(), **build_kw) -> BackgroundModel:
    """:func:`~nujax.inference.build_model` plus background components in one call.

    ``build_kw`` goes to :func:`~nujax.inference.build_model` (pe, norm_sigma, eff_sigma,
    bkg_sigma, sin2w, target …); see :func:`with_backgrounds` for the rest.

    >>> import nujax
    >>> from nujax.detector.components import make_component
    >>> det = nujax.detector.preset("xenon_tpc", background=0.0)
    >>> kr = make_component("kr85", "beta", 50.0, isotope="Kr85", constraint="gaussian", sigma=0.1)
    >>> m = build_background_model(nujax.get_source("pp"), det, [0.001, 0.01, 0.03], [kr])
    >>> m.parameter_names()[-1]
    'bkg_kr85'
    """
    base = build_model(spectra, detector, T_edges, phi_edges, cos_edges, **build_kw)
    return with_backgrounds(base, detector, T_edges, components, phi_edges=phi_edges,
                            cos_edges=cos_edges, float_shapes=float_shapes)
