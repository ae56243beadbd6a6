"""Observed binned spectra and energy tables from files: strict readers and round-trip writers.

An :class:`ObservedSpectrum` holds the bin edges [MeV], the counts per bin, the live time
[yr] and the exposure [tonne · yr] of a measurement. It is read from

* a CSV file (:func:`read_spectrum_csv`)::

      # live_time_d = 100.5
      # exposure_kg_d = 106.5
      E_lo_keV,E_hi_keV,counts
      12.0,13.0,41
      13.0,14.0,37

  metadata in ``# key = value`` lines with the unit in the key (``live_time_{yr,d,s}``,
  ``exposure_{t,kg}_{yr,d}``), energies in the column names (``E_lo_<unit>``, ``E_hi_<unit>``,
  unit eV, keV or MeV), contiguous bins;
* a HEPData table (YAML, :func:`read_hepdata`): one independent variable with ``low``/``high``
  bin bounds and declared energy units, one dependent variable of counts, and the qualifiers
  ``live time`` and ``exposure`` with their units (HEPData submission format,
  https://hepdata-submission.readthedocs.io).

Everything is validated: edges increasing and contiguous, counts finite and ≥ 0, every unit
declared and known. Each problem raises one :class:`DataFileError` naming the file and the line
(CSV and YAML) or key. :func:`read_energy_table` reads the tables of the detector response and
of tabulated background shapes with the same rules. Writers go through
:func:`nujax._io.atomic_path`.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nujax._io import atomic_path
from nujax.constants import YEAR_S

__all__ = ["DataFileError", "ObservedSpectrum", "ENERGY_UNITS", "read_spectrum",
           "read_spectrum_csv", "write_spectrum_csv", "read_hepdata", "write_hepdata",
           "read_energy_table"]

#: Energy units accepted in files → MeV.
ENERGY_UNITS = {"eV": 1e-6, "keV": 1e-3, "MeV": 1.0}
_TIME = {"yr": 1.0, "y": 1.0, "year": 1.0, "d": 1.0 / 365.25, "day": 1.0 / 365.25,
         "s": 1.0 / YEAR_S, "h": 1.0 / (365.25 * 24.0)}
_MASS = {"t": 1.0, "kg": 1e-3}


class DataFileError(ValueError):
    """A data file nujax cannot accept: the message is ``"<file>:<line or key>: <why>"``."""

    def __init__(self, path, where, why: str):
        self.path, self.where, self.why = os.fspath(path), str(where), str(why)
        super().__init__(f"{self.path}:{self.where}: {self.why}")


class ObservedSpectrum(NamedTuple):
    """A measured binned spectrum.

    Attributes
    ----------
    edges : numpy array (K+1,)
        Bin edges in the measured energy [MeV], strictly increasing.
    counts : numpy array (K,)
        Observed counts per bin (≥ 0).
    live_time_yr : float
        Live time [yr].
    exposure_t_yr : float
        Exposure [tonne · yr].
    source : str
        The file it came from (or ``""``).
    """

    edges: np.ndarray
    counts: np.ndarray
    live_time_yr: float
    exposure_t_yr: float
    source: str = ""


# ------------------------------------------------------------------------------------- helpers
def _number(path, where, text, what):
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise DataFileError(path, where, f"{what} is not a number: {text!r}") from None
    if not math.isfinite(v):
        raise DataFileError(path, where, f"{what} must be finite, got {text!r}")
    return v


def _time_factor(path, where, unit):
    if unit not in _TIME:
        raise DataFileError(path, where, f"unknown time unit {unit!r}; known: {', '.join(_TIME)}")
    return _TIME[unit]


def _exposure_factor(path, where, units):
    """tonne·yr per unit of 'kg d', 't yr', 'kg_d' …"""
    parts = [u for u in re.split(r"[ _*·]+", units.strip()) if u]
    if len(parts) != 2 or parts[0] not in _MASS or parts[1] not in _TIME:
        raise DataFileError(path, where, f"exposure units must be mass × time (e.g. 't yr', "
                            f"'kg d'), got {units!r}")
    return _MASS[parts[0]] * _TIME[parts[1]]


def _energy_unit(path, where, unit):
    if unit not in ENERGY_UNITS:
        raise DataFileError(path, where, f"unknown or missing energy unit {unit!r}; known: "
                            f"{', '.join(ENERGY_UNITS)}")
    return ENERGY_UNITS[unit]


def _check_edges(path, lines, lo, hi):
    for i in range(len(lo)):
        if not hi[i] > lo[i]:
            raise DataFileError(path, lines[i], f"bin upper edge {hi[i]!r} must exceed its lower "
                                f"edge {lo[i]!r}")
        if i and not lo[i] > lo[i - 1]:
            raise DataFileError(path, lines[i], "edges must increase from bin to bin")
        if i and not math.isclose(lo[i], hi[i - 1], rel_tol=1e-9, abs_tol=1e-12):
            raise DataFileError(path, lines[i], f"bins must be contiguous: lower edge {lo[i]!r} "
                                f"≠ previous upper edge {hi[i - 1]!r}")


def _check_counts(path, lines, counts):
    for ln, c in zip(lines, counts):
        if c < 0:
            raise DataFileError(path, ln, f"counts must be ≥ 0, got {c!r}")


# ------------------------------------------------------------------------------------------ CSV
def _read_csv(path):
    """(metadata {key: (value, line)}, header names, header line, rows [(line, fields)])."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, 0, f"cannot read: {exc.strerror or exc}") from None
    meta, header, hline, rows = {}, None, 0, []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            if "=" in body and header is None:
                k, v = (x.strip() for x in body.split("=", 1))
                meta[k] = (v, n)
            continue
        fields = [f.strip() for f in line.split(",")]
        if header is None:
            header, hline = fields, n
            if len(set(header)) != len(header) or any(not f for f in header):
                raise DataFileError(path, n, f"bad header {line!r}: empty or repeated column names")
            continue
        if len(fields) != len(header):
            raise DataFileError(path, n, f"expected {len(header)} fields ({', '.join(header)}), "
                                f"got {len(fields)}")
        rows.append((n, fields))
    if header is None:
        raise DataFileError(path, 1, "no header line (column names) found")
    if not rows:
        raise DataFileError(path, hline, "no data rows after the header")
    return meta, header, hline, rows


