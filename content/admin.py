"""Instructor authoring of the course text: topics and concept pages whose ```python blocks the
grader runs when the page is saved (in the form's validation, before the save's transaction)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from content import services
from content.admin_forms import ConceptPageAdminForm, block_problem
from content.markdown import has_real_output, python_blocks, render_concept_page
from content.models import ConceptPage, Topic
from grader import GraderUnavailable
from quizzes.admin import warn_about_leaks
from quizzes.admin_forms import NormalisedTextForm
from quizzes.admin_saving import GraderFirstAdmin


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = NormalisedTextForm
    list_display = ["title", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(ConceptPage)
class ConceptPageAdmin(GraderFirstAdmin):
    form = ConceptPageAdminForm
    list_display = ["title", "topic", "order", "is_published", "preview_link"]
    list_filter = ["topic", "is_published"]
    search_fields = ["title", "slug", "body"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["code_outputs"]
    actions = ["recompute_outputs"]

    @admin.display(description="Code outputs")
    def code_outputs(self, obj: ConceptPage):
        if not obj or not obj.pk:
            return "Computed by the grader when you save; a block it cannot vouch for is refused."
        blocks = python_blocks(obj.body)
        stored = {output.index: output for output in obj.block_outputs.all()}
        missing = [
            str(number)
            for number, source in enumerate(blocks, 1)
            if not has_real_output(source, stored.get(number - 1))
        ]
        if not missing:
            return f"Every code block ({len(blocks)}) has its real output."
        return (
            f"No real output for code block {', '.join(missing)} of {len(blocks)}: students see a "
            "notice instead. Saving the page runs them again and says what is wrong."
        )

    @admin.display(description="Preview")
    def preview_link(self, obj: ConceptPage):
        return format_html(
            '<a href="{}">Preview</a>', reverse("admin:content_conceptpage_preview", args=[obj.pk])
        )

    def get_urls(self):
        preview = path(
            "<int:page_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="content_conceptpage_preview",
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
        return TemplateResponse(request, "admin/content/conceptpage/preview.html", context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.store_page_outputs(obj, form.block_outputs)
        # Counted against every block: "Ran 0 code block(s)" alone read as a page stripped of
        # its outputs when the blocks were only unchanged (their stored outputs are kept).
        total = len(form.block_outputs)
        ran = sum(output.ran for output in form.block_outputs)
        self.message_user(
            request,
            f"Every code block ({total}) has its real output: {ran} run by the grader now, "
            f"{total - ran} unchanged and kept."
            if total
            else "This page has no ```python code blocks to run.",
        )
        warn_about_leaks(request, pages=[obj])

    @admin.action(description="Recompute code outputs", permissions=["change"])
    def recompute_outputs(self, request, queryset):
        ran, warnings = 0, []
        for page in queryset:
            try:
                outputs = services.compute_page_outputs(
                    page, python_blocks(page.body), force=True, check_varies=True
                )
            except GraderUnavailable as error:
                self.message_user(
                    request,
                    f"The grader is unavailable; outputs not computed for “{page.title}” and "
                    f"the pages after it: {error}",
                    messages.ERROR,
                )
                break
            # Written page by page, each in its own short transaction, after its grader runs.
            services.store_page_outputs(page, outputs)
            ran += len(outputs)
            warnings += [
                f"“{page.title}”: {block_problem(number, output)}"
                for number, output in enumerate(outputs, 1)
                if not output.is_real
            ]
        self.message_user(request, f"Ran {ran} code block(s) through the grader.")
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)
