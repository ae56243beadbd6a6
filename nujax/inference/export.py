"""Labelled result files: limits, fit summaries and scans as xarray Datasets in netCDF.

Every Dataset has named dimensions with ``units`` attributes, and the attributes
``nujax_version`` and ``config`` (the configuration text, JSON or TOML, that produced it), so a
file read back with ``xarray.open_dataset`` (or ``arviz``) says what it holds. Files are written
atomically (temporary file and rename) with the h5netcdf engine (netCDF-4). NUTS posteriors
are arviz ``InferenceData`` (:func:`nujax.inference.save_netcdf`).

Where ``.npz`` stays: the scan engine's chunk store (:mod:`nujax.inference.scan_store`) keeps one
``.npy`` per finished chunk and one deterministic ``.npz`` (fixed member time stamps, so a
resumed scan gives the same bytes, which netCDF/HDF5 files with their internal time stamps and
B-tree layout do not promise); :func:`scan_to_dataset` / :func:`write_scan_netcdf` turn that
result into a labelled netCDF file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from nujax._io import atomic_path

__all__ = ["axis_units", "limit_to_dataset", "summary_to_dataset", "scan_to_dataset",
           "write_netcdf", "write_scan_netcdf"]

_MU_UNIT = "1e-11 mu_B"
#: Units of parameter and axis names without a unit suffix.
_NAMED_UNITS = {"mu_1e11": _MU_UNIT, "mu2": f"({_MU_UNIT})^2", "phi_B": "rad", "pe": "1",
                "norm": "1", "eff_scale": "1", "bkg_scale": "1", "exposure": "1", "cl": "1"}
_SUFFIX_UNITS = {"keV": "keV", "MeV": "MeV", "m": "m", "t": "t", "yr": "yr", "rad": "rad",
                 "1e11": _MU_UNIT, "t_yr": "t yr", "mci": "mCi", "bq": "Bq", "gw": "GW",
                 "kpc": "kpc", "cm2_s": "cm^-2 s^-1", "fm": "fm"}


def axis_units(name: str) -> str:
    """Units of a parameter or axis name: known names, else the unit suffix of the name
    (``threshold_keV`` → keV, ``exposure_t_yr`` → t yr), else "1".

    >>> axis_units("mu_1e11"), axis_units("threshold_keV"), axis_units("exposure_t_yr")
    ('1e-11 mu_B', 'keV', 't yr')
    """
    if name in _NAMED_UNITS:
        return _NAMED_UNITS[name]
    for suffix in sorted(_SUFFIX_UNITS, key=len, reverse=True):
        if re.search(rf"_{re.escape(suffix)}$", name):
            return _SUFFIX_UNITS[suffix]
    return "1"


def _attrs(config):
    from nujax import __version__

    if config is None:
        text = ""
    elif isinstance(config, str):
        text = config
    else:
        text = json.dumps(config, sort_keys=True, default=str)
    return {"nujax_version": __version__, "config": text}


_STATISTIC = {"profile": ("q_tilde", "profile likelihood ratio q~ (Cowan et al. 2011 eq. 16)"),
              "delta_chi2": ("delta_chi2", "signed delta chi^2 = 2 [nll(mu) - nll(mu_hat)]"),
              "cls": ("CLs", "CLs = CL_s+b / CL_b (asymptotic)"),
              "profile_toys": ("t_minus_t_c", "q~_obs - toy critical value"),
              "feldman_cousins": ("t_minus_t_c", "t_obs - toy critical value (Feldman-Cousins)"),
              "bayes_flat_mu": ("posterior_cdf", "posterior P(|mu| < x), prior flat in |mu|"),
              "bayes_flat_mu2": ("posterior_cdf", "posterior P(|mu| < x), prior flat in mu^2")}


def limit_to_dataset(result, *, config=None):
    """An :class:`~nujax.inference.UpperLimit` as a Dataset.

    Dimension ``mu`` [10⁻¹¹ μ_B] (the method's grid) with the statistic named after the method
    (q̃, Δχ², CLs, posterior CDF …); scalars ``limit``, ``limit_mu2``, ``mu_hat``; dimension
    ``failed`` with the diagnostics of failed fits; attributes ``method``, ``cl``,
    ``converged``, ``note``, ``nujax_version``, ``config``.
    """
    import xarray as xr

    name, long = _STATISTIC.get(result.method, ("statistic", result.method))
    f = result.failed
    ds = xr.Dataset(
        {name: ("mu", np.asarray(result.q, float), {"long_name": long, "units": "1"}),
         "limit": ((), float(result.limit), {"units": _MU_UNIT,
                                             "long_name": f"{result.cl:g} upper limit on |mu|"}),
         "limit_mu2": ((), float(result.limit) ** 2, {"units": f"({_MU_UNIT})^2"}),
         "mu_hat": ((), float(result.mu_hat), {"units": _MU_UNIT, "long_name": "best fit |mu|"}),
         "failed_mu": ("failed", np.asarray([x.mu for x in f], float), {"units": _MU_UNIT}),
         "failed_nll": ("failed", np.asarray([x.nll for x in f], float), {"units": "1"}),
         "failed_grad_norm": ("failed", np.asarray([x.grad_norm for x in f], float),
                              {"units": "1"}),
         "failed_n_iter": ("failed", np.asarray([x.n_iter for x in f], np.int64), {"units": "1"})},
        coords={"mu": ("mu", np.asarray(result.grid, float),
                       {"units": _MU_UNIT, "long_name": "|mu_nu| tested"})},
        attrs={**_attrs(config), "method": result.method, "cl": float(result.cl),
               "converged": int(bool(result.converged)), "note": result.note})
    return ds


def summary_to_dataset(summary: dict, *, config=None):
    """The flat summary of ``nujax fit`` (:func:`nujax.app.fit.run_fit`) as a Dataset of
    scalars: numbers become variables (units from their names, :func:`axis_units`; limits, MLEs
    and errors of μ in 10⁻¹¹ μ_B, times in s), strings and flags become attributes."""
    import xarray as xr

    data, attrs = {}, {}
    for k, v in summary.items():
        if isinstance(v, bool) or isinstance(v, str) or v is None:
            attrs[k] = "" if v is None else (int(v) if isinstance(v, bool) else v)
            continue
        if k.startswith(("limit", "mle_mu", "err_mu", "truth_mu", "asimov_mu", "nuts_mu")):
            unit = _MU_UNIT
        elif k.startswith("time_") and k.endswith("_s"):
            unit = "s"
        elif k.startswith("counts"):
            unit = "counts"
        else:
            unit = axis_units(k)
        data[k] = ((), float(v), {"units": unit})
    return xr.Dataset(data, attrs={**_attrs(config), **attrs})


def scan_to_dataset(values, axes: dict, meta: dict):
    """A scan result (:func:`nujax.inference.scan_store.load_scan_file` or a
    :class:`~nujax.inference.ScanResult`'s fields) as a Dataset: the quantity named by
    ``meta["quantity"]`` on the named axes, each with its units; ``meta`` (JSON) and the nujax
    version in the attributes."""
    import xarray as xr

    names = list(axes)
    coords = {k: (k, np.asarray(v), {"units": axis_units(k)}) for k, v in axes.items()}
    q = str(meta.get("quantity", "values"))
    unit = _MU_UNIT if q == "limit" else "1"       # q_asimov, z_discovery, z_asymmetry: pure
    ds = xr.Dataset({q: (names, np.asarray(values), {"units": unit})}, coords=coords,
                    attrs=_attrs(meta))
    ds.attrs["nujax_version"] = str(meta.get("nujax_version", ds.attrs["nujax_version"]))
    return ds


def write_netcdf(ds, path: str | os.PathLike) -> Path:
    """Write a Dataset to netCDF-4 (h5netcdf engine) atomically; returns the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
    return path


def write_scan_netcdf(scan_file: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Convert a finished scan result file (``.npz``) to a labelled netCDF file."""
    from nujax.inference.scan_store import load_scan_file

    return write_netcdf(scan_to_dataset(*load_scan_file(scan_file)), path)
