"""One likelihood over several experiments that share parameters (a global fit).

A :class:`JointModel` holds one statistical model per experiment (typically quadratic EM models,
:func:`~nujax.inference.quadratic_em_model`, each built from the experiment's own neutrino state,
detector and bins). Parameters named in ``shared`` (the EM-matrix entries) are common to all
experiments; every other parameter belongs to one experiment and is called ``<experiment>/<name>``
(``reactor/norm``, ``xenon/bkg_scale`` …), with that experiment's own constraint terms. The
experiments are independent measurements, so

    log L(θ, ν₁ … ν_E) = Σ_e log L_e(θ, ν_e)

(each L_e a binned Poisson likelihood times its Gaussian auxiliary terms, Cowan et al., EPJC 71
(2011) 1554, Sec. 2). The data of a joint model are a tuple with one data set per experiment.

Limits per shared entry (:func:`entry_limits`) use the profile-likelihood engine of
:mod:`nujax.inference.limits` (q̃ of Cowan et al. eq. (16), bracket and Brent refinement), the
tested entry in the role of the parameter of interest and every other free parameter profiled.
The counts of a quadratic EM model can be odd in an entry (a charge radius interferes with the
weak amplitude), so each entry gets an upper limit on its positive side and a lower limit on its
negative side (the same one-sided q̃ threshold Φ⁻¹(cl)² on each side); where the likelihood is
even in the entry (no linear template, no cross term with another entry: the diagonal magnetic
moments of unpolarised beams) the lower limit is the mirror image of the upper one and is not
recomputed. Asimov data at zero give the median expected limits of
the forecasts (Cowan et al. Sec. 4.3).

:func:`run_joint_nuts` samples the free parameters with numpyro NUTS from the potential −log L
(flat priors on the shared entries and the nuisances: the constraint terms are part of L).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from scipy.stats import norm as _norm

from nujax.inference.limits import (LimitAboveRange, ProfileCurve, UpperLimit, check_limit_args,
                                    finish_note, likelihood_ratio_limit)
from nujax.inference.model import nll
from nujax.inference.optimize import diagonal_scales, lbfgs_minimize
from nujax.inference.parameters import as_data

__all__ = ["JointModel", "joint_model", "EntryLimit", "entry_limits", "joint_asimov",
           "joint_mle", "forecast_limits", "JointPosterior", "run_joint_nuts",
           "FisherEntryLimit", "fisher_entry_limits"]

SEP = "/"


@functools.partial(jax.tree_util.register_dataclass, data_fields=["models"],
                   meta_fields=["names", "shared"])
@dataclasses.dataclass(frozen=True)
class JointModel:
    """Experiments with shared parameters (frozen pytree; see the module docstring).

    Attributes
    ----------
    models : tuple of StatisticalModel
        One model per experiment.
    names : tuple of str (static)
        Experiment names (prefixes of their own parameters).
    shared : tuple of str (static)
        Parameter names common to every experiment that has them (the EM entries).
    """

    models: tuple
    names: tuple
    shared: tuple

    def own_names(self, e: int) -> tuple:
        """Names of experiment ``e``'s own parameters, unprefixed."""
        return tuple(k for k in self.models[e].default_params() if k not in self.shared)

    def parameter_names(self) -> tuple:
        """Shared names, then ``<experiment>/<name>`` for every experiment's own parameters."""
        return self.shared + tuple(f"{n}{SEP}{k}" for e, n in enumerate(self.names)
                                   for k in self.own_names(e))

    def default_params(self) -> dict:
        """Shared entries 0; every experiment's own parameters nominal."""
        p = {k: jnp.asarray(0.0) for k in self.shared}
        for e, n in enumerate(self.names):
            d = self.models[e].default_params()
            p.update({f"{n}{SEP}{k}": d[k] for k in self.own_names(e)})
        return p

    def split(self, params=None) -> list:
        """Per-experiment parameter dicts (missing names nominal); ``ValueError`` for unknown
        names."""
        params = dict(params or {})
        bad = [k for k in params if k not in self.parameter_names()]
        if bad:
            raise ValueError(f"unknown joint parameter(s) {bad}; known: "
                             f"{', '.join(self.parameter_names())}")
        p = {**self.default_params(), **params}
        out = []
        for e, n in enumerate(self.names):
            mine = set(self.models[e].parameter_names())
            q = {k: p[k] for k in self.shared if k in mine}
            q.update({k: p[f"{n}{SEP}{k}"] for k in self.own_names(e)})
            out.append(q)
        return out

    def expected(self, params=None) -> tuple:
        """Expected counts of each experiment (a tuple)."""
        return tuple(m.expected(q) for m, q in zip(self.models, self.split(params)))

    def check_data(self, data):
        """One data set per experiment, each checked by its model."""
        if not isinstance(data, (tuple, list)) or len(data) != len(self.models):
            raise ValueError(f"joint data must be a tuple of {len(self.models)} data sets "
                             f"(one per experiment: {', '.join(self.names)})")
        for m, d in zip(self.models, data):
            m.check_data(d)
        return data

    def log_likelihood(self, params, data, *, constraints=True):
        """Σ_e log L_e (module docstring)."""
        self.check_data(data)
        return sum(m.log_likelihood(q, d, constraints=constraints)
                   for m, q, d in zip(self.models, self.split(params), data))


