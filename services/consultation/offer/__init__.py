"""The map of services (mappatura dell'offerta): what organisations offer on the territory."""
