"""The instructor's view of background tasks: recent ones with their progress and outcome, and
buttons that start a full recomputation of keys and page outputs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from backgroundtasks import services, tasks
from backgroundtasks.models import TaskRecord

STARTS = {
    "keys": (services.KEYS, tasks.recompute_answer_keys, "quizzes.change_question"),
    "outputs": (services.OUTPUTS, tasks.recompute_page_outputs, "content.change_conceptpage"),
}


@admin.register(TaskRecord)
class TaskRecordAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "progress", "requested_by", "requested_at", "finished_at"]
    list_filter = ["status", "name"]
    readonly_fields = [field.name for field in TaskRecord._meta.fields]

    def has_add_permission(self, request):
        return False  # started with the buttons above the list, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        start = self.admin_site.admin_view(require_POST(self.start_view))
        return [
            path("start/<str:kind>/", start, name="backgroundtasks_taskrecord_start"),
            *super().get_urls(),
        ]

    def start_view(self, request, kind: str):
        if kind not in STARTS:
            raise PermissionDenied
        name, task, permission = STARTS[kind]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        record = services.task_start(name=name, task=task, user=request.user)
        messages.success(
            request, f"Started: {record.name}. Its progress and outcome show in this list."
        )
        return redirect("admin:backgroundtasks_taskrecord_changelist")
