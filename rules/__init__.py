"""lintkit's rule metadata (one TOML file per rule), JSON Schemas and models.

Installed as the package `lintkit._rules`; this file only makes it one.
"""
