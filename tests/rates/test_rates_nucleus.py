"""Nuclear recoils through the common rate engine (issue 12): CEνNS dN/dE_R with energy smearing
and efficiency at the measured energy, binned templates, fluences, the density-matrix path and
the compact nuclear kernel, each against an independent direct numerical integration.

The reference integrates the per-point cross section of seed 002 eq. (15)
(:func:`nujax.xsec.nucleus.nucleus_parts`, isotope by isotope) with dense trapezoid rules in Eν,
in the true recoil energy T and in the measured energy T' — no quadrature of the engine is reused.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import rates
from nujax.constants import HBARC2_MEV2_CM2, SIN2_THETA_W, YEAR_S
from nujax.detector import make_detector
from nujax.em import EMProperties
from nujax.kinematics import enu_min, t_max
from nujax.nuclei import get_nucleus
from nujax.sources import get_source
from nujax.state import SpinFlavorState
from nujax.targets import get_target
from nujax.xsec.nucleus import nucleus_parts

B8 = get_source("8B")[0]
PROPS0 = EMProperties.zero(n=1)
LEFT = SpinFlavorState.from_pe_dirac(1.0, n=1)


_XENON_RESPONSE = dict(mass_t=1.0, live_time_yr=1.0, threshold=0.001, eff_plateau=0.9,
                       eff_T50=0.002, eff_width=0.0004, res_const=1e-4, res_stoch=0.004,
                       smearing=True)


def _xenon(**kw):
    return make_detector("xenon", **{**_XENON_RESPONSE, **kw})


def _true_spectrum(det, spec, T, props=PROPS0, n_e=600):
    """dN/dT [counts/MeV] at true T (numpy), summed over the natural xenon isotopes."""
    grid, dens = np.asarray(spec.grid), np.asarray(spec.density)
    out = np.zeros_like(T)
    for el, n_per_t in det.material.nuclei_per_tonne().items():
        for iso, ab in get_nucleus(el).isotopes:
            emin = np.maximum(np.asarray(enu_min(T, iso.mass)) * (1 + 1e-12), grid[0])  # inside T ≤ T_max
            u = np.linspace(0.0, 1.0, n_e)
            E = emin[:, None] + (grid[-1] - emin[:, None]) * u             # (nT, n_e)
            fl = np.asarray(spec.flavor_probabilities(E))                 # radiative g_V^p(ν_ℓ)
            A = sum(fl[..., k] * np.asarray(nucleus_parts(
                props, LEFT, E, np.broadcast_to(T[:, None], E.shape), nucleus=iso.name,
                sin2w=SIN2_THETA_W, flavor=f).A) for k, f in enumerate(("nue", "numu", "nutau")))
            lam = np.interp(E, grid, dens, left=0.0, right=0.0)
            sig = 2 * math.pi * np.trapezoid(lam * A, E, axis=1)           # ∫dEν λ dσ/dT
            n_t = ab * n_per_t * float(det.mass_t)
            out += n_t * sig
    t_s = float(det.live_time_yr) * YEAR_S
    return float(spec.flux) * HBARC2_MEV2_CM2 * t_s * out


def _eff(det, T):
    from scipy.special import erf

    return float(det.eff_plateau) * 0.5 * (1 + erf((T - float(det.eff_T50)) / (math.sqrt(2) * float(det.eff_width))))


def _sigma(det, T):
    return np.sqrt(float(det.res_const) ** 2 + float(det.res_stoch) ** 2 * T)


@pytest.fixture(scope="module")
def reference():
    det = _xenon()
    T = np.geomspace(1e-4, float(t_max(B8.grid[-1], get_nucleus("Xe124").mass)), 1500)
    return det, T, _true_spectrum(det, B8, T)


def test_dN_dER_with_smearing_and_efficiency_matches_direct_integration(reference):
    det, T, d = reference
    Tm = np.array([0.0011, 0.0015, 0.002, 0.0025, 0.003, 0.0035])         # measured E_R [MeV]
    s = _sigma(det, T)
    g = np.exp(-0.5 * ((Tm[:, None] - T) / s) ** 2) / (math.sqrt(2 * math.pi) * s)
    ref = _eff(det, Tm) * np.trapezoid(g * d, T, axis=1)
    got = np.asarray(rates.dN_dT(B8, det, Tm, target="nucleus").weak)
    np.testing.assert_allclose(got, ref, rtol=1e-3)
    below = np.asarray(rates.dN_dT(B8, det, np.array([0.0009]), target="nucleus").weak)
    assert below[0] == 0.0                                                 # threshold on measured E_R


def test_binned_cevns_with_smearing_and_efficiency_matches_direct_integration(reference):
    det, T, d = reference
    edges = np.linspace(0.001, 0.005, 9)
    s = _sigma(det, T)
    ref = []
    for a, b in zip(edges[:-1], edges[1:]):
        Tp = np.linspace(a, b, 801)                                        # measured energy
        g = np.exp(-0.5 * ((Tp[:, None] - T) / s) ** 2) / (math.sqrt(2 * math.pi) * s)
        R = np.trapezoid(_eff(det, Tp)[:, None] * g, Tp, axis=0)            # ∫_bin ε(T') G dT'
        ref.append(np.trapezoid(R * d, T))
    tpl = rates.binned_templates(B8, det, edges, target="nucleus", n_T=16, T_panels=4)
    got = 2 * math.pi * np.asarray(tpl.weak)
    np.testing.assert_allclose(got, ref, rtol=1e-3)


def test_binned_cevns_without_smearing_and_the_magnetic_template():
    # ⁴⁰Ar (one isotope): the sum over isotopes is checked with smearing above, on natural xenon
    det = make_detector("argon40", **{**_XENON_RESPONSE, "smearing": False, "eff_width": 0.0,
                                    "eff_T50": 0.0})
    edges = np.linspace(0.001, 0.004, 4)
    props = EMProperties.from_effective(100.0, n=1)                        # 10⁻⁹ μ_B
    tpl = rates.binned_templates(B8, det, edges, target="nucleus", n_T=16, T_panels=4)
    ref_w, ref_m = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        T = np.linspace(a, b, 301)
        d_w = _true_spectrum(det, B8, T)
        ref_w.append(0.9 * np.trapezoid(d_w, T))
        ref_m.append(0.9 * np.trapezoid(_true_spectrum(det, B8, T, props) - d_w, T))
    np.testing.assert_allclose(2 * math.pi * np.asarray(tpl.weak), ref_w, rtol=1e-4)
    np.testing.assert_allclose(2 * math.pi * np.asarray(tpl.em) * 100.0 ** 2, ref_m, rtol=1e-4)


def test_fluence_is_not_multiplied_by_the_live_time():
    assert all(s.fluence for s in get_source("supernova"))
    assert not get_source("supernova", luminosity=True)[0].fluence
    sn = get_source("supernova")[2:3]                                      # ν_x
    edges = np.linspace(0.001, 0.02, 3)
    a = rates.binned_templates(sn, _xenon(live_time_yr=1.0), edges, target="nucleus").weak
    b = rates.binned_templates(sn, _xenon(live_time_yr=7.0), edges, target="nucleus").weak
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12)
    e = rates.binned_templates(sn, _xenon(live_time_yr=7.0), edges, target="electron").weak
    e1 = rates.binned_templates(sn, _xenon(live_time_yr=1.0), edges, target="electron").weak
    np.testing.assert_allclose(np.asarray(e), np.asarray(e1), rtol=1e-12)


def test_density_matrix_nucleus_path_equals_the_compact_kernel():
    # the equality holds isotope by isotope: ⁴⁰Ar (one isotope) compiles 9× less than natural xenon
    det = make_detector("argon40", **{**_XENON_RESPONSE, "smearing": False, "eff_width": 0.0})
    edges = np.linspace(0.001, 0.004, 4)
    phi = np.linspace(0.0, 2 * np.pi, 5)
    pe, mu, phb = 0.6, 200.0, 0.4
    compact = rates.expected_counts(B8, det, edges, phi, mu, pe, phb, target="nucleus", flavor="nue")
    dm = rates.expected_counts_density_matrix(B8, det, edges, phi, EMProperties.from_effective(mu, n=1),
                                              SpinFlavorState.from_pe_dirac(pe, phb, n=1),
                                              target="nucleus")
    np.testing.assert_allclose(np.asarray(compact), np.asarray(dm), rtol=1e-9)
    tpl = rates.binned_templates(B8, det, edges, target="nucleus", pe=pe)
    assert float(jnp.max(jnp.abs(tpl.interference))) > 0                   # transverse beam modulates


@pytest.mark.parametrize("smearing, h, rtol", [(False, 1e-8, 1e-6), (True, 1e-6, 5e-4)])
def test_gradients_of_nuclear_counts_match_differences(smearing, h, rtol):
    """∂N/∂threshold and ∂N/∂μ against central differences, on the smooth β-theory ⁸B shape (the
    measured table is piecewise linear: quadrature nodes crossing its kinks make the difference
    quotient jitter at 1e-3). With smearing the counts carry float64 noise of ~1e-10 relative
    (normal-CDF differences), which limits the difference quotient, hence the looser tolerance.
    Argon (one isotope) instead of natural xenon: the same code path, compiled once, not per isotope."""
    from nujax.sources.solar import solar_component

    b8 = solar_component("8B", shape="theory")
    edges = jnp.linspace(0.001, 0.004, 5)

    @jax.jit          # one compilation for the five evaluations (the detector is rebuilt per call)
    def total(thr, mu):
        d = make_detector("argon40", **{**_XENON_RESPONSE, "threshold": thr, "smearing": smearing})
        return jnp.sum(rates.expected_counts(b8, d, edges, jnp.array([0.0, 2 * jnp.pi]), mu,
                                             target="nucleus"))

    g = jax.grad(total, argnums=(0, 1))(0.0012, 50.0)
    assert all(np.isfinite(np.asarray(x)) for x in g)
    fd_t = (total(0.0012 + h, 50.0) - total(0.0012 - h, 50.0)) / (2 * h)
    fd_m = (total(0.0012, 50.0 + 1e-3) - total(0.0012, 50.0 - 1e-3)) / 2e-3
    np.testing.assert_allclose(float(g[0]), float(fd_t), rtol=rtol)
    np.testing.assert_allclose(float(g[1]), float(fd_m), rtol=1e-6)


def test_target_choices_are_checked():
    det = _xenon()
    with pytest.raises(ValueError, match="unknown target"):
        rates.binned_templates(B8, det, [0.001, 0.002], target="muon")
    with pytest.raises(ValueError, match="no recoil direction"):
        rates.binned_templates(B8, det, [0.001, 0.002], [0.0, 1.0],
                               target=get_target("radiative", photon_threshold=0.01))
    with pytest.raises(ValueError, match="two-body"):
        rates.dN_dT(B8, det, [0.002], target="radiative")
    with pytest.raises(ValueError, match="unknown nucleus|unknown element|no nucleus"):
        rates.binned_templates(B8, make_detector("water"), [0.001, 0.002], target="nucleus")


def test_reactor_antineutrinos_on_nuclei_through_the_density_matrix():
    """A Dirac ν̄_e reactor beam through the nuclear density-matrix rates (ν̄ convention of
    nujax.xsec.electron_density_matrix: active ν̄_R in the R block) equals the compact nuclear
    counts; the per-point kernel is nucleus_parts(..., antineutrino=True)."""
    from nujax.sources import get_source

    re = get_source("reactor", power_gw=3.0, distance_cm=2000.0)[0]
    det = make_detector("germanium", mass_t=1e-3, threshold=2e-4)
    edges, phi = jnp.linspace(2e-4, 1e-3, 4), jnp.array([0.0, 2 * jnp.pi])
    compact = rates.expected_counts(re, det, edges, phi, 50.0, target="nucleus")
    state = SpinFlavorState.from_pe_dirac(1.0, flavor="nuebar", n=1)
    dm = rates.expected_counts_density_matrix(re, det, edges, phi,
                                              EMProperties.from_effective(50.0, n=1), state,
                                              target="nucleus")
    assert float(jnp.min(compact)) > 0
    np.testing.assert_allclose(dm, compact, rtol=1e-10)


def test_natural_argon_is_the_abundance_weighted_isotope_sum():
    """Natural argon (³⁶Ar, ³⁸Ar, ⁴⁰Ar, atmospheric abundances) through the engine: its dN/dE_R is
    the abundance-weighted sum of the isotope cross sections (seed 002 eq. (15), each isotope its
    own mass and form factor) to 1e-12, and it differs from pure ⁴⁰Ar by the expected amount — at
    small recoil (form factors → 1, 1 − MT/2Eν² → 1) per tonne Σ_a x_a M_a 𝓕₁,a² / (M₄₀ 𝓕₁,₄₀²)
    × (nuclei per tonne ratio): −0.12 %."""
    src = get_source("pidar", pot_per_s=5e15, distance_cm=2000.0)[0]    # prompt ν_μ line
    E = float(src.line_energies[0])
    T = jnp.array([1e-5, 2e-3, 1e-2, 3e-2])                              # [MeV]
    kw = dict(target="nucleus", flavor="numu")
    dets = {m: make_detector(m, mass_t=1.0, live_time_yr=1.0, threshold=5e-6, smearing=False)
            for m in ("argon", "argon40")}
    n_nat, n_40 = (np.asarray(rates.dN_dT(src, dets[m], T, **kw).weak)
                   for m in ("argon", "argon40"))
    per_t = {m: sum(dets[m].material.nuclei_per_tonne().values()) for m in dets}
    sig = {iso.A: np.asarray(nucleus_parts(PROPS0, LEFT, E, T, nucleus=iso.name, flavor="numu").A)
           for iso, _ in get_nucleus("Ar").isotopes}
    ab = {iso.A: w for iso, w in get_nucleus("Ar").isotopes}
    assert sorted(ab) == [36, 38, 40] and sum(ab.values()) == pytest.approx(1.0, abs=1e-12)
    expect = per_t["argon"] / per_t["argon40"] * sum(ab[a] * sig[a] for a in ab) / sig[40]
    np.testing.assert_allclose(n_nat / n_40, expect, rtol=1e-12)
    # the size of the difference from the isotope data alone (point nucleus, T → 0)
    from nujax.nuclei import weak_vector_charge
    iso = {a: get_nucleus(f"Ar{a}") for a in ab}
    q = {a: weak_vector_charge(iso[a], flavor="numu") for a in ab}
    r = per_t["argon"] / per_t["argon40"] * sum(
        ab[a] * iso[a].mass * q[a] ** 2 for a in ab) / (iso[40].mass * q[40] ** 2)
    assert r - 1.0 == pytest.approx(-1.2e-3, abs=1e-4)
    assert n_nat[0] / n_40[0] == pytest.approx(r, rel=1e-7)
