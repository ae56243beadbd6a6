"""Neutrino sources: the :class:`Spectrum` pytree and its quadrature, and the physics spectra
(solar, artificial, reactor, supernova, pion decay at rest). ``get_source(name)`` is the registry."""

from nujax.sources.spectrum import ArrivalContent, Spectrum, as_spectra, continuum_nodes, continuum_spectrum, fold, gauss_legendre, line_spectrum
from nujax.sources.catalog import SOURCE_NAMES, get_source, spectrum_from_table
from nujax.sources.solar import B16_GS98, solar_component, solar_flux_uncertainties, solar_spectra
from nujax.sources.artificial import flux_at_distance, line_source, sr90_y90_spectra
from nujax.sources.reactor import fission_rate, reactor_spectrum
from nujax.sources.supernova import pinched_spectrum, supernova_spectra
from nujax.sources.accelerator import E_NU_MU_PROMPT, pidar_spectra
from nujax.sources.beta import beta_shape, beta_spectrum, fermi_function

__all__ = [
    "Spectrum", "ArrivalContent", "as_spectra", "continuum_nodes", "continuum_spectrum", "fold", "gauss_legendre", "line_spectrum",
    "SOURCE_NAMES", "get_source", "spectrum_from_table",
    "B16_GS98", "solar_component", "solar_flux_uncertainties", "solar_spectra",
    "flux_at_distance", "line_source", "sr90_y90_spectra",
    "fission_rate", "reactor_spectrum",
    "pinched_spectrum", "supernova_spectra",
    "E_NU_MU_PROMPT", "pidar_spectra",
    "beta_shape", "beta_spectrum", "fermi_function",
]
