"""The sharded scan (4 forced host devices, in a subprocess) equals the unsharded scan."""

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, os
    import jax
    jax.config.update("jax_enable_x64", True)
    import numpy as np
    from nujax.detector import preset
    from nujax.inference.scan import TemplateSpec, scan
    from nujax.sources.catalog import get_source

    spec = TemplateSpec(get_source("pp"), preset("hellaz", background=50.0),
                        np.linspace(0.1, 0.26, 9), np.linspace(0.0, 2 * np.pi, 7), pe=0.5,
                        norm_sigma=0.01, bkg_sigma=0.1, template_kw={"n_T": 4, "n_E": 12})
    model = spec.build()
    out = {"n_devices": jax.device_count()}
    # 7 x 5 = 35 points: not a multiple of 4, so the padding is exercised; chunks of 13 -> 16
    ax = {"mu_1e11": np.geomspace(0.3, 10, 7), "exposure": np.geomspace(0.5, 20, 5)}
    for q in ("q_asimov", "z_discovery"):
        a = scan(model, ax, quantity=q, chunk_size=13).values
        b = scan(model, ax, quantity=q, chunk_size=13, sharded=True).values
        out[q] = float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300)))
    ax = {"threshold_keV": [100.0, 120.0, 140.0], "phi_B": [0.0, 1.0]}
    a = scan(None, ax, quantity="limit", spec=spec).values
    b = scan(None, ax, quantity="limit", spec=spec, sharded=True).values
    out["limit_template"] = float(np.max(np.abs(a - b) / np.abs(a)))
    print("RESULT" + json.dumps(out))
""")


def test_sharded_equals_unsharded():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4",
               JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT")][-1]
    out = json.loads(line[len("RESULT"):])
    assert out["n_devices"] == 4
    for key in ("q_asimov", "z_discovery", "limit_template"):
        assert out[key] <= 1e-12, (key, out[key])
