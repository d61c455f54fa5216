from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Item analysis of quizzes taken in a course: no tables of its own, it reads responses
    through courses.selectors and computes with the pure functions of analytics.statistics."""

    name = "analytics"
