"""Quenching: the electron-equivalent (visible) energy a detector measures for a recoil.

A :class:`Quenching` acts on nuclear recoils (``recoil="nuclear"``, the default) or on electron
recoils (``recoil="electron"``: a scintillator's non-linear energy scale, Birks' law or a table);
the rate engine applies it to the components of that kind only, through one mechanism.

A nuclear recoil of kinetic energy E_nr gives the signal of an electron recoil of energy
E_ee = Q(E_nr) E_nr (keV_ee), Q the quenching factor. A :class:`Quenching` is a frozen pytree:
its numbers (the Lindhard k, polynomial coefficients, a tabulated curve) are differentiable
leaves, so k can be a nuisance parameter of a fit; the model kind is static.

Models
------
* ``"lindhard"`` — J. Lindhard, V. Nielsen, M. Scharff, P. V. Thomsen, Mat. Fys. Medd. Dan. Vid.
  Selsk. 33 no. 10 (1963); in the parametrisation of J. D. Lewin and P. F. Smith, Astropart.
  Phys. 6 (1996) 87, sec. 5.1:

      Q = k g(ε)/(1 + k g(ε)),   g(ε) = 3 ε^0.15 + 0.7 ε^0.6 + ε,   ε = 11.5 Z^(−7/3) E_nr/keV,

  with k = 0.133 Z^(2/3) A^(−1/2) of the recoiling isotope unless a k is given (a leaf);
* ``"polynomial"`` — E_ee = Σ_i c_i E_nr^i (MeV), i = 1 … n (a fit: outside its calibrated range,
  3–60 keV_nr for the COHERENT CsI[Na] data, it is an extrapolation);
* ``"table"`` — Q tabulated against E_nr (from a file or arrays), interpolated with a monotone
  cubic (``interpax.interp1d``, ``method="monotonic"``; differentiable in the table values),
  held at the end values outside the table;
* ``"birks"`` (electron recoils) — Birks' law, E_vis(E) = ∫₀^E dE'/(1 + k_B S(E')) with S the
  electron stopping power of the scintillator (:mod:`nujax.detector.birks`); the leaf ``k`` is
  k_B [cm/MeV] (a differentiable nuisance; k_B = 0 is the linear scale E_vis = E), ``coeffs`` =
  (density [g/cm³], mean excitation energy I [eV]) and ``material`` the scintillator.

For electron recoils the energy arguments named ``E_nr`` below are the true electron kinetic
energy and ``E_ee`` the visible energy.

Defaults (:data:`QUENCHING_DEFAULTS`, used by the presets)
------------------------------------------------------------
* CsI[Na]: the COHERENT quenching polynomial of the full CsI[Na] data set, E_ee = 0.0554628 E_nr
  + 4.30681 E_nr² − 111.707 E_nr³ + 840.384 E_nr⁴ (MeV) — D. Akimov et al. (COHERENT), Phys.
  Rev. Lett. 129 (2022) 081801 (arXiv:2110.07730) and its data release; response measurements in
  D. Akimov et al., JINST 17 (2022) P10034 (arXiv:2111.02477);
* Ge: Lindhard with k = 0.162 ± 0.004, measured between 0.4 and 6.3 keV_nr for CONUS (A. Bonhomme
  et al., "Direct measurement of the ionization quenching factor of nuclear recoils in germanium
  in the keV energy range", abstract; journal reference not verified here); B. J. Scholz et al.
  (arXiv:1608.03588) find k = 0.179 ± 0.001 (Dresden-II uses its own iron-filter data);
* Ar, Xe: Lindhard with the formula's own k = 0.133 Z^(2/3) A^(−1/2) (k ≈ 0.144 for ⁴⁰Ar, 0.166
  for ¹³²Xe). Liquid-noble TPCs reconstruct the recoil energy from S1/S2 rather than a single
  quenched scale; the Lindhard curve is the conventional ionisation-yield reference there.

The inverse E_nr(E_ee) (bin edges in E_ee → E_nr) solves E_ee = Q(E_nr) E_nr by a fixed point
iteration E_nr ← E_ee/Q(E_nr) followed by Newton steps; the last Newton step carries the
derivatives (implicit function theorem), so d E_nr/d E_ee = 1/E_ee'(E_nr) and d E_nr/dk are exact.
"""

from __future__ import annotations

import dataclasses
import functools
import os

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.detector.birks import BIRKS_KB_BOREXINO
from nujax.detector.birks import quenching_factor as _birks_factor

__all__ = ["Quenching", "lindhard", "birks_quenching", "polynomial_quenching",
           "tabulated_quenching",
           "quenching_from_file", "lindhard_k", "lindhard_factor", "quenching_factor",
           "electron_equivalent", "nuclear_recoil_energy", "dEee_dEnr", "QUENCHING_DEFAULTS",
           "get_quenching"]

