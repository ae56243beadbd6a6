"""Physics of the global fit's matrix modes on one tiny experiment: the mass basis and
Majorana transition moments, charge radii and millicharges (nujax.app.global_fit,
nujax.inference.joint).

The experiment is fits/reactor_ge.toml (reactor ν̄_e on germanium electrons, 28 m, ON/OFF) with
its 18 recoil bins cut to 4. Cost: two template builds (~10 s CPU each: the scenario and the exact
quadratic templates) and the compilation of the fits and limits, ~70 s CPU in all.
"""

import copy
from pathlib import Path

import numpy as np
import pytest

from nujax.app.global_fit import experiment_em_model, load_global_config
from nujax.app.scenario_config import load_config
from nujax.em import pmns
from nujax.errors import ConfigError
from nujax.inference import asimov_data
from nujax.inference.em_quadratic import em_profile_interval
from nujax.inference.joint import (entry_limits, fisher_entry_limits, joint_asimov, joint_mle,
                                   joint_model)

FITS = Path(__file__).resolve().parents[2] / "fits"
NUIS = ("norm", "bkg_scale")


def _reactor(parameters=("mu",)):
    cfg = copy.deepcopy(load_config(FITS / "reactor_ge.toml"))
    cfg["binning"]["T_keV"] = {"min": 10.0, "max": 100.0, "n": 4, "log": False}
    cfg["fit"]["parameters"] = list(parameters)
    return cfg


def _joint(cfg, entries, **kw):
    sc, m = experiment_em_model(cfg, entries, **kw)
    free = tuple(entries) + tuple(f"{sc.name}/{k}" for k in NUIS)
    return sc, joint_model({sc.name: m}, tuple(entries)), free


def _quad(jm, entry):
    """½ ∂²λ/∂entry² of the one experiment, (S, bins)."""
    base = getattr(jm.models[0], "base", jm.models[0])
    i = base.em_names.index(entry)
    return 0.5 * np.asarray(base.em_quad)[:, i, i]


@pytest.fixture(scope="module")
def flavor():
    """Dirac, flavor basis: μ_ee, ⟨r²⟩_ee and q_ee; the scenario also fits q_ee on its own."""
    entries = {"mu_ee": ("mu", 0, 0), "r2_ee": ("r2", 0, 0), "q_ee": ("millicharge", 0, 0)}
    return _joint(_reactor(("mu", "q_ee")), entries)


@pytest.mark.slow      # a second template build and an L-BFGS compile: ~20 s CPU
def test_mass_basis_majorana_moment_is_the_flavor_one_rotated_by_the_pmns_matrix(flavor):
    """A ν̄_e beam at 28 m sees μ²_eff = Σ_j |(μ_f)_je|² with μ_f the flavor-basis matrix (seed
    003 eq. (2), oscillation phases negligible). A Majorana mass-basis transition moment μ_12
    moves i(E_12 − E_21) (antisymmetric and, CP-conserving, imaginary: Giunti & Studenikin,
    RMP 87 (2015) 531, Sec. III) and turns into μ_f = U μ_m Uᵀ (nujax.em, basis change), so
    μ_f μ_f† = U μ_m μ_m† U† = μ_12² U (E_11 + E_22) U† and μ²_eff = (1 − |U_e3|²) μ_12²:
    its counts are those of the Dirac flavor-basis μ_ee = √(1 − |U_e3|²) μ_12, and its limit
    is the μ_ee one over √(1 − |U_e3|²). The Asimov MLE recovers an injected μ_12; diagonal
    Majorana μ, q_ν and ⟨r²⟩ entries are refused."""
    _, jf, free_f = flavor
    _, jm, free_m = _joint(_reactor(), {"mu_12": ("mu", 0, 1)}, basis="mass", majorana=True)
    f = 1.0 - abs(complex(np.asarray(pmns())[0, 2])) ** 2
    np.testing.assert_allclose(_quad(jm, "mu_12"), f * _quad(jf, "mu_ee"), rtol=1e-10)
    lim_m = fisher_entry_limits(jm, free_m)["mu_12"]
    lim_f = fisher_entry_limits(jf, ("mu_ee",) + free_f[3:])["mu_ee"]
    assert lim_m.upper == pytest.approx(lim_f.upper / np.sqrt(f), rel=1e-8)
    p, _, ok = joint_mle(jm, joint_asimov(jm, {"mu_12": 40.0}), free_m, init={"mu_12": 30.0})
    assert ok and abs(float(p["mu_12"])) == pytest.approx(40.0, rel=1e-4)
    base = {"name": "g", "experiments": [str(FITS / "reactor_ge.toml")], "majorana": True}
    for name, spec in (("q_tt", ["millicharge", 2, 2]), ("mu_mm", ["mu", 1, 1]), ("r2_ee", ["r2", 0, 0])):
        with pytest.raises(ConfigError, match="antisymmetric: no diagonal") as err:
            load_global_config({"global": {**base, "entries": {name: spec}}})
        assert err.value.key == f"global.entries.{name}"
    with pytest.raises(ConfigError, match=r'use \["anapole", 0, 0\]'):  # ν_L effect: the anapole
        load_global_config({"global": {**base, "entries": {"r2_ee": ["r2", 0, 0]}}})


