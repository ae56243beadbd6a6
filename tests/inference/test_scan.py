"""Sensitivity scans: physics against the Fisher/profile-likelihood code, chunking, resuming,
no retracing, grid validation (the ``[scan]`` configuration and plots: tests/app/test_app_scan.py)."""

import jax.numpy as jnp
import numpy as np
import pytest

from nujax.errors import ConfigError
from nujax.detector import preset
from nujax.inference import asimov_data, exclusion_sensitivity, q_tilde
from nujax.inference import scan as scan_mod
from nujax.inference.scan import TemplateSpec, parse_axes, scan
from nujax.inference.scan_store import load_scan_file
from nujax.sources.catalog import get_source

NUIS = ("norm", "bkg_scale")
#: (grid specification, key of the offending axis); also used by tests/app/test_app_scan.py
BAD_GRIDS = [
    ({"mu_1e11": []}, "mu_1e11"),
    ({"mu_1e11": [1.0, float("nan")]}, "mu_1e11"),
    ({"exposure": [1.0], "bogus": [1.0]}, "bogus"),
    ({"exposure": [2.0, 1.0]}, "exposure"),
    ({"exposure": [0.0, 1.0]}, "exposure"),
    ({"pe": [0.5, 1.5]}, "pe"),
    ({"exposure": {"logspace": [-1, 2, 10]}}, "exposure"),
    ({"exposure": {"linspace": [1, 2]}}, "exposure"),
    ({"anapole_1e32": [1.0]}, "anapole_1e32"),
]


@pytest.fixture(scope="module")
def spec():
    """A small HELLAZ pp analysis (seed 000's ν_e beam): 8 T × 6 φ bins (fast templates)."""
    return TemplateSpec(get_source("pp", oscillation=None), preset("hellaz", background=50.0),
                        np.linspace(0.1, 0.26, 9), np.linspace(0.0, 2 * np.pi, 7), pe=0.5,
                        norm_sigma=0.01, bkg_sigma=0.1, template_kw={"n_T": 4, "n_E": 12})


@pytest.fixture(scope="module")
def model(spec):
    return spec.build()


@pytest.fixture(scope="module")
def model_nodir(spec):
    s = TemplateSpec(spec.spectra, spec.detector, spec.T_edges, None, pe=0.5, norm_sigma=0.01,
                     bkg_sigma=0.1, template_kw=spec.template_kw)
    return s.build()


def test_limit_equals_exclusion_sensitivity(model, model_nodir):
    f, ph = np.array([0.5, 8.0]), np.array([0.0, 1.3])
    r = scan(model, {"exposure": f, "phi_B": ph}, quantity="limit", nuisances=NUIS)
    for i, j in ((0, 0), (1, 1)):
        ref = exclusion_sensitivity(model.scaled(f[i]), nuisances=NUIS, phi_B=ph[j])
        np.testing.assert_allclose(r.values[i, j], float(ref), rtol=1e-10)
    r = scan(model_nodir, {"exposure": f}, quantity="limit", nuisances=NUIS)
    ref = [float(exclusion_sensitivity(model_nodir.scaled(x), nuisances=NUIS)) for x in f]
    np.testing.assert_allclose(r.values, ref, rtol=1e-10)


def test_q_asimov_equals_profile_likelihood_fit(model):
    mu = np.array([0.5, 2.0, 6.0])
    r = scan(model, {"mu_1e11": mu}, fixed={"phi_B": 1.0}, nuisances=NUIS)
    q, _, ok = q_tilde(model, asimov_data(model, {"mu_1e11": 0.0}), jnp.asarray(mu),
                       nuisances=NUIS, fixed={"phi_B": 1.0})
    assert ok
    np.testing.assert_allclose(r.values, np.asarray(q), rtol=1e-6)
    # the exclusion contour q = Φ⁻¹(0.9)² sits near the Fisher limit (asymptotically equal)
    lim = float(exclusion_sensitivity(model, nuisances=NUIS, phi_B=1.0))
    r = scan(model, {"mu_1e11": [lim]}, fixed={"phi_B": 1.0}, nuisances=NUIS)
    assert abs(r.values[0] / scan_mod.Q90_ONE_SIDED - 1) < 0.05


