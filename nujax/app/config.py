"""One schema engine for every TOML section nujax reads (scenarios, quick-look commands, scans).

A *schema* maps each key of a section to ``(checker, default)``. A checker is a function
``check(key, value) -> value`` that returns the normalised value or raises
:class:`nujax.errors.ConfigError` naming the dotted ``key``; the default is filled in when the key
is absent (:data:`REQUIRED` marks a key that must be given). :func:`validate_section` applies a
schema to one table; the checker factories below (:func:`number`, :func:`string`,
:func:`boolean`, :func:`number_list`, :func:`string_list`, :func:`bin_range`, :func:`table`,
:func:`either`) are the only type checks of the application layer.

>>> schema = {"mass_t": (number(0.0, lo_open=True), 1.0), "name": (string(), REQUIRED)}
>>> validate_section("detector", {"name": "hellaz"}, schema)
{'mass_t': 1.0, 'name': 'hellaz'}
>>> validate_section("detector", {"name": "x", "mass_t": -1}, schema)
Traceback (most recent call last):
...
nujax.errors.ConfigError: detector.mass_t: must be > 0.0, got -1
>>> validate_section("detector", {"name": "x", "colour": 1}, schema)
Traceback (most recent call last):
...
nujax.errors.ConfigError: detector.colour: unknown key; known: mass_t, name
"""

from __future__ import annotations

import copy
import math
import os
import sys
from pathlib import Path

from nujax.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["REQUIRED", "number", "string", "boolean", "number_list", "string_list", "bin_range",
           "table", "either", "check_unknown", "validate_section", "read_toml", "dotted"]

#: Default marking a key that must be given.
REQUIRED = object()


def dotted(prefix: str, key) -> str:
    """``prefix.key`` (or ``key`` alone when the prefix is empty)."""
    return f"{prefix}.{key}" if prefix else str(key)


