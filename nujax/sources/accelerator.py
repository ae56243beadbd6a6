"""Pion decay at rest (πDAR): the prompt νμ line and the delayed ν̄μ and νe Michel spectra.

π⁺ → μ⁺ νμ at rest gives a line at Eν = (m_π² − m_μ²)/(2 m_π) = 29.79 MeV (two-body kinematics,
computed from the PDG 2024 masses m_π± = 139.57039 MeV, m_μ = 105.6583755 MeV). The μ⁺ → e⁺ νe ν̄μ
decay at rest gives the Michel spectra (x = Eν/m_μ, 0 ≤ x ≤ ½, electron mass neglected; e.g.
C. Athanassopoulos et al. (LSND), NIM A 388 (1997) 149; Particle Data Group, "Muon decay
parameters"):

    ν̄μ: dN/dEν = (64/m_μ) x² (¾ − x),      νe: dN/dEν = (192/m_μ) x² (½ − x),

with ⟨E⟩ = 0.35 m_μ = 36.98 MeV and 0.30 m_μ = 31.70 MeV. Each decay chain yields one neutrino of
each flavor, so with r neutrinos per flavor per proton on target (e.g. 0.08 at the SNS, D. Akimov
et al. (COHERENT), Science 357 (2017) 1123) the flux at distance L is Φ = r · POT/s / (4π L²)
for each of the three components.

Agreement (tests/sources/test_sources.py): below m_μ/2 the mean energies of the Kavanagh CEvNS.py digitized
SNS spectra agree with these within 1 % and the shapes within 20 % on 7–51 MeV (digitization).
Note: in that data set the file labelled ``numub`` holds the νe shape (⟨E⟩ = 31.7 MeV = 0.30 m_μ)
and the one labelled ``nue`` the ν̄μ shape (⟨E⟩ = 36.7 MeV ≈ 0.35 m_μ): the labels are swapped.

Timing
------
A proton on target at time s makes a π⁺ that decays after an exponential time (τ_π), giving the
prompt νμ; its μ⁺ decays after a second exponential time (τ_μ), giving the delayed ν̄μ and νe.
The arrival-time distributions (common flight time dropped) are the proton pulse p(s) convolved
with the decay-time densities, whose CDFs for a pulse at s = 0 are (radioactive-chain law,
H. Bateman, Proc. Cambridge Phil. Soc. 15 (1910) 423, for a chain of two decays):

    prompt:   F_π(t) = 1 − e^{−t/τ_π},
    delayed:  F_μ(t) = 1 − (τ_μ e^{−t/τ_μ} − τ_π e^{−t/τ_π})/(τ_μ − τ_π),        t ≥ 0,

with τ_π = 26.033 ns and τ_μ = 2196.9811 ns (Particle Data Group, R. L. Workman et al., PTEP
2022 083C01 and 2024 update). The pulse is an input: a set of (time, weight) samples of any
shape (:func:`gaussian_pulse` builds a Gaussian; a measured profile can be given as samples),
so F(t) = Σ_j w_j F(t − s_j) exactly for that sampled pulse. :func:`pidar_time_fractions`
returns the fraction of each of the three :func:`pidar_spectra` components in time bins; the
energy × time templates are :func:`nujax.rates.timing.binned_templates_timed`.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.sources.spectrum import Spectrum, continuum_spectrum, line_spectrum

__all__ = ["M_PI_CHARGED", "M_MU", "E_NU_MU_PROMPT", "TAU_PI_NS", "TAU_MU_NS", "michel_numubar",
           "michel_nue", "pidar_spectra", "gaussian_pulse", "pidar_time_cdf",
           "pidar_time_fractions", "pidar_arrival_fractions"]

#: Charged-pion mass [MeV], PDG 2024.
M_PI_CHARGED: float = 139.57039
#: Muon mass [MeV], PDG 2024.
M_MU: float = 105.6583755
#: Charged-pion mean life [ns], PDG 2024 (τ = 2.6033 × 10⁻⁸ s).
TAU_PI_NS: float = 26.033
#: Muon mean life [ns], PDG 2024 (τ = 2.1969811 × 10⁻⁶ s).
TAU_MU_NS: float = 2196.9811
#: Prompt νμ energy from π⁺ → μ⁺ νμ at rest [MeV] (two-body kinematics).
E_NU_MU_PROMPT: float = (M_PI_CHARGED**2 - M_MU**2) / (2.0 * M_PI_CHARGED)


def michel_numubar(enu):
    """ν̄μ spectrum from μ⁺ decay at rest [MeV⁻¹], normalized; 0 outside [0, m_μ/2]."""
    x = jnp.asarray(enu) / M_MU
    return jnp.where((x >= 0) & (x <= 0.5), 64.0 / M_MU * x * x * (0.75 - x), 0.0)  # Michel, ρ = 3/4


def michel_nue(enu):
    """νe spectrum from μ⁺ decay at rest [MeV⁻¹], normalized; 0 outside [0, m_μ/2]."""
    x = jnp.asarray(enu) / M_MU
    return jnp.where((x >= 0) & (x <= 0.5), 192.0 / M_MU * x * x * (0.5 - x), 0.0)  # Michel, ρ = 3/4


def pidar_spectra(pot_per_s=None, distance_cm=None, *, nu_per_flavor_per_pot: float = 0.08,
                  n_grid: int = 401) -> tuple[Spectrum, Spectrum, Spectrum]:
    """πDAR spectra (prompt νμ, delayed ν̄μ, delayed νe).

    Parameters
    ----------
    pot_per_s : float, optional
        Protons on target per second; without it the fluxes are per proton on target.
    distance_cm : float, optional
        Distance [cm]; without it the flux is the emission rate (ν per second, or per POT).
    nu_per_flavor_per_pot : float
        Neutrinos of each flavor per proton (0.08 at the SNS, COHERENT 2017).

    >>> nm, nmb, ne = pidar_spectra()
    >>> round(float(nm.line_energies[0]), 2), round(float(nmb.mean_energy()), 2), round(float(ne.mean_energy()), 2)
    (29.79, 36.98, 31.7)
    """
    for label, v in (("POT rate", pot_per_s), ("distance", distance_cm), ("yield", nu_per_flavor_per_pot)):
        if v is not None and isinstance(v, (int, float)) and (not math.isfinite(v) or v < 0):
            raise ValueError(f"{label} must be a finite non-negative number, got {v!r}")
    if isinstance(distance_cm, (int, float)) and distance_cm == 0:
        raise ValueError("distance must be > 0 cm")
    rate = nu_per_flavor_per_pot * (1.0 if pot_per_s is None else jnp.asarray(pot_per_s))
    flux = rate if distance_cm is None else rate / (4.0 * math.pi * jnp.asarray(distance_cm) ** 2)
    grid = np.linspace(0.0, 0.5 * M_MU, n_grid)
    g = jnp.asarray(grid)
    prompt = line_spectrum([E_NU_MU_PROMPT], [1.0], flux=flux, flavor_fractions=(0.0, 1.0, 0.0),
                           name="pidar nu_mu")
    numubar = continuum_spectrum(grid, michel_numubar(g), flux=flux, flavor_fractions=(0.0, 1.0, 0.0),
                                 antineutrino=True, name="pidar nubar_mu")
    nue = continuum_spectrum(grid, michel_nue(g), flux=flux, name="pidar nu_e")
    return prompt, numubar, nue


def gaussian_pulse(sigma_ns: float = 250.0, n: int = 201, n_sigma: float = 5.0):
    """A Gaussian proton pulse sampled at ``n`` equally spaced times on ±``n_sigma`` σ [ns].

    Returns (times [ns], weights) with weights summing to 1 (midpoint masses of the Gaussian).
    The default σ = 250 ns puts ±2σ on the ~1 μs SNS pulse length at the target ("beam pulse
    length (extr., target): 1 μs", SNS Harp System design brochure; "sub-μs 60 Hz pulses",
    Blokland et al., AccApp'13): a modelling choice, not a fit to the published SNS
    proton-on-target profile (give that profile as samples where it matters).
    """
    if not (sigma_ns > 0 and n >= 1 and n_sigma > 0):
        raise ValueError("gaussian_pulse needs sigma_ns > 0, n ≥ 1 and n_sigma > 0")
    edges = np.linspace(-n_sigma, n_sigma, n + 1)
    from scipy.special import ndtr

    w = np.diff(ndtr(edges))
    return 0.5 * (edges[1:] + edges[:-1]) * sigma_ns, w / w.sum()


def _chain_cdf(t, delayed):
    """Decay-time CDF of the prompt (π) or delayed (π → μ) neutrinos for a pulse at 0 (docstring)."""
    ok = t > 0
    ts = jnp.where(ok, t, 0.0)
    ep = jnp.exp(-ts / TAU_PI_NS)
    if not delayed:
        f = 1.0 - ep                                                     # F_π
    else:
        em = jnp.exp(-ts / TAU_MU_NS)                                    # Bateman, two decays
        f = 1.0 - (TAU_MU_NS * em - TAU_PI_NS * ep) / (TAU_MU_NS - TAU_PI_NS)
    return jnp.where(ok, f, 0.0)


def _pulse(pulse):
    if pulse is None:
        pulse = gaussian_pulse()
    times, weights = pulse
    t = np.atleast_1d(np.asarray(times, float)) if not isinstance(times, jnp.ndarray) else times
    w = np.atleast_1d(np.asarray(weights, float)) if not isinstance(weights, jnp.ndarray) else weights
    if isinstance(w, np.ndarray):
        if w.shape != np.shape(t) or np.any(w < 0) or not w.sum() > 0:
            raise ValueError("pulse must be (times [ns], weights ≥ 0) of one shape, weights not all 0")
        w = w / w.sum()
    return jnp.asarray(t), jnp.asarray(w)


def pidar_time_cdf(t_ns, delayed: bool, pulse=None):
    """Fraction of prompt (``delayed`` False) or delayed neutrinos arriving before ``t_ns``.

    ``pulse``: (times [ns], weights) samples of the proton pulse (default :func:`gaussian_pulse`);
    ``((0.0,), (1.0,))`` is an instantaneous pulse.
    """
    s, w = _pulse(pulse)
    t = jnp.asarray(t_ns, dtype=jnp.result_type(float))
    return jnp.sum(w * _chain_cdf(t[..., None] - s, bool(delayed)), axis=-1)


def pidar_time_fractions(t_edges_ns, pulse=None, time_efficiency=None, n_sub: int = 256):
    """Fractions of the (prompt νμ, delayed ν̄μ, delayed νe) of :func:`pidar_spectra` in each
    time bin [ns], shape (3, n_t) (module docstring).

    ``time_efficiency``: optional acceptance ε(t) of the analysis' timing cuts, a function of the
    arrival time [ns] (e.g. :func:`nujax.detector.presets.coherent_csi_time_efficiency`); the
    fractions are then ∫_bin ε(t) dF(t), by the midpoint rule of the Stieltjes integral on
    ``n_sub`` equal sub-bins of each bin with the exact CDF differences (error O(h² ε'')).

    >>> f = pidar_time_fractions([0.0, 1000.0, 6000.0], pulse=((0.0,), (1.0,)))
    >>> round(float(f[0, 0]), 6), round(float(f[2, 0]), 4)
    (1.0, 0.3581)
    """
    e = jnp.asarray(t_edges_ns, dtype=jnp.result_type(float))
    if is_concrete(t_edges_ns):
        a = np.asarray(t_edges_ns, float)
        if a.ndim != 1 or a.size < 2 or np.any(np.diff(a) <= 0) or not np.all(np.isfinite(a)):
            raise ValueError("t_edges_ns must be a 1-D increasing array of ≥ 2 finite times [ns]")
    if time_efficiency is not None:
        if not callable(time_efficiency):
            raise TypeError(f"time_efficiency must be a function of the time [ns], got "
                            f"{time_efficiency!r}")
        u = jnp.linspace(0.0, 1.0, int(n_sub) + 1, dtype=e.dtype)
        sub = e[:-1, None] + (e[1:] - e[:-1])[:, None] * u                  # (n_t, n_sub + 1)
        eff = time_efficiency(0.5 * (sub[:, 1:] + sub[:, :-1]))              # ε at sub-bin centres
        p, d = (jnp.sum(eff * jnp.diff(pidar_time_cdf(sub, flag, pulse), axis=-1), axis=-1)
                for flag in (False, True))
        return jnp.stack([p, d, d])
    p, d = (pidar_time_cdf(e, flag, pulse) for flag in (False, True))
    fp, fd = jnp.diff(p), jnp.diff(d)
    return jnp.stack([fp, fd, fd])


def pidar_arrival_fractions(spectra, fractions):
    """Each π-DAR spectrum's row of :func:`pidar_time_fractions` (shape (3, n_t): prompt νμ,
    delayed ν̄μ, delayed νe), matched by kind, not by position: the monochromatic π → μνμ line
    at :data:`E_NU_MU_PROMPT` is prompt; the Michel continua (endpoint m_μ/2) are delayed
    (ν̄μ and νe share the μ-decay time distribution, so either delayed row serves). Returns
    (S, n_t) for S spectra; a spectrum of neither kind is an error.

    >>> nm, nmb, ne = pidar_spectra()
    >>> f = pidar_time_fractions([0.0, 1000.0, 6000.0], pulse=((0.0,), (1.0,)))
    >>> [round(float(x), 4) for x in pidar_arrival_fractions((ne, nm), f)[:, 0]]
    [0.3581, 1.0]
    """
    fractions = jnp.asarray(fractions)
    if fractions.ndim != 2 or fractions.shape[0] != 3:
        raise ValueError(f"fractions must have shape (3, n_t) (pidar_time_fractions), got "
                         f"{fractions.shape}")
    rows = []
    for sp in spectra:
        prompt = sp.line_energies.shape[0] > 0 and sp.grid.shape[0] == 0
        delayed = sp.line_energies.shape[0] == 0 and sp.grid.shape[0] > 0
        if is_concrete(sp.line_energies) and is_concrete(sp.grid):
            lines, grid = np.asarray(sp.line_energies, float), np.asarray(sp.grid, float)
            prompt = prompt and bool(np.allclose(lines, E_NU_MU_PROMPT, rtol=1e-6))
            delayed = delayed and bool(np.isclose(grid.max(), 0.5 * M_MU, rtol=1e-9))
        if not (prompt or delayed):
            raise ValueError(f"spectrum {sp.name!r} is neither the prompt π-DAR νμ line nor a "
                             "delayed Michel continuum (pidar_spectra)")
        rows.append(fractions[0] if prompt else fractions[1])
    return jnp.stack(rows)
