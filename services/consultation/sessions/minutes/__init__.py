"""Minutes (verbale) of a session: numbered versions, drafted, approved, corrected."""
