"""Doctests run in float64 like the rest of the suite."""

import nujax

nujax.enable_x64()
