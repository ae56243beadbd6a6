"""Test configuration: float64 on (explicitly, GUIDE §4.5) and shared fixtures."""

import os
from pathlib import Path

import pytest

import nujax

nujax.enable_x64()

#: Root of the repository and the shared reference data (tests only; never shipped).
ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NUJAX_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data (published reference tables); skip only if it is truly absent."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data not present")
    return path
