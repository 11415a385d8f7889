"""Setlists: ordered scores for a concert."""
