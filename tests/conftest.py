pytest_plugins = ["tests.fixtures_models", "tests.fixtures_app"]
