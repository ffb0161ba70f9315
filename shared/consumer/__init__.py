"""Consumer runner and projection writer."""
