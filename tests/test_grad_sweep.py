"""Gradient sweep at the edges of the physical region, float32 and float64.

For every differentiable entry point (cross sections of every target, the kinematics helpers,
the Helm form factor, the binned rates) the gradient with respect to *every* float argument is
evaluated at the points where guards matter — T → 0⁺ (the region's T_MIN and its neighbours),
T_max and one ulp either side, thresholds and bin edges at the kinematic end, Pe ∈ {0, 1}, μ = 0,
cosθ = 1, x → 0 of the radiative process — and must be finite everywhere, and exactly zero (with a
zero value) outside the region. One ``vmap(grad)`` per function and precision keeps it cheap; the
number of function × point pairs is asserted (≥ 400).
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import kinematics as kin
from nujax import rates
from nujax.constants import M_E
from nujax.em import EMProperties
from nujax.nuclei import get_nucleus
from nujax.state import SpinFlavorState
from nujax.xsec import electron as ex
from nujax.xsec.electron_density_matrix import (electron_density_matrix_domega_parts,
                                                electron_density_matrix_parts)
from nujax.xsec.form_factors import helm_form_factor
from nujax.xsec.nucleon import nucleon_parts
from nujax.xsec.nucleus import nucleus_parts
from nujax.xsec.radiative import d3sigma_dT_dEg_dcostheta, d3sigma_dx_dy_dw, omega_limits, y_max

DTYPES = (np.float32, np.float64)
M_AR = get_nucleus("Ar40").mass
COUNTED = []


def _T_points(enu, m, dt):
    """(T, inside?) at the guards: below/at/above T_MIN, interior, T_max − 1 ulp, T_max, T_max + 1 ulp."""
    tm = kin.t_max(dt(enu), dt(m), xp=np)                        # the library's T_max, in dtype dt
    up, down = np.nextafter(tm, dt(np.inf)), np.nextafter(tm, dt(0))
    tmin = dt(kin.T_MIN)
    pts = [(dt(0.0), False), (np.nextafter(tmin, dt(0)), False), (tmin, True),
           (np.nextafter(tmin, dt(1)), True), (dt(1e-9), True), (dt(0.5) * tm, True),
           (down, True), (tm, True), (up, False), (dt(2.0) * tm, False)]
    return [(dt(t), ok) for t, ok in pts]


def _grid(dt, enus, m, mus=(0.0, 3.0), pes=(0.0, 0.5, 1.0)):
    """Rows (enu, T, mu, pe) over the guard points and the inside mask."""
    rows, inside = [], []
    for e in enus:
        for T, ok in _T_points(e, m, dt):
            for mu in mus:
                for pe in pes:
                    rows.append((e, T, mu, pe))
                    inside.append(ok)
    return np.array(rows, dtype=dt).T, np.array(inside)


def _sweep(dt, *groups):
    """Check groups (names, f, args, inside) with ONE jit of vmap(value, vjp rows) for all of them.

    ``f(*args)`` returns one scalar (or a tuple, one per name); the groups' point lists are tiled to
    a common length and evaluated together. Every value and every gradient (in every argument)
    must be finite; value and gradient exactly 0 where ``inside`` is False.
    """
    L = max(len(g[2][0]) for g in groups)
    flat = [np.resize(np.asarray(a, dt), L) for g in groups for a in g[2]]
    sizes = [len(g[2]) for g in groups]

    def vec(*a):
        outs, k = [], 0
        for (names, f, _, _), n in zip(groups, sizes):
            out = f(*a[k:k + n])
            outs += list(out) if isinstance(out, (tuple, list)) else [out]
            k += n
        return jnp.stack(outs)

    def value_and_rows(*a):
        out, pull = jax.vjp(vec, *a)
        return out, jax.vmap(pull)(jnp.eye(out.shape[0], dtype=out.dtype))

    val, jac = jax.jit(jax.vmap(value_and_rows))(*(jnp.asarray(a, dt) for a in flat))
    val = np.asarray(val, float)                                           # (L, outputs)
    g = np.stack([np.asarray(x, float) for x in jac], axis=-1)            # (L, outputs, all args)
    row = 0
    for names, _, args, inside in groups:
        n_pts = len(args[0])
        for name in ([names] if isinstance(names, str) else names):
            v, gr = val[:n_pts, row], g[:n_pts, row]
            assert np.all(np.isfinite(v)), f"{name} {dt.__name__}: non-finite value"
            bad = ~np.all(np.isfinite(gr), axis=-1)
            assert not bad.any(), f"{name} {dt.__name__}: non-finite gradient at {[a[bad][:3] for a in args]}"
            if inside is not None:
                assert np.all(v[~inside] == 0), f"{name} {dt.__name__}: nonzero value outside the region"
                assert np.all(gr[~inside] == 0), f"{name} {dt.__name__}: nonzero gradient outside the region"
            COUNTED.append((name, dt.__name__, n_pts))
            row += 1


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_electron_compact(dt):
    args, inside = _grid(dt, (0.1, 0.862, 10.0), M_E)
    s = dt(0.23)

    def xs(e, T, mu, pe):
        dm = electron_density_matrix_parts(EMProperties.from_effective(mu, n=1),
                                           SpinFlavorState.from_pe_dirac(pe, 0.7, n=1), e, T, sin2w=s)
        return (ex.dsigma_dT(e, T, mu, pe, sin2w=s).total,
                ex.dsigma_dT(e, T, mu, pe, kind="majorana", sin2w=s).total,
                ex.d2sigma_dT_dphi(e, T, dt(0.3), mu, pe, dt(1.0), sin2w=s).total,
                ex.d2sigma_dT_dphi_amplitudes(e, T, mu, pe, flavor="nuebar", sin2w=s).interference,
                dm.A, dm.Bs, dm.Bc)

    rows = []
    for e in (0.1, 0.862, 10.0):
        for c in (dt(1.0), np.nextafter(dt(1.0), dt(0)), dt(0.5), dt(1e-6), dt(0.0), dt(-0.5)):
            for mu in (0.0, 3.0):
                for pe in (0.0, 0.5, 1.0):
                    rows.append((e, c, mu, pe))
    cargs = np.array(rows, dt).T

    def angular(e, c, mu, pe):
        dm = electron_density_matrix_domega_parts(EMProperties.from_effective(mu, n=1),
                                                  SpinFlavorState.from_pe_dirac(pe, 0.7, n=1), e, c, sin2w=s)
        return (ex.dsigma_dcostheta(e, c, mu, pe, sin2w=s).total,
                ex.d2sigma_dcostheta_dphi(e, c, dt(0.3), mu, pe, dt(0.0), sin2w=s).total,
                dm.A + dm.Bs + dm.Bc)

    _sweep(dt, (["dsigma_dT", "dsigma_dT-majorana", "d2sigma_dT_dphi", "interference-amplitude",
                 "density-matrix-A", "density-matrix-Bs", "density-matrix-Bc"], xs, args, inside),
           (["dsigma_dcostheta", "d2sigma_dcostheta_dphi", "density-matrix-domega"], angular, cargs,
            cargs[1] > 0))
    # the compact and density-matrix paths agree at T_max and vanish one ulp above (one region;
    # 16 of 400 energies disagreed when each path had its own region test)
    e = np.geomspace(0.01, 100.0, 400).astype(dt)
    tm = kin.t_max(e, dt(M_E), xp=np)
    for T, nonzero in ((tm, True), (np.nextafter(tm, dt(np.inf)), False)):
        c = ex.dsigma_dT(e, T, dt(3.0), dt(0.5), sin2w=s)
        d = electron_density_matrix_parts(EMProperties.from_effective(3.0, n=1),
                                          SpinFlavorState.from_pe_dirac(0.5, n=1), e, T, sin2w=s)
        assert np.all((np.asarray(c.total) > 0) == nonzero)
        assert np.all((np.asarray(d.A) > 0) == nonzero)
        np.testing.assert_allclose(2 * np.pi * np.asarray(d.A, float), np.asarray(c.total, float),
                                   rtol=2e-5 if dt is np.float32 else 1e-12)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_nucleus_and_nucleon(dt):
    s = dt(0.23)

    def nuc(e, T, mu, pe):
        p = nucleus_parts(EMProperties.from_effective(mu, n=1), SpinFlavorState.from_pe_dirac(pe, 0.2, n=1),
                          e, T, nucleus="Ar40", sin2w=s)
        return p.A + p.Bs + p.Bc

    def nucleon(e, T, mu, pe):
        p = nucleon_parts(EMProperties.from_effective(mu, n=1), SpinFlavorState.from_pe_dirac(pe, 0.2, n=1),
                          e, T, target="p", sin2w=s)
        return p.A + p.Bs + p.Bc

    _sweep(dt, ("nucleus-Ar40", nuc, *_grid(dt, (10.0, 50.0), M_AR, pes=(0.0, 1.0))),
           ("nucleon-p", nucleon, *_grid(dt, (10.0, 50.0), 938.27208943, pes=(0.0, 1.0))))


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_radiative(dt):
    rows, inside = [], []
    E = 1.0
    tiny = np.finfo(dt).tiny
    for x in (tiny, 1e-12, 1e-6, 0.5, np.nextafter(dt(1), dt(0)), 1.0, 0.0):
        ym = float(y_max(min(max(x, 0.0), 1.0), E, xp=np))
        for y in (1e-3 * ym, 0.5 * ym, 0.999 * ym):
            wm, wp = (float(v) for v in omega_limits(min(max(x, 0.0), 1.0), y, E, xp=np))
            for w in (wm + 1e-3 * (wp - wm), 0.5 * (wm + wp), wp - 1e-3 * (wp - wm)):
                for mu in (0.0, 3.0):
                    rows.append((x, y, w, E, mu))
                    inside.append(0 < x < 1)
    args = np.array(rows, dt).T
    s = dt(0.23)

    def d3(x, y, w, e, mu):
        return d3sigma_dx_dy_dw(x, y, w, e, mu, sin2w=s).total

    lab = []
    for T in (tiny, dt(kin.T_MIN), 1e-9, 0.1, 0.3):
        for eg in (1e-6, 0.2):
            for c in (-1.0, 0.5, 1.0):
                for mu in (0.0, 3.0):
                    lab.append((T, eg, c, 1.0, mu))

    def lab_xs(T, eg, c, e, mu):
        return d3sigma_dT_dEg_dcostheta(T, eg, c, e, mu, sin2w=s).total

    groups = [("radiative-d3sigma_dx_dy_dw", d3, args, np.array(inside))]
    if dt is np.float32:           # the lab-variable guards are precision-independent: float32 only
        groups.append(("radiative-lab", lab_xs, np.array(lab, dt).T, None))
    _sweep(dt, *groups)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_kinematics_and_form_factor(dt):
    args, inside = _grid(dt, (0.1, 0.862, 10.0), M_E, mus=(0.0,), pes=(0.0,))
    e, T = args[0], args[1]
    m = dt(M_E)
    c = np.tile(np.array([1.0, np.nextafter(dt(1), dt(0)), 0.5, 1e-7, 0.0, -0.3, 1.5], dt), 6)
    ee = np.repeat(np.array([0.1, 0.862, 10.0, 1.0, 0.3, 2.0], dt), 7)
    tt = np.repeat(np.array([0.05, 0.5, 5.0, 1e-9, float(kin.T_MIN), 0.2], dt), 7)
    q = np.array([0.0, np.finfo(dt).tiny, 1e-6, 1.0, 10.0, 39.0, 40.0, 41.0, 100.0, 300.0], dt)
    _sweep(dt, (["kinematics-cos_theta", "kinematics-p_sin_theta", "kinematics-dT_dcostheta"],
                lambda e, T: (kin.cos_theta(T, e, m), kin.p_sin_theta(T, e, m), kin.dT_dcostheta(T, e, m)),
                (e, T), inside),
           (["kinematics-t_max", "kinematics-enu_min"], lambda e, T: (kin.t_max(e, m), kin.enu_min(T, m)),
            (e, T), None),
           (["kinematics-T_from_costheta", "kinematics-enu_from_T_costheta", "kinematics-dEnu_dcostheta"],
            lambda c, e, T: (kin.T_from_costheta(c, e, m), kin.enu_from_T_costheta(T, c, m),
                             kin.dEnu_dcostheta(T, c, m)), (c, ee, tt), None),
           ("helm_form_factor", lambda q, r: helm_form_factor(q, r), (q, np.full_like(q, 4.1)), None))


def test_binned_rates_at_edges():
    """Counts with a bin edge at the threshold and one at the pp endpoint: finite gradients in
    (μ, Pe, φ_B, sin²θ_W) at μ = 0 and Pe ∈ {0, 1} (float64: the rate drivers use the default dtype)."""
    from nujax.detector import preset
    from nujax.sources.solar import solar_component

    pp, det = solar_component("pp"), preset("hellaz")
    tm = float(kin.t_max(float(pp.grid[-1]), M_E))
    edges = jnp.array([float(det.threshold), 0.15, tm, 0.3])
    phi = jnp.linspace(0.0, 2 * math.pi, 5)

    def counts(mu, pe, phi_B, s):
        return jnp.sum(rates.expected_counts(pp, det, edges, phi, mu, pe, phi_B, sin2w=s, n_T=4,
                                             n_E=8, n_E_panels=2))

    rows = [(mu, pe, pb, 0.23) for mu in (0.0, 3.0) for pe in (0.0, 0.5, 1.0) for pb in (0.0, math.pi)]
    _sweep(np.float64, ("expected_counts", counts, np.array(rows, np.float64).T, None))


def test_sweep_size():
    """At least 400 function × point pairs were checked (each point: the gradient in every argument)."""
    total = sum(n for _, _, n in COUNTED)
    if len({c[:2] for c in COUNTED}) < 40:
        pytest.skip("run with the whole file to count the sweep")
    print(f"gradient sweep: {total} function × point pairs over {len({c[0] for c in COUNTED})} functions")
    assert total >= 400, total
