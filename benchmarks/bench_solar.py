"""Oscillated vs unoscillated solar rates: the cost of the flavor content in the rate engine.

Run:  python benchmarks/bench_solar.py [--quick]
Writes benchmarks/results/solar.json and the "solar" table in benchmarks/README.md.

Case: every solar component (pp, pep, ⁷Be, ⁸B, hep, ¹³N, ¹⁵O, ¹⁷F) on the electrons of the xenon
TPC preset, 100 electron-recoil bins from 1 to 200 keV, binned templates
(:func:`nujax.rates.binned_templates`, jitted). Unoscillated: the emitted ν_e
(``oscillation=None``); oscillated: MSW-LMA arriving flavor content (NuFIT 6.0, B16 production
regions, :func:`nujax.propagation.msw.oscillate_solar`), which the electron kernel weighs at every
Eν. Target (issue 13): oscillated within 2× the unoscillated time. Also timed: building the
oscillated spectra (without and with the Earth-matter option over a year at Kamioka), and the
gradient of the oscillated counts with respect to sin²θ12 through ``oscillate_solar`` (the mixing
angles are differentiable leaves).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from nujax.detector import preset  # noqa: E402
from nujax.propagation.msw import oscillate_solar  # noqa: E402
from nujax.rates import binned_templates  # noqa: E402
from nujax.sources import get_source  # noqa: E402

N_BINS = 100


def run(quick: bool):
    load0 = os.getloadavg()[0]
    rep = 3 if quick else 15
    out = {"device": common.device_info(),
           "case": f"all solar components on xenon electrons, {N_BINS} bins 1-200 keV",
           "results": {}}
    for prec in ("float64", "float32"):
        jax.config.update("jax_enable_x64", prec == "float64")
        det = preset("xenon_tpc", smearing=False)
        edges = jnp.linspace(0.001, 0.2, N_BINS + 1)
        plain = get_source("solar", oscillation=None)
        f = jax.jit(lambda sp: binned_templates(sp, det, edges))
        t0 = common.time_jax(f, plain, repeat=rep)
        osc = tuple(oscillate_solar(s) for s in plain)
        t1 = common.time_jax(f, osc, repeat=rep)
        tb = common.time_numpy(lambda: jax.block_until_ready(
            tuple(oscillate_solar(s) for s in plain)), repeat=max(2, rep // 3))
        # the Earth-matter option (a year at Kamioka, 36.43° N): built once per spectrum set; the
        # rates then cost the same as the oscillated ones (the arrival table has the same shape)
        earth = {"latitude_deg": 36.43, "period": "year"}
        te = common.time_numpy(lambda: jax.block_until_ready(
            tuple(oscillate_solar(s, earth=earth) for s in plain)), repeat=max(2, rep // 5))

        def total(s12):
            sp = tuple(oscillate_solar(s, sin2_12=s12) for s in plain)
            return jnp.sum(binned_templates(sp, det, edges).weak)

        tg = common.time_jax(jax.jit(jax.grad(total)), jnp.asarray(0.307), repeat=rep)
        w0 = float(jnp.sum(f(plain).weak))
        w1 = float(jnp.sum(f(osc).weak))
        out["results"][prec] = {"unoscillated": t0, "oscillated": t1, "ratio": t1["run_s"] / t0["run_s"],
                                "build_oscillated_s": tb["run_s"], "build_earth_year_s": te["run_s"],
                                "grad_sin2_12": tg,
                                "weak_ratio_osc_over_plain": w1 / w0}
    jax.config.update("jax_enable_x64", True)
    out["load_avg_1min"] = {"before": load0, "after": os.getloadavg()[0]}
    path = common.write_json("solar", out)
    rows = ["| precision | unoscillated [ms] | oscillated [ms] | ratio (target ≤ 2) | build oscillated spectra [ms] | build with Earth, a year [ms] | ∂N/∂sin²θ12 [ms] | N_weak osc/unosc |",
            "|---|---|---|---|---|---|---|---|"]
    for prec, r in out["results"].items():
        rows.append(f"| {prec} | {1e3 * r['unoscillated']['run_s']:.1f} | {1e3 * r['oscillated']['run_s']:.1f} | "
                    f"{r['ratio']:.2f} | {1e3 * r['build_oscillated_s']:.0f} | {1e3 * r['build_earth_year_s']:.0f} | "
                    f"{1e3 * r['grad_sin2_12']['run_s']:.1f} | {r['weak_ratio_osc_over_plain']:.3f} |")
    note = f"\n1-min load average {load0:.1f} before, {out['load_avg_1min']['after']:.1f} after."
    dev = out["device"]
    common.update_readme_section(
        "solar", f"### Oscillated solar rates: {out['case']} ({dev['device']}, {dev['cpu_count']} CPUs)\n\n"
        + "\n".join(rows) + "\n" + note)
    print("\n".join(rows) + note)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    print(run(ap.parse_args().quick))
