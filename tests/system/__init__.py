"""Tests of the whole app: crashes, bad input, a Space, CI, the layout rules."""
