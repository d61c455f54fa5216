"""Instructor pages of item analysis: a quiz of one's own course (its table, CSV export) and the
course's most chosen misconceptions. Courses are read through courses.selectors.owned_courses
(via courses.views.owned_course): another instructor's course, or a quiz not assigned to the
course, is a 404. Every page is a GET that only reads."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from analytics import presentation, selectors, statistics, variant_facility
from courses.export import csv_lines
from courses.models import Course
from courses.views import instructor_required, owned_course
from quizzes.models import Quiz


def _course_quiz(request: HttpRequest, slug: str, quiz_slug: str) -> tuple[Course, Quiz]:
    course = owned_course(request, slug)
    return course, get_object_or_404(course.quizzes.all(), slug=quiz_slug)


def _all_attempts(request: HttpRequest) -> bool:
    return request.GET.get("attempts") == "all"


@login_required
@instructor_required
@require_GET
def quiz_analysis(request: HttpRequest, slug: str, quiz_slug: str) -> HttpResponse:
    course, quiz = _course_quiz(request, slug, quiz_slug)
    analysis = selectors.quiz_analysis(quiz, course=course, all_attempts=_all_attempts(request))
    context = {
        "course": course,
        "analysis": analysis,
        "thresholds": _thresholds(),
        "variant_rule": {
            "min_responses": variant_facility.MIN_RESPONSES,
            "min_gap": variant_facility.MIN_GAP,
            "z": variant_facility.Z_CRITICAL,
        },
    }
    return render(request, "analytics/quiz_analysis.html", context)


@login_required
@instructor_required
@require_GET
def quiz_analysis_csv(request: HttpRequest, slug: str, quiz_slug: str) -> StreamingHttpResponse:
    course, quiz = _course_quiz(request, slug, quiz_slug)
    all_attempts = _all_attempts(request)
    analysis = selectors.quiz_analysis(quiz, course=course, all_attempts=all_attempts)
    response = StreamingHttpResponse(
        csv_lines(presentation.csv_rows(analysis)), content_type="text/csv; charset=utf-8"
    )
    suffix = "-all-attempts" if all_attempts else ""
    filename = f"{course.slug}-{quiz.slug}-item-analysis{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@instructor_required
@require_GET
def course_misconceptions(request: HttpRequest, slug: str) -> HttpResponse:
    course = owned_course(request, slug)
    context = {
        "course": course,
        "topics": selectors.course_misconceptions(course),
        "course_quizzes": course.quizzes.order_by("title"),
    }
    return render(request, "analytics/course_misconceptions.html", context)


def _thresholds() -> dict[str, float]:
    return {
        "easy": statistics.EASY_FACILITY,
        "hard": statistics.HARD_FACILITY,
        "weak": statistics.WEAK_DISCRIMINATION,
    }
