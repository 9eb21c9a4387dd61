"""Checks for appspec documents."""
