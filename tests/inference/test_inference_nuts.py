"""numpyro NUTS posterior of the directional model: recovery, Fisher width, netCDF output."""

import jax
import numpy as np
import pytest

from nujax.detector import preset
from nujax.inference import asimov_data, build_model, fisher_matrix, parameter_errors
from nujax.inference.nuts import credible_upper_limit, run_nuts, save_netcdf
from nujax.sources.catalog import get_source


def test_nuts_recovers_truth_and_matches_fisher(tmp_path):
    det = preset("hellaz", background=50.0)
    model = build_model(get_source("pp"), det, np.linspace(0.1, 0.26, 3),
                        np.linspace(0.0, 2 * np.pi, 5), pe=0.5, bkg_sigma=0.1).scaled(20.0)
    truth = {"mu_1e11": 3.0, "phi_B": 1.0}
    data = asimov_data(model, truth)
    res = run_nuts(jax.random.PRNGKey(0), model, data, num_warmup=200, num_samples=300,
                   num_chains=1, min_ess=50, max_r_hat=1.05)
    assert res.converged
    mu = np.asarray(res.samples["mu_1e11"])
    phi = np.asarray(res.samples["phi_B"])
    assert abs(mu.mean() - 3.0) < 2.0 * mu.std()               # truth in the posterior bulk
    assert abs(phi.mean() - 1.0) < 2.0 * phi.std()
    F, lab = fisher_matrix(model, truth, ("mu_1e11", "phi_B", "bkg_scale"))
    err = parameter_errors(F)
    # Gaussian regime: Fisher width ≈ posterior width (300 draws: ~10 % sampling error)
    assert mu.std() == pytest.approx(float(err[lab.index("mu_1e11")]), rel=0.25)
    assert phi.std() == pytest.approx(float(err[lab.index("phi_B")]), rel=0.25)
    assert credible_upper_limit(res.samples) > np.median(mu)
    path = save_netcdf(res.idata, tmp_path / "post.nc")
    assert (tmp_path / "post.nc").stat().st_size > 0 and str(path).endswith("post.nc")


def test_chains_can_start_at_the_mle():
    """run_nuts(init=params) starts every chain at the given likelihood parameters, mapped onto
    the sampler's sites (|μ|, φ_B → unit vector, norm → z = (norm − 1)/σ), inside the supports."""
    import numpy as np

    from nujax.inference.nuts import MuPrior, _init_values

    class M:                                   # the attributes _init_values reads
        directional, em_names = True, ()
        norm_sigma = np.array([0.01, 0.0])
        eff_sigma, bkg_sigma, bkg_constrained = np.asarray(0.0), np.asarray(0.1), True

    v = _init_values(M(), {"mu_1e11": -3.0, "phi_B": 0.4, "norm": np.array([1.02, 1.0]),
                           "bkg_scale": 0.9}, MuPrior(), fit_phi_B=True, fit_mu=None, fit_pe=False)
    assert v["mu_1e11"] == 3.0
    np.testing.assert_allclose(v["phi_xy"], [np.cos(0.4), np.sin(0.4)])
    np.testing.assert_allclose(v["norm_z"], [2.0, 0.0])
    assert v["bkg_scale"] == 0.9 and "eff_scale" not in v
    low = _init_values(M(), {"mu_1e11": 0.0}, MuPrior("loguniform", low=0.1, high=10.0),
                       fit_phi_B=True, fit_mu=None, fit_pe=False)
    assert 0.1 < low["mu_1e11"] < 0.11
