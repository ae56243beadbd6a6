"""The ``nujax`` command line (thin: every number comes from the library through :mod:`nujax.app`).

Commands: ``demo`` (the main job: a complete directional sensitivity study), ``figures`` (the
seed-figure gallery with the plotted data), quick numbers (``xsec``, ``rate``, ``asymmetry``),
configured analyses (``fit``, ``scan``) and ``bench``. Exit codes: 0 success, 2 bad input,
reported on one line ``error: <option or key>: <why>`` (a bad option or configuration entry, an
output folder that cannot be written, an output file that exists without ``--force``, a job above
the size limits of :func:`nujax.app.runtime.check_size` without ``--yes``, an unavailable device).
Compiled programs go to JAX's persistent compilation cache
(:func:`nujax.app.runtime.compilation_cache`; ``nujax --no-compile-cache …`` turns it off).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from typer.core import TyperGroup


class _Group(TyperGroup):
    """The command group; a usage error (bad option value, unknown option) prints one line
    ``error: <message>`` on stderr and exits 2, like every other bad input."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except Exception as err:   # click's exception classes (vendored by typer): by name
            kinds = {c.__name__ for c in type(err).__mro__}
            if "NoArgsIsHelpError" in kinds:
                typer.echo(err.format_message())
            elif "ClickException" in kinds:
                typer.echo(f"error: {err.format_message()}", err=True)
            elif "Abort" in kinds:
                typer.echo("aborted", err=True)
            else:
                raise
            sys.exit(getattr(err, "exit_code", 1))
        sys.exit(rv if isinstance(rv, int) else 0)


# rich_markup_mode=None: plain help, so "[MeV]" in a help text is printed as written
app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="nujax: differentiable low-energy neutrino scattering with electromagnetic "
                       "properties.")
console = Console()
err_console = Console(stderr=True)
_STATE = {"compile_cache": True}

_OUT = typer.Option(Path("out"), "--out", help="Output folder (created if missing).")
_X64 = typer.Option(True, "--x64/--x32",
                    help="Float64 (default) or float32 arithmetic of the physics (float32 "
                         "tolerances: 'Getting started' in the docs).")
_DEVICE = typer.Option(None, "--device", help="Run on 'cpu' or 'gpu' (default: JAX's default device).")
_FORCE = typer.Option(False, "--force", help="Overwrite existing output files.")
_YES = typer.Option(False, "--yes", help="Run a job above the size limits (points, memory, time).")
_CONFIG = typer.Option(None, "--config", help="TOML file with a section for this command.")
# options shared by `rate` and `asymmetry`
_DETECTOR = typer.Option(None, help="Detector preset (default hellaz).")
_SOURCE = typer.Option(None, "--source", help="Source name; repeat for several (default pp, 7Be).")
_MU = typer.Option(None, help="μν in units of 10⁻¹¹ μB (default 3).")
_PE = typer.Option(None, help="Active-species probability Pe (default 0.5).")
_THRESHOLD = typer.Option(None, "--threshold-keV", help="Recoil threshold [keV] (default: the preset's).")
_TARGET = typer.Option(None, "--target", help="What is scattered on: e (default), or nuclei: an "
                       "element or material (Xe, Ar, Ge, CsI, NaI) or an isotope (Xe132).")


@app.callback()
def _main(compile_cache: bool = typer.Option(
        True, "--compile-cache/--no-compile-cache",
        help="Keep compiled programs in JAX's persistent compilation cache (folder: "
             "$NUJAX_CACHE_DIR, default the user cache folder; NUJAX_CACHE_DIR=off disables it).")):
    """nujax: differentiable low-energy neutrino scattering with electromagnetic properties."""
    _STATE["compile_cache"] = compile_cache


def _fail(msg: str, code: int = 2):
    from rich.markup import escape

    err_console.print(f"[red]error:[/red] {escape(msg)}", highlight=False, soft_wrap=True)  # one line
    raise typer.Exit(code)


