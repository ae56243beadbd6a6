"""Earth matter (day–night) regeneration of solar neutrinos.

Day–night regeneration
----------------------
Solar neutrinos reach the Earth as an incoherent mixture of mass eigenstates ν_i with
probabilities P_i (:mod:`nujax.propagation.msw`). At night they cross the Earth on a chord fixed
by the nadir angle η of the Sun (η = 0: straight up through the centre; the Sun below the horizon
means cos η > 0). Each ν_i evolves coherently along the chord, so at the detector

    P_α = Σ_i P_i R_αi,    R_αi = |(U S)_αi|²  (night),   R_αi = |U_αi|²  (day),

with S the evolution operator of the chord in the mass basis and U the vacuum PMNS matrix
(E. Kh. Akhmedov, M. A. Tórtola and J. W. F. Valle, JHEP 05 (2004) 057, eq. (2); PDG 2024 Review
"Neutrino masses, mixing and oscillations" §14.8). Averaged over a set of chords with weights
w_p (an exposure) and a day fraction w_day: R = Σ_p w_p |(U S_p)|² + w_day |U|².

Earth model (PREM shells)
-------------------------
PREM (A. M. Dziewonski and D. L. Anderson, Phys. Earth Planet. Inter. 25 (1981) 297, Table 1):
ten regions with density polynomials in x = r/6371 km, cut into concentric shells no thicker than
``max_thickness_km`` (default 400 km; the region boundaries are kept), each with the radial mean
PREM density (exact Gauss–Legendre average of the polynomial). Electron fractions Y_e = 0.4656
(core, r < 3480 km) and 0.4957 (mantle and crust): the values conventional in Earth-oscillation
codes (the IceCube PISA Earth model and jaxnu use them); their primary source was not traced here.
n_e = Y_e ρ/m_u, i.e. n_e [N_A cm⁻³] = Y_e ρ [g cm⁻³]. The detector sits at the surface (its
depth, ≲ 2 km, is neglected).

Evolution per shell
-------------------
In a shell of constant n_e the mass-basis Hamiltonian is H = diag(0, Δm²21, Δm²31)/(2E)
+ √2 G_F n_e U†|ν_e⟩⟨ν_e|U (the common neutral-current term drops out); its exact evolution
exp(−i H L) is evaluated with the Cayley–Hamilton form of T. Ohlsson and H. Snellman,
J. Math. Phys. 41 (2000) 2768, eqs. (14)–(19) (eigenvalues of the traceless part from the cubic in
closed form, no ``eigh``), once per energy and shell; a chord is the product over its segments
(half-chords √(r_s² − b²) − √(r_{s−1}² − b²), impact parameter b = R⊕ sin η). Everything is jnp and
differentiable in the mixing angles and Δm²; the geometry (chords, exposure) is fixed numpy.
Units: phases per km, E in MeV, n_e in N_A cm⁻³, Δm² in eV². Precision: float64 agrees with a
scipy ``expm`` chain to 1e-10; in float32 the projectors of the two close eigenvalues lose
≈ ε·(Δm²31/Δm²21)² per shell, so R is good to ≈ 1e-3 only (10 % of the ⁸B regeneration at
10 MeV; its columns are renormalised to sum to 1): use float64 for day–night studies.

Exposure of a detector
----------------------
:func:`nadir_exposure`: the Sun's nadir angle over a year at detector latitude λ, from
cos θ_z = sin λ sin δ + cos λ cos δ cos h (h the hour angle, uniform in time) and
sin δ = sin ε sin y (y the Sun's ecliptic longitude, taken uniform in time: the orbital
eccentricity, ±3.3 % in flux, is neglected), obliquity ε = 84381.406″ (IAU 2006, J2000.0;
N. Capitaine et al., A&A 412 (2003) 567). The time samples are binned in cos η: one chord per bin
(the regeneration oscillates in cos η, ~20 periods on (0, 1] for ⁸B at 10 MeV, so the bins are
narrow: 200 by default).

How to ask for it (``earth=`` of :func:`nujax.sources.solar.solar_component`, of
:func:`nujax.propagation.msw.solar_arrival` and the ``[[source]] earth`` TOML table):

* ``None`` (default): no Earth crossing (the day-time content; equal to the day–night average to
  the ≲ 1–2 % size of the ⁸B regeneration);
* ``{"nadir_deg": η}``: one chord (η ≥ 90°: the Sun is up, no Earth);
* ``{"latitude_deg": λ, "period": "year" | "night" | "day"}``: the exposure of a detector at
  latitude λ over a whole year (day and night, default), over the nights only, or over the days
  (= no Earth).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.constants import G_F, HBARC_MEV_CM, N_A
from nujax.em import NUFIT60_NO, pmns
from nujax.propagation._nufit import NUFIT60_NO_DM2

__all__ = [
    "EARTH_RADIUS_KM",
    "PREM_LAYERS",
    "YE_CORE",
    "YE_MANTLE",
    "OBLIQUITY_DEG",
    "EarthPaths",
    "prem_density",
    "prem_shells",
    "chord_half_lengths",
    "nadir_exposure",
    "earth_paths",
    "earth_amplitudes",
    "regeneration_matrix",
]

#: Earth radius [km] of PREM (Dziewonski & Anderson 1981).
EARTH_RADIUS_KM: float = 6371.0
#: PREM regions (outer radius [km], density polynomial a0 + a1 x + a2 x² + a3 x³ [g cm⁻³], x = r/6371 km),
#: Dziewonski & Anderson, PEPI 25 (1981) 297, Table 1 (inner core … ocean).
PREM_LAYERS: tuple = (
    (1221.5, (13.0885, 0.0, -8.8381, 0.0)),
    (3480.0, (12.5815, -1.2638, -3.6426, -5.5281)),
    (5701.0, (7.9565, -6.4761, 5.5283, -3.0807)),
    (5771.0, (5.3197, -1.4836, 0.0, 0.0)),
    (5971.0, (11.2494, -8.0298, 0.0, 0.0)),
    (6151.0, (7.1089, -3.8045, 0.0, 0.0)),
    (6346.6, (2.6910, 0.6924, 0.0, 0.0)),
    (6356.0, (2.900, 0.0, 0.0, 0.0)),
    (6368.0, (2.600, 0.0, 0.0, 0.0)),
    (6371.0, (1.020, 0.0, 0.0, 0.0)),
)
_CORE_RADIUS_KM = 3480.0
#: Electron fractions of the core and of the mantle + crust (module docstring: conventional values).
YE_CORE: float = 0.4656
YE_MANTLE: float = 0.4957
#: Obliquity of the ecliptic [deg], IAU 2006 at J2000.0: 84381.406″ (Capitaine et al. 2003).
OBLIQUITY_DEG: float = 84381.406 / 3600.0

# phase per km: Δm²[eV²]/(2E[MeV]) → 10⁻¹² MeV² /(2E) /(ħc [MeV km])
_K_DM2 = 1.0e-12 / (2.0 * HBARC_MEV_CM * 1.0e-5)  # ≈ 2533.9 km⁻¹ MeV/eV²
# √2 G_F n_e / ħc for n_e = 1 N_A cm⁻³: √2 G_F N_A (ħc)³ [MeV] / (ħc [MeV km])
_K_V = math.sqrt(2.0) * G_F * N_A * HBARC_MEV_CM**3 / (HBARC_MEV_CM * 1.0e-5)  # ≈ 3.87e-4 km⁻¹
_PERIODS = ("year", "night", "day")


class EarthPaths(NamedTuple):
    """Chords through the Earth and their weights (numpy; an exposure or one chord).

    Attributes
    ----------
    cos_nadir : array (P,)
        cos η of each chord (0 < cos η ≤ 1).
    weights : array (P,)
        Fraction of the exposure on each chord.
    day_weight : float
        Fraction with the Sun above the horizon (no Earth); ``weights.sum() + day_weight = 1``.
    """

    cos_nadir: np.ndarray
    weights: np.ndarray
    day_weight: float


def prem_density(r_km):
    """PREM density [g cm⁻³] at radius ``r_km`` (numpy; 0 outside the Earth).

    >>> round(float(prem_density(0.0)), 4), round(float(prem_density(6000.0)), 4)
    (13.0885, 3.5259)
    """
    r = np.asarray(r_km, float)
    x = r / EARTH_RADIUS_KM
    out = np.zeros_like(r)
    lo = -1.0
    for hi, c in PREM_LAYERS:
        inside = (r > lo) & (r <= hi)
        out = np.where(inside, c[0] + c[1] * x + c[2] * x**2 + c[3] * x**3, out)
        lo = hi
    return out


def prem_shells(max_thickness_km: float = 400.0):
    """Constant-density shells from PREM: (outer radii [km], n_e [N_A cm⁻³]), innermost first.

    Each PREM region is cut into equal shells no thicker than ``max_thickness_km``; a shell's
    density is the radial mean of the PREM polynomial (8-point Gauss–Legendre, exact for cubics).
    """
    if not max_thickness_km > 0:
        raise ValueError(f"max_thickness_km must be > 0, got {max_thickness_km!r}")
    xg, wg = np.polynomial.legendre.leggauss(8)
    outer, n_e = [], []
    lo = 0.0
    for hi, _ in PREM_LAYERS:
        n = max(1, int(math.ceil((hi - lo) / max_thickness_km - 1e-9)))
        edges = np.linspace(lo, hi, n + 1)
        for a, b in zip(edges[:-1], edges[1:]):
            r = 0.5 * (a + b) + 0.5 * (b - a) * xg
            # within one PREM region (the boundaries are shell edges): evaluate strictly inside
            rho = 0.5 * float(wg @ prem_density(np.clip(r, a + 1e-9, b - 1e-9)))
            ye = YE_CORE if b <= _CORE_RADIUS_KM else YE_MANTLE
            outer.append(b)
            n_e.append(ye * rho)  # n_e [N_A cm⁻³] = Y_e ρ [g cm⁻³]
        lo = hi
    return np.asarray(outer), np.asarray(n_e)


def chord_half_lengths(cos_nadir, outer_km):
    """Half-chord length [km] in each shell, shape (P, N), for chords of nadir cos η (P,).

    ℓ_s = √(max(r_s² − b², 0)) − √(max(r_{s−1}² − b², 0)), b = R⊕ sin η (0 for cos η ≤ 0: no chord).
    """
    c = np.atleast_1d(np.asarray(cos_nadir, float))
    outer = np.asarray(outer_km, float)
    r = np.concatenate([[0.0], outer])
    b2 = (EARTH_RADIUS_KM**2) * (1.0 - np.clip(c, 0.0, 1.0) ** 2)
    d = np.sqrt(np.maximum(r[None, :] ** 2 - b2[:, None], 0.0))
    half = np.diff(d, axis=1)
    return np.where((c > 0.0)[:, None], half, 0.0)


def nadir_exposure(latitude_deg: float, period: str = "year", *, n_bins: int = 200,
                   n_time: int = 1024) -> EarthPaths:
    """Chords and weights of a year's exposure at ``latitude_deg`` (module docstring, "Exposure
    of a detector").

    ``period``: "year" (day and night; the night chords carry the night fraction), "night"
    (weights sum to 1) or "day" (no chord). The Sun's position is sampled on a uniform
    ``n_time`` × ``n_time`` grid in ecliptic longitude and hour angle (midpoints); the night
    samples are binned in cos η into ``n_bins`` equal bins on (0, 1], each bin giving one chord at
    the mean cos η of its samples with the bin's share of the time as weight.

    >>> p = nadir_exposure(36.43)
    >>> round(float(p.weights.sum() + p.day_weight), 12), round(p.day_weight, 3)
    (1.0, 0.5)
    """
    lat = float(latitude_deg)
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude_deg must lie in [-90, 90], got {latitude_deg!r}")
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {', '.join(_PERIODS)}, got {period!r}")
    if period == "day":
        return EarthPaths(np.zeros(0), np.zeros(0), 1.0)
    t = (np.arange(int(n_time)) + 0.5) * (2.0 * math.pi / int(n_time))
    sin_dec = math.sin(math.radians(OBLIQUITY_DEG)) * np.sin(t)    # sin δ = sin ε sin y
    cos_dec = np.sqrt(1.0 - sin_dec**2)
    sl, cl = math.sin(math.radians(lat)), math.cos(math.radians(lat))
    # cos η = −cos θ_z = −(sin λ sin δ + cos λ cos δ cos h)
    cos_nadir = -(sl * sin_dec[:, None] + cl * cos_dec[:, None] * np.cos(t)[None, :]).ravel()
    night = cos_nadir > 0.0
    f_night = float(np.mean(night))
    if period == "night" and f_night == 0.0:
        raise ValueError(f"no night at latitude {lat} over the year")
    c = cos_nadir[night]
    idx = np.minimum((c * int(n_bins)).astype(int), int(n_bins) - 1)
    counts = np.bincount(idx, minlength=int(n_bins)).astype(float)
    sums = np.bincount(idx, weights=c, minlength=int(n_bins))
    keep = counts > 0
    nodes, w = sums[keep] / counts[keep], counts[keep] / counts.sum() if c.size else counts[keep]
    if period == "night":
        return EarthPaths(nodes, w, 0.0)
    return EarthPaths(nodes, w * f_night, 1.0 - f_night)


def earth_paths(earth) -> EarthPaths | None:
    """The chords of an ``earth=`` option (module docstring): None, {"nadir_deg": η},
    {"latitude_deg": λ[, "period"]} or an :class:`EarthPaths`; ``ValueError`` otherwise."""
    if earth is None or isinstance(earth, EarthPaths):
        return earth
    if not isinstance(earth, dict):
        raise ValueError(f"earth must be None or a dict {{nadir_deg}} / {{latitude_deg[, period]}}, "
                         f"got {earth!r}")
    spec = {k: v for k, v in earth.items() if v is not None}
    unknown = set(spec) - {"nadir_deg", "latitude_deg", "period"}
    if unknown:
        raise ValueError(f"earth: unknown key(s) {', '.join(sorted(unknown))}; known: nadir_deg, "
                         "latitude_deg, period")
    if ("nadir_deg" in spec) == ("latitude_deg" in spec):
        raise ValueError("earth: give exactly one of nadir_deg (one chord) or latitude_deg (an exposure)")
    if "nadir_deg" in spec:
        if "period" in spec:
            raise ValueError("earth: period goes with latitude_deg, not with nadir_deg")
        eta = float(spec["nadir_deg"])
        if not 0.0 <= eta <= 180.0:
            raise ValueError(f"earth.nadir_deg must lie in [0, 180], got {spec['nadir_deg']!r}")
        c = math.cos(math.radians(eta))
        if c <= 0.0:
            return EarthPaths(np.zeros(0), np.zeros(0), 1.0)
        return EarthPaths(np.asarray([c]), np.asarray([1.0]), 0.0)
    return nadir_exposure(spec["latitude_deg"], spec.get("period", "year"))


def _mixing(dt, sin2_12, sin2_13, sin2_23, delta_deg, dm2_21, dm2_31):
    mix = {k: (NUFIT60_NO[k] if v is None else v) for k, v in
           (("sin2_12", sin2_12), ("sin2_13", sin2_13), ("sin2_23", sin2_23), ("delta_deg", delta_deg))}
    d21 = NUFIT60_NO_DM2["dm2_21"] if dm2_21 is None else dm2_21
    d31 = NUFIT60_NO_DM2["dm2_31"] if dm2_31 is None else dm2_31
    cdt = jnp.complex64 if dt == jnp.float32 else jnp.complex128
    return pmns(**mix).astype(cdt), jnp.asarray(d21, dt), jnp.asarray(d31, dt)


def _shell_propagators(e, n_e, U, d21, d31):
    """Eigenvalues λ (N, S, 3) [km⁻¹] and Cayley–Hamilton projectors Q (N, S, 3, 3, 3) of the
    traceless mass-basis Hamiltonian per energy and shell: exp(−iHL) ∝ Σ_k e^{−iλ_k L} Q_k
    (Ohlsson & Snellman 2000, eqs. (14)–(19))."""
    dt = e.dtype
    k = (_K_DM2 / e)[:, None]                                  # (N, 1)
    diag = jnp.stack([jnp.zeros_like(k), k * d21, k * d31], -1)  # (N, 1, 3) Δm²/(2E)
    ue = U[0]                                                  # U_ei
    proj = jnp.conj(ue)[:, None] * ue[None, :]                 # (U† P_e U)_ij = U*_ei U_ej
    v = (_K_V * n_e)[None, :, None, None]                      # (1, S, 1, 1) √2 G_F n_e
    h = v * proj + jnp.eye(3, dtype=dt) * diag[..., None, :]    # (N, S, 3, 3)
    tr = jnp.real(jnp.trace(h, axis1=-2, axis2=-1)) / 3.0
    t = h - tr[..., None, None] * jnp.eye(3, dtype=dt)
    t2 = t @ t
    c1 = -0.5 * jnp.real(jnp.trace(t2, axis1=-2, axis2=-1))     # λ³ + c1 λ + c0 = 0 (eq. (15))
    det = jnp.real(t[..., 0, 0] * (t[..., 1, 1] * t[..., 2, 2] - t[..., 1, 2] * t[..., 2, 1])
                   - t[..., 0, 1] * (t[..., 1, 0] * t[..., 2, 2] - t[..., 1, 2] * t[..., 2, 0])
                   + t[..., 0, 2] * (t[..., 1, 0] * t[..., 2, 1] - t[..., 1, 1] * t[..., 2, 0]))
    c0 = -det
    r = jnp.sqrt(-c1 / 3.0)
    x = jnp.clip(1.5 * c0 / c1 * jnp.sqrt(-3.0 / c1), -1.0, 1.0)
    ang = jnp.arccos(x) / 3.0
    lam = 2.0 * r[..., None] * jnp.cos(ang[..., None] - 2.0 * jnp.pi * jnp.arange(3, dtype=dt) / 3.0)
    eye = jnp.eye(3, dtype=dt)
    num = ((lam**2 + c1[..., None])[..., None, None] * eye + lam[..., None, None] * t[..., None, :, :]
           + t2[..., None, :, :])                               # (N, S, 3, 3, 3)
    q = num / (3.0 * lam**2 + c1[..., None])[..., None, None]   # eq. (19)
    return lam, q


def earth_amplitudes(enu, cos_nadir, *, sin2_12=None, sin2_13=None, sin2_23=None, delta_deg=None,
                     dm2_21=None, dm2_31=None, max_thickness_km: float = 400.0):
    """Amplitudes A_αi = (U S)_αi of mass eigenstate ν_i arriving as flavor α after the chord(s).

    Parameters
    ----------
    enu : array (N,)
        Neutrino energies [MeV].
    cos_nadir : array (P,)
        cos η of the chords (numpy; ≤ 0 means no Earth: A = U).
    sin2_12, sin2_13, sin2_23, delta_deg, dm2_21, dm2_31 : optional
        Mixing parameters (Δm² in eV²; default NuFIT 6.0 NO), differentiable.
    max_thickness_km : float
        Largest PREM shell thickness.

    Returns
    -------
    array (N, P, 3, 3) complex
        Rows α = e, μ, τ; columns i = 1, 2, 3.
    """
    e = jnp.atleast_1d(jnp.asarray(enu))
    dt = e.dtype if jnp.issubdtype(e.dtype, jnp.floating) else jnp.asarray(0.0).dtype
    e = e.astype(dt)
    U, d21, d31 = _mixing(dt, sin2_12, sin2_13, sin2_23, delta_deg, dm2_21, dm2_31)
    outer, n_e = prem_shells(max_thickness_km)
    half = chord_half_lengths(cos_nadir, outer)                # (P, S)
    ns = outer.size
    # segments from entry to detector: shells S−1 … 1, shell 0 (both halves), 1 … S−1
    order = np.concatenate([np.arange(ns - 1, 0, -1), [0], np.arange(1, ns)])
    lengths = half[:, order] * np.where(order == 0, 2.0, 1.0)[None, :]  # (P, M)
    return _chord_amplitudes(e, jnp.asarray(n_e, dt), jnp.asarray(order), jnp.asarray(lengths.T, dt),
                             U, d21, d31)


@jax.jit
def _chord_amplitudes(e, n_e, order, lengths, U, d21, d31):
    """U · Π_segments exp(−i H L) for every energy (N,) and chord; ``lengths`` (M, P) [km]."""
    lam, q = _shell_propagators(e, n_e, U, d21, d31)
    cdt = U.dtype

    def step(phi, seg):
        s, ell = seg                                             # shell index, (P,) lengths
        ph = jnp.exp(-1j * lam[:, s][:, None, :] * ell[None, :, None]).astype(cdt)  # (N, P, 3)
        smat = jnp.einsum("npk,nkij->npij", ph, q[:, s].astype(cdt))
        return smat @ phi, None

    phi0 = jnp.broadcast_to(jnp.eye(3, dtype=cdt), (e.shape[0], lengths.shape[1], 3, 3))
    phi, _ = jax.lax.scan(step, phi0, (order, lengths))
    return jnp.einsum("aj,npji->npai", U, phi)


def regeneration_matrix(enu, earth, *, n_table: int = 96, max_thickness_km: float = 400.0,
                        **mixing):
    """R_αi(E): probability that mass eigenstate ν_i reaching the Earth is detected as flavor α.

    Averaged over the chords of ``earth`` (:func:`earth_paths`) plus the day fraction (|U_αi|²);
    shape (N, 3, 3), columns sum to 1. With more than one chord and more than ``n_table``
    (concrete) energies, R is computed on ``n_table`` energies spanning ``enu`` (log-spaced below
    1 MeV, linear above) and interpolated linearly: on the ⁸B grid this moves P_ee by ≤ 3e-4
    (tests), against a regeneration of ≈ 1e-2 (the residual structure in E of a finite set of
    chords, which rates average out). ``mixing``: sin2_12, sin2_13, sin2_23, delta_deg, dm2_21, dm2_31
    (:func:`earth_amplitudes`).
    """
    paths = earth_paths(earth)
    e = jnp.atleast_1d(jnp.asarray(enu))
    dt = e.dtype if jnp.issubdtype(e.dtype, jnp.floating) else jnp.asarray(0.0).dtype
    e = e.astype(dt)
    unknown = set(mixing) - {"sin2_12", "sin2_13", "sin2_23", "delta_deg", "dm2_21", "dm2_31"}
    if unknown:
        raise TypeError(f"regeneration_matrix: unexpected keyword(s) {', '.join(sorted(unknown))}")
    U, _, _ = _mixing(dt, *(mixing.get(k) for k in ("sin2_12", "sin2_13", "sin2_23", "delta_deg",
                                                     "dm2_21", "dm2_31")))
    day = jnp.broadcast_to((jnp.abs(U) ** 2).astype(dt), (e.shape[0], 3, 3))
    if paths is None or paths.cos_nadir.size == 0:
        return day
    w = jnp.asarray(paths.weights, dt)

    def night(energies):
        amp = earth_amplitudes(energies, paths.cos_nadir, max_thickness_km=max_thickness_km, **mixing)
        return jnp.einsum("p,npai->nai", w, jnp.abs(amp) ** 2)

    if paths.cos_nadir.size > 1 and e.shape[0] > n_table and is_concrete(e):
        ev = np.asarray(e, float)
        lo, hi = max(ev.min(), 1.0e-3), ev.max()
        n_log = max(2, int(n_table) // 6)           # below 1 MeV the regeneration is < 1e-4
        table = np.unique(np.concatenate([np.geomspace(lo, min(hi, 1.0), n_log),
                                          np.linspace(min(hi, 1.0), hi, int(n_table) - n_log)]))
        rt = night(jnp.asarray(table, dt)).reshape(table.size, 9)
        rn = jnp.stack([jnp.interp(e, jnp.asarray(table, dt), rt[:, k]) for k in range(9)], -1)
        rn = rn.reshape(e.shape[0], 3, 3)
    else:
        rn = night(e)
    # unitarity to rounding: float32 loses ~1e-3 here (see "Evolution per shell")
    rn = rn / jnp.sum(rn, axis=-2, keepdims=True) * jnp.asarray(paths.weights.sum(), dt)
    return rn + paths.day_weight * day
