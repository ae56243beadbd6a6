"""Scenario configurations: schema validation, model building, Asimov injection–recovery and
physics checks of the nucleus (seed 002) and radiative (seed 004) templates."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest

from nujax.errors import ConfigError
from nujax.constants import HBARC2_MEV2_CM2, SIN2_THETA_W, YEAR_S
from nujax.inference import asimov_data, fit_mle
from nujax.app import build_scenario, load_config

FITS = Path(__file__).resolve().parents[2] / "fits"
NAMES = ("hellaz_pp", "cr51_source", "sry_source", "reactor_ge", "xenon_solar",
         "directional_nucleus", "radiative_reactor", "coherent_csi", "reactor_ge_cevns",
         "solar_b8_cevns_xenon")
_BUILT: dict = {}


def built(name):
    """Build each scenario once per test session."""
    if name not in _BUILT:
        _BUILT[name] = build_scenario(load_config(FITS / f"{name}.toml"))
    return _BUILT[name]


def test_every_config_is_listed():
    assert sorted(p.stem for p in FITS.glob("*.toml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_config_loads_and_builds(name):
    sc = built(name)
    m = sc.model
    assert sc.name == name and "mu_1e11" in sc.free
    assert m.weak.shape == (m.n_sources,) + tuple(m.bin_shape)
    assert float(np.sum(m.weak)) > 0 and float(np.sum(m.em)) > 0
    assert np.all(np.asarray(m.weak) >= 0) and np.all(np.asarray(m.em) >= 0)
    assert m.directional == (name == "hellaz_pp")
    if sc.meta["target"] != "electron":      # no interference for these beams (module docstring)
        assert not np.any(np.asarray(m.int_cos)) and not np.any(np.asarray(m.int_sin))


@pytest.mark.parametrize("name", NAMES)
def test_asimov_injection_recovery(name):
    sc = built(name)
    data = asimov_data(sc.model, sc.truth)
    init = {"mu_1e11": 1.3 * sc.truth["mu_1e11"], "phi_B": sc.truth["phi_B"] + 0.3}
    r = fit_mle(sc.model, data, free=sc.free, init=init, tol=1e-9, max_iter=2000, strict=True)
    for k in sc.free:
        np.testing.assert_allclose(np.asarray(r.params[k]), np.asarray(sc.truth[k], float),
                                   rtol=1e-6, atol=1e-6, err_msg=f"{name}: {k}")


# ---------------------------------------------------------------------------------------------
# validation: every problem names its key
# ---------------------------------------------------------------------------------------------
BASE = {"scenario": {"name": "t", "target": "electron"}, "source": [{"name": "pp"}],
        "detector": {"preset": "hellaz"}, "binning": {"T_keV": {"min": 100, "max": 260, "n": 4}}}


def _with(section, key, value):
    cfg = copy.deepcopy(BASE)
    if section == "source":
        cfg["source"][0][key] = value
    else:
        cfg.setdefault(section, {})[key] = value
    return cfg


@pytest.mark.parametrize("cfg, key", [
    (_with("detector", "treshold_keV", 50.0), "detector.treshold_keV"),
    (_with("detector", "mass_t", -1.0), "detector.mass_t"),
    (_with("detector", "live_time_yr", 0.0), "detector.live_time_yr"),
    (_with("truth", "pe", 1.5), "truth.pe"),
    (_with("source", "name", "8Li"), "source[0].name"),
    (_with("source", "distance_m", -2.0), "source[0].distance_m"),
    (_with("detector", "material", "unobtainium"), "detector.material"),
    (_with("detector", "preset", "kamland2"), "detector.preset"),
    (_with("detector", "threshold_keV", 300.0), "detector.threshold_keV"),
    (_with("fit", "free", ["mu_1e11", "mu3"]), "fit.free[1]"),
    (_with("fit", "cl", 1.0), "fit.cl"),
    (_with("binning", "phi_bins", 2.5), "binning.phi_bins"),
    (_with("nonsense", "x", 1), "nonsense"),
    ({**BASE, "scenario": {"target": "electron"}}, "scenario.name"),
    ({k: v for k, v in BASE.items() if k != "source"}, "source"),
])
def test_bad_config_names_the_key(cfg, key):
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert err.value.key == key
    assert str(err.value).startswith(f"{key}: ")


def test_unknown_key_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown key; known: .*threshold_keV"):
        load_config(_with("detector", "treshold_keV", 50.0))


def test_malformed_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario\nname = 'x'\n")
    with pytest.raises(ConfigError, match="invalid TOML") as err:
        load_config(bad)
    assert err.value.key == str(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_threshold_above_kinematic_endpoint_is_a_config_error():
    cfg = _with("binning", "T_keV", {"min": 300, "max": 500, "n": 4})   # pp: T_max = 261 keV
    with pytest.raises(ConfigError) as err:
        build_scenario(load_config(cfg))
    assert err.value.key == "detector.threshold_keV"


def test_defaults_and_on_off_background_constraint():
    cfg = load_config(FITS / "reactor_ge.toml")
    assert cfg["fit"]["cl"] == 0.9 and cfg["truth"]["eff_scale"] == 1.0
    sc = built("reactor_ge")
    r = cfg["detector"]["off_live_time_yr"] / cfg["detector"]["live_time_yr"]
    B = float(np.sum(sc.model.background))
    assert float(sc.model.bkg_sigma) == pytest.approx(1.0 / math.sqrt(r * B), rel=1e-12)
    raw = {"scenario": {"name": "x"}, "source": [{"name": "reactor", "distance_m": 30.0}],
           "detector": {"preset": "texono", "off_live_time_yr": 1.0},
           "binning": {"T_keV": {"min": 12, "max": 60, "n": 4}}, "fit": {"bkg_sigma": 0.1}}
    with pytest.raises(ConfigError) as err:
        load_config(raw)
    assert err.value.key == "detector.off_live_time_yr"
    assert load_config(cfg) == cfg                 # a validated config re-validates unchanged


# ---------------------------------------------------------------------------------------------
# physics: templates against the library cross sections
# ---------------------------------------------------------------------------------------------
def _nucleus_cfg(cos_bins=0):
    return {"scenario": {"name": "n", "target": "nucleus"},
            "source": [{"name": "pidar", "pot_per_s": 1e15, "distance_m": 20.0}],
            "detector": {"material": "argon", "mass_t": 1.0, "live_time_yr": 1.0, "threshold_keV": 5.0},
            "binning": {"T_keV": {"min": 5.0, "max": 160.0, "n": 6}, "cos_bins": cos_bins}}


def test_nucleus_templates_against_direct_integration():
    """Σ bins = N t Φ ∫dT ∫dEν λ 2π Ã (seed 002 eq. (15)), by an independent numpy quadrature."""
    from nujax.em import EMProperties
    from nujax.nuclei import get_nucleus
    from nujax.sources.catalog import get_source
    from nujax.state import SpinFlavorState
    from nujax.xsec.nucleus import numpy_nucleus_parts

    sc = build_scenario(load_config(_nucleus_cfg()))
    spectra = get_source("pidar", pot_per_s=1e15, distance_cm=2000.0)
    assert len(get_nucleus("Ar").isotopes) == 3                  # natural argon: ³⁶Ar, ³⁸Ar, ⁴⁰Ar
    n_per_t = 1e6 * 6.02214076e23 / 39.95
    T = np.linspace(5e-3, 0.16, 601)
    for s, (W, M) in enumerate(zip(np.asarray(sc.model.weak), np.asarray(sc.model.em))):
        spec = spectra[s]
        # each π-DAR spectrum scatters with its own flavor (the radiative weak charges differ)
        flavor = ("nue", "numu", "nutau")[int(np.argmax(np.asarray(spec.flavor_fractions)))]
        anti = bool(spec.antineutrino)
        state = (SpinFlavorState.right_handed(flavor + "bar", n=3) if anti
                 else SpinFlavorState.left_handed(flavor, n=3))
        if spec.line_energies.size:
            E, wE = np.asarray(spec.line_energies), np.asarray(spec.line_weights)
        else:
            E = np.linspace(float(spec.grid[0]), float(spec.grid[-1]), 1501)
            wE = np.asarray(spec.pdf(E)) * np.gradient(E)
        out = []
        for mu in (0.0, 1.0):
            props = EMProperties.create(mu=mu * np.eye(3), n=3)
            A = numpy_nucleus_parts(props, state, E[:, None], T[None, :], nucleus="Ar",
                                    flavor=flavor, antineutrino=anti).A
            out.append(np.trapezoid(2 * np.pi * (wE[:, None] * A).sum(0), T))
        scale = float(spec.flux) * HBARC2_MEV2_CM2 * n_per_t * YEAR_S    # abundances in A
        np.testing.assert_allclose(W.sum(), scale * out[0], rtol=2e-3)
        np.testing.assert_allclose(M.sum(), scale * (out[1] - out[0]), rtol=2e-3)


def test_nucleus_direction_bins_sum_to_the_energy_bins():
    a = build_scenario(load_config(_nucleus_cfg()))
    b = build_scenario(load_config(_nucleus_cfg(cos_bins=4)))
    np.testing.assert_allclose(np.asarray(b.model.weak).sum(-1), np.asarray(a.model.weak), rtol=2e-3)
    np.testing.assert_allclose(np.asarray(b.model.em).sum(-1), np.asarray(a.model.em), rtol=2e-3)
    np.testing.assert_allclose(np.asarray(b.model.background).sum(-1),
                               0.5 * np.asarray(a.model.background), rtol=1e-12)


def test_radiative_templates_against_sigma_region():
    """A ⁵¹Cr line source: Σ bins = N_e t Φ Σ_l w_l σ(E_l) with σ from sigma_region (seed 004)."""
    from nujax.sources.catalog import get_source
    from nujax.xsec.radiative_integrals import sigma_region

    cfg = {"scenario": {"name": "r", "target": "radiative"},
           "source": [{"name": "51Cr", "activity_mci": 1.0, "distance_m": 1.0}],
           "detector": {"material": "germanium", "mass_t": 1.0, "live_time_yr": 1.0,
                        "threshold_keV": 20.0, "photon_threshold_keV": 30.0},
           "binning": {"T_keV": {"min": 0.0, "max": 800.0, "n": 4}}}
    sc = build_scenario(load_config(cfg))
    spec = get_source("51Cr", activity_mci=1.0, distance_cm=100.0)[0]
    w = m = 0.0
    for E, wl in zip(np.asarray(spec.line_energies), np.asarray(spec.line_weights)):
        r = sigma_region(float(E), 1.0, x_range=(0.0, 1.0), flavor="nue", sin2w=SIN2_THETA_W,
                         eg_min=0.03, T_min=0.02, n_x=48, n_nu=48, n_omega=48)
        w, m = w + wl * float(r.weak), m + wl * float(r.magnetic)
    from nujax.detector import get_material
    scale = float(spec.flux) * HBARC2_MEV2_CM2 * get_material("germanium").electrons_per_tonne * YEAR_S
    np.testing.assert_allclose(float(np.sum(sc.model.weak)), scale * w, rtol=5e-3)
    np.testing.assert_allclose(float(np.sum(sc.model.em)), scale * m, rtol=5e-3)


def test_scan_sections_of_the_fits_configs_run(tmp_path):
    """The `[scan]` examples in fits/ validate, and a template axis (threshold) runs through the
    scenario's TemplateSpec: the expected limit worsens with threshold, improves with exposure."""
    from pathlib import Path

    from nujax.app.scan_run import run_scan_config
    from nujax.inference import exclusion_sensitivity

    root = Path(__file__).resolve().parents[2] / "fits"
    cfg = load_config(root / "xenon_solar.toml")
    assert set(cfg["scan"]["axes"]) == {"threshold_keV", "exposure"}
    assert "mu_1e11" in load_config(root / "hellaz_pp.toml")["scan"]["axes"]
    sc = build_scenario(cfg)
    thr0 = float(sc.meta["template_spec"].detector.threshold) * 1e3
    cfg["scan"]["axes"] = {"threshold_keV": [thr0, thr0 + 15.0], "exposure": [1.0, 4.0]}
    cfg["scan"]["plot"] = False
    res = run_scan_config(cfg, tmp_path / "x.npz", progress=False)
    v = np.asarray(res.values)
    assert v.shape == (2, 2) and np.all(v[1] > v[0]) and np.all(v[:, 1] < v[:, 0])
    ref = exclusion_sensitivity(sc.model, nuisances=tuple(cfg["scan"]["nuisances"]))
    assert v[0, 0] == pytest.approx(float(ref), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# EM entries ([fit] parameters) and π-DAR energy × time bins (fits/coherent_csi.toml)
# ---------------------------------------------------------------------------------------------
def test_coherent_csi_fits_the_charge_radii():
    """Asimov data with ⟨r²_ee⟩ = −20 ×10⁻³² cm² injected: the fit of (μ, ⟨r²_ee⟩, ⟨r²_μμ⟩ and the
    nuisances) returns it; the EM-entry counts equal the density-matrix rates at that point."""
    from nujax.em import EMProperties
    from nujax.rates import expected_counts_density_matrix
    from nujax.app.scenarios import make_config_detector, make_config_sources
    from nujax.sources.accelerator import pidar_time_fractions
    from nujax.targets import get_target

    sc = built("coherent_csi")
    assert sc.model.em_names == ("r2_ee", "r2_mumu") and {"r2_ee", "r2_mumu"} <= set(sc.free)
    assert sc.meta["units"]["r2_ee"] == "1e-32 cm2" and sc.model.bin_shape == (8, 4)
    truth = {**sc.truth, "r2_ee": -20.0}
    det = make_config_detector(sc.config["detector"])
    det = det.__class__(**{**det.__dict__, "background": 0.0 * det.background})
    spectra = [s for sp, _, _ in make_config_sources(sc.config["source"]) for s in sp]
    props = EMProperties.create(r2=np.diag([-20.0, 0.0, 0.0]), n=3)
    frac = np.asarray(pidar_time_fractions(sc.config["binning"]["time_bins_ns"]))
    ref = sum(np.asarray(expected_counts_density_matrix(
        s, det, sc.meta["T_edges_MeV"], [0.0, 2 * math.pi], props, None,
        target=get_target("nucleus")))[:, 0, None] * frac[i] for i, s in enumerate(spectra))
    lam = np.asarray(sc.model.expected({**truth, "mu_1e11": 0.0, "bkg_scale": 0.0}))
    np.testing.assert_allclose(lam, ref, rtol=1e-9, atol=1e-9 * ref.max())
    data = asimov_data(sc.model, truth)
    r = fit_mle(sc.model, data, free=sc.free, init=sc.truth, tol=1e-9, max_iter=2000, strict=True)
    assert float(r.params["r2_ee"]) == pytest.approx(-20.0, rel=1e-6)
    assert float(r.params["r2_mumu"]) == pytest.approx(0.0, abs=1e-5)


def test_time_bins_separate_the_flavor_charge_radii():
    """Fisher matrix of (⟨r²_ee⟩, ⟨r²_μμ⟩) with μ, norms and background profiled: the prompt
    (ν_μ only) and delayed (ν_e, ν̄_μ) time bins break the degeneracy of the energy-only fit.
    The time-summed model is the energy-only analysis of the same [t0, t_last] window."""
    import dataclasses

    from nujax.inference import fisher_matrix

    sc = built("coherent_csi")
    m = sc.model
    summed = dataclasses.replace(
        m, **{k: getattr(m, k).sum(axis=-1) for k in ("weak", "em", "int_cos", "int_sin",
                                                      "em_lin", "em_quad", "background")},
        bin_shape=m.bin_shape[:-1])

    def errors_and_correlation(model):
        F, labels = fisher_matrix(model, sc.truth, free=sc.free)
        C = np.linalg.inv(np.asarray(F))
        i, j = labels.index("r2_ee"), labels.index("r2_mumu")
        return math.sqrt(C[i, i]), math.sqrt(C[j, j]), C[i, j] / math.sqrt(C[i, i] * C[j, j])

    se_t, sm_t, rho_t = errors_and_correlation(m)
    se_e, sm_e, rho_e = errors_and_correlation(summed)
    assert abs(rho_t) < abs(rho_e) - 0.2         # measured: −0.51 with time bins
    assert se_t < se_e and sm_t < sm_e


@pytest.mark.parametrize("section, key, value, match", [
    ("fit", "parameters", ["r2_ee"], "must include 'mu'"),
    ("fit", "parameters", ["mu", "r2_ex"], r"fit.parameters\[1\]"),
    ("truth", "em", {"r2_ee": 1.0}, "truth.em.r2_ee"),
    ("truth", "em", {"r2_xx": 1.0}, "truth.em.r2_xx"),
    ("binning", "time_bins_ns", [0.0, 1000.0], "time bins need pulsed"),
])
def test_em_and_time_keys_are_validated(section, key, value, match):
    with pytest.raises(ConfigError, match=match):
        load_config(_with(section, key, value))


def test_em_entries_refuse_the_radiative_target_and_partial_polarisation():
    rad = {**BASE, "scenario": {"name": "t", "target": "radiative"},
           "detector": {"preset": "hellaz", "photon_threshold_keV": 10.0},
           "source": [{"name": "reactor"}], "fit": {"parameters": ["mu", "q_ee"]}}
    with pytest.raises(ConfigError, match="electron or nucleus"):
        load_config(rad)
    with pytest.raises(ConfigError, match="left-handed"):
        load_config({**BASE, "truth": {"pe": 0.5}, "fit": {"parameters": ["mu", "q_ee"]}})
    both = {**BASE, "source": [{"name": "pidar"}],
            "binning": {**BASE["binning"], "time_window_ns": [0.0, 1.0], "time_bins_ns": [0.0, 1.0]}}
    with pytest.raises(ConfigError, match="not both"):
        load_config(both)


def test_time_window_scales_prompt_line_and_delayed_continua_by_their_own_fractions():
    """A π-DAR time window keeps the prompt ν_μ line's fraction of the pulse-shaped arrival and
    the delayed Michel continua's fraction (nujax.sources.accelerator.pidar_time_fractions),
    matched by the spectrum's kind, not by its position in the tuple."""
    from nujax.app.scenarios import make_config_sources
    from nujax.sources.accelerator import pidar_time_fractions

    cfg = [{"name": "pidar", "norm_sigma": 0.1}]
    (full, _, _), = make_config_sources(cfg)
    (cut, _, _), = make_config_sources(cfg, time_window_ns=(0.0, 1000.0))
    fp, fd = (float(x) for x in pidar_time_fractions([0.0, 1000.0])[:2, 0])
    assert fp > 0.5 > fd > 0.0
    for a, b in zip(full, cut):
        f = fp if a.line_energies.shape[0] and a.grid.shape[0] == 0 else fd
        assert float(b.flux) == pytest.approx(float(a.flux) * f, rel=1e-12)
    assert sum(a.line_energies.shape[0] > 0 for a in full) == 1
