"""Run every benchmark suite, collect the results in results/<device>.json, refresh the tables.

Each suite runs as its own process (``python benchmarks/bench_<suite>.py [--quick]``), so a failing
suite does not stop the others and each sets its own precision. Usage:

    python benchmarks/run_all.py [--quick] [--only xsec,rates,fit,scan] [--out DIR | --update-results]

Results go to ``DIR`` (default ``out/benchmarks`` of the checkout): ``DIR/results/*.json`` and
``DIR/README.md``; only ``--update-results`` rewrites the committed ``benchmarks/results`` and
``benchmarks/README.md``.

Exit status: 0 if every selected suite succeeded, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SUITES = ("xsec", "rates", "cevns", "solar", "fit", "scan", "likelihood", "experiments", "global",
          "global_published")
#: Suites that run another suite's script with arguments: name → (script suffix, arguments).
VARIANTS = {"global_published": ("global", ["--config", "fits/experiments/global.toml"])}


def _headline(name: str, res: dict) -> str:
    """One line summarising a suite's JSON (robust to missing keys)."""
    try:
        if name == "scan":
            return (f"{res['grid']} q_A scan {res['float64']['run_s']:.2f} s (float64), "
                    f"{res['jax_over_numpy_float64']:.1f}× numpy; float32 {res['float32']['run_s']:.2f} s")
        if name == "likelihood":
            return (f"6 components, 100 bins: value+grad {res['jax_value_and_grad_s'] * 1e3:.2g} ms, "
                    f"{res['ratio_numpy_over_jax']:.1f}× numpy with FD gradients")
        if name == "experiments":
            slowest = max(r["limit_s"] for r in res["experiments"].values())
            return f"3 published analyses, slowest limit after compilation {slowest:.2f} s"
        if name in ("global", "global_published"):
            return (f"{len(res['experiments'])} experiments: value+grad "
                    f"{res['jax_value_and_grad_s'] * 1e3:.2g} ms; NUTS {res['nuts']['chains']}×"
                    f"{res['nuts']['draws']} {res['nuts']['wall_s']:.0f} s")
        if name == "fit":
            return (f"optax MLE {res['optax_mle_s'] * 1e3:.1f} ms ({res['scipy_over_optax']:.0f}× scipy); "
                    f"NUTS {res['nuts']['wall_s_incl_compile']:.1f} s")
    except (KeyError, TypeError):
        pass
    return "see its section below"


def run_suite(name: str, quick: bool) -> dict:
    import common

    script, args = VARIANTS.get(name, (name, []))
    cmd = [sys.executable, str(HERE / f"bench_{script}.py")] + args + (["--quick"] if quick else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent,
                          env={**os.environ, common.OUT_ENV: str(common.BASE)})
    wall = time.perf_counter() - t0
    entry = {"command": " ".join(["python", f"benchmarks/bench_{script}.py"] + cmd[2:]),
             "wall_s": wall, "returncode": proc.returncode}
    path = common.RESULTS / f"{name}.json"
    if proc.returncode == 0 and path.exists():
        entry["result"] = json.loads(path.read_text())
    else:
        entry["stderr_tail"] = proc.stderr[-2000:]
    return entry


def summary_table(payload: dict) -> str:
    d = payload["device"]
    rows = [f"Device `{payload['slug']}`: {d['platform']} ({d['device']}), {d['cpu_count']} CPU cores, "
            f"jax {d['jax']}; {'quick' if payload['quick'] else 'full'} run; "
            f"load average at start {payload['load_average'][0]:.1f}. "
            f"Full results: `results/{payload['slug']}.json`.", "",
            "| suite | status | wall [s] | headline |", "|---|---|---|---|"]
    for name, e in payload["suites"].items():
        ok = "ok" if e["returncode"] == 0 else f"failed ({e['returncode']})"
        rows.append(f"| {name} | {ok} | {e['wall_s']:.0f} | {_headline(name, e.get('result', {}))} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    """Run the selected suites; returns 0 if all succeeded."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short versions of every suite")
    ap.add_argument("--only", default=",".join(SUITES), help="comma-separated subset of " + ",".join(SUITES))
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--out", default=None, help="output folder (default: out/benchmarks)")
    where.add_argument("--update-results", action="store_true",
                       help="rewrite the committed benchmarks/results and README tables")
    args = ap.parse_args(argv)
    base = HERE if args.update_results else Path(args.out or HERE.parent / "out" / "benchmarks")
    os.environ["NUJAX_BENCH_OUT"] = str(base.resolve())
    sys.modules.pop("common", None)          # read the output folder from the environment
    import common
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in chosen if s not in SUITES]
    if bad:
        ap.error(f"unknown suite(s) {bad}; known: {', '.join(SUITES)}")
    info = common.device_info()
    payload = {"device": info, "slug": common.device_slug(info), "quick": args.quick,
               "load_average": os.getloadavg(), "suites": {}}
    for name in chosen:
        print(f"[run_all] {name} ...", flush=True)
        payload["suites"][name] = e = run_suite(name, args.quick)
        print(f"[run_all] {name}: rc={e['returncode']} in {e['wall_s']:.0f} s", flush=True)
    path = common.write_json(payload["slug"], payload)
    common.update_readme_section("summary", summary_table(payload))
    print("wrote", path)
    return 0 if all(e["returncode"] == 0 for e in payload["suites"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
