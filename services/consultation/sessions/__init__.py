"""Sessions of a consultation table: invitations, registrations, the attendance register and the minutes."""
