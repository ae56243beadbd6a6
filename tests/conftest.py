"""Test configuration: float64 on (explicitly, GUIDE §4.5) and shared fixtures.

The tests mirror the package layout (tests/xsec, tests/rates, tests/inference, tests/app …);
every test folder is put on ``sys.path`` so that shared helper modules (the spinor and radiative
references, shared fixtures of test_scan) import by name from any folder.
"""

import os
import sys
from pathlib import Path

import pytest

import nujax

nujax.enable_x64()

#: Root of the repository and the shared reference data (tests only; never shipped).
ROOT = Path(__file__).resolve().parents[1]
_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(d) for d in sorted(_HERE.iterdir()) if d.is_dir() and not d.name.startswith(("_", "."))]
SHARED = Path(os.environ.get("NUJAX_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data (published reference tables); skip only if it is truly absent."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data not present")
    return path


@pytest.fixture(scope="session")
def pp():
    """The solar pp spectrum (B16-GS98 flux) as emitted (pure ν_e: the seed-000 beam)."""
    from nujax.sources.catalog import get_source

    return get_source("pp", oscillation=None)


@pytest.fixture(scope="session")
def det():
    """The Hellaz-like detector with a flat background of 50 /(t yr MeV)."""
    from nujax.detector import preset

    return preset("hellaz", background=50.0)


@pytest.fixture
def float32_matches():
    """``check(run, rtol)``: ``run()`` in float32 returns float32 and agrees with float64.

    Tolerance: ``rtol`` relative plus ``rtol`` of the largest value (documented float32 budget).
    """
    import jax
    import numpy as np

    def check(run, rtol=1e-4):
        ref = np.asarray(run())
        jax.config.update("jax_enable_x64", False)
        try:
            got = np.asarray(run())
            assert got.dtype == np.float32
        finally:
            jax.config.update("jax_enable_x64", True)
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol * np.abs(ref).max())

    return check


@pytest.fixture(scope="session", autouse=True)
def _compilation_cache(tmp_path_factory):
    """Command-line runs share one compilation cache in a temporary folder (never the user's).

    It lives here, not in a tests/app/conftest.py: every test folder is on ``sys.path``, so a
    second module named ``conftest`` would clash with this one."""
    old = os.environ.get("NUJAX_CACHE_DIR")
    os.environ["NUJAX_CACHE_DIR"] = str(tmp_path_factory.mktemp("jax_cache"))
    yield
    if old is None:
        os.environ.pop("NUJAX_CACHE_DIR", None)
    else:
        os.environ["NUJAX_CACHE_DIR"] = old


def _mappings() -> int:
    """Memory mappings of this process (Linux); 0 where /proc is absent."""
    try:
        with open("/proc/self/maps", "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


#: Clear JAX's caches once a worker holds this many mappings (the kernel's default limit,
#: ``vm.max_map_count``, is 65530).
MAX_MAPPINGS = 20000


@pytest.fixture(scope="module", autouse=True)
def _release_compiled_code():
    """Drop JAX's compiled executables when a test worker nears the per-process mapping limit.

    Each XLA:CPU executable keeps its own memory mappings; a pytest worker that runs hundreds of
    modules otherwise reaches ``vm.max_map_count`` (65530 by default) and dies inside the JIT
    ("Failed to materialize symbols"). Measured on the xsec + seeds + rates folders: 25 000
    mappings after 3 minutes. Clearing after every module instead costs recompiling what later
    modules share, so it happens only above :data:`MAX_MAPPINGS`.
    """
    yield
    if _mappings() > MAX_MAPPINGS:
        import gc

        import jax

        jax.clear_caches()
        gc.collect()
