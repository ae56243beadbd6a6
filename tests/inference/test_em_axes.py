"""Fits, Fisher matrices and scans over every EM leaf (μ, ⟨r²⟩, a and q_ν entries) of a quadratic
EM model: the prompt π-DAR ν_μ line on argon (CEνNS), counts from the seed-002 rates."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nujax.detector import make_detector
from nujax.em import EMProperties
from nujax.errors import ConfigError
from nujax.inference import (asimov_data, density_matrix_em_model, expected, fisher_matrix, fit_mle,
                             nll)
from nujax.inference.scan import scan
from nujax.rates import expected_counts_density_matrix
from nujax.sources import get_source
from nujax.state import SpinFlavorState

ENTRIES = {"mu_ee": ("mu", 0, 0), "r2_ee": ("r2", 0, 0), "a_ee": ("anapole", 0, 0),
           "q_ee": ("millicharge", 0, 0)}
#: values of O(CEνNS sensitivity): μ [10⁻¹¹ μ_B], ⟨r²⟩ and a [10⁻³² cm²], q [10⁻¹² e]
POINT = {"mu_ee": 300.0, "r2_ee": 20.0, "a_ee": -5.0, "q_ee": 3e3}


@pytest.fixture(scope="module")
def setup():
    source = get_source("pidar", pot_per_s=5e15, distance_cm=2000.0)[0]   # prompt ν_μ, 29.8 MeV
    assert source.line_energies.shape[0] == 1 and source.grid.shape[0] <= 1
    det = make_detector("argon40", mass_t=1.0, live_time_yr=1.0, threshold=0.02)
    edges = jnp.linspace(0.02, 0.04, 4)
    state = SpinFlavorState.left_handed("numu", n=1)
    kw = dict(target="nucleus", flavor="numu", n_T=4)
    model = density_matrix_em_model(source, det, edges, None, state, ENTRIES, **kw)
    return source, det, edges, state, kw, model


def test_quadratic_model_is_exact_in_all_four_leaves(setup):
    source, det, edges, state, kw, model = setup
    assert model.em_names == tuple(ENTRIES)
    props = EMProperties.create(mu=[[POINT["mu_ee"]]], r2=[[POINT["r2_ee"]]],
                                anapole=[[POINT["a_ee"]]], millicharge=[[POINT["q_ee"]]], n=1)
    ref = expected_counts_density_matrix(source, det, edges, jnp.asarray([0.0, 2 * np.pi]), props,
                                         state, **kw)[..., 0]
    got = expected(model, POINT)
    np.testing.assert_allclose(got, ref + model.background, rtol=1e-9)
    for k in ENTRIES:                                               # every leaf moves the counts
        assert float(jnp.max(jnp.abs(model.em_lin[:, list(ENTRIES).index(k)]))) + \
            float(jnp.max(jnp.abs(model.em_quad[:, list(ENTRIES).index(k)]))) > 0


def test_fit_fisher_and_gradients_over_em_leaves(setup):
    *_, model = setup
    truth = {"q_ee": POINT["q_ee"]}
    data = asimov_data(model, truth)
    res = fit_mle(model, data, free=("q_ee",), init={"q_ee": 1e3}, tol=1e-10)
    assert float(res.params["q_ee"]) == pytest.approx(truth["q_ee"], rel=1e-4)
    F, labels = fisher_matrix(model, POINT, free=("r2_ee", "q_ee"))
    F = np.asarray(F)
    assert F.shape == (2, 2) and set(labels) == {"r2_ee", "q_ee"} and np.all(np.linalg.eigvalsh(F) > 0)
    p = dict(POINT)

    def f(x):
        return nll(model, {**p, **dict(zip(ENTRIES, x))}, data)

    x0 = jnp.asarray([POINT[k] for k in ENTRIES])
    g = jax.grad(f)(x0)
    for i in range(4):
        h = 1e-4 * abs(float(x0[i]))
        e = jnp.zeros(4).at[i].set(h)
        fd = (f(x0 + e) - f(x0 - e)) / (2 * h)
        assert float(g[i]) == pytest.approx(float(fd), rel=1e-5, abs=1e-12)


def test_scan_accepts_em_axes(setup):
    """q_asimov over (r2_ee, q_ee) equals 2Δnll of the Asimov no-EM data at each point (nuisances
    fixed); the generic names stay refused with a pointer."""
    *_, model = setup
    r2 = np.array([-20.0, 0.0, 20.0])
    q = np.array([-3e3, 0.0, 3e3])
    res = scan(model, {"r2_ee": r2, "q_ee": q}, quantity="q_asimov", nuisances=(), n_profile=0)
    assert res.values.shape == (3, 3) and res.values[1, 1] == pytest.approx(0.0, abs=1e-10)
    data = asimov_data(model)
    for i, j in ((0, 2), (2, 0), (2, 2)):
        ref = 2 * (nll(model, {"r2_ee": r2[i], "q_ee": q[j]}, data) - nll(model, {}, data))
        assert res.values[i, j] == pytest.approx(float(ref), rel=1e-8)
    z = scan(model, {"q_ee": q}, quantity="z_discovery", nuisances=(), n_profile=0).values
    assert z[1] == pytest.approx(0.0, abs=1e-6) and z[2] > 0
    with pytest.raises(ConfigError, match="quadratic EM model"):
        scan(model, {"charge_radius": r2}, quantity="q_asimov")
    with pytest.raises(ConfigError, match="q_asimov or z_discovery"):
        scan(model, {"q_ee": q}, quantity="limit")
