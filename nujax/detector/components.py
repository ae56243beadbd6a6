"""Background components: a rate, an energy shape with parameters, and a constraint.

A :class:`BackgroundComponent` describes one background in the *deposited* (true) energy E
[MeV]: a rate R [counts/(tonne · yr)] over the whole shape, a shape f(E; θ) from
:data:`COMPONENT_SHAPES` with parameters θ, and a constraint on the rate. The shape is
normalised on its support by the same fixed-order quadrature that folds it through the detector
response, so the component integrates to its rate exactly (before efficiency and threshold):

    dN/dE = R · M · t · f(E; θ) / ∫ f(E'; θ) dE'.

The folding into measured-energy bins (efficiency, energy resolution, threshold) is done by the
binned background model (:func:`nujax.inference.build_background_model`) with the detector
response of the rate engine, so components, signal and the flat detector background see one
response. Everything is a pure ``jax.numpy`` function of the rate and θ: both are
differentiable nuisances.

Shapes (support and parameters)::

    ``flat``          [lo, hi]; no shape parameter beyond the support.
    ``polynomial``    [lo, hi]; f = max(1 + Σᵢ cᵢ xⁱ, 0), x = (E − lo)/(hi − lo), parameters c1 … cN.
    ``exponential``   [lo, hi]; f = exp(−k (E − lo)), slope ``k`` [MeV⁻¹] (negative: rising).
    ``gaussian``      a peak, mean ``mean`` [MeV] and width ``width`` [MeV] > 0, cut at ±8 widths.
    ``beta``          a β⁻ electron spectrum on [0, Q] of an isotope of :data:`BETA_ISOTOPES`:
                      dN/dT ∝ p W (Q − T)² F(Z, W) L₀ C(W) (Hayen et al., Rev. Mod. Phys. 90 (2018)
                      015008, eq. (4)), evaluated by :func:`nujax.sources.beta.beta_shape` at
                      Eν = Q − T (the same phase space, Fermi function and finite-size correction as
                      the neutrino spectra), times an optional measured shape factor.
    ``double_beta``   the summed-electron spectrum of 2νββ on [0, Q]: dN/dK ∝ K (K₀ − K)⁵ (1 + 2K +
                      4K²/3 + K³/3 + K⁴/30), K = T/m_e (Primakoff & Rosen, Rep. Prog. Phys. 22 (1959)
                      121, the non-relativistic Coulomb approximation).
    ``table``         a density tabulated in a file (:func:`read_shape_table`), interpolated with
                      interpax.

Constraints on the rate scale s = R/R₀ (nominal 1): ``"gaussian"`` (−½((s − 1)/σ)²),
``"lognormal"`` (−½(ln s/σ)², ln s ~ N(0, σ)), ``"free"`` (no term) and ``"fixed"`` (not fitted).
Shape parameters may carry Gaussian widths (``param_sigma``; absolute, in their units).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Callable, NamedTuple

import interpax
import jax
import jax.numpy as jnp
import numpy as np

from nujax.constants import M_E
from nujax.sources.beta import beta_shape

__all__ = ["BETA_ISOTOPES", "COMPONENT_SHAPES", "CONSTRAINTS", "ComponentShape",
           "BackgroundComponent", "make_component", "component_support", "component_density",
           "component_parameter_names", "component_constraint", "read_shape_table"]

#: Rate constraints a component accepts.
CONSTRAINTS = ("gaussian", "lognormal", "free", "fixed")

#: β⁻ emitters seen as backgrounds by low-energy neutrino detectors: endpoint Q [MeV] of the
#: branch, daughter charge Z, mass number A, forbiddenness, measured shape factor C(W) = Σ bᵢ Wⁱ
#: (W total electron energy in m_e; None: 1) and the source of each number.
BETA_ISOTOPES = {
    "C14": dict(q=0.156476, z=7, a=14, unique_forbidden=False, shape_factor=None,
                note="¹⁴C → ¹⁴N, allowed (0⁺ → 1⁺), Q = 156.476 keV (NUBASE2020, Kondev et al., "
                     "Chin. Phys. C 45 (2021) 030001); mean β energy 49.47 keV (NNDC NuDat)"),
    "Kr85": dict(q=0.687, z=37, a=85, unique_forbidden=True, shape_factor=None,
                 note="⁸⁵Kr → ⁸⁵Rb ground state (99.57 %), first-forbidden unique (9/2⁺ → 5/2⁻), "
                      "Q = 687 keV, mean 251 keV (NNDC NuDat 3.0)"),
    "Bi210": dict(q=1.1621, z=84, a=210, unique_forbidden=False,
                  shape_factor=(1.0, -0.4363, 0.0523),
                  note="²¹⁰Bi → ²¹⁰Po, first-forbidden non-unique (1⁻ → 0⁺), Q = 1162.1 keV "
                       "(NNDC); measured shape factor C(W) = 1 − 0.4363 W + 0.0523 W² (Alekseev "
                       "et al., arXiv:2005.08481), which softens the spectrum (mean 316 keV); "
                       "the evaluated mean 389 keV (NNDC NuDat) is that of the allowed shape"),
    "Pb214": dict(q=1.019, z=83, a=214, unique_forbidden=False, shape_factor=None,
                  note="²¹⁴Pb → ²¹⁴Bi ground-state branch (0⁺ → 1⁻, first-forbidden non-unique, "
                       "allowed shape as in the xenon-TPC background models; Hayen et al., "
                       "arXiv:2009.08303 discuss the shape factor), Q = 1019 keV (NNDC; not "
                       "re-verified here); ground-state branching (9.8 ± 0.3 stat +0.8/−0.2 sys) % "
                       "(XENONnT, arXiv:2606.17920, abstract) is the user's rate"),
}
#: 2νββ emitters: Q-value [MeV] of the summed electron energy.
DOUBLE_BETA_ISOTOPES = {
    "Xe136": dict(q=2.45783, note="¹³⁶Xe Q_ββ = 2457.83 keV (Redshaw et al., PRL 98 (2007) "
                                  "053003; value not re-verified here)"),
}


class ComponentShape(NamedTuple):
    """A registered shape: ``support(params, opts) -> (lo, hi)`` [MeV],
    ``density(E, params, opts, table) -> f(E)`` (unnormalised, ≥ 0), the parameter names and
    their defaults (``defaults(opts) -> dict``), and a description."""

    support: Callable
    density: Callable
    defaults: Callable
    doc: str = ""


def _window(p, o):
    return p["lo"], p["hi"]


def _flat(E, p, o, t):
    return jnp.ones_like(E)


def _poly(E, p, o, t):
    x = (E - p["lo"]) / (p["hi"] - p["lo"])
    val = 1.0 + sum(p[f"c{i}"] * x ** i for i in range(1, int(o["degree"]) + 1))
    return jnp.maximum(val, 0.0)


def _expo(E, p, o, t):
    return jnp.exp(-p["slope"] * (E - p["lo"]))


def _peak_support(p, o):
    return p["mean"] - 8.0 * p["width"], p["mean"] + 8.0 * p["width"]


def _gauss(E, p, o, t):
    z = (E - p["mean"]) / p["width"]
    return jnp.exp(-0.5 * z * z)


def _beta_support(p, o):
    return 0.0, BETA_ISOTOPES[o["isotope"]]["q"]


def _beta(E, p, o, t):
    iso = BETA_ISOTOPES[o["isotope"]]
    q = iso["q"]
    # Hayen et al. 2018 eq. (4) for the electron: p W (Q − T)² F L₀ C = beta_shape at Eν = Q − T
    f = beta_shape(q - E, q, iso["z"], iso["a"], unique_forbidden=iso["unique_forbidden"])
    if iso["shape_factor"] is not None and o.get("shape_factor", True):
        W = 1.0 + E / M_E
        f = f * sum(b * W ** i for i, b in enumerate(iso["shape_factor"]))  # measured C(W)
    return jnp.maximum(f, 0.0)


def _bb_support(p, o):
    return 0.0, DOUBLE_BETA_ISOTOPES[o["isotope"]]["q"]


def _double_beta(E, p, o, t):
    k0 = DOUBLE_BETA_ISOTOPES[o["isotope"]]["q"] / M_E
    inside = (E > 0) & (E < k0 * M_E)
    k = jnp.where(inside, E / M_E, 0.5 * k0)
    # Primakoff & Rosen 1959: K (K₀ − K)⁵ (1 + 2K + 4K²/3 + K³/3 + K⁴/30)
    f = k * (k0 - k) ** 5 * (1.0 + 2.0 * k + 4.0 * k ** 2 / 3.0 + k ** 3 / 3.0 + k ** 4 / 30.0)
    return jnp.where(inside, f, 0.0)


def _table_support(p, o):
    return o["lo"], o["hi"]


def _table(E, p, o, t):
    grid, vals = t
    f = interpax.interp1d(E.ravel(), grid, vals, method="linear", extrap=0.0).reshape(E.shape)
    return jnp.maximum(f, 0.0)


#: Registered component shapes (name → :class:`ComponentShape`).
COMPONENT_SHAPES = {
    "flat": ComponentShape(_window, _flat, lambda o: {"lo": 0.0, "hi": 1.0},
                           "flat on [lo, hi] [MeV]"),
    "polynomial": ComponentShape(
        _window, _poly,
        lambda o: {"lo": 0.0, "hi": 1.0, **{f"c{i}": 0.0 for i in range(1, int(o["degree"]) + 1)}},
        "1 + Σ cᵢ xⁱ on [lo, hi], x = (E − lo)/(hi − lo) (clipped at 0); option degree"),
    "exponential": ComponentShape(_window, _expo, lambda o: {"lo": 0.0, "hi": 1.0, "slope": 1.0},
                                  "exp(−slope (E − lo)) on [lo, hi]; slope [MeV⁻¹]"),
    "gaussian": ComponentShape(_peak_support, _gauss, lambda o: {"mean": 1.0, "width": 0.01},
                               "Gaussian peak: mean, width [MeV] (cut at ±8 widths)"),
    "beta": ComponentShape(_beta_support, _beta, lambda o: {},
                           "β⁻ electron spectrum of an isotope of BETA_ISOTOPES (option isotope)"),
    "double_beta": ComponentShape(_bb_support, _double_beta, lambda o: {},
                                  "2νββ summed-electron spectrum (Primakoff–Rosen); option isotope"),
    "table": ComponentShape(_table_support, _table, lambda o: {},
                            "density tabulated in a file (read_shape_table), linear interpolation"),
}


@functools.partial(jax.tree_util.register_dataclass,
                   data_fields=["rate", "params", "rate_sigma", "param_sigma", "table"],
                   meta_fields=["name", "shape", "constraint", "options"])
@dataclasses.dataclass(frozen=True)
class BackgroundComponent:
    """One background component (frozen pytree; rate and shape parameters are leaves).

    Attributes
    ----------
    rate : scalar
        Nominal rate R₀ over the whole shape [counts/(tonne · yr)] in deposited energy.
    params : dict
        Nominal shape parameters (energies in MeV, slopes in MeV⁻¹, polynomial coefficients).
    rate_sigma : scalar
        Width of the rate constraint (relative for ``"gaussian"``, of ln s for ``"lognormal"``).
    param_sigma : dict
        Gaussian widths of shape parameters (absolute; missing or 0: unconstrained when fitted).
    table : (grid [MeV], density) or None
        The tabulated density of a ``"table"`` shape.
    name : str (static)
        Label; the model's parameters are ``bkg_<name>`` (rate scale) and ``bkg_<name>_<param>``.
    shape : str (static), a key of :data:`COMPONENT_SHAPES`.
    constraint : str (static), one of :data:`CONSTRAINTS`.
    options : tuple of (key, value) pairs (static): ``isotope``, ``degree``, table support.
    """

    rate: jax.Array
    params: dict
    rate_sigma: jax.Array
    param_sigma: dict
    table: tuple = None
    name: str = ""
    shape: str = "flat"
    constraint: str = "free"
    options: tuple = ()

    @property
    def opts(self) -> dict:
        return dict(self.options)


def make_component(name: str, shape: str, rate, *, constraint: str = "free", sigma=0.0,
                   isotope=None, shape_factor=True, degree=None, table=None, param_sigma=None,
                   **params) -> BackgroundComponent:
    """Build a :class:`BackgroundComponent` with checked inputs (``ValueError`` naming the argument).

    Parameters
    ----------
    name : str
        Label (letters, digits, ``_``), unique within a model.
    shape : str
        Key of :data:`COMPONENT_SHAPES`.
    rate : float
        Nominal rate over the whole shape [counts/(tonne · yr)], ≥ 0.
    constraint : {"gaussian", "lognormal", "free", "fixed"}
        Constraint on the rate scale; ``sigma`` its width (> 0 for gaussian and lognormal).
    isotope : str
        For ``beta`` (:data:`BETA_ISOTOPES`) and ``double_beta`` (``"Xe136"``).
    shape_factor : bool
        For ``beta``: apply the isotope's measured shape factor where it has one (False: the
        allowed or unique shape alone, the convention of evaluated mean energies).
    degree : int
        For ``polynomial``.
    table : (grid [MeV], density)
        For ``table`` (see :func:`read_shape_table`).
    param_sigma : dict, optional
        Gaussian widths of shape parameters.
    **params
        Shape parameters (MeV units), defaults from the shape.

    >>> c = make_component("c14", "beta", 3.0e6, isotope="C14", constraint="gaussian", sigma=0.05)
    >>> component_parameter_names(c)
    ('bkg_c14',)
    """
    if not isinstance(name, str) or not name.replace("_", "").isalnum():
        raise ValueError(f"name must be letters, digits and '_', got {name!r}")
    if shape not in COMPONENT_SHAPES:
        raise ValueError(f"shape: unknown component shape {shape!r}; known: "
                         f"{', '.join(COMPONENT_SHAPES)}")
    if constraint not in CONSTRAINTS:
        raise ValueError(f"constraint must be one of {CONSTRAINTS}, got {constraint!r}")
    r = float(rate)
    if not (math.isfinite(r) and r >= 0):
        raise ValueError(f"rate must be a finite number ≥ 0 counts/(t yr), got {rate!r}")
    s = float(sigma)
    if not math.isfinite(s) or s < 0 or (constraint in ("gaussian", "lognormal") and s <= 0):
        raise ValueError(f"sigma must be > 0 for a {constraint} constraint (≥ 0 otherwise), "
                         f"got {sigma!r}")
    opts = {}
    if shape in ("beta", "double_beta"):
        known = BETA_ISOTOPES if shape == "beta" else DOUBLE_BETA_ISOTOPES
        if isotope not in known:
            raise ValueError(f"isotope: unknown {shape} isotope {isotope!r}; known: "
                             f"{', '.join(known)}")
        opts["isotope"] = isotope
        if shape == "beta" and not shape_factor:
            opts["shape_factor"] = False
    if shape == "polynomial":
        if not isinstance(degree, int) or degree < 1:
            raise ValueError(f"degree must be an integer ≥ 1 for a polynomial, got {degree!r}")
        opts["degree"] = degree
    tab = None
    if shape == "table":
        if table is None:
            raise ValueError("table: a 'table' shape needs (grid [MeV], density)")
        g, v = (np.asarray(x, float) for x in table)
        if g.ndim != 1 or g.shape != v.shape or g.size < 2 or np.any(np.diff(g) <= 0):
            raise ValueError("table: grid must increase strictly and match the density in length")
        if np.any(v < 0) or not np.all(np.isfinite(v)):
            raise ValueError("table: the density must be finite and ≥ 0")
        opts.update(lo=float(g[0]), hi=float(g[-1]))
        tab = (jnp.asarray(g), jnp.asarray(v))
    shp = COMPONENT_SHAPES[shape]
    defaults = shp.defaults(opts)
    bad = [k for k in params if k not in defaults]
    if bad:
        raise ValueError(f"unknown parameter(s) {bad} for shape {shape!r}; known: "
                         f"{', '.join(defaults) or 'none'}")
    p = {**defaults, **{k: float(v) for k, v in params.items()}}
    if "lo" in p and not p["hi"] > p["lo"]:
        raise ValueError(f"hi must exceed lo, got lo={p['lo']!r}, hi={p['hi']!r} MeV")
    if shape == "gaussian" and not p["width"] > 0:
        raise ValueError(f"width must be > 0 MeV, got {p['width']!r}")
    psig = {k: float(v) for k, v in (param_sigma or {}).items()}
    if any(k not in p for k in psig) or any(not (math.isfinite(v) and v >= 0) for v in psig.values()):
        raise ValueError(f"param_sigma must map shape parameters {tuple(p)} to widths ≥ 0, "
                         f"got {param_sigma!r}")
    return BackgroundComponent(jnp.asarray(r), {k: jnp.asarray(v) for k, v in p.items()},
                               jnp.asarray(s), {k: jnp.asarray(v) for k, v in psig.items()},
                               tab, name, shape, constraint, tuple(sorted(opts.items())))


def component_parameter_names(comp: BackgroundComponent) -> tuple:
    """Likelihood parameter names of a component: ``bkg_<name>`` (rate scale, unless the rate is
    ``"fixed"``) and ``bkg_<name>_<param>`` for each shape parameter."""
    rate = () if comp.constraint == "fixed" else (f"bkg_{comp.name}",)
    return rate + tuple(f"bkg_{comp.name}_{k}" for k in comp.params)


def component_support(comp: BackgroundComponent, params=None):
    """(lo, hi) of the shape [MeV] at shape parameters ``params`` (default: nominal)."""
    p = {**comp.params, **(params or {})}
    return COMPONENT_SHAPES[comp.shape].support(p, comp.opts)


def component_density(comp: BackgroundComponent, E, params=None):
    """Unnormalised shape f(E; θ) at deposited energies ``E`` [MeV], 0 outside the support."""
    p = {**comp.params, **(params or {})}
    E = jnp.asarray(E, jnp.result_type(float))
    lo, hi = component_support(comp, p)
    f = COMPONENT_SHAPES[comp.shape].density(E, p, comp.opts, comp.table)
    return jnp.where((E >= lo) & (E <= hi), f, 0.0)


def component_constraint(comp: BackgroundComponent, scale, shape_params=None):
    """log of the constraint terms of a component at rate scale ``scale`` (nominal 1) and shape
    parameters ``shape_params`` (see the module docstring); constants dropped."""
    s, sig = jnp.asarray(scale), comp.rate_sigma
    sig_safe = jnp.where(sig > 0, sig, 1.0)
    if comp.constraint == "gaussian":
        out = -0.5 * ((s - 1.0) / sig_safe) ** 2                 # Gaussian auxiliary measurement
    elif comp.constraint == "lognormal":
        ok = s > 0
        ls = jnp.log(jnp.where(ok, s, 1.0))
        out = jnp.where(ok, -0.5 * (ls / sig_safe) ** 2, -jnp.inf)   # ln s ~ N(0, σ)
    else:
        out = jnp.zeros_like(s)
    for k, w in comp.param_sigma.items():
        if shape_params is not None and k in shape_params:
            on = w > 0
            z = jnp.where(on, (shape_params[k] - comp.params[k]) / jnp.where(on, w, 1.0), 0.0)
            out = out - 0.5 * z * z
    return out


def read_shape_table(path, *, energy_column="E", value_column="density"):
    """A tabulated background density from a CSV file → (grid [MeV], density).

    The file has a header naming an energy column with its unit (``E_keV``, ``E_MeV`` …) and a
    density column; rows are read strictly by :func:`nujax.data_io.read_energy_table`
    (errors name the file and line).
    """
    from nujax.data_io import read_energy_table

    cols = read_energy_table(path, (value_column,), energy_column=energy_column)
    return cols["E_MeV"], cols[value_column]
