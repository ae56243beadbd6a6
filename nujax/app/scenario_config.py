"""The scenario configuration (a TOML file in ``fits/``): schema, reading and validation.

A scenario file has the sections::

``[scenario]``  name, description, target ("electron" | "nucleus" | "radiative": what the
                neutrinos scatter on), seed reference, ``data``: an observed spectrum (CSV or
                HEPData YAML, :mod:`nujax.data_io`; path relative to the TOML file) fitted
                instead of a toy data set; ``off_data``: a measured OFF (background-only)
                spectrum in the same bins, fitted jointly with the ON counts bin by bin
                (:mod:`nujax.inference.onoff`; α = ON/OFF exposure from the file's
                exposure), replacing the detector's flat background;
``[[source]]``  one table per neutrino source: ``name`` known to
                :func:`nujax.sources.catalog.get_source` and its parameters with units in the key
                names (``distance_m``, ``activity_mci``, ``power_gw`` …), ``norm_sigma`` (relative
                1σ flux uncertainty); solar sources: ``oscillation`` ("msw" | "none") and
                ``earth = {latitude_deg[, period]}`` or ``{nadir_deg}`` (day–night regeneration);
                π-DAR: ``nu_per_flavor_per_pot`` (default 0.08) and ``time_efficiency``
                ("coherent_csi": the acceptance of that analysis' timing cut, applied with the
                time window or bins);
``[[background]]`` one table per background component (:mod:`nujax.detector.components`):
                ``name``, ``shape``, ``rate_per_t_yr``, ``constraint`` (gaussian | lognormal |
                free | fixed) and ``sigma``, the shape's parameters with units in the key
                names (``lo_keV``, ``hi_keV``, ``mean_keV``, ``width_keV``, ``slope_per_MeV``,
                ``c1`` … ``c4``), ``isotope``, ``degree``, ``file`` (a tabulated shape) and
                ``float`` (shape parameters to fit, e.g. ``["slope"]``);
``[detector]``  ``preset`` (:data:`nujax.detector.PRESETS`) and/or ``material`` plus overrides
                (``mass_t``, ``live_time_yr``, ``threshold_keV``, ``background_per_t_yr_MeV``,
                ``sigma_phi_rad`` …); ``off_live_time_yr`` adds a background-only (reactor OFF)
                measurement; ``photon_threshold_keV`` is the radiative infrared cut;
                ``quenching`` (nucleus scenarios: "csi", "germanium", "lindhard:<k>", a table
                file …; electron scenarios: "birks", "birks:<kB in cm/MeV>",
                "electron-table:<file>"; energies, threshold and efficiency are then keV_ee);
``[binning]``   ``T_keV = {min, max, n[, log]}`` or ``T_edges_keV = [...]``, ``phi_bins``,
                ``cos_bins`` (or ``cos_edges``); in radiative scenarios the binned energy is the
                energy release ν = T + E_γ; ``time_window_ns = [t0, t1]`` keeps the π-DAR events
                arriving in that window after the proton pulse (prompt/delayed fractions of
                :func:`nujax.sources.accelerator.pidar_time_fractions`, default pulse);
                ``time_bins_ns = [t0, t1, …]`` bins the π-DAR events in arrival time as well
                (energy × time bins: prompt ν_μ vs delayed ν_e, ν̄_μ; the steady-state
                background is spread uniformly over [t0, t_last]);
``[truth]``     mu_1e11, phi_B [rad], pe, norm, eff_scale, bkg_scale; ``em = {r2_ee = …}``
                injected values of the fitted EM entries (``[fit] parameters``);
``[fit]``       ``parameters``: the EM parameters of the fit, ``"mu"`` (the effective moment
                ``mu_1e11`` [10⁻¹¹ μ_B], always fitted) plus any of the flavor-basis
                entries :data:`nujax.app.em_entries.EM_ENTRIES` ``<kind>_<ab>``: ``mu``
                [10⁻¹¹ μ_B], ``r2`` (charge radius ⟨r²⟩) and ``a`` (anapole) [10⁻³² cm², sign
                convention of seed 002 footnote 1:
                the SM ⟨r²⟩ are negative, :meth:`nujax.em.EMProperties.sm_charge_radii`], ``q``
                (millicharge q_ν) [10⁻¹² e], with ab in ee, mumu, tautau, emu, etau, mutau (a
                transition entry moves (a, b) and (b, a)); e.g. ``["mu", "r2_ee"]``. The entries
                are added to the Standard Model (their truth is 0 unless ``[truth] em`` says
                otherwise) and get two-sided profile-likelihood intervals;
                free parameters, ``eff_sigma``, ``bkg_sigma`` (number or "free"), ``cl``,
                ``mu_max``, ``method`` (the upper-limit method, one of
                :data:`nujax.inference.METHODS`: "profile" (default), "profile_toys", "cls",
                "feldman_cousins", "bayes_flat_mu", "bayes_flat_mu2", "delta_chi2"),
                ``nuts = {chains, warmup, samples, prior, prior_scale}``, ``toys``,
                ``exposure_factors``;
``[physics]``   ``sin2w``, ``skin_fm`` (nucleus);
``[scan]``      validated by :func:`nujax.app.scan_config.validate_scan_section`; its axes and
                fixed values may be EM entries as in ``[fit] parameters`` (same units), added to
                the scenario's quadratic EM model by :func:`nujax.app.scan_run.run_scan_config`.

Every section goes through the one schema engine :mod:`nujax.app.config`; every problem raises
:class:`nujax.errors.ConfigError` naming the dotted key.
"""

