"""Neutrino sources: the :class:`Spectrum` pytree and its quadrature, and the physics spectra
(solar, artificial, reactor, supernova, pion decay at rest)."""

from nujax.sources.spectrum import Spectrum, continuum_spectrum, fold, gauss_legendre, line_spectrum

__all__ = ["Spectrum", "continuum_spectrum", "fold", "gauss_legendre", "line_spectrum"]
