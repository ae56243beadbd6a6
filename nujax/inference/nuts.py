"""Bayesian inference: the numpyro model and NUTS posteriors for the binned likelihood.

Importing this module imports numpyro (and arviz when a run converts to InferenceData);
:mod:`nujax.inference` re-exports its names lazily, so fits and limits never load numpyro.

Priors (documented choices):

* |μ_ν| in 10⁻¹¹ μ_B: half-normal of scale ``mu_scale`` (default 10, i.e. 10⁻¹⁰ μ_B, the order of
  the laboratory limits reviewed in seed 003), or log-uniform on [``mu_low``, ``mu_high``]. The
  half-normal is proper, keeps μ = 0 (the Standard Model) inside the support and makes the 90 %
  credible upper limit a well-defined quantile; the log-uniform one is scale-invariant but its
  limit depends on ``mu_low``.
* φ_B: the direction of an isotropic 2-D normal vector (x, y) — uniform on the circle with no
  boundary for NUTS to hit (φ_B = atan2(y, x)).
* Pe (``fit_pe``): uniform on [0, 1] — the survival probability has no preferred scale; the
  model must be ``pe_scalable``.
* EM parameters of a quadratic model (``model.em_names``: moments, charge radii, anapoles in
  10⁻¹¹ μ_B or 10⁻³² cm²): normal(0, ``em_scale``) each — signed, centred on the Standard Model
  value 0 of the new-physics part, wide compared with the sensitivities of seed 003.
* flux normalisations, efficiency and background scales: normal(1, σ) truncated at 0 with the
  model's widths (the same constraints as the frequentist likelihood); fixed where σ = 0; a flat
  positive (log-uniform on [1e-3, 1e3]) background scale where it is unconstrained.

The posterior uses exactly :func:`nujax.inference.expected` (Poisson on every bin).
"""

from __future__ import annotations

import functools
import os
import warnings
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.diagnostics import summary
from numpyro.infer import MCMC, NUTS, init_to_value

from nujax._io import atomic_path
from nujax.errors import ConvergenceWarning
from nujax.inference.binned import BinnedModel
from nujax.inference.model import check_data, expected, log_likelihood
from nujax.inference.parameters import as_data

__all__ = ["MuPrior", "numpyro_model", "run_nuts", "PosteriorResult", "credible_upper_limit",
           "save_netcdf", "sample_potential", "chain_diagnostics"]


class MuPrior(NamedTuple):
    """Prior on |μ_ν| [10⁻¹¹ μ_B]: ``family`` "halfnormal" (``scale``) or "loguniform" (``low``, ``high``)."""

    family: str = "halfnormal"
    scale: float = 10.0
    low: float = 1e-3
    high: float = 1e3

    def distribution(self):
        if self.family == "halfnormal":
            return dist.HalfNormal(self.scale)
        if self.family == "loguniform":
            return dist.LogUniform(self.low, self.high)
        raise ValueError(f"unknown prior family {self.family!r}; use 'halfnormal' or 'loguniform'")

    def check_truth(self, mu_true):
        """ValueError if ``mu_true`` lies outside the prior support (an injection it cannot recover)."""
        self.distribution()
        lo, hi = (0.0, np.inf) if self.family == "halfnormal" else (self.low, self.high)
        if not lo <= float(mu_true) <= hi:
            raise ValueError(f"prior {self.family} on |mu| excludes the injected value {mu_true} "
                             f"(support [{lo}, {hi}])")


def _flags(model):
    """Which nuisances are sampled (decided on the concrete model, static under jit)."""
    return (bool(np.any(np.asarray(model.norm_sigma) > 0)), float(model.eff_sigma) > 0,
            "free" if not model.bkg_constrained else
            ("normal" if float(model.bkg_sigma) > 0 else "fixed"))


