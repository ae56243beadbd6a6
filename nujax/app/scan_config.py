"""The ``[scan]`` section of a scenario configuration (its schema and validation).

The scan engine (:func:`nujax.inference.scan.scan`, :func:`~nujax.inference.scan.parse_axes`)
and its chunked, resumable storage stay in the inference layer; this module validates the TOML
section with the schema engine :mod:`nujax.app.config`; :mod:`nujax.app.scan_run` builds the
scenario and runs the scan.

>>> validate_scan_section({"axes": {"mu_1e11": {"linspace": [1.0, 3.0, 3]}}})["axes"]
{'mu_1e11': [1.0, 2.0, 3.0]}
>>> validate_scan_section({"axes": {"q_ee": [-1.0, 0.0, 1.0]}})["axes"]
{'q_ee': [-1.0, 0.0, 1.0]}
"""

from __future__ import annotations

from nujax.app.config import REQUIRED, boolean, either, number, string, validate_section
from nujax.errors import ConfigError

__all__ = ["SCAN_SCHEMA", "validate_scan_section"]


#: Generic names of EM properties (prefixes) → the kind of their matrix entries.
_GENERIC = {"millicharge": "q", "q_1e12": "q", "charge_radius": "r2", "r2_1e32": "r2",
            "anapole": "a", "a_1e32": "a"}


def _names(key, v):
    """The names of an ``axes`` or ``fixed`` table must be scan parameters or EM entries of
    ``[fit] parameters`` (generic property names get a pointer to their entries); returns the
    EM entry names."""
    from nujax.app.em_entries import EM_ENTRIES, EM_ENTRY_NAMES, EM_UNITS
    from nujax.inference.scan import SCAN_PARAMETERS

    for name in v if isinstance(v, dict) else ():
        if name in SCAN_PARAMETERS or name in EM_ENTRIES:
            continue
        kind = next((k for g, k in _GENERIC.items() if name.startswith(g)), None)
        if kind is not None:
            entries = ", ".join(n for n in EM_ENTRIES if n.split("_")[0] == kind)
            raise ConfigError(f"{key}.{name}", f"an EM property is set per matrix entry: {entries} "
                              f"[{EM_UNITS[kind]}] (the density-matrix quadratic EM model of "
                              "fit.parameters)")
        raise ConfigError(f"{key}.{name}", f"unknown scan parameter; known: "
                          f"{', '.join(SCAN_PARAMETERS)} and the EM entries {EM_ENTRY_NAMES} "
                          "(as in fit.parameters)")
    return tuple(EM_ENTRIES)


def _axes(key, v):
    from nujax.inference.scan import parse_axes

    em = _names(key, v)
    return {k: a.tolist() for k, a in parse_axes(v, prefix=f"{key}.", em_names=em).items()}


def _fixed(key, v):
    from nujax.inference.scan import parse_axes

    if not isinstance(v, dict):
        raise ConfigError(key, "must be a table of name = number")
    em = _names(key, v)
    out = {k: number()(f"{key}.{k}", x) for k, x in v.items()}
    if out:
        parse_axes({k: [x] for k, x in out.items()}, prefix=f"{key}.", em_names=em)  # domains
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
    name -> list or {linspace|logspace = [lo, hi, n]}), ``fixed`` (table: name -> number);
    names are :data:`nujax.inference.scan.SCAN_PARAMETERS` or the EM entries of ``[fit]
    parameters`` (:data:`nujax.app.em_entries.EM_ENTRIES`: ``r2_ee``, ``a_mumu``, ``q_ee``,
    ``q_emu`` …; μ [10⁻¹¹ μ_B], ⟨r²⟩ and a [10⁻³² cm²], q_ν [10⁻¹² e]), which
    :func:`nujax.app.scan_run.run_scan_config` adds to the scenario's quadratic EM model;
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
