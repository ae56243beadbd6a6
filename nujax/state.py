"""Spin-flavor density matrix of an ultrarelativistic neutrino (seed 002 eqs. (4)–(8)).

:class:`SpinFlavorState` holds ρ, a (2N)×(2N) complex Hermitian, positive, unit-trace matrix acting
on the basis {(ν₁ᴿ … ν_Nᴿ), (ν₁ᴸ … ν_Nᴸ)} — right-handed block first (seed 002 eq. (8)). In blocks,

    ρ = ½ [[ρ̃ + ζ∥,  ζˣ − iζʸ],
           [ζˣ + iζʸ, ρ̃ − ζ∥ ]]  = ½ (ρ̃ 𝟙 + ζ·σ̂),

so ρ̃ = ρ_RR + ρ_LL (Tr ρ̃ = 1), ζ∥ = ρ_RR − ρ_LL, and κ = ½(ζˣ + iζʸ) = ρ_LR (the lower-left block,
rows ν_L, columns ν_R). The extraction of seed 002 eq. (8) prints ρ̃ + ζ∥ in both diagonal blocks;
the second must read ρ̃ − ζ∥ (otherwise ρ = ½(ρ̃𝟙 + ζ·σ̂) fails and ζ∥ drops out). With eq. (6),
ρ = ½ k̸ (1 − ζ∥γ₅ + …), a left-handed neutrino has ζ∥ = −1: it sits in the lower block.

Amplitudes ψ = (ψ_R, ψ_L) give ρ_ab = ψ_a ψ_b*, so for a single flavor κ = ψ_L ψ_R* and the transverse
polarization ζ⊥ = 2|κ| points at azimuth φ_B = arg κ (seed 000's ξ⊥, |ξ⊥| = 2√(Pe(1 − Pe))).
For Majorana neutrinos the right-handed states are the antineutrinos (ν̄_αR in the flavor basis).
A Dirac antineutrino beam uses the same layout for the particles of the conjugate field ν^c: the
active ν̄_αR in the R block and the spin-flipped, sterile ν̄_αL = (ν_αR)^c in the L block (index
``_index(ℓ̄, N, anti=True)`` in both); the cross sections take it with ``antineutrino=True``
(:mod:`nujax.xsec.electron_density_matrix`, "Dirac antineutrino beams").

Validation (Hermitian, unit trace, positive semidefinite) is eager on concrete values
(:meth:`SpinFlavorState.validate`, called by the constructors and public cross sections) and uses
numpy, so no eigen-decomposition ever enters a gradient.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from nujax._validation import check_finite, check_probability, is_concrete
from nujax.kinematics import _safe_sqrt
from nujax.couplings import parse_flavor

__all__ = ["SpinFlavorState", "state_to_mass_basis", "state_to_flavor_basis"]


def _tol(a) -> float:
    eps = 1e-5 if np.asarray(a).dtype in (np.float32, np.complex64) else 1e-9
    return eps


def _cdtype():
    return jnp.result_type(jnp.zeros(()).dtype, jnp.complex64)


def _index(flavor, n: int, *, anti: bool) -> int:
    """Flavor index in an N-state model (N = 1: always 0); checks neutrino/antineutrino."""
    f = parse_flavor(flavor)
    if f.is_antineutrino != anti:
        kind = "an antineutrino" if anti else "a neutrino"
        raise ValueError(f"expected {kind} flavor here, got {f.value}")
    if n not in (1, 3):
        raise ValueError(f"n must be 1 or 3, got {n}")
    return 0 if n == 1 else f.index


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class SpinFlavorState:
    """Spin-flavor density matrix ρ [(…, 2N, 2N) complex], basis (ν_R block, ν_L block).

    The constructor does not validate (JAX rebuilds pytrees from tracers and gradients); use the
    classmethods, or call :meth:`validate`.
    """

    rho: jax.Array

    # ---- blocks (seed 002 eq. (8)) ----------------------------------------------------------
    @property
    def n_flavors(self) -> int:
        return int(jnp.shape(self.rho)[-1]) // 2

    @property
    def rho_RR(self):
        """Right-handed block ½(ρ̃ + ζ∥)."""
        n = self.n_flavors
        return self.rho[..., :n, :n]

    @property
    def rho_LL(self):
        """Left-handed block ½(ρ̃ − ζ∥)."""
        n = self.n_flavors
        return self.rho[..., n:, n:]

    @property
    def kappa(self):
        """κ = ½(ζˣ + iζʸ) = ρ_LR, the lower-left block (seed 002 eq. (14))."""
        n = self.n_flavors
        return self.rho[..., n:, :n]

    @property
    def rho_tilde(self):
        """Reduced flavor density matrix ρ̃ = ρ_RR + ρ_LL (Tr ρ̃ = 1; seed 002 eq. (7))."""
        return self.rho_RR + self.rho_LL

    @property
    def zeta_par(self):
        """Longitudinal polarization matrix ζ∥ = ρ_RR − ρ_LL (−1 for a left-handed neutrino)."""
        return self.rho_RR - self.rho_LL

    @property
    def zeta_x(self):
        """ζˣ = κ + κ† (Hermitian)."""
        k = self.kappa
        return k + jnp.swapaxes(k.conj(), -1, -2)

    @property
    def zeta_y(self):
        """ζʸ = −i(κ − κ†) (Hermitian)."""
        k = self.kappa
        return -1j * (k - jnp.swapaxes(k.conj(), -1, -2))

    # ---- validation -------------------------------------------------------------------------
    def validate(self) -> "SpinFlavorState":
        """Raise ``ValueError`` unless ρ is (2N)×(2N) (N = 1, 3), Hermitian, of unit trace and
        positive semidefinite; a no-op under tracing. Returns self."""
        if not is_concrete(self.rho):
            return self
        r = np.asarray(self.rho)
        if r.ndim < 2 or r.shape[-1] != r.shape[-2] or r.shape[-1] not in (2, 6):
            raise ValueError(f"rho must be (…, 2N, 2N) with N = 1 or 3, got shape {r.shape}")
        if not np.all(np.isfinite(r)):
            raise ValueError("rho must be finite, got a NaN or infinite entry")
        tol = _tol(r)
        rh = np.swapaxes(r.conj(), -1, -2)
        if np.max(np.abs(r - rh)) > tol:
            raise ValueError("rho must be Hermitian (ρ† = ρ)")
        tr = np.trace(r, axis1=-2, axis2=-1)
        if np.max(np.abs(tr - 1.0)) > tol:
            raise ValueError(f"rho must have unit trace, got Tr ρ = {complex(np.ravel(tr)[0])!r}")
        ev = np.linalg.eigvalsh(0.5 * (r + rh))               # numpy, eager only: no gradient
        if np.min(ev) < -tol:
            raise ValueError(f"rho must be positive semidefinite, smallest eigenvalue {np.min(ev)!r}")
        return self

    # ---- constructors -----------------------------------------------------------------------
    @classmethod
    def create(cls, rho) -> "SpinFlavorState":
        """From a (2N)×(2N) matrix in the basis (ν_R block, ν_L block); validated."""
        return cls(jnp.asarray(rho, dtype=jnp.result_type(jnp.asarray(rho).dtype, jnp.complex64))).validate()

    @classmethod
    def from_amplitude(cls, psi) -> "SpinFlavorState":
        """Pure state ρ = ψψ†/ψ†ψ from a 2N-component amplitude ψ = (ψ_R…, ψ_L…).

        >>> s = SpinFlavorState.from_amplitude([1.0, 1.0])      # one flavor, ν_R + ν_L
        >>> float(abs(s.kappa[0, 0]))                           # |ζ⊥| = 2|κ| = 1
        0.5
        """
        psi = jnp.asarray(psi)
        psi = psi.astype(jnp.result_type(psi.dtype, jnp.complex64))
        if psi.ndim != 1 or psi.shape[0] not in (2, 6):
            raise ValueError(f"psi must have 2N = 2 or 6 components, got shape {psi.shape}")
        norm2 = jnp.vdot(psi, psi).real
        if is_concrete(norm2) and not float(norm2) > 0:
            raise ValueError("psi must be a nonzero finite amplitude")
        return cls(jnp.outer(psi, psi.conj()) / norm2).validate()

    @classmethod
    def from_components(cls, rho_tilde, zeta_par=None, zeta_x=None, zeta_y=None) -> "SpinFlavorState":
        """ρ = ½(ρ̃𝟙 + ζ·σ̂) from the N×N blocks of seed 002 eq. (8) (missing ζ's are zero)."""
        rt = jnp.asarray(rho_tilde)
        z = jnp.zeros_like(rt)
        zp, zx, zy = (z if x is None else jnp.asarray(x) for x in (zeta_par, zeta_x, zeta_y))
        top = jnp.concatenate([rt + zp, zx - 1j * zy], axis=-1)
        bot = jnp.concatenate([zx + 1j * zy, rt - zp], axis=-1)
        return cls.create(0.5 * jnp.concatenate([top, bot], axis=-2))

    @classmethod
    def unpolarized(cls, n: int = 3) -> "SpinFlavorState":
        """Fully unpolarized and flavor-incoherent: ρ = 𝟙/(2N) (ρ̃ = 𝟙/N, ζ = 0)."""
        if n not in (1, 3):
            raise ValueError(f"n must be 1 or 3, got {n}")
        return cls(jnp.eye(2 * n, dtype=_cdtype()) / (2 * n))

    @classmethod
    def left_handed(cls, flavor="nue", n: int = 3) -> "SpinFlavorState":
        """Pure left-handed flavor state ν_ℓL (ζ∥ = −1): the Standard-Model beam."""
        i = _index(flavor, n, anti=False)
        return cls(jnp.zeros((2 * n, 2 * n), _cdtype()).at[n + i, n + i].set(1.0))

    @classmethod
    def right_handed(cls, flavor="nuebar", n: int = 3) -> "SpinFlavorState":
        """Pure right-handed state (ζ∥ = +1): the antineutrino ν̄_ℓR (Majorana, or Dirac with
        ``antineutrino=True`` in the cross sections) or the sterile ν_R (Dirac, ν beam).

        Give an antineutrino flavor (the right-handed block of a ν̄ beam holds the active ν̄'s).
        """
        i = _index(flavor, n, anti=True)
        return cls(jnp.zeros((2 * n, 2 * n), _cdtype()).at[i, i].set(1.0))

    @classmethod
    def transverse(cls, flavor="nue", n: int = 3, phi_B=0.0) -> "SpinFlavorState":
        """Fully transversely polarized (ζ∥ = 0, |ζ⊥| = 1) along azimuth ``phi_B`` [rad].

        ``flavor`` a neutrino flavor: the pure state (ν_ℓR e^{−iφ_B} + ν_ℓL)/√2. ``flavor=None``:
        flavor-incoherent mixture of such states, ρ̃ = 𝟙/N, κ = e^{iφ_B} 𝟙/(2N) — seed 002's
        "completely transversely polarized" beam.
        """
        check_finite("phi_B", phi_B)
        ph = jnp.exp(1j * jnp.asarray(phi_B))
        if flavor is None:
            if n not in (1, 3):
                raise ValueError(f"n must be 1 or 3, got {n}")
            e = jnp.eye(n, dtype=_cdtype()) / n
            return cls.from_components(e, zeta_x=e * ph.real, zeta_y=e * ph.imag)
        return cls.from_pe_dirac(0.5, phi_B, flavor=flavor, n=n)

    @classmethod
    def from_pe_dirac(cls, pe, phi_B=0.0, flavor="nue", n: int = 3) -> "SpinFlavorState":
        """Dirac spin flip ν_ℓL → ν_ℓR with survival probability ``pe`` (seed 000 eqs. (4)–(6)).

        ψ_L = √Pe, ψ_R = √(1 − Pe) e^{−iφ_B} on flavor ℓ: ρ_LL = Pe, κ = √(Pe(1 − Pe)) e^{iφ_B}, so
        |ζ⊥| = 2√(Pe(1 − Pe)) = seed 000's |ξ⊥| at azimuth φ_B. Differentiable in Pe and φ_B
        (the square roots are guarded; at Pe ∈ {0, 1} the gradient of |ζ⊥| is set to 0).

        An antineutrino ``flavor`` gives the Dirac ν̄ beam (module docstring): the active ν̄_ℓR with
        probability Pe, ψ_R = √Pe, and the sterile ν̄_ℓL, ψ_L = √(1 − Pe) e^{iφ_B}, so again
        κ = √(Pe(1 − Pe)) e^{iφ_B} (spin polarization ξ⊥ at φ_B, ξ∥ = 2Pe − 1); use it with
        ``antineutrino=True`` in the cross sections.

        >>> s = SpinFlavorState.from_pe_dirac(0.5, n=1)
        >>> float(s.zeta_x[0, 0].real), float(s.zeta_par[0, 0].real)
        (1.0, 0.0)
        >>> float(SpinFlavorState.from_pe_dirac(0.8, flavor="nuebar", n=1).rho_RR[0, 0].real)
        0.8
        """
        check_probability("pe", pe)
        check_finite("phi_B", phi_B)
        anti = parse_flavor(flavor).is_antineutrino
        i = _index(flavor, n, anti=anti)
        if anti:
            return cls(_two_level(1.0 - jnp.asarray(pe, dtype=jnp.zeros(()).dtype), phi_B, n, i, i))
        return cls(_two_level(pe, phi_B, n, i, i))

    @classmethod
    def from_pe_majorana(cls, pe, phi_B=0.0, flavor="nue", partner=None, n: int = 3) -> "SpinFlavorState":
        """Majorana spin-flavor flip ν_ℓL → ν̄_ℓ'R (seed 000 eqs. (7)–(10)), P_ℓ̄' = 1 − Pe.

        ψ_L = √Pe on ℓ, ψ_R = √(1 − Pe) e^{−iφ_B} on ℓ' (default partner ν̄_μ for ν_e, else ν̄_e), so
        |ζ⊥| = 2√(Pe P_μ̄) (seed 000 eq. (10)). Needs N = 3 (a transition connects two flavors).
        """
        check_probability("pe", pe)
        check_finite("phi_B", phi_B)
        if n != 3:
            raise ValueError("a Majorana transition state needs n = 3 flavors")
        i = _index(flavor, n, anti=False)
        if partner is None:
            partner = "numubar" if i == 0 else "nuebar"
        j = _index(partner, n, anti=True)
        if j == i:
            raise ValueError("a Majorana transition ν_ℓL → ν̄_ℓ'R needs a partner of another flavor")
        return cls(_two_level(pe, phi_B, n, i, j))


def _two_level(pe, phi_B, n, i_left, j_right):
    """ρ for ψ_L = √Pe e_i, ψ_R = √(1 − Pe) e^{−iφ_B} e_j, built without a square root at 0."""
    pe = jnp.asarray(pe, dtype=jnp.zeros(()).dtype)
    k = _safe_sqrt(jnp, pe * (1.0 - pe))                                       # |κ|, double-where
    kap = k * jnp.exp(1j * jnp.asarray(phi_B))
    r = jnp.zeros((2 * n, 2 * n), _cdtype())
    r = r.at[n + i_left, n + i_left].set(pe).at[j_right, j_right].set(1.0 - pe)
    return r.at[n + i_left, j_right].set(kap).at[j_right, n + i_left].set(kap.conj())


def _block_unitary(U, majorana: bool, antineutrino: bool = False):
    """W with ψ_mass = W† ψ_flavor: diag(U, U) (Dirac ν), diag(U*, U) (Majorana: ν̄ in the R block)
    or diag(U*, U*) (Dirac ν̄ beam: |ν̄_α⟩ = Σ_i U_αi |ν̄_i⟩ in both blocks)."""
    z = jnp.zeros_like(U)
    ur = U.conj() if (majorana or antineutrino) else U
    ul = U.conj() if (antineutrino and not majorana) else U
    return jnp.block([[ur, z], [z, ul]])


def state_to_mass_basis(state: SpinFlavorState, U=None, *, majorana: bool = False,
                        antineutrino: bool = False) -> SpinFlavorState:
    """ρ_mass = W† ρ W (see :func:`_block_unitary`); ``U`` defaults to :func:`nujax.em.pmns`.

    ``antineutrino``: ``state`` is a Dirac ν̄ beam (module docstring); no effect for Majorana."""
    from nujax.em import pmns

    W = _block_unitary(pmns() if U is None else U, majorana, antineutrino)
    return SpinFlavorState(W.conj().T @ state.rho @ W)


def state_to_flavor_basis(state: SpinFlavorState, U=None, *, majorana: bool = False,
                          antineutrino: bool = False) -> SpinFlavorState:
    """Inverse of :func:`state_to_mass_basis`."""
    from nujax.em import pmns

    W = _block_unitary(pmns() if U is None else U, majorana, antineutrino)
    return SpinFlavorState(W @ state.rho @ W.conj().T)
