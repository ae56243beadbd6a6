"""Runnable fit scenarios from TOML configurations: schema, validation, model building, fits.

A scenario file has the sections

``[scenario]``  name, description, kind ("electron" | "nucleus" | "radiative"), seed reference;
``[[source]]``  one table per neutrino source: ``name`` known to
                :func:`nujax.sources.catalog.get_source` and its parameters with units in the key
                names (``distance_m``, ``activity_mci``, ``power_gw`` …), ``norm_sigma`` (relative
                1σ flux uncertainty);
``[detector]``  ``preset`` (:data:`nujax.detector.PRESETS`) and/or ``material`` plus overrides
                (``mass_t``, ``live_time_yr``, ``threshold_keV``, ``background_per_t_yr_MeV``,
                ``sigma_phi_rad`` …); ``off_live_time_yr`` adds a background-only (reactor OFF)
                measurement; ``photon_threshold_keV`` is the radiative infrared cut;
``[binning]``   ``T_keV = {min, max, n[, log]}`` or ``T_edges_keV = [...]``, ``phi_bins``,
                ``cos_bins`` (or ``cos_edges``); in radiative scenarios the binned energy is the
                energy release ν = T + E_γ;
``[truth]``     mu_1e11, phi_B [rad], pe, norm, eff_scale, bkg_scale;
``[fit]``       free parameters, ``eff_sigma``, ``bkg_sigma`` (number or "free"), ``cl``,
                ``mu_max``, ``nuts = {chains, warmup, samples, prior, prior_scale}``, ``toys``,
                ``exposure_factors``;
``[physics]``   ``sin2w``, ``skin_fm`` (nucleus);
``[scan]``      validated by :func:`nujax.inference.scan.validate_scan_section` when available.

Every problem raises :class:`nujax.errors.ConfigError` naming the dotted key. The ON/OFF
background measurement: a background-only exposure r = t_OFF/t_ON times longer sees r·B events
for B background events ON, a Poisson measurement of the background scale b with Fisher
information r B / b², i.e. a Gaussian constraint of width σ_b = 1/√(r B) at b = 1 (the
large-count limit of the OFF likelihood, which this replaces).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
from pathlib import Path

import numpy as np

from nujax.errors import ConfigError

__all__ = ["Scenario", "load_config", "build_scenario", "run_fit", "KINDS", "SCHEMA"]

KINDS = ("electron", "nucleus", "radiative")
_REQUIRED = object()
_PARAMS = ("mu_1e11", "phi_B", "norm", "eff_scale", "bkg_scale")


# ----------------------------------------------------------------------------------------------
# schema: section -> key -> (checker, default); checkers raise ConfigError(key, why)
# ----------------------------------------------------------------------------------------------
def _num(lo=None, hi=None, *, lo_open=False, hi_open=False, integer=False):
    def check(key, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(key, f"must be a number, got {type(v).__name__} {v!r}")
        if integer and int(v) != v:
            raise ConfigError(key, f"must be an integer, got {v!r}")
        if not math.isfinite(v):
            raise ConfigError(key, f"must be finite, got {v!r}")
        if lo is not None and (v < lo or (lo_open and v == lo)):
            raise ConfigError(key, f"must be {'>' if lo_open else '≥'} {lo}, got {v!r}")
        if hi is not None and (v > hi or (hi_open and v == hi)):
            raise ConfigError(key, f"must be {'<' if hi_open else '≤'} {hi}, got {v!r}")
        return int(v) if integer else float(v)
    return check


def _str(choices=None):
    def check(key, v):
        if not isinstance(v, str):
            raise ConfigError(key, f"must be a string, got {type(v).__name__} {v!r}")
        if choices is not None and v not in choices:
            raise ConfigError(key, f"must be one of {', '.join(choices)}; got {v!r}")
        return v
    return check


def _bool(key, v):
    if not isinstance(v, bool):
        raise ConfigError(key, f"must be true or false, got {v!r}")
    return v


def _numlist(lo=None, *, increasing=False, min_len=1):
    def check(key, v):
        if not isinstance(v, (list, tuple)) or len(v) < min_len:
            raise ConfigError(key, f"must be a list of ≥ {min_len} numbers, got {v!r}")
        out = [_num(lo)(f"{key}[{i}]", x) for i, x in enumerate(v)]
        if increasing and np.any(np.diff(out) <= 0):
            raise ConfigError(key, "must be strictly increasing")
        return out
    return check


def _range(key, v):
    """``{min, max, n[, log]}`` table of bin edges."""
    if not isinstance(v, dict):
        raise ConfigError(key, f"must be a table {{min, max, n}}, got {v!r}")
    _unknown(key, v, ("min", "max", "n", "log"))
    for k in ("min", "max", "n"):
        if k not in v:
            raise ConfigError(f"{key}.{k}", "missing")
    lo = _num(0.0)(f"{key}.min", v["min"])
    hi = _num(0.0, lo_open=True)(f"{key}.max", v["max"])
    n = _num(1, integer=True)(f"{key}.n", v["n"])
    log = _bool(f"{key}.log", v.get("log", False))
    if hi <= lo:
        raise ConfigError(f"{key}.max", f"must exceed min = {lo}, got {hi}")
    if log and lo <= 0:
        raise ConfigError(f"{key}.min", "must be > 0 for logarithmic bins")
    return {"min": lo, "max": hi, "n": n, "log": log}


def _bkg_sigma(key, v):
    if v == "free":
        return v
    return _num(0.0)(key, v)


def _free(key, v):
    if not isinstance(v, (list, tuple)) or not v:
        raise ConfigError(key, f"must be a non-empty list of parameter names, got {v!r}")
    for i, x in enumerate(v):
        if x not in _PARAMS:
            raise ConfigError(f"{key}[{i}]", f"unknown parameter {x!r}; known: {', '.join(_PARAMS)}")
    if "mu_1e11" not in v:
        raise ConfigError(key, "must include 'mu_1e11' (the parameter of interest)")
    return list(dict.fromkeys(v))


def _nuts(key, v):
    if not isinstance(v, dict):
        raise ConfigError(key, f"must be a table {{chains, warmup, samples}}, got {v!r}")
    _unknown(key, v, ("chains", "warmup", "samples", "prior", "prior_scale"))
    return {"chains": _num(1, integer=True)(f"{key}.chains", v.get("chains", 4)),
            "warmup": _num(1, integer=True)(f"{key}.warmup", v.get("warmup", 500)),
            "samples": _num(1, integer=True)(f"{key}.samples", v.get("samples", 1000)),
            "prior": _str(("halfnormal", "loguniform"))(f"{key}.prior", v.get("prior", "halfnormal")),
            "prior_scale": _num(0.0, lo_open=True)(f"{key}.prior_scale", v.get("prior_scale", 10.0))}


_POS = _num(0.0, lo_open=True)
_NONNEG = _num(0.0)
_PROB = _num(0.0, 1.0)

#: The configuration schema: section → key → (checker, default); _REQUIRED marks required keys.
SCHEMA = {
    "scenario": {"name": (_str(), _REQUIRED), "description": (_str(), ""),
                 "kind": (_str(KINDS), "electron"), "seed": (_str(), "")},
    "detector": {"preset": (_str(), None), "material": (_str(), None), "mass_t": (_POS, None),
                 "live_time_yr": (_POS, None), "threshold_keV": (_NONNEG, None),
                 "background_per_t_yr_MeV": (_NONNEG, None), "sigma_phi_rad": (_NONNEG, None),
                 "sigma_theta_rad": (_NONNEG, None), "eff_plateau": (_PROB, None),
                 "eff_T50_keV": (_NONNEG, None), "eff_width_keV": (_NONNEG, None),
                 "res_const_keV": (_NONNEG, None), "res_stoch_sqrtMeV": (_NONNEG, None),
                 "res_lin": (_NONNEG, None), "smearing": (_bool, None), "binding": (_bool, None),
                 "off_live_time_yr": (_POS, None), "photon_threshold_keV": (_POS, None)},
    "binning": {"T_keV": (_range, None), "T_edges_keV": (_numlist(0.0, increasing=True, min_len=2), None),
                "phi_bins": (_num(0, integer=True), 0), "cos_bins": (_num(0, integer=True), 0),
                "cos_edges": (_numlist(-1.0, increasing=True, min_len=2), None)},
    "truth": {"mu_1e11": (_NONNEG, 0.0), "phi_B": (_num(), 0.0), "pe": (_PROB, 1.0),
              "norm": (_NONNEG, 1.0), "eff_scale": (_NONNEG, 1.0), "bkg_scale": (_NONNEG, 1.0)},
    "fit": {"free": (_free, None), "eff_sigma": (_NONNEG, 0.0), "bkg_sigma": (_bkg_sigma, None),
            "cl": (_num(0.0, 1.0, lo_open=True, hi_open=True), 0.9), "mu_max": (_POS, 50.0),
            "nuts": (_nuts, None), "toys": (_num(0, integer=True), 0),
            "exposure_factors": (_numlist(0.0), [0.1, 0.3, 1.0, 3.0, 10.0, 30.0])},
    "physics": {"sin2w": (_num(0.0, 1.0, lo_open=True, hi_open=True), None),
                "skin_fm": (_num(), 0.0)},
}

#: Keys of a ``[[source]]`` table: key → (checker, get_source keyword, unit factor).
SOURCE_KEYS = {
    "name": (_str(), None, None), "norm_sigma": (_NONNEG, None, None),
    "distance_m": (_POS, "distance_cm", 100.0), "activity_mci": (_POS, "activity_mci", 1.0),
    "activity_bq": (_POS, "activity_bq", 1.0), "power_gw": (_POS, "power_gw", 1.0),
    "distance_kpc": (_POS, "distance_kpc", 1.0), "energy_1e52_erg": (_POS, "energies_1e52_erg", 1.0),
    "pot_per_s": (_POS, "pot_per_s", 1.0), "flux_cm2_s": (_POS, "flux", 1.0),
}


def _unknown(prefix, table, known):
    for k in table:
        if k not in known:
            raise ConfigError(f"{prefix}.{k}" if prefix else k,
                              f"unknown key; known: {', '.join(known)}")


def _read(path_or_dict):
    if isinstance(path_or_dict, dict):
        raw = copy.deepcopy(path_or_dict)
        origin = "<dict>"
        if isinstance(raw.get("scenario"), dict):    # an already validated config: re-validate
            origin = raw["scenario"].pop("origin", origin)
        return raw, origin
    path = Path(os.fspath(path_or_dict))
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    try:
        return tomllib.loads(text.decode("utf-8")), str(path)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"invalid TOML: {exc}") from exc


def _sources(raw):
    from nujax.sources.catalog import SOURCE_NAMES

    if raw is None:
        raise ConfigError("source", "missing: give at least one [[source]] table")
    tables = [raw] if isinstance(raw, dict) else raw
    if not isinstance(tables, list) or not tables:
        raise ConfigError("source", "must be one or more [[source]] tables")
    out = []
    for i, t in enumerate(tables):
        key = f"source[{i}]"
        if not isinstance(t, dict):
            raise ConfigError(key, f"must be a table, got {t!r}")
        _unknown(key, t, tuple(SOURCE_KEYS))
        if "name" not in t:
            raise ConfigError(f"{key}.name", "missing")
        s = {k: SOURCE_KEYS[k][0](f"{key}.{k}", v) for k, v in t.items()}
        if s["name"] not in SOURCE_NAMES:
            raise ConfigError(f"{key}.name", f"unknown source {s['name']!r}; known: {', '.join(SOURCE_NAMES)}")
        s.setdefault("norm_sigma", 0.0)
        out.append(s)
    return out


def load_config(path_or_dict) -> dict:
    """Parse (TOML file) and validate a scenario configuration; defaults are filled in.

    Parameters
    ----------
    path_or_dict : str, os.PathLike or dict
        A TOML file or an already parsed dictionary (not modified).

    Returns
    -------
    dict
        Sections ``scenario``, ``source`` (list), ``detector``, ``binning``, ``truth``, ``fit``,
        ``physics`` (and ``scan`` if given), every key validated; energies keep the units of
        their key names (keV in the file).

    Raises
    ------
    ConfigError
        Naming the dotted key: unknown sections or keys, wrong types, impossible values
        (negative exposure, pe outside [0, 1], threshold above the last bin edge …), malformed TOML.

    >>> cfg = load_config({"scenario": {"name": "demo"}, "source": [{"name": "pp"}],
    ...                    "detector": {"preset": "hellaz"}, "binning": {"T_keV": {"min": 100, "max": 260, "n": 8}}})
    >>> cfg["truth"]["pe"], cfg["fit"]["cl"]
    (1.0, 0.9)
    >>> load_config({"scenario": {"name": "x"}, "truth": {"pe": 1.5}})
    Traceback (most recent call last):
    ...
    nujax.errors.ConfigError: truth.pe: must be ≤ 1.0, got 1.5
    """
    raw, origin = _read(path_or_dict)
    known = tuple(SCHEMA) + ("source", "scan")
    _unknown("", raw, known)
    cfg = {}
    for sec, keys in SCHEMA.items():
        table = raw.get(sec, {})
        if not isinstance(table, dict):
            raise ConfigError(sec, f"must be a table, got {table!r}")
        _unknown(sec, table, tuple(keys))
        out = {}
        for k, (check, default) in keys.items():
            if k in table and not (table[k] is None and default is None):
                out[k] = check(f"{sec}.{k}", table[k])
            elif default is _REQUIRED:
                raise ConfigError(f"{sec}.{k}", "missing")
            else:
                out[k] = copy.deepcopy(default)
        cfg[sec] = out
    cfg["source"] = _sources(raw.get("source"))
    _cross_checks(cfg, raw)
    if "scan" in raw:
        cfg["scan"] = _scan(raw["scan"])
    cfg["scenario"]["origin"] = origin
    return cfg


def _scan(section):
    try:
        from nujax.inference.scan import validate_scan_section
    except ImportError:
        return copy.deepcopy(section)
    return validate_scan_section(section)


def _cross_checks(cfg, raw):
    det, b = cfg["detector"], cfg["binning"]
    if det["preset"] is None and det["material"] is None:
        raise ConfigError("detector.material", "missing: give a preset or a material")
    from nujax.detector import MATERIALS, PRESETS, get_material, preset as _preset
    for key, make, known in (("preset", _preset, PRESETS), ("material", get_material, MATERIALS)):
        if det[key] is not None:
            try:
                make(det[key])
            except ValueError:
                raise ConfigError(f"detector.{key}", f"unknown {key} {det[key]!r}; known: "
                                  f"{', '.join(sorted(known))}") from None
    if (b["T_keV"] is None) == (b["T_edges_keV"] is None):
        raise ConfigError("binning.T_keV", "give exactly one of T_keV = {min, max, n} or T_edges_keV")
    if b["cos_bins"] and b["cos_edges"] is not None:
        raise ConfigError("binning.cos_edges", "give either cos_bins or cos_edges, not both")
    if b["cos_edges"] is not None and b["cos_edges"][-1] > 1.0:
        raise ConfigError("binning.cos_edges", "must lie within [-1, 1]")
    top = b["T_keV"]["max"] if b["T_keV"] else b["T_edges_keV"][-1]
    if det["threshold_keV"] is not None and det["threshold_keV"] >= top:
        raise ConfigError("detector.threshold_keV",
                          f"{det['threshold_keV']} keV lies above the last bin edge {top} keV")
    kind = cfg["scenario"]["kind"]
    if kind == "radiative":
        if det["photon_threshold_keV"] is None:
            raise ConfigError("detector.photon_threshold_keV",
                              "missing: radiative scenarios need an infrared cut E_γ ≥ E_th > 0 (seed 004 eq. (44))")
        if b["phi_bins"] or b["cos_bins"] or b["cos_edges"] is not None:
            raise ConfigError("binning.phi_bins", "radiative scenarios bin the energy release only")
    if kind == "nucleus" and b["phi_bins"]:
        raise ConfigError("binning.phi_bins", "nucleus scenarios have no azimuthal modulation "
                          "for longitudinally polarised beams; use cos_bins for recoil directions")
    if kind == "electron" and b["phi_bins"] and (b["cos_bins"] or b["cos_edges"] is not None):
        pass  # (T, cosθ, φ) bins are supported by build_model
    if cfg["fit"]["bkg_sigma"] is not None and det["off_live_time_yr"] is not None:
        raise ConfigError("detector.off_live_time_yr",
                          "the OFF exposure sets the background constraint; drop fit.bkg_sigma")
    fit = cfg["fit"]
    for i, s in enumerate(cfg["source"]):
        if kind == "radiative" and s["name"] not in ("reactor", "90Sr-90Y", "51Cr", "37Ar", "49V", "145Sm"):
            raise ConfigError(f"source[{i}].name", "radiative scenarios take reactor or artificial sources")
    if fit["free"] is not None and "phi_B" in fit["free"] and not b["phi_bins"]:
        raise ConfigError("fit.free", "'phi_B' needs azimuth bins (binning.phi_bins > 0)")


# ----------------------------------------------------------------------------------------------
# scenario building
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Scenario:
    """A built scenario: the binned model, the injected truth and the parameters to fit.

    Attributes
    ----------
    name : str
    model : nujax.inference.BinnedModel
    truth : dict
        Likelihood parameters (mu_1e11 [10⁻¹¹ μ_B], phi_B [rad], norm (S,), eff_scale, bkg_scale).
    free : tuple of str
        Parameters to fit.
    config : dict
        The validated configuration.
    meta : dict
        Description, kind, seed reference, units and counts.
    """

    name: str
    model: object
    truth: dict
    free: tuple
    config: dict
    meta: dict


def _default_free(model, fit):
    free = ["mu_1e11"]
    if model.directional:
        free.append("phi_B")
    if np.any(np.asarray(model.norm_sigma) > 0):
        free.append("norm")
    if fit["eff_sigma"] > 0:
        free.append("eff_scale")
    if float(np.sum(model.background)) > 0 and (not model.bkg_constrained or float(model.bkg_sigma) > 0):
        free.append("bkg_scale")
    return tuple(free)


def build_scenario(cfg: dict) -> Scenario:
    """Build the :class:`Scenario` (templates, truth, free parameters) of a validated config.

    Electron scenarios use :func:`nujax.inference.build_model`; "nucleus" and "radiative" ones
    the template builders of :mod:`nujax.scenarios_builders`. Raises ConfigError for physically
    impossible set-ups (threshold above the kinematic endpoint, no signal in the bins).
    """
    import jax.numpy as jnp

    from nujax.constants import SIN2_THETA_W
    from nujax.inference import build_model
    from nujax.scenarios_builders import (bin_edges, make_config_detector, make_config_sources,
                                          nucleus_model, radiative_model)

    if "source" not in cfg or "scenario" not in cfg:
        cfg = load_config(cfg)
    kind = cfg["scenario"]["kind"]
    det = make_config_detector(cfg["detector"])
    sources = make_config_sources(cfg["source"])
    T, cos, phi = bin_edges(cfg["binning"], kind)
    fit, truth_cfg = cfg["fit"], cfg["truth"]
    sin2w = cfg["physics"]["sin2w"] or SIN2_THETA_W
    spectra = tuple(s for sp, _, _ in sources for s in sp)
    nsig = tuple(ns for sp, ns, _ in sources for _ in sp)
    bkg_sigma = {"free": None, None: 0.1}.get(fit["bkg_sigma"], fit["bkg_sigma"])
    if kind == "electron":
        model = build_model(spectra, det, T, phi, cos, pe=truth_cfg["pe"], norm_sigma=nsig,
                            eff_sigma=fit["eff_sigma"], bkg_sigma=bkg_sigma, sin2w=sin2w)
    elif kind == "nucleus":
        model = nucleus_model(spectra, det, T, cos, norm_sigma=nsig, eff_sigma=fit["eff_sigma"],
                              bkg_sigma=bkg_sigma, sin2w=sin2w, skin_fm=cfg["physics"]["skin_fm"])
    else:
        model = radiative_model(spectra, det, T, cfg["detector"]["photon_threshold_keV"] * 1e-3,
                                norm_sigma=nsig, eff_sigma=fit["eff_sigma"], bkg_sigma=bkg_sigma,
                                sin2w=sin2w)
    if not float(jnp.sum(model.weak + model.em)) > 0:
        raise ConfigError("detector.threshold_keV", "no signal in the bins: the threshold or the "
                          "bins lie above the kinematic endpoint of the sources")
    if cfg["detector"]["off_live_time_yr"] is not None:       # ON/OFF: module docstring
        r = cfg["detector"]["off_live_time_yr"] / float(det.live_time_yr)
        B = float(jnp.sum(model.background))
        if B <= 0:
            raise ConfigError("detector.off_live_time_yr", "an OFF measurement needs a background")
        model = dataclasses.replace(model, bkg_sigma=jnp.asarray(1.0 / math.sqrt(r * B)),
                                    bkg_constrained=True)
    free = tuple(fit["free"]) if fit["free"] is not None else _default_free(model, fit)
    if "phi_B" in free and not model.directional:
        raise ConfigError("fit.free", "'phi_B' needs azimuth bins")
    truth = {"mu_1e11": truth_cfg["mu_1e11"], "phi_B": truth_cfg["phi_B"],
             "norm": np.full(model.n_sources, truth_cfg["norm"]),
             "eff_scale": truth_cfg["eff_scale"], "bkg_scale": truth_cfg["bkg_scale"]}
    sc = cfg["scenario"]
    meta = {"description": sc["description"], "kind": kind, "seed": sc["seed"],
            "detector": det.name or str(cfg["detector"]["material"]),
            "units": {"mu_1e11": "1e-11 mu_B", "phi_B": "rad", "T_edges": "MeV"},
            "T_edges_MeV": np.asarray(T), "cos_edges": cos, "phi_edges": phi,
            "sources": [n for _, _, n in sources], "exposure_t_yr": float(det.exposure_t_yr)}
    if kind == "electron" and cfg["detector"]["off_live_time_yr"] is None:
        from nujax.inference.scan import TemplateSpec   # lets scans vary threshold, Pe and σ_φ

        meta["template_spec"] = TemplateSpec(spectra, det, np.asarray(T), phi, cos,
                                             truth_cfg["pe"], nsig, fit["eff_sigma"], bkg_sigma,
                                             {"sin2w": sin2w})
    return Scenario(sc["name"], model, truth, free, cfg, meta)



# ----------------------------------------------------------------------------------------------
# the fit driver
# ----------------------------------------------------------------------------------------------
def _f(x):
    """A JSON-friendly float (None for NaN/inf)."""
    v = float(np.asarray(x))
    return v if math.isfinite(v) else None


def _outputs(nuts: bool):
    names = ["summary.json", "profile.png", "exposure.png", "data.png"]
    return names + (["corner.png", "posterior.nc"] if nuts else [])


def run_fit(cfg: dict, out_dir, *, force=False, quick=False, progress=True, seed=0) -> dict:
    """Build the scenario, make Asimov and toy data, fit, set limits, plot; write ``out_dir``.

    Steps: templates (:func:`build_scenario`); Asimov data at the truth and one Poisson toy data
    set ("observed"); optax MLE of the free parameters on both; 1σ errors from the Fisher
    matrix at the truth; the 90 % (``fit.cl``) CL profile-likelihood upper limit on |μ_ν| from the
    toy data; the median expected (Asimov, μ = 0) Fisher limit and its scaling with exposure;
    NUTS when ``[fit.nuts]`` is given; a toy-based Neyman limit when ``fit.toys`` > 0.

    Parameters
    ----------
    cfg : dict
        Validated configuration (:func:`load_config`).
    out_dir : str or os.PathLike
        Folder for summary.json, profile.png, exposure.png, data.png (+ corner.png and
        posterior.nc when NUTS ran); files are written atomically.
    force : bool
        Overwrite existing output files (else FileExistsError naming the first one found).
    quick : bool
        A tiny NUTS run (2 chains × 100 after 100 warm-up), at most 20 toys, coarser limit scans.
    progress : bool
        Print one line per step.
    seed : int
        Seed of the toy data, NUTS and toys.

    Returns
    -------
    dict
        Flat summary (also in summary.json): truth, MLE ± Fisher error, limits [10⁻¹¹ μ_B],
        counts, NUTS diagnostics, timings [s], warnings.
    """
    import json
    import time
    import warnings

    import jax

    from nujax import inference as inf
    from nujax._io import atomic_path
    from nujax.scenarios_builders import (fisher_errors, nuts_summary, plot_data, plot_exposure,
                                          plot_posterior, plot_profile, profile_limit, sensitivity)

    cfg = load_config(cfg) if "origin" not in cfg.get("scenario", {}) else cfg
    out = Path(os.fspath(out_dir))
    fit = cfg["fit"]
    nuts_cfg = fit["nuts"]
    for name in _outputs(nuts_cfg is not None):
        if (out / name).exists() and not force:
            raise FileExistsError(f"{out / name} exists; use force=True (--force) to overwrite")
    log = (lambda msg: print(f"[{cfg['scenario']['name']}] {msg}", flush=True)) if progress else (lambda msg: None)
    t_all = time.perf_counter()
    timings, notes = {}, []
    t0 = time.perf_counter()
    sc = build_scenario(cfg)
    model, truth, free = sc.model, sc.truth, sc.free
    jax.block_until_ready(model.weak)
    timings["time_build_s"] = time.perf_counter() - t0
    log(f"templates built: {int(np.prod(model.bin_shape))} bins, {model.n_sources} source(s)")
    key = jax.random.PRNGKey(int(seed))
    asimov = inf.asimov_data(model, truth)
    data = inf.toy_data(jax.random.fold_in(key, 1), model, truth)
    nuis = tuple(p for p in free if p != "mu_1e11")
    summary = {"scenario": sc.name, "kind": sc.meta["kind"], "seed_ref": sc.meta["seed"],
               "n_bins": int(np.prod(model.bin_shape)), "exposure_t_yr": sc.meta["exposure_t_yr"],
               "cl": fit["cl"], "free": ",".join(free)}
    for k in ("mu_1e11", "phi_B", "eff_scale", "bkg_scale"):
        summary[f"truth_{k}"] = _f(truth[k])
    summary["truth_pe"] = cfg["truth"]["pe"]
    lam = inf.expected(model, truth)
    summary.update(counts_weak=_f(np.sum(model.weak)), counts_em_per_mu2=_f(np.sum(model.em)),
                   counts_em_at_truth=_f(truth["mu_1e11"] ** 2 * np.sum(model.em)),
                   counts_background=_f(np.sum(model.background)), counts_total=_f(np.sum(lam)),
                   counts_observed=_f(np.sum(data)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        r_as = inf.fit_mle(model, asimov, free=free, init=truth, tol=1e-8)
        r = inf.fit_mle(model, data, free=free, init=truth)
        timings["time_mle_s"] = time.perf_counter() - t0
        summary["asimov_mu_hat"] = _f(r_as.params["mu_1e11"])
        summary["mle_converged"] = bool(r.converged)
        errs = fisher_errors(model, truth, free)
        for k in free:
            v = np.ravel(np.asarray(r.params[k]))
            for i, x in enumerate(v):
                lab = k if v.size == 1 else f"{k}[{i}]"
                summary[f"mle_{lab}"] = _f(x)
                summary[f"err_{lab}"] = errs.get(lab, errs.get(f"{k}[0]"))
        log(f"MLE: mu = {float(r.params['mu_1e11']):.4g} ± {errs.get('mu_1e11') or float('nan'):.3g}")
        t0 = time.perf_counter()
        lim, grid, q, note = profile_limit(model, data, nuis, float(r.nll),
                                            float(r.params["mu_1e11"]), fit, quick)
        notes += [f"profile limit: {note}"] if note else []
        summary["limit_profile"] = _f(lim)
        prof_nuis = tuple(p for p in nuis if p != "phi_B")
        factors = np.asarray(fit["exposure_factors"], float)
        if quick:
            factors = factors[:: max(len(factors) // 3, 1)]
        curve = sensitivity(model, np.concatenate([[1.0], factors]), prof_nuis, fit["cl"],
                             float(truth["phi_B"]))
        summary["limit_expected_fisher"] = _f(curve[0])
        curve = curve[1:]
        timings["time_limits_s"] = time.perf_counter() - t0
        log(f"90% CL limits: profile {summary['limit_profile']}, expected (Fisher) {summary['limit_expected_fisher']}")
        if fit["toys"]:
            t0 = time.perf_counter()
            n_toys = min(fit["toys"], 20) if quick else fit["toys"]
            top = 2.0 * (lim if np.isfinite(lim) else fit["mu_max"])
            mu_up, _ = inf.toy_upper_limit(jax.random.fold_in(key, 2), model, data,
                                           np.linspace(0.0, top, 6 if quick else 12), n_toys,
                                           nuisances=nuis, cl=fit["cl"])
            summary["limit_toys"], summary["n_toys"] = _f(mu_up), n_toys
            timings["time_toys_s"] = time.perf_counter() - t0
        post = None
        if nuts_cfg is not None:
            post = nuts_summary(model, data, nuts_cfg, free, quick, jax.random.fold_in(key, 3), summary, timings)
            log(f"NUTS: credible limit {summary['limit_credible']:.4g}, r_hat max {summary['r_hat_max']:.3f}")
    notes += sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    summary["warnings"] = "; ".join(notes)
    timings["time_total_s"] = time.perf_counter() - t_all
    summary.update({k: round(v, 3) for k, v in timings.items()})
    plot_profile(out / "profile.png", grid, q, fit["cl"], sc.name)
    plot_exposure(out / "exposure.png", factors * sc.meta["exposure_t_yr"], curve, fit["cl"], sc.name)
    plot_data(out / "data.png", model, data, lam, sc.meta, sc.name)
    if post is not None:
        plot_posterior(out / "corner.png", post.samples, sc.name)
        from nujax.inference.models import save_netcdf
        save_netcdf(post.idata, out / "posterior.nc")
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {out}")
    return summary
