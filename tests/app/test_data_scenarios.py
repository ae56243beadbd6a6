"""Scenarios with [[background]] components and observed data files (``[scenario] data``)."""

import numpy as np
import pytest

from nujax.app.plots import plot_fit_residuals
from nujax.app.scenario_config import load_config
from nujax.app.scenarios import build_scenario
from nujax.data_io import ObservedSpectrum, write_spectrum_csv
from nujax.errors import ConfigError
from nujax.inference import asimov_data, fit_mle

TOML = """
[scenario]
name = "xe_components"
{data}

[[source]]
name = "pp"

[detector]
preset = "xenon_tpc"
background_per_t_yr_MeV = 0.0
smearing = false

[binning]
T_keV = {{ min = 5.0, max = 105.0, n = 10 }}

[[background]]
name = "pb214"
shape = "beta"
isotope = "Pb214"
rate_per_t_yr = 400.0
constraint = "gaussian"
sigma = 0.1

[[background]]
name = "xray"
shape = "gaussian"
mean_keV = 30.0
width_keV = 1.0
rate_per_t_yr = 30.0
constraint = "lognormal"
sigma = 0.5
float = ["mean"]

[truth]
mu_1e11 = 0.0
"""


def _write(tmp_path, data_line=""):
    p = tmp_path / "sc.toml"
    p.write_text(TOML.format(data=data_line))
    return p


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return build_scenario(load_config(_write(tmp_path_factory.mktemp("sc"))))


def test_background_tables_build_components(scenario):
    sc = scenario
    m = sc.model
    assert m.parameter_names()[-3:] == ("bkg_pb214", "bkg_xray", "bkg_xray_mean")
    assert sc.free[-3:] == ("bkg_pb214", "bkg_xray", "bkg_xray_mean")
    # the X-ray peak: 30/(t yr) × 1.16 t yr at 30 keV in the 25–35 keV bin (±5σ), no smearing
    assert float(m.templates[1][2]) == pytest.approx(30.0 * 1.16, rel=1e-6)
    assert sc.data is None
    # exposure scaling (run_fit's sensitivity curve) doubles every part, floated shapes too
    two, p = m.scaled(2.0), {"bkg_xray_mean": 0.031}
    np.testing.assert_allclose(two.expected(p), 2.0 * np.asarray(m.expected(p)), rtol=1e-12)


def test_data_file_replaces_the_toy(tmp_path, scenario):
    sc = scenario
    counts = np.round(np.asarray(asimov_data(sc.model, {"mu_1e11": 0.0, "bkg_xray": 1.5})))
    edges = sc.meta["T_edges_MeV"]
    write_spectrum_csv(ObservedSpectrum(edges, counts, 1.16 / 5.9, 1.16), tmp_path / "obs.csv")
    sc2 = build_scenario(load_config(_write(tmp_path, 'data = "obs.csv"')))
    np.testing.assert_array_equal(sc2.data, counts)
    r = fit_mle(sc2.model, sc2.data, free=sc2.free, tol=1e-6)
    assert bool(r.converged)
    assert float(r.params["bkg_xray"]) == pytest.approx(1.5, rel=0.15)   # rounded counts
    png = plot_fit_residuals(tmp_path / "fit.png", edges * 1e3, sc2.data,
                             sc2.model.expected(r.params), title="xe")
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("edit,key", [
    (lambda s: s.replace('isotope = "Pb214"', 'isotope = "U238"'), "background[0]"),
    (lambda s: s.replace('float = ["mean"]', 'float = ["slope"]'), "background[1].float[0]"),
    (lambda s: s.replace('name = "xray"', 'name = "pb214"'), "background[1].name"),
    (lambda s: s.replace("rate_per_t_yr = 30.0", "rate_per_t_yr = -1.0"), "background[1].rate_per_t_yr"),
])
def test_bad_background_tables_name_the_key(tmp_path, edit, key):
    p = tmp_path / "bad.toml"
    p.write_text(edit(TOML.format(data="")))
    with pytest.raises(ConfigError) as err:
        build_scenario(load_config(p))
    assert err.value.key == key


