"""Shared benchmark utilities: timing with compile time separated, device info, atomic JSON and
regeneration of the results tables.

Where results go: the folder named by the environment variable ``NUJAX_BENCH_OUT`` (``run_all.py``
sets it), else ``out/benchmarks`` of the checkout: ``<folder>/results/<suite>.json`` and the tables
in ``<folder>/README.md`` (a copy of benchmarks/README.md with the new tables). The committed
``benchmarks/results`` and ``benchmarks/README.md`` are written only when ``NUJAX_BENCH_OUT`` names
the ``benchmarks`` folder itself (``run_all.py --update-results``)."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import sys

import jax
import numpy as np

# the checkout this file lives in, ahead of any installed copy: a benchmark measures its own code
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nujax._io import atomic_path  # noqa: E402

HERE = Path(__file__).resolve().parent
#: The committed tables (the template of every copy).
COMMITTED_README = HERE / "README.md"
#: Environment variable naming the output folder of a benchmark run.
OUT_ENV = "NUJAX_BENCH_OUT"
BASE = Path(os.environ.get(OUT_ENV) or HERE.parent / "out" / "benchmarks").resolve()
RESULTS = BASE / "results"
README = BASE / "README.md"


def device_info() -> dict:
    dev = jax.devices()[0]
    return {
        "platform": dev.platform,
        "device": getattr(dev, "device_kind", str(dev)),
        "n_devices": jax.device_count(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpy": np.__version__,
    }


def device_slug(info: dict | None = None) -> str:
    """File-name slug of the device: ``cpu-2cores`` or e.g. ``gpu-nvidia-h100-80gb-hbm3``."""
    import re

    info = info or device_info()
    if info["platform"] == "cpu":
        return f"cpu-{info['cpu_count']}cores"
    kind = re.sub(r"[^a-z0-9]+", "-", str(info["device"]).lower()).strip("-")
    return f"{info['platform']}-{kind}"


def _block(x):
    return jax.block_until_ready(x)


def time_jax(fn, *args, repeat: int = 7, number: int = 1) -> dict:
    """Compile+first-run time, then best-of-``repeat`` (``run_s``) and median (``median_s``)
    steady-state time per call [s]."""
    t0 = time.perf_counter()
    _block(fn(*args))
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            out = fn(*args)
        _block(out)
        times.append((time.perf_counter() - t0) / number)
    return {"first_call_s": first, "run_s": min(times), "median_s": float(np.median(times))}


def time_numpy(fn, *args, repeat: int = 5) -> dict:
    """Best-of-``repeat`` (``run_s``) and median (``median_s``) time per call [s]."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return {"run_s": min(times), "median_s": float(np.median(times))}


def write_json(name: str, payload: dict) -> Path:
    """Write ``results/<name>.json`` atomically."""
    path = RESULTS / f"{name}.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return path


def update_readme_section(tag: str, markdown: str) -> None:
    """Replace the text between ``<!-- tag:start -->`` and ``<!-- tag:end -->`` in benchmarks/README.md."""
    start, end = f"<!-- {tag}:start -->", f"<!-- {tag}:end -->"
    source = README if README.exists() else COMMITTED_README
    text = source.read_text() if source.exists() else "# nujax benchmarks\n"
    block = f"{start}\n{markdown.rstrip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with atomic_path(README) as tmp:
        tmp.write_text(text)


def fmt_rate(x: float) -> str:
    return f"{x:.3g}"