def joint_model(models: dict, shared) -> JointModel:
    """A :class:`JointModel` from ``{experiment name: model}`` sharing the names ``shared``.

    Raises ``ValueError`` for empty input, names containing ``/``, a shared name no experiment
    has, or a model without ``default_params``.
    """
    if not models:
        raise ValueError("models must name at least one experiment")
    names = tuple(str(n) for n in models)
    if any(SEP in n or not n for n in names):
        raise ValueError(f"experiment names must be non-empty and free of {SEP!r}: {names}")
    shared = tuple(str(s) for s in shared)
    if len(set(shared)) != len(shared) or not shared:
        raise ValueError(f"shared must be distinct parameter names, got {shared!r}")
    for s in shared:
        if not any(s in m.parameter_names() for m in models.values()):
            raise ValueError(f"shared parameter {s!r} is in no experiment's model")
    return JointModel(tuple(models.values()), names, shared)


def joint_asimov(model: JointModel, params=None) -> tuple:
    """Asimov data: each experiment's expected counts at ``params``."""
    return model.expected(params)


def _start(model, free, init):
    """(free start values, fixed values); ``init`` entries the model does not know are ignored
    (e.g. a global fit's MLE used to start one experiment alone)."""
    known = set(model.parameter_names())
    p = {**model.default_params(), **{k: v for k, v in (init or {}).items() if k in known}}
    x0 = {k: jnp.asarray(p[k], dtype=float) for k in free}
    fx = {k: jnp.asarray(v, dtype=float) for k, v in p.items() if k not in free}
    return x0, fx


def joint_mle(model: JointModel, data, free, *, init=None, tol=1e-8, max_iter=1000):
    """Maximum-likelihood values of the ``free`` joint parameters (L-BFGS, jitted).

    Returns (params dict, nll, converged). A shared entry starting at exactly 0 starts at 0.1
    instead (0 is a stationary point of entries whose counts are even). L-BFGS steps in every
    nuisance over its Fisher error at the start (:func:`~nujax.inference.optimize.diagonal_scales`;
    the experiments' nuisances differ by orders of magnitude in curvature, e.g. a flux
    normalisation against a free background rate of 3·10⁵ events), the entries in their own
    O(1) units."""
    free = tuple(free)
    model.check_data(data)
    d = as_data(tuple(data))
    x0, fx = _start(model, free, init)
    for k in model.shared:
        if k in x0 and float(x0[k]) == 0.0:
            x0[k] = jnp.asarray(0.1)
    scale = diagonal_scales(model, d, x0, fx, unit=model.shared)
    x, val, gn, _, ok = lbfgs_minimize(model, d, x0, fx, tol, max_iter=int(max_iter),
                                       scale=scale)
    return {**fx, **x}, float(val), bool(ok) and math.isfinite(float(val))