def test_bad_data_files_are_config_errors(tmp_path):
    edges = np.linspace(5.0, 105.0, 11) * 1e-3
    write_spectrum_csv(ObservedSpectrum(edges[:-1], np.ones(9), 0.2, 1.16), tmp_path / "few.csv")
    write_spectrum_csv(ObservedSpectrum(edges, np.ones(10), 0.2, 2.0), tmp_path / "expo.csv")
    (tmp_path / "broken.csv").write_text("E_lo_keV,E_hi_keV,counts\n5,15,-1\n")
    for name, why in (("few.csv", "bin edges"), ("expo.csv", "exposure"),
                      ("broken.csv", "broken.csv:2"), ("missing.csv", "cannot read")):
        with pytest.raises(ConfigError, match=why) as err:
            build_scenario(load_config(_write(tmp_path, f'data = "{name}"')))
        assert err.value.key == "scenario.data"


BIRKS_TOML = """
[scenario]
name = "birks"

[[source]]
name = "51Cr"
activity_mci = 5.0e6
distance_m = 8.0

[detector]
material = "pseudocumene"
mass_t = 100.0
live_time_yr = 1.0
threshold_keV = 150.0
background_per_t_yr_MeV = 1.0
quenching = "{q}"

[binning]
T_keV = {{ min = 150.0, max = 550.0, n = 8 }}
"""


def test_birks_quenching_from_toml(tmp_path):
    """``quenching = "birks:<kB>"``: the scenario's templates are the library's binned templates
    with the Birks detector (visible energy), and differ from the linear scale."""
    import math

    from nujax import rates
    from nujax.detector import make_detector
    from nujax.detector.quenching import birks_quenching
    from nujax.sources.catalog import get_source

    def build(q):
        (tmp_path / "b.toml").write_text(BIRKS_TOML.format(q=q))
        return build_scenario(load_config(tmp_path / "b.toml")).model

    model = build("birks:0.0115")
    det = make_detector("pseudocumene", mass_t=100.0, live_time_yr=1.0, threshold=0.15,
                        background=1.0, quenching=birks_quenching(0.0115))
    edges = np.linspace(0.15, 0.55, 9)
    direct = rates.binned_templates(get_source("51Cr", activity_mci=5.0e6, distance_cm=800.0),
                                    det, edges, target="electron")
    np.testing.assert_allclose(model.weak[0], 2 * math.pi * np.asarray(direct.weak), rtol=1e-10)
    np.testing.assert_allclose(model.em[0], 2 * math.pi * np.asarray(direct.em), rtol=1e-10)
    linear = build("birks:0.0").weak[0]
    # a quenched electron looks softer: the top visible-energy bins lose counts
    assert float(model.weak[0][-1]) < 0.9 * float(linear[-1])


@pytest.mark.parametrize("q,target,why", [
    ("birks", "nucleus", "set scenario.target = 'electron'"),
    ("lindhard:0.16", "electron", "set scenario.target = 'nucleus'"),
    ("birks:abc", "electron", "birks:<kB>"),
])
def test_quenching_must_match_the_target(tmp_path, q, target, why):
    p = tmp_path / "b.toml"
    p.write_text(BIRKS_TOML.format(q=q).replace('name = "birks"',
                                                 f'name = "b"\ntarget = "{target}"'))
    with pytest.raises(ConfigError, match=why) as err:
        load_config(p)
    assert err.value.key == "detector.quenching"


ONOFF_TOML = """
[scenario]
name = "onoff"
off_data = "{off}"

[[source]]
name = "pp"

[detector]
preset = "hellaz"
background_per_t_yr_MeV = 1000.0
{extra}

[binning]
T_keV = {{ min = 100.0, max = 260.0, n = 6 }}

[fit]
method = "cls"
exposure_factors = [1.0, 4.0]

[truth]
mu_1e11 = 0.0
"""


