from django.urls import path

from analytics import report_views, views

urlpatterns = [
    path(
        "teach/<slug:slug>/quizzes/<slug:quiz_slug>/analysis/",
        views.quiz_analysis,
        name="quiz_analysis",
    ),
    path(
        "teach/<slug:slug>/quizzes/<slug:quiz_slug>/analysis.csv",
        views.quiz_analysis_csv,
        name="quiz_analysis_csv",
    ),
    path(
        "teach/<slug:slug>/misconceptions/",
        views.course_misconceptions,
        name="course_misconceptions",
    ),
    path(
        "teach/<slug:slug>/misconceptions/over-time/",
        report_views.report,
        name="misconception_report",
    ),
    path(
        "teach/<slug:slug>/misconceptions/over-time.csv",
        report_views.report_csv,
        name="misconception_report_csv",
    ),
]
