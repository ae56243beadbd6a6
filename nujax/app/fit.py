"""The fit driver behind ``nujax fit fits/<name>.toml``: its steps and its summary.

:func:`run_fit` builds the scenario (:func:`nujax.app.scenarios.build_scenario`), draws Asimov
and toy data, fits, sets limits and plots. Every statistical number comes from one library
function, jitted at its own boundary in :mod:`nujax.inference`: the MLE
(:func:`~nujax.inference.fit_mle`), the Fisher errors (:func:`~nujax.inference.fisher_errors`),
the profile-likelihood upper limit (:func:`~nujax.inference.profile_upper_limit`, the same call
as the demo study's, :func:`limit_step`), the median expected limit
(:func:`~nujax.inference.exclusion_sensitivity`), toys and NUTS.
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

import numpy as np

from nujax.app.scenario_config import load_config
from nujax.app.scenarios import build_scenario

__all__ = ["run_fit", "output_files", "limit_step", "fit_limit", "sensitivity_step", "nuts_step",
           "em_interval_step",
           "json_float"]


def json_float(x):
    """A JSON-friendly float (None for NaN/inf)."""
    v = float(np.asarray(x))
    return v if math.isfinite(v) else None


def _g(x) -> str:
    """Four significant digits for the progress log (``nan`` for a missing value)."""
    return "nan" if x is None else f"{float(x):.4g}"


def output_files(nuts: bool) -> list[str]:
    """Names of the files :func:`run_fit` writes (with the NUTS outputs when ``nuts``)."""
    names = ["summary.json", "summary.nc", "limit.nc", "profile.png", "exposure.png", "data.png"]
    return names + (["corner.png", "posterior.nc"] if nuts else [])


def limit_step(model, data, *, nuisances, cl=0.9, mu_max=50.0, n_grid=49, method="profile",
               key=None, n_toys=1000):
    """The ``cl`` upper limit on |μ_ν| of the demo study and of the fits.

    ``method="profile"``: one call of :func:`nujax.inference.profile_upper_limit` (q̃ of Cowan
    et al., EPJC 71 (2011) 1554, eq. (16), solved for q̃(μ_up) = Φ⁻¹(cl)²), so ``nujax demo`` and
    ``nujax fit`` quote limits by one algorithm; any other name of
    :data:`nujax.inference.METHODS` goes through :func:`nujax.inference.upper_limit` (``key``
    and ``n_toys`` for the toy methods). Returns an :class:`~nujax.inference.UpperLimit`.
    """
    from nujax.inference import profile_upper_limit, upper_limit

    kw = dict(nuisances=tuple(nuisances), cl=float(cl), mu_max=float(mu_max), n_grid=int(n_grid))
    if method == "profile":
        return profile_upper_limit(model, data, **kw)
    return upper_limit(model, data, method=method, key=key, n_toys=int(n_toys), **kw)


def fit_limit(model, data, nuisances, fit: dict, quick: bool = False, *, method="profile",
              key=None):
    """The limit step of :func:`run_fit`: :func:`limit_step` with the ``[fit]`` settings
    (``cl``, ``mu_max``, ``toys`` for the toy methods (default 1000); a coarser first grid and
    at most 100 toys with ``quick``) by ``method``.

    The toy methods (:data:`~nujax.inference.methods.TOY_METHODS`) bracket on a 13-point grid
    instead of 49 (25 with ``quick``): every grid point costs a full set of toy fits. Their z(μ)
    carries the toys' Monte Carlo error, so another grid can bracket another crossing within
    that error (TEXONO 2007, 400 toys: 8.065 with 13 or 49 points, 8.004 with 25)."""
    from nujax.inference.methods import TOY_METHODS

    n_toys = fit.get("toys") or 1000
    toys = method in TOY_METHODS
    n_grid = 13 if toys else (25 if quick else 49)
    return limit_step(model, data, nuisances=nuisances, cl=fit["cl"], mu_max=fit["mu_max"],
                      n_grid=n_grid, method=method, key=key,
                      n_toys=min(n_toys, 100) if quick else n_toys)


def sensitivity_step(model, factors, *, nuisances, cl, phi_B) -> np.ndarray:
    """Median expected ``cl`` limit [10⁻¹¹ μ_B] at each exposure factor (Fisher, Asimov μ = 0).

    :func:`nujax.inference.exclusion_sensitivity` of the model scaled by each factor.
    """
    from nujax.inference import exclusion_sensitivity

    return np.asarray([float(exclusion_sensitivity(model.scaled(float(f)), nuisances=tuple(nuisances),
                                                   cl=cl, phi_B=phi_B))
                       for f in np.atleast_1d(factors)])


def em_interval_step(model, data, free, cl, init, summary):
    """Two-sided ``cl`` profile-likelihood intervals of the scenario's EM entries (``[fit]
    parameters``, :func:`nujax.inference.em_quadratic.em_profile_interval`) into ``summary``
    (``interval_<name>_lo``/``_hi``, in the entry's units; the other free parameters profiled)."""
    from nujax.inference.em_quadratic import em_profile_interval

    for k in getattr(model, "em_names", ()):
        if k not in free:
            continue
        iv = em_profile_interval(model, data, k, nuisances=tuple(p for p in free if p != "phi_B"),
                                 cl=cl, init=init)
        summary[f"interval_{k}_lo"] = json_float(iv.lower)
        summary[f"interval_{k}_hi"] = json_float(iv.upper)


def nuts_step(model, data, nuts_cfg, free, quick, key, summary, timings, init=None):
    """NUTS (``[fit] nuts``): credible limit, posterior moments and diagnostics into ``summary``.

    Every chain starts at ``init`` (the MLE of the fit) when given."""
    import time

    from nujax.inference.nuts import MuPrior, credible_upper_limit, run_nuts

    chains, warmup, samples = ((1, 100, 100) if quick else
                               (nuts_cfg["chains"], nuts_cfg["warmup"], nuts_cfg["samples"]))
    prior = MuPrior(nuts_cfg["prior"], scale=nuts_cfg["prior_scale"])
    t0 = time.perf_counter()
    post = run_nuts(key, model, data, prior=prior, num_warmup=warmup, num_samples=samples,
                    num_chains=chains, fit_phi_B="phi_B" in free, init=init, fit_mu=True)
    timings["time_nuts_s"] = time.perf_counter() - t0
    summary["limit_credible"] = credible_upper_limit(post.samples, summary["cl"])
    summary["nuts_mu_mean"] = json_float(np.mean(post.samples["mu_1e11"]))
    summary["nuts_mu_std"] = json_float(np.std(post.samples["mu_1e11"]))
    summary["r_hat_max"] = json_float(max(np.nanmax(v["r_hat"]) for v in post.summary.values()))
    summary["ess_min"] = json_float(min(np.nanmin(v["n_eff"]) for v in post.summary.values()))
    for k in getattr(model, "em_names", ()):                     # EM entries of the scenario
        summary[f"nuts_{k}_mean"] = json_float(np.mean(post.samples[k]))
        summary[f"nuts_{k}_std"] = json_float(np.std(post.samples[k]))
    summary["nuts_converged"] = bool(post.converged)
    summary["nuts_draws"] = f"{chains}x{samples} after {warmup} warm-up"
    return post


def run_fit(cfg: dict, out_dir, *, force=False, quick=False, progress=True, seed=0) -> dict:
    """Build the scenario, make Asimov and toy data, fit, set limits, plot; write ``out_dir``.

    Steps: templates (:func:`build_scenario`); Asimov data at the truth and one Poisson toy data
    set ("observed"); optax MLE of the free parameters on both; 1σ errors from the Fisher
    matrix at the truth; the ``fit.cl`` profile-likelihood upper limit on |μ_ν| from the toy data
    (:func:`limit_step`) and, when ``fit.method`` names another method, its limit too
    (``limit_<method>``; ``limit`` is the limit of ``fit.method``); the median expected (Asimov, μ = 0) Fisher limit and its scaling with
    exposure; NUTS when ``[fit] nuts`` is given; a toy-based Neyman limit when ``fit.toys`` > 0.

    Parameters
    ----------
    cfg : dict
        Validated configuration (:func:`nujax.app.load_config`).
    out_dir : str or os.PathLike
        Folder for summary.json, profile.png, exposure.png, data.png (+ corner.png and
        posterior.nc when NUTS ran), and the labelled netCDF files summary.nc (the summary's
        numbers with units) and limit.nc (the ``fit.method`` limit with its statistic on its μ
        grid and failed fits; :mod:`nujax.inference.export`); files are written atomically.
    force : bool
        Overwrite existing output files (else FileExistsError naming the first one found).
    quick : bool
        A tiny NUTS run (1 chain × 100 after 100 warm-up), at most 20 toys, coarser limit scans.
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
    from nujax.app.runtime import as_float64, float64_statistics
    from nujax.app.plots import (plot_data, plot_exposure, plot_fit_residuals, plot_posterior,
                                 plot_profile)

    cfg = load_config(cfg) if "origin" not in cfg.get("scenario", {}) else cfg
    out = Path(os.fspath(out_dir))
    fit = cfg["fit"]
    nuts_cfg = fit["nuts"]
    for name in output_files(nuts_cfg is not None):
        if (out / name).exists() and not force:
            raise FileExistsError(f"{out / name} exists; use force=True (--force) to overwrite")
    name = cfg["scenario"]["name"]
    log = (lambda msg: print(f"[{name}] {msg}", flush=True)) if progress else (lambda msg: None)
    t_all = time.perf_counter()
    timings, notes = {}, []
    t0 = time.perf_counter()
    sc = build_scenario(cfg)
    model, truth, free = sc.model, sc.truth, sc.free
    jax.block_until_ready(model.weak)
    timings["time_build_s"] = time.perf_counter() - t0
    log(f"templates built: {int(np.prod(model.bin_shape))} bins, {model.n_sources} source(s)")
    # float32 runs: templates in float32, every fit in float64 (nujax.app.runtime docstring)
    x32 = not jax.config.jax_enable_x64
    with float64_statistics() if x32 else contextlib.nullcontext():
        if x32:
            model, truth = as_float64(model), as_float64(truth)
            notes.append("float32 templates, fits in float64")
        key = jax.random.PRNGKey(int(seed))
        asimov = inf.asimov_data(model, truth)
        observed = sc.data is not None                  # [scenario] data: fit it instead of a toy
        data = sc.data if observed else inf.toy_data(jax.random.fold_in(key, 1), model, truth)
        nuis = tuple(p for p in free if p != "mu_1e11")
        summary = {"scenario": sc.name, "target": sc.meta["target"], "seed_ref": sc.meta["seed"],
                   "n_bins": int(np.prod(model.bin_shape)), "exposure_t_yr": sc.meta["exposure_t_yr"],
                   "cl": fit["cl"], "free": ",".join(free),
                   "data": sc.meta.get("data_file", "toy")}
        if "off_data_file" in sc.meta:                  # [scenario] off_data: ON/OFF likelihood
            summary.update(off_data=sc.meta["off_data_file"], off_alpha=sc.meta["off_alpha"])
        for k in ("mu_1e11", "phi_B", "eff_scale", "bkg_scale", *model.em_names):
            summary[f"truth_{k}"] = json_float(truth[k])
        summary["truth_pe"] = cfg["truth"]["pe"]
        lam = inf.expected(model, truth)
        summary.update(counts_weak=json_float(np.sum(model.weak)),
                       counts_em_per_mu2=json_float(np.sum(model.em)),
                       counts_em_at_truth=json_float(truth["mu_1e11"] ** 2 * np.sum(model.em)),
                       counts_background=json_float(np.sum(model.background)),
                       counts_total=json_float(np.sum(lam)), counts_observed=json_float(np.sum(data)))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            r_as = inf.fit_mle(model, asimov, free=free, init=truth, tol=1e-8)
            r = inf.fit_mle(model, data, free=free, init=truth)
            timings["time_mle_s"] = time.perf_counter() - t0
            summary["asimov_mu_hat"] = json_float(r_as.params["mu_1e11"])
            summary["mle_converged"] = bool(r.converged)
            errs = inf.fisher_errors(model, truth, free)
            for k in free:
                v = np.ravel(np.asarray(r.params[k]))
                for i, x in enumerate(v):
                    lab = k if v.size == 1 else f"{k}[{i}]"
                    summary[f"mle_{lab}"] = json_float(x)
                    summary[f"err_{lab}"] = errs.get(lab, errs.get(f"{k}[0]"))
            log(f"MLE: mu = {float(r.params['mu_1e11']):.4g} ± {errs.get('mu_1e11') or float('nan'):.3g}")
            t0 = time.perf_counter()
            up = fit_limit(model, data, nuis, fit, quick)
            notes += [f"profile limit: {up.note}"] if up.note else []
            lim = float(up.limit)
            summary["limit_profile"] = json_float(lim)
            method = fit.get("method", "profile")
            summary["limit_method"] = method
            um = up
            if method != "profile":
                um = fit_limit(model, data, nuis, fit, quick, method=method,
                               key=jax.random.fold_in(key, 4))
                notes += [f"{method} limit: {um.note}"] if um.note else []
                summary[f"limit_{method}"] = json_float(um.limit)
            summary["limit"] = summary[f"limit_{method}"]
            prof_nuis = tuple(p for p in nuis if p != "phi_B")
            factors = np.asarray(fit["exposure_factors"], float)
            if quick:
                factors = factors[:: max(len(factors) // 3, 1)]
            curve = sensitivity_step(model, np.concatenate([[1.0], factors]), nuisances=prof_nuis,
                                     cl=fit["cl"], phi_B=float(truth["phi_B"]))
            summary["limit_expected_fisher"] = json_float(curve[0])
            em_interval_step(model, data, free, fit["cl"], r.params, summary)
            curve = curve[1:]
            timings["time_limits_s"] = time.perf_counter() - t0
            log(f"{fit['cl']:.0%} CL limits: profile {_g(summary['limit_profile'])}, "
                f"expected (Fisher) {_g(summary['limit_expected_fisher'])} [10⁻¹¹ μB]")
            if fit["toys"]:
                t0 = time.perf_counter()
                n_toys = min(fit["toys"], 20) if quick else fit["toys"]
                top = 2.0 * (lim if np.isfinite(lim) else fit["mu_max"])
                mu_up, _ = inf.toy_upper_limit(jax.random.fold_in(key, 2), model, data,
                                               np.linspace(0.0, top, 6 if quick else 12), n_toys,
                                               nuisances=nuis, cl=fit["cl"])
                summary["limit_toys"], summary["n_toys"] = json_float(mu_up), n_toys
                timings["time_toys_s"] = time.perf_counter() - t0
            post = None
            if nuts_cfg is not None:
                post = nuts_step(model, data, nuts_cfg, free, quick, jax.random.fold_in(key, 3),
                                 summary, timings, init=r.params)
                log(f"NUTS: credible limit {summary['limit_credible']:.4g}, "
                    f"r_hat max {summary['r_hat_max']:.3f}")
        notes += sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        summary["warnings"] = "; ".join(notes)
        timings["time_total_s"] = time.perf_counter() - t_all
        summary.update({k: round(v, 3) for k, v in timings.items()})
        plot_profile(out / "profile.png", np.asarray(up.grid), np.asarray(up.q), fit["cl"], sc.name)
        plot_exposure(out / "exposure.png", factors * sc.meta["exposure_t_yr"], curve, fit["cl"],
                      sc.name)
        plot_data(out / "data.png", model, data, lam, sc.meta, sc.name)
        if observed:
            plot_fit_residuals(out / "fit_residuals.png", sc.meta["T_edges_MeV"] * 1e3, data,
                               inf.expected(model, r.params),    # background: signal norms at 0
                               inf.expected(model, {**r.params, "norm": 0.0 * r.params["norm"]}),
                               title=sc.name)
        if post is not None:
            from nujax.inference.nuts import save_netcdf

            plot_posterior(out / "corner.png", post.samples, sc.name)
            save_netcdf(post.idata, out / "posterior.nc")
        from nujax.inference.export import limit_to_dataset, summary_to_dataset, write_netcdf

        write_netcdf(limit_to_dataset(um, config=cfg), out / "limit.nc")
        write_netcdf(summary_to_dataset(summary, config=cfg), out / "summary.nc")
        with atomic_path(out / "summary.json") as tmp:
            tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {out}")
    return summary