from __future__ import annotations

import copy
import os

from nujax.app.config import (REQUIRED, bin_range, boolean, either, number, number_list,
                              read_toml, string, string_list, table, validate_section)
from nujax.app.em_entries import EM_ENTRIES, EM_ENTRY_NAMES
from nujax.errors import ConfigError
from nujax.inference.methods import METHODS

__all__ = ["TARGETS", "PARAMETERS", "SCHEMA", "SOURCE_KEYS", "BACKGROUND_KEYS", "load_config",
           "check_em_entries"]

#: What the neutrinos of a scenario scatter on (``[scenario] target``).
TARGETS = ("electron", "nucleus", "radiative")
#: Likelihood parameters a scenario can fit (``[fit] free``).
PARAMETERS = ("mu_1e11", "phi_B", "norm", "eff_scale", "bkg_scale")
#: Sources a radiative scenario accepts (reactor and artificial ν̄/ν sources of seed 004).
RADIATIVE_SOURCES = ("reactor", "90Sr-90Y", "51Cr", "37Ar", "49V", "145Sm")


def _free(key, v):
    names = string_list(what="parameter names")(key, v)
    for i, n in enumerate(names):            # bkg_<component>…: checked against the built model
        if n not in PARAMETERS and n not in EM_ENTRIES and not n.startswith("bkg_"):
            raise ConfigError(f"{key}[{i}]", f"unknown {n!r}; known: {', '.join(PARAMETERS)} "
                              "and the background components' bkg_<name>[_<param>]")
    if "mu_1e11" not in names:
        raise ConfigError(key, "must include 'mu_1e11' (the parameter of interest)")
    return list(dict.fromkeys(names))


def _em_parameters(key, v):
    names = string_list(what="EM parameter names")(key, v)
    for i, n in enumerate(names):
        if n != "mu" and n not in EM_ENTRIES:
            raise ConfigError(f"{key}[{i}]", f"unknown EM parameter {n!r}; known: 'mu' and "
                              f"{EM_ENTRY_NAMES}")
    if "mu" not in names:
        raise ConfigError(key, "must include 'mu' (the effective moment, the fit's parameter of "
                          "interest)")
    return list(dict.fromkeys(names))


def _em_truth(key, v):
    vals = table({n: (number(), None) for n in EM_ENTRIES}, "{<entry> = value}")(key, v)
    return {k: x for k, x in vals.items() if x is not None}


