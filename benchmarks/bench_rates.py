"""Expected counts for a HELLAZ-like pp + ⁷Be analysis: JAX (jit) vs a numpy baseline.

Run:  python benchmarks/bench_rates.py [--quick]
Writes benchmarks/results/rates.json and the "rates" table in benchmarks/README.md.

Case: 50 recoil-energy bins (0.1–0.7 MeV) × 36 azimuth bins, solar pp (continuum) and ⁷Be (two
lines), HELLAZ preset (6 t·yr), Dirac μν = 3·10⁻¹¹ μB, Pe = 0.5, φ_B = 0.3. Timed quantities:

* ``counts``: the jitted driver :func:`nujax.rates.expected_counts` (templates + combination);
* ``grad``: ∂(Σ w·N)/∂(μν, Pe, φ_B) by reverse mode (one jitted value-and-grad);
* numpy: the same quadrature (same nodes) and the same closed-form kernel
  (:func:`nujax.xsec.electron.electron_terms` with ``xp=numpy``); its gradient by central finite
  differences (7 evaluations), the usual alternative without autodiff.

JAX times are steady state after compilation (compile reported separately), best of several runs.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from nujax import kinematics as kin  # noqa: E402
from nujax import rates  # noqa: E402
from nujax.constants import M_E  # noqa: E402
from nujax.couplings import electron_couplings  # noqa: E402
from nujax.detector import preset  # noqa: E402
from nujax.sources.solar import solar_component  # noqa: E402
from nujax.sources.spectrum import gauss_legendre  # noqa: E402
from nujax.xsec.electron import electron_terms  # noqa: E402

N_T, N_PHI = 50, 36
SIN2W = 0.23
Q = dict(n_T=8, T_panels=1, n_E=24, n_E_panels=4)


def numpy_counts(specs, det, T_edges, phi_edges, mu, pe, phi_B):
    """numpy baseline: the unsmeared (T, φ) path of nujax.rates with the same nodes and kernel."""
    gL, gR = electron_couplings("nue", SIN2W)
    a, b = T_edges[:-1], T_edges[1:]
    u, w = gauss_legendre(Q["n_T"], Q["T_panels"])
    ue, we = gauss_legendre(Q["n_E"], Q["n_E_panels"])
    ne29 = det.material.electrons_per_tonne * 1e-29
    tot = np.zeros((a.size, 3))
    for s in specs:
        scale = float(s.flux) * rates.EVENT_SCALE * ne29 * float(det.mass_t) * float(det.live_time_yr)
        le, lw = np.asarray(s.line_energies), np.asarray(s.line_weights)
        x = np.zeros((a.size, 3))
        if le.size:
            tm = kin.t_max(le, M_E, xp=np)
            lo = np.maximum(a[:, None], 0.0)
            hi = np.minimum(b[:, None], tm[None, :])
            width = np.maximum(hi - lo, 0.0)
            T = lo[..., None] + width[..., None] * u
            vals = electron_terms(le[:, None], T, 1.0, pe, gL, gR, 0.0, 0.0, majorana=False, xp=np)
            for c in range(3):
                x[:, c] += np.einsum("kln,n,kl,l->k", vals[c], w, width, lw)
        g = np.asarray(s.grid)
        if g.size > 1:
            dens = np.asarray(s.density)
            tmc = kin.t_max(g[-1], M_E, xp=np)
            lo, hi = a, np.minimum(b, tmc)
            width = np.maximum(hi - lo, 0.0)
            T = lo[:, None] + width[:, None] * u                                  # (K, n)
            emin = np.clip(kin.enu_min(T, M_E, xp=np), g[0], g[-1])[..., None]
            span = g[-1] - emin
            e = emin + span * ue                                                  # (K, n, m)
            wt = span * we * np.interp(e, g, dens, left=0.0, right=0.0)
            vals = electron_terms(e, T[..., None], 1.0, pe, gL, gR, 0.0, 0.0, majorana=False, xp=np)
            for c in range(3):
                x[:, c] += np.einsum("knm,knm,n,k->k", vals[c], wt, w, width)
        tot += scale * x
    dphi = np.diff(phi_edges)
    dsin = np.sin(phi_edges[1:] - phi_B) - np.sin(phi_edges[:-1] - phi_B)
    damp = math.exp(-0.5 * float(det.sigma_phi) ** 2)
    W, M, I = (tot[:, c][:, None] for c in range(3))
    return (W + mu * mu * M) * dphi + mu * I * damp * dsin


def run(quick: bool):
    out = {"device": common.device_info(), "case": f"HELLAZ pp+7Be, {N_T} T x {N_PHI} phi bins",
           "results": {}}
    for prec in ("float64", "float32"):
        jax.config.update("jax_enable_x64", prec == "float64")
        specs = (solar_component("pp"), solar_component("7Be"))
        det = preset("hellaz")
        Te = jnp.linspace(0.1, 0.7, N_T + 1)
        pe_ = jnp.linspace(0.0, 2 * math.pi, N_PHI + 1)
        wts = jnp.asarray(np.random.default_rng(0).uniform(size=(N_T, N_PHI)))

        def counts(mu, pe, pb):
            return rates.expected_counts(specs, det, Te, pe_, mu, pe, pb, sin2w=SIN2W, **Q)

        @jax.jit
        def loss(mu, pe, pb):
            return jnp.sum(wts * rates._expected_counts_jit(
                specs, det, Te, pe_, mu, pe, pb, SIN2W, None, flavor=None, kind="dirac",
                partner=None, pe_fn=None, polar_smearing=False, **Q))

        vg = jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2)))
        args = (jnp.asarray(3.0), jnp.asarray(0.5), jnp.asarray(0.3))
        rep = 3 if quick else 20
        tc = common.time_jax(counts, *args, repeat=rep)
        tg = common.time_jax(vg, *args, repeat=rep)
        Te_np, pe_np = np.asarray(Te, float), np.asarray(pe_, float)
        np_args = (specs, det, Te_np, pe_np, 3.0, 0.5, 0.3)
        tn = common.time_numpy(numpy_counts, *np_args, repeat=rep)
        ref = numpy_counts(*np_args)
        got = np.asarray(counts(*args), float)
        agree = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))

        def numpy_fd():
            h = 1e-6
            w = np.asarray(wts, float)
            f0 = np.sum(w * numpy_counts(*np_args))
            for i in range(3):
                p = [3.0, 0.5, 0.3]
                up, dn = list(p), list(p)
                up[i] += h
                dn[i] -= h
                np.sum(w * numpy_counts(specs, det, Te_np, pe_np, *up))
                np.sum(w * numpy_counts(specs, det, Te_np, pe_np, *dn))
            return f0

        tnf = common.time_numpy(numpy_fd, repeat=max(2, rep // 4))
        out["results"][prec] = {
            "counts_jax": tc, "grad_jax": tg, "counts_numpy": tn, "grad_numpy_fd": tnf,
            "speedup_counts": tn["run_s"] / tc["run_s"], "speedup_grad": tnf["run_s"] / tg["run_s"],
            "max_rel_diff_vs_numpy": agree, "total_counts": float(got.sum()),
        }
    jax.config.update("jax_enable_x64", True)
    path = common.write_json("rates", out)
    rows = ["| precision | counts JAX [ms] | numpy [ms] | × | grad JAX [ms] | numpy FD [ms] | × | max rel diff |",
            "|---|---|---|---|---|---|---|---|"]
    for prec, r in out["results"].items():
        rows.append(f"| {prec} | {1e3 * r['counts_jax']['run_s']:.2f} | {1e3 * r['counts_numpy']['run_s']:.2f} | "
                    f"{r['speedup_counts']:.1f} | {1e3 * r['grad_jax']['run_s']:.2f} | "
                    f"{1e3 * r['grad_numpy_fd']['run_s']:.2f} | {r['speedup_grad']:.1f} | "
                    f"{r['max_rel_diff_vs_numpy']:.1e} |")
    dev = out["device"]
    common.update_readme_section(
        "rates", f"### Rates: {out['case']} ({dev['device']}, {dev['cpu_count']} CPUs)\n\n" + "\n".join(rows))
    print("\n".join(rows))
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    print(run(ap.parse_args().quick))
