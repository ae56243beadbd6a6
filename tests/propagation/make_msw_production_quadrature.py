"""Generate ``nujax/data/solar_production_b16_gs98.json`` (run by hand; not a test).

Input: the B16-GS98 neutrino-production table of N. Vinyoles et al., ApJ 835 (2017) 202
(``nudistr_b16_gs98.dat``, distributed by A. Serenelli at
https://aliga.ice.csic.es/personal/aldos/Solar_Data_files/nudistr_b16_gs98.dat; the copy used here is
``Data/nudistr_b16_gs98.dat`` of github.com/michelelucente/PEANUTS, commit
59e3a2ae102d58f42cc1146eaca2cae68be879ce, git blob f73c47cf6f2d77086634a5c180b50039e10805e7).
Columns: r/R⊙, T, log10(n_e/(N_A cm⁻³)), m/M⊙, then dΦ/d(r/R⊙) normalised to 1 for pp, pep, hep,
⁷Be, ⁸B, ¹³N, ¹⁵O, ¹⁷F (uniform grid 0.0005–0.5 R⊙, 1000 zones).

Output (the raw table is NOT shipped): for each source, the K-point Gauss quadrature of its
production measure dΦ in the variable n_e (Golub–Welsch on the discrete measure; G. H. Golub and
J. H. Welsch, Math. Comp. 23 (1969) 221): ⟨g⟩ = Σ_k w_k g(n_e,k), exact for polynomials in n_e of
degree ≤ 2K − 1. The adiabatic MSW probabilities depend on the production point only through
n_e, so this is all nujax needs. The generator checks the K-point rule against the full table sum of
the adiabatic P_ee (NuFIT 6.0 NO) on 0.1–20 MeV and records the largest difference.

Usage: ``python tests/propagation/make_msw_production_quadrature.py /path/to/nudistr_b16_gs98.dat``
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

COLUMNS = {"pp": 4, "pep": 5, "hep": 6, "7Be": 7, "8B": 8, "13N": 9, "15O": 10, "17F": 11}
ORDERS = (6, 12)
SCALE = 100.0  # n_e in units of 100 N_A cm⁻³ inside the Lanczos recursion (O(1) numbers)


def gauss_from_discrete(x, w, k):
    """Nodes/weights of the k-point Gauss rule of the discrete measure Σ_j w_j δ(x − x_j)."""
    w = w / w.sum()
    q = np.sqrt(w)
    Q = np.zeros((x.size, k))
    a, b = np.zeros(k), np.zeros(k)
    Q[:, 0] = q
    for j in range(k):
        v = x * Q[:, j]
        a[j] = Q[:, j] @ v
        v = v - a[j] * Q[:, j] - (b[j - 1] * Q[:, j - 1] if j else 0.0)
        v = v - Q[:, : j + 1] @ (Q[:, : j + 1].T @ v)  # full re-orthogonalisation
        if j + 1 < k:
            b[j] = np.linalg.norm(v)
            Q[:, j + 1] = v / b[j]
    J = np.diag(a) + np.diag(b[: k - 1], 1) + np.diag(b[: k - 1], -1)
    nodes, vecs = np.linalg.eigh(J)
    return nodes, vecs[0] ** 2


def pee_adiabatic(ne, e):
    """Adiabatic 3ν P_ee at production density ne [N_A cm⁻³], energy e [MeV] (NuFIT 6.0 NO)."""
    s12, s13, dm21, dm31 = 0.308, 0.02215, 7.49e-5, 2.513e-3
    a = 2.0 * 7.6324e-14 * 1e6 * e * ne  # 2 E √2 G_F n_e [eV²]
    c2t13, s2t13 = 1 - 2 * s13, 2 * np.sqrt(s13 * (1 - s13))
    c13m = 0.5 * (1 + (c2t13 - a / dm31) / np.hypot(c2t13 - a / dm31, s2t13))
    c2t12, s2t12 = 1 - 2 * s12, 2 * np.sqrt(s12 * (1 - s12))
    x = c2t12 - a * (1 - s13) / dm21
    c12m = 0.5 * (1 + x / np.hypot(x, s2t12))
    p1, p2, p3 = c13m * c12m, c13m * (1 - c12m), 1 - c13m
    return p1 * (1 - s12) * (1 - s13) + p2 * s12 * (1 - s13) + p3 * s13


def main(path):
    raw = Path(path).read_bytes()
    d = np.loadtxt(path, comments="#")
    ne = 10.0 ** d[:, 2]
    out = {
        "description": "Gauss quadrature of each solar source's production distribution in the "
                       "electron density n_e (units N_A cm^-3), from the B16-GS98 standard solar model",
        "source": "N. Vinyoles et al., ApJ 835 (2017) 202 (arXiv:1611.09867), table nudistr_b16_gs98.dat",
        "input_sha256": hashlib.sha256(raw).hexdigest(),
        "generator": "tests/propagation/make_msw_production_quadrature.py",
        "n_e_unit": "N_A cm^-3",
        "components": {},
    }
    energies = np.geomspace(0.1, 20.0, 200)
    worst = 0.0
    for name, col in COLUMNS.items():
        w = d[:, col]
        entry = {"mean_r_rsun": float((w * d[:, 0]).sum() / w.sum())}
        exact = np.array([(w * pee_adiabatic(ne, e)).sum() / w.sum() for e in energies])
        for k in ORDERS:
            x, wk = gauss_from_discrete(ne / SCALE, w, k)
            nodes = x * SCALE
            approx = np.array([(wk * pee_adiabatic(nodes, e)).sum() for e in energies])
            err = float(np.max(np.abs(approx - exact)))
            entry[f"K{k}"] = {"n_e": [float(f"{v:.10g}") for v in nodes],
                              "weights": [float(f"{v:.10g}") for v in wk],
                              "max_abs_error_pee_vs_table": float(f"{err:.3g}")}
            if k == max(ORDERS):
                worst = max(worst, err)
        out["components"][name] = entry
    out["max_abs_error_pee_vs_table_K12"] = float(f"{worst:.3g}")
    dest = Path(__file__).resolve().parents[2] / "nujax" / "data" / "solar_production_b16_gs98.json"
    dest.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {dest}; worst |ΔP_ee| (K=12 vs full table) = {worst:.2e}")
    for name, e in out["components"].items():
        print(name, e["mean_r_rsun"], e["K6"]["max_abs_error_pee_vs_table"], e["K12"]["max_abs_error_pee_vs_table"])


if __name__ == "__main__":
    main(sys.argv[1])
