"""The radiative process ν e → ν e γ: weak and magnetic-moment cross sections (seed 004).

Variables (seed 004 eq. (26)): ν = T + E_γ (energy release), x = Q²/(2 m ν), y = ν/Eν, ω = E_γ/Eν.
Physical region (eqs. (27)–(29)): 0 < x < 1, 0 < y < (1 + m x/(2Eν))⁻¹, ω⁻ < ω < ω⁺.

How the triple-differential cross section is computed
-----------------------------------------------------
The spin-summed squared amplitudes of seed 004 **eqs. (10) and (13)** (written with four-vector
dot products) are integrated over the unobservable azimuth φ of the (e, γ) plane around q⃗ = p⃗' + k⃗ (the variable s₁ of eq. (15)) *exactly*: both |T|² are quadratic
in the outgoing-neutrino momentum and only K cos φ enters the dot products, so the φ average is
the mean of the two values at K cos φ = ±K/√2. With the textbook phase space (eq. (14)) this gives

    d³σ/dx dy dω = √(Eν y/(Eν y + 2 m x)) / (64 (2π)³) · ⟨Σ|T|²⟩_φ            (derived here)

It is evaluated through the appendix polynomials eqs. (40)–(43) with four misprints corrected
(below), which equal it to ~1e-12 without its cancellations at small x and in float32.

Verification and decisions
--------------------------
* Eqs. (10) and (13) were checked against an independent numerical evaluation of the Feynman
  amplitudes (explicit Dirac matrices, photon from either electron leg) at random phase-space
  points: they agree to 1e-15 as printed, as *sums* over the electron spin (twice the spin
  average, which matches the 1/(8 l·p) flux of eq. (14)). The same Dirac-trace code reproduces the
  textbook elastic weak and magnetic cross sections, which pins the overall normalization.
* The appendix polynomials eqs. (40)–(43) as extracted do **not** agree with that calculation
  (at random points: weak part off by up to 74 % for ν̄e at 1 MeV, magnetic part by up to 13 %).
  The misprints were located exactly: with E_ν = 1 the brackets [M0 + mM1 + …] and
  [W0 + mW1 + …] of the exact result are polynomials in (x, y, ω, m) (after dividing by the
  printed prefactors of eqs. (40), (42), which are right); evaluated in exact rational arithmetic
  on a tensor grid and interpolated, their coefficients were compared with the expanded printed
  polynomials. Everything agrees (M0, M2, M3, W2, W4 and both prefactors exactly) except four
  terms, each a single lost factor, lost term or sign:

  1. eq. (41) M1, ω² term: −x(x−1)²(x+1) **y** must read −x(x−1)²(x+1) **y²**;
  2. eq. (43) W0, ω² term: 2x(2−y) g_V g_A must read 2x **y** (2−y) g_V g_A;
  3. eq. (43) W1, ω³ bracket: the term **+2x²(2x−1) y(2−y) g_V g_A** is missing;
  4. eq. (43) W3, ω³ term: +2(1−x) y g_A² ω³ must read **−2(1−x)** y g_A² ω³.

  With these four corrections :func:`appendix_eq40_43` (``corrected=True``) equals the kernel to
  ~1e-12 relative (tested); the printed form (``corrected=False``) is kept so the misprints stay
  visible and testable.
* Which form gives the numbers: the spin sums of eqs. (10) and (13) cancel at small x (the
  magnetic bracket is O(Q²) over −Q², losing ≈ ε/x relative: negative and growing like 1/x below
  x ≈ 1e-12 in float64, a factor 2 off at x = 1e-6 in float32; the x-derivative of the weak part
  is lost below x ≈ ε) and in float32 at large Eν (weak part off by up to 10² near the region's
  edges at Eν = 100 MeV). The corrected polynomials of eqs. (40)–(43) are the same function without
  those cancellations (within 1e-9 of a 60-digit evaluation of eqs. (10)/(13) in float64, x down to
  1e-14; float32 within 1e-5 at small x, tests), so :func:`radiative_terms` evaluates them; the
  spin-sum form stays available (``form="traces"``) as their independent check.
* Low-x limits (eqs. (30)–(36)): the x = 0 terms W g_A² and M, the Klein–Nishina term V g_V²
  (eq. (33)) and the interference I g_V g_A agree with the full result; the printed A(y, ω) of
  eq. (31) and N(y, ω) of eq. (35) (their m/Eν corrections) do not, and are not used.
* Eq. (38) as extracted lost an overall factor ν (it is not dimensionally a d²σ/dxdν); with
  4/3 G²α/π² · ν/(1 − x) {…} it agrees with the full result to O(ν²); eq. (39) agrees as printed.
* Couplings: eq. (7) g_L = −1 + 2 sin²θ_W + 2δ_ℓe, g_R = 2 sin²θ_W are **twice** the seed-000
  chiral couplings of :func:`nujax.couplings.electron_couplings`; g_V = (g_L + g_R)/2 and
  g_A = (g_L − g_R)/2 of eq. (32) are the usual vector and axial couplings
  (g_V = −½ + 2 sin²θ_W + δ, g_A = −½ + δ). Antineutrinos exchange g_L ↔ g_R, i.e. g_A → −g_A.
* μν enters as ``mu_1e11`` = μν/(10⁻¹¹ μ_B); the magnetic vertex is f_M = μν (eq. (11)).
* Outside the physical region the kernels return exactly 0; the inputs are replaced by an
  interior point before the formula (double ``where``), so gradients are finite everywhere.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from nujax._validation import check_args, check_energy
from nujax.constants import ALPHA, G_F, M_E, MU_SCALE, SIN2_THETA_W
from nujax.couplings import electron_couplings, parse_flavor

__all__ = [
    "RadiativeParts",
    "radiative_couplings",
    "y_max",
    "omega_limits",
    "is_physical",
    "radiative_terms",
    "d3sigma_dx_dy_dw",
    "d3sigma_dT_dEg_dcostheta",
    "q2_from_angle",
    "cos_theta_q2zero",
    "photon_energy_e0",
    "photon_energy_e1",
    "cos_theta1",
    "cos_theta0",
    "appendix_eq40_43",
    "APPENDIX_CORRECTIONS",
]

_E2 = 4.0 * math.pi * ALPHA  # e² (Heaviside–Lorentz)
_NORM = 1.0 / (64.0 * (2.0 * math.pi) ** 3)


class RadiativeParts(NamedTuple):
    """Weak and magnetic-moment parts (they add incoherently, seed 004 below eq. (13))."""

    weak: object
    magnetic: object

    @property
    def total(self):
        return self.weak + self.magnetic


def radiative_couplings(flavor="nuebar", sin2w=SIN2_THETA_W):
    """(g_V, g_A) of seed 004 eq. (32) for ``flavor``; antineutrinos carry −g_A.

    Mapping to the seed-000 couplings (g_L⁰, g_R⁰) of :mod:`nujax.couplings`: seed 004 eq. (7)
    has g_L = 2 g_L⁰, g_R = 2 g_R⁰, so g_V = g_L⁰ + g_R⁰ and g_A = g_L⁰ − g_R⁰.

    >>> [round(float(g), 4) for g in radiative_couplings("nue", 0.23)]
    [0.96, 0.5]
    >>> [round(float(g), 4) for g in radiative_couplings("nuebar", 0.23)]
    [0.96, -0.5]
    """
    c = electron_couplings(parse_flavor(flavor), sin2w)
    return c.gL + c.gR, c.gL - c.gR  # seed 004 eq. (32) with eq. (7) = 2 × seed 000 eq. (2)


# --- physical region ---------------------------------------------------------------------------
def y_max(x, enu, *, xp=jnp):
    """Upper limit of y = ν/Eν at fixed x: (1 + m x/(2Eν))⁻¹ (seed 004 eq. (28))."""
    del xp
    return 1.0 / (1.0 + M_E * x / (2.0 * enu))


def omega_limits(x, y, enu, *, xp=jnp):
    """(ω⁻, ω⁺) of seed 004 eq. (29) [dimensionless]; inputs must lie in 0 ≤ x ≤ 1, y > 0."""
    r = enu * y / M_E
    s = xp.sqrt(1.0 + 2.0 * M_E * xp.maximum(x, 0.0) / (enu * xp.maximum(y, 1e-300)))
    d = 1.0 + 2.0 * r * (1.0 - x)
    return y * (1.0 - x) * (1.0 + r * (1.0 - s)) / d, y * (1.0 - x) * (1.0 + r * (1.0 + s)) / d


def is_physical(x, y, w, enu, *, xp=jnp):
    """Open physical region of seed 004 eqs. (27)–(29) (boundaries excluded)."""
    xs = xp.clip(x, 0.0, 1.0)
    ys = xp.clip(y, 1e-30, 1.0)
    wm, wp = omega_limits(xs, ys, enu, xp=xp)
    return (x > 0) & (x < 1) & (y > 0) & (y < y_max(xs, enu, xp=xp)) & (w > wm) & (w < wp) & (enu > 0)


def _float_dtype(*args):
    """Floating dtype of the inputs (float32 inputs stay float32; Python floats are weak)."""
    dt = jnp.result_type(*args)
    return dt if jnp.issubdtype(dt, jnp.floating) else jnp.result_type(float)


# --- kernel ------------------------------------------------------------------------------------
def _phi_average(fn, K):
    """Exact azimuthal mean of a quadratic in K cos φ: (f(K/√2) + f(−K/√2)) / 2."""
    h = K / math.sqrt(2.0)
    return 0.5 * (fn(h) + fn(-h))


def radiative_terms(x, y, w, enu, gV, gA, mu_muB, *, form="eq40", xp=jnp):
    """d³σ/dx dy dω [MeV⁻²] (weak, magnetic) at one point, written against the namespace ``xp``.

    Parameters
    ----------
    x, y, w : array_like
        Seed 004 eq. (26) variables.
    enu : array_like
        Neutrino energy [MeV].
    gV, gA : array_like
        Couplings of eq. (32) (antineutrino: g_A already sign-flipped).
    mu_muB : array_like
        μν in Bohr magnetons.
    form : {"eq40", "traces"}
        Static. ``"eq40"`` (default): the corrected polynomials of eqs. (40)–(43), which keep full
        precision as x → 0 and in float32 (module docstring). ``"traces"``: the φ-averaged
        spin sums of eqs. (10) and (13), the same function evaluated with cancellations (the
        magnetic part loses ≈ ε/x relative, the x-derivative of the weak part is lost below
        x ≈ ε); kept as the independent check of the polynomials.

    Returns
    -------
    RadiativeParts
        Exactly 0 outside the physical region.
    """
    if form not in ("eq40", "traces"):
        raise ValueError(f"form must be 'eq40' or 'traces', got {form!r}")
    m = M_E
    ok = is_physical(x, y, w, enu, xp=xp)
    # interior stand-in point (double where): x = ½, y = ½ y_max, ω mid-range
    x = xp.where(ok, x, 0.5)
    enu = xp.where(ok, enu, 1.0)
    y = xp.where(ok, y, 0.5 * y_max(0.5, enu, xp=xp))
    wm, wp = omega_limits(x, y, enu, xp=xp)
    w = xp.where(ok, w, 0.5 * (wm + wp))
    if form == "eq40":
        r = appendix_eq40_43(x, y, w, enu, gV, gA, mu_muB, corrected=True, xp=xp)
        return RadiativeParts(xp.where(ok, r.weak, 0.0), xp.where(ok, r.magnetic, 0.0))

    nu = enu * y
    eg = enu * w
    T = nu - eg
    Q2 = 2.0 * m * nu * x
    q2abs = nu * nu + Q2  # |q⃗|²
    qm = xp.sqrt(q2abs)
    pe2 = T * T + 2.0 * m * T
    ep = T + m
    # invariant products (q = p' + k − p, p = (m, 0⃗))
    ppk = m * nu * (1.0 - x)  # p'·k
    pk = m * eg  # p·k
    ppp = m * ep  # p·p'
    qpp = ppk - m * T  # q·p'
    qk = ppk - pk  # q·k
    qp = m * nu  # q·p
    lq = -0.5 * Q2  # l·q  from (l − q)² = 0
    # geometry of q⃗ (angle α to the beam) and of p⃗' (angle β to q⃗)
    pe_cb = (pe2 + ep * eg - ppk) / qm  # |p'| cos β
    ca = (nu + Q2 / (2.0 * enu)) / qm  # cos α
    K2 = enu * enu * (1.0 - ca * ca) * (pe2 - pe_cb * pe_cb)
    okK = K2 > 0
    K = xp.where(okK, xp.sqrt(xp.where(okK, K2, 1.0)), 0.0)
    lp = m * enu
    lpp0 = enu * ep - enu * ca * pe_cb
    lk0 = enu * eg - enu * ca * (qm - pe_cb)
    l_lp = -lq
    # a = p'/(p'k) − p/(pk)  (seed 004 eq. (9))
    a2 = m * m / (ppk * ppk) + m * m / (pk * pk) - 2.0 * ppp / (ppk * pk)
    ap = ppp / ppk - m * m / pk
    app = m * m / ppk - ppp / pk
    gL = gV + gA  # seed 004 eq. (32) inverted
    gR = gV - gA

    def weak_term(h):  # seed 004 eq. (10) / (32 G_F² e²)
        lpp = lpp0 - h
        lk = lk0 + h
        lpp_ = lpp - qpp  # l'·p'
        lpk = lk - qk  # l'·k
        lpp_p = lp - qp  # l'·p
        al = lpp / ppk - lp / pk
        alp = lpp_ / ppk - lpp_p / pk
        return ((-gL * gL * lp * lpp_ - gR * gR * lpp_p * lpp + gL * gR * m * m * l_lp) * a2
                + (gL * gL * lpp_ * (al * pk - (ap - 1.0) * lk)
                   + gR * gR * lpp * (alp * pk - (ap - 1.0) * lpk)) / pk
                + (gL * gL * lp * (alp * ppk - (app - 1.0) * lpk)
                   + gR * gR * lpp_p * (al * ppk - (app - 1.0) * lk)) / ppk
                - 2.0 * gL * gR * m * m * lk * lpk / (pk * ppk))

    def mag_term(h):  # seed 004 eq. (13) / (32 e⁴ f_M² / q²)
        lpp = lpp0 - h
        lk = lk0 + h
        al = lpp / ppk - lp / pk
        return (lp * lpp * a2 + (ap * lk - al * pk) * lpp / pk + (app * lk - al * ppk) * lp / ppk
                - lk * lpp / pk - lk * lp / ppk + m * m * lk * lk / (pk * ppk))

    flux = xp.sqrt(nu / (nu + 2.0 * m * x)) * _NORM  # √(Eν y/(Eν y + 2mx)) / (64 (2π)³)
    weak = flux * 32.0 * G_F**2 * _E2 * _phi_average(weak_term, K)
    fM2 = (mu_muB * math.sqrt(_E2) / (2.0 * m)) ** 2  # f_M = μν (eq. (11)), μ_B = e/(2m)
    mag = flux * 32.0 * _E2 * _E2 * fM2 / (-Q2) * _phi_average(mag_term, K)
    return RadiativeParts(xp.where(ok, weak, 0.0), xp.where(ok, mag, 0.0))


@functools.partial(jax.jit, static_argnames=("flavor",))
def _d3_jit(x, y, w, enu, mu_1e11, sin2w, *, flavor):
    gV, gA = radiative_couplings(flavor, sin2w)
    return radiative_terms(x, y, w, enu, gV, gA, mu_1e11 * MU_SCALE)


def d3sigma_dx_dy_dw(x, y, w, enu, mu_1e11=0.0, *, flavor="nuebar", sin2w=SIN2_THETA_W) -> RadiativeParts:
    """Triple-differential d³σ/dx dy dω [MeV⁻²] of ν e → ν e γ (seed 004 eqs. (10), (13), (14)).

    Parameters
    ----------
    x, y, w : array_like
        Seed 004 eq. (26): x = Q²/(2mν), y = ν/Eν, ω = E_γ/Eν (broadcast together).
    enu : array_like
        Neutrino energy [MeV].
    mu_1e11 : array_like
        Magnetic moment μν / (10⁻¹¹ μ_B).
    flavor : str or Flavor
        Static: "nue", "numu", "nuebar", …
    sin2w : float
        sin²θ_W (seed reproductions: 0.23).

    Examples
    --------
    >>> import nujax; nujax.enable_x64()
    >>> r = d3sigma_dx_dy_dw(0.3, 0.5, 0.2, 1.0, 10.0, flavor="nuebar", sin2w=0.23)
    >>> bool(r.weak > 0) and bool(r.magnetic > 0)
    True
    >>> float(d3sigma_dx_dy_dw(1.2, 0.5, 0.2, 1.0).weak)   # outside the region: exactly 0
    0.0
    """
    check_energy("enu", enu, allow_zero=False)
    check_args(x=x, y=y, w=w, mu_1e11=mu_1e11, sin2w=sin2w)
    f = parse_flavor(flavor)
    dt = _float_dtype(x, y, w, enu)
    args = jnp.broadcast_arrays(*(jnp.asarray(a, dtype=dt) for a in (x, y, w, enu)))
    return _d3_jit(*args, jnp.asarray(mu_1e11, args[0].dtype), jnp.asarray(sin2w, args[0].dtype),
                   flavor=f.value)


# --- laboratory variables (seed 004 eqs. (19)–(25)) -----------------------------------------------
def q2_from_angle(T, eg, costheta, *, xp=jnp):
    """Q² = 2T[(m − E_γ) + E_γ √(1 + 2m/T) cos θ] [MeV²] (seed 004 eq. (19)); θ = e–γ opening angle."""
    pe = xp.sqrt(T * T + 2.0 * M_E * T)
    return 2.0 * T * (M_E - eg) + 2.0 * eg * pe * costheta


def cos_theta_q2zero(T, eg, *, xp=jnp):
    """cos θ on the Q² = 0 line: (1 − m/E_γ)/√(1 + 2m/T) (seed 004 eq. (20))."""
    return (1.0 - M_E / eg) / xp.sqrt(1.0 + 2.0 * M_E / T)


def photon_energy_e0(T, *, xp=jnp):
    """E⁰_γ = m/(1 + √(1 + 2m/T)) [MeV], lowest E_γ reaching Q² = 0 (seed 004 eq. (21))."""
    return M_E / (1.0 + xp.sqrt(1.0 + 2.0 * M_E / T))


def photon_energy_e1(T, enu, *, xp=jnp):
    """E¹_γ = Eν − T(1 + √(1 + 2m/T))/2 [MeV] (seed 004 eq. (24))."""
    return enu - 0.5 * T * (1.0 + xp.sqrt(1.0 + 2.0 * M_E / T))


def cos_theta1(T, *, xp=jnp):
    """cos θ₁ = 1/√(1 + 2m/T): Q² = Q²_el = 2mT (seed 004 eq. (22))."""
    return 1.0 / xp.sqrt(1.0 + 2.0 * M_E / T)


def cos_theta0(T, enu, *, xp=jnp):
    """cos θ₀ = (1 − m/(Eν − T)) cos θ₁ (seed 004 eq. (23))."""
    return (1.0 - M_E / (enu - T)) * cos_theta1(T, xp=xp)


def d3sigma_dT_dEg_dcostheta(T, eg, costheta, enu, mu_1e11=0.0, *, flavor="nuebar",
                             sin2w=SIN2_THETA_W) -> RadiativeParts:
    """d³σ/dT dE_γ dcos θ [MeV⁻⁴] through the Jacobian E_γ|p'|/(Eν² m ν) of (T, E_γ, cos θ) → (x, y, ω).

    θ is the electron–photon opening angle; Q² from seed 004 eq. (19); 0 where unphysical.
    """
    check_args(T=T, costheta=costheta)
    check_energy("eg", eg)
    dt = _float_dtype(T, eg, costheta, enu)
    T, eg, costheta, enu = jnp.broadcast_arrays(*(jnp.asarray(a, dtype=dt) for a in (T, eg, costheta, enu)))
    okT = (T > 0) & (eg > 0)
    Ts = jnp.where(okT, T, 1.0)
    egs = jnp.where(okT, eg, 1.0)
    nu = Ts + egs
    x = q2_from_angle(Ts, egs, costheta) / (2.0 * M_E * nu)
    r = d3sigma_dx_dy_dw(jnp.where(okT, x, -1.0), nu / enu, egs / enu, enu, mu_1e11, flavor=flavor, sin2w=sin2w)
    jac = egs * jnp.sqrt(Ts * Ts + 2.0 * M_E * Ts) / (enu * enu * M_E * nu)  # ∂(x,y,ω)/∂(T,E_γ,cosθ)
    return RadiativeParts(jnp.where(okT, r.weak * jac, 0.0), jnp.where(okT, r.magnetic * jac, 0.0))


# --- the appendix eqs. (40)–(43): as printed, and corrected ----------------------------------------
APPENDIX_CORRECTIONS = ("M1_w2_y2", "W0_w2_y", "W1_w3_gVgA", "W3_w3_sign")


def appendix_eq40_43(x, y, w, enu, gV, gA, mu_muB, *, corrected=False, xp=jnp) -> RadiativeParts:
    """d³σ/dx dy dω [MeV⁻²] from seed 004 appendix eqs. (40)–(43) (physical points only).

    Parameters
    ----------
    x, y, w, enu, gV, gA, mu_muB
        As for :func:`radiative_terms` (no region mask: evaluate inside the physical region).
    corrected : bool or iterable of str
        ``False``: the equations exactly as extracted (misprinted). ``True``: with the four
        corrections listed in the module docstring, which make them equal to :func:`radiative_terms`.
        An iterable applies only the named ones of :data:`APPENDIX_CORRECTIONS`.
    """
    fixes = set(APPENDIX_CORRECTIONS) if corrected is True else set(corrected or ())
    if not fixes <= set(APPENDIX_CORRECTIONS):
        raise ValueError(f"unknown appendix corrections {sorted(fixes - set(APPENDIX_CORRECTIONS))}")
    c1, c2, c3, c4 = (float(k in fixes) for k in APPENDIX_CORRECTIONS)
    m, E = M_E, enu
    M0 = 2*E**2*y**2*(1-x)*((-x*(1-x)*y**2+(6*x**2-6*x+1)*(1-y))*w**3  # eq. (41)
         + x*y*((1-x)*y**2-2*(3*x-2)*(1-y))*w**2 + (x**2+1)*y**2*(1-y)*w)
    M1 = 2*y*E*(-x*(1-x)*((x**2-x+1)*y**2+(1-y))*w**3  # correction 1: y -> y² in the ω² term
                + y*(-x*(x-1)**2*(x+1)*y**(1+c1)+(4*x**3+2*x**2-9*x+2)*(1-y))*w**2
                - (1-x)*y**2*(x*(x**2-1)*y**2+(x**3-13*x+2)*(1-y))*w - x*(x-1)**2*y**3*(1-y))
    M2 = y*(-x**2*(1-x)*y*w**3 + 2*(x*(1-x)*(2*x**2+x-4)*y**2+(9*x**2-14*x+1)*(1-y))*w**2
            + (1-x)*y*(x*(x**2+x+10)*(1-x)*y**2-4*(x**2-10*x+1)*(1-y))*w
            + 2*y**2*(x-1)**2*(-x*(1-x)*y**2+(x**2-6*x+1)*(1-y)))
    M3 = x/E*(-(1-x)*(x+3)*y**2-8*(1-y))*(w-y*(1-x))**2
    root = xp.sqrt(E*y/(E*y+2*m*x))
    # prefactors as products of reciprocals (not one division by (1−x)²y³ω²), so neither the value
    # nor its gradient passes through an over- or underflowing intermediate in float32
    ix, iD, iy, iw = 1/(1-x), 1/(2*m*x+E*y), 1/y, 1/w
    mag = (ALPHA**3/(4*m**2)*mu_muB**2*(ix*ix)*(iD*iD)*root*(iy*iy*iy)*(iw*iw)  # eq. (40)
           * (M0+m*M1+m**2*M2+m**3*M3))
    S, I, D, V2, A2 = gV**2+gA**2, gV*gA, (gV-gA)**2, gV**2, gA**2
    W0 = x*(1-x)*E**3*y**2*(y**2*(x**2+1)*(-y*(2-y)*D+2*S)*w  # eq. (43)
         - 2*x*y*((x*y**2+2*(3*x-2)*(1-y))*S+2*x*y**c2*(2-y)*I)*w**2  # correction 2: 2x(2−y) -> 2xy(2−y)
         + (((2*x**2-2*x+1)*y**2+2*(6*x**2-6*x+1)*(1-y))*S+2*(2*x-1)*y*(2-y)*I)*w**3)
    W1 = E**2*y*((x-1)**2*x**2*y**3*(y*(2-y)*D-2*S)
                 + 2*(1-x)*y**2*(x*y**2*((x**3+4*x-1)*V2+(x**3+4*x+1)*A2)
                                 - (1-y)*(x*(x**3-13*x+2)*V2+(x**4-15*x**2+6*x-2)*A2)
                                 + 2*x**2*(x**2+4)*y*(2-y)*I)*w
                 - y*(x*y**2*((2*x**4-10*x**3+6*x**2+5*x-2)*V2+(2*x**4-10*x**3+2*x**2+9*x-2)*A2)
                      - 2*(1-y)*(x*(4*x**3+2*x**2-9*x+2)*V2+(4*x**4+14*x**3-37*x**2+22*x-4)*A2)
                      - 2*(4*x**3-4*x**2+4*x-5)*x**2*y*(2-y)*I)*w**2
                 + 2*(1-x)*(-x*y**2*(x*(x**2-x-1)*V2+(x**3-x**2-3*x+2)*A2)
                            - (1-y)*(x**2*V2+(-11*x**2+12*x-2)*A2)
                            + c3*2*x**2*(2*x-1)*y*(2-y)*I)*w**3)  # correction 3: lost term
    W2 = E*x*((x-1)**2*y**3*(-y**2*((2*x**2+2*x-1)*V2+(2*x**2+2*x+1)*A2)
                             + 2*(1-y)*(x**2-6*x+1)*S-4*y*(2-y)*(x+1)*x*I)
              + (1-x)*y**2*(y**2*((3*x**4+3*x**2+2*x-2)*V2+(3*x**4-x**2+26*x-2)*A2)
                            - 4*(1-y)*((x**2-10*x+1)*V2+2*(x**2-6*x+1)*A2)+8*y*(2-y)*(3*x+1)*x*I)*w
              + y*(y**2*((4*x**4-6*x**3-2*x**2+1)*V2+(4*x**4-10*x**3+30*x**2-36*x+7)*A2)
                   + 2*(1-y)*((9*x**2-14*x+1)*V2+(13*x**2-22*x+5)*A2)+4*y*(2-y)*(4*x**2-5*x-1)*x*I)*w**2
              + (1-x)*(y**2*(3*x**2*V2+(-x**2+4*x-4)*A2)-4*(1-y)*A2)*w**3)
    W3 = x**2*((1-x)**2*y**2*(y**2*((1-x)*(3*x+1)*V2-(3*x**2-2*x+7)*A2)-8*(1-y)*S-8*y*(2-y)*x*I)
               + 2*(1-x)*y*(y**2*((3*x**2-6*x-1)*V2+(2*x**2+4*x+6)*A2)+8*(1-y)*S+8*y*(2-y)*x*I)*w
               + (-y**2*((11*x**2-10*x-1)*V2+(-9*x**2+14*x+3)*A2)-8*(1-y)*S-8*y*(2-y)*x*I)*w**2
               + (1-2*c4)*2*(1-x)*y*A2*w**3)  # correction 4: sign of the g_A² ω³ term
    W4 = 4*x**3*y/E*(w-y*(1-x))**2*(V2-A2)
    weak = (G_F**2*m/(4*math.pi**2)*ALPHA*(ix*ix)*(iD*iD)*root*(iy*iy)*(iw*iw)  # eq. (42)
            * (W0+m*W1+m**2*W2+m**3*W3+m**4*W4))
    return RadiativeParts(weak, mag)
