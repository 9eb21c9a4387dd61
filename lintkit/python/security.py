"""Security detectors that need no dataflow (PSC rules)."""
