"""Scan input and output: the ``[scan]`` configuration section, chunked resumable result files.

Result files
------------
Chunked, resumable scan output: one atomic ``.npy`` per chunk, then one deterministic ``.npz``.

Layout for a result file ``out.npz``:

``out.npz.parts/manifest.json``
    fingerprint of the scan (configuration, grid, quantity, chunking), number of chunks;
``out.npz.parts/chunk_000000.npy`` …
    the values of each finished chunk, each written atomically (temporary file + rename), so a
    killed run leaves only complete chunks behind;
``out.npz``
    written atomically once every chunk is present: ``values`` (grid shape), ``axis__<name>`` per
    axis and ``meta`` (a JSON string: configuration, quantity, nujax version, device). The archive
    members carry a fixed time stamp, so the same scan gives the same bytes whether or not it was
    interrupted and resumed. The ``.parts`` folder is removed afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np

from nujax._io import atomic_path
from nujax.errors import ConfigError

__all__ = ["ChunkStore", "write_npz_deterministic", "load_scan_file", "validate_scan_section",
           "run_scan_config"]

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _json(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=_json_default, separators=(",", ":"))


def _json_default(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, Path):
        return str(x)
    return repr(x)


def fingerprint(obj) -> str:
    """SHA-256 of the canonical JSON of ``obj`` (what identifies a scan for resuming)."""
    return hashlib.sha256(_json(obj).encode()).hexdigest()


def write_npz_deterministic(path, arrays: dict) -> Path:
    """Write ``arrays`` as an uncompressed ``.npz`` atomically, with fixed member time stamps.

    Parameters
    ----------
    path : path-like
        Destination file.
    arrays : dict of str -> array_like
        Members (written in sorted order; no pickled objects).
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for name in sorted(arrays):
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
                info.external_attr = 0o644 << 16
                zf.writestr(info, buf.getvalue())
    return path