def numpyro_model(model: BinnedModel, data=None, *, prior: MuPrior = MuPrior(), fit_phi_B=True,
                  phi_B=0.0, flags=None, fit_mu=None, fit_pe=False, em_scale=10.0):
    """numpyro model: μ, φ_B (if ``fit_phi_B`` and the model is directional), Pe (``fit_pe``),
    the EM parameters of a quadratic model, and the nuisances.

    ``flags`` (from the concrete model when None) says which nuisances are sampled; bind it with
    ``functools.partial`` when ``model`` is traced (``jit_model_args``). ``fit_mu`` (default: True
    unless the model carries its own EM parameters) samples the single effective |μ_ν|.
    """
    has_norm, has_eff, bkg_mode = _flags(model) if flags is None else flags
    fit_mu = (not model.em_names) if fit_mu is None else fit_mu
    params = {}
    if fit_mu:
        params["mu_1e11"] = numpyro.sample("mu_1e11", prior.distribution())
    if fit_pe:
        params["pe"] = numpyro.sample("pe", dist.Uniform(0.0, 1.0))
    for k in model.em_names:
        params[k] = numpyro.sample(k, dist.Normal(0.0, em_scale))
    if model.directional and fit_phi_B and fit_mu:
        xy = numpyro.sample("phi_xy", dist.Normal(0.0, 1.0).expand([2]).to_event(1))
        params["phi_B"] = numpyro.deterministic("phi_B", jnp.arctan2(xy[1], xy[0]))
    else:
        params["phi_B"] = phi_B
    sig = model.norm_sigma
    if has_norm:
        safe = jnp.where(sig > 0, sig, 1.0)
        z = numpyro.sample("norm_z", dist.TruncatedNormal(0.0, 1.0, low=-1.0 / safe).to_event(1))
        params["norm"] = 1.0 + jnp.where(sig > 0, sig * z, 0.0)
        numpyro.deterministic("norm", params["norm"])
    if has_eff:
        params["eff_scale"] = numpyro.sample(
            "eff_scale", dist.TruncatedNormal(1.0, model.eff_sigma, low=0.0))
    if bkg_mode == "normal":
        params["bkg_scale"] = numpyro.sample(
            "bkg_scale", dist.TruncatedNormal(1.0, model.bkg_sigma, low=0.0))
    elif bkg_mode == "free":
        params["bkg_scale"] = numpyro.sample("bkg_scale", dist.LogUniform(1e-3, 1e3))
    if data is None:
        lam = jnp.maximum(expected(model, params), 1e-300)
        numpyro.sample("obs", dist.Poisson(lam).to_event(len(model.bin_shape)))
    else:  # Poisson on every bin; log Γ(n + 1) form accepts non-integer (Asimov) data
        numpyro.factor("loglik", log_likelihood(model, params, data, constraints=False))


def _init_values(model, init, prior, *, fit_phi_B, fit_mu, fit_pe):
    """Sample-site values of :func:`numpyro_model` at the likelihood parameters ``init`` (e.g. the
    MLE): |μ|, φ_B as the unit vector phi_xy, the normalisations as norm_z = (norm − 1)/σ, the
    scales, Pe and the EM entries; each kept strictly inside its prior's support."""
    has_norm, has_eff, bkg_mode = _flags(model)
    fit_mu = (not model.em_names) if fit_mu is None else fit_mu
    v = {}
    if fit_mu and "mu_1e11" in init:
        lo, hi = (1e-3, np.inf) if prior.family == "halfnormal" else (prior.low, prior.high)
        v["mu_1e11"] = float(np.clip(abs(float(init["mu_1e11"])), lo * 1.001, hi * 0.999))
    if fit_pe and "pe" in init:
        v["pe"] = float(np.clip(float(init["pe"]), 1e-3, 1.0 - 1e-3))
    for k in model.em_names:
        if k in init:
            v[k] = float(init[k])
    if model.directional and fit_phi_B and fit_mu and "phi_B" in init:
        phi = float(init["phi_B"])
        v["phi_xy"] = jnp.asarray([np.cos(phi), np.sin(phi)])
    if has_norm and "norm" in init:
        sig = np.asarray(model.norm_sigma, float)
        safe = np.where(sig > 0, sig, 1.0)
        z = np.where(sig > 0, (np.broadcast_to(np.asarray(init["norm"], float), sig.shape) - 1.0)
                     / safe, 0.0)
        v["norm_z"] = jnp.asarray(np.maximum(z, -1.0 / safe + 1e-3))
    for k, on in (("eff_scale", has_eff), ("bkg_scale", bkg_mode != "fixed")):
        if on and k in init:
            v[k] = float(np.clip(float(init[k]), 1.001e-3, 999.0))
    return v


class PosteriorResult(NamedTuple):
    """NUTS output: ``samples`` (dict, chains flattened), ``summary`` (numpyro: r_hat, n_eff …),
    ``converged`` (all r̂ < 1.01 and ESS > ``min_ess``), ``idata`` (arviz InferenceData) and ``mcmc``."""

    samples: dict
    summary: dict
    converged: bool
    idata: object
    mcmc: object


