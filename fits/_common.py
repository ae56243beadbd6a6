"""Shared command line of the scenario scripts: ``python fits/<name>.py [--quick] [--out DIR] [--force]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(name: str, argv=None) -> int:
    """Run the scenario ``fits/<name>.toml`` and print its summary as a table; returns the exit code."""
    import nujax
    from nujax.errors import ConfigError
    from nujax.scenarios import load_config, run_fit

    ap = argparse.ArgumentParser(description=f"Fit scenario {name} (config fits/{name}.toml).")
    ap.add_argument("--quick", action="store_true", help="tiny NUTS run, fewer toys, coarse scans")
    ap.add_argument("--out", default=f"fits_out/{name}", help="output folder (default fits_out/NAME)")
    ap.add_argument("--force", action="store_true", help="overwrite existing output files")
    ap.add_argument("--seed", type=int, default=0, help="seed of the toy data and samplers")
    args = ap.parse_args(argv)
    nujax.enable_x64()
    try:
        summary = run_fit(load_config(HERE / f"{name}.toml"), args.out, force=args.force,
                          quick=args.quick, seed=args.seed)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_table(summary)
    return 0


def print_table(summary: dict) -> None:
    """The summary dict as a two-column rich table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"scenario {summary.get('scenario', '')}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in summary.items():
        table.add_row(k, f"{v:.5g}" if isinstance(v, float) else str(v))
    Console().print(table)
