"""The ``nujax`` command line (thin: every number comes from the library through :mod:`nujax.app`).

Commands: ``demo`` (the main job: a complete directional sensitivity study), ``figures`` (the
seed-figure gallery with the plotted data), quick numbers (``xsec``, ``rate``, ``asymmetry``),
configured analyses (``fit``, ``scan``) and ``bench``. Exit codes: 0 success, 2 bad input (a bad
option or configuration entry, an output file that exists without ``--force``, an unavailable
device).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="nujax: differentiable low-energy neutrino scattering with electromagnetic properties.")
console = Console()

_OUT = typer.Option(Path("out"), "--out", help="Output folder.")
_X64 = typer.Option(True, "--x64/--x32", help="Float64 (default) or float32 arithmetic.")
_DEVICE = typer.Option(None, "--device", help="Run on 'cpu' or 'gpu' (default: JAX's default device).")
_FORCE = typer.Option(False, "--force", help="Overwrite existing output files.")
_CONFIG = typer.Option(None, "--config", help="TOML file with a section for this command.")
# options shared by `rate` and `asymmetry`
_DETECTOR = typer.Option(None, help="Detector preset (default hellaz).")
_SOURCE = typer.Option(None, "--source", help="Source name; repeat for several (default pp, 7Be).")
_MU = typer.Option(None, help="μν in units of 10⁻¹¹ μB (default 3).")
_PE = typer.Option(None, help="Active-species probability Pe (default 0.5).")
_THRESHOLD = typer.Option(None, "--threshold-keV", help="Recoil threshold [keV] (default: the preset's).")
_TARGET = typer.Option(None, "--target", help="What is scattered on: e (default), or nuclei: an "
                       "element or material (Xe, Ar, Ge, CsI, NaI) or an isotope (Xe132).")


def _fail(msg: str, code: int = 2):
    from rich.markup import escape

    console.print(f"[red]error:[/red] {escape(msg)}", highlight=False, soft_wrap=True)  # one line
    raise typer.Exit(code)


@contextlib.contextmanager
def _runtime(x64: bool = True, device: Optional[str] = None):
    """Precision and device for one command; bad input of the library becomes exit code 2."""
    import jax

    import nujax
    from nujax.errors import ConfigError

    previous = bool(jax.config.jax_enable_x64)
    nujax.enable_x64(x64)
    try:
        with contextlib.ExitStack() as stack:
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
            except ConfigError as err:
                _fail(str(err))
            except FileExistsError as err:
                _fail(f"{err.args[0] if err.args else err}")
            except ValueError as err:
                _fail(str(err))
    finally:
        nujax.enable_x64(previous)


def _table(title: str, rows: dict | list, columns=("quantity", "value")) -> Table:
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
    threshold: float = typer.Option(0.1, help="Recoil threshold [MeV] of the cross-section table."),
    out: Path = _OUT, x64: bool = _X64, device: Optional[str] = _DEVICE, force: bool = _FORCE,
) -> None:
    """The main job: a directional μν sensitivity study of a Hellaz-like pp + ⁷Be detector.

    Rates, the asymmetry 𝒜 and the μν maximising it, an MLE and a NUTS fit of μν and φ_B on toy
    data, 90 % upper limits; writes summary.json, posterior.nc and three PNGs to --out.
    """
    from nujax.app import study
    from nujax.app.quick import line_cross_sections
    from nujax.constants import SIN2_THETA_W

    with _runtime(x64, device):
        cfg = (study.quick_config if quick else study.StudyConfig)(mu_1e11=mu, pe=pe, phi_B=phi_b,
                                                                   data=data, seed=seed)
        study.check_outputs(out, force=force)
        rows = line_cross_sections(mu, threshold, SIN2_THETA_W)
        console.print(_table(f"ν e elastic cross sections, T > {threshold * 1e3:.0f} keV, "
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

    with _runtime(x64, device):
        seeds = registry.SEEDS if seed.strip().lower() == "all" else (registry.seed_key(seed),)
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
                written += registry.make_figures(s, out)
                if data:
                    for name, d in registry.figure_data(s).items():
                        written.append(registry.save_data(d, out / f"{name}.npz"))
                bar.advance(task)
    table = Table(title=f"figures written to {out}")
    table.add_column("file")
    table.add_column("bytes", justify="right")
    for p in written:
        table.add_row(Path(p).name, str(Path(p).stat().st_size))
    console.print(table)


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
    """dσ/dT [cm²/MeV] at one point, split into weak and magnetic parts (per nucleus for nuclei)."""
    import nujax
    from nujax.constants import SIN2_THETA_W, cm2_from_natural
    from nujax.app.quick import (is_electron_target, load_quick_config, nuclear_dsigma_dT,
                                 resolve_settings)

    with _runtime(x64, device):
        cfg = load_quick_config(config, "xsec") if config is not None else None
        s = resolve_settings("xsec", cfg, enu=enu, T=t, mu=mu, pe=pe, flavor=flavor, sin2w=sin2w,
                             target=target)
        sw = SIN2_THETA_W if s["sin2w"] is None else s["sin2w"]
        if is_electron_target(s["target"]):
            parts = nujax.dsigma_dT(s["enu"], s["T"], s["mu"], s["pe"], flavor=s["flavor"], sin2w=sw)
            w, m = parts.weak, parts.em
        else:
            w, m = nuclear_dsigma_dT(s["target"], s["enu"], s["T"], s["mu"], s["pe"], s["flavor"], sw)
        weak, em = float(cm2_from_natural(w)), float(cm2_from_natural(m))
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
    with _runtime(x64, device):
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
    with _runtime(x64, device):
        s, rows = _rate_rows("asymmetry", config, detector=detector, sources=source or None, mu=mu,
                             pe=pe, threshold_keV=threshold_kev)
    console.print(_table(f"{s['detector']}: azimuthal asymmetry, μν = {s['mu']:g}·10⁻¹¹ μB, Pe = {s['pe']:g}",
                         [(r["source"], f"{r['A']:.4f}", f"{r['mu_star']:.3f}", f"{r['A_star']:.4f}")
                          for r in rows],
                         ("source", "𝒜 at μν", "μ* [10⁻¹¹ μB]", "𝒜(μ*)")))


@app.command()
def fit(
    config: Path = typer.Argument(..., help="Scenario TOML (see fits/*.toml)."),
    quick: bool = typer.Option(False, "--quick", help="Tiny NUTS run and fewer toys."),
    seed: int = typer.Option(0, help="Random seed of the toy data and NUTS."),
    out: Path = _OUT, x64: bool = _X64, device: Optional[str] = _DEVICE, force: bool = _FORCE,
) -> None:
    """Fit a configured scenario: MLE, Fisher errors, 90 % limits (and NUTS if configured)."""
    from nujax.app import fit as fit_driver
    from nujax.app import load_config

    with _runtime(x64, device):
        summary = fit_driver.run_fit(load_config(config), out, force=force, quick=quick,
                                     progress=True, seed=seed)
    console.print(_table(f"fit: {summary.get('scenario', config)}", summary))


@app.command()
def scan(
    config: Path = typer.Argument(..., help="Scenario TOML with a [scan] section."),
    out: Path = _OUT, x64: bool = _X64, device: Optional[str] = _DEVICE, force: bool = _FORCE,
) -> None:
    """Run the [scan] grid of a scenario chunk by chunk (resumable): <out>/<scenario>_scan.npz."""
    from nujax.app import load_config
    from nujax.app.scan_run import run_scan_config

    with _runtime(x64, device):
        cfg = load_config(config)
        if not cfg.get("scan"):
            _fail(f"scan: the configuration {config} has no [scan] section")
        name = cfg.get("scenario", {}).get("name") or Path(config).stem
        path = out / f"{name}_scan.npz"
        res = run_scan_config(cfg, path, force=force, progress=True)
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
          only: Optional[str] = typer.Option(None, help="Comma-separated subset: xsec,rates,fit,scan.")) -> None:
    """Run every benchmark (benchmarks/run_all.py): results JSON and the README table."""
    import importlib.util

    script = _find_bench()
    if script is None:
        _fail("benchmarks/run_all.py not found (run from a source checkout of nujax)")
    spec = importlib.util.spec_from_file_location("nujax_run_all", script)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(script.parent))
    try:
        spec.loader.exec_module(mod)
        argv = (["--quick"] if quick else []) + (["--only", only] if only else [])
        code = int(mod.main(argv) or 0)
    finally:
        sys.path.remove(str(script.parent))
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
