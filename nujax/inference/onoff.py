"""ON/OFF analyses: a joint Poisson likelihood of the ON spectrum and a bin-by-bin OFF spectrum.

Reactor experiments measure with the reactor ON (signal + background) and OFF (background only).
With α = t_ON/t_OFF the ratio of the ON and OFF exposures, per bin k

    L = ∏_k Pois(n_k | s_k(θ) + α β_k) · Pois(m_k | β_k),

n the ON counts, m the OFF counts, s(θ) the ON model's expected counts (signal and any known
background) and β_k the expected OFF background per bin, one nuisance per bin. The β_k are
profiled analytically: ∂ log L/∂β_k = 0 is the quadratic
α(1 + α) β² − [α(n + m) − (1 + α) s] β − m s = 0, whose non-negative root is β̂_k
(Rolke, López & Conrad, NIM A 551 (2005) 493, Sec. 2; the ON/OFF problem of Li & Ma, ApJ 272
(1983) 317, bin by bin). :meth:`OnOffModel.log_likelihood` is log L(θ, β̂(θ)), so the fitters,
limits and profile scans use it unchanged; it is a profile likelihood in β (not a likelihood
to sample β from).

The scalar shortcut — a binned model with background α m and one Gaussian constraint of
relative width 1/√(Σ m) on its scale (:func:`scalar_shortcut`) — is the large-OFF limit of this
likelihood: both tend to a known background as t_OFF → ∞ (α → 0); the tests show the agreement.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nujax._numerics import safe_sqrt
from nujax._validation import is_concrete
from nujax.inference.background_model import WrappedModel, constraint_log_likelihood
from nujax.inference.binned import poisson_log_likelihood
from nujax.inference.parameters import Observation, split_observation

__all__ = ["OnOffData", "OnOffModel", "onoff_model", "profiled_off_background", "onoff_toys",
           "scalar_shortcut"]


class OnOffData(NamedTuple):
    """ON counts (or an :class:`~nujax.inference.Observation` of them) and OFF counts, both of
    the model's ``bin_shape``; a pytree, so toys vmap."""

    on: object
    off: jax.Array


def profiled_off_background(s, n, m, alpha):
    """β̂: the OFF expectation per bin that maximises Pois(n | s + αβ) Pois(m | β) (≥ 0).

    Root of α(1 + α) β² − Bβ − m s = 0, B = α(n + m) − (1 + α) s (module docstring), written
    without cancellation for B < 0; gradient-safe where the discriminant vanishes.
    """
    a = alpha * (1.0 + alpha)
    B = alpha * (n + m) - (1.0 + alpha) * s
    D = safe_sqrt(jnp, B * B + 4.0 * a * m * s)
    neg = B < 0
    den = jnp.where(neg, D - B, 1.0)
    den = jnp.where(den > 0, den, 1.0)
    return jnp.where(neg, 2.0 * m * s / den, (B + D) / (2.0 * a))


@functools.partial(jax.tree_util.register_dataclass, data_fields=["base", "alpha", "off_counts"],
                   meta_fields=[])
