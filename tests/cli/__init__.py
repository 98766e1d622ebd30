"""Tests of cli/: the terminal commands."""