KINDS = ("lindhard", "polynomial", "table", "birks")
RECOILS = ("nuclear", "electron")


@functools.partial(jax.tree_util.register_dataclass, data_fields=["k", "coeffs", "E_nr", "qf"],
                   meta_fields=["kind", "name", "recoil", "material"])
@dataclasses.dataclass(frozen=True)
class Quenching:
    """A quenching model E_ee(E_nr) (module docstring); build it with the factory functions.

    Attributes
    ----------
    k : array
        Lindhard k (``kind="lindhard"``); a negative value selects k = 0.133 Z^(2/3) A^(−1/2) of
        each recoiling isotope. Birks k_B [cm/MeV] (``kind="birks"``).
    coeffs : array (n,)
        Polynomial coefficients c₁ … c_n of E_ee = Σ c_i E_nr^i [MeV^(1−i)] (``"polynomial"``);
        (density [g/cm³], I [eV]) of the scintillator (``"birks"``).
    E_nr, qf : arrays
        Tabulated recoil energies [MeV] and quenching factors (``"table"``).
    kind : str (static)
        "lindhard", "polynomial", "table" or "birks".
    name : str (static)
        Label.
    recoil : str (static)
        "nuclear" or "electron": the recoils the engine quenches with this model.
    material : str (static)
        The scintillator of a Birks model (its electron density enters the stopping power).
    """

    k: jax.Array
    coeffs: jax.Array
    E_nr: jax.Array
    qf: jax.Array
    kind: str = "lindhard"
    name: str = ""
    recoil: str = "nuclear"
    material: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"quenching kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.recoil not in RECOILS:
            raise ValueError(f"quenching recoil must be one of {', '.join(RECOILS)}, "
                             f"got {self.recoil!r}")
        want = {"lindhard": "nuclear", "birks": "electron"}.get(self.kind, self.recoil)
        if self.recoil != want:
            raise ValueError(f"{self.kind} quenching applies to {want} recoils, not {self.recoil}")


_EMPTY = np.zeros(0)


def lindhard(k=None, name="Lindhard") -> Quenching:
    """Lindhard quenching; ``k`` None: k = 0.133 Z^(2/3) A^(−1/2) of each recoiling isotope.

    >>> q = lindhard(0.162)
    >>> round(float(quenching_factor(q, 0.005, 32, 72)), 4)      # Ge, 5 keV_nr
    0.2177
    """
    if k is not None and is_concrete(k) and not float(k) > 0:
        raise ValueError(f"Lindhard k must be > 0, got {k!r}")
    return Quenching(jnp.asarray(-1.0 if k is None else k, dtype=float), jnp.asarray(_EMPTY),
                     jnp.asarray(_EMPTY), jnp.asarray(_EMPTY), "lindhard", name)


def polynomial_quenching(coeffs, name="polynomial", recoil="nuclear") -> Quenching:
    """E_ee = Σ_{i≥1} c_i E_nr^i [MeV], ``coeffs`` = (c₁, c₂, …) with c₁ > 0; ``recoil``
    "nuclear" or "electron"."""
    c = np.asarray(coeffs, float) if is_concrete(coeffs) else None
    if c is not None and (c.ndim != 1 or c.size < 1 or not np.all(np.isfinite(c)) or c[0] <= 0):
        raise ValueError("coeffs must be a 1-D list of finite polynomial coefficients (c1, c2, …) "
                         "of E_ee(E_nr) [MeV] with c1 > 0")
    return Quenching(jnp.asarray(0.0), jnp.asarray(coeffs, dtype=float), jnp.asarray(_EMPTY),
                     jnp.asarray(_EMPTY), "polynomial", name, recoil)


def tabulated_quenching(E_nr_keV, qf, name="table", recoil="nuclear") -> Quenching:
    """A tabulated quenching curve Q(E): ``E_nr_keV`` increasing true recoil energies [keV],
    ``qf`` = E_visible/E in (0, 1]; ``recoil`` "nuclear" or "electron" (a tabulated non-linear
    electron energy scale)."""
    if is_concrete(E_nr_keV) and is_concrete(qf):
        e, q = np.asarray(E_nr_keV, float), np.asarray(qf, float)
        if e.ndim != 1 or e.size < 2 or np.any(np.diff(e) <= 0) or np.any(e <= 0):
            raise ValueError("E_nr_keV must be a 1-D increasing list of ≥ 2 positive energies")
        if q.shape != e.shape or np.any(~np.isfinite(q)) or np.any(q <= 0) or np.any(q > 1):
            raise ValueError("qf must have the shape of E_nr_keV with values in (0, 1]")
    return Quenching(jnp.asarray(0.0), jnp.asarray(_EMPTY),
                     jnp.asarray(E_nr_keV, dtype=float) * 1e-3, jnp.asarray(qf, dtype=float),
                     "table", name, recoil)


