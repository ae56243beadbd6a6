"""Observed spectra from CSV and HEPData YAML: round trips and one clear error per malformed file."""

import numpy as np
import pytest

from nujax.data_io import (DataFileError, ObservedSpectrum, read_energy_table, read_hepdata,
                           read_spectrum, read_spectrum_csv, write_hepdata, write_spectrum_csv)

GOOD_CSV = """# TEXONO-like ON spectrum
# live_time_d = 100.5
# exposure_kg_d = 106.53
E_lo_keV,E_hi_keV,counts
12.0,13.0,41
13.0,14.0,37
14.0,16.0,70
"""

GOOD_YAML = """independent_variables:
- header: {name: E, units: keV}
  values:
  - {low: 12.0, high: 13.0}
  - {low: 13.0, high: 14.0}
dependent_variables:
- header: {name: counts, units: ''}
  qualifiers:
  - {name: live time, units: d, value: 100.5}
  - {name: exposure, units: kg d, value: 106.53}
  values:
  - {value: 41}
  - {value: 37}
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_csv_reads_units_and_round_trips(tmp_path):
    s = read_spectrum_csv(_write(tmp_path, "on.csv", GOOD_CSV))
    np.testing.assert_allclose(s.edges, [0.012, 0.013, 0.014, 0.016])
    np.testing.assert_array_equal(s.counts, [41, 37, 70])
    assert s.live_time_yr == pytest.approx(100.5 / 365.25)
    assert s.exposure_t_yr == pytest.approx(106.53e-3 / 365.25)
    for unit in ("keV", "MeV", "eV"):
        back = read_spectrum(write_spectrum_csv(s, tmp_path / f"back_{unit}.csv", energy_unit=unit))
        np.testing.assert_allclose(back.edges, s.edges, rtol=1e-15)
        np.testing.assert_array_equal(back.counts, s.counts)
        assert (back.live_time_yr, back.exposure_t_yr) == (s.live_time_yr, s.exposure_t_yr)


def test_hepdata_reads_and_round_trips(tmp_path):
    s = read_hepdata(_write(tmp_path, "t1.yaml", GOOD_YAML))
    np.testing.assert_allclose(s.edges, [0.012, 0.013, 0.014])
    np.testing.assert_array_equal(s.counts, [41, 37])
    assert s.live_time_yr == pytest.approx(100.5 / 365.25)
    back = read_spectrum(write_hepdata(s, tmp_path / "back.yaml"))
    np.testing.assert_allclose(back.edges, s.edges, rtol=1e-15)
    np.testing.assert_array_equal(back.counts, s.counts)
    assert back.exposure_t_yr == pytest.approx(s.exposure_t_yr, rel=1e-15)
    # CSV → HEPData → CSV keeps everything
    c = read_spectrum_csv(write_spectrum_csv(back, tmp_path / "again.csv"))
    np.testing.assert_allclose(c.edges, s.edges, rtol=1e-15)


CSV_CASES = [
    ("bad header", GOOD_CSV.replace("E_lo_keV,E_hi_keV,counts", "E_lo_keV,E_hi_keV,cnts"),
     4, "unknown column"),
    ("missing column", GOOD_CSV.replace("E_lo_keV,E_hi_keV,counts", "E_lo_keV,counts")
     .replace("12.0,13.0,41", "12.0,41").replace("13.0,14.0,37", "13.0,37")
     .replace("14.0,16.0,70", "14.0,70"), 4, "E_hi_<unit>"),
    ("wrong units", GOOD_CSV.replace("E_lo_keV,E_hi_keV", "E_lo_furlong,E_hi_furlong"), 4,
     "energy unit"),
    ("no unit", GOOD_CSV.replace("E_lo_keV,E_hi_keV", "E_lo,E_hi"), 4, "E_lo_<unit>"),
    ("decreasing edges", GOOD_CSV.replace("14.0,16.0,70", "11.0,16.0,70"), 7, "increase"),
    ("gap", GOOD_CSV.replace("14.0,16.0,70", "14.5,16.0,70"), 7, "contiguous"),
    ("negative counts", GOOD_CSV.replace("13.0,14.0,37", "13.0,14.0,-3"), 6, "≥ 0"),
    ("non-numeric", GOOD_CSV.replace("13.0,14.0,37", "13.0,14.0,many"), 6, "not a number"),
    ("ragged row", GOOD_CSV.replace("13.0,14.0,37", "13.0,14.0"), 6, "expected 3 fields"),
    ("no live time", GOOD_CSV.replace("# live_time_d = 100.5\n", ""), 3, "live_time"),
    ("bad time unit", GOOD_CSV.replace("live_time_d", "live_time_fortnight"), 2, "time unit"),
    ("bad exposure unit", GOOD_CSV.replace("exposure_kg_d", "exposure_kg"), 3, "mass × time"),
]


@pytest.mark.parametrize("label,text,line,why", CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_malformed_csv_names_file_and_line(tmp_path, label, text, line, why):
    p = _write(tmp_path, "bad.csv", text)
    with pytest.raises(DataFileError) as err:
        read_spectrum_csv(p)
    assert err.value.path == str(p) and str(err.value).startswith(f"{p}:{line}")
    assert why in err.value.why


YAML_CASES = [
    ("wrong units", GOOD_YAML.replace("units: keV", "units: parsec"), "2 (independent_variables[0].header.units)", "energy unit"),
    ("missing units", GOOD_YAML.replace("{name: E, units: keV}", "{name: E}"), "2 (independent_variables[0].header)", "missing key 'units'"),
    ("decreasing edges", GOOD_YAML.replace("{low: 13.0, high: 14.0}", "{low: 11.0, high: 12.5}"), "5 (independent_variables[0].values[1])", "increase"),
    ("negative counts", GOOD_YAML.replace("{value: 37}", "{value: -37}"), "13 (dependent_variables[0].values[1])", "≥ 0"),
    ("non-numeric", GOOD_YAML.replace("{value: 37}", "{value: lots}"), "13 (dependent_variables[0].values[1].value)", "not a number"),
    ("missing column", GOOD_YAML.replace("  - {value: 37}\n", ""), "12 (dependent_variables[0].values)", "1 values for 2 bins"),
    ("no live time", GOOD_YAML.replace("  - {name: live time, units: d, value: 100.5}\n", ""), "7 (dependent_variables[0])", "live time"),
    ("live time without units", GOOD_YAML.replace("{name: live time, units: d, value: 100.5}", "{name: live time, value: 100.5}"), "9 (dependent_variables[0].qualifiers[0])", "no units"),
    ("bad header", "independent_variables: [\n", "2", "malformed YAML"),
]


@pytest.mark.parametrize("label,text,where,why", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_malformed_hepdata_names_file_line_and_key(tmp_path, label, text, where, why):
    p = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(DataFileError) as err:
        read_hepdata(p)
    assert str(err.value).startswith(f"{p}:{where}"), str(err.value)
    assert why in err.value.why


def test_energy_table_and_unknown_format(tmp_path):
    p = _write(tmp_path, "t.csv", "E_MeV,efficiency,sigma_keV\n1,0.5,10\n2,0.6,20\n")
    t = read_energy_table(p, ("efficiency", "sigma_*"))
    np.testing.assert_allclose(t["sigma_MeV"], [0.01, 0.02])
    p2 = _write(tmp_path, "t2.csv", "E_MeV,efficiency\n1,0.5\n1,0.6\n")
    with pytest.raises(DataFileError, match=r"t2.csv:3: energies must increase"):
        read_energy_table(p2, ("efficiency",))
    with pytest.raises(DataFileError, match="unknown data format"):
        read_spectrum(tmp_path / "x.root")
    assert isinstance(ObservedSpectrum(np.zeros(2), np.zeros(1), 1.0, 1.0), tuple)
