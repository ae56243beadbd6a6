"""Scenario cr51_source: 51Cr source (1.7 MCi at 2 m) at a HELLAZ-like He/CH4 TPC, T > 100 keV, 1 yr.

Usage: python fits/cr51_source.py [--quick] [--out DIR] [--force]   (configuration: fits/cr51_source.toml)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("cr51_source"))