@functools.partial(jax.tree_util.register_dataclass, data_fields=["inner", "scale"],
                   meta_fields=["entry"])
@dataclasses.dataclass(frozen=True)
class _EntryPOI:
    """The joint model with ``entry`` = ``mu_1e11`` × ``scale`` (the POI of the limit engine;
    a negative scale tests the negative side)."""

    inner: JointModel
    scale: jax.Array
    entry: str

    def log_likelihood(self, params, data, *, constraints=True):
        p = {k: v for k, v in params.items() if k != "mu_1e11"}
        p[self.entry] = params["mu_1e11"] * self.scale
        return self.inner.log_likelihood(p, data, constraints=constraints)


class _EntryCurve(ProfileCurve):
    """:class:`~nujax.inference.ProfileCurve` of one shared entry of a joint model."""

    def __init__(self, model: JointModel, data, entry, free, *, scale, tol=1e-6, max_iter=500,
                 init=None):
        self.nuisances = tuple(k for k in free if k != entry)
        self.scale = abs(float(scale))            # grid values |entry| → POI units
        self.model = _EntryPOI(model, jnp.asarray(float(scale)), entry)   # signed: the side
        self.data = as_data(tuple(data))
        self.fixed, self.tol, self.max_iter = None, float(tol), int(max_iter)
        self.x0, self.fx = _start(model, self.nuisances, init)
        self.fx.pop(entry, None)
        self._min, self.lowered = None, False
        # the nuisances' Fisher errors at the start, the entries O(1) (joint_mle)
        self.x_scale = diagonal_scales(self.model, self.data, self.x0,
                                       {**self.fx, "mu_1e11": jnp.asarray(0.0)},
                                       unit=model.shared)

    def global_fit(self):
        x0 = {"mu_1e11": jnp.asarray(0.1), **self.x0}
        x, val, _, _, ok = lbfgs_minimize(self.model, self.data, x0, self.fx, self.tol,
                                          max_iter=self.max_iter,
                                          scale={"mu_1e11": jnp.asarray(1.0), **self.x_scale})
        # the side's estimate: |μ̂| on the tested side, else 0 (one-sided q̃, Cowan et al. eq. (16))
        mu_hat = max(float(x["mu_1e11"]), 0.0) * self.scale
        return mu_hat, float(val), bool(ok) and math.isfinite(float(val))


def _entry_scale(model: JointModel, entry: str) -> float:
    """Entry value at which the counts change by √N₀ (N₀: all counts at 0), from the exact even
    and odd parts of the quadratic counts: the POI unit of the limit fits."""
    def total(v):
        return sum(float(jnp.sum(x)) for x in model.expected({entry: v}))

    n0, up, dn = total(0.0), total(1.0), total(-1.0)
    even, odd = 0.5 * (up + dn) - n0, 0.5 * (up - dn)
    target = math.sqrt(max(n0, 1.0))
    if not (abs(even) > 0 or abs(odd) > 0):
        raise ValueError(f"no experiment's counts depend on {entry!r}")
    if abs(even) > 0:                       # |odd| a + |even| a² = √N₀
        a = (-abs(odd) + math.sqrt(odd * odd + 4 * abs(even) * target)) / (2 * abs(even))
    else:
        a = target / abs(odd)
    return float(a)


def _even(model: JointModel, entry: str) -> bool:
    """The joint likelihood is even in ``entry`` (no linear template and no cross term with
    another entry in any experiment's exact quadratic form), so its limits are symmetric."""
    for m in model.models:
        base = getattr(m, "base", m)
        names = tuple(getattr(base, "em_names", ()))
        if entry not in names:
            continue
        i = names.index(entry)
        quad = np.asarray(base.em_quad)
        cross = np.delete(quad[:, i], i, axis=1)
        if np.any(np.asarray(base.em_lin)[:, i] != 0) or np.any(cross != 0):
            return False
    return True


