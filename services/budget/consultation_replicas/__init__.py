"""Replicas of consultation's tables, needs and cronoprogramma milestones, for the Piano's chapters (issue 10 item 9)."""
