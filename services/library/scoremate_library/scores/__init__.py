"""Scores: metadata, tags, search."""
