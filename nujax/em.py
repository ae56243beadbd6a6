"""Neutrino electromagnetic properties as a pytree: magnetic moments, charge radii, anapoles, millicharges.

:class:`EMProperties` holds four N×N matrices over the neutrino flavor (or mass) states, N = 1 or 3,
in fit-friendly units:

* ``mu``          — magnetic-moment matrix μ in units of 10⁻¹¹ μ_B (complex);
* ``r2``          — charge-radius matrix ⟨r²⟩ in units of 10⁻³² cm²;
* ``anapole``     — anapole matrix a in units of 10⁻³² cm²;
* ``millicharge`` — electric-charge matrix q_ν in units of 10⁻¹² e (:data:`MILLICHARGE_SCALE`;
  diagonal: millicharges, off-diagonal: transition millicharges); optional in the constructor
  (default zero);

and two static choices, ``majorana`` (Dirac or Majorana neutrinos) and ``basis`` ("flavor" or
"mass"). The helpers :func:`mu_bohr`, :func:`mu_natural`, :func:`r2_natural`,
:func:`anapole_natural` and :func:`millicharge_e` convert to the units the cross-section formulas use.

Conventions (seed 002)
----------------------
* Index convention of μ: μ_ij is the amplitude matrix of the helicity flip ν_jR → ν_iL; the flip
  ν_L → ν_R then goes with μ†. For the allowed matrices (Dirac Hermitian; Majorana purely imaginary
  antisymmetric in the flavor basis) μ = μ†, so seed 002's K = Tr[μ κ†] (eq. (14)) is unambiguous.
* Majorana moment matrices are antisymmetric (no diagonal moments); in the CP-conserving case with
  real flavor-basis couplings they are also purely imaginary (Giunti & Studenikin, Rev. Mod. Phys.
  87 (2015) 531, sec. III).
* Majorana charge matrices: the vector form factors f_Q, f_M, f_E of Majorana neutrinos are
  antisymmetric and the axial (anapole) f_A is symmetric (Giunti & Studenikin 2015, the Majorana
  form factors; B. Kayser, PRD 26 (1982) 1662; J. F. Nieves, PRD 26 (1982) 3152). ⟨r²⟩ is the q²
  term of f_Q (below), so ⟨r²⟩ is antisymmetric like q_ν, and a is symmetric; with Hermiticity
  ⟨r²⟩ and q_ν are purely imaginary and a is real (Hermitian and antisymmetric is imaginary,
  Hermitian and symmetric real). Derivation: for a self-conjugate field ν = ν_L + (ν_L)^c, C gives
  ν̄_i γ^μ ν_j = −ν̄_j γ^μ ν_i and ν̄_i γ^μγ₅ ν_j = +ν̄_j γ^μγ₅ ν_i, so only the antisymmetric
  vector and symmetric axial parts of a vertex survive (the matrices here are defined by their
  Q^L, so the factor 2 by which the ν_L and (ν_L)^c pieces of a Majorana vertex add does not
  enter). A massless ν_L
  feels only the Hermitian matrix Q^L = c(⟨r²⟩/6 − a) (next bullet), and the Majorana ν̄
  (right-handed) states Q^R = −(Q^L)ᵀ (:mod:`nujax.xsec.nucleon`); every Hermitian Q^L/c splits
  uniquely into an imaginary antisymmetric part (⟨r²⟩/6) and a real symmetric one (−a):
  ⟨r²⟩_M = 6i Im(Q^L/c), a_M = −Re(Q^L/c) (:func:`majorana_radius_anapole`). In particular a
  Majorana neutrino has no diagonal charge radius: its diagonal effect on ν_L is the anapole's; a
  Dirac ν_L with (⟨r²⟩, a) scatters like a Majorana ν_L with (0, a − ⟨r²⟩/6) on the diagonal. With
  these symmetries −(Q^L)ᵀ = c(⟨r²⟩/6 + a), the Dirac Q^R formula, for the Majorana ν̄ states too.
  :meth:`EMProperties.validate` checks all four Majorana symmetries.
* The charge radius enters the left-handed vector coupling as Q^L = (2√2πα/G_F)(⟨r²⟩/6 − a)
  (seed 002 eq. (14)); its sign convention is seed 002's (footnote 1), opposite to Bernabéu et al.
* Charge form factor (Giunti & Studenikin, Rev. Mod. Phys. 87 (2015) 531, the neutrino charge form
  factor and its expansion; the vertex seed 002's Q^L comes from): f_Q(q²) = q_ν + q²⟨r²⟩/6 + …, q² = −Q² < 0 the squared four-momentum
  transfer (Q² = 2 m T on a target of mass m at rest). The photon exchange gives f_Q(q²)/q², so the
  millicharge enters Q^L exactly where ⟨r²⟩/6 does, as ⟨r²⟩/6 → ⟨r²⟩/6 − q_ν/Q²
  (:mod:`nujax.xsec.nucleon`). It is a vector coupling: the same for both helicities (Q^R too),
  C-odd like ⟨r²⟩. Majorana neutrinos have antisymmetric charge matrices (no diagonal millicharge
  and no diagonal charge radius; Giunti & Studenikin 2015, Majorana form factors).
* Charge-radius normalisation: Q^L = (2√2πα/G_F)⟨r²⟩/6 shifts g_V by √2πα/(3G_F)·⟨r²⟩
  (``nujax.xsec.nucleon.Q_FACTOR``/6 per unit ⟨r²⟩). The convention of P. Vogel and J. Engel,
  PRD 39 (1989) 3378, used by TEXONO (M. Deniz et al., PRD 81 (2010) 072001) and others, is
  sin²θ_W → sin²θ_W + √2πα/(3G_F)·⟨r²⟩, i.e. g_V = ±½ + 2 sin²θ_W shifts by 2√2πα/(3G_F)·⟨r²⟩:
  twice nujax's shift for the same number. The same physics has ⟨r²⟩_nujax = 2 ⟨r²⟩_VE
  (:func:`charge_radius_from_vogel_engel`, :func:`charge_radius_to_vogel_engel`).
* Basis change (flavor → mass): |ν_α⟩ = Σ_i U*_αi |ν_i⟩, so left-handed amplitudes transform as
  ψ_m = U† ψ_f and operators as U† X U. Majorana right-handed states are antineutrinos,
  ψ_m = Uᵀ ψ_f, so the transition matrix (R → L) transforms as U† μ U*. For Majorana ⟨r²⟩ and a
  only Q^L = c(⟨r²⟩/6 − a) transforms as U† Q^L U; a complex U mixes its imaginary antisymmetric
  and real symmetric parts, so :func:`to_mass_basis` splits the rotated Q^L again
  (:func:`majorana_radius_anapole`): the same couplings, valid matrices in the new basis. A Majorana
  q_ν has no axial partner to absorb such a symmetric part: U† q_ν U stays antisymmetric only for a
  real U (CP conservation), the case the flavor-basis check assumes; with the default (complex)
  :func:`pmns` the rotated Majorana q_ν is refused by the mass-basis check.

Validation happens eagerly on concrete input (:meth:`EMProperties.validate`, called by the
factories and the public cross sections); the dataclass constructor itself does not validate, so
that JAX can rebuild the pytree from gradients and tracers.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import check_finite, check_probability, is_concrete
from nujax.constants import G_F, HBARC2_MEV2_CM2, MU_B, MU_SCALE, R2_SCALE_CM2
from nujax.couplings import parse_flavor

__all__ = [
    "EMProperties",
    "MILLICHARGE_SCALE",
    "millicharge_e",
    "pmns",
    "NUFIT60_NO",
    "mu_bohr",
    "mu_natural",
    "r2_natural",
    "anapole_natural",
    "sm_charge_radii_cm2",
    "majorana_radius_anapole",
    "MAJORANA_ANTISYMMETRIC",
    "majorana_diagonal_error",
    "to_mass_basis",
    "to_flavor_basis",
    "charge_radius_from_vogel_engel",
    "charge_radius_to_vogel_engel",
]

# --- constants used by the presets only ------------------------------------------------------
#: W-boson mass [MeV]; PDG 2024 world average 80.3692(133) GeV.
M_W_MEV: float = 80369.2
#: Charged-lepton masses [MeV]; PDG 2024 (CODATA 2022 for e, μ).
M_LEPTON_MEV: tuple = (0.51099895069, 105.6583755, 1776.93)

#: NuFIT 6.0 (2024) best fit, normal ordering, with SK atmospheric data: I. Esteban,
#: M. C. Gonzalez-Garcia, M. Maltoni, T. Schwetz, A. Zhou, JHEP 12 (2024) 216 [arXiv:2410.05380].
NUFIT60_NO: dict = {"sin2_12": 0.308, "sin2_13": 0.02215, "sin2_23": 0.470, "delta_deg": 212.0}


#: Millicharge scale: the ``millicharge`` matrix is q_ν / (10⁻¹² e), the order of the reactor
#: ν e scattering sensitivities reviewed by Giunti & Studenikin, RMP 87 (2015) 531 (fit parameters
#: O(1), house rule; CEνNS probes ~10⁻⁸ e, i.e. entries ~10⁴).
MILLICHARGE_SCALE: float = 1.0e-12


def _tol(x) -> float:
    """Absolute tolerance for symmetry checks, relative to the matrix scale and its precision."""
    a = np.asarray(x)
    eps = 1e-5 if a.dtype in (np.float32, np.complex64) else 1e-9
    return eps * max(1.0, float(np.max(np.abs(a))) if a.size else 1.0)


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class EMProperties:
    """Neutrino electromagnetic properties (a registered pytree; see the module docstring).

    Parameters
    ----------
    mu : array (N, N) complex
        Magnetic-moment matrix [10⁻¹¹ μ_B]. Dirac: Hermitian. Majorana: antisymmetric (and purely
        imaginary in the flavor basis).
    r2 : array (N, N)
        Charge-radius matrix ⟨r²⟩ [10⁻³² cm²], Hermitian; seed 002 sign convention (footnote 1).
        Majorana: antisymmetric, purely imaginary (transition radii only; the diagonal effect of a
        charge radius on ν_L is the anapole's, :func:`majorana_radius_anapole`).
    anapole : array (N, N)
        Anapole matrix a [10⁻³² cm²], Hermitian. Majorana: symmetric (real).
    millicharge : array (N, N), optional
        Charge matrix q_ν [10⁻¹² e] (:data:`MILLICHARGE_SCALE`), Hermitian; Majorana:
        antisymmetric (transition millicharges only). Default (None): zero, with the real dtype
        of ``r2``.
    majorana : bool, static
        Majorana (True) or Dirac (False) neutrinos.
    basis : {"flavor", "mass"}, static
        Basis of the matrices (and of the states they are used with).
    """

    mu: jax.Array
    r2: jax.Array
    anapole: jax.Array
    millicharge: jax.Array = None
    majorana: bool = dataclasses.field(default=False, metadata=dict(static=True))
    basis: str = dataclasses.field(default="flavor", metadata=dict(static=True))

    def __post_init__(self):
        # existing three-matrix constructions keep working: a missing millicharge is zero (one
        # pytree structure for every instance, so gradients always carry a millicharge leaf)
        if self.millicharge is None and isinstance(self.r2, (jax.Array, np.ndarray)) \
                and np.ndim(self.r2) == 2:
            xp = np if isinstance(self.r2, np.ndarray) else jnp
            object.__setattr__(self, "millicharge", xp.zeros_like(xp.real(self.r2)))

    @property
    def n_flavors(self) -> int:
        """Number of neutrino states N (1 or 3)."""
        return int(jnp.shape(self.mu)[-1])

    # ---- validation -------------------------------------------------------------------------
    def validate(self) -> "EMProperties":
        """Raise ``ValueError`` for invalid concrete matrices; a no-op under tracing. Returns self.

        Checks: basis name, shapes N×N with N ∈ {1, 3}, finiteness, Hermitian ⟨r²⟩, a and q_ν, for μ
        the Dirac (Hermitian) or Majorana (antisymmetric; purely imaginary in the flavor basis)
        symmetry, and for Majorana q_ν and ⟨r²⟩ antisymmetric (no diagonal millicharge or charge
        radius; purely imaginary, being Hermitian) and a symmetric (real): module docstring.
        """
        if self.basis not in ("flavor", "mass"):
            raise ValueError(f"basis must be 'flavor' or 'mass', got {self.basis!r}")
        if not is_concrete((self.mu, self.r2, self.anapole, self.millicharge)):
            return self
        mats = {"mu": self.mu, "r2": self.r2, "anapole": self.anapole,
                "millicharge": self.millicharge}
        n = None
        for name, m in mats.items():
            a = np.asarray(m)
            if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] not in (1, 3):
                raise ValueError(f"{name} must be an N×N matrix with N = 1 or 3, got shape {a.shape}")
            if n is not None and a.shape[0] != n:
                raise ValueError(f"mu, r2, anapole and millicharge must have the same size N; "
                                 f"{name} has {a.shape[0]}")
            n = a.shape[0]
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{name} must be finite, got a NaN or infinite entry")
        for name in ("r2", "anapole", "millicharge"):
            a = np.asarray(mats[name])
            if np.max(np.abs(a - a.conj().T)) > _tol(a):
                raise ValueError(f"the {name} matrix must be Hermitian")
        if self.majorana:                                 # Giunti & Studenikin (2015), Majorana
            self._validate_majorana_charges()
        mu = np.asarray(self.mu)
        tol = _tol(mu)
        if self.majorana:
            if np.max(np.abs(np.diag(mu))) > tol:
                raise ValueError("Majorana μ has a diagonal: Majorana neutrinos have only transition "
                                 "moments (μ must be antisymmetric)")
            if np.max(np.abs(mu + mu.T)) > tol:
                raise ValueError("Majorana μ must be antisymmetric (μᵀ = −μ)")
            if self.basis == "flavor" and np.max(np.abs(mu.real)) > tol:
                raise ValueError("Majorana μ must be purely imaginary in the flavor basis "
                                 "(CP-conserving case)")
        elif np.max(np.abs(mu - mu.conj().T)) > tol:
            raise ValueError("Dirac μ must be Hermitian (μ† = μ)")
        return self

    def _validate_majorana_charges(self):
        """Majorana q_ν and ⟨r²⟩ antisymmetric (vector), a symmetric (axial); module docstring."""
        q = np.asarray(self.millicharge)
        if np.max(np.abs(q + q.T)) > _tol(q):
            raise ValueError("Majorana millicharge must be antisymmetric (transition millicharges "
                             "only; Giunti & Studenikin, RMP 87 (2015) 531)")
        r2 = np.asarray(self.r2)
        if np.max(np.abs(np.diag(r2))) > _tol(r2):
            raise ValueError("Majorana r2 has a diagonal: a Majorana neutrino has no diagonal charge "
                             "radius (f_Q antisymmetric); its diagonal effect on ν_L is the anapole's, "
                             "a → a − ⟨r²⟩/6 (nujax.em.majorana_radius_anapole)")
        if np.max(np.abs(r2 + r2.T)) > _tol(r2):
            raise ValueError("Majorana r2 must be antisymmetric (transition charge radii only, purely "
                             "imaginary; the symmetric part of ⟨r²⟩/6 − a is the anapole's: "
                             "nujax.em.majorana_radius_anapole)")
        a = np.asarray(self.anapole)
        if np.max(np.abs(a - a.T)) > _tol(a):
            raise ValueError("Majorana anapole must be symmetric (real; f_A of a Majorana neutrino is "
                             "symmetric, its antisymmetric part is a transition charge radius: "
                             "nujax.em.majorana_radius_anapole)")

    # ---- factories --------------------------------------------------------------------------
    @classmethod
    def create(cls, mu=None, r2=None, anapole=None, millicharge=None, *, n: int = 3,
               majorana: bool = False, basis: str = "flavor", dtype=None) -> "EMProperties":
        """Build and validate from array-likes; missing matrices are zero. ``mu`` becomes complex;
        ``r2``, ``anapole`` and ``millicharge`` [10⁻¹² e] stay real unless given complex
        (off-diagonal Hermitian entries).

        >>> p = EMProperties.create(mu=[[2.0]], n=1)
        >>> p.n_flavors, p.mu.dtype.kind
        (1, 'c')
        """
        if mu is not None:
            n = np.shape(mu)[-1]
        rdt = jnp.zeros(()).dtype if dtype is None else jnp.dtype(dtype)
        cdt = jnp.result_type(rdt, jnp.complex64)

        def mat(x, dt):
            if x is None:
                return jnp.zeros((n, n), dt)
            return jnp.asarray(x, cdt if np.iscomplexobj(x) else dt)   # complex Hermitian kept

        props = cls(mat(mu, cdt), mat(r2, rdt), mat(anapole, rdt), mat(millicharge, rdt),
                    majorana=bool(majorana), basis=basis)
        return props.validate()

    @classmethod
    def zero(cls, n: int = 3, majorana: bool = False, basis: str = "flavor") -> "EMProperties":
        """No electromagnetic properties (the Standard Model at tree level)."""
        return cls.create(n=n, majorana=majorana, basis=basis)

    @classmethod
    def from_effective(cls, mu_1e11, flavor="nue", *, n: int = 3, r2=None,
                       anapole=None, millicharge=None) -> "EMProperties":
        """A single diagonal Dirac moment μ_ℓℓ = ``mu_1e11`` ×10⁻¹¹ μ_B for the flavor ``flavor``.

        This is the "effective moment" of seed 000/001 (one flavor, Dirac). For ``n = 1`` the flavor
        only labels the state. ``mu_1e11`` may be a traced scalar.

        >>> EMProperties.from_effective(3.0, "numu").mu.real.tolist()[1][1]
        3.0
        """
        f = parse_flavor(flavor)
        if f.is_antineutrino:
            f = f.conjugate
        if n not in (1, 3):
            raise ValueError(f"n must be 1 or 3, got {n}")
        e = jnp.zeros((n, n)).at[0 if n == 1 else f.index, 0 if n == 1 else f.index].set(1.0)
        props = cls.create(n=n, r2=r2, anapole=anapole, millicharge=millicharge)
        return dataclasses.replace(props, mu=(jnp.asarray(mu_1e11) * e).astype(props.mu.dtype))

    @classmethod
    def majorana_transition(cls, mu_1e11, flavors=("nue", "numu"), *,
                            basis: str = "flavor") -> "EMProperties":
        """Three-flavor Majorana transition moment μ_αβ = −μ_βα = i·``mu_1e11`` (seed 000 eqs. (7)–(10)).

        >>> EMProperties.majorana_transition(1.0).mu[0, 1]
        Array(0.+1.j, dtype=complex128)
        """
        a, b = (parse_flavor(f).index for f in flavors)
        if a == b:
            raise ValueError("Majorana μ has a diagonal: a transition moment needs two different flavors")
        base = cls.create(n=3, majorana=True, basis=basis)
        m = jnp.zeros((3, 3), base.mu.dtype).at[a, b].set(1j).at[b, a].set(-1j)
        return dataclasses.replace(base, mu=jnp.asarray(mu_1e11) * m)

    @classmethod
    def minimal_dirac_moment(cls, m_nu_eV, *, r2=None, anapole=None) -> "EMProperties":
        """Mass-basis diagonal Dirac moments of the minimally extended SM, μ_i = 3.2·10⁻¹⁹ μ_B (m_i/eV).

        seed 004 eq. (1) (Fujikawa & Shrock, PRL 45 (1980) 963): μ = 3 e G_F m_ν/(8√2 π²); the
        coefficient is recomputed here from G_F and μ_B (3.20·10⁻¹⁹ μ_B per eV).
        ``m_nu_eV`` is a scalar (N = 1) or three masses [eV].

        >>> p = EMProperties.minimal_dirac_moment([0.0, 0.0086, 0.05])
        >>> round(float(p.mu[2, 2].real) * 1e-11 / 0.05, 21)
        3.2e-19
        """
        m = jnp.atleast_1d(jnp.asarray(m_nu_eV, dtype=float))
        n = m.shape[0]
        if n not in (1, 3):
            raise ValueError(f"give 1 or 3 neutrino masses, got {n}")
        # μ/μ_B = 3 G_F m_e m_ν / (4√2 π²)  (e/(2m_e) = μ_B); m_ν in MeV
        per_ev = 3.0 * G_F * 0.51099895069 * 1e-6 / (4.0 * math.sqrt(2.0) * math.pi ** 2)
        props = cls.create(n=n, r2=r2, anapole=anapole, basis="mass")
        mu = jnp.diag(m * per_ev / MU_SCALE).astype(props.mu.dtype)
        return dataclasses.replace(props, mu=mu)

    @classmethod
    def sm_charge_radii(cls, *, sign_convention: str = "seed002", with_anapole: bool = True,
                        mu=None, n: int = 3, majorana: bool = False) -> "EMProperties":
        """Flavor-diagonal SM charge radii and anapoles, seed 002 eqs. (18)–(19).

        ⟨r²_ℓℓ⟩ = ∓ G_F/(4√2π²) [3 − 2 ln(m_ℓ²/M_W²)] (Bernabéu et al., PRD 62 (2000) 113012;
        seed 002 refs. [17, 18, 20]) evaluated with PDG masses: 4.14, 2.40, 1.48 ×10⁻³³ cm² in
        magnitude, i.e. seed 002 eq. (18)'s 4.1, 2.4, 1.5. ``sign_convention="seed002"`` (default)
        gives them negative as in seed 002 (footnote 1); ``"bernabeu"`` positive. The anapoles are
        a_ℓℓ = −⟨r²_ℓℓ⟩/6 (seed 002 eq. (19)) unless ``with_anapole=False``. For ``n = 1`` the ν_e
        entry is used. ``mu`` optionally sets the magnetic matrix [10⁻¹¹ μ_B].

        Normalisation (the factor 2 between references, settled here by derivation): the SM vertex
        of a massless ν_L is γ^μ(1 − γ₅)F(q²), i.e. equal vector and axial parts; seed 002 splits it
        into ⟨r²⟩ and a = −⟨r²⟩/6, and the left-handed coupling Q^L = c(⟨r²⟩/6 − a) (seed 002
        eq. (14)) then carries ⟨r²⟩/3 = 2⟨r²⟩/6. The *effective* radius of a ν_L, the quantity that
        shifts g_V by √2πα⟨r²⟩_eff/(3G_F), is therefore ⟨r²⟩ − 6a = 2⟨r²⟩ =
        −G_F/(2√2π²)[3 − 2 ln(m_ℓ²/M_W²)] = −8.28, −4.80, −2.97 ×10⁻³³ cm²: the values quoted in
        the Giunti–Studenikin / Cadeddu et al. convention, and the flavor splitting of the
        radiatively corrected couplings :data:`nujax.nuclei.NUCLEON_COUPLINGS_RC` (tests, 1 %).
        With ``with_anapole=False`` only half of the SM effect remains. The radiatively corrected
        weak charges (``weak_charges="radiative"``, the default of the nuclear kernels) already
        contain these pieces: add the SM radii only on top of ``weak_charges="tree"``.

        ``majorana=True``: a Majorana neutrino has no diagonal charge radius (module docstring), so
        the whole SM effect sits in the anapole, ⟨r²⟩ = 0 and a = a_D − ⟨r²⟩_D/6 on the diagonal
        (= −⟨r²⟩_D/3 with the anapole, −⟨r²⟩_D/6 without; :func:`majorana_radius_anapole` of the
        Dirac values). Q^L, hence every ν_L cross section, equals the Dirac one. The right-handed
        (ν̄) states of a Majorana neutrino feel Q^R = −(Q^L)ᵀ = c a = −c⟨r²⟩_D/3 (with the anapole):
        exactly the active ν̄_R of a Dirac ν̄ beam (``antineutrino=True``, Q = −(Q^L_D)ᵀ), the CP
        image of ν_L. The Dirac R states of a ν beam are sterile ν_R with
        Q^R_D = c(⟨r²⟩_D/6 + a_D) = 0 for the SM vertex (with the anapole); a Majorana state has no
        such component (tests/xsec/test_majorana_charge_radius.py).

        >>> p = EMProperties.sm_charge_radii()
        >>> [round(float(x), 2) for x in jnp.diag(p.r2) * 10]    # in 10⁻³³ cm²
        [-4.14, -2.4, -1.48]
        """
        r2 = sm_charge_radii_cm2(sign_convention)[:n] / R2_SCALE_CM2
        a = -r2 / 6.0 if with_anapole else jnp.zeros(n)            # seed 002 eq. (19)
        r2, a = jnp.diag(r2), jnp.diag(a)
        if majorana:                                                 # same Q^L, ⟨r²⟩ = 0
            r2, a = majorana_radius_anapole(r2, a)
            r2 = r2.real                                             # 0: diagonal input
        return cls.create(mu=mu, r2=r2, anapole=a, n=n, majorana=majorana)


def sm_charge_radii_cm2(sign_convention: str = "seed002"):
    """SM ⟨r²_ℓℓ⟩ for ℓ = e, μ, τ [cm²] (seed 002 eq. (18)); see :meth:`EMProperties.sm_charge_radii`."""
    if sign_convention not in ("seed002", "bernabeu"):
        raise ValueError(f"sign_convention must be 'seed002' or 'bernabeu', got {sign_convention!r}")
    gf_cm2 = G_F * HBARC2_MEV2_CM2                                   # G_F [cm²]
    mag = [gf_cm2 / (4.0 * math.sqrt(2.0) * math.pi ** 2) * (3.0 - 2.0 * math.log((m / M_W_MEV) ** 2))
           for m in M_LEPTON_MEV]                                     # Bernabéu et al. (2000)
    sign = -1.0 if sign_convention == "seed002" else 1.0             # seed 002 footnote 1
    return jnp.asarray([sign * x for x in mag])


#: The EMProperties matrices that are antisymmetric (transition entries only) for Majorana
#: neutrinos: the vector form factors μ (f_M), q_ν and ⟨r²⟩ (f_Q); the anapole is symmetric
#: (module docstring).
MAJORANA_ANTISYMMETRIC = ("mu", "millicharge", "r2")


def majorana_diagonal_error(matrix: str, i: int, j: int, majorana: bool):
    """Why the (i, j) entry of ``matrix`` cannot be a parameter, or None when it can: a diagonal
    entry of a Majorana antisymmetric matrix (:data:`MAJORANA_ANTISYMMETRIC`). The one message
    behind the refusals of EM-entry models and of ``[global]`` configurations.

    >>> majorana_diagonal_error("r2", 0, 0, True).split(":")[0]
    'a Majorana r2 matrix is antisymmetric'
    >>> majorana_diagonal_error("anapole", 0, 0, True) is None
    True
    """
    if not (majorana and matrix in MAJORANA_ANTISYMMETRIC and i == j):
        return None
    hint = (f"; its diagonal effect on ν_L is the anapole's, a − ⟨r²⟩/6: use [\"anapole\", {i}, "
            f"{j}] (an 'anapole' entry)" if matrix == "r2" else "")
    return f"a Majorana {matrix} matrix is antisymmetric: no diagonal entries{hint}"


def majorana_radius_anapole(r2, anapole):
    """The Majorana (⟨r²⟩, a) with the same left-handed coupling Q^L = c(⟨r²⟩/6 − a) as (r2, anapole).

    A massless ν_L feels only the Hermitian Q^L/c = ⟨r²⟩/6 − a (seed 002 eq. (14)). For Majorana
    neutrinos ⟨r²⟩ is antisymmetric (imaginary) and a symmetric (real) (module docstring), and
    every Hermitian Q^L/c = Re + i Im splits uniquely so: ⟨r²⟩_M = 6i Im(Q^L/c), a_M = −Re(Q^L/c).
    For diagonal (⟨r²⟩, a) that is (0, a − ⟨r²⟩/6). Any units (the same for both); any basis;
    differentiable; ⟨r²⟩_M is complex.

    >>> r2, a = majorana_radius_anapole(jnp.diag(jnp.array([-6.0, 0, 0])), jnp.diag(jnp.array([1.0, 0, 0])))
    >>> float(jnp.abs(r2).max()), float(a[0, 0])
    (0.0, 2.0)
    """
    c = jnp.asarray(r2) / 6.0 - jnp.asarray(anapole)                  # Q^L / c, seed 002 eq. (14)
    return 6.0j * jnp.imag(c), -jnp.real(c)


# --- unit helpers ----------------------------------------------------------------------------
def mu_bohr(props: EMProperties):
    """μ in Bohr magnetons (dimensionless), as it enters seed 002 eqs. (14), (25)."""
    return props.mu * MU_SCALE


def mu_natural(props: EMProperties):
    """μ in natural units [MeV⁻¹] (μ_B = e/2m_e, Heaviside–Lorentz)."""
    return props.mu * (MU_SCALE * MU_B)


def r2_natural(props: EMProperties):
    """⟨r²⟩ [MeV⁻²]."""
    return props.r2 * (R2_SCALE_CM2 / HBARC2_MEV2_CM2)


def anapole_natural(props: EMProperties):
    """Anapole a [MeV⁻²]."""
    return props.anapole * (R2_SCALE_CM2 / HBARC2_MEV2_CM2)


def millicharge_e(props: EMProperties):
    """Millicharge matrix q_ν in units of the elementary charge e (dimensionless)."""
    return props.millicharge * MILLICHARGE_SCALE


# --- mixing ----------------------------------------------------------------------------------
def pmns(sin2_12=NUFIT60_NO["sin2_12"], sin2_13=NUFIT60_NO["sin2_13"],
         sin2_23=NUFIT60_NO["sin2_23"], delta_deg=NUFIT60_NO["delta_deg"], alpha21_deg=0.0,
         alpha31_deg=0.0):
    """PMNS matrix U_αi (rows e, μ, τ; columns 1, 2, 3), PDG parametrization (PDG 2024, eq. 14.33).

    Defaults: NuFIT 6.0 normal-ordering best fit (:data:`NUFIT60_NO`). The Majorana phases
    α21, α31 enter as diag(1, e^{iα21/2}, e^{iα31/2}) on the right. Differentiable in all angles.

    >>> U = pmns()
    >>> bool(jnp.allclose(U @ U.conj().T, jnp.eye(3), atol=1e-6))
    True
    """
    for name, v in (("sin2_12", sin2_12), ("sin2_13", sin2_13), ("sin2_23", sin2_23)):
        check_probability(name, v)                                    # sin²θ ∈ [0, 1]
    for name, v in (("delta_deg", delta_deg), ("alpha21_deg", alpha21_deg), ("alpha31_deg", alpha31_deg)):
        check_finite(name, v)
    s12, s13, s23 = (jnp.sqrt(jnp.asarray(x, float)) for x in (sin2_12, sin2_13, sin2_23))
    c12, c13, c23 = (jnp.sqrt(1.0 - s * s) for s in (s12, s13, s23))
    ed = jnp.exp(1j * jnp.deg2rad(jnp.asarray(delta_deg, float)))
    U = jnp.array([
        [c12 * c13, s12 * c13, s13 / ed],
        [-s12 * c23 - c12 * s23 * s13 * ed, c12 * c23 - s12 * s23 * s13 * ed, s23 * c13],
        [s12 * s23 - c12 * c23 * s13 * ed, -c12 * s23 - s12 * c23 * s13 * ed, c23 * c13],
    ])
    maj = jnp.exp(0.5j * jnp.deg2rad(jnp.asarray([0.0, alpha21_deg, alpha31_deg], float)))
    return U * maj[None, :]


def _rotate(props: EMProperties, U, basis: str) -> EMProperties:
    def op(x):
        return U.conj().T @ x @ U
    mu = U.conj().T @ props.mu @ U.conj() if props.majorana else op(props.mu)
    r2, a = op(props.r2), op(props.anapole)
    if props.majorana:                                   # U† Q^L U split again (module docstring)
        r2, a = majorana_radius_anapole(r2, a)
    return dataclasses.replace(props, mu=mu, r2=r2, anapole=a,
                               millicharge=op(props.millicharge), basis=basis)


def to_mass_basis(props: EMProperties, U=None) -> EMProperties:
    """Flavor → mass basis: X → U†XU for ⟨r²⟩, a, q_ν and Dirac μ (Majorana μ → U†μU*, and
    Majorana (⟨r²⟩, a) from U†Q^L U by :func:`majorana_radius_anapole`); ``U`` defaults to
    :func:`pmns`."""
    if props.basis == "mass":
        return props
    if props.n_flavors != 3:
        raise ValueError("basis changes need N = 3")
    return _rotate(props, pmns() if U is None else U, "mass")


def to_flavor_basis(props: EMProperties, U=None) -> EMProperties:
    """Mass → flavor basis (inverse of :func:`to_mass_basis`)."""
    if props.basis == "flavor":
        return props
    if props.n_flavors != 3:
        raise ValueError("basis changes need N = 3")
    U = pmns() if U is None else U
    return _rotate(props, U.conj().T, "flavor")


# --- charge-radius conventions ---------------------------------------------------------------
def charge_radius_from_vogel_engel(r2_vogel_engel):
    """nujax ⟨r²⟩ equivalent to a Vogel–Engel ⟨r²⟩ (same units): ×2 (module docstring).

    Vogel & Engel (PRD 39 (1989) 3378): sin²θ_W → sin²θ_W + √2πα⟨r²⟩/(3G_F), so g_V moves by
    2√2πα⟨r²⟩/(3G_F); nujax (seed 002 eq. (14)) moves g_V by √2πα⟨r²⟩/(3G_F).

    >>> charge_radius_from_vogel_engel(1.5)
    3.0
    """
    return 2.0 * r2_vogel_engel


def charge_radius_to_vogel_engel(r2):
    """Vogel–Engel ⟨r²⟩ equivalent to a nujax ⟨r²⟩ (same units): ÷2 (inverse of
    :func:`charge_radius_from_vogel_engel`)."""
    return 0.5 * r2
