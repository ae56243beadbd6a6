"""Scenario hellaz_pp: pp solar neutrinos, HELLAZ (6 t He/CH4, T > 100 keV, 30 mrad), Pe = 0.5, fit of mu and phi_B from the azimuthal pattern.

Usage: python fits/hellaz_pp.py [--quick] [--out DIR] [--force]   (configuration: fits/hellaz_pp.toml)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("hellaz_pp"))