def _column(path, header, hline, pattern, what):
    hits = [(i, m) for i, h in enumerate(header) for m in [re.fullmatch(pattern, h)] if m]
    if len(hits) != 1:
        raise DataFileError(path, hline, f"bad header: need exactly one {what} column "
                            f"(got columns {', '.join(header)})")
    return hits[0]


def _meta_value(path, meta, prefix, factor_of, hline):
    keys = [k for k in meta if k.startswith(prefix + "_")]
    if len(keys) != 1:
        raise DataFileError(path, hline, f"missing '# {prefix}_<unit> = …' metadata line "
                            f"(e.g. {prefix}_{'yr' if prefix == 'live_time' else 't_yr'})")
    k = keys[0]
    val, ln = meta[k]
    v = _number(path, ln, val, k)
    if v <= 0:
        raise DataFileError(path, ln, f"{k} must be > 0, got {v!r}")
    return v * factor_of(path, ln, k[len(prefix) + 1:])


def read_spectrum_csv(path) -> ObservedSpectrum:
    """Read an :class:`ObservedSpectrum` from a CSV file (format in the module docstring).

    Raises
    ------
    DataFileError
        Naming the file and the line: bad header, missing or unknown unit, missing column,
        non-numeric field, decreasing or gapped edges, negative counts, missing metadata.
    """
    meta, header, hline, rows = _read_csv(path)
    unk = [h for h in header if not re.fullmatch(r"E_(lo|hi)_\w+|counts", h)]
    if unk:
        raise DataFileError(path, hline, f"bad header: unknown column(s) {unk}; expected "
                            "E_lo_<unit>, E_hi_<unit>, counts")
    i_lo, m_lo = _column(path, header, hline, r"E_lo_(\w+)", "E_lo_<unit>")
    i_hi, m_hi = _column(path, header, hline, r"E_hi_(\w+)", "E_hi_<unit>")
    i_c, _ = _column(path, header, hline, r"counts", "counts")
    if m_lo.group(1) != m_hi.group(1):
        raise DataFileError(path, hline, "E_lo and E_hi must use the same energy unit")
    f = _energy_unit(path, hline, m_lo.group(1))
    lines = [n for n, _ in rows]
    lo = [_number(path, n, r[i_lo], header[i_lo]) for n, r in rows]
    hi = [_number(path, n, r[i_hi], header[i_hi]) for n, r in rows]
    counts = [_number(path, n, r[i_c], "counts") for n, r in rows]
    _check_edges(path, lines, lo, hi)
    _check_counts(path, lines, counts)
    live = _meta_value(path, meta, "live_time", _time_factor, hline)
    expo = _meta_value(path, meta, "exposure", _exposure_factor, hline)
    edges = np.asarray(lo + [hi[-1]], float) * f
    return ObservedSpectrum(edges, np.asarray(counts, float), live, expo, os.fspath(path))


