"""Checks for cloudformation documents."""
