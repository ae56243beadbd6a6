"""Cross-section throughput: JAX (jit) vs the numpy baseline on the same kernels, same process.

Run:  python benchmarks/bench_xsec.py [--n 1000000] [--quick]
Writes benchmarks/results/xsec.json and the "xsec" table in benchmarks/README.md.

Every case evaluates n random physical points (Eν uniform in [0.1, 15] MeV, T uniform in
(0, T_max)). JAX times are steady state after compilation (compile time reported separately),
with ``block_until_ready``; the numpy baseline runs the identical closed-form kernel through the
``xp=numpy`` namespace. Other modules contribute cases through ``benchmarks/xsec_cases_*.py``
(each exposing ``cases() -> list[dict]`` with ``name``, ``jax_fn``, ``numpy_fn``, ``make_inputs``).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

import nujax  # noqa: E402
from nujax import kinematics as kin  # noqa: E402
from nujax.constants import M_E, SIN2_THETA_W  # noqa: E402
from nujax.couplings import Flavor  # noqa: E402
from nujax.xsec import electron as ex  # noqa: E402


def electron_inputs(n: int, dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    enu = rng.uniform(0.1, 15.0, n)
    T = rng.uniform(1e-3, 1.0, n) * kin.t_max(enu, M_E, xp=np)
    phi = rng.uniform(0.0, 2 * np.pi, n)
    return tuple(a.astype(dtype) for a in (enu, T, phi))


def electron_cases() -> list[dict]:
    kw = dict(flavor=Flavor.NUE, partner=None, majorana=False)
    mu, pe, phib = 3.0, 0.5, 0.0

    @jax.jit
    def dsdT(enu, T, phi):
        return ex._parts_jit(enu, T, phi, mu, pe, phib, SIN2_THETA_W, mode="integrated", **kw)

    @jax.jit
    def amp(enu, T, phi):
        return ex._parts_jit(enu, T, phi, mu, pe, phib, SIN2_THETA_W, mode="amplitude", **kw)

    @jax.jit
    def d2(enu, T, phi):
        return ex._parts_jit(enu, T, phi, mu, pe, phib, SIN2_THETA_W, mode="phi", **kw)

    def np_dsdT(enu, T, phi):
        return ex.numpy_dsigma_dT(enu, T, mu, pe, sin2w=SIN2_THETA_W)

    def np_d2(enu, T, phi):
        a = ex.numpy_amplitudes(enu, T, mu, pe, sin2w=SIN2_THETA_W)
        return a.weak, a.em, a.interference * np.cos(phi - phib)

    def grad_mu(enu, T, phi):
        def total(m):
            p = ex._parts_jit(enu, T, phi, m, pe, phib, SIN2_THETA_W, mode="phi", **kw)
            return jnp.sum(p.weak + p.em + p.interference)
        return jax.grad(total)(jnp.asarray(mu, enu.dtype))

    def public(enu, T, phi):
        return nujax.dsigma_dT(enu, T, mu, pe, sin2w=SIN2_THETA_W)

    return [
        dict(name="electron dσ/dT", jax_fn=dsdT, numpy_fn=np_dsdT, make_inputs=electron_inputs),
        dict(name="electron d²σ/dTdφ amplitudes (weak, em, cos coefficient)", jax_fn=amp,
             numpy_fn=lambda e, t, p: ex.numpy_amplitudes(e, t, mu, pe, sin2w=SIN2_THETA_W),
             make_inputs=electron_inputs),
        dict(name="electron d²σ/dTdφ at φ (one cos per point)", jax_fn=d2, numpy_fn=np_d2, make_inputs=electron_inputs,
             grad_fn=jax.jit(grad_mu)),
        dict(name="electron dσ/dT (public API, with input checks)", jax_fn=public, numpy_fn=np_dsdT,
             make_inputs=electron_inputs),
    ]


def _case_modules():
    for path in sorted(Path(__file__).resolve().parent.glob("xsec_cases_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        yield mod


def contributed_cases() -> list[dict]:
    return [case for mod in _case_modules() for case in mod.cases()]


def integrated_cases() -> list[dict]:
    """Integrated numbers (e.g. the seed-004 headline σ_M, σ_W): time per number."""
    return [case for mod in _case_modules() if hasattr(mod, "integrated_cases")
            for case in mod.integrated_cases()]


def run(n: int, quick: bool) -> dict:
    nujax.enable_x64()
    rows = []
    for case in electron_cases() + contributed_cases():
        n_case = case.get("n", n)
        for dtype in (np.float64, np.float32):
            args_np = case["make_inputs"](n_case, dtype)
            args = tuple(jnp.asarray(a) for a in args_np)
            tj = common.time_jax(case["jax_fn"], *args, repeat=3 if quick else 7)
            tn = common.time_numpy(case["numpy_fn"], *args_np, repeat=2 if quick else 5)
            row = {
                "case": case["name"], "dtype": np.dtype(dtype).name, "n": n_case,
                "compile_plus_first_s": tj["first_call_s"], "jax_s": tj["run_s"], "numpy_s": tn["run_s"],
                "jax_evals_per_s": n_case / tj["run_s"], "numpy_evals_per_s": n_case / tn["run_s"],
                "speedup": tn["run_s"] / tj["run_s"],
            }
            if "grad_fn" in case:
                tg = common.time_jax(case["grad_fn"], *args, repeat=3 if quick else 7)
                row["grad_s"] = tg["run_s"]
                row["grad_over_forward"] = tg["run_s"] / tj["run_s"]
            rows.append(row)
            print(f"{row['case']:<52} {row['dtype']:<8} jax {row['jax_evals_per_s']:.3g}/s "
                  f"numpy {row['numpy_evals_per_s']:.3g}/s  ×{row['speedup']:.1f}"
                  + (f"  grad/fwd {row['grad_over_forward']:.2f}" if "grad_s" in row else ""))
    integ = []
    for case in integrated_cases():
        t = common.time_jax(jax.jit(case["fn"]), repeat=3 if quick else 7)
        integ.append({"case": case["name"], "kernel_evaluations": case.get("evaluations"),
                      "compile_plus_first_s": t["first_call_s"], "jax_s_per_number": t["run_s"]})
        print(f"{case['name']:<52} {t['run_s'] * 1e3:.2f} ms per integrated number "
              f"(compile+first {t['first_call_s']:.2f} s)")
    return {"device": common.device_info(), "n": n, "rows": rows, "integrated": integ}


def table(result: dict) -> str:
    dev = result["device"]
    lines = [
        f"Device: {dev['platform']} ({dev['device']}), {dev['cpu_count']} CPU cores, jax {dev['jax']}, "
        f"numpy {dev['numpy']}. Steady-state times after compilation; numpy runs the same kernels.",
        "",
        "| case | dtype | points | JAX evals/s | numpy evals/s | JAX/numpy | compile+first [s] | grad/forward |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['case']} | {r['dtype']} | {r['n']:.0e} | {common.fmt_rate(r['jax_evals_per_s'])} | "
            f"{common.fmt_rate(r['numpy_evals_per_s'])} | {r['speedup']:.1f}× | {r['compile_plus_first_s']:.2f} | "
            + (f"{r['grad_over_forward']:.2f}" if "grad_over_forward" in r else "–") + " |")
    if result.get("integrated"):
        lines += ["", "| integrated number | kernel evaluations | JAX time per number | compile+first [s] |",
                  "|---|---|---|---|"]
        for r in result["integrated"]:
            lines.append(f"| {r['case']} | {r['kernel_evaluations']} | {r['jax_s_per_number'] * 1e3:.2f} ms | "
                         f"{r['compile_plus_first_s']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="fewer repeats (smoke run)")
    ap.add_argument("--no-write", action="store_true", help="do not write results/README")
    a = ap.parse_args(argv)
    result = run(a.n, a.quick)
    if not a.no_write:
        common.write_json("xsec", result)
        common.update_readme_section("xsec", table(result))


if __name__ == "__main__":
    main()
