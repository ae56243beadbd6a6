"""Bad-input sweep over the library API: every case gives a clear error naming the argument, or the
documented result — never a silent NaN, a negative count, a numpy warning or a JAX-internal error.

Each case is one (callable, expected) pair; ``expected`` is either (exception type, regex that
names the argument) or a predicate on the returned value (the documented result). The cheap
cases raise before anything is compiled; the few that compute share their inputs.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import nujax
from nujax import kinematics as kin
from nujax import rates
from nujax.constants import M_E
from nujax.em import EMProperties, pmns
from nujax.inference import binned as ib
from nujax.state import SpinFlavorState
from nujax.xsec import electron as ex
from nujax.xsec.common import to_cm2
from nujax.xsec.electron_density_matrix import electron_density_matrix_parts
from nujax.xsec.nucleon import nucleon_parts
from nujax.xsec.nucleus import nucleus_parts
from nujax.xsec.radiative import d3sigma_dT_dEg_dcostheta, d3sigma_dx_dy_dw
from nujax.xsec.radiative_integrals import d2sigma_dx_dnu, sigma_region

NAN, INF = float("nan"), float("inf")
TE = np.array([0.1, 0.15, 0.2, 0.25])
PHI = np.linspace(0.0, 2 * math.pi, 5)


@functools.lru_cache(maxsize=None)
def _pp():
    from nujax.sources.solar import solar_component
    return solar_component("pp")


@functools.lru_cache(maxsize=None)
def _det(threshold=None):
    import dataclasses
    from nujax.detector import preset
    d = preset("hellaz")
    return d if threshold is None else dataclasses.replace(d, threshold=jnp.asarray(threshold))


@functools.lru_cache(maxsize=None)
def _model():
    return ib.build_model(_pp(), _det(), TE, PHI, pe=0.5, sin2w=0.23, n_E=8, n_E_panels=2, n_T=4)


def _templates():
    return rates.binned_templates(_pp(), _det(), TE, pe=0.5, n_E=8, n_E_panels=2, n_T=4)


def _props(n=1):
    return EMProperties.from_effective(3.0, "nue", n=n)


def _state(n=1):
    return SpinFlavorState.from_pe_dirac(0.5, n=n)


def err(exc, match):
    return ("raises", exc, match)


def zero(v):
    leaves = [np.asarray(x) for x in jax.tree_util.tree_leaves(v)]
    return all(np.all(x == 0) for x in leaves)


CASES = []


def case(name, fn, expected):
    CASES.append(pytest.param(fn, expected, id=name))


# --- electron cross sections: every argument of every public entry point --------------------------
_ELECTRON = {
    "dsigma_dT": lambda **k: ex.dsigma_dT(k.pop("enu", 1.0), k.pop("T", 0.2), **k),
    "d2sigma_dT_dphi": lambda **k: ex.d2sigma_dT_dphi(k.pop("enu", 1.0), k.pop("T", 0.2),
                                                      k.pop("phi", 0.3), **k),
    "amplitudes": lambda **k: ex.d2sigma_dT_dphi_amplitudes(k.pop("enu", 1.0), k.pop("T", 0.2), **k),
    "dsigma_dcostheta": lambda **k: ex.dsigma_dcostheta(k.pop("enu", 1.0), k.pop("costheta", 0.9),
                                                        **k),
}
_BAD_COMMON = [
    ("enu", NAN, ValueError, "enu must be finite"),
    ("enu", -1.0, ValueError, "enu must be ≥ 0"),
    ("enu", "abc", TypeError, "enu must be a number"),
    ("mu_1e11", NAN, ValueError, "mu_1e11 must be finite"),
    ("mu_1e11", INF, ValueError, "mu_1e11 must be finite"),
    ("pe", NAN, ValueError, "pe must be finite"),
    ("pe", 1.5, ValueError, r"pe must lie in \[0, 1\]"),
    ("pe", -0.1, ValueError, r"pe must lie in \[0, 1\]"),
    ("sin2w", 2.0, ValueError, r"sin2w must lie in \[0, 1\]"),
    ("sin2w", NAN, ValueError, "sin2w must be finite"),
    ("flavor", "nux", ValueError, "flavor|nux"),
    ("kind", "weird", ValueError, "kind must be"),
]
for fname, f in _ELECTRON.items():
    for arg, val, exc, msg in _BAD_COMMON:
        case(f"{fname}-{arg}={val!r}", functools.partial(f, **{arg: val}), err(exc, msg))
    if fname != "dsigma_dcostheta":
        for val, exc, msg in [(NAN, ValueError, "T must be finite"), (-0.1, ValueError, "T must be ≥ 0"),
                              ("x", TypeError, "T must be a number")]:
            case(f"{fname}-T={val!r}", functools.partial(f, T=val), err(exc, msg))
    else:
        case("dsigma_dcostheta-costheta=nan", functools.partial(f, costheta=NAN),
             err(ValueError, "costheta must be finite"))
case("d2sigma_dT_dphi-phi=nan", functools.partial(_ELECTRON["d2sigma_dT_dphi"], phi=NAN),
     err(ValueError, "phi must be finite"))
case("d2sigma_dT_dphi-phi_B=inf", functools.partial(_ELECTRON["d2sigma_dT_dphi"], phi_B=INF),
     err(ValueError, "phi_B must be finite"))
case("majorana-partner-same-flavor", lambda: ex.dsigma_dT(1.0, 0.2, kind="majorana", partner="nuebar"),
     err(ValueError, "partner must differ"))
case("majorana-partner-not-anti", lambda: ex.dsigma_dT(1.0, 0.2, kind="majorana", partner="numu"),
     err(ValueError, "partner"))
# documented results at the edge of the region: exactly 0 above T_max, at T = 0, for cosθ ≤ 0
_TM = float(kin.t_max(1.0, M_E))
case("dsigma_dT-one-ulp-above-Tmax", lambda: ex.dsigma_dT(1.0, np.nextafter(_TM, 2.0), 3.0, 0.5), zero)
case("dsigma_dT-T=0", lambda: ex.dsigma_dT(1.0, 0.0, 3.0, 0.5), zero)
case("dsigma_dT-enu=0", lambda: ex.dsigma_dT(0.0, 0.1, 3.0, 0.5), zero)
case("dsigma_dcostheta-backward", lambda: ex.dsigma_dcostheta(1.0, -0.5, 3.0), zero)

# --- density-matrix, nucleon and nucleus cross sections ------------------------------------------
_DM = lambda **k: electron_density_matrix_parts(k.pop("props", _props()), k.pop("state", _state()),  # noqa: E731
                                                k.pop("enu", 1.0), k.pop("T", 0.2), **k)
for arg, val, exc, msg in [("enu", NAN, ValueError, "enu must be finite"),
                           ("enu", "abc", TypeError, "enu must be a number"),
                           ("T", NAN, ValueError, "T must be finite"),
                           ("T", -1.0, ValueError, "T must be ≥ 0"),
                           ("sin2w", 1.5, ValueError, "sin2w"),
                           ("props", "mu", TypeError, "props must be an EMProperties"),
                           ("state", np.eye(2), TypeError, "state"),
                           ("antineutrino", "yes", TypeError, "antineutrino must be a bool"),
                           ("flavor", "nuebar", ValueError, "antineutrino")]:
    case(f"density_matrix-{arg}={val!r}"[:60], functools.partial(_DM, **{arg: val}), err(exc, msg))
case("density_matrix-N-mismatch", functools.partial(_DM, state=_state(3)), err(ValueError, "N = 3"))
case("density_matrix-one-ulp-above-Tmax", functools.partial(_DM, T=np.nextafter(_TM, 2.0)), zero)

_NUC = lambda **k: nucleus_parts(EMProperties.zero(1), k.pop("state", _state()), k.pop("enu", 10.0),  # noqa: E731
                                 k.pop("T", 1e-3), **k)
for arg, val, exc, msg in [("enu", NAN, ValueError, "enu must be finite"),
                           ("T", -1e-3, ValueError, "T must be ≥ 0"),
                           ("T", "a", TypeError, "T must be a number"),
                           ("nucleus", "Xe999", ValueError, "unknown nucleus 'Xe999'"),
                           ("antineutrino", 1, TypeError, "antineutrino must be a bool"),
                           ("sin2w", NAN, ValueError, "sin2w must be finite")]:
    case(f"nucleus-{arg}={val!r}", functools.partial(_NUC, **{arg: val}), err(exc, msg))
case("nucleus-above-Tmax", functools.partial(_NUC, T=1.0), zero)
_NUCLEON = lambda **k: nucleon_parts(EMProperties.zero(1), _state(), k.pop("enu", 10.0), k.pop("T", 0.01), **k)  # noqa: E731
for arg, val, exc, msg in [("enu", INF, ValueError, "enu must be finite"),
                           ("target", "q", ValueError, "unknown nucleon target"),
                           ("sin2w", -1.0, ValueError, "sin2w")]:
    case(f"nucleon-{arg}={val!r}", functools.partial(_NUCLEON, **{arg: val}), err(exc, msg))

# --- radiative ν e → ν e γ ---------------------------------------------------------------------
_D3 = lambda **k: d3sigma_dx_dy_dw(k.pop("x", 0.3), k.pop("y", 0.5), k.pop("w", 0.2), k.pop("enu", 1.0), **k)  # noqa: E731
for arg, val, exc, msg in [("x", NAN, ValueError, "x must be finite"), ("y", NAN, ValueError, "y must be finite"),
                           ("w", INF, ValueError, "w must be finite"), ("enu", 0.0, ValueError, "enu must be > 0"),
                           ("enu", NAN, ValueError, "enu must be finite"),
                           ("mu_1e11", NAN, ValueError, "mu_1e11 must be finite"),
                           ("sin2w", 5.0, ValueError, r"sin2w must lie in \[0, 1\]"),
                           ("x", "x", TypeError, "x must be a number")]:
    case(f"d3sigma_dx_dy_dw-{arg}={val!r}", functools.partial(_D3, **{arg: val}), err(exc, msg))
case("d3sigma_dx_dy_dw-outside", functools.partial(_D3, x=1.2), zero)
_LAB = lambda **k: d3sigma_dT_dEg_dcostheta(k.pop("T", 0.2), k.pop("eg", 0.2), k.pop("costheta", 0.5), 1.0, **k)  # noqa: E731
for arg, val, exc, msg in [("T", NAN, ValueError, "T must be finite"), ("eg", -0.1, ValueError, "eg must be ≥ 0"),
                           ("costheta", 1.5, ValueError, r"costheta must lie in \[-1, 1\]")]:
    case(f"d3sigma_lab-{arg}={val!r}", functools.partial(_LAB, **{arg: val}), err(exc, msg))
_INC = lambda **k: d2sigma_dx_dnu(k.pop("x", 0.3), k.pop("nu", 0.2), 1.0, **k)  # noqa: E731
for arg, val, exc, msg in [("x", NAN, ValueError, "x must be finite"), ("nu", NAN, ValueError, "nu must be finite"),
                           ("T_min", -1.0, ValueError, "T_min must be ≥ 0"),
                           ("eg_min", NAN, ValueError, "eg_min must be finite"),
                           ("sin2w", 5.0, ValueError, "sin2w")]:
    case(f"d2sigma_dx_dnu-{arg}={val!r}", functools.partial(_INC, **{arg: val}), err(exc, msg))
_REG = lambda **k: sigma_region(k.pop("enu", 1.0), **{"x_range": (0.0, 0.5), "nu_range": (0.0, 0.5), **k})  # noqa: E731
for arg, val, exc, msg in [("enu", NAN, ValueError, "enu must be finite"),
                           ("mu_1e11", NAN, ValueError, "mu_1e11 must be finite"),
                           ("sin2w", 5.0, ValueError, "sin2w"),
                           ("x_range", (0.5, 0.2), ValueError, "x_range"),
                           ("x_range", (NAN, 0.2), ValueError, "x_range"),
                           ("nu_range", (NAN, 0.5), ValueError, "nu_range"),
                           ("nu_range", (0.0, NAN), ValueError, "nu_range"),
                           ("nu_range", (0.0, "a"), TypeError, "nu_range"),
                           ("x_range", (0.0, 1.0), ValueError, "eg_min > 0")]:
    case(f"sigma_region-{arg}={val!r}", functools.partial(_REG, **{arg: val}), err(exc, msg))

# --- mixing matrix ------------------------------------------------------------------------------
for arg, val, msg in [("sin2_12", 1.5, r"sin2_12 must lie in \[0, 1\]"), ("sin2_12", -0.1, "sin2_12"),
                      ("sin2_13", NAN, "sin2_13 must be finite"), ("sin2_23", 2.0, "sin2_23"),
                      ("delta_deg", NAN, "delta_deg must be finite"),
                      ("alpha21_deg", INF, "alpha21_deg must be finite")]:
    case(f"pmns-{arg}={val!r}", functools.partial(pmns, **{arg: val}), err(ValueError, msg))

# --- kinematics helpers: documented 0 outside the region ----------------------------------------
for fname in ("cos_theta", "p_sin_theta", "dT_dcostheta"):
    case(f"kinematics-{fname}-T>Tmax", functools.partial(getattr(kin, fname), 0.9, 1.0, M_E), zero)
    case(f"kinematics-{fname}-T=nan", functools.partial(getattr(kin, fname), NAN, 1.0, M_E), zero)
case("kinematics-T_from_costheta-1.5", functools.partial(kin.T_from_costheta, 1.5, 1.0, M_E), zero)
case("kinematics-T_from_costheta-1-is-Tmax",
     lambda: float(kin.T_from_costheta(1.0, 1.0, M_E)) <= float(kin.t_max(1.0, M_E)),
     lambda v: v is True)
case("kinematics-cos_theta-at-Tmax-is-1",
     lambda: float(kin.cos_theta(kin.t_max(1.0, M_E), 1.0, M_E)), lambda v: abs(v - 1.0) < 1e-12)

# --- unit conversion -----------------------------------------------------------------------------
case("to_cm2-float32-no-underflow", lambda: to_cm2(jnp.asarray(2.4e-23, jnp.float32)),
     lambda v: v.dtype == np.float64 and 9e-45 < float(v) < 1e-44)
case("to_cm2-traced", lambda: jax.jit(to_cm2)(1.0), err(TypeError, "to_cm2 converts concrete"))

# --- rates: edges, spectra and parameters -------------------------------------------------------
_EC = lambda **k: rates.expected_counts(k.pop("spectra", _pp()), _det(), k.pop("T_edges", TE),  # noqa: E731
                                        k.pop("phi_edges", PHI), **k)
for arg, val, exc, msg in [
        ("spectra", "pp", TypeError, "expected Spectrum objects, got str"),
        ("T_edges", TE[::-1], ValueError, "T_edges must be strictly increasing"),
        ("T_edges", np.array([0.1, NAN, 0.3]), ValueError, "T_edges must be finite"),
        ("T_edges", np.array([0.1]), ValueError, "T_edges must be a 1-D array of ≥ 2"),
        ("T_edges", np.array([-0.1, 0.2]), ValueError, "T_edges must lie within"),
        ("T_edges", "abc", TypeError, "T_edges must be a number"),
        ("phi_edges", PHI[::-1], ValueError, "phi_edges must be strictly increasing"),
        ("phi_edges", np.array([0.0, NAN, 1.0]), ValueError, "phi_edges must be finite"),
        ("phi_edges", np.array([0.0]), ValueError, "phi_edges must be a 1-D array of ≥ 2"),
        ("cos_edges", np.array([0.0, 1.5]), ValueError, "cos_edges must lie within"),
        ("cos_edges", np.array([0.5, 0.2]), ValueError, "cos_edges must be strictly increasing"),
        ("mu_1e11", NAN, ValueError, "mu_1e11 must be finite"),
        ("pe", 1.5, ValueError, r"pe must lie in \[0, 1\]"),
        ("pe", NAN, ValueError, "pe must be finite"),
        ("sin2w", NAN, ValueError, "sin2w must be finite"),
        ("phi_B", NAN, ValueError, "phi_B must be finite"),
        ("target", "quark", ValueError, "quark")]:
    case(f"expected_counts-{arg}={val!r}"[:70], functools.partial(_EC, **{arg: val}), err(exc, msg))
for arg, val, msg in [("phi_edges", PHI[::-1], "phi_edges must be strictly increasing"),
                      ("phi_edges", np.array([0.0, NAN]), "phi_edges must be finite"),
                      ("phi_edges", np.array([1.0]), "phi_edges must be a 1-D array of ≥ 2"),
                      ("T_edges", np.array([0.1, NAN, 0.2, 0.3]), "T_edges must be finite"),
                      ("mu_1e11", NAN, "mu_1e11 must be finite")]:
    kw = dict(T_edges=TE, phi_edges=PHI, mu_1e11=3.0)
    kw[arg] = val
    case(f"combine-{arg}={val!r}"[:60],
         lambda kw=kw: rates.combine(_templates(), _det(), kw["T_edges"], kw["phi_edges"], kw["mu_1e11"]),
         err(ValueError, msg))
_DN = lambda **k: rates.dN_dT(_pp(), _det(), k.pop("T", np.array([0.1, 0.2])), **k)  # noqa: E731
for arg, val, msg in [("T", np.array([0.1, NAN]), "T must be finite"), ("T", -1.0, "T must be ≥ 0"),
                      ("mu_1e11", NAN, "mu_1e11 must be finite"), ("pe", NAN, "pe must be finite"),
                      ("sin2w", 3.0, "sin2w")]:
    case(f"dN_dT-{arg}={val!r}"[:60], functools.partial(_DN, **{arg: val}), err(ValueError, msg))
case("d2N_dT_dcostheta-costheta=2", lambda: rates.d2N_dT_dcostheta(_pp(), _det(), 0.1, 2.0),
     err(ValueError, r"costheta must lie in \[-1, 1\]"))
case("d2N_dT_dcostheta-T=nan", lambda: rates.d2N_dT_dcostheta(_pp(), _det(), NAN, 0.5),
     err(ValueError, "T must be finite"))
case("dN_dcostheta-T_max=nan", lambda: rates.dN_dcostheta(_pp(), _det(), 0.5, T_max=NAN),
     err(ValueError, "T_max must be finite"))
case("density_per_radian-T=nan", lambda: rates.density_per_radian(_pp(), _det(), NAN),
     err(ValueError, "T must be finite"))
_AZ = lambda **k: rates.azimuthal_coefficients(_pp(), k.pop("det", _det()), **k)  # noqa: E731
for arg, val, msg in [("mu_1e11", NAN, "mu_1e11 must be finite"), ("pe", 2.0, "pe must lie in"),
                      ("T_max", NAN, "T_max must be finite"), ("sin2w", NAN, "sin2w must be finite")]:
    case(f"azimuthal_coefficients-{arg}={val!r}", functools.partial(_AZ, **{arg: val}), err(ValueError, msg))
case("max_asymmetry-threshold-above-every-endpoint",
     lambda: rates.max_asymmetry(_AZ(det=_det(5.0), n_T=4, n_E=8, n_E_panels=2)), zero)
for fn, args in [("max_asymmetry", ()), ("differential_asymmetry", (0.3,)),
                 ("integrated_asymmetry", (0.3,)), ("asymmetry_vs_mu", (2.0,))]:
    case(f"{fn}-no-events-is-zero", functools.partial(getattr(rates, fn), (0.0, 0.0, 0.0), *args), zero)
case("mu_at_max_asymmetry-no-events-is-zero", functools.partial(rates.mu_at_max_asymmetry, (0.0, 0.0, 0.0)),
     lambda v: float(v[0]) == 0.0 and float(v[1]) == 0.0)
for coeff, msg in [((1.0, 0.0, 0.1), "n_em must be > 0"), ((0.0, 1.0, 0.1), "n_weak must be > 0"),
                   ((NAN, 1.0, 0.1), "n_weak must be finite"), ((1.0, -1.0, 0.1), "n_em must be ≥ 0"),
                   ((1.0, 1.0), "must be the triple")]:
    exc = TypeError if len(coeff) != 3 else ValueError
    case(f"mu_at_max_asymmetry-{coeff!r}", functools.partial(rates.mu_at_max_asymmetry, coeff), err(exc, msg))
case("asymmetry_vs_mu-mu=nan", lambda: rates.asymmetry_vs_mu((1.0, 1.0, 0.1), NAN),
     err(ValueError, "mu_1e11 must be finite"))
case("dN_dphi-phi=nan", lambda: rates.dN_dphi((1.0, 1.0, 0.1), NAN), err(ValueError, "phi must be finite"))
case("iso_ratio-T=nan", lambda: rates.iso_ratio(NAN, 0.5, 1.0), err(ValueError, "T must be finite"))
case("iso_ratio-costheta=2", lambda: rates.iso_ratio(0.1, 2.0, 1.0), err(ValueError, "costheta"))
case("region_integrals-C0=nan", lambda: rates.region_integrals(_pp(), NAN, 1.0), err(ValueError, "C0 must be finite"))
_DMC = lambda **k: rates.expected_counts_density_matrix(_pp(), _det(), k.pop("T_edges", TE), k.pop("phi_edges", PHI),  # noqa: E731
                                                        _props(), _state(), **k)
for arg, val, msg in [("phi_edges", PHI[::-1], "phi_edges must be strictly increasing"),
                      ("T_edges", np.array([0.1, NAN, 0.3]), "T_edges must be finite"),
                      ("sin2w", NAN, "sin2w must be finite")]:
    case(f"expected_counts_density_matrix-{arg}={val!r}"[:70], functools.partial(_DMC, **{arg: val}),
         err(ValueError, msg))
case("d2N_dT_dphi_density_matrix-T=nan",
     lambda: rates.d2N_dT_dphi_density_matrix(_pp(), _det(), NAN, _props(), _state()),
     err(ValueError, "T must be finite"))

# --- inference: models, parameters, data, toys --------------------------------------------------
for arg, val, msg in [("phi_edges", PHI[::-1], "phi_edges must be strictly increasing"),
                      ("phi_edges", np.array([0.0, NAN, 1.0]), "phi_edges must be finite"),
                      ("phi_edges", np.array([0.0]), "phi_edges must be a 1-D array of ≥ 2"),
                      ("T_edges", np.array([0.1, NAN, 0.3]), "T_edges must be finite")]:
    kw = dict(T_edges=TE, phi_edges=PHI)
    kw[arg] = val
    case(f"build_model-{arg}={val!r}"[:60], lambda kw=kw: ib.build_model(_pp(), _det(), kw["T_edges"], kw["phi_edges"]),
         err(ValueError, msg))
for name, val, exc, msg in [("mu_1e11", NAN, ValueError, "parameter 'mu_1e11' must be finite"),
                            ("mu_1e11", INF, ValueError, "parameter 'mu_1e11' must be finite"),
                            ("phi_B", NAN, ValueError, "parameter 'phi_B' must be finite"),
                            ("norm", NAN, ValueError, "parameter 'norm' must be finite"),
                            ("eff_scale", "a", TypeError, "parameter 'eff_scale' must be a number"),
                            ("pe", 1.5, ValueError, "'pe' must be a probability"),
                            ("banana", 1.0, ValueError, "unknown parameter name")]:
    case(f"log_likelihood-{name}={val!r}",
         lambda name=name, val=val: _model().log_likelihood({name: val}, _model().expected({})),
         err(exc, msg))
case("log_likelihood-data-nan", lambda: _model().log_likelihood({}, np.full(_model().bin_shape, NAN)),
     err(ValueError, "data must be finite"))
case("log_likelihood-data-negative", lambda: _model().log_likelihood({}, -np.ones(_model().bin_shape)),
     err(ValueError, "data must be non-negative"))
case("log_likelihood-data-shape", lambda: _model().log_likelihood({}, np.ones(3)), err(ValueError, "data has shape"))
for name in ("norm", "eff_scale", "bkg_scale"):
    case(f"toy_data-negative-{name}",
         lambda name=name: ib.toy_data(jax.random.PRNGKey(0), _model(), {name: -1.0}),
         err(ValueError, f"parameter '{name}' must be ≥ 0"))
case("toy_data-nan-mu", lambda: ib.toy_data(jax.random.PRNGKey(0), _model(), {"mu_1e11": NAN}),
     err(ValueError, "parameter 'mu_1e11' must be finite"))


def test_sweep_size():
    """The sweep covers at least 110 API cases."""
    assert len(CASES) >= 110


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("fn, expected", CASES)
def test_bad_input(fn, expected):
    if isinstance(expected, tuple):
        _, exc, match = expected
        with pytest.raises(exc, match=match):
            fn()
    else:
        assert expected(fn())
