"""Logging, tracing and metrics setup shared by every service."""
