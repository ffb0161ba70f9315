"""Consultation: tavoli tematici, sessions, attendance, needs and proposals (FASE 2)."""
SERVICE = "consultation"
