pytest_plugins = ["tests.fixtures_models", "tests.fixtures_app", "tests.fixtures_reliability",
                  "tests.fixtures_servers", "tests.fixtures_session", "tests.backend_counts"]
