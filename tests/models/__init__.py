"""Tests of models/: engines, loading, presets, the llama.cpp worker."""
