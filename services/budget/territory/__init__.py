"""The territory replica: the Ambito's comuni and population from the registry's profile events."""
