"""Instructor authoring: questions checked by the grader, quizzes, class results.

Topics and concept pages are authored in content.admin.

Every state change goes through quizzes.services; nothing here runs on save() or signals. The
grader runs in the forms' validation, before the save's transaction opens (GraderFirstAdmin).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from content import guards as content_guards
from content.markdown import (
    highlight_python,
)
from grader import GraderUnavailable
from quizzes import (
    grading,
    hooks,
    known_answers,
    misconceptions,
    selectors,
    services,
    variant_services,
    version_matrix,
    versions,
)
from quizzes.admin_forms import (
    ChoiceAdminForm,
    ChoiceFormSet,
    KnownWrongAnswerAdminForm,
    KnownWrongAnswerFormSet,
    QuestionAdminForm,
    QuizAdminForm,
)
from quizzes.admin_saving import GraderFirstAdmin
from quizzes.deadlines import follow_quiz_times
from quizzes.grading import source_hash
from quizzes.models import (
    Attempt,
    Choice,
    KnownWrongAnswer,
    Question,
    Quiz,
    QuizQuestion,
    Response,
)
from quizzes.nul import visible_nul
from quizzes.variant_admin import VariantAdminMixin

PYGMENTS_MEDIA = {"all": ["content/pygments.css"]}


def _student_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceAdminForm
    formset = ChoiceFormSet
    extra = 0


class KnownWrongAnswerInline(admin.TabularInline):
    """A typed question's known wrong answers (issue 16 §2): typed by hand here, or recorded in
    one click from a prediction above."""

    model = KnownWrongAnswer
    form = KnownWrongAnswerAdminForm
    formset = KnownWrongAnswerFormSet
    extra = 0


@admin.register(Question)
class QuestionAdmin(VariantAdminMixin, GraderFirstAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline, KnownWrongAnswerInline]
    # The predictions' one-click buttons are submit buttons of the change form: with the save
    # row on top, Enter in a field still saves (the first submit button is the default).
    save_on_top = True
    list_display = [
        "title",
        "topic",
        "answer_mode",
        "difficulty",
        "is_published",
        "key_state",
        "versions_differ",
        "student_preview",
    ]
    list_filter = ["topic", "answer_mode", "is_published", "difficulty"]
    search_fields = ["title", "slug", "prompt", "snippet"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "highlighted_snippet",
        "real_outcome",
        "misconception_predictions",
        "outcome_per_version",
        "student_preview",
        "variants_overview",
    ]
    actions = ["recompute_answer_keys", "regenerate_variants"]
    fieldsets = [
        (None, {"fields": ["topic", "title", "slug", "answer_mode", "difficulty", "is_published"]}),
        (
            "What the student sees",
            {"fields": ["prompt", "snippet", "highlighted_snippet", "parameters"]},
        ),
        (
            "Answer key (computed by the grader when you save; never typed by hand)",
            {
                "fields": [
                    "real_outcome",
                    "outcome_per_version",
                    "misconception_predictions",
                    "student_preview",
                    "variants_overview",
                ]
            },
        ),
        (None, {"fields": ["explanation"]}),
    ]

    class Media:
        css = PYGMENTS_MEDIA

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("choices", "stored_keys", "known_wrong_answers", "variants")
        )

    def _current_version_rows(self, obj: Question) -> dict:
        """The question's current per-line keys (from the prefetched rows: no query per row)."""
        digest = source_hash(obj.snippet)
        return {
            row.python: row
            for row in obj.stored_keys.all()
            if row.variant_id is None and row.source_hash == digest
        }

    @admin.display(description="Differs by version")
    def versions_differ(self, obj: Question):
        if obj.parameters:  # each variant's rendered snippet has its own keys per line
            variants = version_matrix.variant_line_keys(obj)
            if not any(len(rows) > 1 for _, rows in variants):
                return "-"
            differing = [label for label, rows in variants if version_matrix.differing_keys(rows)]
            return f"yes: {len(differing)} of {len(variants)} variants" if differing else "no"
        rows = self._current_version_rows(obj)
        if len(rows) < 2:
            return "-"
        differing = versions.differing_lines(obj, rows)
        return f"yes: {', '.join(differing)}" if differing else "no"

    @admin.display(description="Outcome per Python version")
    def outcome_per_version(self, obj: Question):
        if obj and obj.pk and obj.parameters:
            return self._variant_outcomes_per_version(obj)
        rows = self._current_version_rows(obj) if obj and obj.pk else {}
        if not rows:
            return "Not computed (refresh_answer_keys --python LINE, or save the question)."
        differing = set(versions.differing_lines(obj, rows))
        return format_html_join(
            "",
            '<div class="version-outcome"><strong>Python {}</strong>{}'
            '<pre class="real-outcome">{}</pre></div>',
            (
                (
                    row.python_version or line,
                    " (differs)" if line in differing else "",
                    visible_nul(version_matrix.shown_outcome(row.answer_key)),
                )
                for line, row in sorted(rows.items())
            ),
        )

    def _variant_outcomes_per_version(self, obj: Question):
        """Each variant's outcome on each line, the differing lines marked."""
        variants = version_matrix.variant_line_keys(obj)
        if not any(rows for _, rows in variants):
            return "Not computed (refresh_answer_keys --python LINE, or save the question)."
        return format_html_join(
            "",
            '<div class="version-outcome"><strong>Variant {} on Python {}</strong>{}'
            '<pre class="real-outcome">{}</pre></div>',
            (
                (
                    label,
                    row.python_version or line,
                    " (differs)" if line in version_matrix.differing_keys(rows) else "",
                    visible_nul(version_matrix.shown_outcome(row.answer_key)),
                )
                for label, rows in variants
                for line, row in sorted(rows.items())
            ),
        )

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
            visible_nul(key.get("stdout") or "(no output)"),
            visible_nul(key.get("exception") or "none"),
            obj.key_python_version,
            f"{timezone.localtime(obj.key_computed_at):%Y-%m-%d %H:%M}",
        )

    @admin.display(description="What misconceptions predict")
    def misconception_predictions(self, obj: Question):
        """Beside the real outcome: each catalogue misconception whose prediction differs (a
        distractor, and a label a choice may carry), and the choice labels nothing checks."""
        if not obj or not grading.is_valid_key(obj.answer_key):
            return "-"
        differing = misconceptions.differing_predictions(obj.answer_key, obj.key_predictions)
        predictions = format_html_join(
            "",
            '<div class="misconception-prediction"><strong>{}</strong>: {}'
            '<pre class="predicted-outcome">{}</pre>{}</div>',
            (
                (p.misconception, p.belief, visible_nul(p.text), self._add_choice_button(obj, p))
                for p in differing
            ),
        )
        if not differing:
            predictions = format_html(
                "<p>{}</p>", "No misconception in the catalogue predicts another output here."
            )
        choices, known = list(obj.choices.all()), list(obj.known_wrong_answers.all())
        # Stored labels the current predictions contradict (the key was recomputed since they
        # were checked): saving refuses them until they are fixed, so say so before.
        if obj.parameters:  # each variant's rendered choices against its own predictions
            contradicted = variant_services.stored_problems(obj)
        else:
            contradicted = misconceptions.label_problems(
                obj.answer_key, obj.key_predictions, choices
            )
        contradicted += known_answers.problems(
            obj.answer_mode, obj.answer_key, obj.key_predictions, known
        )
        if contradicted:
            predictions = format_html(
                '{}<ul class="label-problems errorlist">{}</ul>',
                predictions,
                format_html_join("", "<li>{}</li>", ((problem,) for problem in contradicted)),
            )
        unchecked = misconceptions.unchecked_labels([*choices, *known])
        if not unchecked:
            return predictions
        return format_html(
            '{}<p class="unchecked-labels">Unchecked labels (not in the catalogue): {}</p>',
            predictions,
            "; ".join(unchecked),
        )

    @staticmethod
    def _add_choice_button(question: Question, prediction) -> str:
        """One click adds the prediction as a labelled choice (choice questions) or records it
        as a known wrong answer (typed ones). The button submits the change form's own form
        (and its CSRF token) to the add view."""
        if question.answer_mode == Question.AnswerMode.CHOICE:
            name, kind, text = "add_predicted_choice", "add-predicted-choice", "Add as a choice"
            shown = question
            if question.parameters:  # the predictions shown are the first variant's
                text = "Add as a choice (each variant shows its own prediction)"
                shown = variant_services.as_seen(question, question.variants.first())
            present = [choice.text for choice in shown.choices.all()]
            done = "A choice shows this."
        elif question.answer_mode == Question.AnswerMode.TYPED:
            name, kind = "add_known_wrong_answer", "add-known-wrong-answer"
            text = "Record as a known wrong answer"
            present = [known_answers.text(known) for known in question.known_wrong_answers.all()]
            done = "Recorded as a known wrong answer."
        else:
            return ""
        if any(grading.answer_matches(shown, prediction.outcome) for shown in present):
            return format_html('<p class="prediction-present">{}</p>', done)
        url = reverse(
            f"admin:quizzes_question_{name}", args=[question.pk, prediction.misconception]
        )
        return format_html(
            '<button type="submit" class="button {}" formaction="{}">{} labelled {}</button>',
            kind,
            url,
            text,
            prediction.misconception,
        )

    def get_urls(self):
        add_predicted = path(
            "<int:question_id>/add-predicted-choice/<slug:misconception>/",
            self.admin_site.admin_view(self.add_predicted_choice_view),
            name="quizzes_question_add_predicted_choice",
        )
        matrix = path(
            "version-matrix/",
            self.admin_site.admin_view(self.version_matrix_view),
            name="quizzes_question_version_matrix",
        )
        add_known_wrong = path(
            "<int:question_id>/add-known-wrong-answer/<slug:misconception>/",
            self.admin_site.admin_view(self.add_known_wrong_answer_view),
            name="quizzes_question_add_known_wrong_answer",
        )
        return [add_predicted, add_known_wrong, matrix, *super().get_urls()]

    def version_matrix_view(self, request):
        """Every question and page block whose outcome differs between Python versions, side by
        side (staff only: admin_view; and the permission to view questions)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        matrix = version_matrix.version_matrix(
            versions.default_line(),
            lambda question: reverse("admin:quizzes_question_change", args=[question.pk]),
            lambda page: reverse("admin:content_conceptpage_change", args=[page.pk]),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Version matrix: outcomes that differ between Python versions",
            "matrix": matrix,
            "question_rows": [(row, matrix.shown(row)) for row in matrix.questions],
            "block_rows": [(row, matrix.shown(row)) for row in matrix.blocks],
        }
        return TemplateResponse(request, "admin/quizzes/version_matrix.html", context)

    def add_predicted_choice_view(self, request, question_id: int, misconception: str):
        """POST: add a misconception's stored prediction as a labelled choice; no grader run."""
        return self._add_predicted(
            request,
            question_id,
            misconception,
            services.choice_add_predicted,
            "Added the choice {!r} predicts.",
        )

    def add_known_wrong_answer_view(self, request, question_id: int, misconception: str):
        """POST: record a misconception's stored prediction as a known wrong answer of a typed
        question; no grader run."""
        return self._add_predicted(
            request,
            question_id,
            misconception,
            services.known_wrong_answer_add_predicted,
            "Recorded what {!r} predicts as a known wrong answer.",
        )

    def _add_predicted(self, request, question_id, misconception, add, done: str):
        question = get_object_or_404(Question, pk=question_id)
        change_url = reverse("admin:quizzes_question_change", args=[question.pk])
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        try:
            add(question=question, misconception=misconception)
        except services.ServiceError as refused:
            self.message_user(request, refused.message, messages.ERROR)
        else:
            self.message_user(request, done.format(misconception))
        return HttpResponseRedirect(change_url)

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
        if form.variant_results is None:  # a parameterised question's keys: save_related
            services.store_answer_key(
                obj,
                form.grader_outcome,
                trace=form.grader_trace,
                predictions=form.grader_predictions,
            )
            versions.store_version_keys(obj, form.version_results or {})
        warn_about_leaks(request, questions=[obj])

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
    readonly_fields = ["feedback_conflicts"]

    @admin.display(description="Questions in quizzes with other feedback policies")
    def feedback_conflicts(self, obj: Quiz):
        conflicts = content_guards.policy_conflicts(obj) if obj and obj.pk else []
        if not conflicts:
            return "None."
        return format_html_join(
            "", '<p class="feedback-conflict">{}</p>', ((c.message(),) for c in conflicts)
        )

    def save_related(self, request, form, formsets, change):
        # The questions (inline) are saved here, after the quiz: check them now.
        super().save_related(request, form, formsets, change)
        quiz = form.instance
        moved = follow_quiz_times(quiz)
        if moved:
            self.message_user(
                request, f"The deadline of {moved} open attempt(s) follows the quiz's new times."
            )
        for conflict in content_guards.policy_conflicts(quiz):
            self.message_user(request, conflict.message(), messages.WARNING)
        warn_about_leaks(request, questions=quiz.questions.all())

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
        results = selectors.quiz_results(quiz, seen_by=request.user)  # one's own classes
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Class results: {quiz.title}",
            "quiz": quiz,
            "max_score": selectors.quiz_max_score(quiz),
            "attempt_count": results.attempt_count,
            "students": results.students,
            "entries": results.entries,
        }
        return TemplateResponse(request, "admin/quizzes/quiz/results.html", context)


def warn_about_leaks(request, *, questions=None, pages=None) -> None:
    """Warn when a guarded question's snippet is on a concept page (content_guards), among the
    saved `questions` or `pages`."""
    for leak in content_guards.guarded_snippets_on_pages(questions=questions, pages=pages):
        messages.warning(request, leak.message())


class ResponseInline(admin.TabularInline):
    model = Response
    fields = [
        "quiz_question",
        "answer_text",
        "says_prints_nothing",
        "is_correct",
        "points_awarded",
        "answered_at",
        "graded_python_version",
        "variant",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        # Each row shows its quiz question ("quiz: question") and its own name (attempt's user
        # and quiz, question): loaded with the rows, not a query per row.
        return (
            super()
            .get_queryset(request)
            .select_related(
                "attempt__user",
                "attempt__quiz",
                "quiz_question__quiz",
                "quiz_question__question",
                "variant__question",
            )
        )

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

    def get_queryset(self, request):
        # Another instructor's class is not listed, nor reachable (courses' hook).
        return hooks.installed().attempts_seen_by(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
