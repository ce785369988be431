"""Outputs for people: figures, the HTML report and its provenance section."""
