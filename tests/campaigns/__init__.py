"""Tests of campaigns/: preference campaigns, their command and page."""
