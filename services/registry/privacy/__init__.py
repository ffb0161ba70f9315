"""Personal data: the access log, erasure requests. People's data never leaves the registry database."""
