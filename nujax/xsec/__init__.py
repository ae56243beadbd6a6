"""Cross sections: neutrino–electron (seeds 000/001/002), nucleon and nucleus (seed 002), radiative (seed 004)."""
