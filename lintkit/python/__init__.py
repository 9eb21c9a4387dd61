"""The Python analyzer: resource leaks, taint (input validation) and security
detectors, on astroid trees."""