def _named(msg: str, options: dict) -> str:
    """Prefix a library message with the command-line option it is about (``--T: T must …``).

    ``options`` maps the library's argument or configuration-key names (or the first words of
    its message, "unknown neutrino flavor") to command-line options; a message that starts with
    such a name (or a dotted key ending in it) gets the option in front.
    """
    head = msg.split(":", 1)[0].split(" ", 1)[0].strip()
    for key in (head, head.rsplit(".", 1)[-1]):
        if key in options and not msg.startswith(options[key]):
            return f"{options[key]}: {msg}"
    for key, opt in options.items():
        if " " in key and msg.startswith(key):
            return f"{opt}: {msg}"
    return msg


def _check(option: str, value, checker):
    """Validate one command-line value with a :mod:`nujax.app.config` checker (error names it)."""
    return value if value is None else checker(option, value)


@contextlib.contextmanager
def _runtime(x64: bool = True, device: Optional[str] = None, options: Optional[dict] = None):
    """Precision, device and compilation cache of one command; bad input becomes exit code 2.

    ``options``: library argument / configuration key → the option given on the command line,
    so that an error about it names the option.
    """
    import jax

    import nujax
    from nujax.app.runtime import compilation_cache

    options = options or {}
    previous = bool(jax.config.jax_enable_x64)
    nujax.enable_x64(x64)
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(compilation_cache(_STATE["compile_cache"]))
            if device is not None:
                dev = device.strip().lower()
                if dev not in ("cpu", "gpu"):
                    _fail(f"--device must be 'cpu' or 'gpu', got {device!r}")
                try:
                    found = jax.devices(dev)
                except RuntimeError:
                    have = sorted({d.platform for d in jax.devices()})
                    _fail(f"device '{dev}' is not available (JAX sees: {', '.join(have)})")
                stack.enter_context(jax.default_device(found[0]))
            try:
                yield
            except ValueError as err:                # ConfigError, OutputError, SizeError too
                _fail(_named(str(err), options))
            except OSError as err:                   # a file that cannot be read or written
                where = f"{err.filename}: " if err.filename else ""
                _fail(f"{where}{err.strerror or err}")
            except MemoryError:
                _fail("out of memory: make the job smaller (fewer bins or grid points)")
    finally:
        nujax.enable_x64(previous)


def _table(title: str, rows: dict | list, columns=("quantity", "value")):
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col, justify="right" if col != "quantity" else "left")
    items = rows.items() if isinstance(rows, dict) else rows
    for row in items:
        table.add_row(*(_fmt(v) for v in row))
    return table


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v)) if v else "-"
    return str(v)


def _stage_progress():
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    console=console, transient=False)


