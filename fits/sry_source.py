"""Scenario sry_source: 90Sr-90Y source (5 MCi at 10 m) at a Borexino-like scintillator (100 t, T > 200 keV, 1 yr).

Usage: python fits/sry_source.py [--quick] [--out DIR] [--force]   (configuration: fits/sry_source.toml)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("sry_source"))
