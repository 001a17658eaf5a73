"""Field-by-field extraction evaluation: trafilatura vs warta generic vs warta site rules."""
