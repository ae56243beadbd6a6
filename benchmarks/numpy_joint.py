"""The −log L of a joint (global) model written with numpy: the baseline of ``bench_global.py``.

:func:`numpy_nll_factory` reads the arrays of every experiment's model of a
:class:`nujax.inference.joint.JointModel` once (templates, widths, background-component
templates, OFF spectra) and returns a numpy function of the joint parameters. Each model class
the global fit builds has its numpy counterpart, nested as the models are (a wrapper's ``base``):

* :class:`nujax.inference.BinnedModel` (:class:`NumpyBinned`): per source s
  λ = ε Σ_s n_s [P_e W_s/P_e₀ + μ² M_s + (|ξ⊥|/|ξ⊥₀|) μ (cos φ_B C_s + sin φ_B S_s)
  + Σ_p θ_p ∂_pλ_s + ½ Σ_pq θ_p θ_q ∂_p∂_qλ_s] + b B (seed 000 eq. (12); the exact quadratic form
  in the EM entries θ of :func:`nujax.inference.quadratic_em_model`, seed 002 eq. (11): the
  entries enter only through these templates, built by nujax from the density-matrix counts),
  Poisson terms and the Gaussian auxiliary measurements of n_s, ε, b (Cowan et al., EPJC 71
  (2011) 1554, Sec. 2);
* :class:`nujax.inference.BackgroundModel` (:class:`NumpyBackground`): λ = λ_base + Σ_c s_c N_c
  with the components' nominal templates N_c and the rate constraints (Gaussian, log-normal,
  free, fixed) of :func:`nujax.detector.components.component_constraint`; components whose shape
  floats are refused (their refolding is not part of this baseline);
* :class:`nujax.inference.onoff.OnOffModel` (:class:`NumpyOnOff`): ON and OFF Poisson terms with
  the OFF background β̂ profiled per bin (Rolke, López & Conrad, NIM A 551 (2005) 493, Sec. 2)
  and every constraint of the ON model (its flux, efficiency and background scales, and the
  rates of its background components).

The tests (tests/inference/test_joint_numpy_baseline.py) hold each class to the JAX −log L.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from nujax.inference.background_model import BackgroundModel
from nujax.inference.binned import BinnedModel
from nujax.inference.joint import SEP
from nujax.inference.onoff import OnOffData, OnOffModel
from nujax.inference.parameters import Observation

__all__ = ["numpy_model", "numpy_nll_factory", "NumpyBinned", "NumpyBackground", "NumpyOnOff"]


def _arr(x):
    return None if x is None else np.asarray(x, dtype=float)


def _split(data):
    """(counts, aux dict) of plain counts or an Observation."""
    if isinstance(data, Observation):
        return np.asarray(data.counts, float), {k: np.asarray(v, float) for k, v in data.aux.items()}
    return np.asarray(data, float), {}


def poisson_log_likelihood(lam, n):
    """Σ_bins [n log λ − λ − log Γ(n + 1)]; λ = 0 gives 0 for n = 0 and −∞ for n > 0."""
    ok = lam > 0
    term = np.where(ok, n * np.log(np.where(ok, lam, 1.0)) - lam, np.where(n > 0, -np.inf, 0.0))
    return float(np.sum(term - gammaln(n + 1.0)))


def _xi(pe):
    """|ξ⊥| = 2√(Pe(1 − Pe)) (seed 000 below eq. (5)), 0 outside (0, 1)."""
    x = pe * (1.0 - pe)
    return 2.0 * np.where(x > 0, np.sqrt(np.where(x > 0, x, 1.0)), 0.0)


class NumpyBinned:
    """A :class:`~nujax.inference.BinnedModel` in numpy (module docstring)."""

    def __init__(self, m: BinnedModel):
        self.weak, self.em = _arr(m.weak), _arr(m.em)
        self.int_cos, self.int_sin = _arr(m.int_cos), _arr(m.int_sin)
        self.background = _arr(m.background)
        self.em_lin, self.em_quad = _arr(m.em_lin), _arr(m.em_quad)
        self.em_names = tuple(m.em_names)
        self.norm_sigma = _arr(m.norm_sigma)
        self.eff_sigma, self.bkg_sigma = float(m.eff_sigma), float(m.bkg_sigma)
        self.bkg_constrained = bool(m.bkg_constrained)
        self.pe_scalable = bool(m.pe_scalable)
        self.pe0 = float(m.pe0) if m.pe_scalable else None
        self.n_sources = len(m.source_names)

    def expected(self, p):
        if "mu2" in p:
            mu2, mu = p["mu2"], 0.0
        else:
            mu = p["mu_1e11"]
            mu2 = mu * mu
        w_scale = i_scale = 1.0
        if self.pe_scalable:                  # seed 000 eq. (2): weak ∝ Pe; eq. (5): int ∝ |ξ⊥|
            w_scale = p["pe"] / self.pe0
            i_scale = _xi(p["pe"]) / (_xi(self.pe0) if self.pe0 < 1 else 1.0)
        c, s = np.cos(p["phi_B"]), np.sin(p["phi_B"])
        per = (w_scale * self.weak + mu2 * self.em
               + i_scale * mu * (c * self.int_cos + s * self.int_sin))      # seed 000 eq. (12)
        if self.em_names:                                   # exact quadratic form in the entries
            th = np.array([float(p[k]) for k in self.em_names])
            per = (per + np.einsum("p,sp...->s...", th, self.em_lin)
                   + 0.5 * np.einsum("p,q,spq...->s...", th, th, self.em_quad))
        norm = np.broadcast_to(p["norm"], (self.n_sources,))
        return p["eff_scale"] * np.tensordot(norm, per, 1) + p["bkg_scale"] * self.background

    def gaussian(self, p, aux):
        """Σ log N(aux | θ, σ) of norm, eff_scale and (constrained) bkg_scale, constants dropped."""
        ns = self.norm_sigma
        on = ns > 0
        centre = np.broadcast_to(aux.get("norm", 1.0), ns.shape)
        z = np.where(on, (np.broadcast_to(p["norm"], ns.shape) - centre) / np.where(on, ns, 1.0),
                     0.0)
        out = -0.5 * float(np.sum(z * z))
        for key, sig, use in (("eff_scale", self.eff_sigma, True),
                              ("bkg_scale", self.bkg_sigma, self.bkg_constrained)):
            if use and sig > 0:
                out -= 0.5 * float((p[key] - aux.get(key, 1.0)) / sig) ** 2
        return out

    def constraints(self, p, aux):
        return self.gaussian(p, aux)

    def log_likelihood(self, p, data):
        n, aux = _split(data)
        return poisson_log_likelihood(self.expected(p), n) + self.constraints(p, aux)


class NumpyBackground:
    """A :class:`~nujax.inference.BackgroundModel` with fixed component shapes in numpy."""

    def __init__(self, m: BackgroundModel):
        floating = [c.name for c, _, shp in m._own() if shp]
        if floating:
            raise ValueError(f"numpy baseline: background component(s) {floating} float their "
                             "shape; only fixed-shape components (nominal templates) are supported")
        self.base = numpy_model(m.base)
        self.templates = _arr(m.templates)
        # (rate parameter name or None when fixed, constraint, width)
        self.rates = [(rate, c.constraint, float(c.rate_sigma)) for c, rate, _ in m._own()]

    def expected(self, p):
        lam = self.base.expected(p)
        for t, (rate, _, _) in zip(self.templates, self.rates):
            lam = lam + (p[rate] if rate else 1.0) * t
        return lam

    def gaussian(self, p, aux):
        return self.base.gaussian(p, aux)

    def constraints(self, p, aux):
        out = self.base.constraints(p, aux)
        for rate, kind, sig in self.rates:
            s = p[rate] if rate else 1.0
            w = sig if sig > 0 else 1.0
            if kind == "gaussian":
                out -= 0.5 * ((s - 1.0) / w) ** 2                     # Gaussian auxiliary measurement
            elif kind == "lognormal":                                 # ln s ~ N(0, σ)
                out = out - 0.5 * (np.log(s) / w) ** 2 if s > 0 else -np.inf
        return float(out)

    def log_likelihood(self, p, data):
        n, aux = _split(data)
        return poisson_log_likelihood(self.expected(p), n) + self.constraints(p, aux)


def profiled_off_background(s, n, m, alpha):
    """β̂ ≥ 0, root of α(1 + α) β² − Bβ − m s = 0, B = α(n + m) − (1 + α) s (written without
    cancellation for B < 0), as :func:`nujax.inference.onoff.profiled_off_background`."""
    a = alpha * (1.0 + alpha)
    B = alpha * (n + m) - (1.0 + alpha) * s
    disc = B * B + 4.0 * a * m * s
    D = np.where(disc > 0, np.sqrt(np.where(disc > 0, disc, 1.0)), 0.0)
    neg = B < 0
    den = np.where(neg, D - B, 1.0)
    den = np.where(den > 0, den, 1.0)
    return np.where(neg, 2.0 * m * s / den, (B + D) / (2.0 * a))


class NumpyOnOff:
    """An :class:`~nujax.inference.onoff.OnOffModel` in numpy (OFF background profiled per bin)."""

    def __init__(self, m: OnOffModel):
        self.base = numpy_model(m.base)
        self.alpha = float(m.alpha)
        self.off_counts = _arr(m.off_counts)

    def expected(self, p):
        return self.base.expected(p) + self.alpha * self.off_counts

    def gaussian(self, p, aux):
        return self.base.gaussian(p, aux)

    def constraints(self, p, aux):
        return self.base.constraints(p, aux)       # every constraint of the ON model

    def log_likelihood(self, p, data):
        on, off = (data.on, data.off) if isinstance(data, OnOffData) else (data, self.off_counts)
        n, aux = _split(on)
        off = np.asarray(off, float)
        s = self.base.expected(p)
        beta = profiled_off_background(s, n, off, self.alpha)
        return (poisson_log_likelihood(s + self.alpha * beta, n)
                + poisson_log_likelihood(beta, off) + self.constraints(p, aux))


_CLASSES = ((OnOffModel, NumpyOnOff), (BackgroundModel, NumpyBackground),
            (BinnedModel, NumpyBinned))


def numpy_model(model):
    """The numpy counterpart of one experiment's model (wrappers nested as in ``model``).

    Raises ``TypeError`` for a model class without a numpy counterpart."""
    for cls, np_cls in _CLASSES:
        if isinstance(model, cls):
            return np_cls(model)
    raise TypeError(f"numpy baseline: no numpy counterpart of {type(model).__name__}; supported: "
                    f"{', '.join(c.__name__ for c, _ in _CLASSES)}")


def numpy_nll_factory(joint, fixed=None):
    """−log L of ``joint`` in numpy: ``f(p, data)`` with ``p`` a dict of joint parameter values
    (e.g. the free ones) and ``data`` one data set per experiment; parameters not in ``p`` take
    their ``fixed`` values, else their nominal ones. log L = Σ_e log L_e
    (:mod:`nujax.inference.joint`)."""
    mods = [numpy_model(m) for m in joint.models]
    base = {k: np.asarray(v, float) for k, v in joint.default_params().items()}
    base.update({k: np.asarray(v, float) for k, v in (fixed or {}).items()})
    layout = []                              # per experiment: (own name, joint name) pairs
    for e, (m, n) in enumerate(zip(joint.models, joint.names)):
        mine = set(m.parameter_names())
        pairs = [(k, k) for k in joint.shared if k in mine]
        pairs += [(k, f"{n}{SEP}{k}") for k in joint.own_names(e)]
        layout.append(pairs)

    def f(p, data):
        if len(data) != len(mods):
            raise ValueError(f"{len(data)} data sets for {len(mods)} experiments")
        full = {**base, **{k: np.asarray(v, float) for k, v in p.items()}}
        out = 0.0
        for m, pairs, d in zip(mods, layout, data):
            out += m.log_likelihood({own: full[name] for own, name in pairs}, d)
        return -out

    return f