def run_nuts(key, model: BinnedModel, data, *, prior: MuPrior = MuPrior(), num_warmup=500,
             num_samples=1000, num_chains=4, chain_method="sequential", fit_phi_B=True,
             phi_B=0.0, max_r_hat=1.01, min_ess=100, progress_bar=False, to_arviz=True,
             fit_mu=None, fit_pe=False, em_scale=10.0, init=None):
    """NUTS posterior of μ_ν (and φ_B, Pe, EM parameters, nuisances) given binned ``data``.

    ``data`` is a count array or an :class:`~nujax.inference.Observation`; see
    :func:`numpyro_model` for the parameters and priors.

    ``init`` (optional): likelihood parameters (e.g. the MLE of :func:`nujax.inference.fit_mle`)
    at which every chain starts (``numpyro.infer.init_to_value``); without it numpyro's default
    random initialisation is used, which can leave a chain in a secondary φ_B mode.

    Uses ``jit_model_args=True`` so new data of the same shape reuse the compiled sampler. The
    chain method defaults to "sequential" (CPU; "parallel" needs
    ``numpyro.set_host_device_count``, the caller's choice). Convergence: split-r̂ < ``max_r_hat``
    and bulk ESS > ``min_ess`` for every sampled site, else :class:`ConvergenceWarning`.
    """
    check_data(model, data)
    if fit_pe and not model.pe_scalable:
        raise ValueError("fit_pe needs a pe_scalable model (Dirac, one constant Pe in (0, 1))")
    strategy = {} if init is None else {"init_strategy": init_to_value(
        values=_init_values(model, init, prior, fit_phi_B=fit_phi_B, fit_mu=fit_mu, fit_pe=fit_pe))}
    kern = NUTS(functools.partial(numpyro_model, prior=prior, fit_phi_B=fit_phi_B, phi_B=phi_B,
                                  flags=_flags(model), fit_mu=fit_mu, fit_pe=fit_pe,
                                  em_scale=em_scale), **strategy)
    mcmc = MCMC(kern, num_warmup=num_warmup, num_samples=num_samples, num_chains=num_chains,
                chain_method=chain_method, jit_model_args=True, progress_bar=progress_bar)
    mcmc.run(key, model, as_data(data))
    grouped = mcmc.get_samples(group_by_chain=True)
    sites = {k: v for k, v in grouped.items() if k not in ("phi_xy", "norm_z")}
    summ = summary(sites, group_by_chain=True)
    rh = [float(np.nanmax(s["r_hat"])) for s in summ.values()]
    ess = [float(np.nanmin(s["n_eff"])) for s in summ.values()]
    ok = bool(all(np.isfinite(rh)) and max(rh) < max_r_hat and min(ess) > min_ess)
    if not ok:
        warnings.warn(f"NUTS did not converge: max r_hat = {max(rh):.3f} (< {max_r_hat} wanted), "
                      f"min ESS = {min(ess):.0f} (> {min_ess} wanted)", ConvergenceWarning,
                      stacklevel=2)
    idata = None
    if to_arviz:
        with warnings.catch_warnings():  # arviz announces its 1.0 migration on import
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", UserWarning)
            import arviz as az
            idata = az.from_numpyro(mcmc)
    return PosteriorResult(mcmc.get_samples(), summ, ok, idata, mcmc)


def sample_potential(key, potential_fn, init_params, *, num_warmup=500, num_samples=1000,
                     num_chains=1):
    """NUTS on a flat potential (−log density of a 1-D parameter vector), chains vectorized.

    ``init_params``: shape (num_chains, P), or (P,) for one chain. Returns the samples grouped by
    chain, a numpy array (num_chains, num_samples, P). Used where the model is a likelihood
    function rather than a numpyro program (e.g. :func:`nujax.inference.joint.run_joint_nuts`).
    """
    mcmc = MCMC(NUTS(potential_fn=potential_fn), num_warmup=int(num_warmup),
                num_samples=int(num_samples), num_chains=int(num_chains),
                chain_method="vectorized", progress_bar=False)
    mcmc.run(key, init_params=init_params)
    return np.asarray(mcmc.get_samples(group_by_chain=True))


def chain_diagnostics(samples: dict) -> tuple[float, float]:
    """(largest split-r̂, smallest bulk ESS) over the sites of ``samples`` (each (chains, draws, …))."""
    stats = summary(samples, group_by_chain=True)
    return (max(float(np.nanmax(s["r_hat"])) for s in stats.values()),
            min(float(np.nanmin(s["n_eff"])) for s in stats.values()))


def credible_upper_limit(samples, cl=0.9):
    """One-sided credible upper limit: the ``cl`` quantile of the |μ_ν| posterior samples."""
    return float(np.quantile(np.asarray(samples["mu_1e11"] if isinstance(samples, dict)
                                        else samples), cl))


def save_netcdf(idata, path):
    """Write arviz InferenceData to netCDF atomically (temporary file in the target folder, then
    ``os.replace``)."""
    with atomic_path(path) as tmp:
        idata.to_netcdf(str(tmp))
    return os.fspath(path)
