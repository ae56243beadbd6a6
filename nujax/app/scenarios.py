"""Runnable scenarios: the detector, sources and bins of a validated configuration, and the
binned model with the injected truth and the parameters to fit.

The configuration itself (schema, reading, validation) is :mod:`nujax.app.scenario_config`.
The ON/OFF background measurement: a background-only exposure r = t_OFF/t_ON times longer sees
r·B events for B background events ON, a Poisson measurement of the background scale b with
Fisher information r B / b², i.e. a Gaussian constraint of width σ_b = 1/√(r B) at b = 1 (the
large-count limit of the OFF likelihood, which this replaces). ``[scenario] off_data`` instead
fits a measured OFF spectrum bin by bin (:class:`nujax.inference.onoff.OnOffModel`): the
detector's flat background is then the OFF spectrum scaled by α = t_ON/t_OFF (the ratio of the
detector's exposure to the file's), profiled per bin, and ``bkg_scale`` is not a parameter.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from nujax.app.em_entries import EM_ENTRIES, EM_UNITS
from nujax.app.scenario_config import SOURCE_KEYS, load_config
from nujax.errors import ConfigError

__all__ = ["Scenario", "build_scenario", "scenario_size", "check_scenario_size", "make_config_detector", "make_config_sources",
           "bin_edges", "target_options"]


# ----------------------------------------------------------------------------------------------
# detector, sources and bins from the validated configuration sections
# ----------------------------------------------------------------------------------------------
#: ``[detector]`` key → (make_detector keyword, unit factor to MeV; None: passed as is).
_DETECTOR_KEYS = {
    "mass_t": ("mass_t", 1.0), "live_time_yr": ("live_time_yr", 1.0),
    "threshold_keV": ("threshold", 1e-3), "background_per_t_yr_MeV": ("background", 1.0),
    "sigma_phi_rad": ("sigma_phi", 1.0), "sigma_theta_rad": ("sigma_theta", 1.0),
    "eff_plateau": ("eff_plateau", 1.0), "eff_T50_keV": ("eff_T50", 1e-3),
    "eff_width_keV": ("eff_width", 1e-3), "res_const_keV": ("res_const", 1e-3),
    "res_stoch_sqrtMeV": ("res_stoch", 1.0), "res_lin": ("res_lin", 1.0),
    "smearing": ("smearing", None), "binding": ("binding", None), "material": ("material", None),
    "quenching": ("quenching", None)}


def make_config_detector(det_cfg: dict):
    """A :class:`nujax.detector.Detector` from the ``[detector]`` section (keV → MeV here)."""
    from nujax.detector import make_detector, preset

    kw = {}
    for k, (name, f) in _DETECTOR_KEYS.items():
        v = det_cfg.get(k)
        if v is not None:
            kw[name] = v if f is None else v * f
    try:
        if det_cfg.get("preset"):
            return preset(det_cfg["preset"], **kw)
        return make_detector(**kw)
    except ValueError as exc:
        raise ConfigError("detector", str(exc)) from exc


def make_config_sources(src_cfg: list, time_window_ns=None):
    """[(spectra tuple, norm_sigma, source name)] from the ``[[source]]`` tables.

    ``time_window_ns``: keep the π-DAR events arriving in [t0, t1] ns (each component's flux
    times its fraction in the window, :func:`nujax.sources.accelerator.pidar_time_fractions`)."""
    from nujax.sources.accelerator import pidar_arrival_fractions
    from nujax.sources.catalog import get_source

    out = []
    for i, s in enumerate(src_cfg):
        kw = {SOURCE_KEYS[k][1]: (v if SOURCE_KEYS[k][2] is None else v * SOURCE_KEYS[k][2])
              for k, v in s.items() if SOURCE_KEYS[k][1] is not None}
        if kw.get("oscillation") == "none":
            kw["oscillation"] = None
        try:
            spectra = get_source(s["name"], **kw)
        except ValueError as exc:
            raise ConfigError(f"source[{i}]", str(exc)) from exc
        if time_window_ns is not None:
            frac = pidar_arrival_fractions(spectra, _time_fractions(s, time_window_ns))[:, 0]
            spectra = tuple(dataclasses.replace(sp, flux=sp.flux * f)
                            for sp, f in zip(spectra, frac))
        out.append((spectra, s["norm_sigma"], s["name"]))
    return out


def _time_fractions(src: dict, t_edges_ns):
    """(3, n_t) π-DAR time fractions of one ``[[source]]`` table, with its timing-cut acceptance
    (``time_efficiency``, :data:`nujax.detector.presets.TIME_EFFICIENCIES`) when it has one."""
    from nujax.detector.presets import TIME_EFFICIENCIES
    from nujax.sources.accelerator import pidar_time_fractions

    eff = src.get("time_efficiency")
    return pidar_time_fractions(t_edges_ns, time_efficiency=None if eff is None
                                else TIME_EFFICIENCIES[eff])


def bin_edges(binning: dict, target: str = "electron"):
    """(T_edges [MeV], cos_edges or None, phi_edges or None) from the ``[binning]`` section."""
    r = binning["T_keV"]
    if r is not None:
        f = np.geomspace if r["log"] else np.linspace
        T = f(r["min"], r["max"], r["n"] + 1) * 1e-3
    else:
        T = np.asarray(binning["T_edges_keV"], float) * 1e-3
    cos = None
    if binning["cos_edges"] is not None:
        cos = np.asarray(binning["cos_edges"], float)
    elif binning["cos_bins"]:
        lo = 0.0 if target == "nucleus" else -1.0       # nuclear recoils only go forward
        cos = np.linspace(lo, 1.0, binning["cos_bins"] + 1)
    phi = np.linspace(0.0, 2 * np.pi, binning["phi_bins"] + 1) if binning["phi_bins"] else None
    return T, cos, phi


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
        Description, target, seed reference, units and counts.
    data : numpy array or None
        Observed counts per bin from ``[scenario] data`` (None: no observed data).
    """

    name: str
    model: object
    truth: dict
    free: tuple
    config: dict
    meta: dict
    data: object = None


