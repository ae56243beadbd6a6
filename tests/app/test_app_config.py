"""The one schema engine (nujax.app.config) behind every TOML section: scenario, quick-look and
[scan] tables report the same dotted keys and messages."""

import pytest

from nujax.app import config as c
from nujax.app.quick import QUICK_KEYS, load_quick_config, resolve_settings
from nujax.app.scan_config import validate_scan_section
from nujax.app.scenario_config import SCHEMA, load_config
from nujax.errors import ConfigError

SCHEMA_T = {"n": (c.number(1, integer=True), 4), "x": (c.number(0.0, 1.0), c.REQUIRED),
            "flag": (c.boolean, False), "name": (c.string(("a", "b")), "a"),
            "edges": (c.number_list(0.0, increasing=True, min_len=2), None),
            "bins": (c.bin_range, None), "mode": (c.either("free", c.number(0.0)), None),
            "sub": (c.table({"k": (c.number(), 1.0)}), None)}


def _err(values, schema=SCHEMA_T, prefix="sec"):
    with pytest.raises(ConfigError) as err:
        c.validate_section(prefix, values, schema)
    return err.value


def test_defaults_required_and_order():
    out = c.validate_section("sec", {"x": 0.5, "sub": {}}, SCHEMA_T)
    assert out == {"n": 4, "x": 0.5, "flag": False, "name": "a", "edges": None, "bins": None,
                   "mode": None, "sub": {"k": 1.0}}
    assert _err({}).key == "sec.x" and "missing" in _err({}).why
    assert c.validate_section("sec", {"n": 2}, SCHEMA_T, defaults=False) == {"n": 2}


@pytest.mark.parametrize("values, key, why", [
    ({"x": 2.0}, "sec.x", "must be ≤ 1.0, got 2.0"),
    ({"x": True}, "sec.x", "must be a number, got bool True"),
    ({"x": 0.1, "n": 2.5}, "sec.n", "must be an integer, got 2.5"),
    ({"x": 0.1, "flag": 1}, "sec.flag", "must be true or false, got 1"),
    ({"x": 0.1, "name": "c"}, "sec.name", "must be one of a, b; got 'c'"),
    ({"x": 0.1, "edges": [1.0, 0.5]}, "sec.edges", "must be strictly increasing"),
    ({"x": 0.1, "edges": [1.0, -0.5]}, "sec.edges[1]", "must be ≥ 0.0, got -0.5"),
    ({"x": 0.1, "bins": {"min": 2, "max": 1, "n": 3}}, "sec.bins.max", "must exceed min = 2.0, got 1.0"),
    ({"x": 0.1, "bins": {"min": 0, "max": 1}}, "sec.bins.n", "missing"),
    ({"x": 0.1, "mode": "fixed"}, "sec.mode", "must be a number, got str 'fixed'"),
    ({"x": 0.1, "sub": {"q": 1}}, "sec.sub.q", "unknown key; known: k"),
    ({"x": 0.1, "colour": 1}, "sec.colour", "unknown key; known: n, x, flag, name, edges, bins, mode, sub"),
])
def test_errors_name_the_dotted_key(values, key, why):
    err = _err(values)
    assert (err.key, err.why) == (key, why)
    assert str(err) == f"{key}: {why}"


def test_read_toml_errors(tmp_path):
    with pytest.raises(ConfigError, match="cannot read") as err:
        c.read_toml(tmp_path / "absent.toml", key="config")
    assert err.value.key == "config"
    bad = tmp_path / "bad.toml"
    bad.write_text("[x\n")
    with pytest.raises(ConfigError, match="invalid TOML") as err:
        c.read_toml(bad)
    assert err.value.key == str(bad)


def test_the_three_sections_share_the_checkers(tmp_path):
    """Scenario, quick-look and scan sections: one engine, one message for one mistake."""
    msgs = []
    with pytest.raises(ConfigError) as err:
        load_config({"scenario": {"name": "x"}, "truth": {"pe": 1.5}})
    msgs.append(err.value.why)
    with pytest.raises(ConfigError) as err:
        resolve_settings("xsec", enu=1.0, T=0.1, pe=1.5)
    msgs.append(err.value.why)
    assert err.value.key == "xsec.pe"
    with pytest.raises(ConfigError) as err:
        validate_scan_section({"axes": {"mu_1e11": [1.0]}, "cl": 1.5})
    assert err.value.key == "scan.cl"
    assert msgs == ["must be ≤ 1.0, got 1.5"] * 2
    # the scenario type is `target`; the old overloaded `kind` is refused
    with pytest.raises(ConfigError) as err:
        load_config({"scenario": {"name": "x", "kind": "electron"}})
    assert err.value.key == "scenario.kind" and "target" in err.value.why
    assert SCHEMA["scenario"]["target"][1] == "electron" and set(QUICK_KEYS) == {"xsec", "rate", "asymmetry"}
    cfg = tmp_path / "q.toml"
    cfg.write_text("[rate]\nsources = 'pp'\n")
    assert load_quick_config(cfg, "rate") == {"sources": ["pp"]}
    with pytest.raises(ConfigError, match="required") as err:
        resolve_settings("xsec", enu=1.0)
    assert err.value.key == "xsec.T"
