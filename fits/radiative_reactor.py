"""Scenario radiative_reactor: reactor nubar_e e -> nubar_e e gamma in a 1 t germanium-like target, 3 GW at 20 m, 1 yr.

Usage: python fits/radiative_reactor.py [--quick] [--out DIR] [--force]   (configuration: fits/radiative_reactor.toml)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("radiative_reactor"))