def write_spectrum_csv(spec: ObservedSpectrum, path, *, energy_unit: str = "keV") -> Path:
    """Write ``spec`` as CSV (read back identically by :func:`read_spectrum_csv`); atomic."""
    f = ENERGY_UNITS[energy_unit]
    e = np.asarray(spec.edges, float) / f
    lines = [f"# live_time_yr = {float(spec.live_time_yr)!r}",
             f"# exposure_t_yr = {float(spec.exposure_t_yr)!r}",
             f"E_lo_{energy_unit},E_hi_{energy_unit},counts"]
    lines += [f"{float(e[i])!r},{float(e[i + 1])!r},{float(c)!r}" for i, c in enumerate(spec.counts)]
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Path(path)


def read_energy_table(path, columns, *, energy_column: str = "E") -> dict:
    """Read a CSV table of functions of energy: ``E_<unit>`` plus the named ``columns``.

    A column given as ``"name_*"`` is energy-valued: the file names it ``name_<unit>`` and it is
    returned in MeV under ``"name_MeV"``. Returns a dict with ``"E_MeV"`` (strictly increasing)
    and one float array per column, every value finite; :class:`DataFileError` naming the file
    and line otherwise.
    """
    _, header, hline, rows = _read_csv(path)
    i_e, m = _column(path, header, hline, rf"{re.escape(energy_column)}_(\w+)",
                     f"{energy_column}_<unit>")
    f = _energy_unit(path, hline, m.group(1))
    out = {"E_MeV": np.asarray([_number(path, n, r[i_e], header[i_e]) for n, r in rows]) * f}
    for c in columns:
        scale, key = 1.0, c
        if c.endswith("_*"):              # an energy-valued column: name_<unit>, returned in MeV
            j, mu = _column(path, header, hline, rf"{re.escape(c[:-2])}_(\w+)", f"{c[:-2]}_<unit>")
            scale, key = _energy_unit(path, hline, mu.group(1)), f"{c[:-2]}_MeV"
        elif c in header:
            j = header.index(c)
        else:
            raise DataFileError(path, hline, f"missing column {c!r} (got {', '.join(header)})")
        out[key] = scale * np.asarray([_number(path, n, r[j], header[j]) for n, r in rows])
    d = np.diff(out["E_MeV"])
    if np.any(d <= 0):
        raise DataFileError(path, rows[int(np.argmax(d <= 0)) + 1][0],
                            "energies must increase strictly")
    return out


# -------------------------------------------------------------------------------------- HEPData
def _yaml_nodes(path):
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, 0, f"cannot read: {exc.strerror or exc}") from None
    try:
        return yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(path, (mark.line + 1) if mark else 0,
                            f"malformed YAML: {getattr(exc, 'problem', exc)}") from None


def _where(node, key):
    return f"{node.start_mark.line + 1} ({key})"


def _get(path, node, key, trail, kind=None):
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise DataFileError(path, _where(node, trail), "expected a mapping")
    for k, v in node.value:
        if k.value == key:
            if kind is not None and not isinstance(v, kind):
                raise DataFileError(path, _where(v, f"{trail}.{key}"),
                                    f"expected a {'list' if kind is yaml.SequenceNode else 'value'}")
            return v
    raise DataFileError(path, _where(node, trail), f"missing key {key!r}")