@app.command()
def demo(
    mu: float = typer.Option(3.0, help="True μν in units of 10⁻¹¹ μB."),
    pe: float = typer.Option(0.5, help="Active-species probability Pe of the solar beam."),
    phi_b: float = typer.Option(1.0, "--phi-b", help="True azimuth φ_B of the transverse polarisation [rad]."),
    data: str = typer.Option("toy", help="'toy' (Poisson draw) or 'asimov' data."),
    seed: int = typer.Option(0, help="Random seed of the toy data and of NUTS."),
    quick: bool = typer.Option(False, "--quick", help="Reduced run (few bins, tiny NUTS) for smoke tests."),
    threshold_kev: float = typer.Option(100.0, "--threshold-keV",
                                        help="Recoil threshold [keV] of the cross-section table."),
    threshold: Optional[float] = typer.Option(None, "--threshold", hidden=True,
                                              help="Deprecated: the threshold in MeV; use --threshold-keV."),
    out: Path = _OUT, x64: bool = _X64, device: Optional[str] = _DEVICE, force: bool = _FORCE,
) -> None:
    """The main job: a directional μν sensitivity study of a Hellaz-like pp + ⁷Be detector.

    Rates, the asymmetry 𝒜 and the μν maximising it, an MLE and a NUTS fit of μν and φ_B on toy
    data, 90 % upper limits; writes summary.json, posterior.nc and three PNGs to --out. With
    --x32 the physics (cross sections, rates, templates) runs in float32 and the fits in float64.
    """
    from nujax.app import study
    from nujax.app.config import number, string
    from nujax.app.quick import line_cross_sections
    from nujax.app.runtime import check_out_dir
    from nujax.constants import SIN2_THETA_W

    opts = {"mu_1e11": "--mu", "pe": "--pe", "phi_B": "--phi-b", "data": "--data", "seed": "--seed",
            "T": "--threshold-keV", "threshold": "--threshold-keV"}
    with _runtime(x64, device, opts):
        if threshold is not None:
            err_console.print("[yellow]warning:[/yellow] --threshold [MeV] is deprecated; use "
                          "--threshold-keV", highlight=False, soft_wrap=True)
            threshold_kev = _check("--threshold", threshold, number(0.0, lo_open=True)) * 1e3
        _check("--mu", mu, number(0.0))
        _check("--pe", pe, number(0.0, 1.0))
        _check("--phi-b", phi_b, number())
        _check("--data", data, string(("toy", "asimov")))
        _check("--seed", seed, number(0, integer=True))
        _check("--threshold-keV", threshold_kev, number(0.0, lo_open=True))
        cfg = (study.quick_config if quick else study.StudyConfig)(mu_1e11=mu, pe=pe, phi_B=phi_b,
                                                                   data=data, seed=seed)
        check_out_dir(out)
        study.check_outputs(out, force=force)
        rows = line_cross_sections(mu, threshold_kev * 1e-3, SIN2_THETA_W)
        console.print(_table(f"ν e elastic cross sections, T > {threshold_kev:g} keV, "
                             f"μν = {mu:g}·10⁻¹¹ μB",
                             [(r["label"], r["flavor"], f"{r['enu']:.3f}", f"{r['weak']:.4f}",
                               f"{r['em']:.4f}", f"{r['em'] / r['weak']:.3f}" if r["weak"] else "-")
                              for r in rows],
                             ("line", "flavor", "Eν [MeV]", "σ_weak [10⁻⁴⁵ cm²]",
                              "σ_em [10⁻⁴⁵ cm²]", "em/weak")))
        with _stage_progress() as bar:
            task = bar.add_task("study", total=len(study.STAGES))

            seen = []

            def step(stage):
                if seen:
                    bar.advance(task)
                seen.append(stage)
                bar.update(task, description=stage)

            res = study.run_study(cfg, progress=step)
            bar.update(task, completed=len(study.STAGES), description="done")
        summary = study.summary_dict(res)
        paths = study.write_study(res, out, force=force)
    console.print(_table(f"Directional study: {summary['detector']} {summary['sources']}, "
                         f"Pe = {pe:g}, μν = {mu:g}·10⁻¹¹ μB (Dirac)", summary))
    console.print("wrote " + ", ".join(str(p) for p in paths), highlight=False)


@app.command()
def figures(
    seed: str = typer.Option("all", help="Seed to reproduce: 000, 001, 002, 004 or all."),
    data: bool = typer.Option(True, "--data/--no-data", help="Write the plotted data as <name>.npz."),
    out: Path = _OUT, x64: bool = _X64, device: Optional[str] = _DEVICE, force: bool = _FORCE,
) -> None:
    """Regenerate the reproduced seed figures (PNG) and the data behind each one (npz)."""
    from nujax.app import figures as registry
    from nujax.app.runtime import check_out_dir

    with _runtime(x64, device, {"unknown seed": "--seed"}):
        seeds = registry.SEEDS if seed.strip().lower() == "all" else (registry.seed_key(seed),)
        check_out_dir(out)
        names = [n for s in seeds for n in registry.FIGURES[s]]
        suffixes = (".png", ".npz") if data else (".png",)
        if not force:
            for n in names:
                for suffix in suffixes:
                    if (out / f"{n}{suffix}").exists():
                        _fail(f"{out / (n + suffix)} exists (use --force to overwrite)")
        written = []
        with _stage_progress() as bar:
            task = bar.add_task("figures", total=len(seeds))
            for s in seeds:
                bar.update(task, description=f"seed {s}")
                fig_data = registry.figure_data(s) if data else None     # computed once
                written += registry.make_figures(s, out, data=fig_data)
                for name, d in (fig_data or {}).items():
                    written.append(registry.save_data(d, out / f"{name}.npz"))
                bar.advance(task)
    from rich.table import Table

    table = Table(title=f"figures written to {out}")
    table.add_column("file")
    table.add_column("bytes", justify="right")
    for p in written:
        table.add_row(Path(p).name, str(Path(p).stat().st_size))
    console.print(table)


