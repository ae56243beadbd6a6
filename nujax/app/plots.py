"""Every plot of the application layer: the matplotlib house style (Agg backend, atomic PNG
writes), the figures of a fit (profile likelihood, exposure, data, posterior corner) and the
contour plots of sensitivity scans. The seed-figure gallery (:mod:`nujax.app.figures`) and the
demo study (:mod:`nujax.app.study`) draw through :func:`new_figure` and :func:`save_figure`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from nujax._io import atomic_path

import matplotlib

matplotlib.use("Agg")  # figures are files; never needs a display
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["new_figure", "save_figure", "atomic_write_bytes", "plot_profile", "plot_exposure",
           "plot_data", "plot_fit_residuals", "plot_posterior", "plot_scan"]


#: Axis label of the magnetic moment (mathtext: "μ_B" as plain text would show the underscore).
MU_LABEL = r"$|\mu_\nu|$ [$10^{-11}\,\mu_B$]"


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 6.0, height: float = 4.2, **kw):
    """A (fig, axes) pair with the house style (constrained layout, readable fonts)."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             layout="constrained", **kw)
    return fig, axes


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def save_figure(fig, path: str | os.PathLike, *, dpi: int = 120) -> Path:
    """Save ``fig`` as PNG at ``path`` atomically and close it; returns the path."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())


# ----------------------------------------------------------------------------------------------
# figures of a fit (nujax.app.fit.run_fit)
# ----------------------------------------------------------------------------------------------
def plot_profile(path, grid, q, cl, title):
    """q̃(μ) of the profile likelihood with the one-sided ``cl`` threshold Φ⁻¹(cl)² (PNG)."""
    from scipy.stats import norm

    fig, ax = new_figure()
    ax.plot(grid, q, "-", lw=1.5, label="q̃(μ) (profile likelihood ratio)")
    ax.axhline(float(norm.ppf(cl) ** 2), color="k", ls="--", lw=1, label=f"{cl:.0%} CL (one-sided)")
    ax.set(xlabel=MU_LABEL, ylabel="q̃", title=f"{title}: profile likelihood")
    thr = float(norm.ppf(cl) ** 2)
    ax.set_ylim(0, min(max(float(np.max(q)) * 1.05, 2.0 * thr), 6.0 * thr))
    ax.legend()
    return save_figure(fig, path)


def plot_exposure(path, exposure, limit, cl, title):
    """Median expected ``cl`` upper limit (Fisher, Asimov μ = 0) versus exposure (PNG)."""
    fig, ax = new_figure()
    ax.loglog(exposure, limit, "o-")
    ax.set(xlabel="exposure [t yr]", ylabel=f"{cl:.0%} CL limit on {MU_LABEL}",
           title=f"{title}: sensitivity vs exposure (Fisher)")
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, path)


def plot_data(path, model, data, expected, meta, title):
    """Data (toy) against the expectation at the truth, projected on each binned axis (PNG)."""
    d, lam = np.asarray(data), np.asarray(expected)
    axes = [("T", np.asarray(meta["T_edges_MeV"]) * 1e3,
             "ν = T + E_γ [keV]" if meta["target"] == "radiative" else "T [keV]")]
    if meta.get("cos_edges") is not None:
        axes.append(("cos", np.asarray(meta["cos_edges"]), "cos θ"))
    if meta.get("phi_edges") is not None:
        axes.append(("phi", np.asarray(meta["phi_edges"]), "φ [rad]"))
    fig, ax = new_figure(1, len(axes), width=5.0)
    ax = np.atleast_1d(ax)
    for i, (_, edges, label) in enumerate(axes):
        other = tuple(j for j in range(d.ndim) if j != i)
        dd, ll = d.sum(axis=other), lam.sum(axis=other)
        c = 0.5 * (edges[1:] + edges[:-1])
        ax[i].stairs(ll, edges, label="expected (truth)")
        ax[i].errorbar(c, dd, yerr=np.sqrt(np.maximum(dd, 1.0)), fmt="k.", label="toy data")
        bkg = np.asarray(model.background).sum(axis=other)
        ax[i].stairs(bkg, edges, ls=":", label="background")
        ax[i].set(xlabel=label, ylabel="counts per bin")
    ax[0].set_title(f"{title}: data vs expectation")
    ax[0].legend(fontsize=8)
    return save_figure(fig, path)


def plot_fit_residuals(path, edges_keV, data, fitted, background=None, *, title="",
                       xlabel="T [keV]"):
    """Observed counts against the fitted model, with Poisson residuals below (PNG).

    Parameters
    ----------
    path : str or os.PathLike
    edges_keV : array (K+1,)
        Bin edges [keV].
    data, fitted : arrays (K,)
        Observed counts and the best-fit expectation per bin.
    background : array (K,), optional
        The fitted background part, drawn dotted.
    title, xlabel : str

    The residual panel shows (n − λ)/√λ per bin (Pearson residuals; bins with λ = 0 show 0).
    """
    e = np.asarray(edges_keV, float)
    d, lam = np.asarray(data, float), np.asarray(fitted, float)
    c = 0.5 * (e[1:] + e[:-1])
    fig, (ax, rax) = new_figure(2, 1, height=2.6, sharex=True,
                                gridspec_kw={"height_ratios": [3, 1]})
    ax.stairs(lam, e, color="C0", label="fitted model")
    if background is not None:
        ax.stairs(np.asarray(background, float), e, ls=":", color="C1", label="fitted background")
    ax.errorbar(c, d, yerr=np.sqrt(np.maximum(d, 1.0)), fmt="k.", label="data")
    ax.set(ylabel="counts per bin", title=f"{title}: data and fit" if title else "data and fit")
    ax.legend(fontsize=8)
    res = np.where(lam > 0, (d - lam) / np.sqrt(np.where(lam > 0, lam, 1.0)), 0.0)
    rax.axhline(0.0, color="k", lw=0.8)
    rax.errorbar(c, res, yerr=np.where(lam > 0, 1.0, 0.0), fmt="k.")
    rax.set(xlabel=xlabel, ylabel="(n − λ)/√λ")
    return save_figure(fig, path)


def plot_posterior(path, samples, title, keys=("mu_1e11", "phi_B", "norm", "eff_scale", "bkg_scale")):
    """Corner plot (matplotlib): 1-D histograms and pairwise scatter of the sampled parameters
    ``keys`` (the first five present)."""
    cols = {}
    for k in keys:
        if k in samples:
            v = np.asarray(samples[k])
            v = v.reshape(v.shape[0], -1)
            for j in range(v.shape[1]):
                cols[k if v.shape[1] == 1 else f"{k}[{j}]"] = v[:, j]
    names = list(cols)[:5]
    n = len(names)
    fig, ax = new_figure(n, n, width=2.4, height=2.4, squeeze=False)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            axij = ax[i, j]
            if j > i:
                axij.axis("off")
            elif i == j:
                axij.hist(cols[a], bins=30, histtype="step")
            else:
                axij.plot(cols[b], cols[a], ",", alpha=0.4)
            if i == n - 1:
                axij.set_xlabel(b)
            if j == 0 and i > 0:
                axij.set_ylabel(a)
    fig.suptitle(f"{title}: NUTS posterior")
    return save_figure(fig, path)


# ----------------------------------------------------------------------------------------------
# sensitivity scans (2-D slices of a scan result; 1-D scans as a curve)
# ----------------------------------------------------------------------------------------------
_LABELS = {
    "mu_1e11": r"$\mu_\nu$ [$10^{-11}\,\mu_B$]", "phi_B": r"$\phi_B$ [rad]",
    "exposure": "exposure / nominal", "exposure_t_yr": "exposure [t yr]", "norm": "flux factor",
    "eff_scale": "efficiency factor", "bkg_scale": "background factor",
    "sigma_phi": r"$\sigma_\phi$ [rad]", "threshold_keV": "threshold [keV]", "pe": r"$P_e$",
}
_QLABEL = {"q_asimov": r"$q_{\mu,A}$ (median, no signal)", "z_discovery": r"$Z_{\rm disc}$ (median)",
           "z_asymmetry": r"$Z_{\rm asym}$ (median)", "limit": r"$\mu_\nu^{\rm up}$ [$10^{-11}\,\mu_B$]"}


def _label(name: str) -> str:
    """Axis label of a scan parameter; EM entries (``q_ee`` …) with their unit."""
    from nujax.app.em_entries import EM_ENTRIES, EM_UNITS

    if name in EM_ENTRIES:
        return f"{name} [{EM_UNITS[name.split('_')[0]]}]"
    return _LABELS.get(name, name)


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
    from nujax.inference.scan_store import load_scan_file

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
        ax.set_xlabel(_label(names[0]))
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
        if quantity == "q_asimov":          # 8 decades below the maximum: the exact null point
            top = np.nanmax(np.where(np.isfinite(z), z, np.nan))     # (q = 0) stays on the scale
            shown = np.log10(np.clip(z, max(top * 1e-8, 1e-300) if top > 0 else 1e-300, None))
        else:
            shown = z
        cf = ax.contourf(X, Y, np.where(np.isfinite(shown), shown, np.nan), levels=24, cmap="viridis")
        cb = fig.colorbar(cf, ax=ax)
        cb.set_label(("log10 " if quantity == "q_asimov" else "") + _QLABEL.get(quantity, quantity))
        lv, labels = _levels(quantity, meta, z)
        lv_ok = [v for v in lv if np.nanmin(z) < v < np.nanmax(z)]
        if lv_ok:
            cs = ax.contour(X, Y, z, levels=lv_ok, colors="w", linewidths=1.5)
            fmt = {v: lab for v, lab in zip(lv, labels) if v in lv_ok}
            ax.clabel(cs, fmt=fmt, fontsize=8)
        ax.set_xlabel(_label(x))
        ax.set_ylabel(_label(y))
        ax.ticklabel_format(style="sci", scilimits=(-3, 4))     # q_ee ~ 1e5: no crowded ticks
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
