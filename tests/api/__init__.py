"""Tests of api/: the LibreTranslate and OpenAI APIs with real clients."""