_XSEC_OPTS = {"enu": "--enu", "T": "--T", "mu": "--mu", "pe": "--pe", "flavor": "--flavor",
              "unknown neutrino flavor": "--flavor", "sin2w": "--sin2w", "target": "--target"}
_RATE_OPTS = {"detector": "--detector", "unknown detector preset": "--detector",
              "sources": "--source", "source": "--source", "unknown neutrino source": "--source",
              "mu": "--mu", "pe": "--pe", "threshold_keV": "--threshold-keV",
              "threshold": "--threshold-keV", "target": "--target"}


def _given(names: dict, **values) -> dict:
    """The entries of ``names`` whose option was given (value not None; phrases always), and
    every option of a required setting that is missing (its message says "required")."""
    return {k: opt for k, opt in names.items()
            if " " in k or k in _REQUIRED or values.get(k) is not None}


#: Settings without a default: an error about them names the option even when it was not given.
_REQUIRED = ("enu", "T")


@app.command()
def xsec(
    enu: Optional[float] = typer.Option(None, help="Neutrino energy [MeV]."),
    t: Optional[float] = typer.Option(None, "--T", help="Recoil kinetic energy [MeV]."),
    mu: Optional[float] = typer.Option(None, help="μν in units of 10⁻¹¹ μB (default 0)."),
    pe: Optional[float] = typer.Option(None, help="Active-species probability Pe (default 1)."),
    flavor: Optional[str] = typer.Option(None, help="nue, numu, nutau or an antineutrino (nuebar …)."),
    sin2w: Optional[float] = typer.Option(None, help="sin²θW (default: low-energy MS-bar value)."),
    target: Optional[str] = _TARGET,
    config: Optional[Path] = _CONFIG, x64: bool = _X64, device: Optional[str] = _DEVICE,
) -> None:
    """dσ/dT [cm²/MeV] at one point, split into weak and magnetic parts (per nucleus for nuclei).

    The kernel runs in MeV units in the chosen precision; the conversion to cm² is done on the
    host in float64 (10⁻⁴⁵ cm² is below the float32 range).
    """
    import nujax
    from nujax.app.quick import (is_electron_target, load_quick_config, nuclear_dsigma_dT,
                                 resolve_settings)
    from nujax.constants import SIN2_THETA_W
    from nujax.xsec.common import to_cm2

    opts = _given(_XSEC_OPTS, enu=enu, T=t, mu=mu, pe=pe, flavor=flavor, sin2w=sin2w, target=target)
    with _runtime(x64, device, opts):
        cfg = load_quick_config(config, "xsec") if config is not None else None
        s = resolve_settings("xsec", cfg, enu=enu, T=t, mu=mu, pe=pe, flavor=flavor, sin2w=sin2w,
                             target=target)
        sw = SIN2_THETA_W if s["sin2w"] is None else s["sin2w"]
        if is_electron_target(s["target"]):
            parts = nujax.dsigma_dT(s["enu"], s["T"], s["mu"], s["pe"], flavor=s["flavor"], sin2w=sw)
            w, m = parts.weak, parts.em
        else:
            w, m = nuclear_dsigma_dT(s["target"], s["enu"], s["T"], s["mu"], s["pe"], s["flavor"], sw)
        weak, em = float(to_cm2(w)), float(to_cm2(m))       # host float64: no f32 underflow
    console.print(f"dσ/dT weak = {weak:.5e} cm²/MeV")
    console.print(f"dσ/dT em   = {em:.5e} cm²/MeV")


def _rate_rows(command, config, **opts):
    from nujax.app.quick import load_quick_config, rate_numbers, resolve_settings

    cfg = load_quick_config(config, command) if config is not None else None
    s = resolve_settings(command, cfg, **opts)
    return s, rate_numbers(**s)


