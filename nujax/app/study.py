"""A complete directional sensitivity study of μν with a Hellaz-like solar-neutrino detector.

This is the analysis behind ``nujax demo``, as library functions returning results (the command
line only prints and writes them). The default scenario follows seed 000: pp and ⁷Be solar
neutrinos scattering on the electrons of a 6 t He/CH₄ TPC (threshold 100 keV, 30 mrad angular
resolution), half of the beam converted (Pe = 0.5) and μν = 3·10⁻¹¹ μB, so that the transverse
polarisation of the beam modulates the azimuthal distribution of the recoil electrons
(seed 000 eq. (12)). The study computes

1. the rates dN/dT and dN/dφ and the maximal azimuthal asymmetry 𝒜 (seed 000 eq. (18)) with the
   μν that maximises it (seed 000 eq. (20));
2. a binned (T, φ) Poisson likelihood with flux and background nuisances; a toy (or Asimov) data
   set drawn at the true μν and φ_B;
3. the maximum-likelihood fit with Fisher errors, the 90 % CL profile-likelihood upper limit on
   |μν| (Cowan et al., EPJC 71 (2011) 1554) and the median expected limit for no signal;
4. a short NUTS posterior of μν, φ_B and the nuisances, and its 90 % credible upper limit.

>>> StudyConfig().sources
('pp', '7Be')
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import time
import warnings
from pathlib import Path
from typing import Callable, NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["StudyConfig", "StudyResult", "STAGES", "OUTPUT_FILES", "quick_config", "study_inputs",
           "rate_curves", "asymmetry_numbers", "profile_limit", "run_study", "summary_dict", "check_outputs",
           "write_study"]

#: Stages of :func:`run_study`, reported one by one to the ``progress`` callback.
STAGES = ("rates and asymmetry", "binned model", "toy data and MLE fit", "profile-likelihood limit",
          "expected sensitivity", "NUTS posterior")

#: Files written by :func:`write_study` into the output folder.
OUTPUT_FILES = ("summary.json", "posterior.nc", "spectrum.png", "dndphi.png", "posterior.png")

_FREE = ("mu_1e11", "phi_B", "norm", "bkg_scale")
#: Nuisances profiled in the upper limit, and the top of its search range [10⁻¹¹ μB].
_LIMIT_NUISANCES = ("phi_B", "norm", "bkg_scale")
_MU_MAX = 50.0


@dataclasses.dataclass(frozen=True)
class StudyConfig:
    """Settings of the directional study (defaults: the seed-000 Hellaz pp + ⁷Be scenario).

    Attributes
    ----------
    detector : str
        Detector preset name (:func:`nujax.preset`).
    sources : tuple of str
        Source names (:func:`nujax.get_source`); each gets its own flux normalisation.
    pe : float
        Active-species probability Pe of the solar beam (|ξ⊥| = 2√(Pe(1 − Pe)), Dirac).
    oscillation : str or None
        None (default): seed 000's beam, the emitted ν_e with the spin flip Pe and no flavor
        oscillation (a seed reproduction); "msw": the MSW-oscillated solar flavor content
        (:func:`nujax.propagation.msw.oscillate_solar`) with the spin flip on top.
    mu_1e11 : float
        True μν [10⁻¹¹ μB] injected in the data.
    phi_B : float
        True azimuth of the transverse polarisation [rad].
    background : float
        Flat background [counts / (t yr MeV)].
    norm_sigma : tuple of float
        Relative flux uncertainties, one per source: 1 % (pp) and 6 % (⁷Be), the order of the
        B16 standard-solar-model uncertainties (Vinyoles et al., ApJ 835 (2017) 202).
    bkg_sigma : float
        Relative background uncertainty.
    T_range : (float, float)
        Recoil-energy analysis window [MeV] (up to the ⁷Be Compton edge, 0.665 MeV).
    n_T, n_phi : int
        Numbers of recoil-energy and azimuth bins.
    data : str
        "toy" (Poisson draw) or "asimov" (the expected counts).
    seed : int
        Random seed of the toy data and of NUTS.
    num_warmup, num_samples, num_chains : int
        NUTS settings (chains run sequentially on one device).
    cl : float
        Confidence / credibility level of the upper limits.
    n_curve : int
        Points of the plotted dN/dT and dN/dφ curves.
    limit_grid : int
        Grid points of the profile-likelihood scan on [0, 50] (:func:`nujax.app.fit.limit_step`).
    """

    detector: str = "hellaz"
    sources: tuple = ("pp", "7Be")
    pe: float = 0.5
    oscillation: Optional[str] = None
    mu_1e11: float = 3.0
    phi_B: float = 1.0
    background: float = 50.0
    norm_sigma: tuple = (0.01, 0.06)
    bkg_sigma: float = 0.1
    T_range: tuple = (0.1, 0.7)
    n_T: int = 30
    n_phi: int = 36
    data: str = "toy"
    seed: int = 0
    num_warmup: int = 500
    num_samples: int = 1000
    num_chains: int = 2
    cl: float = 0.9
    n_curve: int = 121
    limit_grid: int = 64

    def __post_init__(self):
        if self.data not in ("toy", "asimov"):
            raise ValueError(f"data must be 'toy' or 'asimov', got {self.data!r}")
        if len(self.norm_sigma) != len(self.sources):
            raise ValueError(f"norm_sigma needs one entry per source ({len(self.sources)}), "
                             f"got {len(self.norm_sigma)}")
        if self.oscillation not in (None, "msw"):
            raise ValueError(f"oscillation must be None or 'msw', got {self.oscillation!r}")
        if not 0.0 <= self.pe <= 1.0:
            raise ValueError(f"pe must lie in [0, 1], got {self.pe}")
        if self.mu_1e11 < 0:
            raise ValueError(f"mu_1e11 must be ≥ 0 (the sign is carried by phi_B), got {self.mu_1e11}")
        if not 0.0 < self.cl < 1.0:
            raise ValueError(f"cl must lie in (0, 1), got {self.cl}")
        if not 0.0 <= self.T_range[0] < self.T_range[1]:
            raise ValueError(f"T_range must be increasing and non-negative [MeV], got {self.T_range}")
        for name in ("n_T", "n_phi", "num_warmup", "num_samples", "num_chains", "n_curve", "limit_grid"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}")


def quick_config(**overrides) -> StudyConfig:
    """A reduced study (few bins, a tiny NUTS run) for tests and smoke checks; same physics."""
    kw = dict(n_T=8, n_phi=8, num_warmup=100, num_samples=50, num_chains=1, n_curve=31, limit_grid=16)
    kw.update(overrides)
    return StudyConfig(**kw)


class StudyResult(NamedTuple):
    """Everything :func:`run_study` computed (arrays in numpy; see :func:`summary_dict`)."""

    config: StudyConfig
    rates: dict
    asymmetry: dict
    model: object
    data: np.ndarray
    mle: object
    fisher_errors: dict
    profile_limit: float
    expected_limit: float
    posterior: object
    credible_limit: float
    warnings: tuple
    timings: dict


def study_inputs(cfg: StudyConfig):
    """(spectra, detector) of the study: a tuple of Spectrum and the background-carrying preset."""
    import nujax

    from nujax.sources.solar import SOLAR_COMPONENTS

    spectra = sum((nujax.get_source(s, **({"oscillation": cfg.oscillation}
                                           if s in SOLAR_COMPONENTS else {}))
                   for s in cfg.sources), ())
    if len(spectra) != len(cfg.sources):
        raise ValueError("each source name must give exactly one spectrum; got "
                         f"{[s.name for s in spectra]} for {list(cfg.sources)}")
    det = nujax.preset(cfg.detector, background=float(cfg.background))
    return spectra, det


def asymmetry_numbers(spectra, detector, mu_1e11: float, pe: float, target="electron") -> dict:
    """Integrated azimuthal numbers above the detector threshold (``target``: "electron" or
    "nucleus", :func:`nujax.targets.get_target`).

    Returns a dict: ``n_weak``, ``n_em`` [events, φ-integrated], ``n_int`` [events/rad], the
    maximal asymmetry ``A`` (seed 000 eq. (18)), the μν [10⁻¹¹ μB] that maximises it and the
    asymmetry there, ``mu_star`` and ``A_star`` (seed 000 eq. (20)).
    """
    import nujax

    n_w, n_m, n_i = nujax.azimuthal_coefficients(spectra, detector, mu_1e11, pe, target=target)
    mu_star, a_star = nujax.mu_at_max_asymmetry(
        nujax.azimuthal_coefficients(spectra, detector, 1.0, pe, target=target))
    return {"n_weak": float(2 * math.pi * n_w), "n_em": float(2 * math.pi * n_m), "n_int": float(n_i),
            "A": float(nujax.max_asymmetry((n_w, n_m, n_i))),
            "mu_star": float(mu_star), "A_star": float(a_star)}


def rate_curves(spectra, detector, mu_1e11: float, pe: float, phi_B: float = 0.0, *,
                T_range=(0.1, 0.7), n: int = 121) -> dict:
    """dN/dT [events/MeV] per source (weak, magnetic) and dN/dφ [events/rad] of all sources.

    dN/dT at true recoil energies (seed 000 eq. (11)); dN/dφ = n_weak + n_em + n_int cos(φ − φ_B)
    (seed 000 eq. (12)) integrated above the detector threshold.
    """
    import nujax

    T = np.linspace(max(float(T_range[0]), 1e-6), float(T_range[1]), n)
    out = {"T": T}
    for s in spectra:
        t = nujax.dN_dT(s, detector, jnp.asarray(T), mu_1e11, pe)
        out[f"{s.name}/weak"] = np.asarray(t.weak)
        out[f"{s.name}/em"] = np.asarray(t.em)
    phi = np.linspace(0.0, 2 * math.pi, n)
    coeffs = nujax.azimuthal_coefficients(spectra, detector, mu_1e11, pe)
    out["phi"] = phi
    out["dN_dphi"] = np.asarray(nujax.dN_dphi(coeffs, jnp.asarray(phi), phi_B))
    return out


def profile_limit(model, data, cfg: StudyConfig):
    """The study's ``cfg.cl`` profile-likelihood upper limit on |μν| (φ_B, fluxes, background
    profiled): :func:`nujax.app.fit.limit_step`, the one limit of ``nujax demo`` and ``nujax fit``.

    Returns ``UpperLimit(limit, mu_hat, grid, q, converged, note)`` [10⁻¹¹ μB].
    """
    from nujax.app.fit import limit_step

    return limit_step(model, data, nuisances=_LIMIT_NUISANCES, cl=cfg.cl, mu_max=_MU_MAX,
                      n_grid=cfg.limit_grid)


def _stage(progress, i):
    if progress is not None:
        progress(STAGES[i])


def run_study(cfg: StudyConfig = StudyConfig(), *,
              progress: Optional[Callable[[str], None]] = None) -> StudyResult:
    """Run the directional study of :class:`StudyConfig` ``cfg``; returns a :class:`StudyResult`.

    ``progress(stage)`` is called before each of :data:`STAGES`. Convergence warnings of the
    fits and of NUTS are collected in ``result.warnings`` (not raised).
    """
    from nujax.inference import (ConvergenceWarning, build_model, exclusion_sensitivity, expected,
                                 fisher_errors, fit_mle, toy_data)
    from nujax.app.runtime import as_float64, float64_statistics
    from nujax.inference.nuts import credible_upper_limit, run_nuts

    timings, t0 = {}, time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        _stage(progress, 0)
        spectra, det = study_inputs(cfg)
        rates = rate_curves(spectra, det, cfg.mu_1e11, cfg.pe, cfg.phi_B, T_range=cfg.T_range,
                            n=cfg.n_curve)
        asym = asymmetry_numbers(spectra, det, cfg.mu_1e11, cfg.pe)
        timings["rates_s"] = time.perf_counter() - t0

        _stage(progress, 1)
        t = time.perf_counter()
        model = build_model(spectra, det, np.linspace(*cfg.T_range, cfg.n_T + 1),
                            np.linspace(0.0, 2 * math.pi, cfg.n_phi + 1), pe=cfg.pe,
                            norm_sigma=cfg.norm_sigma, bkg_sigma=cfg.bkg_sigma)
        timings["model_s"] = time.perf_counter() - t

        # float32 runs: the physics above in float32, the fits below in float64 (runtime docstring)
        x32 = not jax.config.jax_enable_x64
        with float64_statistics() if x32 else contextlib.nullcontext():
            model = as_float64(model) if x32 else model
            _stage(progress, 2)
            t = time.perf_counter()
            truth = {"mu_1e11": cfg.mu_1e11, "phi_B": cfg.phi_B}
            key = jax.random.PRNGKey(cfg.seed)
            data = (toy_data(key, model, truth) if cfg.data == "toy" else expected(model, truth))
            mle = fit_mle(model, data, free=_FREE, init=truth)
            errs = fisher_errors(model, mle.params, _FREE)
            timings["mle_s"] = time.perf_counter() - t

            _stage(progress, 3)
            t = time.perf_counter()
            up = profile_limit(model, data, cfg)
            timings["profile_limit_s"] = time.perf_counter() - t

            _stage(progress, 4)
            t = time.perf_counter()
            sens = float(exclusion_sensitivity(model, nuisances=("norm", "bkg_scale"), cl=cfg.cl,
                                               phi_B=cfg.phi_B))
            timings["sensitivity_s"] = time.perf_counter() - t

            _stage(progress, 5)
            t = time.perf_counter()
            post = run_nuts(jax.random.fold_in(key, 1), model, data, num_warmup=cfg.num_warmup,
                            num_samples=cfg.num_samples, num_chains=cfg.num_chains)
            cred = credible_upper_limit(post.samples, cfg.cl)
            timings["nuts_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    msgs = tuple(str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning))
    for w in caught:  # anything else is not ours to swallow
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return StudyResult(cfg, rates, asym, model, np.asarray(data), mle, errs, float(up.limit),
                       sens, post, cred, msgs, timings)


def summary_dict(res: StudyResult) -> dict:
    """Flat, JSON-ready summary of a study: scenario, rates, asymmetry, fit, limits, NUTS, timings."""
    cfg, p = res.config, res.mle.params
    post = res.posterior
    mu_s = np.asarray(post.samples["mu_1e11"])
    phi_s = np.asarray(post.samples.get("phi_B", np.zeros(1)))
    r_hat = max(float(np.nanmax(v["r_hat"])) for v in post.summary.values())
    ess = min(float(np.nanmin(v["n_eff"])) for v in post.summary.values())
    out = {
        "detector": cfg.detector, "sources": "+".join(cfg.sources), "pe": cfg.pe,
        "mu_true_1e11": cfg.mu_1e11, "phi_B_true": cfg.phi_B, "data": cfg.data, "seed": cfg.seed,
        "bins": f"{cfg.n_T} T x {cfg.n_phi} phi",
        "events_observed": float(np.sum(res.data)),
        "events_weak": res.asymmetry["n_weak"], "events_em": res.asymmetry["n_em"],
        "events_background": float(np.sum(np.asarray(res.model.background))),
        "asymmetry_A": res.asymmetry["A"], "mu_star_1e11": res.asymmetry["mu_star"],
        "A_at_mu_star": res.asymmetry["A_star"],
        "mle_mu_1e11": float(p["mu_1e11"]), "mle_mu_sigma": res.fisher_errors["mu_1e11"],
        "mle_phi_B": float(p["phi_B"]), "mle_phi_B_sigma": res.fisher_errors["phi_B"],
        "mle_bkg_scale": float(p["bkg_scale"]), "mle_converged": bool(res.mle.converged),
        "cl": cfg.cl,
        "profile_upper_limit_1e11": res.profile_limit,
        "expected_upper_limit_no_signal_1e11": res.expected_limit,
        "nuts_mu_mean_1e11": float(mu_s.mean()), "nuts_mu_std_1e11": float(mu_s.std()),
        "nuts_phi_B_circular_mean": float(np.angle(np.mean(np.exp(1j * phi_s)))),
        "credible_upper_limit_1e11": res.credible_limit,
        "nuts_chains": cfg.num_chains, "nuts_warmup": cfg.num_warmup,
        "nuts_samples": cfg.num_samples, "nuts_r_hat_max": r_hat, "nuts_ess_min": ess,
        "nuts_converged": bool(post.converged),
        "warnings": list(res.warnings),
    }
    out.update({k: round(v, 3) for k, v in res.timings.items()})
    return out


def check_outputs(out_dir, names=OUTPUT_FILES, *, force=False) -> list[Path]:
    """The output paths; ``FileExistsError`` naming the first existing one unless ``force``."""
    paths = [Path(out_dir) / n for n in names]
    if not force:
        for p in paths:
            if p.exists():
                raise FileExistsError(f"{p} exists (use --force to overwrite)")
    return paths


def write_study(res: StudyResult, out_dir, *, force=False) -> list[Path]:
    """Write :data:`OUTPUT_FILES` (summary, posterior netCDF, three PNGs) atomically into ``out_dir``.

    Nothing is overwritten unless ``force``: an existing file raises ``FileExistsError`` naming it
    before anything is written.
    """
    from nujax._io import atomic_path
    from nujax.app.runtime import float64_statistics
    from nujax.inference.nuts import save_netcdf

    paths = dict(zip(OUTPUT_FILES, check_outputs(out_dir, force=force)))
    with atomic_path(paths["summary.json"]) as tmp:
        tmp.write_text(json.dumps(summary_dict(res), indent=2) + "\n")
    save_netcdf(res.posterior.idata, paths["posterior.nc"])
    with float64_statistics():       # the fitted model is float64, also after a float32 run
        _plot_spectrum(res, paths["spectrum.png"])
        _plot_dndphi(res, paths["dndphi.png"])
        _plot_posterior(res, paths["posterior.png"])
    return list(paths.values())


def _plot_spectrum(res, path):
    from nujax.app.plots import new_figure, save_figure

    r, cfg = res.rates, res.config
    fig, ax = new_figure()
    for name in [k[:-5] for k in r if k.endswith("/weak")]:
        line, = ax.plot(r["T"], r[f"{name}/weak"] + r[f"{name}/em"], label=f"{name}: weak + magnetic")
        ax.plot(r["T"], r[f"{name}/weak"], ":", color=line.get_color(), label=f"{name}: weak only")
    edges = np.linspace(*cfg.T_range, cfg.n_T + 1)
    counts = res.data.reshape(cfg.n_T, -1).sum(axis=1) / np.diff(edges)
    bkg = np.asarray(res.model.background).reshape(cfg.n_T, -1).sum(axis=1) / np.diff(edges)
    idx = np.clip(np.searchsorted(edges, r["T"], side="right") - 1, 0, cfg.n_T - 1)
    total = sum(r[k] for k in r if k.endswith("/weak") or k.endswith("/em")) + bkg[idx]
    ax.plot(r["T"], total, "k-", lw=1.2, label="total expected (μν and background)")
    ax.errorbar(0.5 * (edges[1:] + edges[:-1]), counts,
                yerr=np.sqrt(np.maximum(counts * np.diff(edges), 1.0)) / np.diff(edges), fmt="k.",
                label=f"{cfg.data} data (all sources + background)")
    ax.stairs(bkg, edges, baseline=None, color="k", ls="--", lw=0.8, label="background")
    ax.set(xlabel="recoil energy T [MeV]", ylabel="dN/dT [events/MeV]", yscale="log",
           title=f"{cfg.detector}, Pe = {cfg.pe:g}, μν = {cfg.mu_1e11:g}·10⁻¹¹ μB")
    ax.legend(fontsize=8)
    return save_figure(fig, path, dpi=100)


def _plot_dndphi(res, path):
    from nujax.inference import expected
    from nujax.app.plots import new_figure, save_figure

    cfg = res.config
    edges = np.linspace(0.0, 2 * math.pi, cfg.n_phi + 1)
    centers = 0.5 * (edges[1:] + edges[:-1])
    width = np.diff(edges)
    obs = res.data.reshape(cfg.n_T, cfg.n_phi).sum(axis=0)
    fit = np.asarray(expected(res.model, res.mle.params)).sum(axis=0)
    truth = np.asarray(expected(res.model, {"mu_1e11": cfg.mu_1e11, "phi_B": cfg.phi_B})).sum(axis=0)
    null = np.asarray(expected(res.model, {"mu_1e11": 0.0})).sum(axis=0)
    fig, ax = new_figure()
    ax.errorbar(centers, obs / width, yerr=np.sqrt(np.maximum(obs, 1.0)) / width, fmt="k.",
                label=f"{cfg.data} data")
    ax.stairs(fit / width, edges, baseline=None, color="C0",
              label=f"fit: μν = {float(res.mle.params['mu_1e11']):.2f}, "
                    f"φ_B = {float(res.mle.params['phi_B']):.2f}")
    ax.stairs(truth / width, edges, baseline=None, color="C1", ls="--", label="truth")
    ax.stairs(null / width, edges, baseline=None, color="C2", ls=":", label="μν = 0")
    ax.set(xlabel="azimuth φ [rad]", ylabel="dN/dφ [events/rad]",
           title=f"azimuthal distribution above {res.config.T_range[0]:g} MeV (seed 000 eq. 12)")
    ax.legend(fontsize=8)
    return save_figure(fig, path, dpi=100)


def _plot_posterior(res, path):
    from nujax.app.plots import new_figure, save_figure

    s = res.posterior.samples
    fig, (a, b) = new_figure(1, 2, width=4.5)
    a.hist(np.asarray(s["mu_1e11"]), bins=40, density=True, color="C0", alpha=0.7)
    a.axvline(res.config.mu_1e11, color="C1", ls="--", label="truth")
    a.axvline(res.credible_limit, color="k", ls=":", label=f"{res.config.cl:.0%} credible limit")
    a.axvline(res.profile_limit, color="C3", ls="-.", label=f"{res.config.cl:.0%} profile limit")
    a.set(xlabel=r"$|\mu_\nu|$ [$10^{-11}\,\mu_B$]", ylabel="posterior density")
    a.legend(fontsize=8)
    if "phi_B" in s:
        b.hist(np.asarray(s["phi_B"]), bins=40, density=True, color="C0", alpha=0.7)
        b.axvline(res.config.phi_B, color="C1", ls="--", label="truth")
        b.legend(fontsize=8)
    b.set(xlabel=r"$\phi_B$ [rad]", ylabel="posterior density")
    return save_figure(fig, path, dpi=100)
