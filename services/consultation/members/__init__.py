"""Members known through events: the replica of the Ambito's stakeholder register and its rules."""
