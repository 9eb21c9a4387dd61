"""The Python checks lintkit runs: one module per analysis, gathered here."""
