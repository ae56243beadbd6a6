"""Global fit: −log L + gradient of the joint model and NUTS (4 chains × 1000) vs numpy.

Run:  python benchmarks/bench_global.py [--config PATH] [--quick]
Writes results/<case>.json and the "<case>" table of benchmarks/README.md, one per configuration
(:data:`CASES`), so the cases keep their own results.

Cases:

* ``global`` — fits/experiments/global_study.toml (the default): xenon solar electron recoils
  (pp + ⁷Be, mass-eigenstate mixture), reactor ν̄_e on germanium and COHERENT CsI[Na] 2022
  (π-DAR), sharing μ_ee and μ_μμ;
* ``global_published`` — fits/experiments/global.toml: XENONnT 2022, TEXONO 2007 (reactor ON
  with the OFF exposure constraining the background), Borexino 2017 (free background components,
  Birks-quenched energy scale) and COHERENT CsI[Na] 2022, sharing μ_ee, μ_μμ, μ_ττ, μ_eμ;

each experiment with its own nuisances (:class:`nujax.inference.joint.JointModel`, Dirac or
Majorana and the basis as the configuration says).

* JAX: ``jax.value_and_grad`` of the joint −log L over the flat vector of free parameters, jitted.
* numpy: the same likelihood written with numpy from the same templates (numpy_joint.py: the
  exact quadratic form in the entries, background components, ON/OFF, Poisson terms and
  constraints, for every model class the experiments use), gradient by central differences
  (2P + 1 evaluations). The two −log L agree to 1e-10 (checked).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from numpy_joint import numpy_nll_factory  # noqa: E402

import nujax  # noqa: E402
from nujax.app.global_fit import build_global, load_global_config  # noqa: E402
from nujax.inference.joint import joint_mle, run_joint_nuts  # noqa: E402
from nujax.inference.model import nll  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "fits" / "experiments" / "global_study.toml"
#: Configuration (relative to the repository) → case name: results/<case>.json, README section.
CASES = {"fits/experiments/global_study.toml": "global",
         "fits/experiments/global.toml": "global_published"}
#: Values of the shared entries at which −log L and its gradient are timed and compared
#: [entry units], in the configuration's order (cycled for more entries).
ENTRY_POINT = (1.0, 2.0, 1.5, 0.5)


def case_of(config) -> tuple:
    """(case name, path shown in the table) of a configuration file: a name of :data:`CASES`, else
    ``global_<file stem>``."""
    path = Path(config).resolve()
    try:
        shown = path.relative_to(ROOT).as_posix()
    except ValueError:
        shown = path.name
    return CASES.get(shown, f"global_{path.stem}"), shown


def numpy_unravel(x0: dict):
    """numpy inverse of ``ravel_pytree(x0)`` (same order and shapes), so the numpy baseline
    evaluates without JAX."""
    leaves, treedef = jax.tree_util.tree_flatten(x0)
    keys = jax.tree_util.tree_unflatten(treedef, list(range(len(leaves))))
    order = sorted(keys, key=keys.get)
    shapes = [np.shape(x0[k]) for k in order]
    stops = np.cumsum([int(np.prod(sh)) for sh in shapes])

    def unravel(v):
        parts = np.split(np.asarray(v, float), stops[:-1])
        return {k: part.reshape(sh) for k, part, sh in zip(order, parts, shapes)}

    return unravel


def main(quick: bool = False, config=CONFIG):
    nujax.enable_x64()
    load0 = os.getloadavg()[0]
    case, shown = case_of(config)
    cfg = load_global_config(config)
    g = cfg["global"]
    entries = tuple(g["entries"])
    t0 = time.perf_counter()
    joint, free, _ = build_global(cfg["experiment_configs"], g["entries"], basis=g["basis"],
                                  majorana=g["majorana"])
    build_s = time.perf_counter() - t0
    data = tuple(jnp.asarray(x) for x in joint.expected({}))
    p0 = {**joint.default_params(),
          **{k: ENTRY_POINT[i % len(ENTRY_POINT)] for i, k in enumerate(entries)}}
    x0 = {k: jnp.asarray(p0[k], float) for k in free}
    fx = {k: jnp.asarray(v, float) for k, v in p0.items() if k not in free}
    flat0, unravel = ravel_pytree(x0)
    vg = jax.jit(jax.value_and_grad(lambda v, d: nll(joint, {**fx, **unravel(v)}, d)))
    jt = common.time_jax(vg, flat0, data, repeat=5 if quick else 50)
    f_np = numpy_nll_factory(joint, {k: np.asarray(v) for k, v in fx.items()})
    d_np = tuple(np.asarray(x) for x in data)
    to_dict = numpy_unravel(x0)
    for k, v in unravel(flat0).items():
        assert np.array_equal(np.asarray(v), to_dict(np.asarray(flat0))[k]), k

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
    mle, _, _ = joint_mle(joint, data, free, init={k: 0.5 for k in entries})
    chains, warm, draws = (2, 100, 100) if quick else (4, 500, 1000)
    t0 = time.perf_counter()
    post = run_joint_nuts(jax.random.PRNGKey(0), joint, data, free, init=mle, num_warmup=warm,
                          num_samples=draws, num_chains=chains)
    nuts_s = time.perf_counter() - t0
    info = common.device_info()
    n_exp = len(joint.names)
    payload = {
        "device": info, "quick": quick, "case": case, "config": shown,
        "experiments": list(joint.names), "n_experiments": n_exp,
        "model_classes": {n: _classes(m) for n, m in zip(joint.names, joint.models)},
        "entries": list(entries),
        "n_bins": int(sum(np.size(d) for d in d_np)), "n_params": int(flat0.size),
        "free_parameters": list(free),
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
    common.write_json(case, payload)
    md = (f"Device: {info['platform']} ({info['device']}), {info['cpu_count']} CPU cores, jax "
          f"{info['jax']}; {'quick' if quick else 'full'} run; load average {load0:.1f} → "
          f"{payload['load_average_before_after'][1]:.1f}. Case: {shown}: {n_exp} experiments "
          f"({', '.join(joint.names)}), {payload['n_bins']} bins, {payload['n_params']} free "
          f"parameters ({len(entries)} entries {', '.join(entries)} and "
          f"{payload['n_params'] - len(entries)} nuisances).\n\n"
          "| quantity | JAX | numpy (FD gradient) | numpy/JAX |\n|---|---|---|---|\n"
          f"| −log L + gradient | {jt['run_s'] * 1e3:.3g} ms "
          f"(compile+first {jt['first_call_s']:.2f} s) "
          f"| {nt['run_s'] * 1e3:.3g} ms | {payload['ratio_numpy_over_jax']:.1f}× |\n"
          f"| NUTS {chains} chains × {draws} (+{warm} warm-up), incl. compile | {nuts_s:.1f} s "
          f"(r̂ max {post.r_hat_max:.3f}, ESS min {post.ess_min:.0f}) | – | – |\n"
          f"| templates ({n_exp} experiments, exact Hessians) | {build_s:.1f} s | – | – |\n\n"
          f"Gradient: JAX vs numpy central differences, max relative difference "
          f"{payload['grad_max_rel_diff_vs_fd']:.1e}.")
    common.update_readme_section(case, md)
    print(md)
    return payload


def _classes(model) -> str:
    """Model classes from the outside in: ``OnOffModel(BackgroundModel(BinnedModel))``."""
    inner = getattr(model, "base", None)
    name = type(model).__name__
    return f"{name}({_classes(inner)})" if inner is not None else name


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--config", type=Path, default=CONFIG,
                    help="global configuration (default: fits/experiments/global_study.toml)")
    main(**vars(ap.parse_args()))