def number(lo=None, hi=None, *, lo_open=False, hi_open=False, integer=False):
    """Checker of a finite number in [lo, hi] (open ends with ``lo_open``/``hi_open``).

    Returns ``int`` with ``integer=True``, else ``float``; booleans are refused.
    """
    def check(key, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(key, f"must be a number, got {type(v).__name__} {v!r}")
        if integer and int(v) != v:
            raise ConfigError(key, f"must be an integer, got {v!r}")
        if not math.isfinite(v):
            raise ConfigError(key, f"must be finite, got {v!r}")
        if lo is not None and (v < lo or (lo_open and v == lo)):
            raise ConfigError(key, f"must be {'>' if lo_open else '≥'} {lo}, got {v!r}")
        if hi is not None and (v > hi or (hi_open and v == hi)):
            raise ConfigError(key, f"must be {'<' if hi_open else '≤'} {hi}, got {v!r}")
        return int(v) if integer else float(v)
    return check


def string(choices=None, *, nonempty=False):
    """Checker of a string (one of ``choices`` when given; not empty with ``nonempty``)."""
    def check(key, v):
        if not isinstance(v, str) or (nonempty and not v):
            kind = "a non-empty string" if nonempty else "a string"
            raise ConfigError(key, f"must be {kind}, got {type(v).__name__} {v!r}")
        if choices is not None and v not in choices:
            raise ConfigError(key, f"must be one of {', '.join(choices)}; got {v!r}")
        return v
    return check


def boolean(key, v):
    """Checker of ``true`` / ``false``."""
    if not isinstance(v, bool):
        raise ConfigError(key, f"must be true or false, got {v!r}")
    return v


def number_list(lo=None, *, increasing=False, min_len=1):
    """Checker of a list of ≥ ``min_len`` numbers ≥ ``lo`` (strictly increasing if asked)."""
    def check(key, v):
        if not isinstance(v, (list, tuple)) or len(v) < min_len:
            raise ConfigError(key, f"must be a list of ≥ {min_len} numbers, got {v!r}")
        out = [number(lo)(f"{key}[{i}]", x) for i, x in enumerate(v)]
        if increasing and any(b <= a for a, b in zip(out, out[1:])):
            raise ConfigError(key, "must be strictly increasing")
        return out
    return check


def string_list(choices=None, *, single_ok=False, what="strings"):
    """Checker of a non-empty list of non-empty strings (drawn from ``choices`` if given).

    ``single_ok`` accepts one string for a one-element list.
    """
    def check(key, v):
        if single_ok and isinstance(v, str):
            v = [v]
        if not isinstance(v, (list, tuple)) or not v or not all(isinstance(x, str) and x for x in v):
            raise ConfigError(key, f"must be a list of {what}, got {v!r}")
        if choices is not None:
            for i, x in enumerate(v):
                if x not in choices:
                    raise ConfigError(f"{key}[{i}]", f"unknown {x!r}; known: {', '.join(choices)}")
        return list(v)
    return check


def table(schema: dict, what: str = ""):
    """Checker of a nested table validated by ``schema`` (defaults filled in)."""
    def check(key, v):
        if not isinstance(v, dict):
            raise ConfigError(key, f"must be a table{' ' + what if what else ''}, got {v!r}")
        return validate_section(key, v, schema)
    return check


def either(literal, checker):
    """Checker accepting the exact value ``literal`` or whatever ``checker`` accepts."""
    def check(key, v):
        return v if isinstance(v, type(literal)) and v == literal else checker(key, v)
    return check


def bin_range(key, v):
    """Checker of a ``{min, max, n[, log]}`` table of bin edges (min ≥ 0, max > min, n ≥ 1)."""
    if not isinstance(v, dict):
        raise ConfigError(key, f"must be a table {{min, max, n}}, got {v!r}")
    out = validate_section(key, v, _RANGE)
    if out["max"] <= out["min"]:
        raise ConfigError(f"{key}.max", f"must exceed min = {out['min']}, got {out['max']}")
    if out["log"] and out["min"] <= 0:
        raise ConfigError(f"{key}.min", "must be > 0 for logarithmic bins")
    return out


_RANGE = {"min": (number(0.0), REQUIRED), "max": (number(0.0, lo_open=True), REQUIRED),
          "n": (number(1, integer=True), REQUIRED), "log": (boolean, False)}


def check_unknown(prefix: str, values: dict, known) -> None:
    """ConfigError naming the first key of ``values`` that is not in ``known``."""
    for k in values:
        if k not in known:
            raise ConfigError(dotted(prefix, k), f"unknown key; known: {', '.join(known)}")


def validate_section(prefix: str, values, schema: dict, *, defaults: bool = True) -> dict:
    """Validate the table ``values`` against ``schema``; keys are reported as ``prefix.key``.

    Parameters
    ----------
    prefix : str
        Dotted path of the table (``"detector"``, ``"scan"``, ``"fit.nuts"`` …).
    values : dict
        The table as read from TOML (not modified).
    schema : dict
        key -> (checker, default); :data:`REQUIRED` marks required keys. A key given as ``None``
        (possible from Python, not TOML) keeps a ``None`` default.
    defaults : bool
        Fill in defaults of absent keys and require the :data:`REQUIRED` ones (else only the
        given keys are validated and returned: a partial table, e.g. command-line options).

    Returns
    -------
    dict
        The validated values, in schema order.

    Raises
    ------
    ConfigError
        For a non-table, an unknown key (listing the known ones), a missing required key, or a
        value its checker refuses.
    """
    if not isinstance(values, dict):
        raise ConfigError(prefix, f"must be a table, got {values!r}")
    check_unknown(prefix, values, tuple(schema))
    out = {}
    for k, (check, default) in schema.items():
        key = dotted(prefix, k)
        if k in values and not (values[k] is None and default is None):
            out[k] = check(key, values[k])
        elif not defaults:
            continue
        elif default is REQUIRED:
            raise ConfigError(key, "missing")
        else:
            out[k] = copy.deepcopy(default)
    return out


def read_toml(path, *, key=None) -> dict:
    """Parse the TOML file ``path``; ConfigError (key ``key``, default the path) if unreadable.

    Messages: ``cannot read <path>: <reason>`` and ``invalid TOML in <path>: <parser message>``.
    """
    path = Path(os.fspath(path))
    key = str(path) if key is None else key
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ConfigError(key, f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(key, f"invalid TOML in {path}: {exc}") from None
