"""The EM matrix entries a scenario configuration names: ``[fit] parameters`` and ``[scan]`` axes.

An entry ``<kind>_<ab>`` is one flavor-basis (e, μ, τ) entry of a matrix of
:class:`nujax.em.EMProperties`: kind ``mu`` (magnetic moment), ``r2`` (charge radius ⟨r²⟩),
``a`` (anapole) or ``q`` (millicharge q_ν); ab in ee, mumu, tautau, emu, etau, mutau (a
transition entry moves (a, b) and (b, a)). The counts are an exact quadratic form in the entries
(:func:`nujax.inference.density_matrix_em_model`, seed 002).

>>> EM_ENTRIES["q_emu"], EM_UNITS["q"]
(('millicharge', 0, 1), '1e-12 e')
"""

from __future__ import annotations

__all__ = ["EM_ENTRIES", "EM_ENTRY_NAMES", "EM_UNITS"]

_FLAVORS = {"e": 0, "mu": 1, "tau": 2}
_KINDS = {"mu": "mu", "r2": "r2", "a": "anapole", "q": "millicharge"}
#: Entry name → (matrix of :class:`nujax.em.EMProperties`, i, j) in the flavor basis (e, μ, τ).
EM_ENTRIES = {f"{k}_{a}{b}": (m, i, j) for k, m in _KINDS.items()
              for a, i in _FLAVORS.items() for b, j in _FLAVORS.items() if i <= j}
#: How the entry names are spelled (messages of the configuration checks).
EM_ENTRY_NAMES = "<kind>_<ab> with kind mu, r2, a, q and ab ee, mumu, tautau, emu, etau, mutau"
#: Units of the entries by kind (the prefix of the name): μ [10⁻¹¹ μ_B], ⟨r²⟩ and a [10⁻³² cm²,
#: seed-002 sign convention], q_ν [10⁻¹² e].
EM_UNITS = {"mu": "1e-11 mu_B", "r2": "1e-32 cm2", "a": "1e-32 cm2", "q": "1e-12 e"}