@dataclasses.dataclass(frozen=True)
class OnOffModel(WrappedModel):
    """ON model + OFF spectrum (frozen pytree; implements :class:`~nujax.inference.StatisticalModel`).

    Attributes
    ----------
    base : StatisticalModel
        Expected ON counts s(θ) (signal and known backgrounds; the OFF-measured background is
        not in it).
    alpha : scalar
        t_ON/t_OFF, the ratio of ON to OFF exposure (live time × mass).
    off_counts : array ``bin_shape``
        The measured OFF spectrum (used when the data give only ON counts).
    """

    base: object
    alpha: jax.Array
    off_counts: jax.Array

    @property
    def background(self):
        """Nominal ON background counts: the ON model's plus the OFF spectrum scaled, α m."""
        return self.base.background + self.alpha * self.off_counts

    def scaled(self, factor) -> "OnOffModel":
        """The same analysis with the ON and the OFF exposure times ``factor`` (α unchanged;
        the OFF counts scale as their expectation)."""
        f = jnp.asarray(factor)
        return dataclasses.replace(self, base=self.base.scaled(f), off_counts=f * self.off_counts)

    def default_params(self) -> dict:
        return self.base.default_params()

    def parameter_names(self) -> tuple:
        return tuple(self.base.parameter_names())

    def _parts(self, data):
        if isinstance(data, OnOffData):
            return data.on, data.off
        return data, self.off_counts

    def off_background(self, params, data):
        """Profiled OFF-measured background in the ON exposure, α β̂ per bin, at ``params``."""
        on, off = self._parts(data)
        n, _ = split_observation(on)
        return self.alpha * profiled_off_background(self.base.expected(params), n, off, self.alpha)

    def asimov_observation(self, params, data, aux) -> OnOffData:
        """Asimov ON/OFF data at ``params``: OFF = β̂ profiled on ``data`` at ``params``, ON =
        s(θ) + α β̂ with the auxiliary values ``aux`` (the CLs background-only Asimov data set,
        Cowan et al., EPJC 71 (2011) 1554, Sec. 3.8, for both measurements)."""
        on, off = self._parts(data)
        n, _ = split_observation(on)
        s = self.base.expected(params)
        beta = profiled_off_background(s, n, off, self.alpha)
        return OnOffData(Observation(s + self.alpha * beta, aux), beta)

    def expected(self, params=None):
        """Expected ON counts s(θ) + α m (the OFF spectrum scaled to the ON exposure)."""
        return self.base.expected(params) + self.alpha * self.off_counts

    def check_data(self, data):
        """ON data as the base model checks them; OFF counts of the same shape, finite, ≥ 0."""
        on, off = self._parts(data)
        self.base.check_data(on)
        if is_concrete(off):
            arr = np.asarray(off)
            if arr.shape != tuple(self.bin_shape):
                raise ValueError(f"OFF counts have shape {arr.shape}, the bins are {self.bin_shape}")
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise ValueError("OFF counts must be finite and ≥ 0")
        return data

    def log_likelihood(self, params, data, *, constraints=True):
        """log L(θ, β̂(θ)) of ON and OFF counts + the ON model's constraints (module docstring)."""
        self.check_data(data)
        on, off = self._parts(data)
        n, aux = split_observation(on)
        s = self.base.expected(params)
        beta = profiled_off_background(s, n, off, self.alpha)
        ll = (poisson_log_likelihood(s + self.alpha * beta, n)
              + poisson_log_likelihood(beta, off))
        if constraints:          # every constraint of the ON model, its components' included
            ll = ll + constraint_log_likelihood(self.base, params, aux)
        return ll

    def constraint_log_likelihood(self, params, aux=None):
        """The ON model's constraints (the OFF counts enter as data, not as a constraint)."""
        return constraint_log_likelihood(self.base, params, aux)


def onoff_model(on_model, off_counts, alpha) -> OnOffModel:
    """An :class:`OnOffModel`: ``on_model`` for s(θ), the measured OFF spectrum and α = t_ON/t_OFF.

    Raises ``ValueError`` for α ≤ 0 or OFF counts of the wrong shape, negative or not finite.
    """
    a = float(alpha)
    if not (np.isfinite(a) and a > 0):
        raise ValueError(f"alpha (t_ON/t_OFF) must be > 0, got {alpha!r}")
    model = OnOffModel(on_model, jnp.asarray(a), jnp.asarray(off_counts, dtype=float))
    model.check_data(OnOffData(np.zeros(on_model.bin_shape), off_counts))
    return model


def onoff_toys(key, model: OnOffModel, params=None, background=None, n_toys=None) -> OnOffData:
    """Poisson toys of an ON/OFF measurement: ON ~ Pois(s(θ) + α b), OFF ~ Pois(b).

    ``background`` is the true OFF expectation b per bin (default: the model's OFF counts).
    """
    b = model.off_counts if background is None else jnp.asarray(background, dtype=float)
    s = model.base.expected(params)
    lead = () if n_toys is None else (int(n_toys),)
    k1, k2 = jax.random.split(key)
    on = jax.random.poisson(k1, s + model.alpha * b, shape=lead + s.shape).astype(s.dtype)
    off = jax.random.poisson(k2, b, shape=lead + s.shape).astype(s.dtype)
    return OnOffData(on, off)


def scalar_shortcut(on_model, off_counts, alpha):
    """The scalar-constraint shortcut of an ON/OFF measurement: ``on_model`` (a
    :class:`~nujax.inference.BinnedModel` without background) with background α m and a Gaussian
    constraint of relative width 1/√(Σ m) on ``bkg_scale`` (the large-OFF limit)."""
    m = jnp.asarray(off_counts, dtype=float)
    total = float(jnp.sum(m))
    if total <= 0:
        raise ValueError("off_counts: the scalar shortcut needs OFF events (Σ m > 0)")
    return dataclasses.replace(on_model, background=float(alpha) * m,
                               bkg_sigma=jnp.asarray(1.0 / np.sqrt(total)), bkg_constrained=True)