_POS = number(0.0, lo_open=True)
_NONNEG = number(0.0)
_PROB = number(0.0, 1.0)
_COUNT = number(1, integer=True)
_NUTS = {"chains": (_COUNT, 4), "warmup": (_COUNT, 500), "samples": (_COUNT, 1000),
         "prior": (string(("halfnormal", "loguniform")), "halfnormal"),
         "prior_scale": (_POS, 10.0)}

#: The configuration schema: section → key → (checker, default) (:mod:`nujax.app.config`).
SCHEMA = {
    "scenario": {"name": (string(), REQUIRED), "description": (string(), ""),
                 "target": (string(TARGETS), "electron"), "seed": (string(), ""),
                 "data": (string(nonempty=True), None), "off_data": (string(nonempty=True), None)},
    "detector": {"preset": (string(), None), "material": (string(), None), "mass_t": (_POS, None),
                 "live_time_yr": (_POS, None), "threshold_keV": (_NONNEG, None),
                 "background_per_t_yr_MeV": (_NONNEG, None), "sigma_phi_rad": (_NONNEG, None),
                 "sigma_theta_rad": (_NONNEG, None), "eff_plateau": (_PROB, None),
                 "eff_T50_keV": (_NONNEG, None), "eff_width_keV": (_NONNEG, None),
                 "res_const_keV": (_NONNEG, None), "res_stoch_sqrtMeV": (_NONNEG, None),
                 "res_lin": (_NONNEG, None), "smearing": (boolean, None), "binding": (boolean, None),
                 "off_live_time_yr": (_POS, None), "photon_threshold_keV": (_POS, None),
                 "quenching": (string(nonempty=True), None)},
    "binning": {"T_keV": (bin_range, None),
                "T_edges_keV": (number_list(0.0, increasing=True, min_len=2), None),
                "phi_bins": (number(0, integer=True), 0), "cos_bins": (number(0, integer=True), 0),
                "cos_edges": (number_list(-1.0, increasing=True, min_len=2), None),
                "time_window_ns": (number_list(None, increasing=True, min_len=2), None),
                "time_bins_ns": (number_list(None, increasing=True, min_len=2), None)},
    "truth": {"mu_1e11": (_NONNEG, 0.0), "phi_B": (number(), 0.0), "pe": (_PROB, 1.0),
              "norm": (_NONNEG, 1.0), "eff_scale": (_NONNEG, 1.0), "bkg_scale": (_NONNEG, 1.0), "em": (_em_truth, {})},
    "fit": {"parameters": (_em_parameters, ["mu"]), "free": (_free, None), "eff_sigma": (_NONNEG, 0.0),
            "bkg_sigma": (either("free", _NONNEG), None),
            "cl": (number(0.0, 1.0, lo_open=True, hi_open=True), 0.9), "mu_max": (_POS, 50.0),
            "method": (string(METHODS), "profile"),
            "nuts": (table(_NUTS, "{chains, warmup, samples}"), None),
            "toys": (number(0, integer=True), 0),
            "exposure_factors": (number_list(0.0), [0.1, 0.3, 1.0, 3.0, 10.0, 30.0])},
    "physics": {"sin2w": (number(0.0, 1.0, lo_open=True, hi_open=True), None),
                "skin_fm": (number(), 0.0)},
}

_EARTH = {"latitude_deg": (number(-90.0, 90.0), None), "nadir_deg": (number(0.0, 180.0), None),
          "period": (string(("year", "night", "day")), None)}