def test_sensitivity_scales_with_exposure(model, model_nodir):
    """No systematics: Fisher info ∝ exposure, so μ_up ∝ E^(−1/2) (directional, linear POI) and
    ∝ E^(−1/4) without azimuth bins (POI μ²)."""
    f = np.array([1.0, 4.0, 16.0, 64.0])
    r = scan(model, {"exposure": f}, quantity="limit", nuisances=())
    np.testing.assert_allclose(r.values, r.values[0] * f ** -0.5, rtol=1e-10)
    r = scan(model_nodir, {"exposure": f}, quantity="limit", nuisances=())
    np.testing.assert_allclose(r.values, r.values[0] * f ** -0.25, rtol=1e-10)
    # q_A grows linearly with the exposure when nothing is profiled
    r = scan(model, {"mu_1e11": [2.0], "exposure": f}, nuisances=())
    np.testing.assert_allclose(r.values[0], r.values[0, 0] * f, rtol=1e-10)


def test_z_quantities(model, model_nodir):
    r = scan(model, {"mu_1e11": [0.0, 1.0, 3.0]}, quantity="z_discovery")
    assert r.values[0] == 0 and np.all(np.diff(r.values) > 0)
    za = scan(model, {"mu_1e11": [1.0, 3.0]}, quantity="z_asymmetry").values
    assert np.all(za > 0) and np.all(za <= r.values[1:] + 1e-12)
    with pytest.raises(ConfigError, match="azimuth"):
        scan(model_nodir, {"mu_1e11": [1.0]}, quantity="z_asymmetry")


def test_template_axes_and_sigma_phi(spec, model):
    thr = np.array([100.0, 130.0])
    r = scan(None, {"threshold_keV": thr, "pe": [0.3, 0.5]}, quantity="limit", spec=spec)
    for i, j in ((0, 0), (1, 1)):
        ref = exclusion_sensitivity(spec.build(threshold=thr[i] * 1e-3, pe=[0.3, 0.5][j]), nuisances=NUIS)
        np.testing.assert_allclose(r.values[i, j], float(ref), rtol=1e-9)
    # σ_φ is a cheap rescaling of the interference templates: equals rebuilding the detector
    import dataclasses
    det2 = dataclasses.replace(spec.detector, sigma_phi=0.5)
    ref = exclusion_sensitivity(dataclasses.replace(spec, detector=det2).build(), nuisances=NUIS)
    r = scan(model, {"sigma_phi": [0.5]}, quantity="limit", spec=spec)
    np.testing.assert_allclose(r.values[0], float(ref), rtol=1e-10)
    # absolute exposure axis: the spec's detector gives the reference (6 t·yr)
    r1 = scan(model, {"exposure_t_yr": [12.0]}, quantity="limit", spec=spec).values
    r2 = scan(model, {"exposure": [12.0 / float(spec.detector.exposure_t_yr)]}, quantity="limit").values
    np.testing.assert_array_equal(r1, r2)


def test_chunked_equals_unchunked(model):
    ax = {"mu_1e11": np.geomspace(0.3, 10, 7), "exposure": np.geomspace(0.5, 20, 5)}
    ref = scan(model, ax, chunk_size=10_000, batch_size=64).values
    for cs, bs in ((4, 2), (8, 3), (35, 35)):
        np.testing.assert_allclose(scan(model, ax, chunk_size=cs, batch_size=bs).values, ref,
                                   rtol=1e-13, atol=0)


def test_no_retracing_on_same_shape(model):
    ax = {"mu_1e11": np.linspace(0.5, 2.0, 4), "exposure": np.linspace(1.0, 2.0, 3)}
    scan(model, ax, chunk_size=5)
    n = scan_mod._TRACES[0]
    ax2 = {"mu_1e11": np.linspace(0.7, 3.0, 4), "exposure": np.linspace(2.0, 5.0, 3)}
    scan(model, ax2, chunk_size=5)
    scan(model.scaled(2.0), ax2, chunk_size=5)
    assert scan_mod._TRACES[0] == n


def test_float32(model):
    ax = {"mu_1e11": [0.5, 2.0], "exposure": [1.0, 10.0]}
    r64 = scan(model, ax).values
    r32 = scan(model, ax, dtype="float32").values
    assert r32.dtype == np.float32
    np.testing.assert_allclose(r32, r64, rtol=2e-4)


@pytest.mark.parametrize("axes,key", BAD_GRIDS)
def test_bad_grid_names_the_axis(axes, key):
    with pytest.raises(ConfigError) as err:
        parse_axes(axes)
    assert err.value.key == key


def test_bad_scan_requests(model):
    with pytest.raises(ConfigError) as err:
        scan(model, {"exposure": [1.0]}, quantity="q_asimov")          # no μ given
    assert err.value.key == "mu_1e11"
    with pytest.raises(ConfigError):
        scan(model, {"mu_1e11": [1.0]}, quantity="limit")
    with pytest.raises(ConfigError) as err:
        scan(model, {"threshold_keV": [100.0]}, quantity="limit")       # needs a TemplateSpec
    assert err.value.key == "threshold_keV"
    with pytest.raises(ConfigError):
        scan(model, {"mu_1e11": [1.0]}, nuisances=("bogus",))


