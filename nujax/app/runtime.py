"""How the command line runs a job: compilation cache, output folders, size guards, precision.

* :func:`compilation_cache` — JAX's persistent compilation cache for command-line runs, in the
  user cache folder (``platformdirs``), overridden by the environment variable
  :data:`CACHE_ENV` (a folder, or ``off``);
* :func:`check_out_dir` — an output folder that exists or can be created, and is writable, checked
  before any work starts (:class:`OutputError` names the option);
* :class:`SizeEstimate` and :func:`check_size` — points, memory and time of a large job, refused
  (:class:`SizeError`, with the estimate) unless the user says yes;
* :func:`float64_statistics` and :func:`as_float64` — the statistical stages of a float32 run
  (likelihood fits, profile limits, NUTS) in float64: a Poisson log-likelihood of ~10⁴ events has
  a float32 resolution of ~10⁻³, so gradient tolerances of 10⁻⁶ cannot be met in float32, while the
  expensive part, the physics templates, is computed in the precision the user chose.

>>> SizeEstimate(points=10**10, bytes=1.6e11, seconds=None).describe()
'1e+10 points, 160 GB, time unknown'
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import NamedTuple, Optional

__all__ = ["CACHE_ENV", "compilation_cache_dir", "compilation_cache", "OutputError", "check_out_dir",
           "SizeError", "SizeEstimate", "check_size", "MAX_BYTES", "MAX_SECONDS", "MAX_POINTS",
           "float64_statistics", "as_float64"]

#: Environment variable that overrides the compilation-cache folder ("off", "0" or "" disable it).
CACHE_ENV = "NUJAX_CACHE_DIR"
_OFF = ("", "0", "off", "none", "false", "no")


def compilation_cache_dir() -> Optional[Path]:
    """The persistent compilation-cache folder of command-line runs, or None when disabled.

    ``$NUJAX_CACHE_DIR`` when set (``off``/``0``/empty: disabled), else ``<user cache>/nujax/jax``
    (``platformdirs.user_cache_dir``: ``~/.cache`` on Linux).
    """
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in _OFF else Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("nujax")) / "jax"


@contextlib.contextmanager
def compilation_cache(enabled: bool = True):
    """Use JAX's persistent compilation cache (:func:`compilation_cache_dir`) inside the block.

    Every compiled program is stored (``jax_persistent_cache_min_compile_time_secs = 0``), so a
    second run of the same command loads its executables instead of compiling. The previous JAX
    settings are restored on exit. A folder that cannot be created disables the cache silently
    (the run is only slower).
    """
    import jax
    from jax.experimental.compilation_cache import compilation_cache as cc

    path = compilation_cache_dir() if enabled else None
    if path is not None:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:
            path = None
    if path is None:
        yield None
        return
    keys = ("jax_compilation_cache_dir", "jax_persistent_cache_min_compile_time_secs",
            "jax_persistent_cache_min_entry_size_bytes")
    before = {k: getattr(jax.config, k) for k in keys}
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    cc.reset_cache()
    try:
        yield path
    finally:
        for k, v in before.items():
            jax.config.update(k, v)
        cc.reset_cache()


class OutputError(ValueError):
    """An output location that cannot be used; ``option`` is the command-line option."""

    def __init__(self, option: str, why: str):
        self.option = option
        super().__init__(f"{option}: {why}")


def check_out_dir(path, option: str = "--out") -> Path:
    """``path`` as a usable output folder: created if missing, refused if a file or not writable.

    Raises :class:`OutputError` naming ``option``.
    """
    p = Path(os.fspath(path))
    if p.exists() and not p.is_dir():
        raise OutputError(option, f"{p} is a file, not a folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(option, f"{p}: a part of the path is a file, not a folder") from None
    except OSError as err:
        raise OutputError(option, f"cannot create the folder {p}: {err.strerror or err}") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise OutputError(option, f"the folder {p} is not writable")
    return p


#: Default limits of :func:`check_size`: host memory [bytes], wall time [s], points.
MAX_BYTES = 4e9
MAX_SECONDS = 3600.0
MAX_POINTS = 10**8


class SizeEstimate(NamedTuple):
    """Size of a job: ``points`` (grid points or bins, named by ``unit``), ``bytes`` (host
    memory), ``seconds`` (wall time, None when not known yet)."""

    points: int
    bytes: float
    seconds: Optional[float] = None
    unit: str = "points"

    def describe(self) -> str:
        t = "time unknown" if self.seconds is None else f"about {_duration(self.seconds)}"
        return f"{self.points:.3g} {self.unit}, {_size(self.bytes)}, {t}"


class SizeError(ValueError):
    """A job above the size limits; ``estimate`` is its :class:`SizeEstimate`."""

    def __init__(self, what: str, estimate: SizeEstimate, why: str, option: str = "--yes"):
        self.estimate = estimate
        super().__init__(f"{what} is large ({estimate.describe()}): {why}; "
                         f"pass {option} to run it anyway")


def check_size(what: str, est: SizeEstimate, *, yes: bool = False, max_bytes: float = MAX_BYTES,
               max_seconds: float = MAX_SECONDS, max_points: int = MAX_POINTS,
               option: str = "--yes") -> SizeEstimate:
    """Refuse a job above ``max_points``, ``max_bytes`` or ``max_seconds`` unless ``yes``.

    Raises :class:`SizeError` (a ValueError) with the estimate and the ``option`` to proceed.
    """
    if not yes:
        if est.points > max_points:
            raise SizeError(what, est, f"more than {max_points:.3g} {est.unit}", option)
        if est.bytes > max_bytes:
            raise SizeError(what, est, f"more than {_size(max_bytes)} of memory", option)
        if est.seconds is not None and est.seconds > max_seconds:
            raise SizeError(what, est, f"longer than {_duration(max_seconds)}", option)
    return est


def _size(b: float) -> str:
    for unit, f in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= f:
            return f"{b / f:.3g} {unit}"
    return f"{b:.0f} B"


def _duration(s: float) -> str:
    if not math.isfinite(s):
        return "forever"
    for unit, f in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if s >= f:
            return f"{s / f:.3g} {unit}"
    return f"{s:.3g} s"


@contextlib.contextmanager
def float64_statistics():
    """float64 arithmetic inside the block (the previous setting is restored on exit)."""
    import jax

    import nujax

    previous = bool(jax.config.jax_enable_x64)
    nujax.enable_x64(True)
    try:
        yield previous
    finally:
        nujax.enable_x64(previous)


def as_float64(tree):
    """``tree`` with its floating-point array leaves cast to float64 (call under x64)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    def cast(a):
        if isinstance(a, (jax.Array, np.ndarray)) and jnp.issubdtype(a.dtype, jnp.floating):
            return jnp.asarray(a, jnp.float64)
        return a

    return jax.tree_util.tree_map(cast, tree)
