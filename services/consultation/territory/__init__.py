"""The Ambito's territory (comuni, population), replicated from the registry's profile events."""