@app.command()
def rate(
    detector: Optional[str] = _DETECTOR, source: Optional[list[str]] = _SOURCE,
    mu: Optional[float] = _MU, pe: Optional[float] = _PE, threshold_kev: Optional[float] = _THRESHOLD,
    target: Optional[str] = _TARGET,
    config: Optional[Path] = _CONFIG, x64: bool = _X64, device: Optional[str] = _DEVICE,
) -> None:
    """Expected events above threshold per source (ν e, or CEνNS with --target): weak, magnetic
    and azimuthal amplitude."""
    opts = _given(_RATE_OPTS, detector=detector, sources=source or None, source=source or None,
                  mu=mu, pe=pe, threshold_keV=threshold_kev, threshold=threshold_kev, target=target)
    with _runtime(x64, device, opts):
        s, rows = _rate_rows("rate", config, detector=detector, sources=source or None, mu=mu, pe=pe,
                             threshold_keV=threshold_kev, target=target)
    console.print(_table(f"{s['detector']}: events above threshold, μν = {s['mu']:g}·10⁻¹¹ μB, "
                         f"Pe = {s['pe']:g}",
                         [(r["source"], f"{r['n_weak']:.2f}", f"{r['n_em']:.2f}",
                           f"{r['n_weak'] + r['n_em']:.2f}", f"{r['n_int']:.3f}") for r in rows],
                         ("source", "N_weak", "N_em", "N_total", "n_int [1/rad]")))


@app.command()
def asymmetry(
    detector: Optional[str] = _DETECTOR, source: Optional[list[str]] = _SOURCE,
    mu: Optional[float] = _MU, pe: Optional[float] = _PE, threshold_kev: Optional[float] = _THRESHOLD,
    config: Optional[Path] = _CONFIG, x64: bool = _X64, device: Optional[str] = _DEVICE,
) -> None:
    """Maximal azimuthal asymmetry 𝒜 (seed 000 eq. 18) and the μν that maximises it (eq. 20)."""
    opts = _given(_RATE_OPTS, detector=detector, sources=source or None, source=source or None,
                  mu=mu, pe=pe, threshold_keV=threshold_kev, threshold=threshold_kev)
    with _runtime(x64, device, opts):
        s, rows = _rate_rows("asymmetry", config, detector=detector, sources=source or None, mu=mu,
                             pe=pe, threshold_keV=threshold_kev)
        empty = [r["source"] for r in rows if r["n_weak"] + r["n_em"] <= 0]
        if empty:   # 𝒜 = n_int / (n_weak + n_em) is 0/0: say so rather than print NaN
            raise ValueError(f"threshold_keV: no events above the threshold for {', '.join(empty)} "
                             "(it lies above their recoil endpoint): the asymmetry is undefined")
    console.print(_table(f"{s['detector']}: azimuthal asymmetry, μν = {s['mu']:g}·10⁻¹¹ μB, Pe = {s['pe']:g}",
                         [(r["source"], f"{r['A']:.4f}", f"{r['mu_star']:.3f}", f"{r['A_star']:.4f}")
                          for r in rows],
                         ("source", "𝒜 at μν", "μ* [10⁻¹¹ μB]", "𝒜(μ*)")))


@app.command()
def fit(
    config: Path = typer.Argument(..., help="Scenario TOML (see fits/*.toml), or a global fit "
                                  "(a [global] section listing scenario files)."),
    quick: bool = typer.Option(False, "--quick", help="Tiny NUTS run and fewer toys."),
    seed: int = typer.Option(0, help="Random seed of the toy data and NUTS."),
    out: Path = _OUT, x64: bool = _X64, device: Optional[str] = _DEVICE, force: bool = _FORCE,
    yes: bool = _YES,
) -> None:
    """Fit a configured scenario: MLE, Fisher errors, 90 % limits (and NUTS if configured).

    With --x32 the templates are built in float32 and the fits run in float64.
    """
    from nujax.app import fit as fit_driver
    from nujax.app import load_config
    from nujax.app.config import number
    from nujax.app.runtime import check_out_dir
    from nujax.app.scenarios import check_scenario_size

    with _runtime(x64, device, {"seed": "--seed"}):
        _check("--seed", seed, number(0, integer=True))
        from nujax.app import global_fit

        if global_fit.is_global_config(config):          # [global]: several experiments
            check_out_dir(out)
            res = global_fit.run_global_fit(config, out, force=force, quick=quick, seed=seed)
            rows = [(k, f"{v['lower']:.4g} .. {v['upper']:.4g}") for k, v in res["limits"].items()]
            console.print(_table(f"global fit: {res['name']} ({res['cl']:.0%} CL)", rows,
                                 ("entry", "interval")))
            return
        cfg = load_config(config)
        check_scenario_size(cfg, yes=yes)
        check_out_dir(out)
        summary = fit_driver.run_fit(cfg, out, force=force, quick=quick, progress=True, seed=seed)
    console.print(_table(f"fit: {summary.get('scenario', config)}", summary))


