"""The ``[scan]`` section of a scenario configuration and its driver (``nujax scan``).

The scan engine (:func:`nujax.inference.scan.scan`, :func:`~nujax.inference.scan.parse_axes`)
and its chunked, resumable storage stay in the inference layer; this module validates the TOML
section with the schema engine :mod:`nujax.app.config`, builds the scenario and runs the scan.

>>> validate_scan_section({"axes": {"mu_1e11": {"linspace": [1.0, 3.0, 3]}}})["axes"]
{'mu_1e11': [1.0, 2.0, 3.0]}
"""

from __future__ import annotations

from pathlib import Path

from nujax.app.config import REQUIRED, boolean, either, number, string, validate_section
from nujax.errors import ConfigError

__all__ = ["SCAN_SCHEMA", "validate_scan_section", "run_scan_config"]


def _axes(key, v):
    from nujax.inference.scan import parse_axes

    return {k: a.tolist() for k, a in parse_axes(v, prefix=f"{key}.").items()}


def _fixed(key, v):
    from nujax.inference.scan import parse_axes

    if not isinstance(v, dict):
        raise ConfigError(key, "must be a table of name = number")
    out = {k: number()(f"{key}.{k}", x) for k, x in v.items()}
    if out:
        parse_axes({k: [x] for k, x in out.items()}, prefix=f"{key}.")     # known names, domains
    return out


def _quantity(key, v):
    from nujax.inference.scan import QUANTITIES

    if v not in QUANTITIES:
        raise ConfigError(key, f"unknown quantity {v!r}; known: {', '.join(QUANTITIES)}")
    return v


def _nuisances(key, v):
    from nujax.inference.scan import NUISANCES

    if not isinstance(v, (list, tuple)) or any(x not in NUISANCES for x in v):
        raise ConfigError(key, f"must be a list drawn from {', '.join(NUISANCES)}, got {v!r}")
    return list(v)


#: Schema of the ``[scan]`` section (:mod:`nujax.app.config`): key -> (checker, default).
SCAN_SCHEMA = {
    "quantity": (_quantity, "q_asimov"), "axes": (_axes, REQUIRED), "fixed": (_fixed, {}),
    "nuisances": (_nuisances, ["norm", "bkg_scale"]),
    "n_profile": (number(0, integer=True), 4),
    "cl": (number(0.0, 1.0, lo_open=True, hi_open=True), 0.9),
    "batch_size": (either(None, number(1, integer=True)), None),
    "chunk_size": (number(1, integer=True), 65536),
    "dtype": (string(("float64", "float32")), "float64"),
    "sharded": (boolean, False), "plot": (boolean, True),
}


def validate_scan_section(section: dict) -> dict:
    """Validate the ``[scan]`` section of a configuration; returns it with defaults filled in.

    Keys: ``quantity`` (one of :data:`nujax.inference.scan.QUANTITIES`), ``axes`` (table:
    name -> list or {linspace|logspace = [lo, hi, n]}), ``fixed`` (table: name -> number),
    ``nuisances`` (list drawn from :data:`nujax.inference.scan.NUISANCES`), ``n_profile``
    (int ≥ 0), ``cl`` (in (0, 1)), ``batch_size`` (int ≥ 1, default per platform),
    ``chunk_size`` (int ≥ 1), ``dtype`` ("float64"/"float32"), ``sharded``, ``plot`` (bool).
    Axes are expanded to lists of floats.

    Raises
    ------
    ConfigError
        With a key prefixed ``"scan."`` naming the offending entry.
    """
    return validate_section("scan", section, SCAN_SCHEMA)


def run_scan_config(cfg: dict, out_path, *, force=False, progress=True):
    """Run the ``[scan]`` section of a validated configuration (:func:`nujax.app.load_config`).

    The scenario is built with :func:`nujax.app.scenarios.build_scenario`; its ``truth``
    supplies the values of ``mu_1e11``/``phi_B`` that are neither scanned nor fixed, and a
    ``meta["template_spec"]`` (:class:`nujax.inference.scan.TemplateSpec`), when present,
    enables the template axes (threshold, Pe, σ_φ).

    Parameters
    ----------
    cfg : dict
        Full validated configuration with a ``scan`` table.
    out_path : path-like
        Result file ``*.npz``, or a folder (the result is ``<folder>/scan.npz``). With
        ``plot = true`` and two or more axes a contour plot ``<result>.png`` is written too.
    force : bool
        Redo a finished scan (otherwise ``FileExistsError``); discard a mismatched partial run.
    progress : bool
        Progress bar.

    Returns
    -------
    nujax.inference.scan.ScanResult
    """
    import jax

    from nujax.app.scenarios import build_scenario
    from nujax.inference.scan import scan

    if "scan" not in cfg:
        raise ConfigError("scan", "the configuration has no [scan] section")
    sc = validate_scan_section(cfg["scan"])
    out = Path(out_path)
    if out.suffix != ".npz":
        out = out / "scan.npz"
    scen = build_scenario(cfg)
    fixed = dict(sc["fixed"])
    for k in ("mu_1e11", "phi_B"):
        if k not in sc["axes"] and k not in fixed and k in scen.truth:
            if k == "phi_B" or sc["quantity"] != "limit":
                fixed[k] = float(scen.truth[k])
    if sc["dtype"] == "float64" and not jax.config.jax_enable_x64:
        raise ConfigError("scan.dtype", "float64 needs nujax.enable_x64() before the scan")
    spec = scen.meta.get("template_spec")
    expo = scen.meta.get("exposure_t_yr") if spec is None else None
    res = scan(scen.model, sc["axes"], quantity=sc["quantity"], fixed=fixed,
               nuisances=tuple(sc["nuisances"]), n_profile=sc["n_profile"], cl=sc["cl"],
               spec=spec, exposure_t_yr=expo, batch_size=sc["batch_size"],
               chunk_size=sc["chunk_size"], sharded=sc["sharded"], dtype=sc["dtype"],
               out_path=out, force=force, progress=progress,
               meta={"scenario": scen.name, "config": cfg})
    if sc["plot"] and len(res.axes) >= 2:
        from nujax.app.plots import plot_scan

        plot_scan(res, out.with_suffix(".png"))
    return res
