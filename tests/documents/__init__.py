"""Tests of documents/: each format read into segments and written back with its structure kept."""
