"""Consultation tables (tavoli tematici, the plenary, tavoli permanenti) and their members."""
