"""Instructor authoring: questions checked by the grader, quizzes, concept pages, class results.

Every state change goes through quizzes.services; nothing here runs on save() or signals.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from grader import GraderUnavailable
from quizzes import grading, services
from quizzes.admin_forms import ChoiceAdminForm, ChoiceFormSet, QuestionAdminForm, QuizAdminForm
from quizzes.markdown import highlight_python, render_concept_page
from quizzes.models import (
    Attempt,
    Choice,
    ConceptPage,
    Question,
    Quiz,
    QuizQuestion,
    Response,
    Topic,
)

PYGMENTS_MEDIA = {"all": ["quizzes/pygments.css"]}


def _student_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceAdminForm
    formset = ChoiceFormSet
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    list_display = [
        "title",
        "topic",
        "answer_mode",
        "difficulty",
        "is_published",
        "key_state",
        "student_preview",
    ]
    list_filter = ["topic", "answer_mode", "is_published", "difficulty"]
    search_fields = ["title", "slug", "prompt", "snippet"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["highlighted_snippet", "real_outcome", "student_preview"]
    actions = ["recompute_answer_keys"]
    fieldsets = [
        (None, {"fields": ["topic", "title", "slug", "answer_mode", "difficulty", "is_published"]}),
        ("What the student sees", {"fields": ["prompt", "snippet", "highlighted_snippet"]}),
        (
            "Answer key (computed by the grader when you save; never typed by hand)",
            {"fields": ["real_outcome", "student_preview"]},
        ),
        (None, {"fields": ["explanation"]}),
    ]

    class Media:
        css = PYGMENTS_MEDIA

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices")

    @admin.display(description="Snippet (highlighted)")
    def highlighted_snippet(self, obj: Question):
        return highlight_python(obj.snippet) if obj and obj.snippet else "-"

    @admin.display(description="Real outcome")
    def real_outcome(self, obj: Question):
        key = obj.answer_key if obj else None
        if not key:
            return "Not computed yet: it is computed when you save."
        if not grading.is_valid_key(key):
            return format_html(
                "The grader refused this snippet ({}): {}",
                key.get("status"),
                "; ".join(key.get("reasons") or []),
            )
        return format_html(
            '<pre class="real-outcome">{}</pre>'
            "<div>Exception: {} &middot; Python {} &middot; computed {}</div>",
            key.get("stdout") or "(no output)",
            key.get("exception") or "none",
            obj.key_python_version,
            f"{timezone.localtime(obj.key_computed_at):%Y-%m-%d %H:%M}",
        )

    @admin.display(description="Preview as a student")
    def student_preview(self, obj: Question):
        url = _student_url("practice_question", obj.pk) if obj and obj.pk else None
        return format_html('<a href="{}">Preview as a student</a>', url) if url else "-"

    @admin.display(description="Key")
    def key_state(self, obj: Question):
        problems = services.question_problems(obj)
        return "ok" if not problems else problems[0][:60]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.store_answer_key(obj, form.grader_outcome)

    @admin.action(description="Recompute answer keys", permissions=["change"])
    def recompute_answer_keys(self, request, queryset):
        changed, withdrawn = [], []
        try:
            for question in queryset:
                result = services.recompute_question(question, force=True)
                if result.changed:
                    changed.append(question.title)
                if result.unpublished:
                    withdrawn.append(f"{question.title} ({result.problems[0]})")
        except GraderUnavailable as error:
            self.message_user(request, f"The grader is unavailable: {error}", messages.ERROR)
            return
        self.message_user(
            request,
            f"Recomputed {queryset.count()} key(s); {len(changed)} changed"
            + (f": {', '.join(changed)}." if changed else "."),
        )
        if withdrawn:
            self.message_user(
                request, "Unpublished, no longer valid: " + "; ".join(withdrawn), messages.WARNING
            )


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    fields = ["order", "question", "points"]
    autocomplete_fields = ["question"]
    extra = 1


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    form = QuizAdminForm
    inlines = [QuizQuestionInline]
    list_display = [
        "title",
        "is_published",
        "feedback_policy",
        "time_limit_minutes",
        "max_attempts",
        "opens_at",
        "closes_at",
        "results_link",
    ]
    list_filter = ["is_published", "feedback_policy"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}

    @admin.display(description="Class results")
    def results_link(self, obj: Quiz):
        return format_html(
            '<a href="{}">Results</a>', reverse("admin:quizzes_quiz_results", args=[obj.pk])
        )

    def get_urls(self):
        results = path(
            "<int:quiz_id>/results/",
            self.admin_site.admin_view(self.results_view),
            name="quizzes_quiz_results",
        )
        return [results, *super().get_urls()]

    def results_view(self, request, quiz_id: int):
        if not request.user.has_perm("quizzes.view_attempt"):
            raise PermissionDenied
        quiz = get_object_or_404(Quiz, pk=quiz_id)
        submitted = quiz.attempts.filter(submitted_at__isnull=False)
        students = (
            submitted.values("user__username")
            .annotate(attempts=Count("pk"), best=Max("score"), last=Max("submitted_at"))
            .order_by("user__username")
        )
        total = submitted.count()
        entries = []
        for entry in quiz.quiz_questions.select_related("question"):
            counts = Response.objects.filter(attempt__in=submitted, quiz_question=entry).aggregate(
                answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True))
            )
            entries.append(
                {
                    "entry": entry,
                    **counts,
                    "percent": round(100 * counts["correct"] / total) if total else None,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Class results: {quiz.title}",
            "quiz": quiz,
            "max_score": services.quiz_max_score(quiz),
            "attempt_count": total,
            "students": students,
            "entries": entries,
        }
        return TemplateResponse(request, "admin/quizzes/quiz/results.html", context)


@admin.register(ConceptPage)
class ConceptPageAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "order", "is_published", "preview_link"]
    list_filter = ["topic", "is_published"]
    search_fields = ["title", "slug", "body"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["recompute_outputs"]

    @admin.display(description="Preview")
    def preview_link(self, obj: ConceptPage):
        return format_html(
            '<a href="{}">Preview</a>', reverse("admin:quizzes_conceptpage_preview", args=[obj.pk])
        )

    def get_urls(self):
        preview = path(
            "<int:page_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="quizzes_conceptpage_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, page_id: int):
        page = get_object_or_404(ConceptPage, pk=page_id)
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {page.title}",
            "page": page,
            "rendered": render_concept_page(page),
        }
        return TemplateResponse(request, "admin/quizzes/conceptpage/preview.html", context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._refresh(request, [obj], force=False)

    @admin.action(description="Recompute code outputs", permissions=["change"])
    def recompute_outputs(self, request, queryset):
        self._refresh(request, queryset, force=True)

    def _refresh(self, request, pages, *, force: bool) -> None:
        warnings = []
        try:
            ran = 0
            for page in pages:
                ran_here = services.refresh_page_outputs(page, force=force)
                # Pages whose blocks did not run were checked when they last ran.
                varying = services.varying_blocks(page) if ran_here else []
                if varying:
                    warnings.append(varying_blocks_warning(page, varying))
                ran += ran_here
        except GraderUnavailable as error:
            self.message_user(
                request, f"The grader is unavailable; outputs not computed: {error}", messages.ERROR
            )
            return
        self.message_user(request, f"Ran {ran} code block(s) through the grader.")
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)


def varying_blocks_warning(page: ConceptPage, numbers: list[int]) -> str:
    listed = ", ".join(str(number) for number in numbers)
    return (
        f"“{page.title}”: the output of code block {listed} changes from one run of Python to "
        "the next (a set of strings' order, an id() or an address, a string's hash, or when the "
        "garbage collector runs automatically); the page shows one run's, or none. Consider "
        "printing something stable, such as sorted(...), or gc.disable() at the top."
    )


class ResponseInline(admin.TabularInline):
    model = Response
    fields = [
        "quiz_question",
        "answer_text",
        "is_correct",
        "points_awarded",
        "answered_at",
        "graded_python_version",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Read-only: attempts change only through the student's own actions (services)."""

    inlines = [ResponseInline]
    list_display = ["user", "quiz", "number", "started_at", "submitted_at", "score", "max_score"]
    list_filter = ["quiz", "submitted_at"]
    search_fields = ["user__username", "quiz__title"]
    list_select_related = ["user", "quiz"]
    readonly_fields = [f.name for f in Attempt._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
