"""Forecast of the global fit: Fisher matrix at zero vs the profile of the Asimov likelihood.

Run:  python benchmarks/bench_forecast.py
Writes benchmarks/results/forecast.json and the "forecast" table in benchmarks/README.md.

Case: fits/experiments/global_study.toml (xenon solar electron recoils, reactor ν̄_e on
germanium, COHERENT CsI[Na] 2022, sharing μ_ee and μ_μμ) and its ``[forecast]`` experiment (a
reactor CEνNS germanium detector). Both methods give the median expected 90 % CL limits of each
entry without and with the forecast experiment (:func:`nujax.inference.joint.forecast_limits`,
``method="asimov"`` and ``method="fisher"``); they are asymptotically equal (Wald limit of
background-dominated data, :func:`nujax.inference.joint.fisher_entry_limits`), and the ratio
Fisher/Asimov measures how far each experiment is from that limit. Template building is timed
separately (once per configuration).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

import nujax  # noqa: E402
from nujax.app.global_fit import (build_global, forecast_experiments,  # noqa: E402
                                  load_global_config)
from nujax.inference.joint import forecast_limits  # noqa: E402

CONFIG = Path(__file__).resolve().parents[1] / "fits" / "experiments" / "global_study.toml"


def main():
    nujax.enable_x64()
    load0 = os.getloadavg()[0]
    cfg = load_global_config(CONFIG)
    g = cfg["global"]
    t0 = time.perf_counter()
    joint, free, _ = build_global(cfg["experiment_configs"], g["entries"])
    extra, extra_free = forecast_experiments(cfg, joint)
    build_s = time.perf_counter() - t0
    res, wall = {}, {}
    for method, kw in (("fisher", {}), ("asimov", {"mu_max": g["mu_max"], "n_grid": 25})):
        t0 = time.perf_counter()
        res[method] = forecast_limits(joint, free, extra, extra_free, method=method,
                                      cl=g["cl"], **kw)
        wall[method] = time.perf_counter() - t0
    ratios = {k: {when: res["fisher"][k][when]["upper"] / res["asimov"][k][when]["upper"]
                  for when in ("before", "after")} for k in res["asimov"]}
    info = common.device_info()
    payload = {"device": info, "config": "fits/experiments/global_study.toml",
               "experiments": list(joint.names), "forecast": list(extra), "cl": g["cl"],
               "limits": res, "fisher_over_asimov": ratios, "wall_s": wall,
               "build_templates_s": build_s,
               "load_average_before_after": [load0, os.getloadavg()[0]]}
    common.write_json("forecast", payload)
    rows = "".join(
        f"| {k} | {when} | {res['asimov'][k][when]['upper']:.4g} | "
        f"{res['fisher'][k][when]['upper']:.4g} | {ratios[k][when]:.3f} |\n"
        for k in ratios for when in ("before", "after"))
    md = (f"Device: {info['platform']} ({info['device']}), {info['cpu_count']} CPU cores, jax "
          f"{info['jax']}; load average {load0:.1f} → "
          f"{payload['load_average_before_after'][1]:.1f}."
          f" Case: fits/experiments/global_study.toml ({', '.join(joint.names)}), forecast "
          f"experiment {', '.join(extra)}; median expected {g['cl']:.0%} CL upper limits "
          "[10⁻¹¹ μ_B] without (before) and with (after) it.\n\n"
          "| entry | | Asimov profile | Fisher | Fisher/Asimov |\n|---|---|---|---|---|\n"
          + rows +
          f"\nWall time: Fisher {wall['fisher']:.1f} s, Asimov profile {wall['asimov']:.1f} s "
          f"(both with compilation); templates {build_s:.0f} s.")
    common.update_readme_section("forecast", md)
    print(md)
    return payload


if __name__ == "__main__":
    main()
