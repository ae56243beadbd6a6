"""Seed 000 headline claims, computed (not tuned) and pinned with their derivation.

Inputs: solar pp and ⁸B spectra of nujax.sources.solar, sin²θ_W = 0.23, perfect angular
resolution. Results compared with the paper:

* μ* maximizing 𝒜 (eq. (20): d𝒜/dμ = 0 ⇔ N_weak = N_em, μ* = √(a_weak/a_em)):
  pp, W_e = 0.1 MeV, Pe = 0.5: μ* = 6.06e-11 μB (Dirac), 6.83e-11 (Majorana); paper ≈ 3e-11.
  ⁸B, W_e = 5 MeV, Pe = 1/3: μ* = 5.7e-10 (Dirac); paper ≈ 1e-10. The order of magnitude between
  pp and ⁸B is reproduced, the values are not: N_em/N_weak is fixed by the cross sections of
  eqs. (2)–(3) (checked against seed 001 eqs. (1)–(2) and the standard π r_e² normalization), so
  the paper's μ* would need an em term 4× (pp) or ~30× (⁸B) larger; we find no convention that does
  both and keep the derived values. 𝒜(μ) is flat near μ*: 𝒜(3e-11) = 0.80 𝒜(μ*) for pp.
* ⁸B, μ = 1e-10, Pe = 1/3, W_e = 5 MeV: 𝒜 = 0.121 (Dirac) — "a factor two smaller" than the 20 %
  of Barbieri–Fiorentini, as the paper states.
* Majorana 𝒜 < Dirac 𝒜 at equal μ, as the paper states, for every pp threshold and for ⁸B below
  W_e ≈ 6.9 MeV (Pe = 1/3, μ = 1e-10). Above it the ⁸B Majorana curve lies slightly *above* the Dirac
  one: the Majorana bracket of eq. (9) is 2[D + D'] with D' = g_R − (½ − g_R)(1 − T/ω) (the ν̄_μR
  partner) > 0 once T/ω > 0.15, while the partner's extra weak term (1 − Pe) w_μ̄ is small.
* Sign: 𝒜 = 2|n_int|/(π(n_w + n_em)) and eq. (17) reads A(φ') = −sign(n_int) 𝒜 sin φ'; the
  paper's "manifestly positive" 𝒜 with A = −𝒜 sin φ' assumes n_int > 0. The sign of n_int is a
  convention of nujax.xsec.electron (orientation of ξ⊥: φ_B → φ_B + π flips it).
* Pe = 0.5 is not the maximum: at fixed μ the Dirac 𝒜 ∝ √(Pe(1−Pe))/(Pe w + μ² m) peaks below 0.5;
  at μ = μ*(Pe) it grows as √(1 − Pe). The Majorana optimum is also below 0.5 (w_e > w_μ̄).
* LZ energy dependence (Fig. 5): at W_e ≤ 0.1 MeV two of our three (Δm², B⊙) cases give 𝒜 4–7 %
  below the constant Pe = 0.5 ("somewhat smaller"), the third (Pe > 0.5 at low ω) 2–5 % above;
  at W_e = 0.2 MeV all three are 1–10 % above. "Qualitatively very similar" holds (within 10 %).
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax import rates
from nujax.detector import make_detector
from nujax.app.figures import seed000
from nujax.sources.solar import solar_component

PP = (solar_component("pp"),)
B8 = (solar_component("8B"),)
KW = dict(sin2w=0.23)


def coeffs(spec, thr, pe, kind="dirac", material="he_ch4"):
    return rates.azimuthal_coefficients(spec, make_detector(material, threshold=thr), 1.0, pe,
                                        kind=kind, **KW)


@pytest.mark.parametrize("kind, expected", [("dirac", 6.06), ("majorana", 6.83)])
def test_pp_mu_star(kind, expected):
    c = coeffs(PP, 0.1, 0.5, kind)
    mu, amax = rates.mu_at_max_asymmetry(c)
    assert float(mu) == pytest.approx(expected, rel=5e-3)
    # eq. (20): at μ* the weak and em event numbers are equal and 𝒜 is maximal
    assert float(mu**2 * c[1]) == pytest.approx(float(c[0]), rel=1e-10)
    grid = jnp.linspace(0.5 * mu, 2.0 * mu, 301)
    assert float(jnp.max(rates.asymmetry_vs_mu(c, grid))) <= float(amax) * (1 + 1e-12)
    assert float(rates.asymmetry_vs_mu(c, 3.0) / amax) == pytest.approx(0.80 if kind == "dirac" else 0.74, abs=0.02)


def test_b8_mu_star_and_barbieri_fiorentini_factor_two():
    c = coeffs(B8, 5.0, 1.0 / 3.0, material="water")
    # measured ⁸B spectrum (Bahcall et al. 1996, the default shape); 56.8 with the β-theory shape
    assert float(rates.mu_at_max_asymmetry(c)[0]) == pytest.approx(57.2, rel=5e-3)
    a10 = rates.asymmetry_vs_mu(c, 10.0)
    assert float(a10) == pytest.approx(0.121, abs=2e-3)
    assert 0.4 < float(a10) / 0.20 < 0.7  # about half of the 20 % quoted for ref. [9]


def test_majorana_below_dirac_at_equal_mu():
    d3, d2 = seed000.fig3_data(thresholds=np.array([0.05, 0.1, 0.2])), seed000.fig2_data(
        thresholds=np.array([5.0, 8.0]))
    assert np.all(d3["majorana"] < d3["dirac"])
    assert d2["majorana"][0] < d2["dirac"][0] and d2["majorana"][1] > d2["dirac"][1]


def test_asymmetry_equals_max_asymmetry_definitions():
    c = coeffs(PP, 0.1, 0.5)
    c3 = (c[0], 9.0 * c[1], 3.0 * c[2])
    phi = jnp.linspace(0, 6.0, 7)
    # eq. (17)–(19): A(φ') = −𝒜 sin φ' with our sign of n_int (< 0 for μ > 0)
    sign = float(jnp.sign(c3[2]))
    np.testing.assert_allclose(rates.integrated_asymmetry(c3, phi),
                               -sign * rates.max_asymmetry(c3) * jnp.sin(phi), rtol=1e-12, atol=1e-15)
    assert float(rates.max_asymmetry(c3)) == pytest.approx(float(rates.asymmetry_vs_mu(c, 3.0)), rel=1e-12)
    # eq. (13): dA/dφ = n_int cos φ /(n_w + n_em); A = −(2/π) dA/dφ tan φ
    np.testing.assert_allclose(rates.integrated_asymmetry(c3, 0.3),
                               -2 / np.pi * rates.differential_asymmetry(c3, 0.3) * np.tan(0.3), rtol=1e-12)


@pytest.mark.parametrize("kind", ["dirac", "majorana"])
def test_pe_half_is_not_the_maximum(kind):
    det = make_detector("he_ch4", threshold=0.1)
    f = lambda pe: rates.max_asymmetry(rates.azimuthal_coefficients(PP, det, 3.0, pe, kind=kind, **KW))
    pes = jnp.linspace(0.05, 0.95, 91)
    a = jax.vmap(f)(pes)
    pe_opt = float(pes[jnp.argmax(a)])
    assert pe_opt < 0.45
    assert float(jnp.max(a)) > float(f(0.5)) * 1.02
    assert float(jax.grad(f)(0.5)) < 0.0  # 𝒜 decreases through Pe = 0.5


def test_landau_zener_energy_dependence_fig5():
    d = seed000.fig5_data(thresholds=np.array([0.05, 0.1, 0.2]))
    ratios = np.array([d[case] / d["constant"] for case in seed000.LZ_CASES])
    assert np.all(np.abs(ratios - 1) < 0.12)                  # qualitatively very similar
    assert np.sum(np.all(ratios[:, :2] < 0.97, axis=1)) == 2  # two of three smaller at W_e ≤ 0.1
    assert np.all(ratios[:, 2] > 1.0)                         # at W_e = 0.2 MeV all above


def test_threshold_vmap_matches_loop():
    thr = np.array([0.05, 0.15])
    v = seed000.asymmetry_vs_threshold(PP, thr, 3.0, 0.5)
    for t, a in zip(thr, v):
        det = dataclasses.replace(make_detector("he_ch4"), threshold=jnp.asarray(t))
        assert float(a) == pytest.approx(float(rates.max_asymmetry(
            rates.azimuthal_coefficients(PP, det, 3.0, 0.5, **KW))), rel=1e-10)
