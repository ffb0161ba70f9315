"""The replica of accepted proposals: what interventions answer, from consultation's events."""
