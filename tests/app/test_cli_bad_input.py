"""Every bad command-line input: exit code 2 and exactly one ``error:`` line naming the option
(or the configuration key), before any long computation; no traceback.

The cases are listed in :data:`CASES` (command line, text the error line must contain); a
placeholder ``{tmp}`` is a fresh temporary folder, ``{file}`` a plain file in it, ``{big}`` a
scenario with 10⁸ recoil-energy bins, ``{bigscan}`` a scan of 10¹⁰ points.
"""

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nujax.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

X = ("xsec", "--enu", "1", "--T", "0.1")

CASES = [
    # xsec: option values
    (("xsec", "--enu", "abc", "--T", "0.1"), "--enu"),
    (("xsec", "--enu", "-1", "--T", "0.1"), "--enu"),
    (("xsec", "--enu", "nan", "--T", "0.1"), "--enu"),
    (("xsec", "--enu", "inf", "--T", "0.1"), "--enu"),
    (("xsec", "--enu", "1", "--T", "-0.1"), "--T"),
    (("xsec", "--enu", "1", "--T", "nan"), "--T"),
    (("xsec", "--enu", "1"), "--T"),
    (("xsec", "--T", "0.1"), "--enu"),
    (X + ("--pe", "1.5"), "--pe"),
    (X + ("--pe", "-0.1"), "--pe"),
    (X + ("--mu", "-1"), "--mu"),
    (X + ("--mu", "inf"), "--mu"),
    (X + ("--flavor", "nu_sterile"), "--flavor"),
    (X + ("--flavor", ""), "--flavor"),
    (X + ("--sin2w", "1.5"), "--sin2w"),
    (X + ("--sin2w", "x"), "--sin2w"),
    (X + ("--config", "{tmp}/missing.toml"), "cannot read"),
    (X + ("--config", "{tmp}"), "cannot read"),
    (X + ("--config", "{badtoml}"), "invalid TOML"),
    (X + ("--device", "tpu"), "--device"),
    (X + ("--bogus",), "--bogus"),
    (X + ("extra",), "extra"),
    # rate and asymmetry
    (("rate", "--detector", "nope"), "--detector"),
    (("rate", "--source", "nope"), "--source"),
    (("rate", "--threshold-keV", "-5"), "--threshold-keV"),
    (("rate", "--threshold-keV", "nan"), "--threshold-keV"),
    (("rate", "--pe", "2"), "--pe"),
    (("rate", "--mu", "inf"), "--mu"),
    (("rate", "--mu", "abc"), "--mu"),
    (("rate", "--config", "{badrate}"), "rate.bogus"),
    (("asymmetry", "--source", ""), "--source"),
    (("asymmetry", "--detector", ""), "--detector"),
    (("asymmetry", "--source", "pp", "--threshold-keV", "5000"), "--threshold-keV"),
    # demo: every option, before any computation
    (("demo", "--threshold-keV", "0", "--out", "{tmp}/o"), "--threshold-keV"),
    (("demo", "--threshold-keV", "-1", "--out", "{tmp}/o"), "--threshold-keV"),
    (("demo", "--threshold", "0", "--out", "{tmp}/o"), "--threshold"),
    (("demo", "--pe", "1.5", "--out", "{tmp}/o"), "--pe"),
    (("demo", "--mu", "-1", "--out", "{tmp}/o"), "--mu"),
    (("demo", "--mu", "nan", "--out", "{tmp}/o"), "--mu"),
    (("demo", "--phi-b", "nan", "--out", "{tmp}/o"), "--phi-b"),
    (("demo", "--data", "real", "--out", "{tmp}/o"), "--data"),
    (("demo", "--seed", "-1", "--out", "{tmp}/o"), "--seed"),
    (("demo", "--seed", "1.5", "--out", "{tmp}/o"), "--seed"),
    (("demo", "--out", "{file}"), "--out"),
    (("demo", "--out", "{file}/sub"), "--out"),
    (("demo", "--out", "/proc/nujax_cannot_be_here"), "--out"),
    (("demo", "--device", "tpu", "--out", "{tmp}/o"), "--device"),
    # figures
    (("figures", "--seed", "003", "--out", "{tmp}/o"), "--seed"),
    (("figures", "--out", "{file}"), "--out"),
    # fit
    (("fit", "{tmp}/missing.toml", "--out", "{tmp}/o"), "cannot read"),
    (("fit", "{badkey}", "--out", "{tmp}/o"), "detector.threshold_kev"),
    (("fit", "{fits}/hellaz_pp.toml", "--out", "{file}"), "--out"),
    (("fit", "{fits}/hellaz_pp.toml", "--seed", "-3", "--out", "{tmp}/o"), "--seed"),
    (("fit", "{big}", "--out", "{tmp}/o"), "--yes"),
    (("fit",), "config"),
    # scan
    (("scan", "{fits}/cr51_source.toml", "--out", "{tmp}/o"), "no [scan] section"),
    (("scan", "{bigscan}", "--out", "{tmp}/o"), "--yes"),
    (("scan", "{fits}/hellaz_pp.toml", "--chunk-seconds", "0", "--out", "{tmp}/o"), "--chunk-seconds"),
    (("scan", "{fits}/hellaz_pp.toml", "--out", "{file}"), "--out"),
    (("scan", "{badaxes}", "--out", "{tmp}/o"), "scan.axes.exposure"),
    # bench and the command group
    (("bench", "--only", "bogus", "--out", "{tmp}/o"), "--only"),
    (("bench", "--out", "{file}"), "--out"),
    (("--frob",), "--frob"),
    (("nosuchcommand",), "nosuchcommand"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad_input")
    hellaz = (ROOT / "fits" / "hellaz_pp.toml").read_text()
    (d / "file").write_text("not a folder\n")
    (d / "bad.toml").write_text("[xsec\nenu = 1\n")
    (d / "badrate.toml").write_text("[rate]\nbogus = 1\n")
    (d / "badkey.toml").write_text(hellaz.replace("[detector]\n", "[detector]\nthreshold_kev = 100.0\n"))
    (d / "big.toml").write_text(hellaz.replace("n = 50 }", "n = 100000000 }"))
    head = hellaz.split("\n[scan]")[0]
    (d / "bigscan.toml").write_text(head + textwrap.dedent("""
        [scan]
        axes = { mu_1e11 = { logspace = [0.1, 3.0, 100000] }, exposure = { logspace = [0.1, 10.0, 100000] } }
    """))
    (d / "badaxes.toml").write_text(head + textwrap.dedent("""
        [scan]
        axes = { mu_1e11 = [1.0], exposure = [2.0, 1.0] }
    """))
    return {"file": d / "file", "badtoml": d / "bad.toml", "badrate": d / "badrate.toml",
            "badkey": d / "badkey.toml", "big": d / "big.toml", "bigscan": d / "bigscan.toml",
            "badaxes": d / "badaxes.toml", "fits": ROOT / "fits"}


def test_there_are_at_least_45_cases():
    assert len(CASES) >= 45
    assert len({c[0] for c in CASES}) == len(CASES)      # no case twice


@pytest.mark.parametrize("args, names", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_input_exits_2_with_one_error_line(args, names, files, tmp_path):
    fill = {k: str(v) for k, v in files.items()} | {"tmp": str(tmp_path)}
    res = runner.invoke(app, [a.format(**fill) for a in args])
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert res.exit_code == 2, res.output
    assert len(errors) == 1, res.output
    assert names in errors[0], res.output
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())   # nothing written
