"""Interventions (the lines of the Piano), their link to accepted proposals and former Ambiti, and their progress."""
