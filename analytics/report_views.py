"""The course's misconception report (issue 16 §4) and its CSV export, of every section or one
(?section=pk): an instructor's own course only (courses.views.owned_course: anyone else's, or
another course's section, is a 404). GETs that only read."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from analytics import misconception_report, report_presentation
from courses.export import csv_lines
from courses.models import Course, Section
from courses.views import instructor_required, owned_course


def _section(request: HttpRequest, course: Course) -> Section | None:
    """The section asked for (?section=pk), which must be the course's; None for all."""
    value = request.GET.get("section")
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such section.")
    return get_object_or_404(course.sections.all(), pk=int(value))


@login_required
@instructor_required
@require_GET
def report(request: HttpRequest, slug: str) -> HttpResponse:
    course = owned_course(request, slug)
    found = misconception_report.misconception_report(course, _section(request, course))
    context = {
        "course": course,
        "report": found,
        "tables": report_presentation.tables(found),
        "sections": course.sections.all(),
    }
    return render(request, "analytics/misconception_report.html", context)


@login_required
@instructor_required
@require_GET
def report_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    course = owned_course(request, slug)
    section = _section(request, course)
    found = misconception_report.misconception_report(course, section)
    response = StreamingHttpResponse(
        csv_lines(report_presentation.csv_rows(found)), content_type="text/csv; charset=utf-8"
    )
    suffix = f"-section-{section.pk}" if section is not None else ""
    filename = f"{course.slug}-misconceptions{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
