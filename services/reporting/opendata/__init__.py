"""The region's open data: the DCAT-AP_IT catalogue (JSON-LD, RDF/XML, Turtle) and the open statistics (issue 11, 3b)."""
