"""The documents an Ufficio di Piano needs: the plan's financial tables (XLSX) and the Piano Sociale di Zona (PDF/A)."""
