"""Benchmark: a millicharge scan through the density-matrix path vs a μν scan through the compact path.

Both scans start from the same scenario configuration (``nujax.app.build_scenario``), one on
electrons (a TEXONO-like germanium detector at a 3 GW reactor, 18 bins 10-100 keV) and one on
nuclei (the ``coherent_csi`` scenario file: CsI[Na], π-DAR, 8 energy × 4 time bins):

* compact: ``[fit] parameters = ["mu"]``: the seed-000/002 compact templates
  (``nujax.inference.build_model``), scanned over ``mu_1e11``;
* density matrix: ``[fit] parameters = ["mu", "q_ee"]``: the same templates plus the exact
  quadratic form in q_ee from the seed-002 density-matrix counts
  (``nujax.inference.density_matrix_em_model``), scanned over ``q_ee``.

Every grid point of both scans costs the same (a quadratic form of fixed templates), so a
millicharge in the compact path could only save the difference of the template builds. Each
path runs in a fresh process (no shared compilation), timing the build and the scan of a
4096-point grid: first call (compilation included) and steady state (best of 3). Writes
``results/em_scan.json`` and the table below in ``README.md``.
Usage: python benchmarks/bench_em_scan.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The electron set-up of the reactor_ge scenario without its OFF period (a scenario with EM
#: entries and a fixed background constraint).
ELECTRON = {"scenario": {"name": "reactor_ge_q", "target": "electron"},
            "source": [{"name": "reactor", "power_gw": 3.0, "distance_m": 28.0, "norm_sigma": 0.03}],
            "detector": {"preset": "texono", "mass_t": 1.0e-3, "live_time_yr": 1.0,
                         "threshold_keV": 10.0, "background_per_t_yr_MeV": 3.6525e8},
            "binning": {"T_keV": {"min": 10.0, "max": 100.0, "n": 18}},
            "fit": {"bkg_sigma": 0.05}}
CASES = {"electron": (ELECTRON, 30.0), "nucleus": (ROOT / "fits" / "coherent_csi.toml", 3e3)}


def _child(case: str, path: str, n: int) -> dict:
    """One path in this process: build and scan times [s]."""
    import jax
    import numpy as np

    jax.config.update("jax_enable_x64", True)
    from nujax.app import load_config
    from nujax.app.config import read_toml
    from nujax.app.scenarios import build_scenario
    from nujax.inference.scan import scan

    src, q_max = CASES[case]
    raw = read_toml(src) if isinstance(src, Path) else json.loads(json.dumps(src))
    raw.pop("scan", None)
    raw.setdefault("fit", {})["parameters"] = ["mu"] if path == "compact" else ["mu", "q_ee"]
    raw.setdefault("truth", {})["mu_1e11"] = 0.0
    cfg = load_config(raw)
    out = {}
    for label in ("build_first_s", "build_run_s"):
        best = float("inf")
        for _ in range(1 if label == "build_first_s" else 3):
            t0 = time.perf_counter()
            scen = build_scenario(cfg)
            jax.block_until_ready(scen.model.weak)
            best = min(best, time.perf_counter() - t0)
        out[label] = best
    axis = {"mu_1e11": np.linspace(0.0, 300.0, n)} if path == "compact" else \
        {"q_ee": np.linspace(-q_max, q_max, n)}
    for label in ("scan_first_s", "scan_run_s"):
        best = float("inf")
        for _ in range(1 if label == "scan_first_s" else 3):
            t0 = time.perf_counter()
            res = scan(scen.model, axis, chunk_size=n)
            best = min(best, time.perf_counter() - t0)
        out[label] = best
    out["max_value"] = float(np.max(res.values))
    out["em_names"] = list(scen.model.em_names)
    return out


def run(case: str, path: str, n: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUJAX_CACHE_DIR": "off"}
    p = subprocess.run([sys.executable, __file__, "--child", case, path, str(n)], env=env,
                       capture_output=True, text=True, check=True)
    return json.loads([x for x in p.stdout.splitlines() if x.startswith("RESULT")][-1][6:])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        case, path, n = args.child
        print("RESULT" + json.dumps(_child(case, path, int(n))))
        return
    n = 512 if args.quick else 4096
    out = {"device": common.device_info(), "quick": args.quick, "grid_points": n,
           "load_average": os.getloadavg(), "cases": {}}
    for case in CASES:
        out["cases"][case] = {path: run(case, path, n) for path in ("compact", "density_matrix")}
    common.write_json("em_scan", out)
    d, la = out["device"], out["load_average"][0]
    rows = [f"Grid of {n} points, q_asimov with norm + bkg_scale profiled. Device: "
            f"{d['platform']}, {d['cpu_count']} CPU cores, jax {d['jax']}; load average at start "
            f"{la:.1f}. Each path in a fresh process (first call includes compilation).", "",
            "| target | path (axis) | build first [s] | build steady [s] | scan first [s] | "
            "scan steady [s] | total first [s] |", "|---|---|---|---|---|---|---|"]
    for case, paths in out["cases"].items():
        for path, r in paths.items():
            ax = "mu_1e11" if path == "compact" else "q_ee"
            rows.append(f"| {case} | {path.replace('_', ' ')} ({ax}) | {r['build_first_s']:.2f} | "
                        f"{r['build_run_s']:.3f} | {r['scan_first_s']:.2f} | {r['scan_run_s']:.3f} | "
                        f"{r['build_first_s'] + r['scan_first_s']:.2f} |")
    common.update_readme_section("em_scan", "\n".join(rows))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
