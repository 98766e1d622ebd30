"""Tests of chat/: the session layer (session, pipeline, feedback), partly on the fake engine."""
