"""Credentials pasted into CI/CD configuration (CRD rules)."""
