"""The quick-look commands ``nujax xsec``, ``rate`` and ``asymmetry``: cross sections, event rates
and azimuthal asymmetries.

The settings come from keyword arguments or from a small TOML file with one section per command,
validated key by key by the schema engine :mod:`nujax.app.config` (an unknown or ill-typed entry
raises :class:`nujax.errors.ConfigError` naming the dotted key)::

    [xsec]                      [rate]                        [asymmetry]
    enu = 0.862   # MeV         detector = "hellaz"           detector = "hellaz"
    T = 0.2       # MeV         sources = ["pp", "7Be"]       sources = ["pp"]
    mu = 3.0      # 1e-11 μB    mu = 3.0                      mu = 3.0
    pe = 0.5                    pe = 0.5                      pe = 0.5
    flavor = "nue"              threshold_keV = 100.0
    sin2w = 0.23

>>> resolve_settings("rate")["sources"]
['pp', '7Be']
"""

from __future__ import annotations

import math
import os

import numpy as np

from nujax.app.config import (REQUIRED, number, read_toml, string, string_list,
                              validate_section)
from nujax.errors import ConfigError

__all__ = ["QUICK_KEYS", "LINES", "load_quick_config", "resolve_settings", "line_cross_sections",
           "rate_numbers", "is_electron_target", "nuclear_dsigma_dT"]

_ELECTRON = ("e", "electron", "electrons")


def is_electron_target(target: str) -> bool:
    """True for the electron target ("e", "electron"); anything else names nuclei or a material."""
    return str(target).strip().lower() in _ELECTRON


def nuclear_dsigma_dT(target: str, enu: float, T: float, mu: float, pe: float, flavor: str,
                      sin2w: float):
    """CEνNS dσ/dT (weak, em) [MeV⁻³] on the nuclei of ``target`` (an isotope "Xe132", a natural
    element "Xe" or a material "CsI"), abundance-weighted per nucleus of the material (seed 002
    eq. (15) through :class:`nujax.targets.NucleusTarget`, φ-integrated: 2π × per radian)."""
    import math

    from nujax.detector.materials import get_material
    from nujax.nuclei import get_nucleus
    from nujax.targets import CompactOptions, Component, NucleusTarget

    try:
        nuclei = [(get_nucleus(target), 1.0)]
    except ValueError:
        try:
            mat = get_material(target)
        except ValueError:
            raise ConfigError("target", f"unknown target {target!r}: give e, an isotope (Xe132), "
                              "an element (Xe, Ar, Ge, Cs, I, Na) or a material (CsI, NaI)") from None
        total = sum(n for _, n in mat.composition)
        nuclei = [(get_nucleus(el), n / total) for el, n in mat.composition]
    weak = em = 0.0
    tgt = NucleusTarget()
    for nuc, share in nuclei:
        for iso, ab in nuc.isotopes:
            kern = tgt.kernel(Component(iso.name, iso.mass, 1.0, None, iso), None, pe, sin2w,
                              CompactOptions(flavor=flavor))
            w, m, _ = kern(enu, T)
            weak = weak + 2 * math.pi * share * ab * w
            em = em + 2 * math.pi * share * ab * mu * mu * m
    return weak, em

_NONNEG = number(0.0)
_RATE = {"detector": (string(nonempty=True), "hellaz"),
         "sources": (string_list(single_ok=True, what="source names"), ["pp", "7Be"]),
         "mu": (_NONNEG, 3.0), "pe": (number(0.0, 1.0), 0.5), "threshold_keV": (_NONNEG, None),
         "target": (string(nonempty=True), "e")}

#: Schema of each command's section (:mod:`nujax.app.config`): key -> (checker, default).
QUICK_KEYS = {
    "xsec": {"enu": (_NONNEG, REQUIRED), "T": (_NONNEG, REQUIRED), "mu": (_NONNEG, 0.0),
             "pe": (number(0.0, 1.0), 1.0), "flavor": (string(nonempty=True), "nue"),
             "sin2w": (number(0.0, 1.0), None), "target": (string(nonempty=True), "e")},
    "rate": _RATE,
    "asymmetry": _RATE,
}

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
    raw = read_toml(path, key="config")
    for name, section in raw.items():
        if name not in QUICK_KEYS:
            raise ConfigError(name, f"unknown section; known: {', '.join(QUICK_KEYS)}")
        if not isinstance(section, dict):
            raise ConfigError(name, "must be a [section] table")
    if command not in raw:
        raise ConfigError(command, f"section [{command}] missing in {os.fspath(path)}")
    return validate_section(command, raw[command], QUICK_KEYS[command], defaults=False)