def _default_free(model, fit):
    from nujax.inference.parameters import PARAMETER_NAMES

    base = getattr(model, "base", model)           # a model with background components
    free = ["mu_1e11", *model.em_names]
    if model.directional:
        free.append("phi_B")
    if np.any(np.asarray(model.norm_sigma) > 0):
        free.append("norm")
    if fit["eff_sigma"] > 0:
        free.append("eff_scale")
    if float(np.sum(base.background)) > 0 and (not model.bkg_constrained or float(model.bkg_sigma) > 0):
        free.append("bkg_scale")
    own = tuple(model.parameter_names())[len(PARAMETER_NAMES) + len(model.em_names):]
    return tuple(free) + own                  # background components' rates and floated shapes


#: Cost of one (bin × source) of the templates, measured on fits/hellaz_pp.toml (pp, 36 φ bins)
#: between 1 800 and 72 000 bins on a 2-core CPU: ~1.35 kB of peak memory and ~46 μs each; the
#: guard uses these rounded up (an order-of-magnitude estimate, not a promise).
BYTES_PER_BIN = 1.5e3
SECONDS_PER_BIN = 5e-5


def scenario_size(cfg: dict):
    """:class:`~nujax.app.runtime.SizeEstimate` of building a scenario's templates: bins × sources,
    memory and time from :data:`BYTES_PER_BIN` and :data:`SECONDS_PER_BIN` (``cfg`` validated)."""
    from nujax.app.runtime import SizeEstimate

    b = cfg["binning"]
    n_T = len(b["T_edges_keV"]) - 1 if b.get("T_edges_keV") is not None else (
        b["T_keV"]["n"] if b.get("T_keV") else 1)
    n_cos = len(b["cos_edges"]) - 1 if b.get("cos_edges") is not None else b.get("cos_bins") or 1
    n = int(n_T) * max(int(b.get("phi_bins") or 1), 1) * max(int(n_cos), 1) * max(len(cfg["source"]), 1)
    return SizeEstimate(points=n, bytes=n * BYTES_PER_BIN, seconds=n * SECONDS_PER_BIN,
                        unit="bins × sources")


