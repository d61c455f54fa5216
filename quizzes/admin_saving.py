"""Admin saves whose validation runs the grader: validate first, then one short transaction.

Django's ModelAdmin.changeform_view wraps the whole POST in one transaction, validation
included. On SQLite (transaction_mode IMMEDIATE) that takes the database's write lock at once, so
the grader runs of a question or concept page form (the snippet, the witness runs of
output_varies, the trace: seconds, more for slow snippets) held the lock and every student's
autosave, practice answer and login waited, then failed. Here validation, and so every grader
run, happens outside any transaction; the transaction opens at the first write (save_model) and
closes when the response is ready, so the object, its inlines, what the form computed and the
admin log entry are still written all or nothing.
"""

from contextlib import ExitStack

from django.contrib import admin
from django.db import router, transaction
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect

# Where a POST handled by GraderFirstAdmin keeps the transaction its writes open.
_WRITES = "_admin_writes"


class GraderFirstAdmin(admin.ModelAdmin):
    """A ModelAdmin whose add and change forms are validated (grader runs included) before the
    save's transaction opens; subclasses write in save_model/save_related as usual."""

    @method_decorator(csrf_protect)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return super().changeform_view(request, object_id, form_url, extra_context)
        # Django's own view minus its outer transaction.atomic (see the module docstring; the
        # tests pin this use of its private half): save_model enters the transaction on this
        # stack, which commits on return and rolls back on an exception.
        with ExitStack() as writes:
            setattr(request, _WRITES, writes)
            try:
                return self._changeform_view(request, object_id, form_url, extra_context)
            finally:
                delattr(request, _WRITES)

    def save_model(self, request, obj, form, change):
        writes = getattr(request, _WRITES, None)
        if writes is not None:  # None: a list_editable save, already in Django's transaction
            writes.enter_context(transaction.atomic(using=router.db_for_write(self.model)))
        super().save_model(request, obj, form, change)
