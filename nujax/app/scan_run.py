"""The scan driver of ``nujax scan``: build the scenario of a configuration, run its ``[scan]``.

The section is validated by :mod:`nujax.app.scan_config`; the grid is evaluated by the engine
:func:`nujax.inference.scan.scan` (chunked, resumable); a contour plot is written by
:func:`nujax.app.plots.plot_scan`.
"""

from __future__ import annotations

from pathlib import Path

from nujax.app.scan_config import validate_scan_section
from nujax.errors import ConfigError

__all__ = ["run_scan_config", "scan_size", "with_scan_entries"]


def scan_size(axes: dict, dtype: str = "float64"):
    """:class:`~nujax.app.runtime.SizeEstimate` of a scan grid before it runs: the points and the
    host memory of the result (the chunks, the assembled grid and the archive written from it:
    three copies of the values) [bytes]; the time is measured by the scan's probe."""
    import math

    from nujax.app.runtime import SizeEstimate

    n = math.prod(len(v) for v in axes.values())
    return SizeEstimate(points=n, bytes=3.0 * n * (4 if dtype == "float32" else 8))


def run_scan_config(cfg: dict, out_path, *, force=False, progress=True, yes=False,
                    chunk_seconds=2.0):
    """Run the ``[scan]`` section of a validated configuration (:func:`nujax.app.load_config`).

    The scenario is built with :func:`nujax.app.scenarios.build_scenario`; its ``truth``
    supplies the values of ``mu_1e11``/``phi_B`` and (for ``q_asimov`` and ``z_discovery``) of
    the injected EM entries (``[truth] em``) that are neither scanned nor fixed, and a
    ``meta["template_spec"]`` (:class:`nujax.inference.scan.TemplateSpec`), when present,
    enables the template axes (threshold, Pe, σ_φ). Axes or fixed values named by EM entries
    (``r2_ee``, ``a_mumu``, ``q_ee``, ``q_emu`` …, units as in ``[fit] parameters``: μ
    [10⁻¹¹ μ_B], ⟨r²⟩ and a [10⁻³² cm²], q_ν [10⁻¹² e]) are added to ``[fit] parameters``
    (:func:`with_scan_entries`), so the scenario carries their exact quadratic form
    (:func:`nujax.inference.density_matrix_em_model`, seed 002) and the scan evaluates it at
    each point (:mod:`nujax.inference.scan`).

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
    yes : bool
        Run a scan above the size limits of :func:`nujax.app.runtime.check_size` (points and
        memory checked before anything is built; the time after the scan's timing probe).
    chunk_seconds : float
        Target wall time of one stored chunk [s] when ``chunk_size`` is not given.

    Returns
    -------
    nujax.inference.scan.ScanResult
    """
    import jax

    from nujax.app.runtime import check_size
    from nujax.app.scenarios import build_scenario, check_scenario_size
    from nujax.inference.scan import scan

    if "scan" not in cfg:
        raise ConfigError("scan", "the configuration has no [scan] section")
    sc = validate_scan_section(cfg["scan"])
    if not jax.config.jax_enable_x64:
        sc["dtype"] = "float32"              # a float32 run (--x32) scans in float32
    est = check_size("the scan grid", scan_size(sc["axes"], sc["dtype"]), yes=yes)
    out = Path(out_path)
    if out.suffix != ".npz":
        out = out / "scan.npz"
    check_scenario_size(cfg, yes=yes)
    scen = build_scenario(with_scan_entries(cfg, sc))
    fixed = dict(sc["fixed"])
    for k in ("mu_1e11", "phi_B"):
        if k not in sc["axes"] and k not in fixed and k in scen.truth:
            if k == "phi_B" or sc["quantity"] != "limit":
                fixed[k] = float(scen.truth[k])
    if sc["quantity"] in ("q_asimov", "z_discovery"):       # the quantities of EM entries
        for k, v in cfg.get("truth", {}).get("em", {}).items():    # injected EM entries
            if k not in sc["axes"] and k not in fixed and v != 0.0:
                fixed[k] = float(v)
    spec = scen.meta.get("template_spec")
    expo = scen.meta.get("exposure_t_yr") if spec is None else None
    res = scan(scen.model, sc["axes"], quantity=sc["quantity"], fixed=fixed,
               nuisances=tuple(sc["nuisances"]), n_profile=sc["n_profile"], cl=sc["cl"],
               spec=spec, exposure_t_yr=expo, batch_size=sc["batch_size"],
               chunk_size=sc["chunk_size"], chunk_seconds=chunk_seconds, sharded=sc["sharded"],
               dtype=sc["dtype"], out_path=out, force=force, progress=progress,
               meta={"scenario": scen.name, "config": _content(cfg)},
               check=lambda n, s: check_size("the scan", est._replace(points=n, seconds=s), yes=yes))
    if sc["plot"] and len(res.axes) >= 2:
        from nujax.app.plots import plot_scan

        plot_scan(res, out.with_suffix(".png"))
    return res


def with_scan_entries(cfg: dict, sc: dict) -> dict:
    """``cfg`` with the EM entries named in the validated ``[scan]`` section ``sc`` (axes and
    fixed values) added to ``[fit] parameters`` (a copy; ``cfg`` itself when there are none).

    Raises
    ------
    ConfigError
        Naming the scan key when the scenario cannot carry EM entries (the checks of
        ``[fit] parameters``: electron or nucleus target, left-handed beam).
    """
    import copy

    from nujax.app.em_entries import EM_ENTRIES
    from nujax.app.scenario_config import check_em_entries

    keys = {k: f"scan.axes.{k}" for k in sc["axes"]} | {k: f"scan.fixed.{k}" for k in sc["fixed"]}
    new = [k for k in keys if k in EM_ENTRIES and k not in cfg["fit"]["parameters"]]
    if not new:
        return cfg
    out = copy.deepcopy(cfg)
    out["fit"]["parameters"] = [*cfg["fit"]["parameters"], *new]
    try:
        check_em_entries(out)
    except ConfigError as exc:
        raise ConfigError(keys[new[0]], exc.why) from None
    return out


def _content(cfg: dict) -> dict:
    """The configuration without where it was read from: the same scan run through a relative
    or an absolute path (or a copy of the file) has one fingerprint and writes the same bytes."""
    scen = {k: v for k, v in cfg.get("scenario", {}).items() if k != "origin"}
    return {**cfg, "scenario": scen}
