"""Public calls (avvisi pubblici per manifestazione di interesse): draft → published → closed."""
