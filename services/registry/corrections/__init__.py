"""Correction requests: a representative asks the office to correct its organisation's register data."""
