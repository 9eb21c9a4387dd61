"""Taint tracking: untrusted input reaching dangerous sinks (PIV rules)."""
