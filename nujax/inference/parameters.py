"""Parameters, auxiliary measurements and Gaussian constraints shared by every statistical model.

Parameters are a dict with fixed names (:data:`PARAMETER_NAMES`, plus a quadratic EM model's own
``em_names``)::

``mu_1e11``  μ_ν / (10⁻¹¹ μ_B) (the single effective moment);
``mu2``      alternative to ``mu_1e11`` for models without azimuth information: μ², which the counts
             are linear in, so Fisher forecasts at μ = 0 are regular;
``phi_B``    azimuth of the transverse polarisation (ξ⊥) [rad];
``norm``     flux normalisation per source, shape (S,), nominal 1, Gaussian constraint of width
             ``norm_sigma`` per source;
``eff_scale`` detector efficiency scale on the signal (nominal 1, width ``eff_sigma``);
``bkg_scale`` background scale (nominal 1, width ``bkg_sigma``; unconstrained when the model was
             built with ``bkg_sigma=None``);
``pe``       active-species probability Pe (models with ``pe_scalable``).

The constraints are Gaussian auxiliary measurements of the nuisances (Cowan et al., EPJC 71
(2011) 1554, Sec. 2). Plain data use the nominal values 1 as the measured values; an
:class:`Observation` carries its own measured values (``aux``).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete, values

__all__ = ["PARAMETER_NAMES", "AUX_NAMES", "Observation", "split_observation", "as_data",
           "nominal_params", "merge_params", "check_aux", "gaussian_constraints",
           "check_uncertainties"]

PARAMETER_NAMES = ("mu_1e11", "mu2", "phi_B", "norm", "eff_scale", "bkg_scale", "pe")
#: Nuisances with Gaussian auxiliary measurements (the keys of ``Observation.aux``).
AUX_NAMES = ("norm", "eff_scale", "bkg_scale")


class Observation(NamedTuple):
    """Observed data plus the measured values of the auxiliary (constraint) measurements.

    ``counts`` has the model's ``bin_shape``; ``aux`` maps "norm" (shape (S,)), "eff_scale" and
    "bkg_scale" (scalars) to their measured values (missing keys: nominal 1). A pytree, so toys
    of observations vmap like plain count arrays.
    """

    counts: jax.Array
    aux: dict


def split_observation(data):
    """(counts, aux dict or None) from plain data or an :class:`Observation`."""
    if isinstance(data, Observation):
        return data.counts, dict(data.aux)
    return data, None


def as_data(data):
    """Data (array or :class:`Observation`) with float leaves (for jitted fits and samplers)."""
    return jax.tree_util.tree_map(lambda x: jnp.asarray(x, dtype=float), data)


def nominal_params(n_sources: int, *, pe0=None, em_names=()) -> dict:
    """Nominal parameters: μ = 0, φ_B = 0, normalisations and scales 1; ``pe`` = ``pe0`` when
    given; each EM parameter 0."""
    p = {"mu_1e11": jnp.asarray(0.0), "phi_B": jnp.asarray(0.0), "norm": jnp.ones(n_sources),
         "eff_scale": jnp.asarray(1.0), "bkg_scale": jnp.asarray(1.0)}
    if pe0 is not None:
        p["pe"] = pe0
    for k in em_names:
        p[k] = jnp.asarray(0.0)
    return p


def merge_params(model, params) -> dict:
    """The model's nominal parameters updated with ``params`` (names and values checked).

    Parameters
    ----------
    model : StatisticalModel
        Supplies ``default_params()``, ``parameter_names()``, ``n_sources``, ``directional`` and
        ``pe_scalable``.
    params : dict or None
        Values to override (concrete values must be finite).

    Raises
    ------
    ValueError
        Unknown names, ``mu2`` together with ``mu_1e11`` or on a directional model, ``pe`` on a
        model that cannot rescale it, a ``norm`` of the wrong shape, a ``pe`` outside [0, 1], a
        NaN or infinite value (``TypeError`` for a value that is not a number).
    """
    params = dict(params or {})
    known = model.parameter_names()
    bad = [k for k in params if k not in known]
    if bad:
        raise ValueError(f"unknown parameter name(s) {bad}; known: {', '.join(known)}")
    if "mu2" in params and "mu_1e11" in params:
        raise ValueError("give either 'mu_1e11' or 'mu2', not both")
    if "mu2" in params and model.directional:
        raise ValueError("'mu2' parametrises models without azimuth bins; use 'mu_1e11'")
    if "pe" in params and not model.pe_scalable:
        raise ValueError("this model cannot refit 'pe': build it with a Dirac moment, one constant "
                         "Pe in (0, 1) (≤ 1 without azimuth bins) and no pe_fn")
    for k, v in params.items():
        vals = values(f"parameter {k!r}", v)
        if vals is not None and not np.all(np.isfinite(vals)):
            raise ValueError(f"parameter {k!r} must be finite, got {v!r}")
    p = model.default_params()
    if "mu2" in params:
        del p["mu_1e11"]
    p.update(params)
    if is_concrete(p["norm"]) and np.shape(p["norm"]) not in ((), (model.n_sources,)):
        raise ValueError(f"'norm' must have shape ({model.n_sources},), got {np.shape(p['norm'])}")
    if "pe" in params and is_concrete(params["pe"]):
        v = np.asarray(params["pe"], float)
        if v.shape != () or not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"'pe' must be a probability in [0, 1], got {params['pe']!r}")
    return p


def check_aux(aux, n_sources: int) -> None:
    """Validate auxiliary measured values: known names, shapes (``norm``: () or (S,)), finite."""
    if aux is None:
        return
    bad = [k for k in aux if k not in AUX_NAMES]
    if bad:
        raise ValueError(f"unknown auxiliary measurement(s) {bad}; known: {', '.join(AUX_NAMES)}")
    for k, v in aux.items():
        if is_concrete(v):
            want = ((), (n_sources,)) if k == "norm" else ((),)
            if np.shape(v) not in want or not np.all(np.isfinite(np.asarray(v, float))):
                raise ValueError(f"auxiliary '{k}' must be finite with shape {want[-1]}, "
                                 f"got {np.shape(v)}")


def gaussian_constraints(model, params: dict, aux=None):
    """Σ log N(aux | θ, σ) over the constrained nuisances, constant terms dropped.

    Parameters
    ----------
    model : StatisticalModel
        Supplies the widths ``norm_sigma`` (S,), ``eff_sigma``, ``bkg_sigma`` (relative, 0: no
        constraint) and ``bkg_constrained``.
    params : dict
        Merged parameters (:func:`merge_params`).
    aux : dict, optional
        Measured values (default: the nominal 1).
    """
    aux = aux or {}
    ns = model.norm_sigma
    on = ns > 0
    centre = jnp.broadcast_to(aux.get("norm", 1.0), ns.shape)
    z = jnp.where(on, (jnp.broadcast_to(params["norm"], ns.shape) - centre)
                  / jnp.where(on, ns, 1.0), 0.0)
    out = -0.5 * jnp.sum(z * z)                     # Gaussian aux. measurement, Cowan et al. Sec. 2
    for key, sig, use in (("eff_scale", model.eff_sigma, True),
                          ("bkg_scale", model.bkg_sigma, model.bkg_constrained)):
        if use:
            ok = sig > 0
            zz = jnp.where(ok, (params[key] - aux.get(key, 1.0)) / jnp.where(ok, sig, 1.0), 0.0)
            out = out - 0.5 * zz * zz
    return out


def check_uncertainties(norm_sigma, eff_sigma, bkg_sigma, n_sources: int):
    """Check the relative constraint widths and put them in model form.

    Parameters
    ----------
    norm_sigma : float or sequence (S,)
        Relative 1σ flux-normalisation uncertainty per source (0: fixed); a scalar is shared.
    eff_sigma : float
        Relative efficiency uncertainty (0: fixed).
    bkg_sigma : float or None
        Relative background uncertainty; None leaves the background scale unconstrained.
    n_sources : int
        Number of sources S.

    Returns
    -------
    (norm_sigma, eff_sigma, bkg_sigma, bkg_constrained)
        Arrays of shape (S,), (), () and a bool (False when ``bkg_sigma`` is None, which is then
        stored as 0).

    Raises
    ------
    ValueError
        A width negative or not finite, or ``norm_sigma`` not broadcastable to (S,).

    >>> ns, es, bs, con = check_uncertainties(0.01, 0.0, None, 2)
    >>> ns.shape, bool(con)
    ((2,), False)
    """
    try:
        ns = np.broadcast_to(np.asarray(norm_sigma, float), (int(n_sources),))
    except ValueError:
        raise ValueError(f"norm_sigma must be a number or one per source ({n_sources}), got "
                         f"{norm_sigma!r}") from None
    es = float(eff_sigma)
    bs = None if bkg_sigma is None else float(bkg_sigma)
    widths = list(ns) + [es] + ([] if bs is None else [bs])
    if not all(np.isfinite(w) and w >= 0 for w in widths):
        raise ValueError("uncertainties (norm_sigma, eff_sigma, bkg_sigma) must be finite and "
                         f"non-negative, got {norm_sigma!r}, {eff_sigma!r}, {bkg_sigma!r}")
    return (jnp.asarray(ns), jnp.asarray(es), jnp.asarray(0.0 if bs is None else bs),
            bs is not None)
