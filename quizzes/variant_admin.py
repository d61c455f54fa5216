"""The question admin's variant parts: the list of variants on the change form, a preview of
any variant (its rendered snippet, prompt, choices and key), the explicit "Regenerate variants"
action, and storing the variants the form computed (quizzes.variant_forms) once the choices are
saved."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from content.markdown import highlight_python, render_markdown
from grader import GraderUnavailable
from quizzes import grading, services, variant_services, versions
from quizzes.models import Question, QuestionVariant
from quizzes.nul import visible_nul


class VariantAdminMixin(admin.ModelAdmin):
    @admin.display(description="Variants")
    def variants_overview(self, obj: Question):
        if not obj or not obj.pk or not obj.parameters:
            return "No parameters: the snippet is the only version."
        rows = list(obj.variants.all())
        if not rows:
            return "No variants stored yet: they are computed when you save."
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a></li>',
            (
                (
                    reverse("admin:quizzes_question_variant", args=[obj.pk, row.index]),
                    variant_services.variant_label(row),
                )
                for row in rows
            ),
        )
        return format_html('<ul class="variant-list">{}</ul>', items)

    def get_urls(self):
        preview = path(
            "<int:question_id>/variants/<int:index>/",
            self.admin_site.admin_view(self.variant_preview_view),
            name="quizzes_question_variant",
        )
        return [preview, *super().get_urls()]

    def variant_preview_view(self, request, question_id: int, index: int):
        """GET: one variant as a student would see it, with its key (instructors only)."""
        question = get_object_or_404(Question, pk=question_id)
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        variant = get_object_or_404(QuestionVariant, question=question, index=index)
        seen = variant_services.as_seen(question, variant)
        key = seen.answer_key or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{question.title}: variant {variant_services.variant_label(variant)}",
            "question": question,
            "variant": variant,
            "prompt_html": render_markdown(seen.prompt),
            "snippet_html": highlight_python(seen.snippet),
            "choices": list(seen.choices.all()),
            "key_valid": grading.is_valid_key(key),
            "key_text": visible_nul(grading.expected_text(key)) if key else "",
            "key_python_version": seen.key_python_version,
            "right": {c.pk for c in grading.matching_choices(seen.choices.all(), key)}
            if grading.is_valid_key(key)
            else set(),
        }
        return TemplateResponse(request, "admin/quizzes/question/variant_preview.html", context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        results = getattr(form, "variant_results", None)
        question = form.instance
        if results is None:
            if not question.parameters and question.variants.exists():
                self._drop_variants(request, question)
            return
        problems = variant_services.variants_store(question, results)
        if problems:  # a student was given a variant while the form was validated
            services.unpublish(question)
            self.message_user(request, "Variants not stored: " + " ".join(problems), messages.ERROR)
        else:
            versions.store_variant_version_keys(
                question,
                getattr(form, "variant_version_results", None) or {},
                planned=form.variant_planned,
            )
            count = question.variants.count()
            total = getattr(form, "variant_total", count)
            extra = f" (drawn from {total})" if total > count else ""
            self.message_user(request, f"{count} variant(s) computed by the grader{extra}.")

    def _drop_variants(self, request, question: Question) -> None:
        """Parameters removed: the variants go, unless a student was given one (then kept)."""
        rows = list(question.variants.all())
        if variant_services.variants_in_use(rows):
            self.message_user(
                request,
                "The parameters were removed, but students were given variants; those are kept.",
                messages.WARNING,
            )
            return
        question.variants.all().delete()

    @admin.action(description="Regenerate variants", permissions=["change"])
    def regenerate_variants(self, request, queryset):
        done, refused = [], []
        try:
            for question in queryset:
                if not question.parameters:
                    continue
                problems = variant_services.variants_regenerate(question)
                if problems:
                    refused.append(f"{question.title}: {' '.join(problems)}")
                else:
                    done.append(f"{question.title} ({question.variants.count()})")
        except GraderUnavailable as error:
            self.message_user(request, f"The grader is unavailable: {error}", messages.ERROR)
            return
        if done:
            self.message_user(request, "Variants regenerated: " + "; ".join(done) + ".")
        if refused:
            self.message_user(request, "Refused: " + " | ".join(refused), messages.ERROR)
        if not done and not refused:
            self.message_user(request, "None of these questions has parameters.", messages.INFO)