class EntryLimit(NamedTuple):
    """One-sided limits on a shared entry: ``upper`` (positive side) and ``lower`` (negative
    side, a negative number), each an :class:`~nujax.inference.UpperLimit` of |entry| on its
    side (``side_upper``/``side_lower``)."""

    entry: str
    upper: float
    lower: float
    side_upper: UpperLimit
    side_lower: UpperLimit


def entry_limits(model: JointModel, data, free, *, entries=None, cl=0.9, mu_max=50.0, n_grid=25,
                 tol=1e-6, max_iter=500, max_extensions=4, init=None) -> dict:
    """Profile-likelihood limits on each shared entry, every other ``free`` parameter profiled.

    Parameters
    ----------
    model : JointModel
    data : tuple
        One data set per experiment.
    free : sequence of str
        Joint parameters fitted (the shared entries and the experiments' nuisances).
    entries : sequence of str, optional
        Entries to limit (default: the shared entries among ``free``).
    cl, mu_max, n_grid, tol, max_iter, max_extensions
        As in :func:`~nujax.inference.profile_upper_limit` (``mu_max`` in the entry's units).
    init : dict, optional
        Starting values of the profiled parameters.

    Returns
    -------
    dict
        entry → :class:`EntryLimit` (module docstring: one-sided q̃ limits on each side). A side
        whose q̃ stays below the threshold up to the ceiling ``mu_max`` × 4^``max_extensions``
        has the limit ±inf and a note naming the ceiling: never a number at the grid edge.
    """
    check_limit_args(cl, mu_max, n_grid)
    model.check_data(data)
    free = tuple(free)
    entries = tuple(k for k in model.shared if k in free) if entries is None else tuple(entries)
    out = {}
    for k in entries:
        if k not in model.shared or k not in free:
            raise ValueError(f"{k!r} is not a free shared entry; free: {free}")
        a = _entry_scale(model, k)
        sides = []
        for sign in ((1.0,) if _even(model, k) else (1.0, -1.0)):
            curve = _EntryCurve(model, data, k, free, scale=sign * a, tol=tol, max_iter=max_iter,
                                init=init)
            try:
                lim, mu_hat, grid, q, failed, notes, ok = likelihood_ratio_limit(
                    curve, target=float(_norm.ppf(cl)), one_sided=True, mu_max=mu_max,
                    n_grid=n_grid, max_extensions=max_extensions)           # Cowan et al. eq. (16)
            except LimitAboveRange as exc:       # not constrained below the ceiling: say so
                lim, mu_hat, grid, q, failed, ok = (math.inf, curve.minimum()[0], np.zeros(0),
                                                    np.zeros(0), (), True)
                notes = [f"not constrained below the grid ceiling {exc.top:g} "
                         f"(mu_max × 4^{int(max_extensions)})"]
            sides.append(UpperLimit(lim, mu_hat, grid, q, ok, finish_note(notes, ok, max_iter, tol),
                                    "profile", float(cl), failed))
        low = sides[-1]                          # an even entry: the mirror image of the upper side
        out[k] = EntryLimit(k, float(sides[0].limit), -float(low.limit), sides[0], low)
    return out