#: Keys of a ``[[source]]`` table: key → (checker, get_source keyword, unit factor).
SOURCE_KEYS = {
    "name": (string(), None, None), "norm_sigma": (_NONNEG, None, None),
    "distance_m": (_POS, "distance_cm", 100.0), "activity_mci": (_POS, "activity_mci", 1.0),
    "activity_bq": (_POS, "activity_bq", 1.0), "power_gw": (_POS, "power_gw", 1.0),
    "distance_kpc": (_POS, "distance_kpc", 1.0), "energy_1e52_erg": (_POS, "energies_1e52_erg", 1.0),
    "pot_per_s": (_POS, "pot_per_s", 1.0), "flux_cm2_s": (_POS, "flux", 1.0),
    # π-DAR: neutrinos of each flavor per proton (default of nujax.sources.pidar_spectra) and the
    # acceptance of the analysis' timing cut (nujax.detector.presets.TIME_EFFICIENCIES) applied
    # to the events in the time window or bins
    "nu_per_flavor_per_pot": (_POS, "nu_per_flavor_per_pot", 1.0),
    "time_efficiency": (string(("coherent_csi",)), None, None),
    # solar sources: "msw" (default of nujax.get_source) or "none" (seed reproductions: pure ν_e)
    "oscillation": (string(("msw", "none")), "oscillation", None),
    # solar sources: Earth-matter regeneration (nujax.propagation.earth), off when absent
    "earth": (table(_EARTH, "{latitude_deg[, period]} or {nadir_deg}"), "earth", None),
}
#: Keys of a ``[[background]]`` table: key → (checker, make_component keyword, unit factor).
BACKGROUND_KEYS = {
    "name": (string(nonempty=True), None, None), "shape": (string(nonempty=True), None, None),
    "rate_per_t_yr": (_NONNEG, None, None),
    "constraint": (string(("gaussian", "lognormal", "free", "fixed")), "constraint", None),
    "sigma": (_NONNEG, "sigma", 1.0), "isotope": (string(), "isotope", None),
    "degree": (_COUNT, "degree", None), "file": (string(nonempty=True), None, None),
    "float": (string_list(single_ok=True, what="shape parameter names"), None, None),
    "lo_keV": (_NONNEG, "lo", 1e-3), "hi_keV": (_POS, "hi", 1e-3),
    "mean_keV": (_POS, "mean", 1e-3), "width_keV": (_POS, "width", 1e-3),
    "slope_per_MeV": (number(), "slope", 1.0),
    **{f"c{i}": (number(), f"c{i}", 1.0) for i in range(1, 5)},
}
_BACKGROUND_SCHEMA = {k: (check, REQUIRED if k in ("name", "shape", "rate_per_t_yr") else
                          ("free" if k == "constraint" else None))
                      for k, (check, _, _) in BACKGROUND_KEYS.items()}
_SOURCE_SCHEMA = {k: (check, REQUIRED if k == "name" else (0.0 if k == "norm_sigma" else None))
                  for k, (check, _, _) in SOURCE_KEYS.items()}


def _read(path_or_dict):
    if isinstance(path_or_dict, dict):
        raw = copy.deepcopy(path_or_dict)
        origin = "<dict>"
        if isinstance(raw.get("scenario"), dict):    # an already validated config: re-validate
            origin = raw["scenario"].pop("origin", origin)
        return raw, origin
    return read_toml(path_or_dict), os.fspath(path_or_dict)


def _sources(raw):
    from nujax.sources.catalog import SOURCE_NAMES

    if raw is None:
        raise ConfigError("source", "missing: give at least one [[source]] table")
    tables = [raw] if isinstance(raw, dict) else raw
    if not isinstance(tables, list) or not tables:
        raise ConfigError("source", "must be one or more [[source]] tables")
    out = []
    for i, t in enumerate(tables):
        s = {k: v for k, v in validate_section(f"source[{i}]", t, _SOURCE_SCHEMA).items()
             if v is not None}
        if s["name"] not in SOURCE_NAMES:
            raise ConfigError(f"source[{i}].name",
                              f"unknown source {s['name']!r}; known: {', '.join(SOURCE_NAMES)}")
        out.append(s)
    return out


