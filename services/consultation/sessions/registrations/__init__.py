"""Registrations to a session, with a seat limit and a waiting list."""