def forecast_limits(model: JointModel, free, extra: dict, extra_free=(), *, method="asimov",
                    **limit_kw) -> dict:
    """Median expected limits with and without the experiments ``extra``.

    Asimov data at zero for every experiment (the median expected limit, Cowan et al., EPJC 71
    (2011) 1554, Sec. 4.3) and the limits of ``model`` and of ``model`` plus ``extra``
    (``{name: model}``, their nuisances ``extra_free`` as ``<name>/<param>``): ``method``
    "asimov" profiles the Asimov likelihood (:func:`entry_limits`, ``limit_kw`` its options),
    "fisher" takes the Fisher matrix at zero (:func:`fisher_entry_limits`, ``limit_kw``:
    ``cl``, ``entries``).

    Returns
    -------
    dict
        entry → {"before": {lower, upper}, "after": {lower, upper}, "improvement": ratio of the
        interval widths before/after}.
    """
    clash = [n for n in extra if n in model.names]
    if clash:
        raise ValueError(f"experiments {clash} are already in the joint model")
    if method not in ("asimov", "fisher"):
        raise ValueError(f"method must be 'asimov' or 'fisher', got {method!r}")
    after = joint_model({**dict(zip(model.names, model.models)), **extra}, model.shared)
    res = {}
    for label, jm, fr in (("before", model, tuple(free)),
                          ("after", after, tuple(free) + tuple(extra_free))):
        lims = (entry_limits(jm, jm.expected({}), fr, **limit_kw) if method == "asimov"
                else fisher_entry_limits(jm, fr, **limit_kw))
        for k, v in lims.items():
            res.setdefault(k, {})[label] = {"lower": v.lower, "upper": v.upper}
    for v in res.values():
        v["improvement"] = ((v["before"]["upper"] - v["before"]["lower"])
                            / (v["after"]["upper"] - v["after"]["lower"]))
    return res


class JointPosterior(NamedTuple):
    """NUTS draws of a joint model: ``samples`` name → (chains, draws); ``idata`` (arviz);
    ``r_hat_max``, ``ess_min`` over all parameters."""

    samples: dict
    idata: object
    r_hat_max: float
    ess_min: float


def run_joint_nuts(key, model: JointModel, data, free, *, init, num_warmup=500, num_samples=1000,
                   num_chains=4, jitter=1e-3) -> JointPosterior:
    """numpyro NUTS over the ``free`` joint parameters, potential −log L (flat priors).

    Every chain starts at ``init`` (e.g. the MLE) moved by ``jitter`` × a standard normal draw
    (chains run vectorized). Returns a :class:`JointPosterior`.
    """
    import arviz as az

    from nujax.inference.nuts import chain_diagnostics, sample_potential

    free = tuple(free)
    model.check_data(data)
    d = as_data(tuple(data))
    x0, fx = _start(model, free, init)
    flat0, unravel = ravel_pytree(x0)

    def potential(v):
        return nll(model, {**fx, **unravel(v)}, d)

    k_init, k_run = jax.random.split(key)
    starts = flat0 + jitter * jax.random.normal(k_init, (int(num_chains), flat0.size))
    flat = sample_potential(k_run, potential, starts if int(num_chains) > 1 else starts[0],
                            num_warmup=num_warmup, num_samples=num_samples,
                            num_chains=num_chains)                     # (C, D, P)
    C, D, P = flat.shape
    tree = jax.vmap(unravel)(jnp.asarray(flat.reshape(C * D, P)))      # one call, not C·D
    samples = {k: np.asarray(tree[k]).reshape((C, D) + np.shape(tree[k])[1:]) for k in free}
    r_hat, ess = chain_diagnostics(samples)
    idata = az.from_dict(posterior={k.replace(SEP, "__"): v for k, v in samples.items()})
    return JointPosterior(samples, idata, r_hat, ess)


# ----------------------------------------------------------------------------------------------
# Fisher forecasts of the shared entries
# ----------------------------------------------------------------------------------------------
class FisherEntryLimit(NamedTuple):
    """Fisher (asymptotic Asimov) limits on one shared entry θ: ``upper`` (positive side) and
    ``lower`` (negative side, a negative number) where q̃(θ) ≈ G_tt θ² + 2 G_ts θ³ + G_ss θ⁴
    reaches Φ⁻¹(cl)², ``curvature`` = (G_tt, G_ts, G_ss) (:func:`fisher_entry_limits`; θ in the
    entry's units)."""

    entry: str
    upper: float
    lower: float
    curvature: tuple


def _entry_templates(model: JointModel, entry: str):
    """(experiment index, base binned model, column of ``entry``) of every experiment whose
    exact quadratic templates carry ``entry``."""
    out = []
    for e, m in enumerate(model.models):
        base = getattr(m, "base", m)
        names = tuple(getattr(base, "em_names", ()))
        if entry in names:
            out.append((e, base, names.index(entry)))
    return out


