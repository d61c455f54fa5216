"""Pages of courses: a student's courses and joining one; an instructor's courses, roster (with
accommodations), CSV roster upload, gradebook, a student's attempts, an attempt as the student
saw it (with overrides), regrades and CSV exports.

Every instructor page reads its course through selectors.owned_courses: another instructor's
course, or an attempt outside the course, is a 404. State changes only on POST, through
courses.services.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from courses import export, roster, selectors, services
from courses.forms import AccommodationForm, JoinForm, OverrideForm, RosterForm
from courses.models import Course, Enrolment, GradeChange
from courses.presentation import review_items
from quizzes.models import Response


def instructor_required(view):
    """Instructors only (the admin's own check); anyone else gets a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not roles.is_instructor(request.user):
            raise PermissionDenied("Instructors only.")
        return view(request, *args, **kwargs)

    return wrapped


def owned_course(request: HttpRequest, slug: str) -> Course:
    """The course, only if the user teaches it: anyone else's is a 404."""
    return get_object_or_404(selectors.owned_courses(request.user), slug=slug)


# --- students ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_courses(request: HttpRequest, code_problem: str = "", status: int = 200) -> HttpResponse:
    enrolments = Enrolment.objects.filter(student=request.user).select_related("course", "section")
    context = {"enrolments": enrolments, "code_problem": code_problem}
    return render(request, "courses/my_courses.html", context, status=status)


@login_required
@require_GET
def join_code_entry(request: HttpRequest) -> HttpResponse:
    """A code typed on My courses leads to its join page (which asks to confirm: a GET never
    enrols); an empty code is asked for again."""
    code = request.GET.get("code", "").strip()
    if not code or "/" in code:
        problem = "Type the join code your instructor gave you."
        return my_courses(request, code_problem=problem, status=400)
    return redirect("course_join", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    """GET shows the course and asks to confirm (a GET never enrols); POST joins."""
    course = Course.objects.filter(join_code=code).first()
    if course is None:
        return render(request, "courses/join_invalid.html", status=404)
    enrolment = Enrolment.objects.filter(course=course, student=request.user).first()
    form = JoinForm(request.POST if request.method == "POST" else None, course=course)
    if request.method == "POST" and enrolment is None and form.is_valid():
        try:
            services.enrolment_join(
                user=request.user, code=code, section=form.cleaned_data.get("section")
            )
        except services.CourseError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"You joined {course}.")
            return redirect("my_courses")
    status = 400 if form.is_bound and form.errors else 200
    context = {"course": course, "form": form, "enrolment": enrolment}
    return render(request, "courses/join.html", context, status=status)


# --- instructors: courses and rosters --------------------------------------------------------


@login_required
@instructor_required
@require_GET
def teach_list(request: HttpRequest) -> HttpResponse:
    courses = selectors.owned_courses(request.user).prefetch_related("sections")
    return render(request, "courses/teach_list.html", {"courses": courses})


@login_required
@instructor_required
@require_GET
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = owned_course(request, slug)
    return render_course(request, course, AccommodationForm(course=course))


def render_course(request: HttpRequest, course: Course, form, status: int = 200) -> HttpResponse:
    """The course page: join link, quizzes, roster with accommodations, the accommodation form."""
    context = {
        "course": course,
        "roster": selectors.course_roster(course),
        "course_quizzes": selectors.course_quizzes(course),
        "join_url": request.build_absolute_uri(reverse("course_join", args=[course.join_code])),
        "accommodation_form": form,
    }
    return render(request, "courses/course_detail.html", context, status=status)


@login_required
@instructor_required
@require_POST
def join_code_regenerate(request: HttpRequest, slug: str) -> HttpResponse:
    course = owned_course(request, slug)
    services.course_join_code_regenerate(course=course)
    messages.success(request, "A new join code is in use; the old link no longer works.")
    return redirect("course_detail", slug=course.slug)


@login_required
@instructor_required
@require_POST
def accommodation_save(request: HttpRequest, slug: str) -> HttpResponse:
    course = owned_course(request, slug)
    form = AccommodationForm(request.POST, course=course)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.accommodation_set(course=course, **data)
        except services.CourseError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"Accommodation saved for {data['student']}.")
            return redirect("course_detail", slug=course.slug)
    return render_course(request, course, form, status=400)


@login_required
@instructor_required
@require_POST
def accommodation_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course = owned_course(request, slug)
    accommodation = get_object_or_404(
        course.accommodations.select_related("student", "quiz"), pk=pk
    )
    services.accommodation_remove(accommodation=accommodation)
    messages.success(
        request,
        f"Accommodation removed for {accommodation.student} ({accommodation.quiz.title}); an "
        "attempt in progress has their usual times again.",
    )
    return redirect("course_detail", slug=course.slug)


