"""The detector pytree and its response: exposure, threshold, efficiency, resolutions.

A :class:`Detector` is a frozen pytree. Its numeric fields (mass, live time, threshold, efficiency
turn-on, resolutions, background) are leaves, so expected counts are differentiable in them; the
target :class:`~nujax.detector.materials.Material` and the switches (energy smearing, electron
binding) are static. The same detector serves every target (electrons, nuclei, the radiative
channel): which recoils are counted is chosen by the rate functions' ``target``.

Angular resolution
------------------
The azimuth modulation cos(φ − φ_B) seen through a Gaussian azimuthal resolution σ_φ becomes
E[cos(φ + δ − φ_B)] = cos(φ − φ_B) E[cos δ] − sin(φ − φ_B) E[sin δ] = e^{−σ_φ²/2} cos(φ − φ_B)
(δ ~ N(0, σ_φ²); E[sin δ] = 0 by symmetry, E[cos δ] = Re E[e^{iδ}] = e^{−σ_φ²/2}), exactly and
independently of the 2π wrapping. The isotropic part is unchanged, so only the modulation shrinks.
The polar resolution σ_θ is applied as a bin-to-bin response of cosθ bins (see nujax.rates).
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.detector.materials import MATERIALS, Material, get_material
from nujax.detector.response_tables import ResponseTable, table_efficiency, table_sigma
from nujax.detector.quenching import Quenching, get_quenching

__all__ = ["Detector", "make_detector", "efficiency", "energy_sigma", "azimuth_damping"]


_LEAVES = ["mass_t", "live_time_yr", "threshold", "eff_plateau", "eff_T50", "eff_width",
           "res_const", "res_stoch", "res_lin", "sigma_theta", "sigma_phi", "background"]


@functools.partial(jax.tree_util.register_dataclass, data_fields=_LEAVES + ["quenching", "response"],
                   meta_fields=["material", "smearing", "binding", "name"])
@dataclasses.dataclass(frozen=True)
class Detector:
    """A neutrino detector, for any target (frozen pytree; numeric fields are differentiable leaves).

    Energies refer to the measured recoil energy of whatever the rate functions count: electron
    recoils, nuclear recoils (keV_nr before any quenching) or the energy release of ν e → ν e γ.

    Attributes
    ----------
    mass_t : fiducial target mass [tonne].
    live_time_yr : live time [yr] (exposure = mass_t · live_time_yr).
    threshold : recoil kinetic-energy threshold [MeV] (on the measured energy).
    eff_plateau, eff_T50, eff_width : efficiency ε(T) = ε₀ · ½[1 + erf((T − T₅₀)/(√2 w))] [–, MeV, MeV];
        ``eff_width`` = 0 gives the plateau ε₀ everywhere.
    res_const, res_stoch, res_lin : energy resolution σ_T² = c² + a² T + b² T² [MeV, √MeV, –].
    sigma_theta, sigma_phi : polar and azimuthal angular resolutions [rad] (Gaussian).
    background : rate of the flat isotropic background [counts / (tonne · yr · MeV)] in the
        measured energy (the ``"flat"`` entry of :mod:`nujax.detector.backgrounds`).
    quenching : :class:`~nujax.detector.quenching.Quenching` or None (a pytree: its k, coefficients
        or table are differentiable leaves). With a nuclear model the measured energy of a
        *nuclear* recoil is its electron-equivalent energy E_ee = Q(E_nr) E_nr: threshold, bin
        edges, efficiency and resolution then refer to keV_ee. With an electron model
        (``recoil="electron"``: Birks' law, a tabulated scale) the same holds for electron
        recoils, which then are measured in visible energy; the other kind is never quenched.
    material : :class:`Material` (static).
    smearing : static switch, apply the energy resolution (Gaussian response in T).
    binding : static switch, stepping approximation for atomic binding.
    name : label.
    response : :class:`~nujax.detector.response_tables.ResponseTable` or None
        Tabulated ε(T) and σ_T(T) replacing the turn-on and resolution formulas (ε₀ still
        multiplies the efficiency).
    """

    mass_t: jax.Array
    live_time_yr: jax.Array
    threshold: jax.Array
    eff_plateau: jax.Array
    eff_T50: jax.Array
    eff_width: jax.Array
    res_const: jax.Array
    res_stoch: jax.Array
    res_lin: jax.Array
    sigma_theta: jax.Array
    sigma_phi: jax.Array
    background: jax.Array
    quenching: Quenching | None = None
    material: Material = MATERIALS["water"]
    smearing: bool = False
    binding: bool = False
    name: str = ""
    response: object = None

    def __post_init__(self):
        _validate_detector(self)

    @property
    def electrons_per_tonne(self) -> float:
        return self.material.electrons_per_tonne

    @property
    def exposure_t_yr(self):
        """Exposure [tonne · yr]."""
        return self.mass_t * self.live_time_yr


def _validate_detector(d: Detector) -> None:
    leaves = [getattr(d, f) for f in _LEAVES]
    if not is_concrete(leaves):
        return
    try:
        vals = {f: np.asarray(getattr(d, f), dtype=float) for f in _LEAVES}
    except (TypeError, ValueError):  # placeholder leaves during tree manipulation
        return
    label = d.name or "detector"
    for f, v in vals.items():
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{label}: {f} must be finite")
        if np.any(v < 0):
            raise ValueError(f"{label}: {f} must be non-negative (got {v.min()!r})")
    if np.any(vals["eff_plateau"] > 1):
        raise ValueError(f"{label}: eff_plateau must lie in [0, 1]")
    if d.quenching is not None and not isinstance(d.quenching, Quenching):
        raise ValueError(f"{label}: quenching must be a Quenching or None (use get_quenching)")
    if not isinstance(d.material, Material):
        raise ValueError(f"{label}: material must be a Material (use get_material)")
    if d.response is not None and not isinstance(d.response, ResponseTable):
        raise ValueError(f"{label}: response must be a ResponseTable (read_response_table)")


def make_detector(material="water", *, mass_t=1.0, live_time_yr=1.0, threshold=0.0,
                  eff_plateau=1.0, eff_T50=0.0, eff_width=0.0, res_const=0.0, res_stoch=0.0,
                  res_lin=0.0, sigma_theta=0.0, sigma_phi=0.0, background=0.0, quenching=None,
                  smearing=False, binding=False, name="", response=None) -> Detector:
    """Build a :class:`Detector` (units as in its docstring); a clear ``ValueError`` on bad input.

    ``quenching``: None, a :class:`~nujax.detector.quenching.Quenching`, or a name understood by
    :func:`~nujax.detector.quenching.get_quenching` ("csi", "germanium", "lindhard:0.162", a
    table file, "birks:0.0115" …).

    >>> d = make_detector("xenon", mass_t=5.9, threshold=0.001)
    >>> float(d.exposure_t_yr)
    5.9
    """
    vals = dict(mass_t=mass_t, live_time_yr=live_time_yr, threshold=threshold,
                eff_plateau=eff_plateau, eff_T50=eff_T50, eff_width=eff_width,
                res_const=res_const, res_stoch=res_stoch, res_lin=res_lin,
                sigma_theta=sigma_theta, sigma_phi=sigma_phi, background=background)
    return Detector(**{k: jnp.asarray(v, dtype=float) for k, v in vals.items()},
                    quenching=get_quenching(quenching),
                    material=get_material(material), smearing=bool(smearing),
                    binding=bool(binding), name=name, response=response)


def efficiency(det: Detector, T):
    """ε(T) = ε₀ · ½[1 + erf((T − T₅₀)/(√2 w))], or ε₀ where w = 0 (gradient-safe); with a
    response table ε₀ · ε_tab(T)."""
    if det.response is not None:
        return det.eff_plateau * table_efficiency(det.response, T)
    w = det.eff_width
    ok = w > 0
    ws = jnp.where(ok, w, 1.0)
    turn_on = 0.5 * (1.0 + jax.scipy.special.erf((T - det.eff_T50) / (math.sqrt(2.0) * ws)))
    return det.eff_plateau * jnp.where(ok, turn_on, 1.0)


def energy_sigma(det: Detector, T):
    """Energy resolution σ_T(T) = √(c² + a² T + b² T²) [MeV], or the response table's σ(T),
    floored at 1e-9 MeV (gradient-safe)."""
    Tp = jnp.maximum(T, 0.0)
    if det.response is not None:
        s2 = table_sigma(det.response, Tp) ** 2
    else:
        s2 = det.res_const ** 2 + det.res_stoch ** 2 * Tp + (det.res_lin * Tp) ** 2
    return jnp.sqrt(s2 + 1e-18)


def azimuth_damping(sigma_phi):
    """Factor e^{−σ_φ²/2} by which a Gaussian azimuthal resolution scales the cos φ modulation."""
    return jnp.exp(-0.5 * jnp.asarray(sigma_phi) ** 2)