def _has_linear(model: JointModel, entry: str) -> bool:
    """Some experiment's counts have a term linear in ``entry`` at 0 (an interference with the
    weak amplitude: charge radii, millicharges, anapoles)."""
    return any(np.any(np.asarray(b.em_lin)[:, i] != 0)
               for _, b, i in _entry_templates(model, entry))


def _split_entry(model: JointModel, entry: str, square: str) -> JointModel:
    """The joint model with ``entry``'s square a parameter of its own: λ = λ₀ + t L + s ½Q_tt
    (+ the other entries' terms), t = ``entry``, s = ``square``; each experiment's ½ ∂²λ/∂t²
    becomes the linear template of s."""
    models = list(model.models)
    for e, base, i in _entry_templates(model, entry):
        lin, quad = jnp.asarray(base.em_lin), jnp.asarray(base.em_quad)
        lin = jnp.concatenate([lin, 0.5 * quad[:, i:i + 1, i]], axis=1)
        pad = [(0, 0), (0, 1), (0, 1)] + [(0, 0)] * (quad.ndim - 3)
        quad = jnp.pad(quad.at[:, i, i].set(0.0), pad)
        new = dataclasses.replace(base, em_lin=lin, em_quad=quad,
                                  em_names=tuple(base.em_names) + (square,))
        models[e] = new if base is models[e] else dataclasses.replace(models[e], base=new)
    return JointModel(tuple(models), model.names, model.shared + (square,))


def _first_crossing(g_tt, g_ts, g_ss, side, target):
    """Smallest u > 0 with g_tt u² + 2 side g_ts u³ + g_ss u⁴ = target (side ±1)."""
    roots = np.roots([g_ss, 2.0 * side * g_ts, g_tt, 0.0, -target])
    u = [r.real for r in roots if r.real > 0 and abs(r.imag) <= 1e-9 * abs(r)]
    return float(min(u)) if u else math.inf


