"""Quick numbers for the command line: cross sections, event rates and azimuthal asymmetries.

The settings come from keyword arguments or from a small TOML file with one section per command,
validated key by key (an unknown or ill-typed entry raises :class:`nujax.errors.ConfigError`
naming the dotted key)::

    [xsec]                      [rate]                        [asymmetry]
    enu = 0.862   # MeV         detector = "hellaz"           detector = "hellaz"
    T = 0.2       # MeV         sources = ["pp", "7Be"]       sources = ["pp"]
    mu = 3.0      # 1e-11 μB    mu = 3.0                      mu = 3.0
    pe = 0.5                    pe = 0.5                      pe = 0.5
    flavor = "nue"              threshold_keV = 100.0
    sin2w = 0.23

>>> QUICK_KEYS["rate"]["sources"][1]
['pp', '7Be']
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from nujax.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["QUICK_KEYS", "LINES", "load_quick_config", "resolve_settings", "line_cross_sections",
           "rate_numbers"]


def _number(key, v, lo=None, hi=None):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ConfigError(key, f"must be a finite number, got {v!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"[{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        raise ConfigError(key, f"must lie in {rng}, got {v!r}")
    return float(v)


def _string(key, v):
    if not isinstance(v, str) or not v:
        raise ConfigError(key, f"must be a non-empty string, got {v!r}")
    return v


def _strings(key, v):
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple)) or not v or not all(isinstance(x, str) and x for x in v):
        raise ConfigError(key, f"must be a list of source names, got {v!r}")
    return list(v)


_MU = (lambda k, v: _number(k, v, 0.0), 0.0)
_PE = (lambda k, v: _number(k, v, 0.0, 1.0), 1.0)

#: Accepted keys per command: name -> (checker(key, value) -> value, default; None: required).
QUICK_KEYS = {
    "xsec": {"enu": (lambda k, v: _number(k, v, 0.0), None), "T": (lambda k, v: _number(k, v, 0.0), None),
             "mu": _MU, "pe": _PE, "flavor": (_string, "nue"),
             "sin2w": (lambda k, v: _number(k, v, 0.0, 1.0), None)},
    "rate": {"detector": (_string, "hellaz"), "sources": (_strings, ["pp", "7Be"]),
             "mu": (_MU[0], 3.0), "pe": (_PE[0], 0.5),
             "threshold_keV": (lambda k, v: _number(k, v, 0.0), None)},
}
QUICK_KEYS["asymmetry"] = dict(QUICK_KEYS["rate"])

#: Neutrino lines of the cross-section table: (label, flavor, energy [MeV]); energies from the
#: decay data quoted in seeds 000/001 (⁷Be, pep solar lines; ⁵¹Cr artificial source).
LINES = (
    ("7Be (0.862 MeV)", "nue", 0.8613),
    ("pep (1.442 MeV)", "nue", 1.442),
    ("51Cr (0.746 MeV)", "nue", 0.7465),
    ("reactor-like 2 MeV", "nuebar", 2.0),
    ("8B-like 10 MeV", "nue", 10.0),
)


def load_quick_config(path: str | os.PathLike, command: str) -> dict:
    """The ``[command]`` section of the TOML file ``path``, validated (values not yet defaulted).

    Raises :class:`ConfigError` for an unreadable file or bad TOML (key ``"config"``), an unknown
    section, a missing ``[command]`` section, an unknown key or a bad value (dotted key).
    """
    if command not in QUICK_KEYS:
        raise ValueError(f"unknown command {command!r}; known: {', '.join(QUICK_KEYS)}")
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except OSError as err:
        raise ConfigError("config", f"cannot read {os.fspath(path)}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("config", f"invalid TOML in {os.fspath(path)}: {err}") from None
    for name, section in raw.items():
        if name not in QUICK_KEYS:
            raise ConfigError(name, f"unknown section; known: {', '.join(QUICK_KEYS)}")
        if not isinstance(section, dict):
            raise ConfigError(name, "must be a [section] table")
    if command not in raw:
        raise ConfigError(command, f"section [{command}] missing in {os.fspath(path)}")
    return _validate(command, raw[command])


def _validate(command, values: dict) -> dict:
    known = QUICK_KEYS[command]
    out = {}
    for key, v in values.items():
        if key not in known:
            raise ConfigError(f"{command}.{key}", f"unknown key; known: {', '.join(known)}")
        out[key] = known[key][0](f"{command}.{key}", v)
    return out


def resolve_settings(command: str, config: dict | None = None, **options) -> dict:
    """Settings of ``command``: command-line ``options`` (None: not given) over ``config`` over defaults.

    Every value is validated (:class:`ConfigError` with the dotted key); a required setting that
    is missing raises ConfigError too.
    """
    given = {k: v for k, v in options.items() if v is not None}
    merged = {**(config or {}), **_validate(command, given)}
    out = {}
    for key, (_, default) in QUICK_KEYS[command].items():
        if key in merged:
            out[key] = merged[key]
        elif default is None and key in ("enu", "T"):
            raise ConfigError(f"{command}.{key}", "required (give the option or the config key)")
        else:
            out[key] = default
    return out


def line_cross_sections(mu_1e11: float, threshold: float, sin2w: float, lines=LINES) -> list[dict]:
    """Integrated ν e cross sections above ``threshold`` [MeV] for monoenergetic lines.

    σ = ∫_{T_th}^{T_max} dσ/dT dT (seed 000 eqs. (1)–(3)) with Gauss–Legendre nodes in log T (the
    magnetic term goes as 1/T). Returns rows {label, flavor, enu [MeV], weak, em [10⁻⁴⁵ cm²]}.
    """
    import jax.numpy as jnp

    import nujax
    from nujax.constants import M_E, cm2_from_natural
    from nujax.kinematics import t_max
    from nujax.sources import gauss_legendre

    u, w = gauss_legendre(64)
    rows = []
    for label, flavor, enu in lines:
        tmax = float(t_max(enu, M_E))
        row = {"label": label, "flavor": flavor, "enu": enu, "weak": 0.0, "em": 0.0}
        if tmax > threshold:
            lo, hi = np.log(threshold), np.log(tmax)
            T = np.exp(lo + np.asarray(u) * (hi - lo))
            wt = np.asarray(w) * (hi - lo) * T
            s = nujax.dsigma_dT(jnp.full_like(T, enu), T, mu_1e11, flavor=flavor, sin2w=sin2w)
            row["weak"] = float(cm2_from_natural(jnp.sum(wt * s.weak))) / 1e-45
            row["em"] = float(cm2_from_natural(jnp.sum(wt * s.em))) / 1e-45
        rows.append(row)
    return rows


def rate_numbers(detector: str = "hellaz", sources=("pp", "7Be"), mu: float = 3.0, pe: float = 0.5,
                 threshold_keV: float | None = None) -> list[dict]:
    """Events above threshold per source and in total, with the azimuthal asymmetry.

    Each row: {source, n_weak, n_em [events], n_int [events/rad], A, mu_star, A_star} from
    :func:`nujax.study.asymmetry_numbers` (seed 000 eqs. (12), (18), (20)); the last row is the
    sum over sources ("total").
    """
    import nujax
    from nujax.study import asymmetry_numbers

    over = {} if threshold_keV is None else {"threshold": threshold_keV * 1e-3}
    det = nujax.preset(detector, **over)
    spectra = [nujax.get_source(s) for s in sources]
    rows = [{"source": name, **asymmetry_numbers(sp, det, mu, pe)} for name, sp in zip(sources, spectra)]
    if len(rows) > 1:
        rows.append({"source": "total", **asymmetry_numbers(sum(spectra, ()), det, mu, pe)})
    return rows
