"""Contour plots of sensitivity scans (2-D slices of a scan result; 1-D scans as a curve)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_scan"]

_LABELS = {
    "mu_1e11": r"$\mu_\nu$ [$10^{-11}\,\mu_B$]", "phi_B": r"$\phi_B$ [rad]",
    "exposure": "exposure / nominal", "exposure_t_yr": "exposure [t yr]", "norm": "flux factor",
    "eff_scale": "efficiency factor", "bkg_scale": "background factor",
    "sigma_phi": r"$\sigma_\phi$ [rad]", "threshold_keV": "threshold [keV]", "pe": r"$P_e$",
}
_QLABEL = {"q_asimov": r"$q_{\mu,A}$ (median, no signal)", "z_discovery": r"$Z_{\rm disc}$ (median)",
           "z_asymmetry": r"$Z_{\rm asym}$ (median)", "limit": r"$\mu_\nu^{\rm up}$ [$10^{-11}\,\mu_B$]"}


def _is_geometric(a) -> bool:
    a = np.asarray(a, float)
    return a.size > 2 and a[0] > 0 and np.allclose(np.diff(np.log(a)), np.log(a[1] / a[0]), rtol=1e-6)


def _levels(quantity, meta, values):
    from scipy.stats import norm

    if quantity == "q_asimov":
        cl = float(meta.get("cl", 0.9))
        return [float(norm.ppf(cl) ** 2)], [f"{cl:.0%} CL exclusion (median)"]
    if quantity.startswith("z_"):
        return [3.0, 5.0], [r"3$\sigma$", r"5$\sigma$"]
    finite = values[np.isfinite(values)]
    if finite.size == 0 or finite.min() <= 0:
        return [], []
    lv = np.geomspace(finite.min(), finite.max(), 6)[1:-1]
    return list(lv), [f"{x:.3g}" for x in lv]


def plot_scan(result_or_path, out_png, *, x=None, y=None, select=None, title=None):
    """Plot a scan: filled map of the quantity with its key contours (or a curve for one axis).

    Parameters
    ----------
    result_or_path : ScanResult or path-like
        A result of :func:`nujax.inference.scan.scan` or its ``.npz`` file.
    out_png : path-like
        PNG written atomically.
    x, y : str, optional
        Axis names drawn horizontally and vertically (default: the second axis horizontally and
        the first vertically, so a (μ, exposure) scan puts the exposure along x).
    select : dict, optional
        Index along each remaining axis (default 0).
    title : str, optional

    Notes
    -----
    Contours: q_μ,A = Φ⁻¹(cl)² (median expected exclusion at ``cl``), Z = 3 and 5 for the
    significances, and a few levels for the limit. Geometric axes are drawn logarithmically.

    Returns
    -------
    pathlib.Path
    """
    from nujax.inference.scan_io import load_scan_file
    from nujax.plotting import new_figure, save_figure

    if hasattr(result_or_path, "values") and hasattr(result_or_path, "axes"):
        values, axes, meta = result_or_path.values, result_or_path.axes, result_or_path.meta
    else:
        values, axes, meta = load_scan_file(result_or_path)
    names = list(axes)
    quantity = meta.get("quantity", "q_asimov")
    values = np.asarray(values, float)
    fig, ax = new_figure()
    if len(names) == 1:
        a = axes[names[0]]
        ax.plot(a, values, color="C0")
        for lv, lab in zip(*_levels(quantity, meta, values)):
            ax.axhline(lv, color="k", ls="--", lw=1, label=lab)
        ax.set_xlabel(_LABELS.get(names[0], names[0]))
        ax.set_ylabel(_QLABEL.get(quantity, quantity))
        if _is_geometric(a):
            ax.set_xscale("log")
        if np.all(values[np.isfinite(values)] > 0) and quantity == "q_asimov":
            ax.set_yscale("log")
    else:
        x = x or names[1]
        y = y or (names[0] if x != names[0] else names[1])
        for n in (x, y):
            if n not in names:
                raise ValueError(f"{n!r} is not an axis of the scan ({', '.join(names)})")
        if x == y:
            raise ValueError("x and y must be different axes")
        sel = dict(select or {})
        index = tuple(slice(None) if n in (x, y) else int(sel.get(n, 0)) for n in names)
        z = values[index]
        kept = [n for n in names if n in (x, y)]
        if kept[0] == x:
            z = z.T                                      # rows along y for contourf
        X, Y = np.meshgrid(axes[x], axes[y])
        shown = np.log10(np.clip(z, 1e-300, None)) if quantity == "q_asimov" else z
        cf = ax.contourf(X, Y, np.where(np.isfinite(shown), shown, np.nan), levels=24, cmap="viridis")
        cb = fig.colorbar(cf, ax=ax)
        cb.set_label(("log10 " if quantity == "q_asimov" else "") + _QLABEL.get(quantity, quantity))
        lv, labels = _levels(quantity, meta, z)
        lv_ok = [v for v in lv if np.nanmin(z) < v < np.nanmax(z)]
        if lv_ok:
            cs = ax.contour(X, Y, z, levels=lv_ok, colors="w", linewidths=1.5)
            fmt = {v: lab for v, lab in zip(lv, labels) if v in lv_ok}
            ax.clabel(cs, fmt=fmt, fontsize=8)
        ax.set_xlabel(_LABELS.get(x, x))
        ax.set_ylabel(_LABELS.get(y, y))
        if _is_geometric(axes[x]):
            ax.set_xscale("log")
        if _is_geometric(axes[y]):
            ax.set_yscale("log")
        rest = [f"{n} = {axes[n][int(sel.get(n, 0))]:.3g}" for n in names if n not in (x, y)]
        if rest and title is None:
            title = ", ".join(rest)
    if title:
        ax.set_title(title)
    return save_figure(fig, out_png)
