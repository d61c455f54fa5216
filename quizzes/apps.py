from django.apps import AppConfig
from django.core import checks


class QuizzesConfig(AppConfig):
    name = "quizzes"

    def ready(self) -> None:
        from quizzes import lookups  # noqa: F401 - registers IntegerFieldIn
        from quizzes.checks import check_key_python_version

        checks.register(check_key_python_version)
        from quizzes import versions

        versions.connect_signals()  # a course's pin (quizzes/versions.py) is cached
        from quizzes import footer_versions

        footer_versions.connect_signals()  # so are the footer's versions
