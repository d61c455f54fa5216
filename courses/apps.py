from django.apps import AppConfig


class CoursesConfig(AppConfig):
    """Courses, sections, rosters, per-section times, accommodations and the gradebook. It
    depends on quizzes and content; quizzes reaches it only through quizzes.hooks."""

    name = "courses"

    def ready(self) -> None:
        from courses.hooks import CourseHooks
        from quizzes import hooks

        hooks.install(CourseHooks())
