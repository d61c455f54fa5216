from tests.redis_fixtures import redis_url  # noqa: F401 - a fixture
