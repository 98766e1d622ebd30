import pytest

pytest_plugins = ["tests.fixtures_models", "tests.fixtures_app", "tests.fixtures_reliability",
                  "tests.fixtures_servers", "tests.fixtures_session", "tests.backend_counts"]


def _resetting(method):
    """``monkeypatch.setenv``/``delenv`` that also forget the settings read so far, so a test
    that changes a HINTMT_* variable sees it (the app reads its environment once)."""
    def changed(self, *args, **kwargs):
        from models.environment import reset

        method(self, *args, **kwargs)
        reset()
    return changed


pytest.MonkeyPatch.setenv = _resetting(pytest.MonkeyPatch.setenv)
pytest.MonkeyPatch.delenv = _resetting(pytest.MonkeyPatch.delenv)


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Each test starts from the settings of its environment (and monkeypatch's undo)."""
    from models.environment import reset

    reset()
    yield
    reset()
