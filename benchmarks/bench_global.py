"""Global fit: −log L + gradient of the joint model and NUTS (4 chains × 1000) vs numpy.

Run:  python benchmarks/bench_global.py [--quick]
Writes benchmarks/results/global.json and the "global" table in benchmarks/README.md.

Case: fits/experiments/global_study.toml: xenon solar electron recoils (pp + ⁷Be,
mass-eigenstate mixture), reactor ν̄_e on germanium and COHERENT CsI[Na] 2022 (π-DAR), sharing
μ_ee and μ_μμ (Dirac, flavor basis), each with its own nuisances (:class:`nujax.inference.joint.JointModel`).

* JAX: ``jax.value_and_grad`` of the joint −log L over the flat vector of free parameters, jitted.
* numpy: the same likelihood written with numpy from the same templates (the exact quadratic
  form, Poisson terms and Gaussian constraints), gradient by central differences (2P + 1
  evaluations). The two −log L agree to 1e-10 (checked).
* NUTS: :func:`nujax.inference.joint.run_joint_nuts`, 4 vectorized chains × 1000 draws after 500
  warm-up, started at the MLE, on Asimov data at zero; total wall time including compilation.

Template building (the density-matrix counts and their Hessian per experiment) is reported
separately; it is done once per configuration.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from scipy.special import gammaln

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

import nujax  # noqa: E402
from nujax.app.global_fit import build_global, load_global_config  # noqa: E402
from nujax.inference.joint import joint_mle, run_joint_nuts  # noqa: E402
from nujax.inference.model import nll  # noqa: E402

CONFIG = Path(__file__).resolve().parents[1] / "fits" / "experiments" / "global_study.toml"


def numpy_nll_factory(joint, free, fixed):
    """−log L in numpy over the flat free vector (same ordering as ravel_pytree of ``free``)."""
    mods = []
    for m in joint.models:
        mods.append({k: (None if getattr(m, k) is None else np.asarray(getattr(m, k)))
                     for k in ("weak", "em_lin", "em_quad", "background", "norm_sigma",
                               "eff_sigma", "bkg_sigma")} | {"bkg_constrained": m.bkg_constrained,
                                                             "em_names": m.em_names})
    names = joint.names
    fixed = {k: np.asarray(v, float) for k, v in fixed.items()}

    def f(p, data):
        out = 0.0
        for e, (m, d) in enumerate(zip(mods, data)):
            own = {k: p.get(f"{names[e]}/{k}", fixed.get(f"{names[e]}/{k}"))
                   for k in ("norm", "eff_scale", "bkg_scale")}
            th = np.array([p[k] if k in p else fixed[k] for k in m["em_names"]], float)
            per = (m["weak"] + np.einsum("p,sp...->s...", th, m["em_lin"])
                   + 0.5 * np.einsum("p,q,spq...->s...", th, th, m["em_quad"]))
            norm = np.broadcast_to(own["norm"], (per.shape[0],))
            lam = own["eff_scale"] * np.tensordot(norm, per, 1) + own["bkg_scale"] * m["background"]
            out += np.sum(d * np.log(lam) - lam - gammaln(d + 1.0))
            ns = m["norm_sigma"]
            z = np.where(ns > 0, (norm - 1.0) / np.where(ns > 0, ns, 1.0), 0.0)
            out -= 0.5 * np.sum(z * z)
            for key, sig, use in (("eff_scale", m["eff_sigma"], True),
                                  ("bkg_scale", m["bkg_sigma"], m["bkg_constrained"])):
                if use and sig > 0:
                    out -= 0.5 * ((own[key] - 1.0) / sig) ** 2
        return -out

    return f


def main(quick: bool = False):
    nujax.enable_x64()
    load0 = os.getloadavg()[0]
    cfg = load_global_config(CONFIG)
    t0 = time.perf_counter()
    joint, free, _ = build_global(cfg["experiment_configs"], cfg["global"]["entries"])
    build_s = time.perf_counter() - t0
    data = tuple(jnp.asarray(x) for x in joint.expected({}))
    p0 = {**joint.default_params(), "mu_ee": 1.0, "mu_mumu": 2.0}
    x0 = {k: jnp.asarray(p0[k], float) for k in free}
    fx = {k: jnp.asarray(v, float) for k, v in p0.items() if k not in free}
    flat0, unravel = ravel_pytree(x0)
    vg = jax.jit(jax.value_and_grad(lambda v, d: nll(joint, {**fx, **unravel(v)}, d)))
    jt = common.time_jax(vg, flat0, data, repeat=5 if quick else 50)
    f_np = numpy_nll_factory(joint, free, fx)
    d_np = tuple(np.asarray(x) for x in data)

    def to_dict(v):
        return {k: np.asarray(x) for k, x in unravel(jnp.asarray(v)).items()}

    def vg_np(v, d, h=1e-6):
        val = f_np(to_dict(v), d)
        g = np.empty_like(v)
        for i in range(v.size):
            e = np.zeros_like(v)
            e[i] = h
            g[i] = (f_np(to_dict(v + e), d) - f_np(to_dict(v - e), d)) / (2 * h)
        return val, g

    v_np0 = np.asarray(flat0)
    v_jax, g_jax = vg(flat0, data)
    v_np, g_np = vg_np(v_np0, d_np)
    assert abs(float(v_jax) - v_np) < 1e-10 * abs(v_np), (float(v_jax), v_np)
    nt = common.time_numpy(vg_np, v_np0, d_np, repeat=2 if quick else 5)
    mle, _, _ = joint_mle(joint, data, free, init={"mu_ee": 0.5, "mu_mumu": 0.5})
    chains, warm, draws = (2, 100, 100) if quick else (4, 500, 1000)
    t0 = time.perf_counter()
    post = run_joint_nuts(jax.random.PRNGKey(0), joint, data, free, init=mle, num_warmup=warm,
                          num_samples=draws, num_chains=chains)
    nuts_s = time.perf_counter() - t0
    info = common.device_info()
    payload = {
        "device": info, "quick": quick, "experiments": list(joint.names),
        "n_bins": int(sum(np.size(d) for d in d_np)), "n_params": int(flat0.size),
        "build_templates_s": build_s,
        "jax_value_and_grad_s": jt["run_s"], "jax_compile_and_first_s": jt["first_call_s"],
        "numpy_value_and_fd_grad_s": nt["run_s"],
        "ratio_numpy_over_jax": nt["run_s"] / jt["run_s"],
        "grad_max_rel_diff_vs_fd": float(np.max(np.abs(np.asarray(g_jax) - g_np)
                                                / np.maximum(np.abs(g_np), 1e-6))),
        "nuts": {"chains": chains, "warmup": warm, "draws": draws, "wall_s": nuts_s,
                 "r_hat_max": post.r_hat_max, "ess_min": post.ess_min},
        "load_average_before_after": [load0, os.getloadavg()[0]],
    }
    common.write_json("global", payload)
    md = (f"Device: {info['platform']} ({info['device']}), {info['cpu_count']} CPU cores, jax "
          f"{info['jax']}; {'quick' if quick else 'full'} run; load average {load0:.1f} → "
          f"{payload['load_average_before_after'][1]:.1f}. Case: "
          "fits/experiments/global_study.toml "
          f"({', '.join(joint.names)}; {payload['n_bins']} bins, {payload['n_params']} free "
          "parameters).\n\n"
          "| quantity | JAX | numpy (FD gradient) | numpy/JAX |\n|---|---|---|---|\n"
          f"| −log L + gradient | {jt['run_s'] * 1e3:.3g} ms "
          f"(compile+first {jt['first_call_s']:.2f} s) "
          f"| {nt['run_s'] * 1e3:.3g} ms | {payload['ratio_numpy_over_jax']:.1f}× |\n"
          f"| NUTS {chains} chains × {draws} (+{warm} warm-up), incl. compile | {nuts_s:.1f} s "
          f"(r̂ max {post.r_hat_max:.3f}, ESS min {post.ess_min:.0f}) | – | – |\n"
          f"| templates (3 experiments, exact Hessians) | {build_s:.1f} s | – | – |\n\n"
          f"Gradient: JAX vs numpy central differences, max relative difference "
          f"{payload['grad_max_rel_diff_vs_fd']:.1e}.")
    common.update_readme_section("global", md)
    print(md)
    return payload


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    main(**vars(ap.parse_args()))