def resolve_settings(command: str, config: dict | None = None, **options) -> dict:
    """Settings of ``command``: command-line ``options`` (None: not given) over ``config`` over defaults.

    Every value is validated (:class:`ConfigError` with the dotted key); a required setting that
    is missing raises ConfigError too.
    """
    schema = QUICK_KEYS[command]
    given = {k: v for k, v in options.items() if v is not None}
    merged = {**(config or {}), **validate_section(command, given, schema, defaults=False)}
    for key, (_, default) in schema.items():
        if default is REQUIRED and key not in merged:
            raise ConfigError(f"{command}.{key}", "required (give the option or the config key)")
    return {**validate_section(command, {}, {k: v for k, v in schema.items()
                                             if v[1] is not REQUIRED}), **merged}


def line_cross_sections(mu_1e11: float, threshold: float, sin2w: float, lines=LINES) -> list[dict]:
    """Integrated ν e cross sections above ``threshold`` [MeV] for monoenergetic lines.

    σ = ∫_{T_th}^{T_max} dσ/dT dT (seed 000 eqs. (1)–(3)) with Gauss–Legendre nodes in log T (the
    magnetic term goes as 1/T). Returns rows {label, flavor, enu [MeV], weak, em [10⁻⁴⁵ cm²]}.
    """
    import jax.numpy as jnp

    import nujax
    from nujax.constants import M_E
    from nujax.xsec.common import to_cm2
    from nujax.kinematics import t_max
    from nujax.sources import gauss_legendre

    if not (math.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a positive number [MeV], got {threshold!r}")
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
            # sums in MeV⁻² (any precision), cm² on the host in float64 (10⁻⁴⁵ underflows float32)
            row["weak"] = float(to_cm2(jnp.sum(wt * s.weak))) / 1e-45
            row["em"] = float(to_cm2(jnp.sum(wt * s.em))) / 1e-45
        rows.append(row)
    return rows


def rate_numbers(detector: str = "hellaz", sources=("pp", "7Be"), mu: float = 3.0, pe: float = 0.5,
                 threshold_keV: float | None = None, target: str = "e") -> list[dict]:
    """Events above threshold per source and in total, with the azimuthal asymmetry.

    ``target``: "e" (electron recoils) or a nuclear target material ("Xe", "Ar", "Ge", "CsI" …):
    CEνNS on the nuclei of that material, with the preset's exposure, threshold and quenching.

    Each row: {source, n_weak, n_em [events], n_int [events/rad], A, mu_star, A_star} from
    :func:`nujax.app.study.asymmetry_numbers` (seed 000 eqs. (12), (18), (20)); the last row is the
    sum over sources ("total").
    """
    import nujax
    from nujax.app.study import asymmetry_numbers

    over = {} if threshold_keV is None else {"threshold": threshold_keV * 1e-3}
    kind = "electron"
    if not is_electron_target(target):
        from nujax.detector.materials import get_material

        try:
            over["material"] = get_material(target)
        except ValueError:
            raise ConfigError("rate.target", f"unknown target {target!r}: give e or a material "
                              "(Xe, Ar, Ge, CsI, NaI …)") from None
        kind = "nucleus"
    det = nujax.preset(detector, **over)
    spectra = [nujax.get_source(s) for s in sources]
    rows = [{"source": name, **asymmetry_numbers(sp, det, mu, pe, target=kind)}
            for name, sp in zip(sources, spectra)]
    if len(rows) > 1:
        rows.append({"source": "total",
                     **asymmetry_numbers(sum(spectra, ()), det, mu, pe, target=kind)})
    return rows