def test_charge_radius_enters_linearly_and_its_interval_is_asymmetric(flavor):
    """⟨r²⟩ shifts the vector coupling (seed 002 eq. (14)): the counts have a term linear in it
    (interference with the weak amplitude) besides the quadratic one, so its Fisher forecast
    (the quartic q̃ of fisher_entry_limits) has different limits on the two sides, unlike the
    even μ_ee."""
    _, jf, free = flavor
    base = getattr(jf.models[0], "base", jf.models[0])
    lin = np.asarray(base.em_lin)
    assert np.max(np.abs(lin[:, base.em_names.index("r2_ee")])) > 0
    assert np.all(lin[:, base.em_names.index("mu_ee")] == 0)
    lims = fisher_entry_limits(jf, ("mu_ee", "r2_ee") + free[3:])
    r2 = lims["r2_ee"]
    assert r2.curvature[1] != 0 and abs(r2.upper + r2.lower) > 0.05 * r2.upper
    assert lims["mu_ee"].lower == -lims["mu_ee"].upper


@pytest.mark.slow      # two profile-limit engines compiled: ~20 s CPU
def test_millicharge_limit_equals_the_experiments_own_fit(flavor):
    """q_ee of the global fit on one experiment (μ_ee profiled, which a ν̄_e beam sees as its
    effective moment) equals the scenario's own fit of q_ee (`nujax fit` with [fit] parameters
    = ["mu", "q_ee"]: em_profile_interval, μ_eff profiled). The global limits are one-sided at
    cl on each side, the scenario's interval two-sided: Φ⁻¹(0.9) = Φ⁻¹((1 + 0.8)/2), so the
    scenario's 80 % interval is the global 90 % pair."""
    sc, jf, free = flavor
    fr = ("mu_ee", "q_ee") + free[3:]
    glob = entry_limits(jf, joint_asimov(jf), fr, entries=("q_ee",), mu_max=10.0,
                        n_grid=9)["q_ee"]
    own = em_profile_interval(sc.model, asimov_data(sc.model, {}), "q_ee",
                              nuisances=("mu_1e11",) + NUIS, cl=0.8)
    assert glob.upper == pytest.approx(own.upper, rel=2e-3)
    assert glob.lower == pytest.approx(own.lower, rel=2e-3)


def test_asimov_mle_recovers_injected_radius_and_millicharge(flavor):
    """⟨r²⟩_ee and q_ee injected together (each 3× its Fisher upper limit, opposite signs): the
    joint MLE on the Asimov data returns both, signs included (the linear terms fix them)."""
    _, jf, free = flavor
    fr = ("r2_ee", "q_ee") + free[3:]
    lims = fisher_entry_limits(jf, fr)
    truth = {"r2_ee": -3.0 * lims["r2_ee"].upper, "q_ee": 3.0 * lims["q_ee"].upper}
    p, _, ok = joint_mle(jf, joint_asimov(jf, truth), fr,
                         init={k: 0.8 * v for k, v in truth.items()})
    assert ok
    for k, v in truth.items():
        assert float(p[k]) == pytest.approx(v, rel=1e-4)