def birks_quenching(kB=BIRKS_KB_BOREXINO, *, material="pseudocumene", density_g_cm3=0.876,
                    mean_excitation_eV=60.0, name="Birks") -> Quenching:
    """Birks' law for electron recoils in a scintillator (:mod:`nujax.detector.birks`).

    ``kB`` [cm/MeV] ≥ 0 (a differentiable leaf; 0: linear scale), ``density_g_cm3`` [g/cm³],
    ``mean_excitation_eV`` [eV]; defaults: the Borexino-like pseudocumene of that module.

    >>> q = birks_quenching(0.0115)
    >>> round(float(quenching_factor(q, 1.0, 0, 1)), 3)          # 1 MeV electron
    0.97
    """
    if is_concrete(kB) and not float(kB) >= 0:
        raise ValueError(f"Birks kB must be >= 0 [cm/MeV], got {kB!r}")
    for label, v in (("density_g_cm3", density_g_cm3), ("mean_excitation_eV", mean_excitation_eV)):
        if is_concrete(v) and not float(v) > 0:
            raise ValueError(f"{label} must be > 0, got {v!r}")
    from nujax.detector.materials import get_material

    get_material(material)                                       # a clear error for a bad name
    return Quenching(jnp.asarray(kB, dtype=float),
                     jnp.asarray([density_g_cm3, mean_excitation_eV], dtype=float),
                     jnp.asarray(_EMPTY), jnp.asarray(_EMPTY), "birks", name, "electron", material)


def quenching_from_file(path: str | os.PathLike, name=None, recoil="nuclear") -> Quenching:
    """A tabulated curve from a CSV file with columns ``E_<unit>`` (recoil energy: keV, MeV …)
    and ``Q``; read strictly by :func:`nujax.data_io.read_energy_table` (errors name the file
    and line)."""
    from nujax.data_io import read_energy_table

    cols = read_energy_table(path, ("Q",))
    return tabulated_quenching(cols["E_MeV"] * 1e3, cols["Q"],
                               name or os.path.basename(os.fspath(path)), recoil)


def lindhard_k(Z, A):
    """k = 0.133 Z^(2/3) A^(−1/2) (Lindhard et al. 1963; Lewin & Smith 1996 sec. 5.1).

    >>> round(lindhard_k(32, 72.63), 3)
    0.157
    """
    return 0.133 * Z ** (2.0 / 3.0) / A ** 0.5


def lindhard_factor(E_nr, Z, k):
    """Lindhard Q(E_nr) for recoils of charge Z, E_nr [MeV]; Q → 0 as E_nr → 0 (gradient-safe)."""
    eps = 11.5 * Z ** (-7.0 / 3.0) * (E_nr * 1e3)                  # Lewin & Smith sec. 5.1
    ok = eps > 0
    es = jnp.where(ok, eps, 1.0)
    g = 3.0 * es ** 0.15 + 0.7 * es ** 0.6 + es
    return jnp.where(ok, k * g / (1.0 + k * g), 0.0)


def _k_of(q, Z, A):
    return jnp.where(q.k > 0, q.k, lindhard_k(Z, A))


def _table_qf(q, E_nr):
    from interpax import interp1d

    x = jnp.clip(E_nr, q.E_nr[0], q.E_nr[-1])
    flat = interp1d(x.reshape(-1), q.E_nr, q.qf, method="monotonic")   # interp1d wants 1-D x
    return flat.reshape(x.shape)


def quenching_factor(q: Quenching, E_nr, Z, A):
    """Q(E_nr) = E_ee/E_nr for a recoiling isotope (Z, A); ``E_nr`` [MeV]."""
    E_nr = jnp.asarray(E_nr, dtype=jnp.result_type(float))
    if q.kind == "lindhard":
        return lindhard_factor(E_nr, Z, _k_of(q, Z, A))
    if q.kind == "polynomial":
        return jnp.polyval(q.coeffs[::-1], E_nr)                     # E_ee/E_nr = Σ c_i E^(i−1)
    if q.kind == "birks":                                            # Birks 1951 (birks module)
        return _birks_factor(E_nr, kB_cm_per_MeV=q.k, material=q.material,
                             density_g_cm3=q.coeffs[0], mean_excitation_eV=q.coeffs[1])
    return _table_qf(q, E_nr)


def electron_equivalent(q: Quenching | None, E_nr, Z=0, A=1):
    """E_ee = Q(E_nr) E_nr [MeV] (``q`` None: no quenching, E_ee = E_nr)."""
    if q is None:
        return E_nr
    return quenching_factor(q, E_nr, Z, A) * E_nr


