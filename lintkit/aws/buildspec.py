"""Checks for buildspec documents."""
