from tests.redis_fixtures import grader_workers, redis_url  # noqa: F401 - fixtures
