"""Helpers for files that people open in spreadsheets (domain-free)."""
