"""Contributions to the consultation: needs (bisogni), proposals (proposte) and their evaluation."""