def fisher_entry_limits(model: JointModel, free, *, entries=None, cl=0.9) -> dict:
    """Median expected limits on each shared entry from the Fisher matrix of the joint Asimov
    likelihood at zero (every entry 0, every nuisance nominal), nuisances profiled.

    Derivation. On its own Asimov data the Hessian of −log L is the expected Fisher matrix
    F_ij = Σ_e Σ_bins ∂_iλ ∂_jλ / λ + the constraint terms (Cowan et al., EPJC 71 (2011) 1554,
    Sec. 3.5; :func:`nujax.inference.fisher.asimov_fisher_matrix`). The counts are an exact
    quadratic form in the entries (:mod:`nujax.inference.em_quadratic`), along the tested entry
    θ λ(θ) = λ₀ + θ L + ½ θ² Q. At θ = 0 the information in θ is Σ L²/λ₀ only: it vanishes for
    an even entry (L = 0: the magnetic moments of unpolarised beams), and for an entry that
    interferes with the weak amplitude (a charge radius, millicharge or anapole) the ½θ²Q term
    may dominate the counts at the limit, so no expansion in θ alone serves. The counts are
    linear in the pair (t, s) = (θ, θ²) treated as two parameters, λ = λ₀ + t L + s ½Q, so the
    Fisher matrix at 0 over (t, s) and the profiled parameters ν is regular, and with ν profiled
    (the Schur complement G = F_xx − F_xν F_νν⁻¹ F_νx, x = (t, s)) the Asimov test statistic in
    the Wald approximation is the quadratic form of the displacement (θ, θ²):

        q̃(θ) ≈ G_tt θ² + 2 G_ts θ³ + G_ss θ⁴.

    Each side's limit is the first θ from 0 where q̃ = Φ⁻¹(cl)², the one-sided threshold of
    :func:`entry_limits` on each side (Cowan et al. eq. (16); Sec. 4.3 med[θ_up | 0]). For an
    even entry G_tt = G_ts = 0 and the limit is |θ| = (Φ⁻¹(cl)² / G_ss)^{1/4} = √(Φ⁻¹(cl) σ_s),
    σ_s = G_ss^{−1/2}: the forecast in s = θ² of :func:`nujax.inference.exclusion_sensitivity`.
    Where the linear term dominates it is ±Φ⁻¹(cl) σ_θ with σ_θ = G_tt^{−1/2}; in between the
    cubic term makes the interval asymmetric, as the profile-likelihood one is.

    Both this forecast and :func:`entry_limits` on Asimov data are exact in the Wald limit of
    background-dominated data (signal at the limit ≪ counts), where they agree. Profiled: the
    free nuisances and the other free shared entries with a linear term; the other even entries
    are held at 0 (their information vanishes there, and their positive quadratic contributions
    leave the Asimov profile at 0), and so are the cross terms θ θ_q, which vanish at 0.

    Parameters
    ----------
    model : JointModel
    free : sequence of str
        Joint parameters fitted (shared entries and nuisances ``<experiment>/<name>``).
    entries : sequence of str, optional
        Entries to limit (default: the shared entries among ``free``).
    cl : float
        Confidence level, in (0, 1).

    Returns
    -------
    dict
        entry → :class:`FisherEntryLimit` (entry units: 10⁻¹¹ μ_B, 10⁻³² cm², 10⁻¹² e).

    Raises
    ------
    ValueError
        An entry that is not a free shared entry, a free name the model does not have, ``cl``
        outside (0, 1), an entry no experiment's counts depend on, or a singular Fisher matrix of
        the profiled parameters (a nuisance the data do not constrain).
    """
    from nujax.inference.fisher import MAX_CONDITION, asimov_fisher_matrix

    if not 0.0 < float(cl) < 1.0:
        raise ValueError(f"cl must lie in (0, 1), got {cl!r}")
    free = tuple(free)
    unknown = [k for k in free if k not in model.parameter_names()]
    if unknown:
        raise ValueError(f"unknown joint parameter(s) {unknown} in free")
    entries = tuple(k for k in model.shared if k in free) if entries is None else tuple(entries)
    linear = {k: _has_linear(model, k) for k in model.shared if k in free}
    target = float(_norm.ppf(float(cl))) ** 2                   # Cowan et al. eq. (16), each side
    out = {}
    for k in entries:
        if k not in linear:
            raise ValueError(f"{k!r} is not a free shared entry; free: {free}")
        square = f"{k}^2"
        jm = _split_entry(model, k, square)
        nuis = tuple(f for f in free if f != k and linear.get(f, True))
        F, labels = asimov_fisher_matrix(jm, jm.default_params(), (k, square) + nuis)
        F = np.asarray(F, float)
        x = [labels.index(k), labels.index(square)]
        n = [i for i in range(len(labels)) if i not in x]
        G = F[np.ix_(x, x)]
        if n:
            Fnn = F[np.ix_(n, n)]
            d = np.sqrt(np.abs(np.diag(Fnn)))                 # condition of the correlations
            if not (np.all(np.isfinite(Fnn)) and np.all(d > 0)
                    and np.linalg.cond(Fnn / np.outer(d, d)) < MAX_CONDITION):
                raise ValueError(f"the Fisher matrix of the parameters profiled for {k!r} "
                                 f"({', '.join(nuis)}) is singular: the data do not constrain one")
            G = G - F[np.ix_(x, n)] @ np.linalg.solve(Fnn, F[np.ix_(n, x)])   # profiled ν
        g_tt, g_ts, g_ss = float(G[0, 0]), float(G[0, 1]), float(G[1, 1])
        if not (g_tt > 0 or g_ss > 0):
            raise ValueError(f"no experiment's counts depend on {k!r}")
        up, dn = (_first_crossing(g_tt, g_ts, g_ss, side, target) for side in (1.0, -1.0))
        out[k] = FisherEntryLimit(k, up, -dn, (g_tt, g_ts, g_ss))
    return out