@app.command()
def scan(
    config: Path = typer.Argument(..., help="Scenario TOML with a [scan] section."),
    out: Path = _OUT, x64: bool = _X64, device: Optional[str] = _DEVICE, force: bool = _FORCE,
    yes: bool = _YES,
    chunk_seconds: float = typer.Option(2.0, "--chunk-seconds",
                                        help="Target wall time of one stored chunk [s]: an "
                                             "interrupted scan loses at most about this much."),
) -> None:
    """Run the [scan] grid of a scenario chunk by chunk (resumable): <out>/<scenario>_scan.npz.

    With --x32 the grid is evaluated in float32 (the [scan] dtype, unless the file asks for
    float64, which is refused).
    """
    from nujax.app import load_config
    from nujax.app.config import number
    from nujax.app.runtime import check_out_dir
    from nujax.app.scan_run import run_scan_config

    with _runtime(x64, device, {"chunk_seconds": "--chunk-seconds"}):
        _check("--chunk-seconds", chunk_seconds, number(0.0, lo_open=True))
        cfg = load_config(config)
        if not cfg.get("scan"):
            _fail(f"scan: the configuration {config} has no [scan] section")
        check_out_dir(out)
        name = cfg.get("scenario", {}).get("name") or Path(config).stem
        path = out / f"{name}_scan.npz"
        res = run_scan_config(cfg, path, force=force, progress=True, yes=yes,
                              chunk_seconds=chunk_seconds)
    import numpy as np

    values = np.asarray(res.values, dtype=float)
    rows = {"scenario": name, "quantity": res.quantity,
            "axes": ", ".join(f"{k} ({len(v)})" for k, v in res.axes.items()),
            "min": float(np.nanmin(values)), "max": float(np.nanmax(values)),
            "file": str(res.path or path)}
    console.print(_table("scan", rows))


def _find_bench() -> Optional[Path]:
    here = Path(__file__).resolve().parents[1] / "benchmarks" / "run_all.py"
    for p in (Path.cwd() / "benchmarks" / "run_all.py", here):
        if p.is_file():
            return p
    return None


@app.command()
def bench(quick: bool = typer.Option(False, "--quick", help="Short runs (smoke test of the benchmarks)."),
          only: Optional[str] = typer.Option(None, help="Comma-separated subset: xsec,rates,cevns,solar,fit,scan."),
          out: Path = typer.Option(Path("out"), "--out",
                                   help="Output folder: results JSON and table in <out>/benchmarks."),
          update_results: bool = typer.Option(False, "--update-results",
                                              help="Write the committed benchmarks/results and "
                                                   "benchmarks/README.md table instead of --out.")) -> None:
    """Run every benchmark (benchmarks/run_all.py): results JSON and the table of results."""
    import importlib.util

    from nujax.app.runtime import OutputError, check_out_dir

    script = _find_bench()
    if script is None:
        _fail("benchmarks/run_all.py not found (run from a source checkout of nujax)")
    spec = importlib.util.spec_from_file_location("nujax_run_all", script)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(script.parent))
    try:
        spec.loader.exec_module(mod)
        known = getattr(mod, "SUITES", None)
        bad = [x.strip() for x in (only or "").split(",") if x.strip() and known and x.strip() not in known]
        if bad or (only is not None and not only.strip(",").strip()):
            _fail(f"--only: unknown suite(s) {', '.join(bad) or repr(only)}; known: {', '.join(known or ())}")
        target = None
        if not update_results:
            try:
                target = check_out_dir(out / "benchmarks")
            except OutputError as err:
                _fail(str(err))
        argv = ((["--quick"] if quick else []) + (["--only", only] if only else [])
                + (["--update-results"] if update_results else ["--out", str(target)]))
        code = int(mod.main(argv) or 0)
    finally:
        sys.path.remove(str(script.parent))
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
