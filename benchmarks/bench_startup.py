"""Benchmark: start-up of the command line, with JAX's persistent compilation cache cold and warm.

Runs, each in a fresh process and with a fresh, empty compilation cache (``NUJAX_CACHE_DIR`` set
to a temporary folder): ``nujax xsec`` three times (cold, then warm) and ``nujax demo --quick``
twice (cold, warm). For every run it records the wall time and the CPU time of the process
(user + system, from ``resource.getrusage(RUSAGE_CHILDREN)``): on a shared machine the CPU time
is the number that carries over. It then counts, in one in-process warm ``demo --quick``, the
programs JAX compiles or loads from the cache per stage of the study, with the time spent
tracing and lowering them to XLA (both paid again on every run, cache or not). Writes
``results/startup.json`` and the ``startup`` section of the README.
Usage: python benchmarks/bench_startup.py [--quick]   (--quick: no in-process stage count)
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
XSEC = ["xsec", "--enu", "0.862", "--T", "0.2", "--mu", "3"]


def _cli(args, cache: Path, out: Path | None = None) -> dict:
    """One ``python -m nujax.cli`` process: wall and CPU (user + system) time [s]."""
    env = dict(os.environ, NUJAX_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "nujax.cli", *args] + (["--out", str(out)] if out else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=str(ROOT))
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def stage_programs(cache: Path) -> dict:
    """Per stage of a warm quick study: programs compiled or loaded, trace + lowering time [s]."""
    os.environ["NUJAX_CACHE_DIR"] = str(cache)
    from jax._src import monitoring

    import nujax
    from nujax.app.runtime import compilation_cache
    from nujax.app.study import quick_config, run_study

    events, durations = collections.Counter(), collections.Counter()
    monitoring.register_event_listener(lambda name, **kw: events.update([name]))
    monitoring.register_event_duration_secs_listener(lambda name, d, **kw: durations.update({name: d}))

    def snapshot():
        return (events["/jax/compilation_cache/compile_requests_use_cache"],
                durations["/jax/core/compile/jaxpr_trace_duration"]
                + durations["/jax/core/compile/jaxpr_to_mlir_module_duration"], time.perf_counter())

    rows, last = {}, [None, snapshot()]

    def progress(stage):
        now = snapshot()
        if last[0] is not None:
            rows[last[0]] = {"programs": now[0] - last[1][0], "trace_lower_s": round(now[1] - last[1][1], 2),
                             "wall_s": round(now[2] - last[1][2], 2)}
        last[:] = [stage, now]

    nujax.enable_x64()
    with compilation_cache():
        run_study(quick_config(), progress=progress)
        progress(None)
    return rows


def table(out: dict) -> str:
    lines = [f"Device: {out['device']['platform']} ({out['device'].get('cpu_count', '?')} CPU cores), "
             f"load average at start {out['load_average']:.1f}. Each run a new process; the cache "
             "starts empty. CPU = user + system time of the process.", "",
             "| command | cache | wall [s] | CPU [s] |", "|---|---|---|---|"]
    for name, runs in out["runs"].items():
        for i, r in enumerate(runs):
            lines.append(f"| `nujax {name}` | {'cold' if i == 0 else 'warm'} | {r['wall_s']:.2f} | "
                         f"{r['cpu_s']:.2f} |")
    if out.get("stages"):
        lines += ["", "Warm `demo --quick`, per stage: programs JAX traces, lowers and loads from the "
                  "cache (each one also compiled on a cold run).", "",
                  "| stage | programs | trace + lowering [s] | wall [s] |", "|---|---|---|---|"]
        for stage, r in out["stages"].items():
            lines.append(f"| {stage} | {r['programs']} | {r['trace_lower_s']:.2f} | {r['wall_s']:.2f} |")
    return "\n".join(lines)


def main(quick=False):
    out = {"device": common.device_info(), "load_average": os.getloadavg()[0], "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        out["runs"]["xsec"] = [_cli(XSEC, cache) for _ in range(3)]
        cache = tmp / "cache_demo"
        out["runs"]["demo --quick"] = [_cli(["demo", "--quick"], cache, tmp / f"demo{i}") for i in range(2)]
        if not quick:
            out["stages"] = stage_programs(cache)
    print(table(out))
    common.write_json("startup", out)
    common.update_readme_section("startup", table(out))
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    main(**vars(ap.parse_args()))
