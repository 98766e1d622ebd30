"""Tests of web/: the page: handlers, Chromium tests, isolation, load."""
