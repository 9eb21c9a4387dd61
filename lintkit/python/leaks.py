"""Resource leaks: resources not released on every path (PRL rules)."""
