"""Tests of training/: CPO training."""
