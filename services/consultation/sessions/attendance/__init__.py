"""The attendance register of a session (names of attendees: personal data)."""
