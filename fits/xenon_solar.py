"""Scenario xenon_solar: pp + 7Be solar neutrinos, xenon TPC (5.9 t, 1.16 t yr), 1-140 keV electron recoils.

Usage: python fits/xenon_solar.py [--quick] [--out DIR] [--force]   (configuration: fits/xenon_solar.toml)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("xenon_solar"))
