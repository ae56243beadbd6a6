"""π-DAR timing (nujax.sources.accelerator): prompt/delayed fractions against the analytic
exponential laws, the pulse convolution against scipy's exponentially modified Gaussian, and
energy × time templates that integrate to the energy-only ones."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.stats import exponnorm

from nujax import rates
from nujax.detector import make_detector
from nujax.sources.accelerator import (TAU_MU_NS, TAU_PI_NS, gaussian_pulse, pidar_spectra,
                                       pidar_time_cdf, pidar_time_fractions)

DELTA = ((0.0,), (1.0,))


def test_prompt_and_delayed_fractions_instantaneous_pulse():
    """Within [0, t]: prompt 1 − e^{−t/τ_π}; delayed 1 − (τ_μ e^{−t/τ_μ} − τ_π e^{−t/τ_π})/(τ_μ − τ_π)."""
    edges = [0.0, 100.0, 1000.0, 6000.0]
    f = np.asarray(pidar_time_fractions(edges, pulse=DELTA))
    for t, cum_p, cum_d in zip(edges[1:], np.cumsum(f[0]), np.cumsum(f[1])):
        assert cum_p == pytest.approx(1 - math.exp(-t / TAU_PI_NS), rel=1e-12)
        d = 1 - (TAU_MU_NS * math.exp(-t / TAU_MU_NS) - TAU_PI_NS * math.exp(-t / TAU_PI_NS)) \
            / (TAU_MU_NS - TAU_PI_NS)
        assert cum_d == pytest.approx(d, rel=1e-12)
    np.testing.assert_array_equal(f[1], f[2])                 # ν̄μ and νe share the μ decay
    # a COHERENT-like prompt window of 1 μs keeps all prompt and 36 % of the delayed neutrinos
    assert f[0, :2].sum() == pytest.approx(1.0, abs=1e-15)
    assert f[1, :2].sum() == pytest.approx(0.3581, abs=1e-4)
    assert float(pidar_time_cdf(-1.0, True, DELTA)) == 0.0


def test_gaussian_pulse_convolution_matches_exgaussian():
    """Prompt arrival = Gaussian pulse ⊗ exponential(τ_π): scipy.stats.exponnorm CDF, to the
    sampling error of the 2001-point pulse (< 2e-4)."""
    sig = 250.0
    pulse = gaussian_pulse(sig, n=2001)
    t = np.array([-400.0, -50.0, 0.0, 120.0, 600.0])
    got = np.asarray(pidar_time_cdf(t, False, pulse))
    ref = exponnorm.cdf(t, TAU_PI_NS / sig, loc=0.0, scale=sig)
    np.testing.assert_allclose(got, ref, atol=2e-4)
    f = pidar_time_fractions([-5000.0, 0.0, 20000.0, 1e6], pulse)
    np.testing.assert_allclose(jnp.sum(f, axis=1), 1.0, atol=1e-12)
    with pytest.raises(ValueError, match="increasing"):
        pidar_time_fractions([0.0, 0.0])
    with pytest.raises(ValueError, match="weights"):
        pidar_time_fractions([0.0, 1.0], pulse=((0.0, 1.0), (1.0,)))


def test_time_integrated_templates_equal_energy_only():
    """Σ over time bins covering all arrivals = the energy-only templates; a steady background
    is uniform in time."""
    sp = pidar_spectra(5e15, 1930.0, n_grid=101)
    det = make_detector("argon40", mass_t=0.024)
    T = np.linspace(0.005, 0.1, 6)
    q = dict(target="nucleus", n_T=6, n_E=12, n_E_panels=2)
    frac = pidar_time_fractions([-5000.0, 1000.0, 3000.0, 1e6])
    timed = rates.binned_templates_timed(sp, det, T, frac, **q)
    plain = rates.binned_templates(sp, det, T, **q)
    assert timed.weak.shape == (5, 3)
    np.testing.assert_allclose(jnp.sum(timed.weak, axis=-1), plain.weak, rtol=1e-12)
    np.testing.assert_allclose(jnp.sum(timed.em, axis=-1), plain.em, rtol=1e-12)
    # the first (prompt) window holds the νμ line and 36 %·(pulse) of the delayed flux
    prompt_only = rates.binned_templates(sp[:1], det, T, **q)
    assert float(jnp.sum(timed.weak[:, 0])) > float(jnp.sum(prompt_only.weak)) * 0.99
    b = rates.steady_state_background(jnp.ones(5) * 6.0, [0.0, 1000.0, 3000.0])
    np.testing.assert_allclose(b, np.tile([2.0, 4.0], (5, 1)))
    with pytest.raises(ValueError, match="shape"):
        rates.binned_templates_timed(sp, det, T, frac[:2], **q)


def test_arrival_fractions_match_components_by_kind_not_position():
    """The prompt line gets the prompt row, both Michel continua the delayed row, in any order;
    a source that is not a π-DAR component is refused."""
    from nujax.sources.accelerator import pidar_arrival_fractions
    from nujax.sources.spectrum import continuum_spectrum

    nm, nmb, ne = pidar_spectra(n_grid=11)
    f = pidar_time_fractions(np.array([-1000.0, 500.0, 6000.0]), pulse=DELTA)
    got = np.asarray(pidar_arrival_fractions((ne, nm, nmb), f))
    np.testing.assert_array_equal(got, np.asarray(f)[[1, 0, 2]])
    assert got[1, 0] > 0.9 and got[0, 0] < 0.3        # prompt mostly early, delayed mostly late
    with pytest.raises(ValueError, match="neither the prompt"):
        pidar_arrival_fractions((continuum_spectrum(np.linspace(0.0, 8.0, 11), np.ones(11)),), f)
    with pytest.raises(ValueError, match=r"shape \(3, n_t\)"):
        pidar_arrival_fractions((nm,), f[:2])