def check_scenario_size(cfg: dict, *, yes: bool = False):
    """Refuse a scenario whose templates exceed the limits of :func:`nujax.app.runtime.check_size`
    (SizeError naming the estimate and ``--yes``) before any array is allocated."""
    from nujax.app.runtime import check_size

    if "binning" not in cfg:       # not a scenario file: nothing is built from it
        return None
    return check_size(f"the binning of {cfg['scenario']['name']}", scenario_size(cfg), yes=yes)


def build_scenario(cfg: dict) -> Scenario:
    """Build the :class:`Scenario` (templates, truth, free parameters) of a validated config.

    Every target goes through the one rate engine: :func:`nujax.inference.build_model` with the
    target of :func:`nujax.targets.get_target` (``[scenario] target``; ``skin_fm`` for nuclei, the
    photon threshold for the radiative channel, whose binned energy is the release ν = T + E_γ).
    Raises ConfigError for physically impossible set-ups (threshold above the kinematic endpoint,
    no signal in the bins).
    """
    import jax.numpy as jnp

    from nujax.constants import SIN2_THETA_W
    from nujax.inference import build_model
    from nujax.targets import get_target

    if "source" not in cfg or "scenario" not in cfg:
        cfg = load_config(cfg)
    target = cfg["scenario"]["target"]
    det = make_config_detector(cfg["detector"])
    sources = make_config_sources(cfg["source"], cfg["binning"].get("time_window_ns"))
    comps, floats = _config_components(cfg["background"])      # checked before the templates
    T, cos, phi = bin_edges(cfg["binning"], target)
    fit, truth_cfg = cfg["fit"], cfg["truth"]
    sin2w = cfg["physics"]["sin2w"] or SIN2_THETA_W
    spectra = tuple(s for sp, _, _ in sources for s in sp)
    nsig = tuple(ns for sp, ns, _ in sources for _ in sp)
    bkg_sigma = {"free": None, None: 0.1}.get(fit["bkg_sigma"], fit["bkg_sigma"])
    tgt = get_target(target, **target_options(target, cfg))
    model = build_model(spectra, det, T, phi, cos, pe=truth_cfg["pe"], norm_sigma=nsig,
                        eff_sigma=fit["eff_sigma"], bkg_sigma=bkg_sigma, sin2w=sin2w,
                        target=tgt)
    model = _with_em_entries(model, fit["parameters"], spectra, det, T, phi, cos, tgt, sin2w)
    if cfg["binning"].get("time_bins_ns") is not None:
        model = _time_binned(model, cfg["binning"]["time_bins_ns"], cfg["source"],
                             [sp for sp, _, _ in sources])
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
    off = cfg["scenario"].get("off_data")
    if off is not None:                 # the OFF spectrum measures the flat background
        model = dataclasses.replace(model, background=jnp.zeros_like(model.background),
                                    bkg_sigma=jnp.asarray(0.0), bkg_constrained=True)
    if comps:
        from nujax.inference.background_model import with_backgrounds

        model = with_backgrounds(model, det, T, comps, phi_edges=phi, cos_edges=cos,
                                 float_shapes=floats)
    if off is not None:
        model = _onoff(off, model, det, T)
    free = tuple(fit["free"]) if fit["free"] is not None else _default_free(model, fit)
    bad = [n for n in free if n not in model.parameter_names()]
    if bad:
        raise ConfigError("fit.free", f"unknown parameter(s) {bad}; known: "
                          f"{', '.join(model.parameter_names())}")
    if "phi_B" in free and not model.directional:
        raise ConfigError("fit.free", "'phi_B' needs azimuth bins")
    truth = {"mu_1e11": truth_cfg["mu_1e11"], "phi_B": truth_cfg["phi_B"],
             "norm": np.full(model.n_sources, truth_cfg["norm"]),
             "eff_scale": truth_cfg["eff_scale"], "bkg_scale": truth_cfg["bkg_scale"],
             **{n: truth_cfg["em"].get(n, 0.0) for n in model.em_names}}
    sc = cfg["scenario"]
    meta = {"description": sc["description"], "target": target, "seed": sc["seed"],
            "detector": det.name or str(cfg["detector"]["material"]),
            "units": {"mu_1e11": "1e-11 mu_B", "phi_B": "rad", "T_edges": "MeV",
                      **{n: EM_UNITS[n.split("_")[0]] for n in model.em_names}},
            "T_edges_MeV": np.asarray(T), "cos_edges": cos, "phi_edges": phi,
            "time_edges_ns": cfg["binning"].get("time_bins_ns"),
            "sources": [n for _, _, n in sources], "exposure_t_yr": float(det.exposure_t_yr)}
    if (target == "electron" and cfg["detector"]["off_live_time_yr"] is None and off is None
            and not model.em_names):
        from nujax.inference.scan import TemplateSpec   # lets scans vary threshold, Pe and σ_φ

        meta["template_spec"] = TemplateSpec(spectra, det, np.asarray(T), phi, cos,
                                             truth_cfg["pe"], nsig, fit["eff_sigma"], bkg_sigma,
                                             {"sin2w": sin2w})
    data = None
    if sc["data"] is not None:
        data = _observed_counts(sc["data"], model, det, T)
        meta["data_file"] = sc["data"]
    if off is not None:
        meta.update(off_data_file=off, off_alpha=float(model.alpha))
    return Scenario(sc["name"], model, truth, free, cfg, meta, data)


