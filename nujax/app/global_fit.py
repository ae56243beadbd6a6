"""The global fit behind ``nujax fit <global>.toml``: several experiments, one set of EM matrices.

A global configuration lists scenario files (``fits/*.toml``, each validated by
:func:`nujax.app.load_config`) and the matrix entries they share::

    [global]
    name = "global_em"
    experiments = ["../reactor_ge.toml", "../xenon_solar.toml"]   # relative to this file
    basis = "flavor"            # basis of the matrices: "flavor" | "mass"
    majorana = false            # Dirac (false) or Majorana (true: no diagonal mu, r2, millicharge)
    cl = 0.9
    mu_max = 50.0               # first top of each entry's limit grid (grows ×4 when needed)
    data = "asimov"             # "asimov" (at [global.truth]) or "toy"; observed scenarios fit
                                # their [scenario] data
    [global.entries]            # name = [matrix, i, j]; matrix "mu" [1e-11 μ_B], "r2", "anapole"
    mu_ee = ["mu", 0, 0]        # [1e-32 cm²] or "millicharge" [1e-12 e]; i, j indices 0..2
    [global.truth]              # injected entries (default 0)
    mu_ee = 0.0
    [global.nuts]               # optional: numpyro NUTS over the entries and nuisances
    chains = 4
    warmup = 500
    samples = 1000
    [forecast]                  # optional: experiments added for the forecast
    experiments = ["../extra.toml"]
    method = "asimov"           # "asimov" (profile of the Asimov likelihood) or "fisher"
                                # (Fisher matrix at zero: nujax.inference.joint.fisher_entry_limits)

Each experiment keeps its own neutrino state: its sources scatter as their own incoherent content
(reactor ν̄_e at its baseline, solar mass eigenstates, π-DAR ν_μ/ν̄_μ/ν_e; ``state=None`` of
:func:`nujax.inference.density_matrix_em_model`), its detector, bins, backgrounds and nuisances
(the scenario's own model from :func:`nujax.app.scenarios.build_scenario`, whose signal templates
are replaced by the exact quadratic EM templates). The joint likelihood is
:class:`nujax.inference.joint.JointModel`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

import numpy as np

from nujax.app.config import (REQUIRED, boolean, number, read_toml, string, string_list, table,
                              validate_section)
from nujax.em import majorana_diagonal_error
from nujax.errors import ConfigError

__all__ = ["GLOBAL_SCHEMA", "is_global_config", "load_global_config", "experiment_em_model",
           "build_global", "run_global_fit", "global_output_files", "forecast_experiments"]

_COUNT = number(1, integer=True)
_MATRICES = ("mu", "r2", "anapole", "millicharge")


def _entries(key, v):
    if not isinstance(v, dict) or not v:
        raise ConfigError(key, f"must be a table name = [matrix, i, j], got {v!r}")
    out = {}
    for name, spec in v.items():
        k = f"{key}.{name}"
        if "/" in name:
            raise ConfigError(k, "entry names must not contain '/'")
        if not isinstance(spec, list) or len(spec) != 3:
            raise ConfigError(k, f"must be [matrix, i, j], got {spec!r}")
        matrix = string(_MATRICES)(f"{k}[0]", spec[0])
        i, j = (number(0, 2, integer=True)(f"{k}[{n}]", x) for n, x in ((1, spec[1]), (2, spec[2])))
        out[name] = (matrix, i, j)
    return out


_NUTS = {"chains": (_COUNT, 4), "warmup": (_COUNT, 500), "samples": (_COUNT, 1000)}
#: Schema of the ``[global]`` section (:mod:`nujax.app.config`).
GLOBAL_SCHEMA = {
    "name": (string(nonempty=True), REQUIRED), "description": (string(), ""),
    "experiments": (string_list(what="scenario files"), REQUIRED),
    "basis": (string(("flavor", "mass")), "flavor"), "majorana": (boolean, False),
    "cl": (number(0.0, 1.0, lo_open=True, hi_open=True), 0.9),
    "mu_max": (number(0.0, lo_open=True), 50.0),
    "data": (string(("asimov", "toy")), "asimov"),
    "entries": (_entries, REQUIRED), "truth": (lambda k, v: v, {}),
    "nuts": (table(_NUTS, "{chains, warmup, samples}"), None),
}
_FORECAST = {"experiments": (string_list(what="scenario files"), REQUIRED),
             "method": (string(("asimov", "fisher")), "asimov")}


def is_global_config(path) -> bool:
    """True when the TOML file has a ``[global]`` section."""
    return "global" in read_toml(path)


def _paths(key, files, origin):
    from nujax.app.scenario_config import load_config

    base = os.path.dirname(os.path.abspath(origin)) if origin else os.getcwd()
    out = []
    for i, f in enumerate(files):
        p = f if os.path.isabs(f) else os.path.join(base, f)
        try:
            out.append(load_config(p))
        except ConfigError as exc:
            raise ConfigError(f"{key}[{i}]", f"{f}: {exc}") from None
    names = [c["scenario"]["name"] for c in out]
    for i, n in enumerate(names):
        if names.index(n) != i or "/" in n:
            raise ConfigError(f"{key}[{i}]", f"scenario name {n!r} repeated or containing '/'")
    return out


def load_global_config(path_or_dict) -> dict:
    """Read and validate a global configuration (module docstring); the experiment files are
    loaded and validated too (``cfg["experiment_configs"]``, ``cfg["forecast_configs"]``).

    Raises ConfigError naming the dotted key."""
    if isinstance(path_or_dict, dict):
        raw, origin = path_or_dict, None
    else:
        raw, origin = read_toml(path_or_dict), os.fspath(path_or_dict)
    for k in raw:
        if k not in ("global", "forecast"):
            raise ConfigError(k, "unknown key; known: global, forecast")
    g = validate_section("global", raw.get("global", {}), GLOBAL_SCHEMA)
    truth = g["truth"]
    if not isinstance(truth, dict):
        raise ConfigError("global.truth", f"must be a table entry = value, got {truth!r}")
    for k, v in truth.items():
        if k not in g["entries"]:
            raise ConfigError(f"global.truth.{k}",
                              f"unknown entry; known: {', '.join(g['entries'])}")
        truth[k] = number()(f"global.truth.{k}", v)
    for name, (matrix, i, j) in g["entries"].items():
        msg = majorana_diagonal_error(matrix, i, j, g["majorana"])
        if msg:
            raise ConfigError(f"global.entries.{name}", msg)
    cfg = {"global": g, "origin": origin,
           "experiment_configs": _paths("global.experiments", g["experiments"], origin)}
    fc = raw.get("forecast")
    fc = validate_section("forecast", fc, _FORECAST) if fc is not None else None
    cfg["forecast_configs"] = (_paths("forecast.experiments", fc["experiments"], origin)
                               if fc is not None else [])
    cfg["forecast_method"] = fc["method"] if fc is not None else "asimov"
    return cfg


def experiment_em_model(exp_cfg: dict, entries: dict, *, basis="flavor", majorana=False):
    """(Scenario, model): the scenario's model with its signal replaced by the exact quadratic
    templates in ``entries`` (name → (matrix, i, j)).

    The counts are :func:`nujax.inference.density_matrix_em_model` with ``state=None`` (each
    source its own incoherent content), the scenario's detector (quenching included), bins,
    target and sin²θ_W; nuisances, background components and constraints are the scenario's.
    """
    import jax.numpy as jnp

    from nujax.app.scenarios import (bin_edges, build_scenario, make_config_detector,
                                     make_config_sources, target_options)
    from nujax.constants import SIN2_THETA_W
    from nujax.inference import density_matrix_em_model
    from nujax.targets import get_target

    sc = build_scenario(exp_cfg)
    target = exp_cfg["scenario"]["target"]
    if target == "radiative":
        raise ConfigError("global.experiments", f"{sc.name}: radiative scenarios have no "
                          "density-matrix rates")
    det = make_config_detector(exp_cfg["detector"])
    sources = make_config_sources(exp_cfg["source"], exp_cfg["binning"].get("time_window_ns"))
    spectra = tuple(s for sp, _, _ in sources for s in sp)
    T, cos, phi = bin_edges(exp_cfg["binning"], target)
    if phi is not None:
        raise ConfigError("global.experiments", f"{sc.name}: azimuth bins need a polarised "
                          "state; the global fit uses each source's own unpolarised content")
    sin2w = exp_cfg["physics"]["sin2w"] or SIN2_THETA_W
    em = density_matrix_em_model(spectra, det, T, None, None, dict(entries), majorana=majorana,
                                 basis=basis, sin2w=sin2w, cos_edges=cos,
                                 target=get_target(target, **target_options(target, exp_cfg)))
    inner = getattr(sc.model, "base", sc.model)
    zero = jnp.zeros_like(em.weak)
    bins = inner.weak.shape[1:]
    new = dataclasses.replace(inner, weak=em.weak.reshape(inner.weak.shape), em=zero,
                              int_cos=zero, int_sin=zero,
                              em_lin=em.em_lin.reshape(em.em_lin.shape[:2] + bins),
                              em_quad=em.em_quad.reshape(em.em_quad.shape[:3] + bins),
                              em_names=em.em_names)
    model = dataclasses.replace(sc.model, base=new) if inner is not sc.model else new
    return sc, model


def _nuisances(sc) -> list:
    return [k for k in sc.free if k not in ("mu_1e11", "phi_B")]


def build_global(configs, entries, *, basis="flavor", majorana=False):
    """(JointModel, free parameter names, scenarios) of the experiment configurations."""
    from nujax.inference.joint import SEP, joint_model

    models, free, scs = {}, list(entries), []
    for c in configs:
        sc, m = experiment_em_model(c, entries, basis=basis, majorana=majorana)
        models[sc.name] = m
        scs.append(sc)
        free += [f"{sc.name}{SEP}{k}" for k in _nuisances(sc)]
    return joint_model(models, tuple(entries)), tuple(free), scs


def global_output_files(nuts: bool) -> list:
    """Files :func:`run_global_fit` writes (the NUTS ones when ``nuts``)."""
    return ["limits.json"] + (["posterior.nc", "corner.png"] if nuts else [])


def _data(joint, scs, truth, mode, key):
    import jax

    asimov = joint.expected(truth)
    out = []
    for e, (sc, lam) in enumerate(zip(scs, asimov)):
        if sc.data is not None:
            out.append(np.asarray(sc.data, float))
        elif mode == "toy":
            out.append(np.asarray(jax.random.poisson(jax.random.fold_in(key, e), lam), float))
        else:
            out.append(np.asarray(lam))
    return tuple(out)


def _limits_table(lims) -> dict:
    return {k: {"lower": v.lower, "upper": v.upper, "mu_hat_upper_side": v.side_upper.mu_hat,
                "note": "; ".join(dict.fromkeys(n for n in (v.side_upper.note, v.side_lower.note)
                                                if n))}
            for k, v in lims.items()}


def run_global_fit(cfg, out_dir=None, *, force=False, quick=False, progress=True, seed=0) -> dict:
    """Global fit: joint MLE, profile-likelihood limits per entry, each experiment alone, NUTS
    (``[global.nuts]``), the Asimov forecast (``[forecast]``); writes ``limits.json`` (+
    ``posterior.nc``, ``corner.png``) to ``out_dir`` when given.

    Returns the result dict: ``mle`` (joint parameters), ``limits`` (entry → lower/upper at
    ``cl``), ``single`` (experiment → entry → limits, the entries that experiment sees),
    ``best_single`` (entry → the experiment with the tightest upper limit and its value),
    ``forecast`` (entry → median expected limits before and after adding the forecast
    experiments, by ``forecast_method``: "asimov" or "fisher"),
    ``nuts`` (credible limits and diagnostics), ``timings`` [s].
    """
    import jax

    from nujax._io import atomic_path
    from nujax.inference.joint import entry_limits, joint_mle, joint_model, run_joint_nuts

    if not isinstance(cfg, dict) or "experiment_configs" not in cfg:
        cfg = load_global_config(cfg)
    g = cfg["global"]
    name = g["name"]
    log = (lambda m: print(f"[{name}] {m}", flush=True)) if progress else (lambda m: None)
    out = None if out_dir is None else Path(os.fspath(out_dir))
    if out is not None:
        for f in global_output_files(g["nuts"] is not None):
            if (out / f).exists() and not force:
                raise FileExistsError(f"{out / f} exists; use force=True (--force) to overwrite")
    timings = {}
    t0 = time.perf_counter()
    entries = g["entries"]
    joint, free, scs = build_global(cfg["experiment_configs"], entries, basis=g["basis"],
                                    majorana=g["majorana"])
    timings["build_s"] = time.perf_counter() - t0
    log(f"{len(scs)} experiment(s), entries {', '.join(entries)}")
    truth = {k: g["truth"].get(k, 0.0) for k in entries}
    key = jax.random.PRNGKey(int(seed))
    data = _data(joint, scs, truth, g["data"], key)
    lim_kw = dict(cl=g["cl"], mu_max=g["mu_max"], n_grid=13 if quick else 25)
    t0 = time.perf_counter()
    mle, nll_min, ok = joint_mle(joint, data, free, init=truth)
    lims = entry_limits(joint, data, free, init=mle, **lim_kw)
    timings["limits_s"] = time.perf_counter() - t0
    res = {"name": name, "experiments": list(joint.names), "basis": g["basis"],
           "majorana": g["majorana"], "cl": g["cl"], "data": g["data"], "truth": truth,
           "mle": {k: float(np.asarray(mle[k]).ravel()[0]) if np.size(mle[k]) == 1
                   else np.asarray(mle[k]).tolist() for k in free},
           "mle_converged": ok, "limits": _limits_table(lims)}
    for k, v in res["limits"].items():
        log(f"{g['cl']:.0%} CL: {v['lower']:.4g} < {k} < {v['upper']:.4g}")
    t0 = time.perf_counter()
    single = {}
    for e, sc in enumerate(scs):
        seen = [k for k in entries if _sees(joint.models[e], k)]
        if not seen:
            continue
        if len(scs) == 1 and len(seen) == len(entries):      # the global fit is this one
            single[sc.name] = res["limits"]
            continue
        alone = joint_model({sc.name: joint.models[e]}, tuple(seen))
        f1 = tuple(seen) + tuple(f for f in free if f.startswith(f"{sc.name}/"))
        single[sc.name] = _limits_table(entry_limits(alone, (data[e],), f1, init=mle, **lim_kw))
    res["single"] = single
    res["best_single"] = {}

    def width(v):
        return v["upper"] - v["lower"]

    for k in entries:
        cands = [(width(v[k]), n) for n, v in single.items() if k in v]
        if cands:
            _, n = min(cands)
            best = single[n][k]
            res["best_single"][k] = {"experiment": n, "lower": best["lower"],
                                     "upper": best["upper"],
                                     "global_over_best": width(res["limits"][k]) / width(best)}
    timings["single_s"] = time.perf_counter() - t0
    if cfg["forecast_configs"]:
        t0 = time.perf_counter()
        res["forecast"] = forecast(cfg, joint, free, lim_kw)
        res["forecast_method"] = cfg.get("forecast_method", "asimov")
        timings["forecast_s"] = time.perf_counter() - t0
        for k, v in res["forecast"].items():
            log(f"forecast ({res['forecast_method']}) {k}: expected upper "
                f"{v['before']['upper']:.4g} → "
                f"{v['after']['upper']:.4g}")
    post = None
    if g["nuts"] is not None:
        t0 = time.perf_counter()
        n = g["nuts"]
        chains, warmup, samples = ((1, 100, 100) if quick else
                                   (n["chains"], n["warmup"], n["samples"]))
        post = run_joint_nuts(jax.random.fold_in(key, 7), joint, data, free, init=mle,
                              num_warmup=warmup, num_samples=samples, num_chains=chains)
        lo, hi = (1 - g["cl"]) / 2, (1 + g["cl"]) / 2
        res["nuts"] = {"draws": f"{chains}x{samples} after {warmup} warm-up",
                       "r_hat_max": post.r_hat_max, "ess_min": post.ess_min,
                       "credible": {k: {"lower": float(np.quantile(post.samples[k], lo)),
                                        "upper": float(np.quantile(post.samples[k], hi)),
                                        "abs_upper": float(np.quantile(np.abs(post.samples[k]),
                                                                       g["cl"]))}
                                    for k in entries}}
        timings["nuts_s"] = time.perf_counter() - t0
        log(f"NUTS: r_hat max {post.r_hat_max:.3f}, ESS min {post.ess_min:.0f}")
    res["timings"] = {k: round(v, 3) for k, v in timings.items()}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        if post is not None:
            from nujax.app.plots import plot_posterior
            from nujax.inference.nuts import save_netcdf

            save_netcdf(post.idata, out / "posterior.nc")
            plot_posterior(out / "corner.png", {k: post.samples[k].reshape(-1) for k in entries},
                           name, keys=tuple(entries))
        with atomic_path(out / "limits.json") as tmp:
            tmp.write_text(json.dumps(_json_safe(res), indent=2, ensure_ascii=False, allow_nan=False)
                           + "\n", encoding="utf-8")
        log(f"wrote {out}")
    return res



def _json_safe(obj):
    """``obj`` with every non-finite float as ``None`` (standard JSON has no Infinity/NaN): an
    entry not constrained below its grid ceiling is written as null, its note says why."""
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj

def _sees(model, entry) -> bool:
    """The model's counts depend on ``entry`` (a non-zero template)."""
    i = model.em_names.index(entry) if entry in getattr(model, "em_names", ()) else None
    base = getattr(model, "base", model)
    return i is not None and bool(np.any(np.asarray(base.em_lin[:, i]) != 0)
                                  or np.any(np.asarray(base.em_quad[:, i, i]) != 0))


