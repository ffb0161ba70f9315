"""The Ambito profile: name, region, comuni (ISTAT codes, population), capofila, ente gestore, ASL district."""
