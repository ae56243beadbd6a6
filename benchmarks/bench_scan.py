"""Benchmark: sensitivity scans (μν × exposure) of the hellaz_pp model, JAX vs numpy.

The quantity is the Asimov exclusion statistic q_μ,A with the pp flux normalisation (1 % prior) and
the background scale (10 % prior) profiled by 4 Newton steps (nujax.inference.scan). The numpy
baseline evaluates the same formula, vectorised over blocks of grid points (bounded memory).
Parts: 256 × 256 grid in float64 and float32 (compile time separately); scaling with the grid
size 10²…10⁶ with the peak resident memory; the same scan sharded over 4 forced host devices
(subprocess) with its speed ratio and max |difference|. Writes benchmarks/results/scan.json.
Usage: python benchmarks/bench_scan.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from nujax.detector import preset  # noqa: E402
from nujax.inference.scan import TemplateSpec, scan  # noqa: E402
from nujax.sources.catalog import get_source  # noqa: E402

NUIS = ("norm", "bkg_scale")


def hellaz_spec():
    return TemplateSpec(get_source("pp"), preset("hellaz", background=50.0),
                        np.linspace(0.1, 0.26, 51), np.linspace(0.0, 2 * np.pi, 37), pe=0.5,
                        norm_sigma=0.01, bkg_sigma=0.1)


def numpy_q_asimov(model, mu, expo, phi_B=0.0, n_profile=4, block=256):
    """q_μ,A with norm (per source) and bkg_scale profiled: the formula of nujax.inference.scan in numpy."""
    W, M, C, Sn = (np.asarray(getattr(model, k), float).reshape(model.n_sources, -1)
                   for k in ("weak", "em", "int_cos", "int_sin"))
    B = np.asarray(model.background, float).reshape(-1)
    S = W.shape[0]
    cw = np.r_[np.where(np.asarray(model.norm_sigma) > 0, 1 / np.asarray(model.norm_sigma) ** 2, 0.0),
               1 / float(model.bkg_sigma) ** 2]
    inter = np.cos(phi_B) * C + np.sin(phi_B) * Sn
    out = np.empty(mu.size)
    for lo in range(0, mu.size, block):
        m, f = mu[lo:lo + block, None, None], expo[lo:lo + block, None]
        per = f[:, None] * (W + m * m * M + m * inter)                  # (b, S, N)
        fB = f * B                                                       # (b, N)
        n = f * W.sum(0) + fB                                            # Asimov, μ = 0
        th = np.ones((per.shape[0], S + 1))
        pos = n > 0
        for _ in range(n_profile):
            lam = np.einsum("bs,bsn->bn", th[:, :S], per) + th[:, S:] * fB
            ok = lam > 0
            inv = np.where(ok, 1 / np.where(ok, lam, 1.0), 0.0)
            r = np.where(ok, 1 - n * inv, 1.0)
            w = np.maximum(n * inv, 1.0) * inv
            J = np.concatenate([per, fB[:, None]], axis=1)               # (b, S+1, N)
            g = np.einsum("bpn,bn->bp", J, r) + cw * (th - 1)
            H = np.einsum("bpn,bqn->bpq", J * w[:, None], J) + np.diag(cw)
            th = th - np.linalg.solve(H, g[..., None])[..., 0]
        lam = np.einsum("bs,bsn->bn", th[:, :S], per) + th[:, S:] * fB
        x = (lam - n) / np.where(pos, n, 1.0)
        term = np.where(pos, n * (x - np.log1p(np.maximum(x, -1 + 1e-300))), lam)
        out[lo:lo + block] = 2 * (term.sum(1) + 0.5 * ((th - 1) ** 2 * cw).sum(1))
    return np.maximum(out, 0.0)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed_scan(model, axes, dtype, repeat):
    t0 = time.perf_counter()
    r = scan(model, axes, dtype=dtype, nuisances=NUIS)
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = scan(model, axes, dtype=dtype, nuisances=NUIS)
        best = min(best, time.perf_counter() - t0)
    return r, {"first_call_s": first, "run_s": best, "compile_s": max(first - best, 0.0)}


SHARDED = textwrap.dedent("""
    import json, sys, time
    import jax
    jax.config.update("jax_enable_x64", True)
    import numpy as np
    sys.path.insert(0, {here!r})
    from bench_scan import hellaz_spec, NUIS
    from nujax.inference.scan import scan
    model = hellaz_spec().build()
    n = {n}
    ax = {{"mu_1e11": np.geomspace(0.1, 100, n), "exposure": np.geomspace(0.1, 100, n)}}
    res = {{"n_devices": jax.device_count()}}
    for key, sh in (("unsharded", False), ("sharded", True)):
        scan(model, ax, nuisances=NUIS, sharded=sh)
        t0 = time.perf_counter()
        r = scan(model, ax, nuisances=NUIS, sharded=sh)
        res[key + "_s"] = time.perf_counter() - t0
        res[key] = r.values
    d = np.abs(res.pop("sharded") - res.pop("unsharded"))
    res["max_abs_diff"] = float(d.max())
    print("RESULT" + json.dumps(res))