def test_resume_after_interruption_gives_identical_file(model, tmp_path):
    ax = {"mu_1e11": np.geomspace(0.3, 10, 6), "exposure": np.geomspace(0.5, 20, 5)}
    full = scan(model, ax, chunk_size=7, out_path=tmp_path / "a.npz")

    def stop(i, n):
        if i == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan(model, ax, chunk_size=7, out_path=tmp_path / "b.npz", callback=stop)
    parts = tmp_path / "b.npz.parts"
    assert not (tmp_path / "b.npz").exists()
    assert sorted(p.name for p in parts.glob("chunk_*.npy")) == [f"chunk_{i:06d}.npy" for i in range(3)]
    seen = []
    res = scan(model, ax, chunk_size=7, out_path=tmp_path / "b.npz", callback=lambda i, n: seen.append(i))
    assert seen == [3, 4]                                              # only the missing chunks
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert not parts.exists()
    np.testing.assert_array_equal(res.values, full.values)
    values, axes, meta = load_scan_file(tmp_path / "b.npz")
    np.testing.assert_array_equal(values, full.values)
    assert list(axes) == ["mu_1e11", "exposure"] and meta["nujax_version"] and meta["device"]
    with pytest.raises(FileExistsError):
        scan(model, ax, chunk_size=7, out_path=tmp_path / "b.npz")
    # a partial run of a different scan is not silently mixed in
    with pytest.raises(KeyboardInterrupt):
        scan(model, ax, chunk_size=7, out_path=tmp_path / "c.npz", callback=stop)
    with pytest.raises(ValueError, match="different scan"):
        scan(model, ax, chunk_size=5, out_path=tmp_path / "c.npz")
    scan(model, ax, chunk_size=5, out_path=tmp_path / "c.npz", force=True)


def test_auto_chunk_size_follows_the_grid_and_the_time_target(model):
    ax = parse_axes({"mu_1e11": np.geomspace(0.3, 10, 40), "exposure": np.geomspace(0.5, 20, 25)})
    _, _, plan = scan_mod._prepare(model, ax, quantity="q_asimov", fixed=None, nuisances=NUIS,
                                   n_profile=4, cl=0.9, spec=None, batch_size=8, dtype=None,
                                   exposure_t_yr=None)
    big, per_point = scan_mod.auto_chunk_size(plan, ax, chunk_seconds=1e6)
    assert big == 1000 and per_point > 0                       # the whole grid in one chunk
    tiny, _ = scan_mod.auto_chunk_size(plan, ax, chunk_seconds=1e-9)
    assert tiny == 8                                           # one batch at least
    mid, per_point = scan_mod.auto_chunk_size(plan, ax, chunk_seconds=200 * per_point)
    assert mid % 25 == 0 and 25 <= mid <= 1000                 # whole rows of the last axis


def test_auto_chunks_resume_into_the_same_bytes(model, tmp_path):
    """An interrupted scan with automatic chunks resumes with its recorded chunking and writes the
    bytes of a scan chunked differently (the chunking is not part of the result)."""
    ax = {"mu_1e11": np.geomspace(0.3, 10, 6), "exposure": np.geomspace(0.5, 20, 5)}
    scan(model, ax, chunk_size=30, out_path=tmp_path / "a.npz")
    seen = []

    def stop(i, n):
        seen.append((i, n))
        if i == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan(model, ax, chunk_seconds=1e-9, batch_size=4, out_path=tmp_path / "b.npz", callback=stop)
    assert seen[0][1] == 8                                     # 30 points in chunks of 4
    checks = []
    scan(model, ax, chunk_seconds=100.0, batch_size=4, out_path=tmp_path / "b.npz",
         check=lambda n, s: checks.append((n, s)))
    assert checks == [(22, None)]                              # recorded chunking: no new probe
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_check_can_refuse_before_the_grid_runs(model, tmp_path):
    ax = {"mu_1e11": np.geomspace(0.3, 10, 6), "exposure": np.geomspace(0.5, 20, 5)}
    got = []

    def refuse(n, seconds):
        got.append((n, seconds))
        raise ValueError("too long")

    with pytest.raises(ValueError, match="too long"):
        scan(model, ax, out_path=tmp_path / "c.npz", check=refuse)
    assert got[0][0] == 30 and got[0][1] > 0
    assert not list((tmp_path / "c.npz.parts").glob("chunk_*.npy"))
