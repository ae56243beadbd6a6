"""Benchmark: Feldman–Cousins toys (10⁴ per tested μ) and the coverage of every limit method.

Model: the cr51_source scenario (⁵¹Cr, 1.7 MCi at 2 m, HELLAZ-like TPC, 23 recoil bins, flux
normalisation 1 % and background 10 % constraints; ``fits/cr51_source.toml``). Part 1 times the
Feldman–Cousins statistic t̃_μ of 10⁴ Poisson toys at one tested μ (each toy a global and a
conditional optax L-BFGS fit, all vmapped in one jitted function,
:func:`nujax.inference.fc.toy_statistic`) against the same likelihood in numpy minimised by
scipy L-BFGS-B with analytic gradients, toy by toy (timed on a subset and scaled to 10⁴). Part 2
measures the coverage of each method of :data:`nujax.inference.METHODS` with toys at μ_true
(auxiliary measurements fluctuating). Writes ``benchmarks/results/stats.json`` and the
``stats`` section of the README.
Usage: python benchmarks/bench_stats.py [--quick] [--fc-toys N] [--coverage-toys N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jax
import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from nujax.app import build_scenario, load_config  # noqa: E402
from nujax.inference import METHODS, coverage, profile_upper_limit, toy_data  # noqa: E402
from nujax.inference.fc import toy_statistic  # noqa: E402
from nujax.inference.limits import ScaledPOI, poi_scale, q_tilde_batch  # noqa: E402
from nujax.inference.optimize import split_free  # noqa: E402

FITS = Path(__file__).resolve().parent.parent / "fits"
NUIS = ("norm", "bkg_scale")


def numpy_nll_grad(x, W, M, B, n, sn, sb, mu_fixed=None):
    """nll and gradient of the cr51 likelihood in numpy; x = (μ, norm, b) or (norm, b)."""
    if mu_fixed is None:
        mu, nrm, b = x
    else:
        (nrm, b), mu = x, mu_fixed
    lam = nrm * (W + mu * mu * M) + b * B
    if np.any(lam <= 0):
        return 1e300, np.zeros_like(x)
    r = 1.0 - n / lam
    f = np.sum(lam - n * np.log(lam) + gammaln(n + 1.0))
    f += 0.5 * ((nrm - 1) / sn) ** 2 + 0.5 * ((b - 1) / sb) ** 2
    g_n = np.sum(r * (W + mu * mu * M)) + (nrm - 1) / sn ** 2
    g_b = np.sum(r * B) + (b - 1) / sb ** 2
    if mu_fixed is not None:
        return f, np.array([g_n, g_b])
    return f, np.array([np.sum(r * 2 * mu * nrm * M), g_n, g_b])


def numpy_t(n, mu, W, M, B, sn, sb):
    """t̃_μ of one data set with scipy: global fit (μ free, |μ| ≥ 0 by symmetry) and conditional."""
    g = minimize(numpy_nll_grad, [max(mu, 0.1), 1.0, 1.0], args=(W, M, B, n, sn, sb), jac=True,
                 method="L-BFGS-B", options={"gtol": 1e-8})
    c = minimize(numpy_nll_grad, [1.0, 1.0], args=(W, M, B, n, sn, sb, mu), jac=True,
                 method="L-BFGS-B", options={"gtol": 1e-8})
    return max(2.0 * (c.fun - g.fun), 0.0)


def main(quick=False, fc_toys=None, coverage_toys=None):
    jax.config.update("jax_enable_x64", True)
    load0 = os.getloadavg()[0]
    sc = build_scenario(load_config(FITS / "cr51_source.toml"))
    model = sc.model
    W, M, B = (np.asarray(x, float) for x in (model.weak[0], model.em[0], model.background))
    sn, sb = float(model.norm_sigma[0]), float(model.bkg_sigma)
    data = toy_data(jax.random.PRNGKey(0), model, {"mu_1e11": 0.0})
    mu_test = float(profile_upper_limit(model, data, nuisances=NUIS, mu_max=100.0).limit)
    n_toys = fc_toys or (1000 if quick else 10_000)
    key = jax.random.PRNGKey(1)
    t0 = time.perf_counter()
    t, ok = toy_statistic(key, model, [mu_test], n_toys, statistic="t", nuisances=NUIS)
    first = time.perf_counter() - t0
    runs = []
    for i in range(2 if quick else 3):
        t0 = time.perf_counter()
        t2, _ = toy_statistic(jax.random.fold_in(key, i + 7), model, [mu_test], n_toys,
                              statistic="t", nuisances=NUIS)
        runs.append(time.perf_counter() - t0)
    jax_s = min(runs)
    n_np = 50 if quick else 100
    toys_np = np.asarray(toy_data(jax.random.PRNGKey(2), model, {"mu_1e11": mu_test}, n_np))
    t0 = time.perf_counter()
    t_np = np.array([numpy_t(x, mu_test, W, M, B, sn, sb) for x in toys_np])
    np_s = (time.perf_counter() - t0) / n_np * n_toys
    # the scipy toys through nujax's vmapped fits: the statistic agrees toy by toy
    sm = ScaledPOI(model, jax.numpy.asarray(poi_scale(model)))
    x0, fx = split_free(model, NUIS, None, None)
    fx.pop("mu_1e11", None)
    t_same, _ = q_tilde_batch(sm, jax.numpy.asarray(toys_np), mu_test / float(sm.scale), x0, fx,
                              1e-6, free=NUIS, max_iter=200, one_sided=False)
    fc = {"n_toys": n_toys, "mu_test": mu_test, "first_call_s": first, "jax_s": jax_s,
          "numpy_scipy_s_scaled": np_s, "numpy_toys_timed": n_np, "speedup": np_s / jax_s,
          "converged_fraction": float(np.mean(ok)),
          "t_c_90_jax": float(np.quantile(t[0][ok[0]], 0.9)),
          "t_c_90_numpy": float(np.quantile(t_np, 0.9)),
          "max_abs_t_diff_same_toys": float(np.max(np.abs(np.asarray(t_same) - t_np)))}
    print("FC:", fc, flush=True)
    n_cov = coverage_toys or (300 if quick else 2000)
    n_cal = 500 if quick else 2000
    cov = {}
    for m in METHODS:
        t0 = time.perf_counter()
        frac, sig, n = coverage(jax.random.PRNGKey(11), model, {"mu_1e11": sc.truth["mu_1e11"]},
                                method=m, n_toys=n_cov, n_cal_toys=n_cal,
                                nuisances=NUIS, randomize_aux=True)
        cov[m] = {"coverage": frac, "binomial_sigma": sig, "n_toys": n,
                  "wall_s": time.perf_counter() - t0}
        print(m, cov[m], flush=True)
    out = {"device": common.device_info(), "model": "cr51_source (23 T bins, norm 1 %, bkg 10 %)",
           "feldman_cousins": fc, "coverage": cov, "mu_true": float(sc.truth["mu_1e11"]),
           "quick": quick, "n_cal_toys": n_cal, "load_average_start": load0}
    path = common.write_json("stats", out)
    common.update_readme_section("stats", table(out))
    print("wrote", path)


def table(out: dict) -> str:
    """Markdown of a stats benchmark result (benchmarks/README.md, section "stats")."""
    fc, d = out["feldman_cousins"], out["device"]
    rows = [f"Model: {out['model']}. Device: {d['platform']} ({d['device']}), {d['cpu_count']} CPU "
            f"cores; load average at start {out.get('load_average_start', float('nan')):.1f}.", "",
            "| Feldman–Cousins toys at one μ | time | note |", "|---|---|---|",
            f"| nujax: {fc['n_toys']} toys, 2 L-BFGS fits each, one jitted vmap | "
            f"{fc['jax_s']:.2f} s | first call incl. compile {fc['first_call_s']:.1f} s; "
            f"{fc['converged_fraction']:.4f} of the toys converged |",
            f"| numpy + scipy L-BFGS-B (analytic gradient), toy by toy | "
            f"{fc['numpy_scipy_s_scaled']:.1f} s | timed on {fc['numpy_toys_timed']} toys, scaled; "
            f"nujax {fc['speedup']:.0f}× faster |",
            f"| 90 % critical value t_c at μ = {fc['mu_test']:.2f} | nujax {fc['t_c_90_jax']:.3f} | "
            f"scipy {fc['t_c_90_numpy']:.3f} on {fc['numpy_toys_timed']} toys, on which t̃ of "
            f"nujax and scipy agree toy by toy to {fc['max_abs_t_diff_same_toys']:.1e} |", "",
            f"Coverage of the 90 % CL limits at μ_true = {out['mu_true']:g} (auxiliary measurements "
            "fluctuating; Feldman–Cousins: its interval):", "",
            "| method | coverage | ± binomial σ | toys |", "|---|---|---|---|"]
    for m, c in out["coverage"].items():
        rows.append(f"| `{m}` | {c['coverage']:.3f} | {c['binomial_sigma']:.3f} | {c['n_toys']} |")
    return "\n".join(rows)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--fc-toys", type=int, default=None, help="toys per μ (default 10⁴)")
    ap.add_argument("--coverage-toys", type=int, default=None, help="default 2000")
    a = ap.parse_args()
    main(a.quick, a.fc_toys, a.coverage_toys)
