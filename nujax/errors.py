"""Public error and warning classes of nujax.

* :class:`ConfigError` — a configuration (TOML file, scan or fit specification) nujax cannot
  accept; it names the dotted key of the offending entry.
* :class:`ConvergenceWarning` — a fit or a sampler stopped before meeting its convergence
  criterion (raised as an error with ``strict=True`` where offered).

Bad numeric input to the physics functions (unknown flavor or target, negative energies, a
density matrix that is not Hermitian …) raises the built-in ``ValueError`` with the reason;
:class:`ConfigError` is a ``ValueError`` too, so one ``except ValueError`` catches both.
"""

from __future__ import annotations

__all__ = ["ConfigError", "ConvergenceWarning"]


class ConfigError(ValueError):
    """A configuration file (TOML) or scan/fit specification that nujax cannot accept.

    ``key`` is the dotted path of the offending entry (e.g. ``"detector.threshold_keV"``); the
    message reads ``"<key>: <why>"`` so a command line can print one clear line.

    >>> str(ConfigError("detector.mass_t", "must be positive, got -1"))
    'detector.mass_t: must be positive, got -1'
    """

    def __init__(self, key: str, why: str):
        self.key = str(key)
        self.why = str(why)
        super().__init__(f"{self.key}: {self.why}")


class ConvergenceWarning(UserWarning):
    """A fit or a sampler stopped before meeting its convergence criterion."""
