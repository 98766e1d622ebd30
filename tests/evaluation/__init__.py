"""Tests of evaluation/: test sets, metrics, significance."""