def _onoff_files(tmp_path, extra=""):
    """The ON/OFF scenario and an OFF spectrum taken over 3× the ON exposure (6 t yr)."""
    edges = np.linspace(0.1, 0.26, 7)
    off = np.round(3.0 * 1000.0 * 6.0 * np.diff(edges))          # 3 × the flat background
    write_spectrum_csv(ObservedSpectrum(edges, off, 3.0, 18.0), tmp_path / "off.csv")
    p = tmp_path / "onoff.toml"
    p.write_text(ONOFF_TOML.format(off="off.csv", extra=extra))
    return p, off


def test_off_data_runs_the_onoff_likelihood_end_to_end(tmp_path):
    """``[scenario] off_data``: the scenario's model is the ON/OFF likelihood with the OFF
    spectrum bin by bin and α = 6/18 t yr; ``nujax fit`` runs it (CLs and profile likelihood)
    and quotes the library's profile limit."""
    import jax

    from nujax.app import run_fit
    from nujax.inference import profile_upper_limit, toy_data
    from nujax.inference.onoff import OnOffModel

    p, off = _onoff_files(tmp_path)
    sc = build_scenario(load_config(p))
    m = sc.model
    assert isinstance(m, OnOffModel) and float(m.alpha) == pytest.approx(1.0 / 3.0, rel=1e-12)
    np.testing.assert_array_equal(np.asarray(m.off_counts), off)
    assert float(np.sum(m.base.background)) == 0.0            # the OFF spectrum is the background
    np.testing.assert_allclose(m.background, off / 3.0, rtol=1e-12)
    assert "bkg_scale" not in sc.free and sc.meta["off_alpha"] == pytest.approx(1.0 / 3.0)
    s = run_fit(load_config(p), tmp_path / "out", quick=True, progress=False, seed=2)
    assert s["off_data"].endswith("off.csv") and s["off_alpha"] == pytest.approx(1.0 / 3.0)
    assert s["counts_background"] == pytest.approx(off.sum() / 3.0, rel=1e-9)
    data = toy_data(jax.random.fold_in(jax.random.PRNGKey(2), 1), m, sc.truth)
    ref = profile_upper_limit(m, data, nuisances=tuple(k for k in sc.free if k != "mu_1e11"),
                              cl=0.9, mu_max=50.0, n_grid=25)
    assert s["limit_profile"] == pytest.approx(float(ref.limit), rel=1e-9)
    # [fit] method = "cls" on the ON/OFF likelihood (its own background-only Asimov data)
    assert s["limit_method"] == "cls" and 0.5 < s["limit_cls"] / s["limit_profile"] < 2.0
    assert 0 < s["limit_expected_fisher"] < 50.0


def _broken_off_file(text, d):
    (d / "off.csv").write_text("E_lo_keV,E_hi_keV,counts\n100,120,-3\n")
    return text


@pytest.mark.parametrize("edit,key,why", [
    (lambda t, d: t.replace('"off.csv"', '"nope.csv"'), "scenario.off_data", "cannot read"),
    (_broken_off_file, "scenario.off_data", "off.csv:2"),
    (lambda t, d: t.replace("n = 6", "n = 5"), "scenario.off_data", "bin edges"),
    (lambda t, d: t.replace("{extra}", "off_live_time_yr = 2.0"), "detector.off_live_time_yr",
     "off_data"),
    (lambda t, d: t.replace("exposure_factors", "bkg_sigma = 0.1\nexposure_factors"),
     "fit.bkg_sigma", "off_data"),
])
def test_bad_off_data_is_a_config_error(tmp_path, edit, key, why):
    p, _ = _onoff_files(tmp_path)
    text = ONOFF_TOML.replace("{off}", "off.csv")
    text = edit(text, tmp_path).replace("{extra}", "")
    p.write_text(text.replace("{{", "{").replace("}}", "}"))
    with pytest.raises(ConfigError, match=why) as err:
        build_scenario(load_config(p))
    assert err.value.key == key
