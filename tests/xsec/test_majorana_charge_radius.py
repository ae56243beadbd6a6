"""Majorana charge radius and anapole in the density-matrix cross sections (nujax.em).

A Majorana neutrino has an antisymmetric (imaginary) ⟨r²⟩ and a symmetric (real) a; a ν_L feels
Q^L = c(⟨r²⟩/6 − a) (seed 002 eq. (14)), the Majorana ν̄ states −(Q^L)ᵀ. Hence: the Majorana
SM preset (anapole only, a = −⟨r²⟩_D/3) scatters ν_e e exactly like the Dirac SM (⟨r²⟩_D,
a = −⟨r²⟩_D/6), its ν̄_R like the active ν̄_R of a Dirac ν̄ beam; a Dirac ν_L with (⟨r²⟩, a)
equals a Majorana ν_L with (0, a − ⟨r²⟩/6); the Majorana basis change keeps the cross section.
"""

import numpy as np
import pytest

from nujax import kinematics as kin
from nujax.constants import M_E
from nujax.em import EMProperties, to_mass_basis
from nujax.state import SpinFlavorState, state_to_mass_basis
from nujax.xsec import electron_density_matrix as eg
from nujax.xsec import nucleus as nc

ENUS = (0.4, 2.0, 10.0)                                     # MeV
FRACTIONS = np.array([1e-3, 0.1, 0.5, 0.95])                # T / T_max
TN = np.array([1e-3, 5e-3, 2e-2])                           # Ar recoil [MeV] at Eν = 30 MeV


def _electron_A(props, state, antineutrino=False):
    out = []
    for e in ENUS:
        T = FRACTIONS * float(kin.t_max(e, M_E, xp=np))
        out.append(np.asarray(eg.electron_density_matrix_parts(props, state, e, T,
                                                                antineutrino=antineutrino).A))
    return np.concatenate(out)


def test_majorana_sm_anapole_only_equals_dirac_sm():
    """ν_e e: Majorana SM (⟨r²⟩ = 0, a = −⟨r²⟩_D/3) = Dirac SM with the anapole, to 1e-12 at
    12 (Eν, T); the SM radius is visible (≥ 1e-3 of the cross section at some point)."""
    dirac = EMProperties.sm_charge_radii()
    maj = EMProperties.sm_charge_radii(majorana=True)
    nue = SpinFlavorState.left_handed("nue")
    a, b = _electron_A(dirac, nue), _electron_A(maj, nue)
    np.testing.assert_allclose(b, a, rtol=1e-12)
    weak = _electron_A(EMProperties.zero(), nue)
    assert np.max(np.abs(a / weak - 1.0)) > 1e-3
    # ν̄_e (the R states of a Majorana ν): the active ν̄_R of a Dirac ν̄ beam, −(Q^L_D)ᵀ
    nueb = SpinFlavorState.right_handed("nuebar")
    np.testing.assert_allclose(_electron_A(maj, nueb), _electron_A(dirac, nueb, antineutrino=True),
                               rtol=1e-12)


@pytest.mark.parametrize("flavor", ["nue", "numu"])
def test_dirac_radius_equals_majorana_anapole(flavor):
    """Dirac ν_L with (⟨r²⟩, a) on the diagonal = Majorana ν_L with (0, a − ⟨r²⟩/6): ν e and
    CEνNS on Ar-40, to 1e-12; a Majorana a = a_D alone would differ."""
    r2, a = np.diag([-3.0, 2.0, 0.5]), np.diag([0.4, -0.7, 0.2])      # 10⁻³² cm²
    dirac = EMProperties.create(r2=r2, anapole=a)
    maj = EMProperties.create(anapole=a - r2 / 6.0, majorana=True)
    wrong = EMProperties.create(anapole=a, majorana=True)
    s = SpinFlavorState.left_handed(flavor)
    np.testing.assert_allclose(_electron_A(maj, s), _electron_A(dirac, s), rtol=1e-12)
    assert np.max(np.abs(_electron_A(wrong, s) / _electron_A(dirac, s) - 1.0)) > 1e-3
    cd = nc.nucleus_parts(dirac, s, 30.0, TN, nucleus="Ar40").A
    cm = nc.nucleus_parts(maj, s, 30.0, TN, nucleus="Ar40").A
    np.testing.assert_allclose(np.asarray(cm), np.asarray(cd), rtol=1e-12)


def test_majorana_radius_and_anapole_in_the_mass_basis():
    """Majorana transition ⟨r²⟩ and a real symmetric a with μ: the mass-basis matrices of
    :func:`nujax.em.to_mass_basis` and the Majorana state rotation give the flavor-basis ν e
    cross section (all three azimuthal parts) to 1e-10, for a state with both helicities."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 3))
    props = EMProperties.create(mu=3j * (x - x.T), r2=[[0, 4j, 1j], [-4j, 0, -2j], [-1j, 2j, 0]],
                                anapole=np.diag([1.0, -2.0, 0.5]) + 0.3, majorana=True)
    g = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    rho = g @ g.conj().T
    s = SpinFlavorState.create(rho / np.trace(rho).real)
    pm, sm = to_mass_basis(props).validate(), state_to_mass_basis(s, majorana=True)
    T = FRACTIONS * float(kin.t_max(2.0, M_E, xp=np))
    f = eg.electron_density_matrix_parts(props, s, 2.0, T)
    m = eg.electron_density_matrix_parts(pm, sm, 2.0, T)
    for u, v in zip(m, f):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-10,
                                   atol=1e-10 * float(np.max(np.asarray(f.A))))
