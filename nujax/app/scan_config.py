"""The ``[scan]`` section of a scenario configuration (its schema and validation).

The scan engine (:func:`nujax.inference.scan.scan`, :func:`~nujax.inference.scan.parse_axes`)
and its chunked, resumable storage stay in the inference layer; this module validates the TOML
section with the schema engine :mod:`nujax.app.config`; :mod:`nujax.app.scan_run` builds the
scenario and runs the scan.

>>> validate_scan_section({"axes": {"mu_1e11": {"linspace": [1.0, 3.0, 3]}}})["axes"]
{'mu_1e11': [1.0, 2.0, 3.0]}
"""

from __future__ import annotations

from nujax.app.config import REQUIRED, boolean, either, number, string, validate_section
from nujax.errors import ConfigError

__all__ = ["SCAN_SCHEMA", "validate_scan_section"]


def _axes(key, v):
    from nujax.inference.scan import parse_axes

    return {k: a.tolist() for k, a in parse_axes(v, prefix=f"{key}.").items()}


def _fixed(key, v):
    from nujax.inference.scan import parse_axes

    if not isinstance(v, dict):
        raise ConfigError(key, "must be a table of name = number")
    out = {k: number()(f"{key}.{k}", x) for k, x in v.items()}
    if out:
        parse_axes({k: [x] for k, x in out.items()}, prefix=f"{key}.")     # known names, domains
    return out


def _quantity(key, v):
    from nujax.inference.scan import QUANTITIES

    if v not in QUANTITIES:
        raise ConfigError(key, f"unknown quantity {v!r}; known: {', '.join(QUANTITIES)}")
    return v


def _nuisances(key, v):
    from nujax.inference.scan import NUISANCES

    if not isinstance(v, (list, tuple)) or any(x not in NUISANCES for x in v):
        raise ConfigError(key, f"must be a list drawn from {', '.join(NUISANCES)}, got {v!r}")
    return list(v)


#: Schema of the ``[scan]`` section (:mod:`nujax.app.config`): key -> (checker, default).
SCAN_SCHEMA = {
    "quantity": (_quantity, "q_asimov"), "axes": (_axes, REQUIRED), "fixed": (_fixed, {}),
    "nuisances": (_nuisances, ["norm", "bkg_scale"]),
    "n_profile": (number(0, integer=True), 4),
    "cl": (number(0.0, 1.0, lo_open=True, hi_open=True), 0.9),
    "batch_size": (either(None, number(1, integer=True)), None),
    "chunk_size": (either(None, number(1, integer=True)), None),
    "dtype": (string(("float64", "float32")), "float64"),
    "sharded": (boolean, False), "plot": (boolean, True),
}


def validate_scan_section(section: dict) -> dict:
    """Validate the ``[scan]`` section of a configuration; returns it with defaults filled in.

    Keys: ``quantity`` (one of :data:`nujax.inference.scan.QUANTITIES`), ``axes`` (table:
    name -> list or {linspace|logspace = [lo, hi, n]}), ``fixed`` (table: name -> number),
    ``nuisances`` (list drawn from :data:`nujax.inference.scan.NUISANCES`), ``n_profile``
    (int ≥ 0), ``cl`` (in (0, 1)), ``batch_size`` (int ≥ 1, default per platform),
    ``chunk_size`` (int ≥ 1; default: from the grid and a time target), ``dtype`` ("float64"/"float32"), ``sharded``, ``plot`` (bool).
    Axes are expanded to lists of floats.

    Raises
    ------
    ConfigError
        With a key prefixed ``"scan."`` naming the offending entry.
    """
    return validate_section("scan", section, SCAN_SCHEMA)