def forecast_experiments(cfg, joint) -> tuple:
    """(extra, extra_free): the ``[forecast]`` experiments' models ``{name: model}`` built as
    the global fit's (:func:`experiment_em_model`) and their nuisances ``<name>/<param>``."""
    from nujax.inference.joint import SEP

    g = cfg["global"]
    extra, extra_free = {}, []
    for c in cfg["forecast_configs"]:
        sc, m = experiment_em_model(c, g["entries"], basis=g["basis"], majorana=g["majorana"])
        if sc.name in joint.names:
            raise ConfigError("forecast.experiments", f"{sc.name} is already in the global fit")
        extra[sc.name] = m
        extra_free += [f"{sc.name}{SEP}{k}" for k in _nuisances(sc)]
    return extra, tuple(extra_free)


def forecast(cfg, joint, free, lim_kw) -> dict:
    """:func:`nujax.inference.joint.forecast_limits` of the global fit with the ``[forecast]``
    experiments added, by the ``[forecast] method`` ("fisher": only ``cl`` of ``lim_kw``):
    entry → {before, after, improvement}."""
    from nujax.inference.joint import forecast_limits

    extra, extra_free = forecast_experiments(cfg, joint)
    method = cfg.get("forecast_method", "asimov")
    kw = lim_kw if method == "asimov" else {"cl": lim_kw["cl"]}
    return forecast_limits(joint, free, extra, extra_free, method=method, **kw)
