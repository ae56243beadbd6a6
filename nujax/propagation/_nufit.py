"""NuFIT 6.0 mass splittings shared by the propagation modules (re-exported by
:mod:`nujax.propagation.msw` as ``NUFIT60_NO_DM2``; the mixing angles are :data:`nujax.em.NUFIT60_NO`)."""

#: NuFIT 6.0 normal-ordering best-fit splittings [eV²] (I. Esteban et al., JHEP 12 (2024) 216,
#: with SK atmospheric data): Δm²21 = 7.49e-5, Δm²31 = +2.513e-3.
NUFIT60_NO_DM2: dict = {"dm2_21": 7.49e-5, "dm2_31": 2.513e-3}
