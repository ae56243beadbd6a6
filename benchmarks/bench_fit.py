"""Benchmark: NUTS and optax MLE on the hellaz_pp model (50 T × 36 φ bins, 4 parameters).

hellaz_pp: pp solar neutrinos, HELLAZ preset (6 t He/CH4, T ≥ 100 keV, 30 mrad), Pe = 0.5, flat
background 50 /(t yr MeV), parameters μ_ν, φ_B, pp flux normalisation (SSM 1 % prior) and
background scale (10 % prior). NUTS: 4 chains × 1000 samples after 500 warm-up (sequential chains
on CPU). The optax L-BFGS MLE is compared with the same likelihood in numpy minimised by
scipy.optimize (L-BFGS-B, numerical gradients). Writes benchmarks/results/fit.json.
Usage: python benchmarks/bench_fit.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jax
import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from nujax.detector import preset  # noqa: E402
from nujax.inference import asimov_data, build_model, fit_mle, toy_data  # noqa: E402
from nujax.inference.nuts import run_nuts  # noqa: E402
from nujax.sources.catalog import get_source  # noqa: E402


def numpy_nll(x, M, data):
    """The same likelihood in numpy: x = (μ, φ_B, norm, bkg_scale)."""
    mu, phi, nrm, b = x
    per = M["weak"] + mu * mu * M["em"] + mu * (np.cos(phi) * M["int_cos"] + np.sin(phi) * M["int_sin"])
    lam = nrm * per.sum(0) + b * M["background"]
    if np.any(lam <= 0):
        return 1e300
    ll = np.sum(data * np.log(lam) - lam - gammaln(data + 1.0))
    ll -= 0.5 * ((nrm - 1) / M["norm_sigma"][0]) ** 2 + 0.5 * ((b - 1) / M["bkg_sigma"]) ** 2
    return -ll


def main(quick=False):
    jax.config.update("jax_enable_x64", True)
    det = preset("hellaz", background=50.0)
    t0 = time.perf_counter()
    model = build_model(get_source("pp"), det, np.linspace(0.1, 0.26, 51),
                        np.linspace(0.0, 2 * np.pi, 37), pe=0.5, norm_sigma=0.01, bkg_sigma=0.1)
    t_build = time.perf_counter() - t0
    truth = {"mu_1e11": 5.0, "phi_B": 1.0}
    data = toy_data(jax.random.PRNGKey(3), model, truth)
    free = ("mu_1e11", "phi_B", "norm", "bkg_scale")
    t0 = time.perf_counter()
    r = fit_mle(model, data, free=free)
    t_mle_first = time.perf_counter() - t0
    data2 = toy_data(jax.random.PRNGKey(4), model, truth)
    t0 = time.perf_counter()
    r2 = fit_mle(model, data2, free=free)
    jax.block_until_ready(r2.nll)
    t_mle = time.perf_counter() - t0
    M = {k: np.asarray(getattr(model, k)) for k in ("weak", "em", "int_cos", "int_sin",
                                                     "background", "norm_sigma", "bkg_sigma")}
    d2 = np.asarray(data2)
    t0 = time.perf_counter()
    sp = minimize(numpy_nll, x0=[0.1, 0.0, 1.0, 1.0], args=(M, d2), method="L-BFGS-B")
    t_scipy = time.perf_counter() - t0
    nw, ns = (100, 200) if quick else (500, 1000)
    t0 = time.perf_counter()
    post = run_nuts(jax.random.PRNGKey(0), model, data, num_warmup=nw, num_samples=ns,
                    num_chains=4, to_arviz=False)
    t_nuts = time.perf_counter() - t0
    mu = np.asarray(post.samples["mu_1e11"])
    out = {
        "device": common.device_info(), "model": "hellaz_pp 50 T x 36 phi, 4 parameters",
        "build_templates_s": t_build,
        "optax_mle_first_call_s": t_mle_first, "optax_mle_s": t_mle,
        "optax_mu_hat": float(r2.params["mu_1e11"]), "optax_nll": float(r2.nll),
        "scipy_mle_s": t_scipy, "scipy_mu_hat": float(abs(sp.x[0])), "scipy_nll": float(sp.fun),
        "scipy_over_optax": t_scipy / t_mle,
        "nuts": {"chains": 4, "warmup": nw, "samples": ns, "wall_s_incl_compile": t_nuts,
                 "mu_mean": float(mu.mean()), "mu_std": float(mu.std()),
                 "converged": post.converged,
                 "r_hat_max": float(max(np.max(v["r_hat"]) for v in post.summary.values())),
                 "ess_min": float(min(np.min(v["n_eff"]) for v in post.summary.values()))},
        "first_fit_converged": bool(r.converged), "quick": quick,
    }
    path = common.write_json("fit", out)
    common.update_readme_section("fit", table(out))
    print(out)
    print("wrote", path)


def table(out: dict) -> str:
    """Markdown table of a fit benchmark result (benchmarks/README.md, section "fit")."""
    n = out["nuts"]
    return "\n".join([
        f"Model: {out['model']}. Device: {out['device']['platform']}, {out['device']['cpu_count']} CPU cores.",
        "",
        "| step | time | note |",
        "|---|---|---|",
        f"| build templates | {out['build_templates_s']:.2f} s | once per detector/source set |",
        f"| optax MLE (L-BFGS, jitted loop) | {out['optax_mle_s'] * 1e3:.1f} ms | first call incl. compile "
        f"{out['optax_mle_first_call_s']:.2f} s |",
        f"| numpy likelihood + scipy L-BFGS-B | {out['scipy_mle_s'] * 1e3:.1f} ms | "
        f"{out['scipy_over_optax']:.0f}× the optax time; μ̂ agree to "
        f"{abs(out['optax_mu_hat'] - out['scipy_mu_hat']):.1e} |",
        f"| NUTS {n['chains']} chains × {n['samples']} after {n['warmup']} warm-up | "
        f"{n['wall_s_incl_compile']:.1f} s incl. compile | r̂max {n['r_hat_max']:.3f}, ESS min "
        f"{n['ess_min']:.0f} |",
    ])


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)