@login_required
@instructor_required
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload → preview (nothing changes); the preview's Apply posts the same text back."""
    course = owned_course(request, slug)
    form = RosterForm(request.POST or None, request.FILES or None)
    preview, problem = None, ""
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if "apply" in request.POST:
                applied = services.roster_apply(course=course, text=text)
                messages.success(request, f"Roster applied: {len(applied.changes)} change(s).")
                return redirect("course_detail", slug=course.slug)
            preview = services.roster_preview(course=course, text=text)
        except roster.RosterUnreadable as unreadable:
            problem = str(unreadable)
        except services.CourseError as refused:
            problem = refused.message
            preview = services.roster_preview(course=course, text=text)
        form = RosterForm(initial={"text": text})
    elif form.is_bound:
        problem = " ".join(form.non_field_errors())
    status = 400 if problem or (preview is not None and preview.errors) else 200
    context = {"course": course, "form": form, "preview": preview, "problem": problem}
    return render(request, "courses/roster_upload.html", context, status=status)


# --- instructors: grades ---------------------------------------------------------------------


@login_required
@instructor_required
@require_GET
def gradebook(request: HttpRequest, slug: str) -> HttpResponse:
    course = owned_course(request, slug)
    section = None
    if request.GET.get("section"):
        section = course.sections.filter(pk=_int(request.GET["section"])).first()
    sort = request.GET.get("sort", "name")
    book = selectors.gradebook(
        course, section=section, sort=sort, descending=request.GET.get("dir") == "desc"
    )
    context = {
        "course": course,
        "book": book,
        "sections": course.sections.all(),
        "section": section,
    }
    return render(request, "courses/gradebook.html", context)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.csv_lines(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@instructor_required
@require_GET
def gradebook_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    course = owned_course(request, slug)
    book = selectors.gradebook(course)
    return _csv_response(export.gradebook_rows(book), f"{course.slug}-gradebook.csv")


@login_required
@instructor_required
@require_GET
def responses_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    course = owned_course(request, slug)
    responses = selectors.course_responses(course=course)
    return _csv_response(export.response_rows(responses), f"{course.slug}-responses.csv")


@login_required
@instructor_required
@require_GET
def student_attempts(request: HttpRequest, slug: str, user_pk: int) -> HttpResponse:
    course = owned_course(request, slug)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("student", "section"), course=course, student=user_pk
    )
    context = {
        "course": course,
        "enrolment": enrolment,
        "attempts": selectors.student_attempts(course, enrolment.student),
    }
    return render(request, "courses/student_attempts.html", context)


def _course_attempt(course: Course, pk: int):
    attempt = selectors.course_attempt(course, pk)
    if attempt is None:
        raise Http404("No such attempt in this course.")
    return attempt


@login_required
@instructor_required
@require_GET
def attempt_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course = owned_course(request, slug)
    attempt = _course_attempt(course, pk)
    entries = selectors.attempt_entries(attempt)
    items = review_items(attempt, entries, selectors.attempt_responses(attempt))
    context = {"course": course, "attempt": attempt, "items": items}
    return render(request, "courses/attempt_review.html", context)


@login_required
@instructor_required
@require_POST
def response_override(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course = owned_course(request, slug)
    response = get_object_or_404(Response.objects.select_related("attempt"), pk=pk)
    attempt = _course_attempt(course, response.attempt_id)
    review = reverse("course_attempt", args=[course.slug, attempt.pk]) + f"#r-{response.pk}"
    if "clear" in request.POST:
        services.response_override_clear(
            response=response, reason=request.POST.get("reason", ""), by=request.user
        )
        messages.success(request, "Override removed: the grader's result counts again.")
        return redirect(review)
    form = OverrideForm(request.POST, prefix=f"r{response.pk}")
    if form.is_valid():
        try:
            services.response_override(by=request.user, response=response, **form.cleaned_data)
        except services.CourseError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, "Grade overridden; the attempt's total follows.")
        return redirect(review)
    errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    messages.error(request, f"The override was not saved: {errors}")
    return redirect(review)


@login_required
@instructor_required
@require_http_methods(["GET", "POST"])
def regrade(request: HttpRequest, slug: str) -> HttpResponse:
    """GET lists each response a changed key would grade differently, old and new side by
    side; POST regrades exactly the ones ticked."""
    course = owned_course(request, slug)
    items = selectors.regrade_items(course)
    if request.method == "POST":
        chosen = set(request.POST.getlist("response"))
        picked = [item.response for item in items if str(item.response.pk) in chosen]
        changed = services.response_regrade(responses=picked, by=request.user)
        messages.success(request, f"Regraded {changed} response(s).")
        return redirect("course_regrade", slug=course.slug)
    history = GradeChange.objects.filter(
        kind=GradeChange.Kind.REGRADE,
        response__in=selectors.course_responses(course=course).values("pk"),
    ).select_related("changed_by", "response__attempt__user", "response__quiz_question__question")
    context = {"course": course, "items": items, "history": history[:50]}
    return render(request, "courses/regrade.html", context)