def _with_em_entries(model, parameters, spectra, det, T, phi, cos, target, sin2w):
    """``model`` plus the exact quadratic form in the ``[fit] parameters`` EM entries.

    The entries' gradient and Hessian come from :func:`nujax.inference.density_matrix_em_model`
    (seed 002 cross sections, every spectrum's own flavor content as a left-handed state); the
    weak, magnetic (effective ``mu_1e11``) and interference templates stay those of
    :func:`nujax.inference.build_model`, whose weak counts are the same λ(0). For left-handed
    neutrinos the helicity-flipping magnetic amplitude does not interfere with the
    helicity-conserving ones (seed 002 eq. (11) with ζ⊥ = 0), so the two forms add."""
    from nujax.inference import density_matrix_em_model

    entries = {n: EM_ENTRIES[n] for n in parameters if n != "mu"}
    if not entries:
        return model
    quad = density_matrix_em_model(spectra, det, T, phi, None, entries, target=target,
                                   cos_edges=cos, sin2w=sin2w, derivatives="points")
    if quad.em_lin.shape[:1] + quad.em_lin.shape[2:] != model.weak.shape:
        raise ConfigError("fit.parameters", f"EM-entry templates of shape {quad.em_lin.shape} do "
                          f"not match the bins {model.weak.shape}")
    return dataclasses.replace(model, em_lin=quad.em_lin.astype(model.weak.dtype),
                               em_quad=quad.em_quad.astype(model.weak.dtype),
                               em_names=quad.em_names)


def _time_binned(model, t_edges_ns, src_cfg, src_spectra):
    """The energy-binned ``model`` split into π-DAR arrival-time bins [ns] (last axis).

    Per source component the energy spectrum does not depend on the arrival time, so each
    per-source array (templates and EM-entry forms) factorises as N_k f_m with f_m the
    component's fraction in time bin m (:mod:`nujax.rates.timing`,
    :func:`nujax.sources.accelerator.pidar_time_fractions`: prompt ν_μ, delayed ν̄_μ, ν_e); the
    steady-state background is uniform in time over [t0, t_last]
    (:func:`nujax.rates.timing.steady_state_background`)."""
    import jax.numpy as jnp

    from nujax.rates.timing import steady_state_background
    from nujax.sources.accelerator import pidar_arrival_fractions

    frac = jnp.concatenate([pidar_arrival_fractions(sp, _time_fractions(s, t_edges_ns))
                            for s, sp in zip(src_cfg, src_spectra)]).astype(model.weak.dtype)
    S, nt = frac.shape
    if S != model.n_sources:
        raise ConfigError("binning.time_bins_ns", f"{model.n_sources} source components, "
                          f"{S} π-DAR spectra")

    def timed(a):                                       # (S, …) → (S, …, n_t)
        return None if a is None else a[..., None] * frac.reshape((S,) + (1,) * (a.ndim - 1) + (nt,))

    arrays = {k: timed(getattr(model, k)) for k in ("weak", "em", "int_cos", "int_sin", "em_lin",
                                                    "em_quad")}
    return dataclasses.replace(model, **arrays, bin_shape=(*model.bin_shape, nt),
                               background=steady_state_background(model.background, t_edges_ns))


