"""Reproductions of the seed papers' figures, one module per seed (``seed000`` … ``seed004``).

Each module exposes ``figure_data(...)`` functions returning the plotted arrays (tested against
the library) and ``make_figures(out_dir)`` writing the PNGs.
"""