""")


def sharded_run(n):
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    code = SHARDED.format(here=str(Path(__file__).resolve().parent), n=n)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        return {"error": p.stderr[-2000:]}
    out = json.loads([x for x in p.stdout.splitlines() if x.startswith("RESULT")][-1][6:])
    out["speed_ratio_unsharded_over_sharded"] = out["unsharded_s"] / out["sharded_s"]
    out["grid"] = f"{n}x{n}"
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller grids (smoke run)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    jax.config.update("jax_enable_x64", True)
    quick = args.quick
    n = 64 if quick else 256
    model = hellaz_spec().build()
    mu_ax, ex_ax = np.geomspace(0.1, 100, n), np.geomspace(0.1, 100, n)
    axes = {"mu_1e11": mu_ax, "exposure": ex_ax}
    out = {"device": common.device_info(), "quick": quick, "grid": f"{n}x{n}",
           "model": "hellaz_pp 50 T x 36 phi; q_asimov, norm + bkg_scale profiled (4 Newton steps)",
           "load_average": os.getloadavg()}
    ref = None
    for dt in ("float64", "float32"):
        r, t = timed_scan(model, axes, dt, repeat=1 if not quick else 2)
        out[dt] = t
        if dt == "float64":
            ref = r.values
        else:
            out[dt]["max_rel_diff_vs_float64"] = float(np.max(np.abs(r.values / ref - 1)))
    # numpy on the same grid (full grid unless --quick)
    MU, EX = np.meshgrid(mu_ax, ex_ax, indexing="ij")
    t0 = time.perf_counter()
    qn = numpy_q_asimov(model, MU.ravel(), EX.ravel())
    t_np = time.perf_counter() - t0
    out["numpy"] = {"run_s": t_np, "max_rel_diff_vs_jax": float(np.max(np.abs(qn / ref.ravel() - 1)))}
    out["jax_over_numpy_float64"] = t_np / out["float64"]["run_s"]
    out["jax_over_numpy_float32"] = t_np / out["float32"]["run_s"]
    # scaling with the grid size (bounded memory: chunks of 65536 points, lax.map batches of 8)
    sizes = [(10, 10), (10, 100), (100, 100)] + ([] if quick else [(100, 1000), (1000, 1000)])
    out["scaling"] = []
    for a, b in sizes:
        ax = {"mu_1e11": np.geomspace(0.1, 100, a), "exposure": np.geomspace(0.1, 100, b)}
        # warm up on a grid with the same chunk shape (min(points, 65536)): no compile in the timing
        warm = ax if a * b <= 65536 else {"mu_1e11": mu_ax[:256], "exposure": ex_ax[:256]}
        scan(model, warm, nuisances=NUIS)
        t0 = time.perf_counter()
        scan(model, ax, nuisances=NUIS)
        dt_ = time.perf_counter() - t0
        out["scaling"].append({"points": a * b, "run_s": dt_, "points_per_s": a * b / dt_,
                               "peak_rss_mib": rss_mib()})
        print(out["scaling"][-1], flush=True)
    out["sharded"] = sharded_run(64 if quick else 256)
    print(json.dumps(out, indent=1, default=str))
    if not args.no_write:
        common.write_json("scan", out)
        common.update_readme_section("scan", table(out))
    return out


def table(out: dict) -> str:
    """Markdown for the "scan" section of benchmarks/README.md."""
    d = out["device"]
    la = out.get("load_average", [float("nan")])[0]
    rows = [f"Model: {out['model']}. Grid {out['grid']} (μν × exposure). Device: {d['platform']}, "
            f"{d['cpu_count']} CPU cores, jax {d['jax']}; load average at start {la:.1f}.", "",
            "| variant | steady run [s] | compile [s] | × numpy | note |", "|---|---|---|---|---|"]
    for dt in ("float64", "float32"):
        t = out[dt]
        note = "" if dt == "float64" else f"max rel diff vs float64 {t['max_rel_diff_vs_float64']:.1e}"
        rows.append(f"| JAX {dt} | {t['run_s']:.2f} | {t['compile_s']:.2f} | "
                    f"{out['numpy']['run_s'] / t['run_s']:.1f} | {note} |")
    rows.append(f"| numpy float64 (vectorised, blocks of 256 points) | {out['numpy']['run_s']:.2f} | – | 1 | "
                f"max rel diff vs JAX {out['numpy']['max_rel_diff_vs_jax']:.1e} |")
    s = out.get("sharded", {})
    if "sharded_s" in s:
        rows.append(f"| JAX float64 sharded over {s['n_devices']} forced host devices ({s['grid']}) | "
                    f"{s['sharded_s']:.2f} | – | – | unsharded {s['unsharded_s']:.2f} s in the same process "
                    f"(ratio {s['speed_ratio_unsharded_over_sharded']:.2f}); max abs diff {s['max_abs_diff']:.1e} |")
    rows += ["", "| grid points | time [s] | points/s | peak RSS [MiB] |", "|---|---|---|---|"]
    for r in out["scaling"]:
        rows.append(f"| {r['points']:.0e} | {r['run_s']:.2f} | {r['points_per_s']:.3g} | {r['peak_rss_mib']:.0f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