def _backgrounds(raw, origin):
    if raw is None:
        return []
    tables = [raw] if isinstance(raw, dict) else raw
    if not isinstance(tables, list):
        raise ConfigError("background", "must be one or more [[background]] tables")
    out = [{k: v for k, v in validate_section(f"background[{i}]", t, _BACKGROUND_SCHEMA).items()
            if v is not None} for i, t in enumerate(tables)]
    for b in out:                              # tabulated shapes: relative to the TOML file
        if "file" in b and not os.path.isabs(b["file"]) and origin != "<dict>":
            b["file"] = os.path.join(os.path.dirname(os.path.abspath(origin)), b["file"])
    names = [b["name"] for b in out]
    for i, n in enumerate(names):
        if names.index(n) != i:
            raise ConfigError(f"background[{i}].name", f"duplicate component name {n!r}")
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
        Sections ``scenario``, ``source`` (list), ``background`` (list), ``detector``,
        ``binning``, ``truth``, ``fit``, ``physics`` (and ``scan`` if given), every key validated; energies keep the units of
        their key names (keV in the file).

    Raises
    ------
    ConfigError
        Naming the dotted key: unknown sections or keys, wrong types, impossible values
        (negative exposure, pe outside [0, 1], threshold above the last bin edge …), malformed TOML.

    >>> cfg = load_config({"scenario": {"name": "demo"}, "source": [{"name": "pp"}],
    ...                    "detector": {"preset": "hellaz"}, "binning": {"T_keV": {"min": 100, "max": 260, "n": 8}}})
    >>> cfg["truth"]["pe"], cfg["fit"]["cl"], cfg["scenario"]["target"]
    (1.0, 0.9, 'electron')
    >>> load_config({"scenario": {"name": "x"}, "truth": {"pe": 1.5}})
    Traceback (most recent call last):
    ...
    nujax.errors.ConfigError: truth.pe: must be ≤ 1.0, got 1.5
    """
    raw, origin = _read(path_or_dict)
    tops = (*SCHEMA, "source", "background", "scan")
    for k in raw:
        if k not in tops:
            raise ConfigError(k, f"unknown key; known: {', '.join(tops)}")
    cfg = {sec: validate_section(sec, raw.get(sec, {}), keys) for sec, keys in SCHEMA.items()}
    cfg["source"] = _sources(raw.get("source"))
    cfg["background"] = _backgrounds(raw.get("background"), origin)
    for key in ("data", "off_data"):              # data files: relative to the TOML file
        path = cfg["scenario"][key]
        if path is not None and not os.path.isabs(path) and origin != "<dict>":
            cfg["scenario"][key] = os.path.join(os.path.dirname(os.path.abspath(origin)), path)
    _cross_checks(cfg)
    if "scan" in raw:
        from nujax.app.scan_config import validate_scan_section

        cfg["scan"] = validate_scan_section(raw["scan"])
    cfg["scenario"]["origin"] = origin
    return cfg


def _cross_checks(cfg):
    """Checks that involve several keys (presets and materials exist, binning is consistent …)."""
    from nujax.detector import MATERIALS, PRESETS, get_material, preset

    det, b, fit = cfg["detector"], cfg["binning"], cfg["fit"]
    if det["preset"] is None and det["material"] is None:
        raise ConfigError("detector.material", "missing: give a preset or a material")
    for key, make, known in (("preset", preset, PRESETS), ("material", get_material, MATERIALS)):
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
    target = cfg["scenario"]["target"]
    if target == "radiative":
        if det["photon_threshold_keV"] is None:
            raise ConfigError("detector.photon_threshold_keV", "missing: radiative scenarios need "
                              "an infrared cut E_γ ≥ E_th > 0 (seed 004 eq. (44))")
        if b["phi_bins"] or b["cos_bins"] or b["cos_edges"] is not None:
            raise ConfigError("binning.phi_bins", "radiative scenarios bin the energy release only")
        for i, s in enumerate(cfg["source"]):
            if s["name"] not in RADIATIVE_SOURCES:
                raise ConfigError(f"source[{i}].name",
                                  "radiative scenarios take reactor or artificial sources")
    if target == "nucleus" and b["phi_bins"]:
        raise ConfigError("binning.phi_bins", "nucleus scenarios have no azimuthal modulation "
                          "for longitudinally polarised beams; use cos_bins for recoil directions")
    if det["quenching"] is not None:
        from nujax.detector.quenching import get_quenching

        try:
            q = get_quenching(det["quenching"])
        except (TypeError, ValueError) as exc:
            raise ConfigError("detector.quenching", str(exc)) from None
        want = "nucleus" if q is None or q.recoil == "nuclear" else "electron"
        if q is not None and target != want:        # the engine quenches that target's recoils
            raise ConfigError("detector.quenching", f"{q.kind} quenching acts on {q.recoil} "
                              f"recoils: set scenario.target = {want!r}")
    for i, s in enumerate(cfg["source"]):
        if s.get("time_efficiency") is not None and (
                s["name"] != "pidar" or (b["time_window_ns"] is None and b["time_bins_ns"] is None)):
            raise ConfigError(f"source[{i}].time_efficiency", "a timing-cut acceptance needs a "
                              "π-DAR source and binning.time_window_ns or time_bins_ns")
    if b["time_window_ns"] is not None:
        if len(b["time_window_ns"]) != 2:
            raise ConfigError("binning.time_window_ns", "give one window [t0, t1] in ns")
        for i, s in enumerate(cfg["source"]):
            if s["name"] != "pidar":
                raise ConfigError(f"source[{i}].name", "a time window needs pulsed π-DAR sources")
    if b["time_bins_ns"] is not None:
        if b["time_window_ns"] is not None:
            raise ConfigError("binning.time_bins_ns", "give time_bins_ns or time_window_ns, not both")
        if b["phi_bins"] or b["cos_bins"] or b["cos_edges"] is not None:
            raise ConfigError("binning.time_bins_ns", "time bins combine with energy bins only")
        if cfg["background"]:
            raise ConfigError("binning.time_bins_ns", "[[background]] components have no time "
                              "shape; use the detector's steady-state background")
        for i, s in enumerate(cfg["source"]):
            if s["name"] != "pidar":
                raise ConfigError(f"source[{i}].name", "time bins need pulsed π-DAR sources")
    check_em_entries(cfg)
    if fit["bkg_sigma"] is not None and det["off_live_time_yr"] is not None:
        raise ConfigError("detector.off_live_time_yr",
                          "the OFF exposure sets the background constraint; drop fit.bkg_sigma")
    if cfg["scenario"]["off_data"] is not None:
        for key, given in (("detector.off_live_time_yr", det["off_live_time_yr"] is not None),
                           ("fit.bkg_sigma", fit["bkg_sigma"] is not None)):
            if given:
                raise ConfigError(key, "scenario.off_data measures the background bin by bin; "
                                  f"drop {key}")
        if fit["free"] is not None and "bkg_scale" in fit["free"]:
            raise ConfigError("fit.free", "'bkg_scale' has no meaning with scenario.off_data "
                              "(the OFF spectrum is the flat background)")
    if fit["free"] is not None and "phi_B" in fit["free"] and not b["phi_bins"]:
        raise ConfigError("fit.free", "'phi_B' needs azimuth bins (binning.phi_bins > 0)")


def check_em_entries(cfg):
    """EM entries (``[fit] parameters``) of a validated configuration: their truth, free list,
    target and beam (ConfigError naming the key)."""
    fit, truth = cfg["fit"], cfg["truth"]
    entries = [n for n in fit["parameters"] if n != "mu"]
    for n in truth["em"]:
        if n not in entries:
            raise ConfigError(f"truth.em.{n}", "an injected EM entry must be fitted: add it to "
                              "fit.parameters")
    if fit["free"] is not None:
        for n in fit["free"]:
            if n in EM_ENTRIES and n not in entries:
                raise ConfigError("fit.free", f"{n!r} is not in fit.parameters")
    if not entries:
        return
    if cfg["scenario"]["target"] not in ("electron", "nucleus"):
        raise ConfigError("fit.parameters", "EM entries are fitted on electron or nucleus targets")
    if truth["pe"] != 1.0:
        raise ConfigError("fit.parameters", "EM entries assume left-handed beams (truth.pe = 1): "
                          "the spectra's own flavor content is the state")
