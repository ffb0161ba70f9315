"""Reporting: regional read models built from every service's events."""
SERVICE = "reporting"
CONSUMER = "pdz-reporting-projections"
