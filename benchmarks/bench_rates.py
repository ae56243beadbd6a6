"""Expected counts for a HELLAZ-like pp + ⁷Be analysis: JAX (jit) vs a numpy baseline.

Run:  python benchmarks/bench_rates.py [--quick]
Writes benchmarks/results/rates.json and the "rates" table in benchmarks/README.md.

Case: 50 recoil-energy bins (0.1–0.7 MeV) × 36 azimuth bins, solar pp (continuum) and ⁷Be (two
lines), HELLAZ preset (6 t·yr). Timed quantities, each against a numpy baseline doing the same work
(same Gauss–Legendre nodes, same closed-form kernel evaluated with ``xp=numpy``):

* ``counts``: seed-000 form (Dirac μν = 3·10⁻¹¹ μB, Pe = 0.5, φ_B = 0.3), the jitted core of
  :func:`nujax.rates.expected_counts`; also through the public wrapper (eager validation included)
  and from precomputed templates (:func:`nujax.rates.combine`, the quadratic-in-μ shortcut);
* ``grad``: ∂(Σ w·N)/∂(μν, Pe, φ_B) by reverse mode vs numpy central differences (7 evaluations);
* ``before redesign``: the same counts through the electron-only engine of commit 3da116a (the
  last version before the one-engine-for-every-target redesign), loaded from git history into
  this process (two renamed imports patched), so old and new are timed in the same run;
* ``dm``: seed-002 form, :func:`nujax.rates.expected_counts_density_matrix` with a three-flavor
  :class:`~nujax.em.EMProperties` (μ, ⟨r²⟩, anapole) and a partly transverse ν_e state, and the
  gradient of Σ w·N with respect to the whole EM pytree (27 independent real parameters of the
  three Hermitian matrices) vs numpy central differences (54 evaluations + 1).

JAX times are steady state after compilation (compile reported separately), best of several runs;
the 1-minute load average before and after is recorded (the machine may be shared).
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from nujax import kinematics as kin  # noqa: E402
from nujax import rates  # noqa: E402
from nujax.rates import binned, engine  # noqa: E402
from nujax.rates import density_matrix as rates_dm  # noqa: E402
from nujax.constants import M_E  # noqa: E402
from nujax.couplings import electron_couplings  # noqa: E402
from nujax.detector import preset  # noqa: E402
from nujax.em import EMProperties  # noqa: E402
from nujax.state import SpinFlavorState  # noqa: E402
from nujax.xsec import electron_density_matrix as eg  # noqa: E402
from nujax.sources.solar import solar_component  # noqa: E402
from nujax.sources.spectrum import gauss_legendre  # noqa: E402
from nujax.xsec.electron import electron_terms  # noqa: E402

N_T, N_PHI = 50, 36
SIN2W = 0.23
Q = dict(n_T=8, T_panels=1, n_E=24, n_E_panels=4)
STATIC = dict(target=binned.resolve_target("electron"), flavor=None, kind="dirac", partner=None,
              pe_fn=None, polar_smearing=False, n_eff=8, **Q)
OLD_STATIC = dict(flavor=None, kind="dirac", partner=None, pe_fn=None, polar_smearing=False, **Q)
DM_STATIC = dict(target=STATIC["target"], flavor="nue", polar_smearing=False, n_eff=8, **Q)
BEFORE = "3da116a"   # last commit with the electron-only rate engine (nujax/rates.py)


def engine_before_redesign():
    """The pre-redesign ``nujax/rates.py`` as a module (None when git history is unavailable)."""
    import importlib.util
    import subprocess
    import tempfile

    try:
        src = subprocess.run(["git", "show", f"{BEFORE}:nujax/rates.py"], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).resolve().parents[1]).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    src = src.replace("from nujax.xsec.electron import _couplings, _resolve, electron_terms",
                      "from nujax.xsec.electron import electron_terms\n"
                      "from nujax.xsec.electron import resolve_species as _resolve\n"
                      "from nujax.xsec.electron import species_couplings as _couplings")
    src = src.replace("from nujax.rates_iso import iso_ratio, region_integrals  # noqa: E402  "
                      "(seed 001, re-exported)", "")
    path = Path(tempfile.mkdtemp()) / "rates_before_redesign.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("rates_before_redesign", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def numpy_parts(specs, det, T_edges, kern):
    """numpy baseline of the unsmeared T path of nujax.rates: (K, 3) per-radian templates.

    ``kern(e, T)`` returns the three channels (weak, em, interference) or (A, Bs, Bc).
    """
    a, b = T_edges[:-1], T_edges[1:]
    u, w = gauss_legendre(Q["n_T"], Q["T_panels"])
    ue, we = gauss_legendre(Q["n_E"], Q["n_E_panels"])
    ne29 = det.material.electrons_per_tonne * 1e-29
    tot = np.zeros((a.size, 3))
    for s in specs:
        scale = float(s.flux) * engine.EVENT_SCALE * ne29 * float(det.mass_t) * float(det.live_time_yr)
        le, lw = np.asarray(s.line_energies), np.asarray(s.line_weights)
        x = np.zeros((a.size, 3))
        if le.size:
            tm = kin.t_max(le, M_E, xp=np)
            lo = np.maximum(a[:, None], 0.0)
            hi = np.minimum(b[:, None], tm[None, :])
            width = np.maximum(hi - lo, 0.0)
            T = lo[..., None] + width[..., None] * u
            vals = kern(le[:, None], T)
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
            vals = kern(e, T[..., None])
            for c in range(3):
                x[:, c] += np.einsum("knm,knm,n,k->k", vals[c], wt, w, width)
        tot += scale * x
    return tot


def numpy_counts(specs, det, T_edges, phi_edges, mu, pe, phi_B):
    """numpy baseline, seed-000 form: templates, then the φ integration of seed 000 eq. (12)."""
    gL, gR = electron_couplings("nue", SIN2W)
    tot = numpy_parts(specs, det, T_edges, lambda e, t: electron_terms(
        e, t, 1.0, pe, gL, gR, 0.0, 0.0, majorana=False, xp=np))
    dphi = np.diff(phi_edges)
    dsin = np.sin(phi_edges[1:] - phi_B) - np.sin(phi_edges[:-1] - phi_B)
    damp = math.exp(-0.5 * float(det.sigma_phi) ** 2)
    W, M, I = (tot[:, c][:, None] for c in range(3))
    return (W + mu * mu * M) * dphi + mu * I * damp * dsin


def numpy_counts_dm(specs, det, T_edges, phi_edges, mu, r2, ana, rho):
    """numpy baseline, seed-002 form: traces of seed 002 eq. (26), kernel eq. (25), φ integral."""
    p = EMProperties(mu, r2, ana, majorana=False, basis="flavor")
    coeffs = eg.density_matrix_coefficients(p, SpinFlavorState(rho), SIN2W, None, "nue", np)
    tot = numpy_parts(specs, det, T_edges, lambda e, t: eg.electron_density_matrix_terms(coeffs, e, t, xp=np))
    a, b = phi_edges[:-1], phi_edges[1:]
    damp = math.exp(-0.5 * float(det.sigma_phi) ** 2)
    A, Bs, Bc = (tot[:, c][:, None] for c in range(3))
    return A * (b - a) + damp * (Bs * (np.cos(a) - np.cos(b)) + Bc * (np.sin(b) - np.sin(a)))


def _dm_inputs():
    props = EMProperties.create(mu=np.diag([3.0, 1.0, 0.5]).astype(complex),
                                r2=np.diag([-0.41, -0.24, -0.15]), anapole=np.diag([0.07, 0.04, 0.02]))
    pure = SpinFlavorState.from_pe_dirac(0.5, 0.3, n=3).rho
    return props, SpinFlavorState.create(0.9 * pure + 0.1 * jnp.eye(6) / 6)


def _hermitian_basis(n=3):
    """The n² real directions of an n×n Hermitian matrix."""
    out = []
    for i in range(n):
        for j in range(i, n):
            m = np.zeros((n, n), complex)
            m[i, j] = m[j, i] = 1.0
            out.append(m)
            if j > i:
                m = np.zeros((n, n), complex)
                m[i, j], m[j, i] = 1j, -1j
                out.append(m)
    return out


OLD = None


def run(quick: bool):
    global OLD
    OLD = engine_before_redesign()
    load0 = os.getloadavg()[0]
    out = {"device": common.device_info(), "case": f"HELLAZ pp+7Be, {N_T} T x {N_PHI} phi bins",
           "results": {}}
    rep = 3 if quick else 20
    for prec in ("float64", "float32"):
        jax.config.update("jax_enable_x64", prec == "float64")
        specs = (solar_component("pp"), solar_component("7Be"))
        det = preset("hellaz")
        Te = jnp.linspace(0.1, 0.7, N_T + 1)
        pe_ = jnp.linspace(0.0, 2 * math.pi, N_PHI + 1)
        wts = jnp.asarray(np.random.default_rng(0).uniform(size=(N_T, N_PHI)))

        def public(mu, pe, pb):
            return rates.expected_counts(specs, det, Te, pe_, mu, pe, pb, sin2w=SIN2W, **Q)

        def core(mu, pe, pb):
            return binned._expected_counts_jit(specs, det, Te, pe_, mu, pe, pb, SIN2W, None, **STATIC)

        @jax.jit
        def loss(mu, pe, pb):
            return jnp.sum(wts * core(mu, pe, pb))

        vg = jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2)))
        args = (jnp.asarray(3.0), jnp.asarray(0.5), jnp.asarray(0.3))
        tc = common.time_jax(core, *args, repeat=rep)
        t_old, old_diff, t_one = None, None, None
        if OLD is not None:
            def old_core(mu, pe, pb):
                return OLD._expected_counts_jit(specs, det, Te, pe_, mu, pe, pb, SIN2W, None,
                                                **OLD_STATIC)
            t_old = common.time_jax(old_core, *args, repeat=rep)
            tc = common.time_jax(core, *args, repeat=rep)          # interleaved: same conditions
            single = dict(STATIC, flavor="nue")                    # one species, as the old engine

            def one_flavor(mu, pe, pb):
                return binned._expected_counts_jit(specs, det, Te, pe_, mu, pe, pb, SIN2W, None,
                                                   **single)
            t_one = common.time_jax(one_flavor, *args, repeat=rep)
            o = np.asarray(old_core(*args), float)
            old_diff = float(np.max(np.abs(np.asarray(core(*args), float) - o)) / np.max(np.abs(o)))
        tp = common.time_jax(public, *args, repeat=rep)
        tg = common.time_jax(vg, *args, repeat=rep)
        tpl = rates.binned_templates(specs, det, Te, pe=0.5, sin2w=SIN2W, **Q)
        comb = jax.jit(lambda mu, pb: rates.combine(tpl, det, Te, pe_, mu, pb))
        tt = common.time_jax(comb, args[0], args[2], repeat=rep)
        # where the time goes: dispatch of a trivial jitted call, and the continuum-density
        # interpolation alone at the same number of nodes (N_T × n_T × n_E·n_E_panels)
        nodes = jnp.asarray(np.random.default_rng(1).uniform(0.0, 0.42, (N_T, Q["n_T"], 96)))
        t_disp = common.time_jax(jax.jit(lambda x: x + 1.0), args[0], repeat=rep)
        t_pdf = common.time_jax(jax.jit(lambda e: engine.spectrum_pdf(specs[0], e)), nodes, repeat=rep)
        Te_np, pe_np = np.asarray(Te, float), np.asarray(pe_, float)
        np_args = (specs, det, Te_np, pe_np, 3.0, 0.5, 0.3)
        tn = common.time_numpy(numpy_counts, *np_args, repeat=rep)
        ref = numpy_counts(*np_args)
        got = np.asarray(core(*args), float)
        agree = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
        w_np = np.asarray(wts, float)

        def numpy_fd():
            h = 1e-6
            f0 = np.sum(w_np * numpy_counts(*np_args))
            for i in range(3):
                up, dn = [3.0, 0.5, 0.3], [3.0, 0.5, 0.3]
                up[i] += h
                dn[i] -= h
                np.sum(w_np * numpy_counts(specs, det, Te_np, pe_np, *up))
                np.sum(w_np * numpy_counts(specs, det, Te_np, pe_np, *dn))
            return f0

        tnf = common.time_numpy(numpy_fd, repeat=max(2, rep // 4))

        # --- seed-002 form: EM pytree and state ------------------------------------------------
        props, state = _dm_inputs()
        dm_core = functools.partial(rates_dm._counts_jit, specs, det, Te, pe_, None, sin2w=SIN2W,
                                    U=None, **DM_STATIC)
        dm_loss = jax.jit(jax.value_and_grad(lambda p, s: jnp.sum(wts * dm_core(props=p, state=s))))
        td = common.time_jax(lambda p, s: dm_core(props=p, state=s), props, state, repeat=rep)
        tdg = common.time_jax(dm_loss, props, state, repeat=rep)
        npm = [np.asarray(x) for x in (props.mu, props.r2, props.anapole, state.rho)]
        tdn = common.time_numpy(numpy_counts_dm, specs, det, Te_np, pe_np, *npm, repeat=rep)
        ref_dm = numpy_counts_dm(specs, det, Te_np, pe_np, *npm)
        got_dm = np.asarray(dm_core(props=props, state=state), float)
        agree_dm = float(np.max(np.abs(got_dm - ref_dm)) / np.max(np.abs(ref_dm)))
        basis = _hermitian_basis()

        def numpy_fd_dm():
            h = 1e-6
            f0 = np.sum(w_np * numpy_counts_dm(specs, det, Te_np, pe_np, *npm))
            for k in range(3):                       # μ, ⟨r²⟩, a: 9 real directions each
                for d in basis:
                    for sgn in (1.0, -1.0):
                        m = list(npm)
                        m[k] = m[k] + sgn * h * (d if k == 0 else d.real)
                        np.sum(w_np * numpy_counts_dm(specs, det, Te_np, pe_np, *m))
            return f0

        tdnf = common.time_numpy(numpy_fd_dm, repeat=2)
        out["results"][prec] = {
            "dispatch_trivial_jit": t_disp, "density_interp_jax": t_pdf,
            "counts_jax": tc, "counts_jax_public": tp, "counts_from_templates": tt, "grad_jax": tg,
            "counts_numpy": tn, "grad_numpy_fd": tnf,
            "speedup_counts": tn["run_s"] / tc["run_s"], "speedup_grad": tnf["run_s"] / tg["run_s"],
            "max_rel_diff_vs_numpy": agree, "total_counts": float(got.sum()),
            "dm_counts_jax": td, "dm_grad_em_jax": tdg, "dm_counts_numpy": tdn,
            "dm_grad_numpy_fd": tdnf, "dm_speedup_counts": tdn["run_s"] / td["run_s"],
            "dm_speedup_grad": tdnf["run_s"] / tdg["run_s"], "dm_max_rel_diff_vs_numpy": agree_dm,
            "counts_before_redesign": t_old, "max_rel_diff_vs_before_redesign": old_diff,
            "counts_jax_explicit_flavor": t_one,
            "new_over_before_redesign": None if t_old is None else tc["run_s"] / t_old["run_s"],
        }
    jax.config.update("jax_enable_x64", True)
    out["load_avg_1min"] = {"before": load0, "after": os.getloadavg()[0]}
    path = common.write_json("rates", out)
    rows = ["| form | precision | counts JAX [ms] | numpy [ms] | × | grad JAX [ms] | numpy FD [ms] | × | max rel diff |",
            "|---|---|---|---|---|---|---|---|---|"]
    for prec, r in out["results"].items():
        for form, c, n, g, f, sc, sg, a in (
                ("seed 000 (μ, Pe, φ_B)", "counts_jax", "counts_numpy", "grad_jax", "grad_numpy_fd",
                 "speedup_counts", "speedup_grad", "max_rel_diff_vs_numpy"),
                ("seed 002 (EM pytree)", "dm_counts_jax", "dm_counts_numpy", "dm_grad_em_jax",
                 "dm_grad_numpy_fd", "dm_speedup_counts", "dm_speedup_grad", "dm_max_rel_diff_vs_numpy")):
            rows.append(f"| {form} | {prec} | {1e3 * r[c]['run_s']:.2f} | {1e3 * r[n]['run_s']:.2f} | "
                        f"{r[sc]:.1f} | {1e3 * r[g]['run_s']:.2f} | {1e3 * r[f]['run_s']:.1f} | "
                        f"{r[sg]:.0f} | {r[a]:.1e} |")
    r64 = out["results"]["float64"]
    notes = (f"\nfloat64: public wrapper (eager validation) {1e3 * r64['counts_jax_public']['run_s']:.2f} ms; "
             f"counts from precomputed templates (new μ, φ_B) {1e3 * r64['counts_from_templates']['run_s']:.3f} ms; "
             f"dispatch of a trivial jitted call {1e3 * r64['dispatch_trivial_jit']['run_s']:.3f} ms; "
             f"the continuum-density interpolation alone {1e3 * r64['density_interp_jax']['run_s']:.2f} ms. "
             + "".join(f"\n{p}: seed-000 counts with the engine before the redesign ({BEFORE}) "
                       f"{1e3 * r['counts_before_redesign']['run_s']:.2f} ms, now "
                       f"{1e3 * r['counts_jax']['run_s']:.2f} ms: new/old = "
                       f"{r['new_over_before_redesign']:.2f} (max rel. diff {r['max_rel_diff_vs_before_redesign']:.1e}); "
                       f"with an explicit flavor (one species, as the old engine computed) "
                       f"{1e3 * r['counts_jax_explicit_flavor']['run_s']:.2f} ms: new/old = "
                       f"{r['counts_jax_explicit_flavor']['run_s'] / r['counts_before_redesign']['run_s']:.2f}; "
                       "the default weighs ν_e and ν_μ/ν_τ by the spectrum's flavor content."
                       for p, r in out["results"].items() if r["counts_before_redesign"])
             + " "
             f"1-min load average {load0:.1f} before, {out['load_avg_1min']['after']:.1f} after.")
    dev = out["device"]
    common.update_readme_section(
        "rates", f"### Rates: {out['case']} ({dev['device']}, {dev['cpu_count']} CPUs)\n\n"
        + "\n".join(rows) + "\n" + notes)
    print("\n".join(rows) + notes)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    print(run(ap.parse_args().quick))
