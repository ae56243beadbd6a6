"""Labelled netCDF outputs: limits, fit summaries and scans read back with xarray."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

import nujax
from nujax.inference import FitDiagnostics, UpperLimit
from nujax.inference.export import (axis_units, limit_to_dataset, scan_to_dataset,
                                    summary_to_dataset, write_netcdf, write_scan_netcdf)
from nujax.inference.scan_store import write_npz_deterministic


def _limit():
    grid = np.linspace(0.0, 4.0, 5)
    return UpperLimit(2.5, 0.3, grid, grid ** 2 / 4, False, "1 of 5 grid fits failed", "cls", 0.9,
                      (FitDiagnostics(3.0, float("nan"), 0.2, 500),))


def test_limit_round_trip(tmp_path):
    cfg = {"fit": {"method": "cls", "cl": 0.9}}
    path = write_netcdf(limit_to_dataset(_limit(), config=cfg), tmp_path / "limit.nc")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds.attrs["method"] == "cls" and ds.attrs["cl"] == 0.9 and ds.attrs["converged"] == 0
        assert ds.attrs["nujax_version"] == nujax.__version__
        assert json.loads(ds.attrs["config"]) == cfg
        assert ds["mu"].attrs["units"] == "1e-11 mu_B" and ds["CLs"].dims == ("mu",)
        np.testing.assert_array_equal(ds["mu"].values, np.linspace(0.0, 4.0, 5))
        assert float(ds["limit"]) == 2.5 and float(ds["limit_mu2"]) == 6.25
        assert float(ds["failed_mu"][0]) == 3.0 and int(ds["failed_n_iter"][0]) == 500
    assert not list(tmp_path.glob(".*.tmp"))          # atomic: no temporary file left


def test_summary_and_scan(tmp_path):
    ds = summary_to_dataset({"limit_profile": 3.2, "time_total_s": 1.5, "mle_converged": True,
                             "scenario": "x", "counts_total": 10.0, "limit_cls": None})
    assert ds["limit_profile"].attrs["units"] == "1e-11 mu_B" and ds["time_total_s"].attrs["units"] == "s"
    assert ds.attrs["scenario"] == "x" and ds.attrs["mle_converged"] == 1
    axes = {"mu_1e11": np.array([1.0, 2.0]), "threshold_keV": np.array([100.0, 150.0, 200.0])}
    meta = {"quantity": "q_asimov", "axis_names": list(axes), "nujax_version": "9.9"}
    vals = np.arange(6.0).reshape(2, 3)
    arrays = {"values": vals, "meta": np.asarray(json.dumps(meta))}
    arrays.update({f"axis__{k}": v for k, v in axes.items()})
    npz = write_npz_deterministic(tmp_path / "scan.npz", arrays)
    with xr.open_dataset(write_scan_netcdf(npz, tmp_path / "scan.nc"), engine="h5netcdf") as s:
        assert s["q_asimov"].dims == ("mu_1e11", "threshold_keV")
        assert s["threshold_keV"].attrs["units"] == "keV" and s.attrs["nujax_version"] == "9.9"
        np.testing.assert_array_equal(s["q_asimov"].values, vals)
    assert scan_to_dataset(vals, axes, {**meta, "quantity": "limit"})["limit"].attrs["units"] == "1e-11 mu_B"


@pytest.mark.parametrize("name,unit", [("mu2", "(1e-11 mu_B)^2"), ("phi_B", "rad"),
                                       ("live_time_yr", "yr"), ("whatever", "1")])
def test_axis_units(name, unit):
    assert axis_units(name) == unit
