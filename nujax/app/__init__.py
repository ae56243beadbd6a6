"""The application layer: configurations, scenarios, the demo study, quick-look numbers, plots.

Everything here is built on the library below it (GUIDE §2; nothing below imports this package):

* :mod:`nujax.app.config` — the one schema engine for every TOML section (dotted-key
  :class:`~nujax.errors.ConfigError`);
* :mod:`nujax.app.scenario_config` — the scenario file (``fits/*.toml``): :func:`load_config`;
* :mod:`nujax.app.scenarios` — :class:`Scenario` and :func:`build_scenario` (binned model of any
  target through the one rate engine, truth, free parameters);
* :mod:`nujax.app.fit` — :func:`run_fit`, the driver of ``nujax fit``;
* :mod:`nujax.app.scan_config` — the ``[scan]`` section; :mod:`nujax.app.scan_run` —
  :func:`run_scan_config` (``nujax scan``);
* :mod:`nujax.app.study` — the directional study of ``nujax demo`` (:func:`run_study`);
* :mod:`nujax.app.quick` — the numbers of ``nujax xsec``, ``rate`` and ``asymmetry``;
* :mod:`nujax.app.plots` — every plot (matplotlib, atomic PNG writes);
* :mod:`nujax.app.figures` — the seed-figure gallery of ``nujax figures``.

Names are imported on first use, so ``import nujax.app`` stays light.
"""

from __future__ import annotations

import importlib

#: Public names → the submodule that defines them (imported on first use).
_API = {
    "validate_section": "nujax.app.config",
    "load_config": "nujax.app.scenario_config",
    "Scenario": "nujax.app.scenarios", "build_scenario": "nujax.app.scenarios",
    "run_fit": "nujax.app.fit",
    "validate_scan_section": "nujax.app.scan_config", "run_scan_config": "nujax.app.scan_run",
    "StudyConfig": "nujax.app.study", "run_study": "nujax.app.study",
    "plot_scan": "nujax.app.plots",
}

__all__ = list(_API)


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'nujax.app' has no attribute {name!r}")
    obj = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = obj
    return obj


def __dir__():
    return sorted(set(globals()) | set(__all__))
