"""Speed, memory and request-count figures (``make bench``), printed as JSON."""
