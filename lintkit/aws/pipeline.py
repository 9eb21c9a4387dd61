"""Checks for pipeline documents."""