def _config_components(tables):
    """(components, floated shape parameters) of the ``[[background]]`` tables (keV → MeV)."""
    from nujax.app.scenario_config import BACKGROUND_KEYS
    from nujax.detector.components import make_component, read_shape_table

    comps, floats = [], []
    for i, b in enumerate(tables):
        kw = {BACKGROUND_KEYS[k][1]: (v if BACKGROUND_KEYS[k][2] is None else v * BACKGROUND_KEYS[k][2])
              for k, v in b.items() if BACKGROUND_KEYS[k][1] is not None}
        try:
            if "file" in b:
                kw["table"] = read_shape_table(b["file"])
            comps.append(make_component(b["name"], b["shape"], b["rate_per_t_yr"], **kw))
        except ValueError as exc:
            raise ConfigError(f"background[{i}]", str(exc)) from exc
        for j, p in enumerate(b.get("float", [])):
            if p not in comps[-1].params:
                raise ConfigError(f"background[{i}].float[{j}]", f"{b['shape']} has no shape "
                                  f"parameter {p!r}; known: {', '.join(comps[-1].params) or 'none'}")
            floats.append(f"{b['name']}:{p}")
    return comps, tuple(floats)


def _binned_file(path, model, T, key):
    """The spectrum of a data file (:func:`nujax.data_io.read_spectrum`) in the scenario's bins."""
    from nujax.data_io import read_spectrum

    try:
        spec = read_spectrum(path)
    except ValueError as exc:
        raise ConfigError(key, str(exc)) from exc
    if len(model.bin_shape) != 1:
        raise ConfigError(key, "observed spectra are binned in energy only; this "
                          f"scenario has bins {model.bin_shape}")
    if spec.edges.shape != np.shape(T) or not np.allclose(spec.edges, T, rtol=1e-9, atol=1e-12):
        raise ConfigError(key, f"{path}: bin edges {np.round(spec.edges * 1e3, 6)} keV "
                          f"differ from [binning] {np.round(np.asarray(T) * 1e3, 6)} keV")
    return spec


def _onoff(path, model, det, T):
    """The ON/OFF model of ``[scenario] off_data``: the OFF spectrum bin by bin with
    α = t_ON/t_OFF, the ratio of the detector's exposure to the file's
    (:func:`nujax.inference.onoff.onoff_model`)."""
    from nujax.inference.onoff import onoff_model

    spec = _binned_file(path, model, T, "scenario.off_data")
    try:
        return onoff_model(model, spec.counts, float(det.exposure_t_yr) / spec.exposure_t_yr)
    except ValueError as exc:
        raise ConfigError("scenario.off_data", f"{path}: {exc}") from exc


def _observed_counts(path, model, det, T):
    """Counts of the ``[scenario] data`` file, checked against the bins and the exposure."""
    spec = _binned_file(path, model, T, "scenario.data")
    want = float(det.exposure_t_yr)
    if not math.isclose(spec.exposure_t_yr, want, rel_tol=0.01):
        raise ConfigError("scenario.data", f"{path}: exposure {spec.exposure_t_yr:.6g} t yr differs "
                          f"from the detector's {want:.6g} t yr by more than 1 %")
    return spec.counts


def target_options(target: str, cfg: dict) -> dict:
    """Options of :func:`nujax.targets.get_target` from the configuration (keV → MeV here)."""
    if target == "nucleus":
        return {"skin_fm": cfg["physics"]["skin_fm"]}
    if target == "radiative":               # binned energy: the release ν = T + E_γ (seed 004)
        return {"photon_threshold": cfg["detector"]["photon_threshold_keV"] * 1e-3}
    return {}
