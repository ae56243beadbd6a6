"""The directional study behind ``nujax demo`` (nujax.app.study): numbers against the library, outputs."""

import json
import math

import numpy as np
import pytest

import nujax
from nujax.app import study
from nujax.inference import expected, fit_mle


@pytest.fixture(scope="module")
def result():
    stages = []
    res = study.run_study(study.quick_config(), progress=stages.append)
    assert tuple(stages) == study.STAGES
    return res


def test_config_validation():
    with pytest.raises(ValueError, match="data must be"):
        study.StudyConfig(data="real")
    with pytest.raises(ValueError, match="one entry per source"):
        study.StudyConfig(sources=("pp",))
    with pytest.raises(ValueError, match="pe must lie"):
        study.StudyConfig(pe=-0.1)
    with pytest.raises(ValueError, match="mu_1e11 must be"):
        study.StudyConfig(mu_1e11=-1.0)
    with pytest.raises(ValueError, match="n_phi"):
        study.quick_config(n_phi=0)
    with pytest.raises(ValueError, match="T_range"):
        study.StudyConfig(T_range=(0.5, 0.2))
    # the default scenario is the one the README and seed 000 describe
    cfg = study.StudyConfig()
    assert (cfg.detector, cfg.sources, cfg.pe, cfg.mu_1e11) == ("hellaz", ("pp", "7Be"), 0.5, 3.0)


def test_inputs_and_asymmetry_match_the_library(result):
    spectra, det = study.study_inputs(result.config)
    assert [s.name for s in spectra] == [s.name for s in nujax.get_source("pp") + nujax.get_source("7Be")]
    c = nujax.azimuthal_coefficients(spectra, det, 3.0, 0.5)
    a = result.asymmetry
    assert a["A"] == pytest.approx(float(nujax.max_asymmetry(c)), rel=1e-12)
    assert a["n_weak"] == pytest.approx(2 * math.pi * float(c[0]), rel=1e-12)
    # μ* is where 𝒜(μ) peaks (seed 000 eq. (20)): 𝒜 there beats 𝒜 at 0.8 μ* and 1.25 μ*
    c1 = nujax.azimuthal_coefficients(spectra, det, 1.0, 0.5)
    a_mu = nujax.asymmetry_vs_mu(c1, np.array([0.8, 1.0, 1.25]) * a["mu_star"])
    assert a_mu[1] == pytest.approx(a["A_star"], rel=1e-10)
    assert a_mu[1] > a_mu[0] and a_mu[1] > a_mu[2]


def test_rate_curves_are_consistent(result):
    r, cfg = result.rates, result.config
    spectra, det = study.study_inputs(cfg)
    i = len(r["T"]) // 3
    t = nujax.dN_dT(spectra[0], det, r["T"][i:i + 1], 3.0, 0.5)
    assert r[f"{spectra[0].name}/weak"][i] == pytest.approx(float(t.weak[0]), rel=1e-12)
    assert r[f"{spectra[0].name}/em"][i] == pytest.approx(float(t.em[0]), rel=1e-12)
    # ∫ dN/dφ dφ over a period = N_weak + N_em (the interference integrates to zero)
    total = np.trapezoid(r["dN_dphi"], r["phi"])
    assert total == pytest.approx(result.asymmetry["n_weak"] + result.asymmetry["n_em"], rel=1e-9)
    # the modulation peaks at φ = φ_B (n_int > 0 in the library's convention)
    assert abs(r["phi"][np.argmax(r["dN_dphi"])] - cfg.phi_B) < 2 * math.pi / (len(r["phi"]) - 1)


def test_fit_and_limits(result):
    cfg = result.config
    assert result.data.shape == (cfg.n_T, cfg.n_phi)
    p = result.mle.params
    assert bool(result.mle.converged)
    # the deterministic toy (seed 0) is fitted near the truth, within 4 Fisher σ
    assert abs(float(p["mu_1e11"]) - cfg.mu_1e11) < 4 * result.fisher_errors["mu_1e11"]
    assert abs(float(p["phi_B"]) - cfg.phi_B) < 4 * result.fisher_errors["phi_B"]
    # the MLE agrees with a fresh fit from another starting point
    again = fit_mle(result.model, result.data, free=("mu_1e11", "phi_B", "norm", "bkg_scale"),
                    init={"mu_1e11": 1.0, "phi_B": 0.0})
    assert float(again.params["mu_1e11"]) == pytest.approx(float(p["mu_1e11"]), rel=1e-4)
    # one-sided limits lie above the best fit; a 3e-11 μB signal is far above the no-signal reach
    assert result.profile_limit > float(p["mu_1e11"])
    assert 0 < result.expected_limit < cfg.mu_1e11
    assert result.credible_limit == pytest.approx(
        float(np.quantile(np.asarray(result.posterior.samples["mu_1e11"]), cfg.cl)))


def test_summary_and_outputs(result, tmp_path):
    s = study.summary_dict(result)
    json.dumps(s)  # JSON-ready
    assert s["mle_mu_1e11"] == pytest.approx(float(result.mle.params["mu_1e11"]))
    assert s["events_observed"] == pytest.approx(float(result.data.sum()))
    lam = expected(result.model, result.mle.params)
    assert float(np.sum(lam)) == pytest.approx(s["events_observed"], rel=0.05)
    assert s["nuts_chains"] == 1 and "total_s" in s
    paths = study.write_study(result, tmp_path)
    assert [p.name for p in paths] == list(study.OUTPUT_FILES)
    assert json.loads((tmp_path / "summary.json").read_text())["asymmetry_A"] == s["asymmetry_A"]
    for name in ("spectrum.png", "dndphi.png", "posterior.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(FileExistsError, match="summary.json"):
        study.write_study(result, tmp_path)
    (tmp_path / "summary.json").write_text("{}")
    study.write_study(result, tmp_path, force=True)
    assert json.loads((tmp_path / "summary.json").read_text())["asymmetry_A"] == s["asymmetry_A"]
    assert not list(tmp_path.glob(".*.tmp"))