def dEee_dEnr(q: Quenching | None, E_nr, Z=0, A=1):
    """dE_ee/dE_nr (the Jacobian between the two spectra), elementwise."""
    if q is None:
        return jnp.ones_like(E_nr)
    f = lambda x: electron_equivalent(q, x, Z, A)                    # noqa: E731
    val, tan = jax.jvp(f, (E_nr,), (jnp.ones_like(E_nr),))
    return tan


def nuclear_recoil_energy(q: Quenching | None, E_ee, Z=0, A=1, *, n_fixed=20, n_newton=20):
    """E_nr with electron_equivalent(q, E_nr) = E_ee [MeV] (module docstring); 0 at E_ee = 0.

    Differentiable in ``E_ee`` and in the leaves of ``q`` through the last Newton step.
    """
    E_ee = jnp.asarray(E_ee, dtype=jnp.result_type(float))
    if q is None:
        return E_ee
    ok = E_ee > 0
    y = jnp.where(ok, E_ee, 1e-6)
    qs = jax.lax.stop_gradient(q)
    ys = jax.lax.stop_gradient(y)

    def fixed(_, x):                                   # x ← y/Q(x): contracting where E_ee rises
        return ys / jnp.maximum(quenching_factor(qs, x, Z, A), 1e-6)

    x = jax.lax.fori_loop(0, n_fixed, fixed, ys / 0.2)

    def newton(_, x):
        f = electron_equivalent(qs, x, Z, A) - ys
        return jnp.maximum(x - f / dEee_dEnr(qs, x, Z, A), 0.5 * x)

    x = jax.lax.stop_gradient(jax.lax.fori_loop(0, n_newton, newton, x))
    x = x - (electron_equivalent(q, x, Z, A) - y) / dEee_dEnr(q, x, Z, A)   # carries derivatives
    return jnp.where(ok, x, 0.0)


#: Default quenching model per material (module docstring for the sources).
QUENCHING_DEFAULTS = {
    # COHERENT CsI[Na] QF polynomial, PRL 129 (2022) 081801 (arXiv:2110.07730) data release [MeV]
    "csi": lambda: polynomial_quenching([0.0554628, 4.30681, -111.707, 840.384], "COHERENT CsI[Na]"),
    # Lindhard k = 0.162 ± 0.004 measured for CONUS (Bonhomme et al.; module docstring)
    "germanium": lambda: lindhard(0.162, "Lindhard k = 0.162 (Ge)"),
    "argon": lambda: lindhard(None, "Lindhard (Ar)"),                # k = 0.133 Z^(2/3) A^(−1/2)
    "xenon": lambda: lindhard(None, "Lindhard (Xe)"),
}


def get_quenching(spec) -> Quenching | None:
    """A :class:`Quenching` from a model, None, a material name with a default
    (:data:`QUENCHING_DEFAULTS`), ``"lindhard"`` or ``"lindhard:<k>"``, a table file path
    (nuclear recoils); ``"birks"`` or ``"birks:<kB>"`` (k_B in cm/MeV, pseudocumene) or
    ``"electron-table:<path>"`` (electron recoils)."""
    if spec is None or isinstance(spec, Quenching):
        return spec
    if not isinstance(spec, (str, os.PathLike)):
        raise TypeError(f"quenching must be a Quenching, a name or a file path, got {spec!r}")
    s = os.fspath(spec).strip()
    from nujax.detector.materials import get_material, MATERIALS

    low = s.lower()
    if low in ("none", ""):
        return None
    if low == "lindhard":
        return lindhard()
    if low.startswith("lindhard:"):
        try:
            return lindhard(float(low.split(":", 1)[1]))
        except ValueError:
            raise ValueError(f"quenching {s!r}: write lindhard:<k> with a number k > 0") from None
    if low == "birks":
        return birks_quenching()
    if low.startswith("birks:"):
        try:
            kB = float(low.split(":", 1)[1])
        except ValueError:
            raise ValueError(f"quenching {s!r}: write birks:<kB> with kB >= 0 in cm/MeV") from None
        return birks_quenching(kB)
    if low.startswith("electron-table:"):
        return quenching_from_file(s.split(":", 1)[1].strip(), recoil="electron")
    if os.path.exists(s):
        return quenching_from_file(s)
    try:
        mat = get_material(low)
    except ValueError:
        raise ValueError(f"unknown quenching {s!r}: give 'lindhard', 'lindhard:<k>', a table file, "
                         f"'birks', 'birks:<kB>', 'electron-table:<file>' or a material with a "
                         f"default ({', '.join(QUENCHING_DEFAULTS)})") from None
    key = next(k for k, v in MATERIALS.items() if v == mat)
    if key not in QUENCHING_DEFAULTS:
        raise ValueError(f"no default quenching for {key!r}; known: {', '.join(QUENCHING_DEFAULTS)}")
    return QUENCHING_DEFAULTS[key]()