def read_hepdata(path, *, dependent: int = 0) -> ObservedSpectrum:
    """Read an :class:`ObservedSpectrum` from a HEPData table (YAML).

    Parameters
    ----------
    path : str or os.PathLike
        One table file of a HEPData submission.
    dependent : int
        Index of the dependent variable holding the counts.

    The independent variable needs ``units`` (eV, keV, MeV) and ``low``/``high`` bins; the
    dependent variable's qualifiers must give ``live time`` (units yr, d, s) and ``exposure``
    (units mass × time, e.g. ``kg d``). Errors name the file, the line and the key.
    """
    import yaml

    seq, sc = yaml.SequenceNode, yaml.ScalarNode
    root = _yaml_nodes(path)
    if root is None:
        raise DataFileError(path, 1, "empty file")
    ind = _get(path, root, "independent_variables", "", seq)
    dep = _get(path, root, "dependent_variables", "", seq)
    if len(ind.value) != 1:
        raise DataFileError(path, _where(ind, "independent_variables"),
                            "need exactly one independent variable (the energy)")
    if not 0 <= dependent < len(dep.value):
        raise DataFileError(path, _where(dep, "dependent_variables"),
                            f"no dependent variable {dependent}")
    iv, dv = ind.value[0], dep.value[dependent]
    t_i, t_d = "independent_variables[0]", f"dependent_variables[{dependent}]"
    hdr = _get(path, iv, "header", t_i)
    unit = _get(path, hdr, "units", f"{t_i}.header", sc)
    f = _energy_unit(path, _where(unit, f"{t_i}.header.units"), unit.value)
    ivals = _get(path, iv, "values", t_i, seq).value
    dnode = _get(path, dv, "values", t_d, seq)
    dvals = dnode.value
    if len(ivals) != len(dvals) or not ivals:
        raise DataFileError(path, _where(dnode, f"{t_d}.values"),
                            f"{len(dvals)} values for {len(ivals)} bins")
    lo, hi, counts, lines = [], [], [], []
    for i, (a, b) in enumerate(zip(ivals, dvals)):
        ka, kb = f"{t_i}.values[{i}]", f"{t_d}.values[{i}]"
        lo.append(_number(path, _where(a, ka + ".low"), _get(path, a, "low", ka, sc).value, "low"))
        hi.append(_number(path, _where(a, ka + ".high"), _get(path, a, "high", ka, sc).value,
                          "high"))
        counts.append(_number(path, _where(b, kb + ".value"),
                              _get(path, b, "value", kb, sc).value, "value"))
        lines.append(_where(b, kb))
    _check_edges(path, [_where(a, f"{t_i}.values[{i}]") for i, a in enumerate(ivals)], lo, hi)
    _check_counts(path, lines, counts)
    quals = {}
    try:
        qnode = _get(path, dv, "qualifiers", t_d, seq)
    except DataFileError:
        qnode = None
    for j, q in enumerate(qnode.value if qnode is not None else []):
        kq = f"{t_d}.qualifiers[{j}]"
        name = _get(path, q, "name", kq, sc).value.strip().lower().replace("_", " ")
        quals[name] = (q, kq)
    out = []
    for name, conv in (("live time", _time_factor), ("exposure", _exposure_factor)):
        if name not in quals:
            raise DataFileError(path, _where(dv, t_d), f"missing qualifier {name!r} (with units)")
        q, kq = quals[name]
        val = _number(path, _where(q, kq + ".value"), _get(path, q, "value", kq, sc).value, name)
        try:
            u = _get(path, q, "units", kq, sc)
        except DataFileError:
            raise DataFileError(path, _where(q, kq), f"qualifier {name!r} declares no units") from None
        if val <= 0:
            raise DataFileError(path, _where(q, kq + ".value"), f"{name} must be > 0")
        out.append(val * conv(path, _where(u, kq + ".units"), u.value))
    edges = np.asarray(lo + [hi[-1]], float) * f
    return ObservedSpectrum(edges, np.asarray(counts, float), out[0], out[1], os.fspath(path))


def write_hepdata(spec: ObservedSpectrum, path, *, energy_unit: str = "keV") -> Path:
    """Write ``spec`` as a HEPData table (read back by :func:`read_hepdata`); atomic."""
    import yaml

    f = ENERGY_UNITS[energy_unit]
    e = [float(x) / f for x in np.asarray(spec.edges, float)]
    doc = {"independent_variables": [{"header": {"name": "E", "units": energy_unit},
                                      "values": [{"low": e[i], "high": e[i + 1]}
                                                 for i in range(len(e) - 1)]}],
           "dependent_variables": [{"header": {"name": "counts", "units": ""},
                                    "qualifiers": [{"name": "live time", "units": "yr",
                                                    "value": float(spec.live_time_yr)},
                                                   {"name": "exposure", "units": "t yr",
                                                    "value": float(spec.exposure_t_yr)}],
                                    "values": [{"value": float(c)} for c in spec.counts]}]}
    with atomic_path(path) as tmp:
        tmp.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return Path(path)


def read_spectrum(path) -> ObservedSpectrum:
    """Read a spectrum by suffix: ``.csv`` (:func:`read_spectrum_csv`) or ``.yaml``/``.yml``
    (:func:`read_hepdata`)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_spectrum_csv(path)
    if suffix in (".yaml", ".yml"):
        return read_hepdata(path)
    raise DataFileError(path, 0, "unknown data format: use .csv or a HEPData .yaml table")