def load_scan_file(path):
    """Read a scan result file: (values, axes dict, meta dict)."""
    with np.load(Path(path), allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        axes = {name: np.asarray(z[f"axis__{name}"]) for name in meta["axis_names"]}
        values = np.asarray(z["values"])
    return values, axes, meta


class ChunkStore:
    """The on-disk state of one chunked scan (see the module docstring).

    Parameters
    ----------
    path : path-like
        Final result file (``.npz``).
    key : dict
        Everything that identifies the scan (a resumed run must match it exactly).
    n_chunks : int
        Number of chunks of the flattened grid.
    force : bool
        Discard an existing result or partial run instead of refusing (result) or resuming (parts).
    """

    def __init__(self, path, key: dict, n_chunks: int, *, force: bool = False):
        self.path = Path(path)
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.n_chunks = int(n_chunks)
        self.fp = fingerprint(key)
        if force:
            self.path.unlink(missing_ok=True)
            shutil.rmtree(self.parts, ignore_errors=True)
        if self.path.exists():
            raise FileExistsError(f"{self.path} exists (a finished scan); pass force=True to redo it")
        manifest = self.parts / "manifest.json"
        if manifest.exists():
            old = json.loads(manifest.read_text())
            if old.get("fingerprint") != self.fp or old.get("n_chunks") != self.n_chunks:
                raise ValueError(f"{self.parts} holds a partial run of a different scan; "
                                 "pass force=True to discard it")
        else:
            with atomic_path(manifest) as tmp:
                tmp.write_text(json.dumps({"fingerprint": self.fp, "n_chunks": self.n_chunks},
                                          indent=1) + "\n")

    def _chunk(self, i: int) -> Path:
        return self.parts / f"chunk_{i:06d}.npy"

    def done(self) -> set:
        """Indices of the chunks already stored."""
        return {i for i in range(self.n_chunks) if self._chunk(i).exists()}

    def save(self, i: int, values) -> None:
        """Store chunk ``i`` atomically."""
        with atomic_path(self._chunk(i)) as tmp, open(tmp, "wb") as fh:
            np.save(fh, np.asarray(values), allow_pickle=False)

    def load(self, i: int) -> np.ndarray:
        return np.load(self._chunk(i), allow_pickle=False)

    def finish(self, values, axes: dict, meta: dict) -> Path:
        """Write the final file from the assembled ``values`` and remove the parts folder."""
        arrays = {"values": values, "meta": np.asarray(_json(meta))}
        arrays.update({f"axis__{k}": np.asarray(v) for k, v in axes.items()})
        write_npz_deterministic(self.path, arrays)
        shutil.rmtree(self.parts, ignore_errors=True)
        return self.path


_SECTION = {"quantity": "q_asimov", "axes": None, "fixed": {}, "nuisances": ["norm", "bkg_scale"],
            "n_profile": 4, "cl": 0.9, "batch_size": None, "chunk_size": 65536, "dtype": "float64",
            "sharded": False, "plot": True}


def validate_scan_section(section: dict) -> dict:
    """Validate the ``[scan]`` section of a configuration; returns it with defaults filled in.

    Keys: ``quantity`` (str), ``axes`` (table: name -> list or {linspace|logspace = [lo, hi, n]}),
    ``fixed`` (table: name -> number), ``nuisances`` (list of str), ``n_profile`` (int ≥ 0),
    ``cl`` (in (0, 1)), ``batch_size`` (int ≥ 1, default per platform), ``chunk_size`` (int ≥ 1), ``dtype`` ("float64"/"float32"),
    ``sharded``, ``plot`` (bool). Axes are expanded to lists of floats.

    Raises
    ------
    ConfigError
        With a key prefixed ``"scan."`` naming the offending entry.
    """
    from nujax.inference.scan import NUISANCES, QUANTITIES, parse_axes

    if not isinstance(section, dict):
        raise ConfigError("scan", "must be a table")
    unknown = [k for k in section if k not in _SECTION]
    if unknown:
        raise ConfigError(f"scan.{unknown[0]}", f"unknown key; known: {', '.join(_SECTION)}")
    out = {k: (v.copy() if isinstance(v, (dict, list)) else v) for k, v in _SECTION.items()}
    out.update(section)
    if out["quantity"] not in QUANTITIES:
        raise ConfigError("scan.quantity", f"unknown quantity {out['quantity']!r}; known: {', '.join(QUANTITIES)}")
    if out["axes"] is None:
        raise ConfigError("scan.axes", "missing: give at least one axis")
    out["axes"] = {k: v.tolist() for k, v in parse_axes(out["axes"], prefix="scan.axes.").items()}
    if not isinstance(out["fixed"], dict):
        raise ConfigError("scan.fixed", "must be a table of name = number")
    for k, v in out["fixed"].items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(f"scan.fixed.{k}", f"must be a number, got {v!r}")
    parse_axes({k: [v] for k, v in out["fixed"].items()}, prefix="scan.fixed.") if out["fixed"] else None
    out["fixed"] = {k: float(v) for k, v in out["fixed"].items()}
    nu = out["nuisances"]
    if not isinstance(nu, (list, tuple)) or any(x not in NUISANCES for x in nu):
        raise ConfigError("scan.nuisances", f"must be a list drawn from {', '.join(NUISANCES)}, got {nu!r}")
    out["nuisances"] = list(nu)
    for k, lo in (("n_profile", 0), ("batch_size", 1), ("chunk_size", 1)):
        v = out[k]
        if k == "batch_size" and v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ConfigError(f"scan.{k}", f"must be an integer >= {lo}, got {v!r}")
    cl = out["cl"]
    if isinstance(cl, bool) or not isinstance(cl, (int, float)) or not 0 < cl < 1:
        raise ConfigError("scan.cl", f"must be a number in (0, 1), got {cl!r}")
    if out["dtype"] not in ("float64", "float32"):
        raise ConfigError("scan.dtype", f"must be 'float64' or 'float32', got {out['dtype']!r}")
    for k in ("sharded", "plot"):
        if not isinstance(out[k], bool):
            raise ConfigError(f"scan.{k}", f"must be true or false, got {out[k]!r}")
    return out


def run_scan_config(cfg: dict, out_path, *, force=False, progress=True) :
    """Run the ``[scan]`` section of a validated configuration (``nujax.scenarios.load_config``).

    The scenario is built with ``nujax.scenarios.build_scenario``; its ``truth`` supplies the
    values of ``mu_1e11``/``phi_B`` that are neither scanned nor fixed, and a
    ``meta["template_spec"]`` (:class:`TemplateSpec`), when present, enables the template axes.

    Parameters
    ----------
    cfg : dict
        Full validated configuration with a ``scan`` table.
    out_path : path-like
        Result file ``*.npz``, or a folder (the result is ``<folder>/scan.npz``). With
        ``plot = true`` and two or more axes a contour plot ``<result>.png`` is written too.
    force : bool
        Redo a finished scan (otherwise ``FileExistsError``); discard a mismatched partial run.
    progress : bool
        Progress bar.

    Returns
    -------
    nujax.inference.scan.ScanResult
    """
    import jax

    from nujax.inference.scan import scan
    from nujax.inference.scan_plot import plot_scan
    from nujax.scenarios import build_scenario

    if "scan" not in cfg:
        raise ConfigError("scan", "the configuration has no [scan] section")
    sc = validate_scan_section(cfg["scan"])
    out = Path(out_path)
    if out.suffix != ".npz":
        out = out / "scan.npz"
    scen = build_scenario(cfg)
    fixed = dict(sc["fixed"])
    truth = dict(getattr(scen, "truth", {}) or {})
    for k in ("mu_1e11", "phi_B"):
        if k not in sc["axes"] and k not in fixed and k in truth:
            if k == "phi_B" or sc["quantity"] != "limit":
                fixed[k] = float(truth[k])
    if sc["dtype"] == "float64" and not jax.config.jax_enable_x64:
        raise ConfigError("scan.dtype", "float64 needs nujax.enable_x64() before the scan")
    smeta = getattr(scen, "meta", {}) or {}
    spec = smeta.get("template_spec")
    expo = smeta.get("exposure_t_yr") if spec is None else None
    res = scan(scen.model, sc["axes"], quantity=sc["quantity"], fixed=fixed,
               nuisances=tuple(sc["nuisances"]), n_profile=sc["n_profile"], cl=sc["cl"], spec=spec, exposure_t_yr=expo,
               batch_size=sc["batch_size"], chunk_size=sc["chunk_size"], sharded=sc["sharded"],
               dtype=sc["dtype"], out_path=out, force=force, progress=progress,
               meta={"scenario": getattr(scen, "name", ""), "config": cfg})
    if sc["plot"] and len(res.axes) >= 2:
        plot_scan(res, out.with_suffix(".png"))
    return res
