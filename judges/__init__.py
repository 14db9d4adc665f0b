"""Judges: protocols (pairwise, single, checklist), position strategies, parsers and templates."""
