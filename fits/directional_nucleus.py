"""Scenario directional_nucleus: pi-DAR neutrinos on a 1 t argon target at 20 m, 1 yr, 20-120 keVnr, 5 recoil cos(theta) bins.

Usage: python fits/directional_nucleus.py [--quick] [--out DIR] [--force]   (configuration: fits/directional_nucleus.toml)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("directional_nucleus"))
