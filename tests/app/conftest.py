"""Command-line tests share one compilation cache in a temporary folder (never the user's)."""

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _compilation_cache(tmp_path_factory):
    old = os.environ.get("NUJAX_CACHE_DIR")
    os.environ["NUJAX_CACHE_DIR"] = str(tmp_path_factory.mktemp("jax_cache"))
    yield
    if old is None:
        os.environ.pop("NUJAX_CACHE_DIR", None)
    else:
        os.environ["NUJAX_CACHE_DIR"] = old
