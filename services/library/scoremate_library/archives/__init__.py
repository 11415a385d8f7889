"""Whole-library archives (issue 15): the library's part of an export, and an import's scores and setlists."""
