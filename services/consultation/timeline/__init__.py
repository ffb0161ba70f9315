"""The cronoprogramma: the Piano's phases and milestones, planned and actual dates, lateness."""
