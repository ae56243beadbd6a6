"""Scenario reactor_ge: 1 kg HPGe, 10 keV threshold, 3 GW reactor at 28 m, 1 yr ON + 0.5 yr OFF.

Usage: python fits/reactor_ge.py [--quick] [--out DIR] [--force]   (configuration: fits/reactor_ge.toml)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("reactor_ge"))
