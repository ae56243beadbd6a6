"""Export of a binned nujax model as a HistFactory JSON workspace (pyhf).

The φ-integrated model (azimuth bins summed; the interference integrates to zero over the full
azimuth, seed 000 eq. (12)) becomes one channel with, per source s, a weak sample W_s and a
magnetic sample M_s (counts per (10⁻¹¹ μ_B)², scaled by the normfactor ``mu2`` = μ², the
parameter of interest), and a background sample. The nuisances of nujax become modifiers:

``norm`` (per source, width σ_s)   on W_s and M_s; ``eff_scale`` (σ_ε): ``lumi`` on every signal
sample (HistFactory's linear, Gaussian-constrained normalisation); ``bkg_scale`` (σ_b) on the
background; a nuisance with no constraint (width 0, or ``bkg_sigma=None``) becomes a free
``normfactor``.

Constrained normalisations are written, by default, as ``histosys`` modifiers with
hi/lo = (1 ± σ) × nominal: pyhf interpolates histosys piecewise linearly (code 0), which is
exactly nujax's linear scale with a Gaussian auxiliary measurement, so the two likelihoods are
identical. ``norm_modifier="normsys"`` writes HistFactory's conventional ``normsys`` instead
(exponential interpolation, equal to nujax's to O(σ²)). There is no ``staterror``: the nujax
templates come from quadrature, not from Monte Carlo samples with statistical uncertainties.

pyhf is an optional dependency (the ``test`` extra): only :func:`pyhf_workspace` imports it.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from nujax._io import atomic_path
from nujax.inference.binned import BinnedModel
from nujax.inference.limits import poi_scale
from nujax.inference.parameters import split_observation

__all__ = ["to_pyhf_spec", "write_pyhf_workspace", "pyhf_workspace", "POI_NAME"]

#: Name of the parameter of interest in the workspace: μ² in (10⁻¹¹ μ_B)².
POI_NAME = "mu2"
_NUISANCES = ("norm", "eff_scale", "bkg_scale")


def _flat(x, directional):
    a = np.asarray(x, float)
    return (a.sum(axis=-1) if directional else a).reshape(-1)


def _scale_modifier(name, sigma, kind, nominal):
    """Modifier of a multiplicative scale with relative Gaussian width ``sigma`` (0: free)."""
    if sigma <= 0:
        return {"name": name, "type": "normfactor", "data": None}
    if kind == "normsys":
        return {"name": name, "type": "normsys", "data": {"hi": 1.0 + sigma, "lo": 1.0 - sigma}}
    return {"name": name, "type": "histosys",
            "data": {"hi_data": list((1.0 + sigma) * nominal),
                     "lo_data": list((1.0 - sigma) * nominal)}}


def to_pyhf_spec(model: BinnedModel, data, *, nuisances=("norm", "eff_scale", "bkg_scale"),
                 norm_modifier="histosys", channel="nujax", mu2_max=None) -> dict:
    """HistFactory workspace specification (a JSON-ready dict) of ``model`` and observed ``data``.

    Parameters
    ----------
    model : BinnedModel
        A binned μ model (no quadratic EM parameters); Pe is fixed at the templates' value.
    data : array ``model.bin_shape`` or Observation with nominal auxiliary values
        Observed counts (summed over azimuth bins for a directional model).
    nuisances : tuple of str
        Which of ``norm``, ``eff_scale``, ``bkg_scale`` get modifiers (the others stay at 1).
    norm_modifier : {"histosys", "normsys"}
        How constrained normalisations are written (see the module docstring).
    channel : str
        Channel and observation name.
    mu2_max : float, optional
        Upper bound of ``mu2`` [(10⁻¹¹ μ_B)²] (default: 100 × the μ² at which the magnetic
        counts equal √N₀, :func:`~nujax.inference.limits.poi_scale`).

    Raises
    ------
    TypeError
        Not a :class:`~nujax.inference.BinnedModel`.
    ValueError
        A quadratic EM model, unknown nuisances or modifier kind, auxiliary measurements away
        from their nominal values (a HistFactory workspace carries nominal auxiliary data).
    """
    if not isinstance(model, BinnedModel):
        raise TypeError(f"model must be a BinnedModel, got {type(model).__name__}")
    if model.em_names:
        raise ValueError("quadratic EM models have no single mu2 parameter; export a mu model")
    bad = [k for k in nuisances if k not in _NUISANCES]
    if bad:
        raise ValueError(f"nuisances must be among {_NUISANCES}, got {bad}")
    if norm_modifier not in ("histosys", "normsys"):
        raise ValueError(f"norm_modifier must be 'histosys' or 'normsys', got {norm_modifier!r}")
    model.check_data(data)
    counts, aux = split_observation(data)
    for k, v in (aux or {}).items():
        if not np.allclose(np.asarray(v, float), 1.0):
            raise ValueError(f"auxiliary measurement {k!r} = {v!r} is not nominal; a HistFactory "
                             "workspace carries nominal auxiliary data")
    d = model.directional
    eff_sigma = float(model.eff_sigma)
    samples = []
    for i, src in enumerate(model.source_names):
        ns = float(np.asarray(model.norm_sigma)[i])
        for kind, tpl in (("weak", model.weak[i]), ("magnetic", model.em[i])):
            nominal = _flat(tpl, d)
            poi = {"name": POI_NAME, "type": "normfactor", "data": None}
            mods = [poi] if kind == "magnetic" else []
            if "norm" in nuisances:
                mods.append(_scale_modifier(f"norm_{src}", ns, norm_modifier, nominal))
            if "eff_scale" in nuisances:
                mods.append({"name": "lumi", "type": "lumi", "data": None} if eff_sigma > 0
                            else {"name": "eff_scale", "type": "normfactor", "data": None})
            samples.append({"name": f"{kind}_{src}", "data": list(nominal), "modifiers": mods})
    bkg = _flat(model.background, d)
    if np.any(bkg > 0):
        mods = []
        if "bkg_scale" in nuisances:
            sb = float(model.bkg_sigma) if model.bkg_constrained else 0.0
            mods.append(_scale_modifier("bkg_scale", sb, norm_modifier, bkg))
        samples.append({"name": "background", "data": list(bkg), "modifiers": mods})
    s = poi_scale(model)
    hi = float(mu2_max) if mu2_max is not None else 100.0 * s * s
    if not (hi > 0 and math.isfinite(hi)):
        raise ValueError(f"mu2_max must be finite and > 0, got {mu2_max!r}")
    params = [{"name": POI_NAME, "bounds": [[0.0, hi]], "inits": [min(1.0, hi / 100)]}]
    if "eff_scale" in nuisances and eff_sigma > 0:
        params.append({"name": "lumi", "auxdata": [1.0], "sigmas": [eff_sigma],
                       "bounds": [[max(1.0 - 10 * eff_sigma, 0.0), 1.0 + 10 * eff_sigma]],
                       "inits": [1.0]})
    return {"channels": [{"name": channel, "samples": samples}],
            "observations": [{"name": channel, "data": list(_flat(counts, d))}],
            "measurements": [{"name": f"{channel}_mu2", "config": {"poi": POI_NAME,
                                                                  "parameters": params}}],
            "version": "1.0.0"}


def write_pyhf_workspace(path: str | os.PathLike, model: BinnedModel, data, **kw):
    """Write :func:`to_pyhf_spec` as a JSON file atomically; returns the path."""
    spec = to_pyhf_spec(model, data, **kw)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return path


def pyhf_workspace(spec_or_path):
    """A ``pyhf.Workspace`` from a specification dict or a JSON file (validated by pyhf).

    Raises
    ------
    ImportError
        pyhf is not installed (``pip install pyhf`` or nujax's ``test`` extra).
    """
    try:
        import pyhf
    except ImportError as err:          # optional dependency
        raise ImportError("pyhf_workspace needs pyhf: pip install pyhf "
                          "(or nujax[test])") from err
    if not isinstance(spec_or_path, dict):
        with open(os.fspath(spec_or_path), encoding="utf-8") as fh:
            spec_or_path = json.load(fh)
    return pyhf.Workspace(spec_or_path)
