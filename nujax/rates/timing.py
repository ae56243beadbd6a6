"""Energy × time templates for pulsed sources (π-DAR at a spallation source).

The energy spectrum of each source component does not depend on the arrival time, so the
expected counts in (energy bin k, time bin m) factorise component by component:

    N_km = Σ_i N_k^(i) f_im,

with N_k^(i) the binned templates of component i (:func:`nujax.rates.binned_templates`) and f_im
its fraction in time bin m (for π-DAR: :func:`nujax.sources.accelerator.pidar_time_fractions`,
prompt νμ from π decay, delayed ν̄μ and νe from μ decay). A steady-state (beam-unrelated)
background is uniform in time: :func:`steady_state_background`.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from nujax._validation import is_concrete
from nujax.rates.binned import binned_templates
from nujax.rates.engine import Templates
from nujax.sources.spectrum import as_spectra

__all__ = ["binned_templates_timed", "steady_state_background"]


def binned_templates_timed(spectra, detector, T_edges, time_fractions, cos_edges=None,
                           **options) -> Templates:
    """Templates in (measured energy[, cosθ], time) bins: Σ_i templates_i ⊗ time_fractions[i].

    Parameters
    ----------
    spectra : tuple of Spectrum
        The source components (e.g. the three of :func:`nujax.sources.accelerator.pidar_spectra`).
    detector, T_edges, cos_edges, **options
        As in :func:`nujax.rates.binned_templates` (``target="nucleus"`` for CEνNS …).
    time_fractions : array (S, n_t)
        Fraction of each component's events in each time bin (rows ≤ 1; a row summing to 1 over
        the bins keeps all events of that component).

    Returns
    -------
    Templates
        Arrays of shape (K[, J], n_t) [counts rad⁻¹] (weak, em per (10⁻¹¹ μ_B)², interference).
    """
    spectra = as_spectra(spectra)
    f = jnp.asarray(time_fractions, dtype=jnp.result_type(float))
    if is_concrete(time_fractions):
        a = np.asarray(time_fractions, float)
        if a.ndim != 2 or a.shape[0] != len(spectra):
            raise ValueError(f"time_fractions must have shape (n_spectra={len(spectra)}, n_t), "
                             f"got {a.shape}")
        if np.any(a < 0) or np.any(a.sum(axis=1) > 1 + 1e-9):
            raise ValueError("time_fractions must be ≥ 0 with each row summing to ≤ 1")
    out = [0.0, 0.0, 0.0]
    for i, s in enumerate(spectra):
        t = binned_templates((s,), detector, T_edges, cos_edges, **options)
        out = [o + x[..., None] * f[i] for o, x in zip(out, t)]
    return Templates(*out)


def steady_state_background(counts, t_edges_ns, window_ns=None):
    """A beam-unrelated background spread uniformly in time: counts[..., None] × Δt_m / window.

    ``counts`` [events per measured-energy bin] are those in ``window_ns`` (default: the span of
    ``t_edges_ns`` [ns]), e.g. measured in an anti-coincidence (beam-off) window and scaled.
    """
    e = jnp.asarray(t_edges_ns, dtype=jnp.result_type(float))
    if is_concrete(t_edges_ns):
        a = np.asarray(t_edges_ns, float)
        if a.ndim != 1 or a.size < 2 or np.any(np.diff(a) <= 0):
            raise ValueError("t_edges_ns must be a 1-D increasing array of ≥ 2 times [ns]")
    span = (e[-1] - e[0]) if window_ns is None else jnp.asarray(window_ns)
    if window_ns is not None and is_concrete(window_ns) and not float(window_ns) > 0:
        raise ValueError(f"window_ns must be > 0, got {window_ns!r}")
    return jnp.asarray(counts)[..., None] * (jnp.diff(e) / span)
