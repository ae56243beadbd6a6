"""Tabulated detector response: efficiency ε(E) and resolution σ(E) from a file.

Experiments publish their efficiency and resolution as curves. A :class:`ResponseTable` holds
one such table (energies [MeV], ε, σ [MeV]) and evaluates it by interpax interpolation
(``method``, default ``"monotonic"``: a monotonic cubic Hermite spline, no overshoot between
the points, exact at them), with three scale nuisances, all differentiable:

    ε(E) = a_ε · ε_tab(a_E · E),    σ(E) = a_σ · σ_tab(a_E · E),

a_ε (``eff_scale``) the efficiency normalisation, a_σ (``res_scale``) the resolution scale and
a_E (``energy_scale``) the energy-scale factor, leaves of the table pytree. Outside the tabulated
range the end values are used (the energy is clamped, so the derivative there is 0).

A table given to :func:`nujax.detector.make_detector` (``response=``) replaces the parametric
efficiency turn-on and resolution of the detector everywhere (signal templates, background
components), so ``jax.grad`` with respect to the detector reaches the three scales.

File format (CSV, read by :func:`nujax.data_io.read_energy_table`)::

    E_keV,efficiency,sigma_keV
    1.0,0.10,0.30
    2.0,0.55,0.41
"""

from __future__ import annotations

import dataclasses
import functools

import interpax
import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["ResponseTable", "make_response_table", "read_response_table", "table_efficiency",
           "table_sigma"]


@functools.partial(jax.tree_util.register_dataclass,
                   data_fields=["energy", "efficiency", "sigma", "eff_scale", "res_scale",
                                "energy_scale"], meta_fields=["method", "name"])
@dataclasses.dataclass(frozen=True)
class ResponseTable:
    """A tabulated response (frozen pytree).

    Attributes
    ----------
    energy : array (N,), strictly increasing [MeV].
    efficiency : array (N,), in [0, 1].
    sigma : array (N,), energy resolution σ [MeV], ≥ 0.
    eff_scale, res_scale, energy_scale : scalars, the scale nuisances a_ε, a_σ, a_E (nominal 1).
    method : str (static), interpax method (``"linear"``, ``"monotonic"``, ``"cubic2"`` …).
    name : str (static), label (the file name when read from a file).
    """

    energy: jax.Array
    efficiency: jax.Array
    sigma: jax.Array
    eff_scale: jax.Array = 1.0
    res_scale: jax.Array = 1.0
    energy_scale: jax.Array = 1.0
    method: str = "monotonic"
    name: str = ""


def make_response_table(energy, efficiency, sigma, *, method="monotonic", name="") -> ResponseTable:
    """Build a :class:`ResponseTable` with checked values (``ValueError`` naming the argument).

    >>> t = make_response_table([1.0, 2.0, 3.0], [0.2, 0.6, 0.9], [0.1, 0.12, 0.15])
    >>> round(float(table_efficiency(t, 2.0)), 12)
    0.6
    """
    e, eff, sig = (np.asarray(x, float) for x in (energy, efficiency, sigma))
    if e.ndim != 1 or e.size < 2 or np.any(np.diff(e) <= 0) or not np.all(np.isfinite(e)):
        raise ValueError("energy must be a finite, strictly increasing array of ≥ 2 points [MeV]")
    if eff.shape != e.shape or np.any(eff < 0) or np.any(eff > 1) or not np.all(np.isfinite(eff)):
        raise ValueError("efficiency must have one value in [0, 1] per energy")
    if sig.shape != e.shape or np.any(sig < 0) or not np.all(np.isfinite(sig)):
        raise ValueError("sigma must have one finite value ≥ 0 [MeV] per energy")
    return ResponseTable(jnp.asarray(e), jnp.asarray(eff), jnp.asarray(sig), jnp.asarray(1.0),
                         jnp.asarray(1.0), jnp.asarray(1.0), method, name)


def read_response_table(path, *, method="monotonic") -> ResponseTable:
    """Read a :class:`ResponseTable` from a CSV file (columns ``E_<unit>``, ``efficiency``,
    ``sigma_<unit>``); errors name the file and line."""
    from nujax.data_io import DataFileError, read_energy_table

    cols = read_energy_table(path, ("efficiency", "sigma_*"))
    try:
        return make_response_table(cols["E_MeV"], cols["efficiency"], cols["sigma_MeV"],
                                   method=method, name=str(path))
    except ValueError as exc:
        raise DataFileError(path, "values", str(exc)) from None


def _interp(table, values, E, energy_scale):
    a = table.energy_scale if energy_scale is None else energy_scale
    x = jnp.clip(jnp.asarray(E) * a, table.energy[0], table.energy[-1])
    return interpax.interp1d(x.ravel(), table.energy, values, method=table.method).reshape(x.shape)


def table_efficiency(table: ResponseTable, E, *, eff_scale=None, energy_scale=None):
    """ε(E) = a_ε ε_tab(a_E E) at deposited energies ``E`` [MeV] (module docstring); the scales
    default to the table's own (``eff_scale``, ``energy_scale``)."""
    a = table.eff_scale if eff_scale is None else eff_scale
    return a * jnp.clip(_interp(table, table.efficiency, E, energy_scale), 0.0, 1.0)


def table_sigma(table: ResponseTable, E, *, res_scale=None, energy_scale=None):
    """σ(E) = a_σ σ_tab(a_E E) [MeV] at deposited energies ``E`` [MeV] (module docstring); the
    scales default to the table's own (``res_scale``, ``energy_scale``)."""
    a = table.res_scale if res_scale is None else res_scale
    return a * jnp.maximum(_interp(table, table.sigma, E, energy_scale), 0.0)
