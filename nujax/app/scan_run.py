"""The scan driver of ``nujax scan``: build the scenario of a configuration, run its ``[scan]``.

The section is validated by :mod:`nujax.app.scan_config`; the grid is evaluated by the engine
:func:`nujax.inference.scan.scan` (chunked, resumable); a contour plot is written by
:func:`nujax.app.plots.plot_scan`.
"""

from __future__ import annotations

from pathlib import Path

from nujax.app.scan_config import validate_scan_section
from nujax.errors import ConfigError

__all__ = ["run_scan_config"]


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
