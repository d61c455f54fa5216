"""The course's misconception report (issue 16 §4) and its CSV export: an instructor's own
course only (courses.views.owned_course: anyone else's is a 404). GETs that only read."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics import misconception_report, report_presentation
from courses.export import csv_lines
from courses.views import instructor_required, owned_course


@login_required
@instructor_required
@require_GET
def report(request: HttpRequest, slug: str) -> HttpResponse:
    course = owned_course(request, slug)
    found = misconception_report.misconception_report(course)
    context = {"course": course, "report": found, "tables": report_presentation.tables(found)}
    return render(request, "analytics/misconception_report.html", context)


@login_required
@instructor_required
@require_GET
def report_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    course = owned_course(request, slug)
    found = misconception_report.misconception_report(course)
    response = StreamingHttpResponse(
        csv_lines(report_presentation.csv_rows(found)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-misconceptions.csv"'
    return response
